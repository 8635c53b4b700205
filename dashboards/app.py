"""The co-production dashboard: run the model in a browser, week by week.

Start it with ``coprod dashboard`` (or ``python -m dashboards.server``). Every
browser session gets its own model: all state lives in the ``Page`` component
(``solara.use_reactive``), never at module level.

Layout: the sidebar holds the scenario (presets, upload, seed) and one control
per parameter of ``simulation.params.PARAMS``, grouped by ``Param.group``. The
main area shows ``Week N``, the Step / Play / Pause / Reset buttons and four tabs:
the run's plots and network, a plain-language account of what happened, two
scenarios compared side by side, and exports.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import html
import logging
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import reacton.core
import solara
import solara.lab
from solara.components.file_download import FileDownloadWidget

from simulation.params import GROUPS, PARAMS, Param, ParamError, validate
from simulation.scenarios import DEFAULT_SCENARIO, list_scenarios, load_scenario, scenario_toml

from . import charts, compare, network, story
from .chartwidget import Chart, to_json
from .upload import ScenarioUpload, parse_upload

logger = logging.getLogger("coprod.dashboard")
TITLE = "Co-production in health care: a simulation"
MINE = "Your settings (left panel)"
DEFAULT_SPEED = 10  # weeks per second when playing
SPEEDS = (1, 2, 5, 10, 20)
CHART_HEIGHT = "290px"
NETWORK_TITLE = "Ties among participants"
TABS = ("The run", "What happened", "Compare two scenarios", "Save and export")

CSS = """
.coprod-week { font-size: 2rem; font-weight: 700; line-height: 1; }
.coprod-of { color: #666; font-size: 1rem; }
.coprod-bar { align-items: center; flex-wrap: wrap; }
.coprod-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr));
               gap: 14px; }
.coprod-grid-small { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr));
                     gap: 10px; }
.coprod-card { border: 1px solid #e0e0e0; border-radius: 8px; padding: 10px 12px;
               background: white; }
.coprod-card h4 { margin: 0 0 2px 0; font-size: 1.02rem; }
.coprod-card-top { display: flow-root; }
.coprod-card-top > .solara-file-download-container { float: right; margin-left: 8px; }
.coprod-card-top h4 { line-height: 28px; margin-bottom: 12px; }
.coprod-explain { color: #555; font-size: 0.85rem; margin: 0 0 4px 0; min-height: 2.4em; }
.coprod-help { color: #555; font-size: 0.8rem; line-height: 1.25; margin-top: 2px; }
.coprod-name { font-family: monospace; font-size: 0.75rem; color: #888; }
.coprod-control { padding: 6px 0 10px 0; border-bottom: 1px solid #eee; display: flex;
                  flex-direction: column; }
.coprod-control > * { order: 1; }
.coprod-control-text { display: contents; }
.coprod-control-text > * { order: 2; }
.coprod-control-text > .coprod-control-head { order: 0; }
.coprod-control-head { display: flex; justify-content: space-between; gap: 8px;
                       font-weight: 500; }
.coprod-value { font-family: monospace; font-weight: 600; color: #1565c0; white-space: nowrap; }
.coprod-changed { color: #c2185b; }
.coprod-diff { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
.coprod-diff th, .coprod-diff td { border-bottom: 1px solid #eee; padding: 4px 8px;
                                   vertical-align: top; text-align: left; }
.coprod-diff td.num, .coprod-diff th.num { text-align: right; font-variant-numeric: tabular-nums;
                                           white-space: nowrap; }
.coprod-diff td.large { font-weight: 700; background: #fff3e0; }
.coprod-diff tr.coprod-diff-group td { background: #f5f5f5; font-weight: 600; }
.coprod-diff code { font-size: 0.72rem; color: #888; background: none; }
.coprod-a { color: #00796b; } .coprod-b { color: #c2185b; }
.coprod-story table { border-collapse: collapse; margin: 6px 0; }
.coprod-story th, .coprod-story td { border-bottom: 1px solid #eee; padding: 3px 10px; }
.coprod-toml pre { font-size: 0.78rem; background: #f7f7f7; padding: 8px; overflow-x: auto; }
.coprod-md p { margin-bottom: 8px; }
"""


# --------------------------------------------------------------------------- state


def new_model(seed: int, values: dict):
    """A model at week 0. (Imported here: the model loads Mesa, pandas and scipy.)"""
    from simulation.model import CoProductionModel

    return CoProductionModel(rng=seed, **values)


_warm_up_thread: threading.Thread | None = None  # the server's, see the end of this module


def model_pending() -> bool:
    """Whether the server's warm-up is still importing ``simulation.model``."""
    module = sys.modules.get("simulation.model")
    spec = getattr(module, "__spec__", None)
    loaded = module is not None and not getattr(spec, "_initializing", False)
    return _warm_up_thread is not None and _warm_up_thread.is_alive() and not loaded


def _warm_up() -> None:
    """What the first page needs that takes time: run in a thread when the server starts."""
    import inspect

    # pandas first, and soon after the server starts (long before a browser can connect):
    # a page built while pandas is half imported fails, as reacton looks up
    # pandas.DataFrame on every use_state once pandas is in sys.modules.
    import pandas  # noqa: F401

    # Mesa names its loggers from inspect.stack() while it is imported. For each frame of
    # the import machinery ("<frozen importlib._bootstrap>") inspect.getmodule then looks
    # through every loaded module, some thousand under the server, and finds nothing. Tell
    # it where those frames come from (their module; what it would find if it could).
    by_file = getattr(inspect, "modulesbyfile", None)
    if isinstance(by_file, dict):
        for name in ("importlib._bootstrap", "importlib._bootstrap_external"):
            by_file.setdefault(f"<frozen {name}>", name)
    import simulation.model  # noqa: F401

    markdown_html(INTRO)  # the first page's only Markdown


@dataclass(frozen=True)
class CompareState:
    """The compare tab's two runs: kept in the page, so switching tabs keeps them."""

    a: solara.Reactive  # preset name or MINE
    b: solara.Reactive
    models: solara.Reactive  # (model A, model B) or None before the first step
    tick: solara.Reactive
    playing: solara.Reactive
    error: solara.Reactive


@dataclass(frozen=True)
class Session:
    """One browser session's run. Built once per page from ``use_reactive`` values."""

    values: solara.Reactive  # every parameter, validated
    base: solara.Reactive  # the values as the preset or file set them
    origin: solara.Reactive  # ("preset", name) or ("file", name)
    description: solara.Reactive  # the preset's or file's description
    seed: solara.Reactive
    model: solara.Reactive  # None until the first model is built (see build_first)
    ready: solara.Reactive  # whether there is a model: the run's part of the page is shown
    tick: solara.Reactive  # bumped on every step and reset: what the plots depend on
    playing: solara.Reactive
    speed: solara.Reactive
    notice: solara.Reactive  # None or (kind, text), kind "error" | "success" | "info"
    tab: solara.Reactive
    cmp: CompareState
    lock: threading.RLock
    rc: Any  # the page's render context: setting several values inside it renders once

    def batch(self):
        """Group several changes into one render (no half-updated page in between)."""
        return self.rc if self.rc is not None else contextlib.nullcontext()

    # -- the run

    def _put(self, model) -> None:
        self.model.set(model)
        self.tick.set(self.tick.value + 1)
        self.ready.set(True)

    def restart(self) -> None:
        """A new model at week 0 with the current values and seed."""
        with self.lock, self.batch():
            self.playing.set(False)
            self._put(new_model(self.seed.value, self.values.value))

    def build_first(self) -> None:
        """Build the first model in a thread, while the page shows everything else.

        For a page opened while the server is still loading the model's code (Mesa,
        pandas, scipy: a second or more on a busy machine), instead of keeping the whole
        page waiting. A Reset or a new setting meanwhile wins over this model.
        """
        seed, values = self.seed.value, self.values.value

        def run() -> None:
            try:
                model = new_model(seed, values)  # waits for the warm-up's import
            except Exception as err:
                logger.exception("dashboard: the first model could not be built")
                self.notice.set(
                    ("error", f"The model could not be set up: {type(err).__name__}: {err}")
                )
                return
            with self.lock, self.batch():
                if self.model.value is None:
                    self._put(model)

        threading.Thread(target=run, name="coprod-first-model", daemon=True).start()

    def step(self, weeks: int = 1) -> None:
        """Advance the run; stops playing at the end of the programme."""
        with self.lock, self.batch():
            model = self.model.value
            if model is None:
                return
            for _ in range(weeks):
                if not model.running:
                    break
                model.step()
            self.tick.set(self.tick.value + 1)
            if not model.running and self.playing.value:
                self.playing.set(False)

    def play(self) -> None:
        self.playing.set(True)

    def pause(self) -> None:
        self.playing.set(False)

    def to_end(self) -> None:
        with self.lock, self.batch():
            self.playing.set(False)
            if self.model.value is not None:
                self.step(self.model.value.params.weeks)

    # -- settings

    def set_seed(self, seed) -> None:
        with self.batch():
            self.seed.set(max(0, int(seed or 0)))
            self.restart()

    def set_param(self, name: str, value: Any) -> str | None:
        """Change one parameter and restart; returns a problem instead when not allowed."""
        try:
            values = validate({**self.values.value, name: value})
        except ParamError as err:
            return str(err)
        if values == self.values.value:
            return None
        with self.batch():
            self.values.set(values)
            self.notice.set(None)
            self.restart()
        return None

    def apply_values(
        self,
        values: dict,
        origin: tuple[str, str],
        description: str,
        notice: tuple[str, str] | None = None,
    ) -> None:
        with self.batch():
            self.values.set(values)
            self.base.set(values)
            self.origin.set(origin)
            self.description.set(description)
            self.notice.set(notice)
            self.restart()

    def choose_preset(self, name: str) -> None:
        try:
            values = load_scenario(name)
        except ParamError as err:
            self.notice.set(("error", str(err)))
            return
        self.apply_values(
            values,
            ("preset", name),
            list_scenarios().get(name, ""),
            (
                "success",
                f"Preset '{name}' loaded: every setting now has its value "
                f"from the preset. The run starts again at week 0.",
            ),
        )

    def upload(self, name: str, data: bytes | ParamError) -> None:
        try:
            if isinstance(data, ParamError):
                raise data
            values, description = parse_upload(name, data)
        except ParamError as err:
            self.notice.set(("error", f"Could not use the file: {err}. Nothing was changed."))
            return
        self.apply_values(
            values,
            ("file", name),
            description,
            (
                "success",
                f"Scenario file '{name}' loaded: every setting now has "
                f"its value from the file. The run starts again at week 0.",
            ),
        )

    def changed(self) -> list[str]:
        """Parameters changed since the preset or file was loaded."""
        return [p.name for p in PARAMS if self.values.value[p.name] != self.base.value[p.name]]

    def origin_text(self) -> str:
        kind, name = self.origin.value
        text = f"preset '{name}'" if kind == "preset" else f"file '{name}'"
        changed = self.changed()
        return text + (
            f", with {len(changed)} change{'s' if len(changed) != 1 else ''}" if changed else ""
        )


def use_session() -> Session:
    """The page's state: one set of reactive values per browser session."""
    start = solara.use_memo(lambda: load_scenario(DEFAULT_SCENARIO), [])
    values = solara.use_reactive(start)
    base = solara.use_reactive(start)
    origin = solara.use_reactive(("preset", DEFAULT_SCENARIO))
    description = solara.use_reactive(list_scenarios().get(DEFAULT_SCENARIO, ""))
    seed = solara.use_reactive(0)
    # The first model now, unless the server is still loading the model's code: then the
    # page shows everything else meanwhile, and a thread builds it (build_first).
    first = solara.use_memo(lambda: None if model_pending() else new_model(0, start), [])
    model = solara.use_reactive(first)
    ready = solara.use_reactive(first is not None)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    notice = solara.use_reactive(None)
    tab = solara.use_reactive(0)
    names = list(list_scenarios())
    cmp = CompareState(
        a=solara.use_reactive(MINE),
        b=solara.use_reactive(next((n for n in names if n != DEFAULT_SCENARIO), MINE)),
        models=solara.use_reactive(None),
        tick=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        error=solara.use_reactive(None),
    )
    lock = solara.use_memo(threading.RLock, [])
    rc = reacton.core.get_render_context(required=False)
    session = solara.use_memo(
        lambda: Session(
            values,
            base,
            origin,
            description,
            seed,
            model,
            ready,
            tick,
            playing,
            speed,
            notice,
            tab,
            cmp,
            lock,
            rc,
        ),
        [],
    )
    solara.use_effect(lambda: None if first is not None else session.build_first(), [])
    return session


# --------------------------------------------------------------------------- controls


@functools.lru_cache(maxsize=64)
def markdown_html(text: str) -> str:
    """``text`` (Markdown with tables) as HTML; the same text is converted once.

    The extension is passed as an object: by name, Markdown looks it up among every
    installed package's entry points, tens of milliseconds on each call.
    """
    import markdown
    from markdown.extensions.tables import TableExtension

    return markdown.markdown(text, extensions=[TableExtension()])


def Md(text: str, classes: list[str] | None = None):
    """Markdown rendered here, to HTML.

    ``solara.Markdown`` loads KaTeX from the CDN for maths, which solara-assets does
    not ship: offline that is a failed request and a console error on every page.
    Only text the dashboard writes goes in (user-given names are escaped first).
    """
    return solara.HTML(
        "div", unsafe_innerHTML=markdown_html(text), classes=["coprod-md"] + (classes or [])
    )


def Line(text: str, classes: list[str] | None = None, style: dict | None = None):
    """A line of text as a block (``solara.Text`` is inline)."""
    return solara.Div(children=[text], classes=classes or [], style=style)


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
    if p.kind == "bool":
        return "yes" if value else "no"
    if p.kind == "float":
        digits = max(0, -math.floor(math.log10(nice_step(p))))
        return f"{value:.{digits}f}"
    return str(value)


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

    unit = f" {p.unit}" if p.unit and p.kind in ("int", "float") else ""
    # Text as HTML: one widget for what would be six (fewer widgets, a faster first page).
    # The name and value go above the control and the help below it, by CSS (see
    # .coprod-control-text): the text is one widget, not one above and one below.
    head = (
        f'<div class="coprod-control-head"><span>{html.escape(pretty(p.name))}</span>'
        f'<span class="coprod-value{" coprod-changed" if changed else ""}">'
        f"{html.escape(show_value(p, value) + unit)}</span></div>"
    )
    notes = (
        f'<div class="coprod-help">{html.escape(p.help)}</div>' if p.kind != "bool" else ""
    ) + (f'<div class="coprod-name">{p.name} · paper: {html.escape(p.concept)}</div>')
    with solara.Div(classes=["coprod-control"], attributes={"data-param": p.name}):
        solara.HTML("div", unsafe_innerHTML=head + notes, classes=["coprod-control-text"])
        if p.kind == "bool":
            solara.Switch(label=p.help, value=value, on_value=put)
        elif p.kind == "choice":
            solara.ToggleButtonsSingle(
                value=value, values=list(p.choices), on_value=put, dense=True
            )
        elif uses_slider(p):
            if p.kind == "int":
                solara.SliderInt(
                    "", value=value, min=int(p.low), max=int(p.high), on_value=put, thumb_label=True
                )
            else:
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
        Line(f"Now: {session.origin_text()}", ["coprod-origin"], {"font-weight": "500"})
        if session.description.value:
            Line(session.description.value, ["coprod-help"])
        if session.changed():
            solara.Button(
                "Undo my changes",
                text=True,
                color="primary",
                small=True,
                on_click=lambda: session.apply_values(
                    session.base.value, session.origin.value, session.description.value
                ),
            )
        with solara.Div(style={"margin": "10px 0 14px 0"}):
            ScenarioUpload(on_file=session.upload)
            Notice(session)
        solara.InputInt(
            "Random seed (same seed, same run)",
            value=session.seed.value,
            on_value=lambda v: session.set_seed(v),
            continuous_update=False,
            dense=True,
        )
        Line("Changing any setting starts the programme again from week 0.", ["coprod-help"])


@solara.component
def Notice(session: Session):
    notice = session.notice.value
    if notice is None:
        return
    kind, text = notice
    show = {"error": solara.Error, "success": solara.Success}.get(kind, solara.Info)
    with solara.Div(classes=[f"coprod-notice coprod-notice-{kind}"]):
        show(text, dense=True)


@solara.component
def Sidebar(session: Session):
    ScenarioCard(session)
    for group in GROUPS:
        ParamGroup(session, group)


# --------------------------------------------------------------------------- run bar


@solara.component
def Player(playing: solara.Reactive, step, speed: solara.Reactive | None = None):
    """Steps while ``playing`` is true, at ``speed`` weeks per second, in a thread."""

    def loop(cancel: threading.Event):
        if not playing.value:
            return
        try:
            while playing.value and not cancel.is_set():
                start = time.perf_counter()
                step()
                rate = speed.value if speed is not None else DEFAULT_SPEED
                rest = 1.0 / rate - (time.perf_counter() - start)
                if rest > 0:
                    cancel.wait(rest)
        except Exception:
            playing.set(False)  # show the buttons as paused rather than stuck on playing
            raise

    solara.use_thread(loop, [playing.value], intrusive_cancel=False)


@solara.component
def RunBar(session: Session):
    session.tick.value  # noqa: B018 - re-render on every week
    model = session.model.value
    week, weeks = int(model.steps), int(model.params.weeks)
    playing = session.playing.value
    with solara.Row(classes=["coprod-bar"], gap="10px"):
        with solara.Div(style={"display": "flex", "align-items": "baseline", "gap": "6px"}):
            solara.Text(f"Week {week}", classes=["coprod-week"])
            solara.Text(f"of {weeks}", classes=["coprod-of"])
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            color="primary",
            on_click=session.step,
            disabled=playing or not model.running,
            classes=["coprod-step"],
        )
        solara.Button(
            "Play",
            icon_name="mdi-play",
            color="primary",
            on_click=session.play,
            disabled=playing or not model.running,
            classes=["coprod-play"],
        )
        solara.Button(
            "Pause",
            icon_name="mdi-pause",
            on_click=session.pause,
            disabled=not playing,
            classes=["coprod-pause"],
        )
        solara.Button(
            "Reset", icon_name="mdi-restore", on_click=session.restart, classes=["coprod-reset"]
        )
        solara.Button(
            "Run to the end",
            icon_name="mdi-fast-forward",
            text=True,
            on_click=session.to_end,
            disabled=not model.running,
            classes=["coprod-end"],
        )
        solara.Select(
            "Weeks per second",
            values=list(SPEEDS),
            value=session.speed.value,
            on_value=session.speed.set,
            dense=True,
            style={"max-width": "150px"},
        )
    solara.ProgressLinear(100.0 * week / max(weeks, 1))
    if not model.running:
        Line(
            f"The programme has ended after {weeks} weeks. See 'What happened', or Reset to "
            "run it again.",
            ["coprod-help"],
        )
    Player(session.playing, session.step, session.speed)


# --------------------------------------------------------------------------- plots


def _subtitle(session: Session, model) -> str:
    return f"{session.origin_text()}, seed {session.seed.value}, week {int(model.steps)}"


def chart_png_for(session: Session, key: str) -> bytes:
    """PNG of a plot at the current week (called when a download is clicked)."""
    with session.lock:
        model = session.model.value
        if key == "network":
            return network.network_png(model, _subtitle(session, model))
        return charts.chart_png(
            charts.CHART_BY_KEY[key], charts.read_frame(model), _subtitle(session, model)
        )


@solara.component
def Download(make, filename: str, mime_type: str, children: list, on_error=None):
    """A file made by ``make()`` when its button is clicked, then saved by the browser.

    ``solara.FileDownload`` does this too, but starts a thread for each of its buttons as
    the page is built (and renders it again as the thread starts and ends): seven times
    on the first page, for the plots' PNG buttons. Here the thread starts on the click.
    ``on_error(message)`` is told when ``make`` fails.
    """
    requested, set_requested = solara.use_state(False)
    content, set_content = solara.use_state(None)

    def on_request(value: bool) -> None:
        if not value:  # saved by the browser: forget it, ready for the next click
            set_requested(False)
            set_content(None)
            return
        set_requested(True)

        def run() -> None:
            try:
                set_content(make())
            except Exception as err:
                logger.exception("dashboard: %s could not be made", filename)
                set_requested(False)
                if on_error is not None:
                    on_error(f"{filename} could not be made: {type(err).__name__}: {err}")

        threading.Thread(target=run, name="coprod-download", daemon=True).start()

    return FileDownloadWidget.element(
        filename=filename,
        bytes=content,
        mime_type=mime_type,
        request_download=requested,
        on_request_download=on_request,
        children=children,
    )


@solara.component
def PngButton(session: Session, key: str, label: str = "PNG"):
    Download(
        functools.partial(chart_png_for, session, key),
        f"coprod-{key}.png",
        "image/png",
        [
            solara.Button(
                label,
                icon_name="mdi-download",
                text=True,
                small=True,
                classes=[f"coprod-png-{key}"],
            )
        ],
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
    spec: str,
    week: int,
    height: str = CHART_HEIGHT,
    footer: str = "",
    problem: str | None = None,
):
    with solara.Div(classes=["coprod-card"], attributes={"data-card": key}):
        CardHead(session, key, title, explain)
        if problem:
            solara.Error(problem, classes=["coprod-plot-error"])
        Chart(spec, key=key, week=week, height=height)
        if footer:
            Line(footer, ["coprod-help"])


def attempt(what: str, build, *args):
    """``(build(*args), None)``, or ``(None, message)`` when it fails.

    One plot or panel that cannot be drawn (say, after a change to the model) shows
    its problem in place; the rest of the page keeps working.
    """
    try:
        return build(*args), None
    except Exception as err:  # shown on the page, logged with its traceback
        logger.exception("dashboard: %s failed", what)
        return None, f"{what} could not be drawn: {type(err).__name__}: {err}"


def _network_parts(model) -> tuple[str, str]:
    snap = network.snapshot(model)
    return to_json(network.echarts_option(model, snap)), network.caption(snap)


@solara.component
def RunView(session: Session):
    """Every plot, from one read of the DataCollector per week."""
    tick = session.tick.value
    model = session.model.value
    frame = solara.use_memo(lambda: charts.read_frame(model), [model, tick])
    week = frame.week
    with solara.Div(classes=["coprod-grid"]):
        for chart in charts.CHARTS:
            spec, problem = attempt(
                f"The plot '{chart.title}'",
                lambda c=chart: to_json(charts.echarts_option(c, frame)),
            )
            PlotCard(
                session, chart.key, chart.title, chart.explain, spec or "{}", week, problem=problem
            )
        parts, problem = attempt("The network", _network_parts, model)
        spec, caption = parts or ("{}", "")
        PlotCard(
            session,
            "network",
            NETWORK_TITLE,
            "Each working group is a ring. Full colour: came in the last 8 weeks. Purple "
            "lines: ties between a patient or carer and a professional; thicker is "
            "stronger.",
            spec,
            week,
            footer=caption,
            problem=problem,
        )


@solara.component
def StoryView(session: Session):
    session.tick.value  # noqa: B018 - recompute on every week
    model = session.model.value
    text, problem = attempt("The account", story.markdown, model)
    with solara.Div(classes=["coprod-story"]):
        if problem:
            solara.Error(problem)
        else:
            Md(text)


# --------------------------------------------------------------------------- compare


def _compare_values(session: Session, choice: str) -> dict:
    return dict(session.values.value) if choice == MINE else load_scenario(choice)


def _compare_name(choice: str) -> str:
    return "your settings" if choice == MINE else choice


def compare_reset(session: Session) -> None:
    cmp = session.cmp
    with session.lock, session.batch():
        cmp.playing.set(False)
        try:
            pair = tuple(
                new_model(session.seed.value, _compare_values(session, c))
                for c in (cmp.a.value, cmp.b.value)
            )
        except ParamError as err:
            cmp.error.set(str(err))
            return
        cmp.error.set(None)
        cmp.models.set(pair)
        cmp.tick.set(cmp.tick.value + 1)


def compare_step(session: Session, weeks: int = 1) -> None:
    cmp = session.cmp
    with session.lock, session.batch():
        if cmp.models.value is None:
            compare_reset(session)
        pair = cmp.models.value
        if pair is None:
            return
        for _ in range(weeks):
            if not all(m.running for m in pair):
                break
            for m in pair:
                m.step()
        cmp.tick.set(cmp.tick.value + 1)
        if not all(m.running for m in pair) and cmp.playing.value:
            cmp.playing.set(False)


@solara.component
def CompareView(session: Session):
    cmp = session.cmp
    cmp.tick.value  # noqa: B018 - re-render on every week
    pair = cmp.models.value
    choices = [MINE, *list(list_scenarios())]
    names = (_compare_name(cmp.a.value), _compare_name(cmp.b.value))
    week = int(pair[0].steps) if pair else 0
    running = pair is None or all(m.running for m in pair)
    playing = cmp.playing.value

    def choose(which: solara.Reactive, value):
        if value:
            which.set(value)
            compare_reset(session)

    Md(
        "Run two scenarios side by side, **with the same seed** (the same people, the same "
        "chances), and see where their outcomes part. Pick A and B, then Step or Play. "
        "*Your settings* are taken when A or B is picked or Reset is pressed."
    )
    with solara.Row(classes=["coprod-bar"], gap="16px"):
        solara.Select(
            "Scenario A",
            values=choices,
            value=cmp.a.value,
            on_value=lambda v: choose(cmp.a, v),
            style={"max-width": "300px"},
        )
        solara.Select(
            "Scenario B",
            values=choices,
            value=cmp.b.value,
            on_value=lambda v: choose(cmp.b, v),
            style={"max-width": "300px"},
        )
    with solara.Row(classes=["coprod-bar"], gap="10px"):
        with solara.Div(style={"display": "flex", "align-items": "baseline", "gap": "6px"}):
            solara.Text("Both at", classes=["coprod-of"])
            solara.Text(f"Week {week}", classes=["coprod-week coprod-compare-week"])
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            color="primary",
            on_click=lambda: compare_step(session),
            disabled=playing or not running,
            classes=["coprod-compare-step"],
        )
        solara.Button(
            "Play",
            icon_name="mdi-play",
            color="primary",
            on_click=lambda: cmp.playing.set(True),
            disabled=playing or not running,
            classes=["coprod-compare-play"],
        )
        solara.Button(
            "Pause",
            icon_name="mdi-pause",
            on_click=lambda: cmp.playing.set(False),
            disabled=not playing,
            classes=["coprod-compare-pause"],
        )
        solara.Button(
            "Reset",
            icon_name="mdi-restore",
            on_click=lambda: compare_reset(session),
            classes=["coprod-compare-reset"],
        )
        solara.Button(
            "Run to the end",
            icon_name="mdi-fast-forward",
            text=True,
            on_click=lambda: (cmp.playing.set(False), compare_step(session, 10_000)),
            disabled=not running,
            classes=["coprod-compare-end"],
        )
    Player(cmp.playing, lambda: compare_step(session), session.speed)
    if cmp.error.value:
        solara.Error(cmp.error.value)
    with solara.Columns([1, 1]):
        for label, choice, colour in (
            ("A", cmp.a.value, "coprod-a"),
            ("B", cmp.b.value, "coprod-b"),
        ):
            with solara.Div(classes=["coprod-card"]):
                solara.HTML(
                    "h4", unsafe_innerHTML=f"{label}: {_compare_name(choice)}", classes=[colour]
                )
                about = (
                    "the settings in the left panel: " + session.origin_text()
                    if choice == MINE
                    else list_scenarios().get(choice, "")
                )
                Line(about, ["coprod-help"])
                if pair:
                    model = pair[0 if label == "A" else 1]
                    Line(
                        f"{model.params.compensation} compensation, pace {model.params.pace:g}, "
                        f"power sharing {model.params.power_sharing:g}, meetings every "
                        f"{model.params.meeting_interval} weeks",
                        ["coprod-help"],
                    )
    if pair:
        CompareResults(pair, cmp.tick.value, names)


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
                solara.HTML("h4", unsafe_innerHTML=f"{panel.title}")
                Chart(
                    to_json(compare.panel_option(panel, frames[0], frames[1], names)),
                    key=panel.metric,
                    week=week,
                    height="200px",
                    css_class="coprod-compare-chart",
                )
    Line(
        "Table: each outcome as the command line reports it (rates are the mean of the last "
        "quarter of the weeks so far; totals are sums over the weeks). Highlighted: B differs "
        "from A by more than 10%.",
        ["coprod-help"],
    )
    solara.HTML(
        "div", unsafe_innerHTML=compare.differences_html(rows, names), classes=["coprod-diff-wrap"]
    )


# --------------------------------------------------------------------------- export


def default_description(session: Session) -> str:
    changed = session.changed()
    text = f"Saved from the dashboard on {_dt.date.today().isoformat()}: {session.origin_text()}"
    if changed:
        text += " (" + ", ".join(f"{n}={session.values.value[n]}" for n in changed) + ")"
    return text


@solara.component
def ExportView(session: Session):
    session.tick.value  # noqa: B018
    model = session.model.value
    week = int(model.steps)
    note, set_note = solara.use_state("")
    description = note or default_description(session)
    toml_text = scenario_toml(
        session.values.value,
        description,
        comment="Scenario saved from the co-production dashboard.\n"
        f"Run it with: coprod run --scenario FILE "
        f"--seed {session.seed.value}",
    )
    csv_data = solara.use_memo(lambda: functools.partial(_csv_for, session), [])
    story_data = solara.use_memo(lambda: functools.partial(_story_for, session), [])

    Md(
        f"Everything here is the run as it stands now: **week {week}** of {model.params.weeks}, "
        f"{html.escape(session.origin_text())}, seed {session.seed.value}."
    )
    with solara.Div(classes=["coprod-grid"]):
        with solara.Div(classes=["coprod-card"]):
            solara.HTML("h4", unsafe_innerHTML="The weekly series (CSV)")
            Line(
                "One row per week from week 0, one column per outcome; opens in a spreadsheet.",
                ["coprod-explain"],
            )
            solara.FileDownload(
                csv_data,
                filename="coprod-weekly.csv",
                mime_type="text/csv",
                children=[
                    solara.Button(
                        "Download CSV",
                        icon_name="mdi-download",
                        color="primary",
                        classes=["coprod-csv"],
                    )
                ],
            )
        with solara.Div(classes=["coprod-card"]):
            solara.HTML("h4", unsafe_innerHTML="What happened (text)")
            Line("The plain-language account of the run, as a Markdown file.", ["coprod-explain"])
            solara.FileDownload(
                story_data,
                filename="coprod-what-happened.md",
                mime_type="text/markdown",
                children=[
                    solara.Button(
                        "Download account",
                        icon_name="mdi-download",
                        color="primary",
                        classes=["coprod-story-md"],
                    )
                ],
            )
        with solara.Div(classes=["coprod-card"]):
            solara.HTML("h4", unsafe_innerHTML="Plots (PNG)")
            Line("Each plot as a picture for slides or reports.", ["coprod-explain"])
            with solara.Column(gap="0px", style={"align-items": "flex-start"}):
                for chart in charts.CHARTS:
                    PngButton(session, chart.key, chart.title)
                PngButton(session, "network", NETWORK_TITLE)
    with solara.Div(classes=["coprod-card"], style={"margin-top": "14px"}):
        solara.HTML("h4", unsafe_innerHTML="These settings as a scenario file (TOML)")
        Line(
            "Load it here again (Scenario > Load a scenario file), or run it from the "
            f"command line: coprod run --scenario my-scenario.toml "
            f"--seed {session.seed.value}",
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
            children=[
                solara.Button(
                    "Download scenario file",
                    icon_name="mdi-download",
                    color="primary",
                    classes=["coprod-toml"],
                )
            ],
        )
        with solara.Div(classes=["coprod-toml"]):
            solara.Preformatted(toml_text)


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


# --------------------------------------------------------------------------- page


INTRO = (
    "**What is this?** A computer simulation of a co-production programme in health "
    "care, after Filipe, Renedo & Marston (2017), *The co-production of what?* Each person "
    "(patient, carer, clinician or manager) is an *agent*: every week they weigh whether "
    "to come to their working group's meeting, given their time, money, health, the risk "
    "to their benefits and how satisfied they are. At meetings they contribute what they "
    "know; some of it is heard, some of it becomes new insight; ties and trust grow or "
    "fade. **Change the rules on the left, then press Step or Play** and watch who takes "
    "part, whose knowledge counts and what it costs."
)


@solara.component
def Page():
    session = use_session()
    solara.Title("Co-production dashboard")
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text(TITLE)
    with solara.Sidebar():
        Sidebar(session)
    with solara.Column(gap="10px", style={"padding": "0 4px"}):
        if not session.ready.value:  # the first model is still being built
            Line("Setting up the model ...", ["coprod-of", "coprod-pending"])
            solara.ProgressLinear(True)
        else:
            RunBar(session)
            with solara.Details("What am I looking at?", expand=False):
                Md(INTRO)
            with solara.lab.Tabs(value=session.tab, lazy=True):
                with solara.lab.Tab(TABS[0]):
                    RunView(session)
                with solara.lab.Tab(TABS[1]):
                    StoryView(session)
                with solara.lab.Tab(TABS[2]):
                    CompareView(session)
                with solara.lab.Tab(TABS[3]):
                    ExportView(session)


page = Page


if os.environ.get("SOLARA_APP", "").startswith("dashboards.app"):
    # Under the server: load the model (about a second) while the browser loads the page,
    # instead of before the server answers; and compress the page's scripts before the
    # browser asks for them (see server.precompress_assets).
    from .server import start_warm_start

    start_warm_start()
    _warm_up_thread = threading.Thread(target=_warm_up, name="coprod-warm-up", daemon=True)
    _warm_up_thread.start()
