"""Many runs in one vectorised pass: :func:`run_batch` (issue 12).

A default-size run is mostly numpy call overhead: each week makes about 150 calls of
about a microsecond whatever the population. Runs side by side are just more groups, so
:class:`Runs` steps several runs through each rule at once: their agents and groups are
laid end to end in one state (``simulation.runs``), each run's random numbers are keyed
by the run (``simulation.draws``), and the few sums that must be each run's own are taken
run by run.

One implementation. :class:`Runs` holds the weekly rules (``_rules_week``), and
``CoProductionModel`` is a :class:`Runs` of one run: the single run *is* a batch of one,
and a batch calls the same rule functions, which act on one run or on several
(``simulation.runs``).

Bit-identical. Each run's final metrics and weekly history are the same, to the last bit,
as the same run made alone with ``CoProductionModel(rng=seed, **params).run()``, whatever
else shares its batch and in whatever order (``tests/test_batch.py``):

- each run draws its people from its own generator, made as ``CoProductionModel`` makes
  it, and then its weekly numbers keyed by the run (a key from that generator), the week,
  the rule and the entry (``simulation.draws``): the same numbers as alone;
- every sum over a run's agents or groups is taken over that run's block alone, the same
  way as alone (``runs.total``, ``runs.dot``; per-group sums are each group's own);
- a run whose meeting nobody came to while others met draws nothing and keeps its
  belonging, as alone (``Talk.met``); everything else the rules do for it is adding zero.

What may share a pass: runs that agree on :data:`SHARED`, the parameters the weekly rules
read and the shape of a run (population, group size); everything else (compensation,
pace, meeting format, budget, outreach, length, most assumptions...) only sets each run
up, and each run is set up as ``CoProductionModel`` sets it up (its own draws, the
arithmetic between them done once for the runs drawn alike: ``population.build_runs``
of runs that agree on ``population.DRAWN_WITH``, as a sweep's design points that vary
compensation or pace do), then laid end to end. Runs whose managers may change the
rules (``manager_adaptation`` above 0) go alone: their rules diverge. :func:`run_batch`
sorts any mix of runs into such passes (:func:`run_params` the same, for parameters
already built and not checked).
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
    """The weekly rules over runs side by side (one run, or several that share a pass).

    ``state`` holds every run's agents (``simulation.runs``); ``latest`` is each metric's
    value this week: a float for one run, an array of one value per run for several (a
    Batch without weekly series leaves NaN, before its runs' last quarters, the metrics
    only read there: see Batch).
    """

    params: RunParams
    rules: RunParams  # the rules in force: ``params`` until managers change them
    choices: Choices | None  # decisions taken from outside the model (simulation.choices)

    def _start_runs(
        self, checked: RunParams | Sequence[RunParams], rngs: Sequence[np.random.Generator]
    ) -> None:
        """Draw each run's people from its generator and set the runs going.

        ``checked``: the parameters (of every run, or one set per run); runs side by side
        must agree on :data:`SHARED` (see :func:`key`).
        """
        n_runs = len(rngs)
        each = [checked] * n_runs if isinstance(checked, RunParams) else list(checked)
        distinct = {id(p): p for p in each}.values()  # runs of a design point share theirs
        if len({key(p) for p in distinct}) > 1 or (n_runs > 1 and goes_alone(each[0])):
            raise ValueError("these runs cannot share a pass: see simulation.batch.key")
        self.params = self.rules = each[0] if n_runs == 1 else joined_params(each)
        self.rng = rngs[0]  # the model's generator (Mesa's attribute) for one run
        # Each run's people are drawn from its own generator as CoProductionModel draws
        # them, those drawn alike together (population.build_runs: the same parameters,
        # or the same population.DRAWN_WITH); then laid end to end, with each run's
        # settings, costs and room (made for each stretch of the same parameters).
        drawn, parts = [], []
        for first, a, b, stretches in _drawn_together(_stretches(each)):
            drawn.append(population.build_runs(first, rngs[a:b]))
            parts += [(p, population.part(drawn[-1], lo - a, hi - a)) for p, lo, hi in stretches]
        # Then each run's key for its weekly draws (simulation.draws), from its generator.
        self.draws = runs.Keyed([_run_key(rng) for rng in rngs])
        self.state = population.stack(drawn)
        self.setting, self.costs, self.room = _fixed(parts)
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
        # Meetings whose carried metrics are replaced by the next one's before this week
        # skip them (Batch without weekly series: nobody reads those weeks' values).
        self.carry_from = 0
        self._who = metrics.subgroups(self.state)
        self._carried = metrics.at_meetings(self.state, self.rules, self._who, None, 0)
        zero_totals = {"cost": zero(), "insights": zero()}  # week 0 adds to no run's sums
        self.latest = metrics.weekly(
            self.state, self.rules, self._carried, None, None, money.Flows(), zero_totals, 0
        )

    def _rules_week(self, week: int) -> None:
        """Week ``week``: the rules of docs/concept.md, in order, over all agents at once;
        then this week's metrics (``latest``)."""
        s, p = self.state, self.rules
        draws = self.draws
        draws.week = week
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
        if meets and week + p.active_weeks > self.carry_from:  # (see Batch)
            # replaced by the next meeting's before the last quarters: only pooled in parity
            unread = week + p.meeting_interval <= self.carry_from
            self._carried = metrics.at_meetings(s, self.rules, self._who, talk, week, unread)
        sums_only = week < self.carry_from  # before every run's last quarter (see Batch)
        self.latest = metrics.weekly(
            s,
            self.rules,
            self._carried,
            insights,
            decided,
            flows,
            self._totals,
            week,
            changes,
            sums_only,
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
    """Runs side by side, one per generator, stepped together to the end of the longest."""

    def __init__(
        self,
        params: RunParams | Sequence[RunParams],
        rngs: Sequence[np.random.Generator],
        series: bool = True,
    ) -> None:
        """``series=False``: only each run's final metrics will be read (its summary of
        the weeks, metrics.aggregate), not every week's values: before the first run's
        last quarter each week measures only the metrics summed over the weeks
        (``metrics.weekly``'s ``sums_only``; the rest are NaN in ``history``), and a
        meeting whose carried metrics are replaced before then only enters parity's pool."""
        self._start_runs(params, rngs)
        each = [params] * len(rngs) if isinstance(params, RunParams) else list(params)
        self.weeks = [p.weeks for p in each]
        if not series and self.rules.manager_adaptation <= 0:  # meetings at a fixed interval
            # The metrics carried between meetings are all rates of the last quarter or
            # final values (tests/test_batch.py), so a meeting's are read only if they are
            # still carried when the first run's last quarter begins, or pooled into
            # participation parity then (the last active_meetings meetings: active_weeks).
            self.carry_from = min(w - metrics.tail_weeks(w) + 1 for w in self.weeks)
        # (runs, weeks, metrics): each run's weekly values, as CoProductionModel.history
        # (a run shorter than the longest: its first weeks; what follows is not its own).
        self.history: Floats = np.zeros((len(rngs), max(self.weeks), len(metrics.METRIC_NAMES)))

    def run(self) -> None:
        """Step every run through its weeks, recording each week's metrics."""
        for week in range(1, self.history.shape[1] + 1):
            self._rules_week(week)
            # each metric's value per run -> this week's (runs, metrics): the floats, copied
            row, values = self.history[:, week - 1], [self.latest[n] for n in metrics.METRIC_NAMES]
            if row.shape[0] == 1:  # one run: floats
                row[0] = values
            else:
                np.stack(values, axis=-1, out=row)

    def run_history(self, r: int) -> Floats:
        """Run ``r``'s weekly history (weeks x metrics), as ``CoProductionModel.history``."""
        return self.history[r, : self.weeks[r]]


# What runs side by side must share: everything the weekly rules read from the parameters
# (the rest only sets each run up: its people, settings and costs, made run by run), and
# the shape of a run (its population and groups). tests/test_batch.py checks the list
# against the rules' code.
SHARED: tuple[str, ...] = (
    # the shape of a run
    *("n_patients", "n_carers", "n_clinicians", "n_managers", "group_size"),
    *("refund_delay", "active_meetings"),
    # read every week (rules 1-9 and the metrics)
    *("meeting_interval", "manager_adaptation", "flare_rate", "weight_belonging"),
    *("weight_benefit_fear", "weight_motivation", "weight_trust", "heard_base"),
    *("heard_credibility", "speak_base", "k_routine", "k_unexpected", "items_base"),
    *("items_pace", "credibility_fade", "tie_decay", "trust_rate", "trust_weight_recognition"),
    *("credibility_gain", "credibility_loss", "credit_cap", "accountability", "evidence_rate"),
    *("professional_credibility_rate", "recognition_initial", "recognition_rate"),
    *("recognition_weight_ties", "benefit_rules", "cash_recovery"),
    *("suspension_weeks", "uc_assessment_weeks", "uc_taper", "word_of_mouth", "heard_ref"),
    *("professional_pay", "value_ref", "aspiration", "benefit_shock", "burnout", "fear_fade"),
    *("motivation_rate", "return_rate", "satisfaction_rate", "value_rate", "parity_eps"),
    *("initial_satisfaction", "strong_tie"),
)
# Read by the metrics, one value per run: held as an array of one per run when they differ.
PER_RUN: tuple[str, ...] = (
    *("budget", "payment_rate", "share_older", "digital_access_share"),
    *("digital_access_share_older", "language_barrier_share", "low_health_literacy_share"),
)


def key(p: RunParams) -> tuple[Any, ...]:
    """Runs whose parameters have the same key may share a pass."""
    return tuple(getattr(p, name) for name in SHARED)


def joined_params(each: Sequence[RunParams]) -> RunParams:
    """The parameters of runs side by side: the shared ones; for :data:`PER_RUN`, an array
    of one value per run where they differ; any other that differs is None (the weekly
    rules never read it: reading it would fail loudly)."""
    first = each[0]
    # Runs of one design point share one RunParams (run_batch): compare the distinct ones.
    distinct = list({id(p): p for p in each}.values())
    differ: dict[str, Any] = {}
    for name in RunParams.__dataclass_fields__:
        if all(getattr(p, name) == getattr(first, name) for p in distinct):
            continue
        values = [getattr(p, name) for p in each]
        if any(v != values[0] for v in values):
            differ[name] = np.array(values, dtype=float) if name in PER_RUN else None
    return replace(first, **differ)


def _stretches(each: Sequence[RunParams]) -> list[tuple[RunParams, int, int]]:
    """Runs ``start .. stop - 1`` of the same parameters (the same RunParams: runs of one
    design point, next to each other, :func:`_passes`), as ``(params, start, stop)``."""
    found = []
    start = 0
    while start < len(each):
        p, stop = each[start], start + 1
        while stop < len(each) and each[stop] is p:
            stop += 1
        found.append((p, start, stop))
        start = stop
    return found


def _drawn_together(
    stretches: list[tuple[RunParams, int, int]],
) -> list[tuple[RunParams, int, int, list[tuple[RunParams, int, int]]]]:
    """Stretches next to each other whose people are drawn alike (the same
    ``population.DRAWN_WITH``: a sweep's design points that vary compensation or pace), as
    ``(params, start, stop, stretches)``: runs ``start .. stop - 1`` drawn together with
    the first stretch's parameters."""
    joined: list[tuple[RunParams, int, int, list[tuple[RunParams, int, int]]]] = []
    last: tuple[Any, ...] | None = None
    for p, a, b in stretches:
        drawn_with = tuple(getattr(p, name) for name in population.DRAWN_WITH)
        if joined and drawn_with == last:
            first, start, _, together = joined[-1]
            joined[-1] = (first, start, b, [*together, (p, a, b)])
        else:
            joined.append((p, a, b, [(p, a, b)]))
        last = drawn_with
    return joined


def _fixed(
    parts: Sequence[tuple[RunParams, population.State]],
) -> tuple[setting.Setting, participation.Costs, meeting.Room]:
    """The settings, costs and room of runs side by side, given as ``parts``: the state of
    each stretch of runs of the same parameters, with those parameters. They are made
    entry by entry (per agent or per group, from its own values and the parameters):
    once for each stretch, the numbers each run's alone would be."""
    settings, costs, rooms, sizes = [], [], [], []
    for p, part in parts:
        settings.append(setting.build(part, p))
        costs.append(participation.prepare(part, p, settings[-1]))
        rooms.append(meeting.prepare(part, p, settings[-1]))
        sizes.append(part.n)
    return _joined(settings, sizes), _joined(costs, sizes), _joined(rooms, sizes)


def _joined[T](parts: Sequence[T], sizes: Sequence[int]) -> T:
    """Per-agent (or per-group) dataclasses of runs, end to end (``simulation.runs``);
    ``sizes`` holds each part's number of agents (a part may hold several runs).

    Arrays are joined along their first axis; a flag that differs between runs becomes a
    per-agent array (``participation.Costs.refunded``); None stays None.
    """
    first = parts[0]
    if len(parts) == 1:
        return first
    joined: dict[str, Any] = {}
    for name in first.__dataclass_fields__:  # type: ignore[attr-defined]
        values = [getattr(part, name) for part in parts]
        if isinstance(values[0], np.ndarray):
            joined[name] = np.concatenate(values)
        elif all(v == values[0] for v in values):
            joined[name] = values[0]
        else:
            joined[name] = np.repeat(np.array(values), sizes)
    return type(first)(**joined)


def _run_key(rng: np.random.Generator) -> Any:
    """A run's key for its weekly draws: ``rng.integers(runs.KEY_RANGE, dtype=np.uint64)``.

    Over the whole range of 64 bits numpy takes the generator's next 64-bit word as it
    is; for PCG64 (every generator :func:`generator` makes from a seed) that word is
    ``random_raw()``, at a tenth of the cost (tests/test_batch.py).
    """
    if type(rng.bit_generator) is np.random.PCG64:
        return rng.bit_generator.random_raw()
    return rng.integers(runs.KEY_RANGE, dtype=np.uint64)


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


def goes_alone(p: RunParams) -> bool:
    """Whether runs of ``p`` are stepped one a pass: their managers may change the rules."""
    return p.manager_adaptation > 0


def pass_size(p: RunParams) -> int:
    """Most runs of parameters ``p`` stepped in one pass (BATCH_AGENTS agents)."""
    n = sum(getattr(p, k) for k in (*LAY_COUNTS, *PROFESSIONAL_COUNTS))
    return max(1, BATCH_AGENTS // max(n, 1))


def _passes(checked: list[RunParams]) -> Iterable[list[int]]:
    """Indices of the runs stepped together: those of the same :func:`key` (runs whose
    managers may change the rules go alone), at most BATCH_AGENTS agents a pass."""
    together: dict[Any, list[int]] = {}
    for i, p in enumerate(checked):
        k: Any = i if goes_alone(p) else key(p)
        together.setdefault(k, []).append(i)
    first_of: dict[int, int] = {}  # runs of the same parameters next to each other (Runs)
    for i, p in enumerate(checked):
        first_of.setdefault(id(p), i)
    for members in together.values():
        members.sort(key=lambda i: first_of[id(checked[i])])
        # As few passes as BATCH_AGENTS allows, of equal size (a short last pass costs
        # nearly as much as a full one).
        count = -(-len(members) // pass_size(checked[members[0]]))
        size = -(-len(members) // count)
        for start in range(0, len(members), size):
            yield members[start : start + size]


def _content(values: Mapping[str, Any]) -> Any:
    """What makes two parameter mappings check the same: their names, and each value with
    its type (``1``, ``1.0`` and ``True`` are equal in Python but not to the schema); the
    mapping's identity when a value cannot be hashed."""
    try:
        same = tuple((name, type(v), v) for name, v in values.items())
        hash(same)
    except TypeError:
        return id(values)
    return same


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
    ``ParamError`` before anything runs. A seed may be an int, None or a Generator; one
    Generator given to two runs is drawn from by both at once (alone, one after the
    other), so give each run its own.
    """
    given = list(runs_)
    # Runs often share their parameters (a sweep's replicates of a design point): each
    # distinct mapping is checked once (RunParams is frozen, so sharing it is safe).
    # One mapping given for many runs (a sweep's replicates share their point's) is
    # looked at once: ``given`` holds every mapping, so no id is reused meanwhile.
    seen: dict[Any, RunParams] = {}
    by_id: dict[int, RunParams] = {}
    checked = []
    for given_values, seed in given:
        params = by_id.get(id(given_values))
        if params is None:
            same = _content(given_values)
            if same not in seen:
                seen[same] = RunParams.from_values(
                    dict(given_values) if weeks is None else {**given_values, "weeks": weeks}
                )
            params = by_id[id(given_values)] = seen[same]
        checked.append((params, seed))
    return run_params(checked, timeseries=timeseries)


def run_params(runs_: Iterable[tuple[RunParams, Seed]], *, timeseries: bool = False) -> list[Any]:
    """:func:`run_batch` of parameters already built, taken as they are: no range checks.

    For analysis only, as ``CoProductionModel.from_params`` (``experiments.mechanisms``
    switches mechanisms off with values outside the plausible ranges): each entry is what
    that model gives, ``from_params(params, rng=seed)``. Give runs of the same parameters
    one RunParams object: they are set up together, which is faster (:func:`_passes`).
    """
    given = list(runs_)
    checked = [params for params, _ in given]
    out: list[Any] = [None] * len(given)
    for members in _passes(checked):
        batch = Batch(
            [checked[i] for i in members], [generator(given[i][1]) for i in members], timeseries
        )
        batch.run()
        # every run's metrics.aggregate, those of the same length at once
        finals = metrics.aggregate_runs(batch.history, batch.weeks)
        for r, i in enumerate(members):
            final = finals[r]
            out[i] = (final, batch.run_history(r).copy()) if timeseries else final
    return out
