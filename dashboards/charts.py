"""The weekly charts, defined once: what each shows, its data, and how it is drawn.

A :class:`Frame` is one read of a model's DataCollector: each metric's weekly
values (its ``<name>_week`` column), from week 1 (week 0 is the starting state,
before anything happened, and is left out of every chart). Each :class:`WeeklyChart`
names the metrics it shows (with their colour,
axis and whether they are summed up week by week); their labels, units and
ranges come from :data:`simulation.metrics.METRICS`. A chart becomes an ECharts
option for the page (drawn by the browser, so a week's update is a few kilobytes
of numbers) or a matplotlib drawing (:func:`draw_chart`), used both for the
dashboard's PNG downloads (:func:`chart_png`) and for ``coprod run --out``'s
``weekly.png`` (:func:`weekly_png`). Both read the same frame, so the picture on
screen and the files agree.

No Solara here: the command line imports this module. matplotlib is imported
where a PNG is drawn (it takes a while to load, and the page does not need it
until a download is asked for).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np

from simulation.metrics import METRIC_BY_NAME, METRIC_NAMES, WEEK_SUFFIX, Metric, running

# Colours, fixed per group of people so that every plot tells the same story.
LAY = "#d95f02"
PROFESSIONAL = "#1f78b4"
BENEFITS = "#7570b3"
DISABLED = "#1b9e77"
LOW_MONEY = "#a6761d"
RIGHTS = "#e7298a"
GREY = "#666666"
ROLE_COLOURS = {
    "patient": "#e6550d",
    "carer": "#fdae6b",
    "clinician": "#3182bd",
    "manager": "#08306b",
}
RUNNING_TOTAL = "running total"


@dataclass(frozen=True)
class Series:
    """One line on a chart: a metric, optionally summed up week by week.

    Its label and unit are the metric's (looked up when drawn: a chart naming a
    metric the model does not report shows its problem in place of the plot).
    """

    metric: str
    color: str
    cumulative: bool = False
    axis: int = 0  # 0: left axis, 1: right axis
    dashed: bool = False

    @property
    def definition(self) -> Metric:
        return METRIC_BY_NAME[self.metric]

    @property
    def label(self) -> str:
        return self.definition.label


@dataclass(frozen=True)
class WeeklyChart:
    """A plot over the weeks, with a plain-language title and explanation."""

    key: str
    title: str
    explain: str
    lines: tuple[Series, ...]
    # Words the title already says that end every line's label (" at meetings"): left out
    # of the legend, which then fits in fewer rows.
    said_by_title: str = ""

    def legend_label(self, line: Series) -> str:
        return line.label.removesuffix(self.said_by_title)

    def legend_rows(self) -> int:
        """Rows the page's legend takes (see :func:`legend_rows`)."""
        return legend_rows([self.legend_label(line) for line in self.lines])

    @property
    def n_axes(self) -> int:
        return 1 + max(line.axis for line in self.lines)

    def axis_name(self, axis: int) -> str:
        """The axis's unit(s), from the metrics on it: ``"GBP"``, ``"hours (running total)"``."""
        on_axis = [line for line in self.lines if line.axis == axis]
        name = " / ".join(dict.fromkeys(line.definition.unit for line in on_axis))
        if all(line.cumulative for line in on_axis):
            name += f" ({RUNNING_TOTAL})"
        return name

    def axis_range(self, axis: int) -> tuple[float, float] | None:
        """Fixed bounds for an axis whose metrics all have finite ones (shares: 0 to 1)."""
        on_axis = [line for line in self.lines if line.axis == axis]
        if any(line.cumulative for line in on_axis):
            return None
        low = min(line.definition.low for line in on_axis)
        high = max(line.definition.high for line in on_axis)
        return (low, high) if math.isfinite(low) and math.isfinite(high) else None

    def data_range(self, axis: int, drawn: list[tuple[Series, np.ndarray]]) -> tuple[float, float]:
        """Bounds for an axis without fixed ones, from the values ``drawn`` on it: from the
        metrics' lower bound (0 for counts and money) when finite, else the lowest value,
        to 5% above the highest; 0 to 1 when every value is the same (e.g. all 0)."""
        on_axis = [(line, v[np.isfinite(v)]) for line, v in drawn if line.axis == axis]
        values = np.concatenate([v for _, v in on_axis]) if on_axis else np.zeros(0)
        lows = [line.definition.low for line, _ in on_axis]
        low = min(lows) if lows and all(map(math.isfinite, lows)) else None
        if values.size == 0:
            return (low or 0.0, (low or 0.0) + 1.0)
        if low is None:
            low = float(values.min())
        high = float(values.max())
        if high <= low:
            return (low, low + 1.0)
        return (low, high + 0.05 * (high - low))

    def series(self, frame: Frame) -> list[tuple[Series, np.ndarray]]:
        """Each line's values for weeks 1 .. frame.week."""
        return [
            (line, frame.cumulative(line.metric) if line.cumulative else frame[line.metric])
            for line in self.lines
        ]


CHARTS: tuple[WeeklyChart, ...] = (
    WeeklyChart(
        "participation",
        "Who comes to meetings",
        "Share of each group of people at the latest meeting (1 = everyone came).",
        (
            Series("participation_lay", LAY),
            Series("participation_professional", PROFESSIONAL),
            Series("participation_benefits", BENEFITS, dashed=True),
            Series("participation_disabled", DISABLED, dashed=True),
            Series("participation_low_money", LOW_MONEY, dashed=True),
        ),
        said_by_title=" at meetings",
    ),
    WeeklyChart(
        "voice",
        "Whose voice counts",
        "Share of what is said that comes from patients and carers, and share of the "
        "contributions that were taken up that are lived experience.",
        (
            Series("lay_voice_share", LAY),
            Series("experiential_share", DISABLED),
        ),
    ),
    WeeklyChart(
        "insights",
        "New insights, by where they came from",
        "Running total of new insights. 'Unexpected' ones combine lived experience with "
        "medical or practice knowledge.",
        (
            Series("insights", GREY, cumulative=True),
            Series("insights_unexpected", DISABLED, cumulative=True),
            Series("insights_lay_origin", LAY, cumulative=True),
            Series("insights_adopted", PROFESSIONAL, cumulative=True, dashed=True),
        ),
    ),
    WeeklyChart(
        "relations",
        "Trust and ties across roles",
        "Mean trust of active participants in the others (left), and strong "
        "lay-professional ties per active participant (right).",
        (
            Series("mean_trust", RIGHTS),
            Series("cross_role_ties", PROFESSIONAL, axis=1),
        ),
    ),
    WeeklyChart(
        "knowledge_counts",
        "What counts as knowledge, and what people value",
        "Chance that a patient's or carer's lived experience is recognised at a meeting "
        "(left); how far active professionals' and lay people's weight on being heard and "
        "lived experience has moved since the start (right; 0 is no change).",
        (
            Series("recognition_of_experience", DISABLED),
            Series("values_shift_professional", PROFESSIONAL, axis=1),
            Series("values_shift_lay", LAY, axis=1, dashed=True),
        ),
    ),
    WeeklyChart(
        "money",
        "Money and unpaid time",
        "Running totals: what the programme paid out (left, GBP) and the meeting hours "
        "patients and carers gave unpaid (right).",
        (
            Series("programme_cost", PROFESSIONAL, cumulative=True),
            Series("unpaid_lay_hours", LAY, cumulative=True, axis=1),
        ),
    ),
    WeeklyChart(
        "burden",
        "What taking part costs each patient and carer",
        "Money each lay participant spent and will never get back, and money they are "
        "waiting to have refunded (left, GBP); meeting hours each gave unpaid (right).",
        (
            Series("lay_out_of_pocket", BENEFITS),
            Series("lay_awaiting_refund", LOW_MONEY, dashed=True),
            Series("unpaid_hours_per_lay_participant", LAY, axis=1),
        ),
    ),
    WeeklyChart(
        "satisfaction",
        "How satisfied people are, by why they take part",
        "Rights-based people want real influence, managerial people want results for "
        "the money, experience-based people want to be heard (0-1).",
        (
            Series("satisfaction_rights", RIGHTS),
            Series("satisfaction_managerial", PROFESSIONAL),
            Series("satisfaction_experience", DISABLED),
            Series("participation_rights_based", RIGHTS, dashed=True),
        ),
    ),
)
CHART_BY_KEY = {c.key: c for c in CHARTS}
USED_METRICS = tuple(dict.fromkeys(line.metric for c in CHARTS for line in c.lines))


def unknown_metrics() -> list[str]:
    """Metrics the plots use that the model does not report (the tests want none; the
    page shows a plot that needs one as a problem in place of the plot)."""
    return [m for m in USED_METRICS if m not in METRIC_BY_NAME]


@dataclass
class Frame:
    """One read of a model's weekly series: each metric's value in weeks 1 .. week."""

    week: int
    length: int  # weeks in the programme
    columns: dict[str, np.ndarray]  # metric name -> its ``_week`` values, week 1 first
    _cum: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __getitem__(self, metric: str) -> np.ndarray:
        return self.columns[metric]

    @property
    def weeks(self) -> np.ndarray:
        return np.arange(1, self.week + 1)

    def cumulative(self, metric: str) -> np.ndarray:
        if metric not in self._cum:
            self._cum[metric] = np.cumsum(self.columns[metric])
        return self._cum[metric]

    def table(self):
        """The weekly series as a pandas DataFrame indexed by week (1 on), with the columns
        of ``weekly.csv``: each metric's summary so far, then its ``_week`` values."""
        import pandas as pd  # only for the CSV download: the page does not need pandas

        weekly = np.column_stack([self.columns[name] for name in METRIC_NAMES])
        summary = running(weekly.reshape(len(self.weeks), len(METRIC_NAMES)))
        frame = pd.DataFrame(summary, columns=list(METRIC_NAMES), index=self.weeks)
        for name in METRIC_NAMES:
            frame[name + WEEK_SUFFIX] = self.columns[name]
        frame.index.name = "week"
        return frame


def read_frame(model) -> Frame:
    """Every metric's weekly values (its ``_week`` column) from ``model.datacollector``,
    week 1 on, read once."""
    columns = model.datacollector.model_vars
    week = len(columns[METRIC_NAMES[0] + WEEK_SUFFIX]) - 1
    return Frame(
        week=week,
        length=int(model.params.weeks),
        columns={
            name: np.asarray(columns[name + WEEK_SUFFIX][1:], dtype=float) for name in METRIC_NAMES
        },
    )


def weekly_csv(model) -> str:
    """The run's weekly series as CSV text, as ``weekly.csv``: ``week`` (1 on), each metric's
    summary so far, then each metric's ``_week`` value."""
    return read_frame(model).table().to_csv(float_format="%.6g")


# --------------------------------------------------------------------------- on screen


def rounded(values: np.ndarray) -> list[float | None]:
    """Four significant digits (a smaller page update); None for a non-finite value."""
    return [float(f"{v:.4g}") if math.isfinite(v) else None for v in values.tolist()]


LEGEND_WIDTH = 400  # px a legend row can fill on a plot card (383 to 440 px on a laptop)
LEGEND_ROW = 22  # px


def legend_rows(labels: list[str], width: float = LEGEND_WIDTH) -> int:
    """Rows an ECharts legend takes for ``labels``: 25 px symbol, 5 px gap, 12 px text
    (about 5.6 px a character, as measured in Chromium), 14 px between items."""
    rows, used = 1, 0.0
    for label in labels:
        item = 25 + 5 + 5.6 * len(label) + 14
        if used and used + item > width:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def echarts_option(chart: WeeklyChart, frame: Frame) -> dict:
    """The chart as an ECharts option (no animation, so that a week's update is instant)."""
    weeks = frame.weeks.tolist()
    series = [
        {
            "type": "line",
            "name": chart.legend_label(line),
            "yAxisIndex": line.axis,
            "data": list(zip(weeks, rounded(values), strict=True)),
            # A line needs two weeks: after the first Step, show the week as a dot.
            "showSymbol": len(weeks) == 1,
            "color": line.color,
            "lineStyle": {
                "width": 2.5 if not line.dashed else 2,
                "type": "dashed" if line.dashed else "solid",
            },
        }
        for line, values in chart.series(frame)
    ]
    y_axes = []
    for i in range(chart.n_axes):
        axis = {
            "type": "value",
            "name": chart.axis_name(i),
            "nameTextStyle": {"align": "left" if i == 0 else "right"},
            "splitLine": {"show": i == 0},
        }
        bounds = chart.axis_range(i)
        if bounds is not None:
            axis.update(min=bounds[0], max=bounds[1])
        y_axes.append(axis)
    return {
        "animation": False,
        "grid": {
            "left": 48,
            "right": 56 if chart.n_axes > 1 else 20,
            "top": 36,
            "bottom": 42 + LEGEND_ROW * chart.legend_rows(),
            "containLabel": False,
        },
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "left": "center", "itemGap": 14, "width": "92%"},
        "xAxis": {
            "type": "value",
            "name": "week",
            "nameLocation": "middle",
            "nameGap": 24,
            "min": 1,
            "max": max(frame.length, 1),
            "axisLabel": {"showMaxLabel": False},
        },
        "yAxis": y_axes,
        "series": series,
    }


# --------------------------------------------------------------------------- PNG


def new_figure(width: float = 7.5, height: float = 4.2):
    """A matplotlib figure (no pyplot: nothing global, safe in the server's threads)."""
    # matplotlib only when a PNG is drawn
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def png_bytes(fig, dpi: float = 150) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def draw_chart(ax, chart: WeeklyChart, frame: Frame, title: str) -> list:
    """Draw ``chart`` on the matplotlib axes ``ax``; returns its axes (a twin for the right).

    The one matplotlib drawing of a weekly chart: the dashboard's PNG downloads and
    ``weekly.png`` both use it.
    """
    # matplotlib: only when a PNG is drawn
    from matplotlib.ticker import StrMethodFormatter

    axes = [ax] + ([ax.twinx()] if chart.n_axes > 1 else [])
    drawn = chart.series(frame)
    for line, values in drawn:
        axes[line.axis].plot(
            frame.weeks,
            values,
            color=line.color,
            label=chart.legend_label(line),
            linewidth=2 if not line.dashed else 1.6,
            linestyle="--" if line.dashed else "-",
        )
    for i, target in enumerate(axes):
        target.set_ylabel(chart.axis_name(i))
        low, high = chart.axis_range(i) or chart.data_range(i, drawn)
        target.set_ylim(low, high)
        if high >= 10_000:  # thousands separators: 80,000 GBP
            target.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlim(1, max(frame.length, 2))
    ax.set_xlabel("week")
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=11)
    return axes


def _legend_entries(axes: list) -> tuple[list, list[str]]:
    pairs = [a.get_legend_handles_labels() for a in axes]
    return [h for hs, _ in pairs for h in hs], [lab for _, labs in pairs for lab in labs]


def chart_png(chart: WeeklyChart, frame: Frame, subtitle: str = "") -> bytes:
    """One chart drawn by matplotlib, as PNG bytes (the dashboard's download)."""
    fig = new_figure()
    axes = draw_chart(
        fig.add_subplot(), chart, frame, chart.title + (f"\n{subtitle}" if subtitle else "")
    )
    handles, labels = _legend_entries(axes)
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(len(labels), 3 if max(map(len, labels)) < 28 else 2),
        fontsize=8,
        frameon=False,
    )
    return png_bytes(fig)


def weekly_png(frame: Frame, subtitle: str = "") -> bytes:
    """Every chart, as small multiples in one picture: ``coprod run --out``'s weekly.png."""
    return png_bytes(weekly_figure(frame, subtitle), dpi=100)


def weekly_figure(frame: Frame, subtitle: str = ""):
    """The matplotlib figure of :func:`weekly_png`."""
    cols = 3
    rows = -(-len(CHARTS) // cols)
    fig = new_figure(15, 4.6 * rows)
    fig.suptitle("Co-production programme week by week" + (f" ({subtitle})" if subtitle else ""))
    # Room between the panels for a right-hand axis's label and the next panel's left one.
    fig.get_layout_engine().set(w_pad=0.12, h_pad=0.15, wspace=0.04, hspace=0.08)
    for i, chart in enumerate(CHARTS):
        axes = draw_chart(fig.add_subplot(rows, cols, i + 1), chart, frame, chart.title)
        handles, labels = _legend_entries(axes)
        # Below the plot, so that no legend hides a line.
        axes[0].legend(
            handles,
            labels,
            fontsize="small",
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncols=2,
            frameon=False,
        )
    return fig
