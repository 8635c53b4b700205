"""Two scenarios side by side: the same seed, stepped together, and their differences."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from simulation.metrics import METRICS

from .charts import Frame, _round

A_COLOUR, B_COLOUR = "#00796b", "#c2185b"
PRODUCES = (
    ("participation", "Participation: who takes part"),
    ("knowledge", "Knowledge: what is learnt"),
    ("values", "Values: fairness, cost and who is heard"),
    ("social relations", "Social relations: trust, ties and power"),
)


@dataclass(frozen=True)
class Panel:
    """One metric of both runs on one small chart."""

    metric: str
    title: str
    unit: str
    cumulative: bool = False
    share: bool = False


PANELS: tuple[Panel, ...] = (
    Panel("participation_lay", "Patients and carers at meetings", "share", share=True),
    Panel("participation_benefits", "People on benefits at meetings", "share", share=True),
    Panel("lay_voice_share", "Said by patients and carers", "share", share=True),
    Panel("mean_trust", "Trust", "0-1", share=True),
    Panel(
        "insights_lay_origin", "Insights from patients and carers", "running total", cumulative=True
    ),
    Panel("insights_unexpected", "Unexpected insights", "running total", cumulative=True),
    Panel("programme_cost", "Programme cost", "GBP, running total", cumulative=True),
    Panel("unpaid_lay_hours", "Unpaid lay hours", "hours, running total", cumulative=True),
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
                "showSymbol": False,
                "color": colour,
                "lineStyle": {"width": 2.5, "type": dash},
                "data": list(zip(frame.weeks.tolist(), _round(values), strict=True)),
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
            "min": 0,
            "max": max(a.length, b.length, 1),
            "axisLabel": {"showMaxLabel": False},
        },
        "yAxis": y_axis,
        "series": series,
    }


def _fmt(x: float) -> str:
    """A number as people read it: whole numbers without decimals, about 3 digits."""
    if x == 0:
        return "0"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}" if abs(x) >= 0.01 else f"{x:.2g}"


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
    for key, heading in PRODUCES:
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
                f'<td class="num">{_fmt(r["a"])}</td><td class="num">{_fmt(r["b"])}</td>'
                f"<td{cls}>{sign}{_fmt(r['diff'])}</td><td>{esc(r['unit'])}</td></tr>"
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
            f"- {text}: **{_fmt(r['b'])}** under B ({names[1]}) against "
            f"**{_fmt(r['a'])}** under A ({names[0]}) [{r['unit']}]"
        )
    return "\n".join(lines)


def same_series(a: Frame, b: Frame) -> bool:
    """True when both runs produced identical weekly series (e.g. the same scenario twice)."""
    return all(np.array_equal(a.columns[k], b.columns[k]) for k in a.columns)
