"""The co-production dashboard: run the model in a browser, week by week.

Start it with ``coprod dashboard`` (or ``python -m dashboards.server``), which
serves :func:`Page` from this module. Every browser session gets its own model:
all state lives in the page (``solara.use_reactive``, gathered by
:func:`use_session` into a :class:`dashboards.state.Session`), never at module level.

Layout: the sidebar holds the scenario (presets, upload, seed) and one control
per parameter of ``simulation.params.PARAMS``, grouped by ``Param.group``. The
main area shows ``Week N``, the Step / Play / Pause / Reset buttons and four tabs:
the run's plots and network, a plain-language account of what happened, two
scenarios compared side by side, and exports. Each part is a module of
:mod:`dashboards.views`; the styles are ``assets/app.css``.

:data:`routes` serves :func:`Page` at ``/`` and the workshop room's pages under
``/room`` (:mod:`dashboards.views.room`, loaded when one is first shown).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import reacton.core
import solara
import solara.lab

from simulation.scenarios import DEFAULT_SCENARIO, list_scenarios, load_scenario

from . import warmup
from .state import DEFAULT_SPEED, MINE, ComparePair, Session, first_b, new_model
from .views.common import Md, TextLine, markdown_html
from .views.compare import CompareView
from .views.controls import Sidebar, nice_step, show_value
from .views.export import ExportView
from .views.player import RunBar
from .views.plots import RunView
from .views.room_routes import RoomJoinPage, RoomPage, RoomProjectorPage
from .views.story import StoryView

__all__ = ["CSS", "INTRO", "TABS", "TITLE", "Page", "nice_step", "page", "show_value"]

TITLE = "Co-production in health care: a simulation"
TABS = ("The run", "What happened", "Compare two scenarios", "Save and export")
CSS = (Path(__file__).resolve().parent / "assets" / "app.css").read_text(encoding="utf-8")
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


def use_session() -> Session:
    """The page's state: one set of reactive values per browser session."""
    start = solara.use_memo(lambda: load_scenario(DEFAULT_SCENARIO), [])
    # The first model now, unless the server is still loading the model's code: then the
    # page shows everything else meanwhile, and a thread builds it (build_first).
    first = solara.use_memo(lambda: None if warmup.model_pending() else new_model(0, start), [])
    run = {
        "values": solara.use_reactive(start),
        "base": solara.use_reactive(start),
        "origin": solara.use_reactive(("preset", DEFAULT_SCENARIO)),
        "description": solara.use_reactive(list_scenarios().get(DEFAULT_SCENARIO, "")),
        "seed": solara.use_reactive(0),
        "model": solara.use_reactive(first),
        "ready": solara.use_reactive(first is not None),
        "tick": solara.use_reactive(0),
        "playing": solara.use_reactive(False),
        "speed": solara.use_reactive(DEFAULT_SPEED),
        "notice": solara.use_reactive(None),
        "tab": solara.use_reactive(0),
    }
    pair = {
        "a": solara.use_reactive(MINE),
        "b": solara.use_reactive(first_b(list(list_scenarios()), DEFAULT_SCENARIO)),
        "models": solara.use_reactive(None),
        "tick": solara.use_reactive(0),
        "playing": solara.use_reactive(False),
        "error": solara.use_reactive(None),
    }
    session = solara.use_memo(lambda: _session(run, pair), [])
    solara.use_effect(lambda: None if first is not None else session.build_first(), [])
    return session


def _session(run: dict, pair: dict) -> Session:
    """The session from its reactive values, made once per page (in ``use_session``)."""
    lock = threading.RLock()
    render_context = reacton.core.get_render_context(required=False)
    compare = ComparePair(
        **pair,
        settings=lambda: run["values"].value,
        seed=lambda: run["seed"].value,
        lock=lock,
        render_context=render_context,
    )
    return Session(**run, compare=compare, lock=lock, render_context=render_context)


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
            TextLine("Setting up the model ...", ["coprod-of", "coprod-pending"])
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


@solara.component
def PlainLayout(children=()):
    """Solara's app layout without its tabs of routes (each page is reached by its address).

    The sidebar's drawer is neither opened nor closed from here (``sidebar_open=None``):
    Vuetify's drawer then decides as it mounts, by the window's width (Solara sets its
    breakpoint at 960 px), open beside the page on a desktop, closed on a phone, and tells
    the layout (``on_v_model``), whose menu button toggles it from there. Solara's default,
    ``True``, opens it on a phone too, as a sheet over the whole page: Step could not be
    pressed (tests/test_phone_layout.py).
    """
    solara.AppLayout(children=list(children), navigation=False, sidebar_open=None)


# The dashboard at /, and the workshop room's pages (issue 13) under /room.
routes = [
    solara.Route("/", component=Page, layout=PlainLayout),
    solara.Route(
        "room",
        children=[
            solara.Route("/", component=RoomPage),
            solara.Route("join", component=RoomJoinPage),
            solara.Route("projector", component=RoomProjectorPage),
        ],
    ),
]


if os.environ.get("SOLARA_APP", "").startswith("dashboards.app"):
    # Under the server: load the model (about a second) while the browser loads the page,
    # instead of before the server answers; and compress the page's scripts before the
    # browser asks for them (see server.precompress_assets).
    from .server import start_warm_start

    start_warm_start()
    warmup.start(also=lambda: markdown_html(INTRO))  # the first page's only Markdown
