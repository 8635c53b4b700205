"""The dashboard's weekly plots: what each shows, its data, and how it is drawn.

A :class:`Frame` is one read of a model's DataCollector (one row per week from
week 0). Each :class:`Chart` turns a frame into an ECharts option for the page
(drawn by the browser, so a week's update is a few kilobytes of numbers) and into
a matplotlib PNG for download. Both read the same frame, so the picture on
screen and the file agree.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np

from simulation.metrics import METRIC_BY_NAME, METRIC_NAMES

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


@dataclass(frozen=True)
class Line:
    """One series on a chart: a metric, optionally summed up week by week."""

    metric: str
    label: str
    color: str
    cumulative: bool = False
    axis: int = 0  # 0: left axis, 1: right axis
    dashed: bool = False


@dataclass(frozen=True)
class Chart:
    """A plot over the weeks, with a plain-language title and axis units."""

    key: str
    title: str
    explain: str
    axes: tuple[str, ...]  # y-axis labels, with units
    lines: tuple[Line, ...]
    share: bool = False  # the left axis runs from 0 to 1

    def series(self, frame: Frame) -> list[tuple[Line, np.ndarray]]:
        """Each line's values for weeks 0 .. frame.week."""
        return [
            (line, frame.cumulative(line.metric) if line.cumulative else frame[line.metric])
            for line in self.lines
        ]


CHARTS: tuple[Chart, ...] = (
    Chart(
        "participation",
        "Who comes to meetings",
        "Share of each group of people at the latest meeting (1 = everyone came).",
        ("share attending (0-1)",),
        (
            Line("participation_lay", "Patients and carers", LAY),
            Line("participation_professional", "Clinicians and managers", PROFESSIONAL),
            Line("participation_benefits", "On benefits", BENEFITS, dashed=True),
            Line("participation_disabled", "Disabled", DISABLED, dashed=True),
            Line("participation_low_money", "Least money at hand", LOW_MONEY, dashed=True),
        ),
        share=True,
    ),
    Chart(
        "voice",
        "Whose voice counts",
        "Share of what is said that comes from patients and carers, and share of the "
        "contributions that were taken up that are lived experience.",
        ("share (0-1)",),
        (
            Line("lay_voice_share", "Said by patients and carers", LAY),
            Line("experiential_share", "Lived experience recognised", DISABLED),
        ),
        share=True,
    ),
    Chart(
        "insights",
        "New insights, by where they came from",
        "Running total of new insights. 'Unexpected' ones combine lived experience with "
        "medical or practice knowledge.",
        ("insights (running total)",),
        (
            Line("insights", "All insights", GREY, cumulative=True),
            Line("insights_unexpected", "Unexpected", DISABLED, cumulative=True),
            Line("insights_lay_origin", "Proposed by patients and carers", LAY, cumulative=True),
            Line(
                "insights_adopted",
                "Taken up in decisions",
                PROFESSIONAL,
                cumulative=True,
                dashed=True,
            ),
        ),
    ),
    Chart(
        "relations",
        "Trust and ties across roles",
        "Mean trust of active participants in the others (left), and strong "
        "lay-professional ties per active participant (right).",
        ("trust (0-1)", "strong ties per participant"),
        (
            Line("mean_trust", "Trust", RIGHTS),
            Line("cross_role_ties", "Ties across roles", PROFESSIONAL, axis=1),
        ),
        share=True,
    ),
    Chart(
        "money",
        "Money and unpaid time",
        "Running totals: what the programme paid out and what patients and carers are "
        "out of pocket (left, GBP); meeting hours they gave unpaid (right).",
        ("GBP", "hours"),
        (
            Line("programme_cost", "Programme cost", PROFESSIONAL, cumulative=True),
            Line("lay_out_of_pocket", "Lay people out of pocket", BENEFITS),
            Line("unpaid_lay_hours", "Unpaid lay hours", LAY, cumulative=True, axis=1),
        ),
    ),
    Chart(
        "satisfaction",
        "How satisfied people are, by why they take part",
        "Rights-based people want real influence, managerial people want results for "
        "the money, experience-based people want to be heard (0-1).",
        ("satisfaction (0-1)",),
        (
            Line("satisfaction_rights", "Rights-based", RIGHTS),
            Line("satisfaction_managerial", "Managerial", PROFESSIONAL),
            Line("satisfaction_experience", "Experience-based", DISABLED),
            Line(
                "participation_rights_based",
                "Rights-based lay people attending",
                RIGHTS,
                dashed=True,
            ),
        ),
        share=True,
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
    """One read of a model's weekly series (DataCollector rows, week 0 first)."""

    week: int
    length: int  # weeks in the programme
    columns: dict[str, np.ndarray]
    _cum: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __getitem__(self, metric: str) -> np.ndarray:
        return self.columns[metric]

    @property
    def weeks(self) -> np.ndarray:
        return np.arange(self.week + 1)

    def cumulative(self, metric: str) -> np.ndarray:
        if metric not in self._cum:
            self._cum[metric] = np.cumsum(self.columns[metric])
        return self._cum[metric]

    def table(self):
        """The weekly series as a pandas DataFrame indexed by week."""
        import pandas as pd

        frame = pd.DataFrame({name: self.columns[name] for name in METRIC_NAMES})
        frame.index.name = "week"
        return frame


def read_frame(model) -> Frame:
    """Every metric's weekly series from ``model.datacollector``, read once."""
    columns = model.datacollector.model_vars
    week = len(columns[METRIC_NAMES[0]]) - 1
    return Frame(
        week=week,
        length=int(model.params.weeks),
        columns={name: np.asarray(columns[name], dtype=float) for name in METRIC_NAMES},
    )


def weekly_csv(model) -> str:
    """The run's weekly series as CSV text: a ``week`` column, then one column per metric."""
    return read_frame(model).table().to_csv(float_format="%.6g")


# --------------------------------------------------------------------------- on screen


def _round(values: np.ndarray) -> list[float | None]:
    """Four significant digits (a smaller page update); None for a non-finite value."""
    return [float(f"{v:.4g}") if math.isfinite(v) else None for v in values.tolist()]


def echarts_option(chart: Chart, frame: Frame, *, compact: bool = False) -> dict:
    """The chart as an ECharts option (no animation, so that a week's update is instant)."""
    two_axes = len(chart.axes) > 1
    weeks = frame.weeks.tolist()
    series = []
    for line, values in chart.series(frame):
        series.append(
            {
                "type": "line",
                "name": line.label,
                "yAxisIndex": line.axis,
                "data": list(zip(weeks, _round(values), strict=True)),
                "showSymbol": False,
                "color": line.color,
                "lineStyle": {
                    "width": 2.5 if not line.dashed else 2,
                    "type": "dashed" if line.dashed else "solid",
                },
            }
        )
    y_axes = []
    for i, name in enumerate(chart.axes):
        axis = {
            "type": "value",
            "name": name,
            "nameTextStyle": {"align": "left" if i == 0 else "right"},
            "splitLine": {"show": i == 0},
        }
        if i == 0 and chart.share:
            axis.update(min=0, max=1)
        y_axes.append(axis)
    legend_rows = -(-len(series) // 3)
    return {
        "animation": False,
        "grid": {
            "left": 48,
            "right": 56 if two_axes else 20,
            "top": 36,
            "bottom": 40 if compact else 42 + 22 * legend_rows,
            "containLabel": False,
        },
        "tooltip": {"trigger": "axis"},
        "legend": (
            {"bottom": 0, "left": "center", "itemGap": 14, "width": "92%"}
            if not compact
            else {"show": False}
        ),
        "xAxis": {
            "type": "value",
            "name": "week",
            "nameLocation": "middle",
            "nameGap": 24,
            "min": 0,
            "max": max(frame.length, 1),
            "axisLabel": {"showMaxLabel": False},
        },
        "yAxis": y_axes,
        "series": series,
    }


# --------------------------------------------------------------------------- PNG


def _figure(width: float = 7.5, height: float = 4.2):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def png_bytes(fig) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def chart_png(chart: Chart, frame: Frame, subtitle: str = "") -> bytes:
    """The chart drawn by matplotlib, as PNG bytes."""
    fig = _figure()
    ax = fig.add_subplot()
    axes = [ax] + ([ax.twinx()] if len(chart.axes) > 1 else [])
    for line, values in chart.series(frame):
        axes[line.axis].plot(
            frame.weeks,
            values,
            color=line.color,
            label=line.label,
            linewidth=2 if not line.dashed else 1.6,
            linestyle="--" if line.dashed else "-",
        )
    for target, name in zip(axes, chart.axes, strict=True):
        target.set_ylabel(name)
    if chart.share:
        ax.set_ylim(0, 1)
    ax.set_xlim(0, max(frame.length, 1))
    ax.set_xlabel("week")
    ax.grid(alpha=0.3)
    ax.set_title(chart.title + (f"\n{subtitle}" if subtitle else ""), fontsize=11)
    handles = [h for a in axes for h in a.get_legend_handles_labels()[0]]
    labels = [lab for a in axes for lab in a.get_legend_handles_labels()[1]]
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(len(labels), 3),
        fontsize=8,
        frameon=False,
    )
    return png_bytes(fig)
