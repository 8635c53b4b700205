""" "Save and export": the weekly series, the account, the plots and the settings as files."""

from __future__ import annotations

import datetime as _dt
import functools
import html

import solara

from simulation.scenarios import scenario_toml

from .. import charts, network, story
from ..state import Session
from .common import DownloadButton, Md, TextLine
from .plots import PngButton


def default_description(session: Session) -> str:
    changed = session.changed()
    text = f"Saved from the dashboard on {_dt.date.today().isoformat()}: {session.origin_text()}"
    if changed:
        text += " (" + ", ".join(f"{n}={session.values.value[n]}" for n in changed) + ")"
    return text


def _csv_for(session: Session) -> str:
    with session.lock:
        return charts.weekly_csv(session.model.value)


def _story_for(session: Session) -> str:
    with session.lock:
        model = session.model.value
        return (
            f"# What happened: {session.origin_text()}, seed {session.seed.value}\n\n"
            + story.markdown(model)
            + "\n"
        )


def FileCard(title: str, explain: str, data, filename: str, mime_type: str, button, css: str):
    """A card with a title, a line saying what the file is, and its download button."""
    with solara.Div(classes=["coprod-card"]):
        solara.HTML("h4", unsafe_innerHTML=title)
        TextLine(explain, ["coprod-explain"])
        solara.FileDownload(
            data,
            filename=filename,
            mime_type=mime_type,
            children=[DownloadButton(button, css, color="primary")],
        )


@solara.component
def ExportView(session: Session):
    model, _ = session.watch()  # drawn again every week
    csv_data = solara.use_memo(lambda: functools.partial(_csv_for, session), [])
    story_data = solara.use_memo(lambda: functools.partial(_story_for, session), [])
    Md(
        f"Everything here is the run as it stands now: **week {int(model.steps)}** of "
        f"{model.params.weeks}, {html.escape(session.origin_text())}, seed {session.seed.value}."
    )
    with solara.Div(classes=["coprod-grid"]):
        FileCard(
            "The weekly series (CSV)",
            "One row per week from week 0, one column per outcome; opens in a spreadsheet.",
            csv_data,
            "coprod-weekly.csv",
            "text/csv",
            "Download CSV",
            "coprod-csv",
        )
        FileCard(
            "What happened (text)",
            "The plain-language account of the run, as a Markdown file.",
            story_data,
            "coprod-what-happened.md",
            "text/markdown",
            "Download account",
            "coprod-story-md",
        )
        with solara.Div(classes=["coprod-card"]):
            solara.HTML("h4", unsafe_innerHTML="Plots (PNG)")
            TextLine("Each plot as a picture for slides or reports.", ["coprod-explain"])
            with solara.Column(gap="0px", style={"align-items": "flex-start"}):
                for chart in charts.CHARTS:
                    PngButton(session, chart.key, chart.title)
                PngButton(session, "network", network.TITLE)
    ScenarioFileCard(session)


@solara.component
def ScenarioFileCard(session: Session):
    """The settings as a scenario file, with a description the user can change."""
    note, set_note = solara.use_state("")
    description = note or default_description(session)
    seed = session.seed.value
    toml_text = scenario_toml(
        session.values.value,
        description,
        comment="Scenario saved from the co-production dashboard.\n"
        f"Run it with: coprod run --scenario FILE --seed {seed}",
    )
    with solara.Div(classes=["coprod-card"], style={"margin-top": "14px"}):
        solara.HTML("h4", unsafe_innerHTML="These settings as a scenario file (TOML)")
        TextLine(
            "Load it here again (Scenario > Load a scenario file), or run it from the "
            f"command line: coprod run --scenario my-scenario.toml --seed {seed}",
            ["coprod-explain"],
        )
        solara.InputText(
            "Description to save with it",
            value=description,
            on_value=set_note,
            continuous_update=False,
        )
        solara.FileDownload(
            toml_text,
            filename="coprod-scenario.toml",
            mime_type="application/toml",
            children=[DownloadButton("Download scenario file", "coprod-toml", color="primary")],
        )
        with solara.Div(classes=["coprod-toml"]):
            solara.Preformatted(toml_text)
