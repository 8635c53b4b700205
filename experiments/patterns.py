"""The patterns (docs/concept.md: issue 10's twelve, then issue 11's) as data: one
definition, shared by the tests (``tests/test_patterns.py``) and ``coprod robustness``
(:mod:`experiments.robustness`).

A :class:`Pattern` is a claim in plain words and the checks that test it. Each check
compares named *scenarios* (a few parameter values; everything else at its default)
run over the same seeds, so that both sides of a contrast share their populations (a
paired design):

- :class:`Contrast`: a statistic is lower under ``low`` than under ``high``: the mean
  and the median of the paired differences are above 0 (the direction) and a
  one-sided Wilcoxon signed-rank test gives p < :data:`ALPHA`; with a :class:`Size`,
  the ratio or the difference of the two means also lies within a band;
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

Effect sizes. Every pattern's primary contrast carries a band for the size of its
effect: the difference (or, for pattern 11, the ratio) of its two means. A band that
is part of the claim (pattern 11's "a small fraction": at most a tenth) is tested
wherever the pattern is. The others are bands around the effect at the model's
defaults, narrow enough that a bug which halves or doubles the effect fails (about
[D / 1.5, 1.5 D] around the defaults' difference D on seeds 0-19 and 20-39), and are
tested only at the defaults (:func:`evaluate` without ``base`` or ``weeks``), not by
``coprod robustness``: across the assumptions' plausible ranges the size of an effect
moves legitimately by a factor of 3 to 20 (the 10th to 90th percentile of the primary
differences over a 16-point run), so the defaults' bands would fail at most points and
"holds" would measure the distance from the defaults rather than whether the claim
holds. The claim there is the direction; the size is a regression test of the defaults.

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
class Size:
    """How big a contrast's effect is: its ``measure`` of the two means over the seeds,
    ``"ratio"`` (mean under low / mean under high) or ``"difference"`` (mean under high -
    mean under low), lies within ``within`` (both ends included).

    A size that is part of the pattern's ``claim`` ("a small fraction") is tested
    wherever the pattern is; any other is a band around the effect at the model's
    defaults, tested only there (see :func:`evaluate_data`).
    """

    measure: str
    within: tuple[float, float]
    claim: bool = False

    def __post_init__(self) -> None:
        assert self.measure in ("ratio", "difference"), self.measure
        assert self.within[0] <= self.within[1], self.within

    def value(self, low_mean: float, high_mean: float) -> float:
        if self.measure == "difference":
            return high_mean - low_mean
        return low_mean / high_mean if high_mean else math.nan

    def holds(self, low_mean: float, high_mean: float) -> bool:
        got = self.value(low_mean, high_mean)
        return bool(math.isfinite(got) and self.within[0] <= got <= self.within[1])

    def __str__(self) -> str:
        what = "low / high" if self.measure == "ratio" else "high - low"
        band = f"{self.measure} of the means ({what}) in [{self.within[0]:g}, {self.within[1]:g}]"
        return band if self.claim else f"{band} at the defaults"


@dataclass(frozen=True)
class Contrast:
    """``statistic`` is lower under ``low`` than under ``high`` (see :func:`paired_test`),
    and, with a ``size``, the effect is as big as the band says (see :class:`Size`)."""

    low: Scenario
    high: Scenario
    statistic: str
    direction: str = "median and mean"
    size: Size | None = None

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return (self.low, self.high)

    def test(self, data: Data, at_defaults: bool = False) -> Outcome:
        found = paired_test(
            data[(self.low, self.statistic)], data[(self.high, self.statistic)], self.direction
        )
        note, passed = f"{self}: {found.note}", found.passed
        if self.size is not None and (self.size.claim or at_defaults):
            got = self.size.value(found.low_mean, found.high_mean)
            fits = self.size.holds(found.low_mean, found.high_mean)
            passed = passed and fits
            note += f"; {self.size.measure} {got:.4g}" + ("" if fits else " outside the band")
        return replace(found, passed=passed, note=note)

    def __str__(self) -> str:
        text = (
            f"{self.statistic} lower under [{show_scenario(self.low)}] "
            f"than under [{show_scenario(self.high)}]"
        )
        return text if self.size is None else f"{text}, {self.size}"


@dataclass(frozen=True)
class Trend:
    """``statistic`` rises along ``steps``, seed by seed (Page's trend test)."""

    steps: tuple[Scenario, ...]
    statistic: str

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return self.steps

    def test(self, data: Data, at_defaults: bool = False) -> Outcome:
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

    def test(self, data: Data, at_defaults: bool = False) -> Outcome:
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


def evaluate_data(pattern: Pattern, data: Data, at_defaults: bool = False) -> Evaluation:
    """Test ``pattern`` on ``data``: (scenario, statistic) -> values, one per seed, paired.

    ``at_defaults``: the data come from the model's defaults, so the bands around the
    defaults' effect sizes are tested too (see :class:`Size`).
    """
    outcomes = tuple(check.test(data, at_defaults) for check in pattern.checks)
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
    at_defaults: bool | None = None,
) -> Evaluation:
    """Run ``pattern``'s scenarios on ``seeds`` with ``run(params, seed) -> (final metrics,
    weekly history)`` and test it (see :func:`scenario_params` for base and weeks).

    Without ``base`` and ``weeks`` the runs are at the model's defaults, and the
    defaults' effect-size bands are tested (see :class:`Size`); ``at_defaults`` says
    whether to test them when the caller knows better (a mechanism switched off is a
    departure from the defaults that the bands are there to catch).
    """
    data: dict[tuple[Scenario, str], np.ndarray] = {}
    for s in pattern.scenarios:
        runs = [run(scenario_params(s, base, weeks), seed) for seed in seeds]
        for where, statistic in pattern.needs:
            if where == s:
                data[(s, statistic)] = np.array(
                    [statistic_value(statistic, final, history) for final, history in runs]
                )
    if at_defaults is None:
        at_defaults = not base and weeks is None
    return evaluate_data(pattern, data, at_defaults=at_defaults)


# --------------------------------------------------------------------------- the twelve

SAFE_PROMPT = {"refund_delay": 0, "benefit_safe": True}
FAST, SLOW = scenario(pace=0.9), scenario(pace=0.2)
_NONE = scenario(**SAFE_PROMPT, compensation="none")
_EXPENSES = scenario(**SAFE_PROMPT, compensation="expenses")
_PAID = scenario(**SAFE_PROMPT, compensation="paid")
# Pattern 2 is the suspension rule's (legacy-20: above GBP 20 a week the benefit stops for
# suspension_weeks, as under ESA's lower limit); Universal Credit's taper is pattern 14's.
_UNSAFE = scenario(compensation="paid", benefit_safe=False, benefit_rules="legacy-20")
_SAFE = scenario(compensation="paid", benefit_safe=True, benefit_rules="legacy-20")
_LATE, _PROMPT = scenario(refund_delay=12), scenario(refund_delay=0)
_TOKEN, _SHARED = scenario(power_sharing=0.05), scenario(power_sharing=0.8)
_OCCASIONAL = scenario(compensation="none", meeting_interval=4)
_CO_EVERYTHING = scenario(compensation="none", meeting_interval=1)
_LONG_SLOW = scenario(pace=0.2, weeks=104)
_SHORT_SLOW, _YEAR_SLOW = scenario(pace=0.2, weeks=26), scenario(pace=0.2, weeks=52)
DEFAULTS = scenario()
# Lay people absent: no compensation and a fare of 200 (about one lay person ever comes).
_ABSENT = scenario(compensation="none", travel_cost=200.0)
# Lay people unheard: they come, but to fast meetings on a closed, professional agenda
# (lived experience is barely relevant there) with token power over decisions.
_UNHEARD = scenario(pace=0.9, agenda_openness=0.0, power_sharing=0.05)
_LONG_SLOW_OPEN = scenario(weeks=104, pace=0.2, agenda_openness=0.9)
_SHORT_SLOW_OPEN = scenario(weeks=26, pace=0.2, agenda_openness=0.9)
_LONG_FAST_CLOSED = scenario(weeks=104, pace=0.9, agenda_openness=0.0)
# Issue 11, UK benefit rules: paid meetings under Universal Credit or ESA.
_UC_UNSAFE = scenario(compensation="paid", benefit_safe=False, benefit_rules="uc")
_UC_SAFE = scenario(compensation="paid", benefit_safe=True, benefit_rules="uc")
_ESA_UNSAFE = scenario(compensation="paid", benefit_safe=False, benefit_rules="esa")


def _band(low: float, high: float) -> Size:
    """A band for the difference of a primary contrast's means at the model's defaults.

    Each is about [D / 1.5, 1.5 D] around D, the mean difference over seeds 0-19 and
    20-39 (tests/test_patterns.py), rounded outwards to two figures: a bug that halves
    (D / 2) or doubles (2 D) the effect falls outside. The comments give D on the two
    seed sets and, for comparison, the 10th-90th percentiles of the difference across
    the assumptions' ranges (coprod robustness --samples 16 --seeds 7, issue 10): much
    wider, which is why these bands are tested at the defaults only (see the module
    docstring).
    """
    return Size("difference", (low, high))


# Pattern 11's claim: "a small fraction" of the default's unexpected insights, at most a
# tenth of its mean (the ratio is 0.02 absent and 0.08 unheard on seeds 0-19 and 20-39;
# its median over the assumptions' ranges is 0.02 and 0.08): tested everywhere.
_SMALL_FRACTION = Size("ratio", (0.0, 0.1), claim=True)

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        1,
        "unpaid-participation",
        "unpaid participation favours people with money and time",
        (
            # Prompt, benefit-safe schemes so that only the level of compensation differs.
            # D 0.229, 0.230; across the ranges 0.095-0.38
            Contrast(_NONE, _EXPENSES, "participation_parity", size=_band(0.15, 0.35)),
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
            # D 0.450, 0.464; across the ranges 0.13-0.48
            Contrast(_UNSAFE, _SAFE, "participation_benefits", size=_band(0.30, 0.69)),
            # Benefit loss under benefit-safe pay is zero by construction: no contrast
            # with it. Where payment counts as income, some lose benefits on every seed.
            Bound(_UNSAFE, "benefit_loss_events", "min", ">", 0.0),
        ),
    ),
    Pattern(
        3,
        "late-refunds",
        "late refunds keep out people with little money",
        (
            # D 0.057, 0.066; across the ranges 0.014-0.12
            Contrast(_LATE, _PROMPT, "participation_low_money", size=_band(0.040, 0.093)),
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
                size=_band(0.076, 0.18),  # D 0.109, 0.122; across the ranges 0.056-0.22
            ),
        ),
    ),
    Pattern(
        5,
        "fast-meetings",
        "fast meetings under-recognise lived experience (and slow ones cost more)",
        (
            # D 0.091, 0.095; across the ranges 0.034-0.16
            Contrast(FAST, SLOW, "experiential_share", size=_band(0.061, 0.14)),
            Contrast(FAST, SLOW, "insights_unexpected"),
            Contrast(FAST, SLOW, "programme_cost"),
        ),
    ),
    Pattern(
        6,
        "long-slow-spaces",
        "long, slow spaces build ties and trust; short or fast ones do not",
        (
            # Strong ties need about a year of slow meetings (none after 12 or 26 weeks,
            # none in fast meetings: zero by construction, so not contrasted); after one
            # year some have formed, after two many more.
            # D 0.839, 0.842; across the ranges -0.01-0.66
            Contrast(_YEAR_SLOW, _LONG_SLOW, "cross_role_ties", size=_band(0.56, 1.3)),
            Contrast(_SHORT_SLOW, _LONG_SLOW, "mean_trust"),
            Contrast(FAST, SLOW, "mean_trust"),
        ),
    ),
    Pattern(
        7,
        "tokenism",
        "tokenism drives rights-based participants away over time",
        (
            # D 0.317, 0.350; across the ranges 0.033-0.29
            Contrast(_TOKEN, _SHARED, "participation_rights_based", size=_band(0.22, 0.50)),
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
            # Fast, agenda-driven meetings disappoint experience-based participants ...
            # D 0.166, 0.176 (0.162-0.176 over five sets of 20 seeds); across the ranges
            # 0.11-0.21. It is the primary contrast: the managerial side is too small and
            # noisy to band (D 0.0061-0.0133 over five sets of 20 seeds, per-seed sd
            # 0.0097: a halved effect, 0.0047, is within two standard errors).
            Contrast(FAST, SLOW, "satisfaction_experience", size=_band(0.11, 0.26)),
            # ... and please managerial ones.
            Contrast(SLOW, FAST, "satisfaction_managerial"),
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
                size=_band(51.0, 120.0),  # D 76.7, 79.1; across the ranges 15-340
            ),
        ),
    ),
    Pattern(
        10,
        "co-everything",
        "co-everything without resources makes precarious unpaid labour",
        (
            # D 33.0, 33.4; across the ranges 13-81
            Contrast(
                _OCCASIONAL,
                _CO_EVERYTHING,
                "unpaid_hours_per_lay_participant",
                size=_band(22.0, 50.0),
            ),
            Contrast(_OCCASIONAL, _CO_EVERYTHING, "lay_out_of_pocket"),
            # The load falls on fewer people: lay attendance drops as the demands rise.
            Contrast(_CO_EVERYTHING, _OCCASIONAL, "participation_lay"),
        ),
    ),
    Pattern(
        11,
        "co-production-needed",
        "co-production is needed for new knowledge: with lay people absent or unheard, "
        "unexpected insights fall to a small fraction of the default's",
        (
            Contrast(_ABSENT, DEFAULTS, "insights_unexpected", size=_SMALL_FRACTION),
            Contrast(_UNHEARD, DEFAULTS, "insights_unexpected", size=_SMALL_FRACTION),
        ),
    ),
    Pattern(
        12,
        "values-shift",
        "long, slow, open spaces shift professionals' values towards lived experience, "
        "and raise recognition of experience",
        (
            # D 0.398, 0.416; across the ranges 0.15-0.43
            Contrast(
                _LONG_FAST_CLOSED,
                _LONG_SLOW_OPEN,
                "values_shift_professional",
                size=_band(0.27, 0.62),
            ),
            Contrast(_SHORT_SLOW_OPEN, _LONG_SLOW_OPEN, "values_shift_professional"),
            Contrast(_LONG_FAST_CLOSED, _LONG_SLOW_OPEN, "recognition_of_experience"),
            # Same pace and agenda: only what professionals learn over time (ties with lay
            # people, insights from lived experience) can raise recognition here.
            Contrast(_SHORT_SLOW_OPEN, _LONG_SLOW_OPEN, "recognition_of_experience"),
        ),
    ),
    # Issue 11, pattern 14: UK benefit rules. At the defaults a meeting lasts 2 + 2 x 0.3
    # = 2.6 hours and is paid 0.5 x 35 x 2.6 = GBP 45.50; meetings every 2 weeks bring
    # GBP 91 into a 4-week assessment period. Universal Credit without a work allowance
    # takes 0.55 x 91 = GBP 50.05 of it back each period; with one (GBP 411) none. ESA's
    # higher limit (GBP 195.50 a week, under 16 hours) covers the payment: nothing lost.
    Pattern(
        14,
        "universal-credit",
        "under Universal Credit rules, payment without a benefit-safe arrangement costs "
        "claimants money, and their participation falls, differently from ESA",
        (
            Contrast(_UC_UNSAFE, _UC_SAFE, "participation_benefits", size=_band(0.17, 0.40)),
            Bound(_UC_UNSAFE, "benefit_taken_back", "min", ">", 0.0),
            # Under ESA the typical payment stays under the higher limit: nobody's benefit
            # stops, and claimants come more than under Universal Credit.
            Contrast(_UC_UNSAFE, _ESA_UNSAFE, "participation_benefits"),
            Bound(_ESA_UNSAFE, "benefit_loss_events", "max", "==", 0.0),
        ),
    ),
)

# Issue 11's patterns, each appended in its own block.

# Pattern 15 (meeting format): the same people, meeting in a room or online.
_IN_PERSON, _ONLINE = scenario(meeting_format="in_person"), scenario(meeting_format="online")
PATTERNS += (
    Pattern(
        15,
        "online-meetings",
        "online meetings widen participation for disabled people with digital access and "
        "narrow it for people without",
        (
            # Online, disabled people with digital access save the dearer, slower trip
            # (and the money to front it), against shorter meetings and ties that build
            # more slowly. D 0.134, 0.153
            Contrast(
                _IN_PERSON,
                _ONLINE,
                "participation_disabled_digital",
                size=_band(0.095, 0.22),
            ),
            # Without digital access nobody can join an online meeting (a hard limit of
            # participation): their attendance falls to zero from what it is in a room.
            Contrast(_ONLINE, _IN_PERSON, "participation_offline"),
        ),
    ),
)

# Issue 11, pattern 13: co-everything on a fixed budget (the default GBP 45,000 a year).
# Paid weekly meetings cost about three times the budget, paid four-weekly ones fit it;
# managers who adapt cut, payment first, and lay people then carry their own time.
_SQUEEZED = scenario(compensation="paid", meeting_interval=1, manager_adaptation=1.0)
_ROOMY = scenario(compensation="paid", meeting_interval=4, manager_adaptation=1.0)
_UNMANAGED = scenario(compensation="paid", meeting_interval=1)
PATTERNS += (
    Pattern(
        13,
        "budget-squeeze",
        "co-everything on a fixed budget leads to cuts, and lay people carry a larger share "
        "of the cost",
        (
            # D 0.200, 0.192 (means 0.229 vs 0.029, 0.235 vs 0.044)
            Contrast(_ROOMY, _SQUEEZED, "lay_cost_share", size=_band(0.12, 0.30)),
            Contrast(_ROOMY, _SQUEEZED, "rule_changes"),
            # The cuts do it: the same weekly programme with managers who leave the rules
            # as set pays for every hour.
            Contrast(_UNMANAGED, _SQUEEZED, "lay_cost_share"),
        ),
    ),
)

# Issue 11, pattern 16: who is recruited, and who stays. Half the lay places filled by
# outreach against none; whether the seldom-heard people it brings stay, in meetings that
# recognise lived experience (slow, open) or do not (fast, closed). Retention of a
# subgroup of about 25 first-weeks attenders is too noisy on the default population (a
# per-seed sd of about 0.08), so that contrast runs on four times the people.
_USUAL = scenario(outreach=0.0)
_OUTREACH = scenario(outreach=0.5)
_FOUR_TIMES = {"n_patients": 160, "n_carers": 80, "n_clinicians": 48, "n_managers": 16}
_OUTREACH_FAST_CLOSED = scenario(**_FOUR_TIMES, outreach=0.5, pace=0.9, agenda_openness=0.0)
_OUTREACH_SLOW_OPEN = scenario(**_FOUR_TIMES, outreach=0.5, pace=0.2, agenda_openness=0.9)

PATTERNS += (
    Pattern(
        16,
        "outreach",
        "outreach raises the seldom-heard share, and recognition decides whether they stay",
        (
            # D 0.332, 0.327 (seeds 0-19, 20-39)
            Contrast(_USUAL, _OUTREACH, "seldom_heard_share", size=_band(0.21, 0.50)),
            Contrast(_USUAL, _OUTREACH, "representation_ratio"),
            # D 0.060, 0.047: meetings that hear lived experience keep them (and everyone).
            Contrast(_OUTREACH_FAST_CLOSED, _OUTREACH_SLOW_OPEN, "retention_seldom_heard"),
        ),
    ),
)
# In number order, whichever block each was added in.
PATTERNS = tuple(sorted(PATTERNS, key=lambda p: p.number))
PATTERN_BY_NUMBER: dict[int, Pattern] = {p.number: p for p in PATTERNS}


def find_pattern(text: str) -> Pattern:
    """The pattern numbered or named ``text`` (``4``, ``travel-support``); KeyError if none."""
    key = str(text).strip().lower()
    for p in PATTERNS:
        if key in (str(p.number), p.name):
            return p
    raise KeyError(text)
