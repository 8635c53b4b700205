"""The run's buttons (Step, Play, Pause, Reset, Run to the end) and the thread that plays.

:func:`RunButtons` is the one definition of the row: the main run and the compare
tab both use it, each with its own :class:`dashboards.state.Runner` and class prefix
(``coprod-step`` ... for the main run, ``coprod-compare-step`` ... for the pair).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import solara

from ..state import DEFAULT_SPEED, Runner, Session, Value
from .common import TextLine

SPEEDS = (1, 2, 5, 10, 20)  # weeks per second the page offers


@solara.component
def Player(playing: Value[bool], step: Callable[[], None], speed: Value[int] | None = None):
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


def RunButtons(run: Runner, prefix: str) -> None:
    """Step / Play / Pause / Reset / Run to the end for ``run``.

    Each button has the class ``prefix + name`` (``coprod-step``, ``coprod-end``, ...).
    A plain function, not a component: the buttons belong to the caller's render, which
    reads the run's tick, so they are enabled or not as of the latest week.
    """
    playing, running = run.playing.value, run.running
    for label, icon, action, name, disabled, look in (
        ("Step", "mdi-skip-next", run.step, "step", playing or not running, {"color": "primary"}),
        ("Play", "mdi-play", run.play, "play", playing or not running, {"color": "primary"}),
        ("Pause", "mdi-pause", run.pause, "pause", not playing, {}),
        ("Reset", "mdi-restore", run.reset, "reset", False, {}),
        ("Run to the end", "mdi-fast-forward", run.to_end, "end", not running, {"text": True}),
    ):
        solara.Button(
            label,
            icon_name=icon,
            on_click=action,
            disabled=disabled,
            classes=[prefix + name],
            **look,
        )


def WeekLabel(week: int, before: str = "", after: str = "", classes: str = "coprod-week"):
    """``Week N`` in large type, with small words before or after it."""
    with solara.Div(style={"display": "flex", "align-items": "baseline", "gap": "6px"}) as label:
        if before:
            solara.Text(before, classes=["coprod-of"])
        solara.Text(f"Week {week}", classes=[classes])
        if after:
            solara.Text(after, classes=["coprod-of"])
    return label


@solara.component
def RunBar(session: Session):
    """The main run's week, buttons, speed and progress."""
    model, _ = session.watch()  # drawn again every week
    week, weeks = int(model.steps), int(model.params.weeks)
    with solara.Row(classes=["coprod-bar"], gap="10px"):
        WeekLabel(week, after=f"of {weeks}")
        RunButtons(session, "coprod-")
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
        TextLine(
            f"The programme has ended after {weeks} weeks. See 'What happened', or Reset to "
            "run it again.",
            ["coprod-help"],
        )
    Player(session.playing, session.step, session.speed)
