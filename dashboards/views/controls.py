"""The sidebar: the scenario (presets, upload, seed) and one control per parameter.

The controls come from the parameter schema (:data:`simulation.params.PARAMS`),
grouped by ``Param.group``; a change restarts the run (:meth:`Session.set_param`).
Below them, a collapsed "Model assumptions" panel has the same controls for the
assumptions (:data:`simulation.params.ASSUMPTIONS`), grouped by the rule that uses
them, each with its unit and source.
"""

from __future__ import annotations

import html
import math
from typing import Any

import solara

from experiments.assumptions_doc import short_source
from simulation.assumptions import RULES
from simulation.params import (
    ASSUMPTION_GROUPS,
    ASSUMPTION_NAMES,
    ASSUMPTIONS,
    GROUPS,
    PARAMS,
    Param,
)
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
    """Slider step: 1 for whole numbers, else 1, 2 or 5 x 10^k near a hundredth of the
    range, made finer (halved, fifthed or tenthed, up to 10^-6) until the default lies on
    the slider's grid: a slider moves a value that is off its grid onto it."""
    if p.kind == "int":
        return 1
    raw = (p.high - p.low) / 100.0
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw - 1e-12)
    for finer in (step, step / 2, step / 5, step / 10, step / 100, step / 1000):
        if _on_grid(p.default, p.low, finer) or finer < 1e-6:
            return finer
    return finer


def _on_grid(value: float, low: float, step: float) -> bool:
    k = (value - low) / step
    return abs(k - round(k)) < 1e-6


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
    # an assumption's unit can be long ("per unpaid share of free time"): it may wrap
    wrap = ' style="white-space: normal; text-align: right"' if p.name in ASSUMPTION_NAMES else ""
    head = (
        f'<div class="coprod-control-head"><span>{html.escape(pretty(p.name))}</span>'
        f'<span class="coprod-value{" coprod-changed" if changed else ""}"{wrap}>'
        f"{html.escape(show_value(p, value) + unit)}</span></div>"
    )
    notes = (
        f'<div class="coprod-help">{html.escape(p.help)}</div>' if p.kind != "bool" else ""
    ) + (
        _source_line(p)
        if p.name in ASSUMPTION_NAMES
        else f'<div class="coprod-name">{p.name} · paper: {html.escape(p.concept)}</div>'
    )
    return head + notes


def _source_line(p: Param) -> str:
    """An assumption's name, basis and the start of its source; the whole source on hover."""
    return (
        f'<div class="coprod-name coprod-source" style="overflow-wrap: anywhere" '
        f'title="{html.escape(p.source)}">'
        f"{p.name} · {p.basis}: {html.escape(short_source(p))}</div>"
    )


def param_input(p: Param, value: Any, put) -> None:
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
            if uses_slider(p) and 0 < abs(new - value) < nice_step(p) / 2:
                return  # the slider snapping a value from a file to its grid: not a change
        set_problem(session.set_param(p.name, new))

    with solara.Div(classes=["coprod-control"], attributes={"data-param": p.name}):
        solara.HTML(
            "div",
            unsafe_innerHTML=_control_text(p, value, changed),
            classes=["coprod-control-text"],
        )
        param_input(p, value, put)
        if problem:
            solara.Error(problem, dense=True)


@solara.component
def ParamGroup(session: Session, group: str):
    with solara.Card(group, margin=0, style={"margin-bottom": "10px"}, classes=["coprod-group"]):
        for p in PARAMS:
            if p.group == group:
                ParamControl(session, p)


@solara.component
def AssumptionsPanel(session: Session):
    """The model's assumptions, collapsed: the same controls as the levers, by rule.

    The controls are made only once the panel is opened: there are many of them, and
    the first page should not wait for them.
    """
    opened, set_opened = solara.use_state(False)
    changed = [n for n in session.changed() if n in ASSUMPTION_NAMES]
    title = "Model assumptions" + (f" ({len(changed)} changed)" if changed else "")
    with (
        solara.v.ExpansionPanels(
            v_model=0 if opened else None,
            on_v_model=lambda v: set_opened(v == 0),
            class_="coprod-assumptions",
            style_="margin-bottom: 10px",
        ),
        solara.v.ExpansionPanel(),
    ):
        solara.v.ExpansionPanelHeader(children=[title], class_="coprod-assumptions-header")
        with solara.v.ExpansionPanelContent():
            if opened:
                TextLine(
                    f"What the modeller had to choose: {len(ASSUMPTIONS)} numbers, each "
                    "with a plausible range and its source (hover over it; the full "
                    "table is docs/assumptions.md). Changing one starts the run again.",
                    ["coprod-help"],
                )
                for rule in ASSUMPTION_GROUPS:
                    RuleGroup(session, rule)


@solara.component
def RuleGroup(session: Session, rule: str):
    with solara.Div(classes=["coprod-rule"], attributes={"data-rule": rule}):
        TextLine(
            f"{rule}: {RULES[rule]}",
            ["coprod-rule-title"],
            {"font-weight": "500", "margin-top": "12px"},
        )
        for p in ASSUMPTIONS:
            if p.group == rule:
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
    AssumptionsPanel(session)
