""" "The run": the weekly charts and the network of ties, each with its PNG download."""

from __future__ import annotations

import functools
import html

import solara

from .. import charts, network
from ..chartwidget import EChart, to_json
from ..state import Session
from .common import Download, DownloadButton, TextLine, attempt

CHART_HEIGHT = 290  # px, for a chart whose legend takes up to two rows
NETWORK_EXPLAIN = (
    "Each working group is a ring. Full colour: came in the last 8 weeks. Purple "
    "lines: ties between a patient or carer and a professional; thicker is stronger."
)


def chart_png_for(session: Session, key: str) -> bytes:
    """PNG of a plot at the current week (called when a download is clicked)."""
    with session.lock:
        model = session.model.value
        if key == "network":
            return network.network_png(model, session.subtitle())
        return charts.chart_png(
            charts.CHART_BY_KEY[key], charts.read_frame(model), session.subtitle()
        )


@solara.component
def PngButton(session: Session, key: str, label: str = "PNG"):
    Download(
        functools.partial(chart_png_for, session, key),
        f"coprod-{key}.png",
        "image/png",
        [DownloadButton(label, f"coprod-png-{key}", text=True, small=True)],
        on_error=lambda message: session.notice.set(("error", message)),
    )


@solara.component
def CardHead(session: Session, key: str, title: str, explain: str):
    """A plot's title, PNG button and explanation: fixed, so not redrawn each week.

    The button floats right of the title (CSS), so that title and explanation are one
    widget.
    """
    with solara.Div(classes=["coprod-card-top"]):
        PngButton(session, key)
        solara.HTML(
            "div",
            unsafe_innerHTML=f'<h4>{title}</h4><div class="coprod-explain">'
            f"{html.escape(explain)}</div>",
        )


@solara.component
def PlotCard(
    session: Session,
    key: str,
    title: str,
    explain: str,
    option: str,
    week: int,
    height: str = f"{CHART_HEIGHT}px",
    footer: str = "",
    problem: str | None = None,
):
    """A plot's card; ``option`` is its ECharts option as JSON."""
    with solara.Div(classes=["coprod-card"], attributes={"data-card": key}):
        CardHead(session, key, title, explain)
        if problem:
            solara.Error(problem, classes=["coprod-plot-error"])
        EChart(option, key=key, week=week, height=height)
        if footer:
            TextLine(footer, ["coprod-help"])


def _network_parts(model) -> tuple[str, str]:
    snap = network.snapshot(model)
    return to_json(network.echarts_option(model, snap)), network.caption(snap)


@solara.component
def RunView(session: Session):
    """Every plot, from one read of the DataCollector per week."""
    model, tick = session.watch()
    frame = solara.use_memo(lambda: charts.read_frame(model), [model, tick])
    week = frame.week
    with solara.Div(classes=["coprod-grid"]):
        for chart in charts.CHARTS:
            option, problem = attempt(
                f"The plot '{chart.title}'",
                lambda c=chart: to_json(charts.echarts_option(c, frame)),
            )
            PlotCard(
                session,
                chart.key,
                chart.title,
                chart.explain,
                option or "{}",
                week,
                height=f"{CHART_HEIGHT + charts.LEGEND_ROW * max(chart.legend_rows() - 2, 0)}px",
                problem=problem,
            )
        parts, problem = attempt("The network", _network_parts, model)
        option, caption = parts or ("{}", "")
        PlotCard(
            session,
            "network",
            network.TITLE,
            NETWORK_EXPLAIN,
            option,
            week,
            footer=caption,
            problem=problem,
        )
