"""A browser session's run and its two compared runs: what the buttons and controls do.

Plain Python, no Solara: each piece of state is a :class:`Value` (anything with
``.value`` and ``.set(v)``: in the page, ``solara.use_reactive`` gives them; in
tests, :class:`Box`). The page builds one :class:`Session` per browser session
(``dashboards.app.use_session``) and its views call the methods here; nothing is
kept at module level, so every session has its own model.

:class:`Session` and :class:`ComparePair` are both a :class:`Runner`: something
the one row of Step / Play / Pause / Reset / Run to the end buttons can drive.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from simulation.params import EVERY_PARAM, ParamError, validate
from simulation.scenarios import list_scenarios, load_scenario, read_scenario

logger = logging.getLogger("coprod.dashboard")
MINE = "Your settings (left panel)"  # the compare tab's choice for the sidebar's settings
DEFAULT_SPEED = 10  # weeks per second when playing
MAX_BYTES = 64 * 1024  # a scenario file is a few lines of text


class Value[T](Protocol):
    """One piece of a session's state: read ``.value``, change it with ``.set(v)``."""

    @property
    def value(self) -> T: ...

    def set(self, value: T) -> None: ...


class Box[T]:
    """A :class:`Value` without Solara (tests, and state kept outside a page)."""

    def __init__(self, value: T):
        self.value = value

    def set(self, value: T) -> None:
        self.value = value


class Runner(Protocol):
    """What the Step / Play / Pause / Reset / Run to the end row drives."""

    playing: Value[bool]

    @property
    def running(self) -> bool: ...

    def step(self, weeks: int = 1) -> None: ...

    def play(self) -> None: ...

    def pause(self) -> None: ...

    def reset(self) -> None: ...

    def to_end(self) -> None: ...


def batching(render_context: contextlib.AbstractContextManager | None):
    """The page's render context (several changes inside it render once), or no grouping."""
    return render_context if render_context is not None else contextlib.nullcontext()


def new_model(seed: int, values: dict):
    """A model at week 0.

    Imported here, not at the top: the model loads Mesa, pandas and scipy (a second
    or more), and the server loads this module before it answers (see
    :mod:`dashboards.warmup`, which imports the model meanwhile).
    """
    # see the docstring: slow, and warmed up meanwhile
    from simulation.model import CoProductionModel

    return CoProductionModel(rng=seed, **values)


def parse_upload(name: str, data: bytes) -> tuple[dict[str, Any], str]:
    """Every parameter's value and the description of an uploaded scenario file.

    Raises ParamError naming the problem (and the file as the user called it).
    """
    shown = Path(name).name or "uploaded file"
    if len(data) > MAX_BYTES:
        raise ParamError(
            f"'{shown}' is {len(data):,} bytes: a scenario file is a few lines of "
            f"text (at most {MAX_BYTES // 1024} KB)"
        )
    if not data.strip():
        raise ParamError(
            f"'{shown}' is empty: a scenario file sets parameters, e.g. compensation = \"paid\""
        )
    with tempfile.TemporaryDirectory(prefix="coprod-upload-") as folder:
        path = Path(folder) / "scenario.toml"
        path.write_bytes(data)
        try:
            scenario = read_scenario(path)
            values = validate(scenario.values)
        except ParamError as err:
            message = str(err).replace(f"scenario file '{path}'", f"'{shown}'")
            message = message.replace(str(path), shown)
            if not message.startswith(f"'{shown}'"):
                message = f"'{shown}': {message}"
            raise ParamError(message) from None
    return values, scenario.description


class Stepping:
    """Step, Play, Pause and Run to the end over a session's runs, stepped together.

    A subclass gives ``runs()`` (the models to advance) and the Values ``tick`` and
    ``playing``, a ``lock`` and ``batch()``.
    """

    playing: Value[bool]
    tick: Value[int]
    lock: threading.RLock

    runs: Callable[[], tuple]
    batch: Callable[[], contextlib.AbstractContextManager]

    def step(self, weeks: int = 1) -> None:
        """Advance every run ``weeks`` weeks, or until one ends; stop playing at the end."""
        with self.lock, self.batch():
            runs = self.runs()
            if not runs:
                return
            for _ in range(weeks):
                if not all(m.running for m in runs):
                    break
                for m in runs:
                    m.step()
            self.tick.set(self.tick.value + 1)
            if not all(m.running for m in runs) and self.playing.value:
                self.playing.set(False)

    def play(self) -> None:
        self.playing.set(True)

    def pause(self) -> None:
        self.playing.set(False)

    def to_end(self) -> None:
        with self.lock, self.batch():
            self.playing.set(False)
            runs = self.runs()
            if runs:
                self.step(max(m.params.weeks for m in runs))


@dataclass(frozen=True)
class Session(Stepping):
    """One browser session's run and settings."""

    values: Value[dict]  # every parameter, validated
    base: Value[dict]  # the values as the preset or file set them
    origin: Value[tuple[str, str]]  # ("preset", name) or ("file", name)
    description: Value[str]  # the preset's or file's description
    seed: Value[int]
    model: Value[Any]  # None until the first model is built (see build_first)
    ready: Value[bool]  # whether there is a model: the run's part of the page is shown
    tick: Value[int]  # bumped on every step and reset: what the plots depend on
    playing: Value[bool]
    speed: Value[int]  # weeks per second when playing
    notice: Value[tuple[str, str] | None]  # (kind, text), kind "error" | "success" | "info"
    tab: Value[int]
    compare: ComparePair
    lock: threading.RLock
    # The page's render context: changes made inside it render once. None: no grouping.
    render_context: contextlib.AbstractContextManager | None = None

    def batch(self) -> contextlib.AbstractContextManager:
        """Group several changes into one render (no half-updated page in between)."""
        return batching(self.render_context)

    # -- the run

    def watch(self) -> tuple[Any, int]:
        """The model and the tick. The model changes in place as it steps: a view that
        reads the tick (through this) is drawn again on every step and reset."""
        return self.model.value, self.tick.value

    @property
    def running(self) -> bool:
        model = self.model.value
        return model is not None and bool(model.running)

    def _put(self, model) -> None:
        self.model.set(model)
        self.tick.set(self.tick.value + 1)
        self.ready.set(True)

    def reset(self) -> None:
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

    def runs(self) -> tuple:
        """The one run, or none before the first model is built."""
        model = self.model.value
        return () if model is None else (model,)

    # -- settings

    def set_seed(self, seed) -> None:
        with self.batch():
            self.seed.set(max(0, int(seed or 0)))
            self.reset()

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
            self.reset()
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
            self.reset()

    def undo_changes(self) -> None:
        """Back to the values the preset or file set."""
        self.apply_values(self.base.value, self.origin.value, self.description.value)

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
        """Parameters (levers and assumptions) changed since the preset or file was loaded."""
        return [p.name for p in EVERY_PARAM if self.values.value[p.name] != self.base.value[p.name]]

    def origin_text(self) -> str:
        kind, name = self.origin.value
        text = f"preset '{name}'" if kind == "preset" else f"file '{name}'"
        changed = self.changed()
        return text + (
            f", with {len(changed)} change{'s' if len(changed) != 1 else ''}" if changed else ""
        )

    def subtitle(self) -> str:
        """What a saved picture shows: the settings, the seed and the week."""
        return f"{self.origin_text()}, seed {self.seed.value}, week {int(self.model.value.steps)}"


@dataclass(frozen=True)
class ComparePair(Stepping):
    """The compare tab's two runs, A and B, with the session's seed, stepped together.

    Kept with the session (not in the tab), so switching tabs keeps them.
    ``settings()`` gives the sidebar's values (for the choice :data:`MINE`), ``seed()``
    the session's seed; ``lock`` and ``render_context`` are the session's.
    """

    a: Value[str]  # preset name or MINE
    b: Value[str]
    models: Value[tuple | None]  # (model A, model B), or None before the first step
    tick: Value[int]
    playing: Value[bool]
    error: Value[str | None]
    settings: Callable[[], dict]
    seed: Callable[[], int]
    lock: threading.RLock
    render_context: contextlib.AbstractContextManager | None = None

    def batch(self) -> contextlib.AbstractContextManager:
        return batching(self.render_context)

    def values_of(self, choice: str) -> dict:
        return dict(self.settings()) if choice == MINE else load_scenario(choice)

    def watch(self) -> tuple[tuple | None, int]:
        """Both models (or None) and the tick: see :meth:`Session.watch`."""
        return self.models.value, self.tick.value

    @property
    def running(self) -> bool:
        pair = self.models.value
        return pair is None or all(m.running for m in pair)

    def choose(self, which: Value[str], choice: str | None) -> None:
        """Pick scenario A or B (``which`` is ``self.a`` or ``self.b``); both start again."""
        if choice:
            which.set(choice)
            self.reset()

    def reset(self) -> None:
        with self.lock, self.batch():
            self.playing.set(False)
            try:
                pair = tuple(
                    new_model(self.seed(), self.values_of(c)) for c in (self.a.value, self.b.value)
                )
            except ParamError as err:
                self.error.set(str(err))
                return
            self.error.set(None)
            self.models.set(pair)
            self.tick.set(self.tick.value + 1)

    def runs(self) -> tuple:
        """Runs A and B, built on first use (none if a scenario could not be built)."""
        if self.models.value is None:
            self.reset()
        return self.models.value or ()


def first_b(names: list[str], default: str) -> str:
    """Scenario B to start with: the first preset that is not the default one."""
    return next((n for n in names if n != default), MINE)
