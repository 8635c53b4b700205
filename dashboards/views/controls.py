"""The sidebar: the scenario (presets, upload, seed) and one control per parameter.

The controls come from the parameter schema (:data:`simulation.params.PARAMS`),
grouped by ``Param.group``; a change restarts the run (:meth:`Session.set_param`).
"""

from __future__ import annotations

import html
import math
from typing import Any

import solara

from simulation.params import GROUPS, PARAMS, Param
from simulation.scenarios import list_scenarios

from ..state import Session
from ..upload import ScenarioUpload
from .common import TextLine


def pretty(name: str) -> str:
    """A parameter's name as words: ``n_patients`` -> ``Number of patients``."""
    if name.startswith("n_"):
        return "Number of " + name[2:].replace("_", " ")
    return name.replace("_", " ").capitalize()


def nice_step(p: Param) -> float:
    """Slider step: 1 for whole numbers, else 1, 2 or 5 x 10^k near a hundredth of the range."""
    if p.kind == "int":
        return 1
    raw = (p.high - p.low) / 100.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw - 1e-12)


def uses_slider(p: Param) -> bool:
    """Sliders for ranges a hand can sweep; a number box for wide ones (head counts)."""
    return p.high - p.low <= 2000


def show_value(p: Param, value: Any) -> str:
    """A parameter's value beside its control: to the slider's precision (``0.70``), so
    that the number moves in the same steps as the slider; yes/no for a switch.

    Not :func:`simulation.text.show`: that writes ``0.7``, and a value that changes
    width as the slider moves is harder to follow.
    """
    if p.kind == "bool":
        return "yes" if value else "no"
    if p.kind == "float":
        digits = max(0, -math.floor(math.log10(nice_step(p))))
        return f"{value:.{digits}f}"
    return str(value)


def _control_text(p: Param, value: Any, changed: bool) -> str:
    """Name, value and unit, help, and the paper's term, as one piece of HTML.

    One widget for what would be six (fewer widgets, a faster first page). The name and
    value go above the control and the help below it, by CSS (``.coprod-control-text``).
    """
    unit = f" {p.unit}" if p.unit and p.kind in ("int", "float") else ""
    head = (
        f'<div class="coprod-control-head"><span>{html.escape(pretty(p.name))}</span>'
        f'<span class="coprod-value{" coprod-changed" if changed else ""}">'
        f"{html.escape(show_value(p, value) + unit)}</span></div>"
    )
    notes = (
        f'<div class="coprod-help">{html.escape(p.help)}</div>' if p.kind != "bool" else ""
    ) + (f'<div class="coprod-name">{p.name} · paper: {html.escape(p.concept)}</div>')
    return head + notes


def _input(p: Param, value: Any, put) -> None:
    """The control that fits the parameter: switch, toggle buttons, slider or number box."""
    if p.kind == "bool":
        solara.Switch(label=p.help, value=value, on_value=put)
    elif p.kind == "choice":
        solara.ToggleButtonsSingle(value=value, values=list(p.choices), on_value=put, dense=True)
    elif uses_slider(p) and p.kind == "int":
        solara.SliderInt(
            "", value=value, min=int(p.low), max=int(p.high), on_value=put, thumb_label=True
        )
    elif uses_slider(p):
        solara.SliderFloat(
            "",
            value=value,
            min=p.low,
            max=p.high,
            step=nice_step(p),
            on_value=put,
            thumb_label=True,
        )
    else:
        solara.InputInt(
            "", value=value, on_value=put, dense=True, continuous_update=False, suffix=p.unit
        )


@solara.component
def ParamControl(session: Session, p: Param):
    """One parameter: name, value and unit, the control, and its help text."""
    value = session.values.value[p.name]
    problem, set_problem = solara.use_state(None)
    changed = value != session.base.value[p.name]

    def put(new):
        if p.kind == "float":
            new = round(float(new), 6)
        set_problem(session.set_param(p.name, new))

    with solara.Div(classes=["coprod-control"], attributes={"data-param": p.name}):
        solara.HTML(
            "div",
            unsafe_innerHTML=_control_text(p, value, changed),
            classes=["coprod-control-text"],
        )
        _input(p, value, put)
        if problem:
            solara.Error(problem, dense=True)


@solara.component
def ParamGroup(session: Session, group: str):
    with solara.Card(group, margin=0, style={"margin-bottom": "10px"}, classes=["coprod-group"]):
        for p in PARAMS:
            if p.group == group:
                ParamControl(session, p)


@solara.component
def ScenarioCard(session: Session):
    presets = list_scenarios()
    kind, name = session.origin.value
    with solara.Card("Scenario", margin=0, style={"margin-bottom": "10px"}):
        solara.Select(
            "Start from a preset",
            values=list(presets),
            value=name if kind == "preset" else None,
            on_value=lambda v: v and session.choose_preset(v),
        )
        TextLine(f"Now: {session.origin_text()}", ["coprod-origin"], {"font-weight": "500"})
        if session.description.value:
            TextLine(session.description.value, ["coprod-help"])
        if session.changed():
            solara.Button(
                "Undo my changes",
                text=True,
                color="primary",
                small=True,
                on_click=session.undo_changes,
            )
        with solara.Div(style={"margin": "10px 0 14px 0"}):
            ScenarioUpload(on_file=session.upload)
            Notice(session)
        solara.InputInt(
            "Random seed (same seed, same run)",
            value=session.seed.value,
            on_value=session.set_seed,
            continuous_update=False,
            dense=True,
        )
        TextLine("Changing any setting starts the programme again from week 0.", ["coprod-help"])


@solara.component
def Notice(session: Session):
    notice = session.notice.value
    if notice is None:
        return
    kind, text = notice
    alert = {"error": solara.Error, "success": solara.Success}.get(kind, solara.Info)
    with solara.Div(classes=[f"coprod-notice coprod-notice-{kind}"]):
        alert(text, dense=True)


@solara.component
def Sidebar(session: Session):
    ScenarioCard(session)
    for group in GROUPS:
        ParamGroup(session, group)
