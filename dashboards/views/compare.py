""" "Compare two scenarios": two runs with the same seed, stepped together.

The runs are :class:`dashboards.state.ComparePair`; the panels, table and headline
are :mod:`dashboards.compare`.
"""

from __future__ import annotations

import html

import solara

from simulation.scenarios import list_scenarios

from .. import charts, compare
from ..chartwidget import EChart, to_json
from ..state import MINE, ComparePair, Session
from .common import Md, TextLine
from .player import Player, RunButtons, WeekLabel

INTRO = (
    "Run two scenarios side by side, **with the same seed** (the same people, the same "
    "chances), and see where their outcomes part. Pick A and B, then Step or Play. "
    "*Your settings* are taken when A or B is picked or Reset is pressed."
)
TABLE_NOTE = (
    "Table: each outcome as the command line reports it (rates are the mean of the last "
    "quarter of the weeks so far; totals are sums over the weeks). Highlighted: B differs "
    "from A by more than 10%."
)


def shown_name(choice: str) -> str:
    return "your settings" if choice == MINE else choice


@solara.component
def CompareView(session: Session):
    runs = session.compare
    pair, tick = runs.watch()
    Md(INTRO)
    Choices(runs)
    with solara.Row(classes=["coprod-bar"], gap="10px"):
        WeekLabel(
            int(pair[0].steps) if pair else 0,
            before="Both at",
            classes="coprod-week coprod-compare-week",
        )
        RunButtons(runs, "coprod-compare-")
    Player(runs.playing, runs.step, session.speed)
    if runs.error.value:
        solara.Error(runs.error.value)
    with solara.Columns([1, 1]):
        for label, choice, colour in (
            ("A", runs.a.value, "coprod-a"),
            ("B", runs.b.value, "coprod-b"),
        ):
            ScenarioAbout(
                session, label, choice, colour, pair[0 if label == "A" else 1] if pair else None
            )
    if pair:
        names = (shown_name(runs.a.value), shown_name(runs.b.value))
        CompareResults(pair, tick, names)


def Choices(runs: ComparePair) -> None:
    choices = [MINE, *list(list_scenarios())]
    with solara.Row(classes=["coprod-bar"], gap="16px"):
        for label, which in (("Scenario A", runs.a), ("Scenario B", runs.b)):
            solara.Select(
                label,
                values=choices,
                value=which.value,
                on_value=lambda v, which=which: runs.choose(which, v),
                style={"max-width": "300px"},
            )


def ScenarioAbout(session: Session, label: str, choice: str, colour: str, model) -> None:
    """Scenario A's or B's card: its name, what it is, and its main settings."""
    with solara.Div(classes=["coprod-card"]):
        solara.HTML("h4", unsafe_innerHTML=f"{label}: {shown_name(choice)}", classes=[colour])
        about = (
            "the settings in the left panel: " + session.origin_text()
            if choice == MINE
            else list_scenarios().get(choice, "")
        )
        TextLine(about, ["coprod-help"])
        if model is not None:
            p = model.params
            TextLine(
                f"{p.compensation} compensation, pace {p.pace:g}, power sharing "
                f"{p.power_sharing:g}, meetings every {p.meeting_interval} weeks",
                ["coprod-help"],
            )


@solara.component
def CompareResults(pair: tuple, tick: int, names: tuple[str, str]):
    """Both runs' charts and the table of differences, from one read of each collector."""
    frames = solara.use_memo(lambda: tuple(charts.read_frame(m) for m in pair), [pair, tick])
    week = frames[0].week
    rows = compare.differences(*(m.final_metrics() for m in pair))
    Md(compare.headline(rows, names, week))
    solara.HTML(
        "div",
        unsafe_innerHTML=(
            f'<span class="coprod-a">&#9473;&#9473; solid: A ({html.escape(names[0])})</span> '
            f'&nbsp; <span class="coprod-b">&#9476;&#9476; dashed: B ({html.escape(names[1])})'
            "</span>"
        ),
        classes=["coprod-help"],
    )
    with solara.Div(classes=["coprod-grid-small"]):
        for panel in compare.PANELS:
            with solara.Div(classes=["coprod-card"], attributes={"data-card": panel.metric}):
                solara.HTML("h4", unsafe_innerHTML=html.escape(panel.title))
                EChart(
                    to_json(compare.panel_option(panel, frames[0], frames[1], names)),
                    key=panel.metric,
                    week=week,
                    height="200px",
                    css_class="coprod-compare-chart",
                )
    TextLine(TABLE_NOTE, ["coprod-help"])
    solara.HTML(
        "div", unsafe_innerHTML=compare.differences_html(rows, names), classes=["coprod-diff-wrap"]
    )
