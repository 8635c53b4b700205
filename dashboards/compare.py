"""Two scenarios side by side: the same seed, stepped together, and their differences.

The panels' titles, units and group headings are the metrics' own
(:data:`simulation.metrics.METRICS`); numbers read as :func:`simulation.text.show`
writes them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from simulation.metrics import METRIC_BY_NAME, METRICS, PRODUCES, Metric
from simulation.text import show

from .charts import RUNNING_TOTAL, Frame, rounded

A_COLOUR, B_COLOUR = "#00796b", "#c2185b"


@dataclass(frozen=True)
class Panel:
    """One metric of both runs on one small chart, optionally summed up week by week."""

    metric: str
    cumulative: bool = False

    @property
    def definition(self) -> Metric:
        return METRIC_BY_NAME[self.metric]

    @property
    def title(self) -> str:
        return self.definition.label

    @property
    def unit(self) -> str:
        unit = self.definition.unit
        return f"{unit}, {RUNNING_TOTAL}" if self.cumulative else unit

    @property
    def share(self) -> bool:
        """Whether the axis runs from 0 to 1 (a share or a 0-1 scale)."""
        m = self.definition
        return not self.cumulative and (m.low, m.high) == (0, 1)


PANELS: tuple[Panel, ...] = (
    Panel("participation_lay"),
    Panel("participation_benefits"),
    Panel("lay_voice_share"),
    Panel("mean_trust"),
    Panel("insights_lay_origin", cumulative=True),
    Panel("insights_unexpected", cumulative=True),
    Panel("programme_cost", cumulative=True),
    Panel("unpaid_lay_hours", cumulative=True),
)


def panel_option(panel: Panel, a: Frame, b: Frame, names: tuple[str, str]) -> dict:
    """Both runs' series for one metric as an ECharts option."""
    series = []
    for frame, name, colour, dash in (
        (a, names[0], A_COLOUR, "solid"),
        (b, names[1], B_COLOUR, "dashed"),
    ):
        values = frame.cumulative(panel.metric) if panel.cumulative else frame[panel.metric]
        series.append(
            {
                "type": "line",
                "name": name,
                "showSymbol": frame.week == 1,  # one week is a dot, not yet a line
                "color": colour,
                "lineStyle": {"width": 2.5, "type": dash},
                "data": list(zip(frame.weeks.tolist(), rounded(values), strict=True)),
            }
        )
    y_axis = {"type": "value", "name": panel.unit, "nameTextStyle": {"align": "left"}}
    if panel.share:
        y_axis.update(min=0, max=1)
    return {
        "animation": False,
        "grid": {"left": 52, "right": 16, "top": 30, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "legend": {"show": False},
        "xAxis": {
            "type": "value",
            "min": 1,  # week 0, the starting state, is left out of every chart
            "max": max(a.length, b.length, 1),
            "axisLabel": {"showMaxLabel": False},
        },
        "yAxis": y_axis,
        "series": series,
    }


def differences(a: dict[str, float], b: dict[str, float]) -> list[dict]:
    """One row per metric: A, B, B - A, and whether the difference is large (> 10%)."""
    rows = []
    for m in METRICS:
        va, vb = a[m.name], b[m.name]
        scale = max(abs(va), abs(vb))
        rows.append(
            {
                "metric": m.name,
                "help": m.help,
                "unit": m.unit,
                "produces": m.produces,
                "a": va,
                "b": vb,
                "diff": vb - va,
                "large": bool(scale > 0 and abs(vb - va) > 0.1 * scale),
            }
        )
    return rows


def differences_html(rows: list[dict], names: tuple[str, str]) -> str:
    """The differences as an HTML table, grouped by what each metric is about."""
    esc = html.escape
    out = [
        '<table class="coprod-diff"><thead><tr><th>outcome</th>'
        f'<th class="num coprod-a">A: {esc(names[0])}</th>'
        f'<th class="num coprod-b">B: {esc(names[1])}</th>'
        '<th class="num">B &minus; A</th><th>unit</th></tr></thead><tbody>'
    ]
    for key, heading in PRODUCES.items():
        group = [r for r in rows if r["produces"] == key]
        if not group:
            continue
        out.append(f'<tr class="coprod-diff-group"><td colspan="5">{esc(heading)}</td></tr>')
        for r in group:
            sign = "+" if r["diff"] > 0 else ""
            cls = ' class="num large"' if r["large"] else ' class="num"'
            out.append(
                f'<tr data-metric="{r["metric"]}"><td>{esc(r["help"])}'
                f"<br><code>{r['metric']}</code></td>"
                f'<td class="num">{show(r["a"])}</td><td class="num">{show(r["b"])}</td>'
                f"<td{cls}>{sign}{show(r['diff'])}</td><td>{esc(r['unit'])}</td></tr>"
            )
    out.append("</tbody></table>")
    return "".join(out)


def headline(rows: list[dict], names: tuple[str, str], week: int) -> str:
    """Markdown: how many outcomes differ by more than 10%, and the largest differences."""
    if week == 0:
        return "Press Step or Play: both programmes start at week 0."
    big = sorted(
        (r for r in rows if r["large"]),
        key=lambda r: -abs(r["diff"]) / max(abs(r["a"]), abs(r["b"]), 1e-12),
    )
    if not big:
        return f"After {week} weeks the two scenarios differ by less than 10% on every outcome."
    lines = [
        f"After {week} weeks, **{len(big)} of {len(rows)} outcomes differ by more than "
        f"10%**. The largest differences:",
        "",
    ]
    for r in big[:4]:
        text = r["help"][0].upper() + r["help"][1:]
        lines.append(
            f"- {text}: **{show(r['b'])}** under B ({names[1]}) against "
            f"**{show(r['a'])}** under A ({names[0]}) [{r['unit']}]"
        )
    return "\n".join(lines)
