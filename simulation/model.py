"""The co-production model: one step is one week of a co-production programme."""

from __future__ import annotations

import gc
import inspect
from functools import partial
from typing import Any

import mesa
import numpy as np

from . import metrics
from .agents import AGENT_CLASSES
from .arrays import Floats
from .batch import Runs
from .params import DEFAULTS, EVERY_PARAM, RunParams


def _report(model: CoProductionModel, name: str) -> float:
    return model.latest[name]


def _summary_so_far(model: CoProductionModel, name: str) -> float:
    return model.final_metrics()[name]


class WeeklyCollector(mesa.DataCollector):
    """Mesa's DataCollector with two model reporters per metric.

    - ``<name>`` (e.g. ``insights``): the run's summary so far, the aggregate of
      weeks 1..t (what ``final_metrics()`` gives had the run stopped at week t), so
      ``mesa.batch_run``'s value at the last step is ``final_metrics()``;
    - ``<name>_week`` (e.g. ``insights_week``): that week's value alone.

    Week 0 (before anything happens) is collected too, as Mesa does: its summaries
    are 0 and its ``_week`` values describe the starting state.

    ``collect`` appends the week's values directly (they are fresh floats each week,
    so the deep copy Mesa makes of every reported value is not needed). The summary
    columns are filled in only when ``model_vars`` is read, so runs nobody reads
    (a sweep's) do not pay for them.
    """

    def __init__(self, model: CoProductionModel):
        self._model: CoProductionModel | None = None  # set once Mesa has made the columns
        reporters = {name: partial(_summary_so_far, name=name) for name in metrics.METRIC_NAMES}
        reporters |= {
            week: partial(_report, name=name)
            for name, week in zip(metrics.METRIC_NAMES, metrics.WEEK_NAMES, strict=True)
        }
        super().__init__(model_reporters=reporters)
        self._weeks: list[int] = []
        self._summaries = [self._vars[name] for name in metrics.METRIC_NAMES]
        self._columns = [self._vars[name] for name in metrics.WEEK_NAMES]
        self._model = model

    # Mesa reads and writes ``self.model_vars``: reading it first fills in the summaries.
    @property
    def model_vars(self) -> dict[str, list]:
        if self._model is not None:
            self._fill_summaries()
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._vars = value

    def _fill_summaries(self) -> None:
        assert self._model is not None
        done = len(self._summaries[0])
        if done == len(self._weeks):
            return
        history, weeks = self._model.history, self._model.params.weeks
        for week in self._weeks[done:]:
            values = metrics.aggregate(history[: min(week, weeks)])
            for name, column in zip(metrics.METRIC_NAMES, self._summaries, strict=True):
                column.append(values[name])

    def collect(self, model: CoProductionModel) -> None:
        """Record this week's value of every metric (its summary is worked out when read)."""
        self._collection_steps.append(model.time)
        self._weeks.append(model.steps)
        latest = model.latest
        for name, column in zip(metrics.METRIC_NAMES, self._columns, strict=True):
            column.append(latest[name])


class CoProductionModel(mesa.Model, Runs):
    """Patients, carers, clinicians and managers co-producing under tunable rules.

    Every policy lever of ``simulation.params.PARAMS`` and every assumption of
    ``simulation.assumptions.ASSUMPTIONS`` is a keyword argument with its default;
    ``rng`` seeds all randomness. Agent state lives in numpy arrays
    (``self.state``); the weekly rules are :class:`simulation.batch.Runs`'s, for one run.
    ``self.agents`` holds one Mesa agent per person as a view
    on those arrays. The DataCollector reports, per week, each metric's summary so far
    (``insights``) and that week's value (``insights_week``).
    """

    def __init__(self, *, rng: int | np.random.Generator | None = None, **params: Any) -> None:
        self._start(RunParams.from_values(params), rng)  # ParamError before Mesa starts

    @classmethod
    def from_params(
        cls, params: RunParams, *, rng: int | np.random.Generator | None = None
    ) -> CoProductionModel:
        """A model of an already-built ``params``, taken as it is: no range checks.

        For analysis only (``experiments.mechanisms`` switches a mechanism off with
        values outside the plausible ranges, e.g. ``weight_time=0``): build ``params`` as
        ``dataclasses.replace(RunParams.from_values(values), **overrides)``. Values the
        schema would refuse are the caller's responsibility; runs, sweeps and the
        dashboard go through the keyword arguments, which validate.
        """
        model = cls.__new__(cls)
        model._start(params, rng)
        return model

    def _start(self, checked: RunParams, rng: int | np.random.Generator | None) -> None:
        super().__init__(rng=rng)
        self._start_runs(checked, [self.rng])  # one run: a batch of one (simulation.batch)
        self._views_made = False
        self.history: Floats = np.zeros((checked.weeks, len(metrics.METRIC_NAMES)))
        self.datacollector = WeeklyCollector(self)
        self.datacollector.collect(self)

    def _make_views(self) -> None:
        if self._views_made:
            return
        self._views_made = True
        # Thousands of small objects at once would trigger needless garbage-collector passes.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for index, role in enumerate(self.state.role.tolist()):
                AGENT_CLASSES[role](self, index)
        finally:
            if collecting:
                gc.enable()

    # The Mesa agents are views on the state arrays. They are made the first time
    # anyone asks for them, so a sweep that never looks at them does not pay for them.
    @property
    def agents(self):
        """All agents: one Mesa agent (a view on the state arrays) per person."""
        self._make_views()
        return super().agents

    @property
    def agents_by_type(self):
        """The agents by class: Patient, Carer, Clinician, Manager."""
        self._make_views()
        return super().agents_by_type

    @property
    def agent_types(self):
        """The agent classes present in the model."""
        self._make_views()
        return super().agent_types

    def step(self) -> None:
        """One week: the rules of docs/concept.md, in order, over all agents at once."""
        week, weeks = self.steps, self.rules.weeks
        self._rules_week(week)
        if week <= self.params.weeks:
            self.history[week - 1] = [self.latest[n] for n in metrics.METRIC_NAMES]
        self.datacollector.collect(self)
        if week >= weeks:
            self.running = False

    def final_metrics(self) -> dict[str, float]:
        """The run's outcome metrics as plain floats (see ``simulation.metrics``)."""
        return metrics.aggregate(self.history[: min(self.steps, self.params.weeks)])

    def run(self) -> dict[str, float]:
        """Step until the programme ends; return ``final_metrics()``."""
        while self.running:
            self.step()
        return self.final_metrics()


# Show every parameter, with its default, in help() and in Mesa's tools that inspect the
# signature (batch_run, SolaraViz); mypy does not know functions take a __signature__.
CoProductionModel.__init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default=None),
    ]
    + [
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=DEFAULTS[p.name])
        for p in EVERY_PARAM
    ]
)
