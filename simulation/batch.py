"""Many runs in one vectorised pass: :func:`run_batch` (issue 12).

A default-size run is mostly numpy call overhead: each week makes about 150 calls of
about a microsecond whatever the population. Runs side by side are just more groups, so
:class:`Runs` steps several runs through each rule at once: their agents and groups are
laid end to end in one state (``simulation.runs``), each run keeps its own random
generator, and the few sums that must be each run's own are taken run by run.

One implementation. :class:`Runs` holds the weekly rules (``_rules_week``), and
``CoProductionModel`` is a :class:`Runs` of one run: the single run *is* a batch of one,
and a batch calls the same rule functions, which act on one run or on several
(``simulation.runs``).

Bit-identical. Each run's final metrics and weekly history are the same, to the last bit,
as the same run made alone with ``CoProductionModel(rng=seed, **params).run()``, whatever
else shares its batch and in whatever order (``tests/test_batch.py``):

- each run draws from its own generator, made as ``CoProductionModel`` makes it, the same
  numbers in the same order as alone (``runs.Streams``);
- every sum over a run's agents or groups is taken over that run's block alone, the same
  way as alone (``runs.total``, ``runs.dot``; per-group sums are each group's own);
- a run whose meeting nobody came to while others met draws nothing and keeps its
  belonging, as alone (``Talk.met``); everything else the rules do for it is adding zero.

What may share a stacked pass (phase 1): runs of the same parameters, their seeds apart,
with ``manager_adaptation`` 0 (managers who change the rules make runs diverge). Other
runs still go through :func:`run_batch`, in passes of their own: one per set of
parameters, and one per run whose managers may change its rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from . import (
    decisions,
    knowledge,
    management,
    meeting,
    metrics,
    money,
    motivation,
    participation,
    population,
    relations,
    runs,
    setting,
    values,
)
from .params import LAY_COUNTS, PROFESSIONAL_COUNTS, RunParams

if TYPE_CHECKING:
    from .arrays import Floats
    from .choices import Choices

# Most agents stepped in one pass (all runs together). Not behaviour, only speed and
# memory: a default-size run holds about 40 kB of state, so a pass of this many agents
# holds tens of MB.
BATCH_AGENTS = 65_536

type Seed = int | np.random.Generator | None


class Runs:
    """The weekly rules over runs of the same parameters side by side (one run or more).

    ``state`` holds every run's agents (``simulation.runs``); ``latest`` is each metric's
    value this week: a float for one run, an array of one value per run for several.
    """

    params: RunParams
    rules: RunParams  # the rules in force: ``params`` until managers change them
    choices: Choices | None  # decisions taken from outside the model (simulation.choices)

    def _start_runs(self, checked: RunParams, rngs: Sequence[np.random.Generator]) -> None:
        """Draw each run's people from its generator and set the runs going."""
        n_runs = len(rngs)
        if n_runs > 1 and checked.manager_adaptation > 0:
            raise ValueError("runs whose managers may change the rules are run one at a time")
        self.params = self.rules = checked
        self.state = population.stack([population.build(checked, rng) for rng in rngs])
        # One run draws from ``self.rng`` (the model's, Mesa's attribute); several from
        # one stream each.
        self.rng = rngs[0]
        self._streams = runs.Streams(rngs) if n_runs > 1 else None
        self.setting = setting.build(self.state, checked)
        self.costs = participation.prepare(self.state, checked, self.setting)
        self.room = meeting.prepare(self.state, checked, self.setting)
        self.apart = knowledge.differences(self.state)
        self.choices = None

        # Running sums: a float for one run, an array of one per run (each its own array).
        def zero() -> runs.PerRun:
            return 0.0 if n_runs == 1 else np.zeros(n_runs)

        self.ledger: dict[str, runs.PerRun] = {
            key: zero() for key in ("payments", "refunds", "travel", "staff")
        }
        self._totals: dict[str, runs.PerRun] = {"cost": zero(), "insights": zero()}
        self.management = management.start(self.state)
        self.events = self.management.events  # every rule change, with its week and reason
        self.meetings_held: list[int] = []  # the weeks the groups met
        self._who = metrics.subgroups(self.state)
        self._carried = metrics.at_meetings(self.state, checked, self._who, None, 0)
        zero_totals = {"cost": zero(), "insights": zero()}  # week 0 adds to no run's sums
        self.latest = metrics.weekly(
            self.state, checked, self._carried, None, None, money.Flows(), zero_totals, 0
        )

    def _rules_week(self, week: int) -> None:
        """Week ``week``: the rules of docs/concept.md, in order, over all agents at once;
        then this week's metrics (``latest``)."""
        s, p = self.state, self.rules
        draws = self.rng if self._streams is None else self._streams
        held = self.meetings_held
        meets = not held or week - held[-1] >= p.meeting_interval
        if meets:
            held.append(week)
        participation.take_part(s, p, self.costs, draws, week, meets, self.choices)
        talk = meeting.hold(s, p, self.setting, self.room, draws, self.choices)
        insights = knowledge.combine(s, p, talk, self.apart, draws)
        decided = decisions.decide(s, p, self.setting, talk, insights, draws)
        relations.update(s, p, self.setting, talk, insights, decided, week, self.costs.online)
        flows = money.settle(s, p, self.costs, week)
        motivation.update(s, p, talk, decided, flows, week)
        values.shift(s, p, talk)
        changes = self._manage(insights, flows, week)
        for key in self.ledger:
            self.ledger[key] += getattr(flows, key)
        if meets:
            self._carried = metrics.at_meetings(s, self.rules, self._who, talk, week)
        self.latest = metrics.weekly(
            s, self.rules, self._carried, insights, decided, flows, self._totals, week, changes
        )

    def _manage(self, insights: knowledge.Insights | None, flows: money.Flows, week: int) -> int:
        """Rule 9: managers review and may change the rules; the number of changes."""
        if self.rules.manager_adaptation <= 0:
            return 0
        m, s = self.management, self.state
        management.tally(m, insights, flows)
        spent = sum(self.ledger.values()) + flows.cost
        rules, changes = management.review(s, self.rules, m, week, spent)
        if changes:
            self.rules = rules
            self.setting = setting.build(s, rules)
            costs = participation.prepare(s, rules, self.setting)
            self.costs = replace(costs, open=management.open_mask(s, m))
            self.room = meeting.prepare(s, rules, self.setting)
        return len(changes)


class Batch(Runs):
    """Runs of the same parameters, one per generator, stepped together to the end."""

    def __init__(self, params: RunParams, rngs: Sequence[np.random.Generator]) -> None:
        self._start_runs(params, rngs)
        # (runs, weeks, metrics): each run's weekly values, as CoProductionModel.history
        self.history: Floats = np.zeros((len(rngs), params.weeks, len(metrics.METRIC_NAMES)))

    def run(self) -> None:
        """Step every run through its weeks, recording each week's metrics."""
        for week in range(1, self.params.weeks + 1):
            self._rules_week(week)
            self.history[:, week - 1] = np.column_stack(
                [self.latest[n] for n in metrics.METRIC_NAMES]
            )


def generator(seed: Seed) -> np.random.Generator:
    """The generator ``CoProductionModel(rng=seed)`` draws from.

    For an integer seed Mesa makes ``np.random.default_rng(seed)`` and draws nothing
    from it (made here directly: a Mesa model costs a tenth of a millisecond); any other
    seed goes through Mesa itself, which draws a seed for ``random`` from the generator
    first. ``tests/test_batch.py`` checks both against the model's own generator.
    """
    if isinstance(seed, int):
        return np.random.default_rng(seed)
    return mesa.Model(rng=seed).rng


def _passes(checked: list[RunParams]) -> Iterable[list[int]]:
    """Indices of the runs stepped together: the same parameters, and no managers who may
    change the rules (those alone), at most BATCH_AGENTS agents a pass."""
    together: dict[Any, list[int]] = {}
    for i, p in enumerate(checked):
        key: Any = p if p.manager_adaptation <= 0 else i
        together.setdefault(key, []).append(i)
    for members in together.values():
        first = checked[members[0]]
        n = sum(getattr(first, k) for k in (*LAY_COUNTS, *PROFESSIONAL_COUNTS))
        size = max(1, BATCH_AGENTS // max(n, 1))
        for start in range(0, len(members), size):
            yield members[start : start + size]


def run_batch(
    runs_: Iterable[tuple[Mapping[str, Any], Seed]],
    *,
    weeks: int | None = None,
    timeseries: bool = False,
) -> list[Any]:
    """Run many runs in vectorised passes; per run, what it gives when made alone.

    ``runs_`` is a sequence of ``(params, seed)``; ``weeks``, if given, sets every run's
    ``weeks``. Returns one entry per run, in order: its final metrics, exactly
    ``CoProductionModel(rng=seed, **params).run()``, or with ``timeseries`` the pair
    (final metrics, weekly history), the history being the model's ``history``
    (weeks x metrics, ``metrics.METRIC_NAMES`` order). Invalid parameters raise
    ``ParamError`` before anything runs.
    """
    given = list(runs_)
    checked = [
        RunParams.from_values(dict(values) if weeks is None else {**values, "weeks": weeks})
        for values, _ in given
    ]
    out: list[Any] = [None] * len(given)
    for members in _passes(checked):
        batch = Batch(checked[members[0]], [generator(given[i][1]) for i in members])
        batch.run()
        for r, i in enumerate(members):
            history = batch.history[r]
            final = metrics.aggregate(history)
            out[i] = (final, history.copy()) if timeseries else final
    return out
