"""The ten patterns of docs/concept.md as data: one definition, shared by the tests
(``tests/test_patterns.py``) and ``coprod robustness`` (:mod:`experiments.robustness`).

A :class:`Pattern` is a claim in plain words and the checks that test it. Each check
compares named *scenarios* (a few parameter values; everything else at its default)
run over the same seeds, so that both sides of a contrast share their populations (a
paired design):

- :class:`Contrast`: a statistic is lower under ``low`` than under ``high``: the mean
  and the median of the paired differences are above 0 (the direction) and a
  one-sided Wilcoxon signed-rank test gives p < :data:`ALPHA`;
- :class:`Trend`: a statistic rises along three or more scenarios, seed by seed
  (Page's trend test, p < ALPHA);
- :class:`Bound`: the mean, smallest or largest value of a statistic over the seeds
  is above (``>``) or equal to (``==``) a number, e.g. "never any benefit loss".

A *statistic* is a final metric (``simulation.metrics.METRIC_NAMES``) or one of
:data:`STATISTICS`, a named function of the final metrics and the weekly history.

:func:`evaluate` runs a pattern's scenarios (through a ``run(params, seed)`` function:
the tests' cached one, or any other) and returns an :class:`Evaluation`: ``holds``
(every check passes), ``effect`` and ``p_value`` of the pattern's first check, its
*primary* contrast. The effect is the matched-pairs rank-biserial correlation of the
paired differences (Kerby 2014), the effect size that goes with the Wilcoxon test:
``(R+ - R-) / (R+ + R-)`` with R+ (R-) the sum of the ranks of the absolute
differences that go the pattern's way (the other way), zero differences left out as
the test leaves them out. It runs from -1 to 1, is positive in the pattern's
direction, 1 when every seed shows the pattern, and 0 (not NaN) when no seed shows
any difference. :func:`evaluate_data` does the same from statistics already computed,
which is how ``coprod robustness`` uses it.

A pair whose statistic is not a finite number on either side (a ratio over zero
attendance, a failed run) is left out of that check; a check with no pair left fails.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from simulation.metrics import METRIC_NAMES

# scipy (0.3 s to import) is imported inside the tests that use it, so that `coprod`
# can list and check the patterns without waiting for it.

ALPHA = 0.01  # every test of every pattern: p below this
Scenario = tuple[tuple[str, Any], ...]  # sorted (name, value) pairs: hashable, comparable
Final = Mapping[str, float]
History = np.ndarray  # weeks x METRIC_NAMES
Run = Callable[[dict[str, Any], int], tuple[Final, History]]


def scenario(**values: Any) -> Scenario:
    """A scenario: parameter values, as sorted (name, value) pairs."""
    return tuple(sorted(values.items()))


def show_scenario(s: Scenario) -> str:
    """``compensation=none, pace=0.2`` (``defaults`` when it sets nothing)."""
    return ", ".join(f"{k}={v}" for k, v in s) or "defaults"


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Statistic:
    """A named function of a run's final metrics and weekly history."""

    name: str
    help: str
    function: Callable[[Final, History | None], float]
    history: bool  # whether it reads the weekly history


def _low_money_gap(final: Final, history: History | None) -> float:
    lay = final["participation_lay"]
    return final["participation_low_money"] / lay if lay else math.nan


def _rights_based_drop(final: Final, history: History | None) -> float:
    assert history is not None, "rights_based_drop reads the weekly history"
    series = history[:, METRIC_NAMES.index("participation_rights_based")]
    quarter = max(1, len(series) // 4)
    return float(series[:quarter].mean() - series[-quarter:].mean())


STATISTICS: dict[str, Statistic] = {
    s.name: s
    for s in (
        Statistic(
            "low_money_gap",
            "attendance of people with little money as a share of lay attendance "
            "(participation_low_money / participation_lay)",
            _low_money_gap,
            history=False,
        ),
        Statistic(
            "rights_based_drop",
            "weekly attendance of rights-based participants in the first quarter of the "
            "programme minus that in the last quarter",
            _rights_based_drop,
            history=True,
        ),
    )
}


def needs_history(statistic: str) -> bool:
    return statistic in STATISTICS and STATISTICS[statistic].history


def statistic_value(statistic: str, final: Final, history: History | None = None) -> float:
    """The value of ``statistic`` (a metric or a :data:`STATISTICS` name) for one run."""
    if statistic in STATISTICS:
        return float(STATISTICS[statistic].function(final, history))
    return float(final[statistic])


# --------------------------------------------------------------------------- the tests


@dataclass(frozen=True)
class Outcome:
    """What one check found: passed, its p-value (NaN if it has none), effect, in words."""

    passed: bool
    p_value: float
    effect: float
    note: str
    low_mean: float = math.nan  # a contrast's mean under its low and its high scenario
    high_mean: float = math.nan


def rank_biserial(differences: Sequence[float]) -> float:
    """Matched-pairs rank-biserial correlation of ``differences`` (0 when all are 0)."""
    # scipy: only when a pattern is tested
    from scipy.stats import rankdata

    d = np.asarray(differences, dtype=float)
    d = d[d != 0]
    if not d.size:
        return 0.0
    ranks = rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def wilcoxon_less(low: np.ndarray, high: np.ndarray) -> float:
    """One-sided Wilcoxon signed-rank p that ``low`` is below ``high`` (1 when equal)."""
    # scipy: only when a pattern is tested
    from scipy import stats

    if not np.any(high - low):
        return 1.0
    with warnings.catch_warnings():  # few pairs, zeros or ties: scipy says so; p stands
        warnings.simplefilter("ignore")
        return float(stats.wilcoxon(low, high, alternative="less").pvalue)


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def paired_test(low: np.ndarray, high: np.ndarray, direction: str = "median and mean") -> Outcome:
    """Whether values are lower under ``low`` than under ``high`` (paired by position).

    ``direction``: "median and mean" (both of the differences high - low above 0),
    "mean", or "none" (the Wilcoxon test alone).
    """
    a, b = _paired(np.asarray(low, dtype=float), np.asarray(high, dtype=float))
    if not a.size:
        return Outcome(False, 1.0, 0.0, "no pair of finite values")
    diff = b - a
    checks = {"median and mean": (np.median(diff) > 0, diff.mean() > 0), "mean": (diff.mean() > 0,)}
    right_way = all(checks.get(direction, ()))
    p = wilcoxon_less(a, b)
    note = f"means {a.mean():.4g} vs {b.mean():.4g}, p = {p:.3g}" + (
        "" if right_way else f" (expected lower under the first; {direction} of differences ≤ 0)"
    )
    passed = bool(right_way and p < ALPHA)
    return Outcome(passed, p, rank_biserial(diff), note, float(a.mean()), float(b.mean()))


# --------------------------------------------------------------------------- the checks

Data = Mapping[tuple[Scenario, str], np.ndarray]  # (scenario, statistic) -> values by seed


@dataclass(frozen=True)
class Contrast:
    """``statistic`` is lower under ``low`` than under ``high`` (see :func:`paired_test`)."""

    low: Scenario
    high: Scenario
    statistic: str
    direction: str = "median and mean"

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return (self.low, self.high)

    def test(self, data: Data) -> Outcome:
        found = paired_test(
            data[(self.low, self.statistic)], data[(self.high, self.statistic)], self.direction
        )
        return replace(found, note=f"{self}: {found.note}")

    def __str__(self) -> str:
        return (
            f"{self.statistic} lower under [{show_scenario(self.low)}] "
            f"than under [{show_scenario(self.high)}]"
        )


@dataclass(frozen=True)
class Trend:
    """``statistic`` rises along ``steps``, seed by seed (Page's trend test)."""

    steps: tuple[Scenario, ...]
    statistic: str

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return self.steps

    def test(self, data: Data) -> Outcome:
        # scipy: only when a pattern is tested
        from scipy import stats

        table = np.column_stack([data[(s, self.statistic)] for s in self.steps])
        table = table[np.isfinite(table).all(axis=1)]
        if len(table) < 2:
            return Outcome(False, 1.0, math.nan, f"{self}: fewer than 2 seeds with values")
        p = float(stats.page_trend_test(table).pvalue)
        return Outcome(p < ALPHA, p, math.nan, f"{self}: Page's p = {p:.3g}")

    def __str__(self) -> str:
        steps = " < ".join(f"[{show_scenario(s)}]" for s in self.steps)
        return f"{self.statistic} rises along {steps}"


_AGGREGATES: dict[str, Callable[[np.ndarray], float]] = {
    "mean": np.mean,
    "min": np.min,
    "max": np.max,
}


@dataclass(frozen=True)
class Bound:
    """The ``aggregate`` (mean, min, max) over seeds of ``statistic`` under ``where`` is
    ``relation`` (``>`` or ``==``) ``value``."""

    where: Scenario
    statistic: str
    aggregate: str
    relation: str
    value: float = 0.0

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return (self.where,)

    def test(self, data: Data) -> Outcome:
        values = np.asarray(data[(self.where, self.statistic)], dtype=float)
        values = values[np.isfinite(values)]
        if not values.size:
            return Outcome(False, math.nan, math.nan, f"{self}: no finite value")
        got = float(_AGGREGATES[self.aggregate](values))
        ok = got > self.value if self.relation == ">" else got == self.value
        return Outcome(bool(ok), math.nan, math.nan, f"{self}: it is {got:.4g}")

    def __str__(self) -> str:
        return (
            f"{self.aggregate} of {self.statistic} under [{show_scenario(self.where)}] "
            f"{self.relation} {self.value:g}"
        )


Check = Contrast | Trend | Bound


@dataclass(frozen=True)
class Pattern:
    """One pattern: its number and name in docs/concept.md, the claim, the checks.

    The first check is the primary contrast: its effect and p-value stand for the pattern.
    """

    number: int
    name: str
    claim: str
    checks: tuple[Check, ...]

    def __post_init__(self) -> None:
        assert isinstance(self.checks[0], Contrast), "the first check is the primary contrast"

    @property
    def primary(self) -> Contrast:
        return self.checks[0]  # type: ignore[return-value]

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        """Every scenario the checks run, once each, in order."""
        return tuple(dict.fromkeys(s for c in self.checks for s in c.scenarios))

    @property
    def needs(self) -> tuple[tuple[Scenario, str], ...]:
        """Every (scenario, statistic) the checks read."""
        return tuple(dict.fromkeys((s, c.statistic) for c in self.checks for s in c.scenarios))

    @property
    def title(self) -> str:
        return f"{self.number}. {self.claim}"


@dataclass(frozen=True)
class Evaluation:
    """A pattern tested on some seeds: holds, the primary effect and p, every outcome."""

    pattern: Pattern
    holds: bool
    effect: float
    p_value: float
    outcomes: tuple[Outcome, ...] = field(default=())

    def explain(self) -> str:
        """The failed checks, one a line (for an assertion message)."""
        failed = [o.note for o in self.outcomes if not o.passed]
        return f"pattern {self.pattern.title}\n  " + "\n  ".join(failed or ["(all checks pass)"])


def evaluate_data(pattern: Pattern, data: Data) -> Evaluation:
    """Test ``pattern`` on ``data``: (scenario, statistic) -> values, one per seed, paired."""
    outcomes = tuple(check.test(data) for check in pattern.checks)
    primary = outcomes[0]
    return Evaluation(
        pattern, all(o.passed for o in outcomes), primary.effect, primary.p_value, outcomes
    )


def scenario_params(
    s: Scenario, base: Mapping[str, Any] | None = None, weeks: int | None = None
) -> dict[str, Any]:
    """The model's keyword arguments for scenario ``s``: ``base`` (assumption values),
    then ``weeks``, then the scenario's own values (a scenario that sets weeks keeps it)."""
    out = dict(base or {})
    if weeks is not None:
        out["weeks"] = weeks
    out.update(s)
    return out


def evaluate(
    pattern: Pattern,
    run: Run,
    seeds: Sequence[int],
    base: Mapping[str, Any] | None = None,
    weeks: int | None = None,
) -> Evaluation:
    """Run ``pattern``'s scenarios on ``seeds`` with ``run(params, seed) -> (final metrics,
    weekly history)`` and test it (see :func:`scenario_params` for base and weeks)."""
    data: dict[tuple[Scenario, str], np.ndarray] = {}
    for s in pattern.scenarios:
        runs = [run(scenario_params(s, base, weeks), seed) for seed in seeds]
        for where, statistic in pattern.needs:
            if where == s:
                data[(s, statistic)] = np.array(
                    [statistic_value(statistic, final, history) for final, history in runs]
                )
    return evaluate_data(pattern, data)


# --------------------------------------------------------------------------- the ten

SAFE_PROMPT = {"refund_delay": 0, "benefit_safe": True}
FAST, SLOW = scenario(pace=0.9), scenario(pace=0.2)
_NONE = scenario(**SAFE_PROMPT, compensation="none")
_EXPENSES = scenario(**SAFE_PROMPT, compensation="expenses")
_PAID = scenario(**SAFE_PROMPT, compensation="paid")
_UNSAFE = scenario(compensation="paid", benefit_safe=False)
_SAFE = scenario(compensation="paid", benefit_safe=True)
_LATE, _PROMPT = scenario(refund_delay=12), scenario(refund_delay=0)
_TOKEN, _SHARED = scenario(power_sharing=0.05), scenario(power_sharing=0.8)
_OCCASIONAL = scenario(compensation="none", meeting_interval=4)
_CO_EVERYTHING = scenario(compensation="none", meeting_interval=1)
_LONG_SLOW, _SHORT_SLOW = scenario(pace=0.2, weeks=104), scenario(pace=0.2, weeks=12)

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        1,
        "unpaid-participation",
        "unpaid participation favours people with money and time",
        (
            # Prompt, benefit-safe schemes so that only the level of compensation differs.
            Contrast(_NONE, _EXPENSES, "participation_parity"),
            Contrast(_NONE, _PAID, "participation_parity"),
            Contrast(_NONE, _EXPENSES, "participation_low_money"),
            Trend((_NONE, _EXPENSES, _PAID), "participation_parity"),
        ),
    ),
    Pattern(
        2,
        "benefit-loss",
        "payment counted as income pushes people on benefits out",
        (
            Contrast(_UNSAFE, _SAFE, "participation_benefits"),
            Contrast(_SAFE, _UNSAFE, "benefit_loss_events"),
            Bound(_SAFE, "benefit_loss_events", "max", "==", 0.0),
            Bound(_UNSAFE, "benefit_loss_events", "min", ">", 0.0),
        ),
    ),
    Pattern(
        3,
        "late-refunds",
        "late refunds keep out people with little money",
        (
            Contrast(_LATE, _PROMPT, "participation_low_money"),
            # People with money at hand are barely touched: the gap is a gap of means.
            Contrast(_LATE, _PROMPT, "low_money_gap", direction="mean"),
        ),
    ),
    Pattern(
        4,
        "travel-support",
        "travel support brings disabled people in",
        (
            Contrast(
                scenario(travel_support=False),
                scenario(travel_support=True),
                "participation_disabled",
            ),
        ),
    ),
    Pattern(
        5,
        "fast-meetings",
        "fast meetings under-recognise lived experience (and slow ones cost more)",
        (
            Contrast(FAST, SLOW, "experiential_share"),
            Contrast(FAST, SLOW, "insights_unexpected"),
            Contrast(FAST, SLOW, "programme_cost"),
        ),
    ),
    Pattern(
        6,
        "long-slow-spaces",
        "long, slow spaces build ties and trust; short or fast ones do not",
        (
            Contrast(_SHORT_SLOW, _LONG_SLOW, "cross_role_ties"),
            Contrast(_SHORT_SLOW, _LONG_SLOW, "mean_trust"),
            Contrast(FAST, SLOW, "cross_role_ties"),
            Contrast(FAST, SLOW, "mean_trust"),
        ),
    ),
    Pattern(
        7,
        "tokenism",
        "tokenism drives rights-based participants away over time",
        (
            Contrast(_TOKEN, _SHARED, "participation_rights_based"),
            # Over time: attendance drops from the first to the last quarter under
            # tokenism, and more than under shared power.
            Bound(_TOKEN, "rights_based_drop", "mean", ">", 0.0),
            Contrast(_SHARED, _TOKEN, "rights_based_drop", direction="none"),
        ),
    ),
    Pattern(
        8,
        "rationales-conflict",
        "rationales conflict over the pace of meetings",
        (
            # Fast, agenda-driven meetings please managerial participants ...
            Contrast(SLOW, FAST, "satisfaction_managerial"),
            # ... and disappoint experience-based ones.
            Contrast(FAST, SLOW, "satisfaction_experience"),
        ),
    ),
    Pattern(
        9,
        "user-led-funding",
        "funding user-led projects yields more lay knowledge",
        (
            Contrast(
                scenario(user_led_funding=0.0),
                scenario(user_led_funding=0.5),
                "insights_lay_origin",
            ),
        ),
    ),
    Pattern(
        10,
        "co-everything",
        "co-everything without resources makes precarious unpaid labour",
        (
            Contrast(_OCCASIONAL, _CO_EVERYTHING, "unpaid_hours_per_lay_participant"),
            Contrast(_OCCASIONAL, _CO_EVERYTHING, "lay_out_of_pocket"),
            # The load falls on fewer people: lay attendance drops as the demands rise.
            Contrast(_CO_EVERYTHING, _OCCASIONAL, "participation_lay"),
        ),
    ),
)
PATTERN_BY_NUMBER: dict[int, Pattern] = {p.number: p for p in PATTERNS}


def find_pattern(text: str) -> Pattern:
    """The pattern numbered or named ``text`` (``4``, ``travel-support``); KeyError if none."""
    key = str(text).strip().lower()
    for p in PATTERNS:
        if key in (str(p.number), p.name):
            return p
    raise KeyError(text)
