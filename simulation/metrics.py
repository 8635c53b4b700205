"""Outcome metrics, defined once: name, unit, meaning, how a run sums them up.

The model writes one value per metric per week (:func:`weekly_values`); a run's
final figure is an aggregate of that weekly series (:func:`aggregate`):

- ``rate``: mean over the last quarter of the weeks (at least one week);
- ``total``: sum over the whole run;
- ``final``: the value in the last week.

Rates that only change at meetings are carried forward between meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, runs
from .arrays import Bools, Floats
from .management import WEEKS_PER_YEAR
from .population import EXPERIENCE, MANAGERIAL, RIGHTS, seldom_heard_population_share
from .relations import on_grid, strong_cross_role
from .runs import PerRun
from .values import experience_shift

if TYPE_CHECKING:
    from .decisions import Decisions
    from .knowledge import Insights
    from .meeting import Talk
    from .money import Flows
    from .params import RunParams
    from .population import State


@dataclass(frozen=True)
class Metric:
    """One outcome the model reports."""

    name: str
    how: str  # "rate" | "total" | "final"
    unit: str
    label: str  # a short title for charts, tables and reports
    help: str
    produces: str  # a key of PRODUCES: what co-production produces, in the paper's terms
    low: float = 0.0
    high: float = float("inf")

    @property
    def heading(self) -> str:
        """The heading of the group this metric belongs to."""
        return PRODUCES[self.produces]


# What co-production produces (Filipe et al. 2017), in the order reports show them.
PRODUCES: dict[str, str] = {
    "participation": "Participation: who takes part",
    "knowledge": "Knowledge: what is learnt",
    "values": "Values: fairness, cost and who is heard",
    "social relations": "Social relations: trust, ties and power",
}


METRICS: tuple[Metric, ...] = (
    Metric(
        "participation_lay",
        how="rate",
        unit="share",
        label="Patients and carers at meetings",
        help="share of patients and carers at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_professional",
        how="rate",
        unit="share",
        label="Clinicians and managers at meetings",
        help="share of clinicians and managers at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_benefits",
        how="rate",
        unit="share",
        label="People on benefits at meetings",
        help="share of lay people on benefits at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_disabled",
        how="rate",
        unit="share",
        label="Disabled people at meetings",
        help="share of disabled lay people at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_low_money",
        how="rate",
        unit="share",
        label="People with least money at meetings",
        help="share of lay people with the least money at hand (poorest third) at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_rights_based",
        how="rate",
        unit="share",
        label="Rights-based lay people at meetings",
        help="share of rights-based lay people at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_parity",
        how="rate",
        unit="ratio",
        label="Participation parity",
        help="attendance of disadvantaged lay people (on benefits or disabled) over that of "
        "other lay people, pooled over the last few meetings; 1 is parity",
        produces="values",
        high=101,
    ),
    Metric(
        "lay_voice_share",
        how="rate",
        unit="share",
        label="Said by patients and carers",
        help="share of contributions at meetings made by lay people",
        produces="values",
        high=1,
    ),
    Metric(
        "experiential_share",
        how="rate",
        unit="share",
        label="Lived experience recognised",
        help="share of recognised contributions that are lived experience",
        produces="knowledge",
        high=1,
    ),
    Metric(
        "recognition_of_experience",
        how="rate",
        unit="probability",
        label="Recognition of lived experience",
        help="mean chance that a lived-experience contribution is recognised at a meeting",
        produces="knowledge",
        high=1,
    ),
    Metric(
        "insights",
        how="total",
        unit="insights",
        label="Insights",
        help="new insights produced",
        produces="knowledge",
    ),
    Metric(
        "insights_lay_origin",
        how="total",
        unit="insights",
        label="Insights from patients and carers",
        help="insights proposed by patients or carers",
        produces="knowledge",
    ),
    Metric(
        "insights_unexpected",
        how="total",
        unit="insights",
        label="Unexpected insights",
        help="insights combining lived experience with biomedical or practice knowledge",
        produces="knowledge",
    ),
    Metric(
        "insights_adopted",
        how="total",
        unit="insights",
        label="Insights taken up",
        help="insights the programme's decisions took up",
        produces="knowledge",
    ),
    Metric(
        "influence_gini",
        how="rate",
        unit="Gini",
        label="Inequality of influence",
        help="inequality of influence over decisions among those present",
        produces="values",
        high=1,
    ),
    Metric(
        "cross_role_ties",
        how="rate",
        unit="ties per participant",
        label="Ties across roles",
        help="strong lay-professional ties per active participant",
        produces="social relations",
    ),
    Metric(
        "mean_trust",
        how="rate",
        unit="0-1",
        label="Trust",
        help="mean trust of active participants in the others",
        produces="social relations",
        high=1,
    ),
    Metric(
        "power_gap",
        how="rate",
        unit="credibility",
        label="Power gap",
        help="professional minus lay credibility among active participants",
        produces="social relations",
        low=-1,
        high=1,
    ),
    Metric(
        "values_shift_professional",
        how="final",
        unit="weight",
        label="Professionals' values shift to experience",
        help="change since the start in active professionals' mean weight on "
        "experience-based value",
        produces="values",
        low=-1,
        high=1,
    ),
    Metric(
        "values_shift_lay",
        how="final",
        unit="weight",
        label="Lay values shift to experience",
        help="change since the start in active patients' and carers' mean weight on "
        "experience-based value (negative: towards rights or managerial value)",
        produces="values",
        low=-1,
        high=1,
    ),
    Metric(
        "unpaid_lay_hours",
        how="total",
        unit="hours",
        label="Unpaid lay hours",
        help="meeting hours patients and carers gave unpaid",
        produces="values",
    ),
    Metric(
        "unpaid_hours_per_lay_participant",
        how="final",
        unit="hours",
        label="Unpaid hours per lay participant",
        help="unpaid hours per lay person who ever took part",
        produces="values",
    ),
    Metric(
        "lay_out_of_pocket",
        how="final",
        unit="GBP per participant",
        label="Lay people out of pocket",
        help="money each lay participant has spent to take part and will never get back "
        "(fares not refunded)",
        produces="values",
    ),
    Metric(
        "lay_awaiting_refund",
        how="rate",
        unit="GBP per participant",
        label="Lay money awaiting refund",
        help="money each lay participant has fronted and is still waiting to get back",
        produces="values",
    ),
    Metric(
        "benefit_loss_events",
        how="total",
        unit="events",
        label="Benefit cuts",
        help="times a payment counted as income and cut someone's benefits",
        produces="values",
    ),
    Metric(
        "programme_cost",
        how="total",
        unit="GBP",
        label="Programme cost",
        help="money paid out: payments, refunds, booked travel and staff time",
        produces="values",
    ),
    Metric(
        "cost_per_insight",
        how="final",
        unit="GBP/insight",
        label="Cost per insight",
        help="programme cost per insight (per one insight when there were none)",
        produces="values",
    ),
    Metric(
        "retention_lay",
        how="final",
        unit="share",
        label="Lay retention",
        help="of lay people attending in the first active_meetings meetings, share attending "
        "in the last active_meetings",
        produces="social relations",
        high=1,
    ),
    Metric(
        "satisfaction_rights",
        how="rate",
        unit="0-1",
        label="Satisfaction, rights-based",
        help="satisfaction of rights-based participants (real influence)",
        produces="values",
        high=1,
    ),
    Metric(
        "satisfaction_managerial",
        how="rate",
        unit="0-1",
        label="Satisfaction, managerial",
        help="satisfaction of managerial participants (outputs per unit cost)",
        produces="values",
        high=1,
    ),
    Metric(
        "satisfaction_experience",
        how="rate",
        unit="0-1",
        label="Satisfaction, experience-based",
        help="satisfaction of experience-based participants (being heard)",
        produces="values",
        high=1,
    ),
    # Meeting format (issue 11): who online meetings let in and who they keep out.
    Metric(
        "participation_disabled_digital",
        how="rate",
        unit="share",
        label="Disabled people online-ready at meetings",
        help="share of disabled lay people with digital access (a device, a connection and "
        "the confidence to join online) at meetings",
        produces="participation",
        high=1,
    ),
    Metric(
        "participation_offline",
        how="rate",
        unit="share",
        label="People without digital access at meetings",
        help="share of lay people without digital access at meetings",
        produces="participation",
        high=1,
    ),
    # Issue 11, UK benefit rules.
    Metric(
        "benefit_taken_back",
        how="final",
        unit="GBP per claimant",
        label="Benefit taken back",
        help="Universal Credit taken off the awards of each person on benefits who took part: "
        "the taper's share of payments above the work allowance (benefit_rules=uc)",
        produces="values",
    ),
    # Issue 11, item 1: a budget and managers who manage it (simulation.management).
    Metric(
        "rule_changes",
        how="total",
        unit="changes",
        label="Rules changed by managers",
        help="times managers changed a rule at their reviews: cuts under budget pressure "
        "and concessions to push-back (see the run's events)",
        produces="social relations",
    ),
    Metric(
        "budget_used",
        how="final",
        unit="share",
        label="Budget used",
        help="money paid out so far over the budget for the weeks so far (pro rata per "
        "year); above 1 is over budget",
        produces="values",
    ),
    Metric(
        "lay_cost_share",
        how="final",
        unit="share",
        label="Cost carried by patients and carers",
        help="share of the programme's full cost that patients and carers carry: fares never "
        "refunded plus unpaid meeting hours valued at the payment rate, over that plus the "
        "money the programme paid out",
        produces="values",
        high=1,
    ),
    # Issue 11, who the people are: seldom heard as population.seldom_heard defines it.
    Metric(
        "seldom_heard_share",
        how="rate",
        unit="share",
        label="Seldom-heard people among active lay participants",
        help="share of active patients and carers who are seldom heard (need interpreting, "
        "low health literacy or no digital access)",
        produces="participation",
        high=1,
    ),
    Metric(
        "representation_ratio",
        how="rate",
        unit="ratio",
        label="Representation of seldom-heard people",
        help="seldom-heard share of active lay participants over the population's "
        "seldom-heard share; 1 represents them as they are, below 1 under-represents them",
        produces="values",
        high=101,
    ),
    Metric(
        "retention_seldom_heard",
        how="final",
        unit="share",
        label="Seldom-heard retention",
        help="of seldom-heard lay people attending in the first active_meetings meetings, "
        "share attending in the last active_meetings",
        produces="social relations",
        high=1,
    ),
)

METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
METRIC_BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
_HOW = np.array([m.how for m in METRICS])
_IS_RATE, _IS_TOTAL = _HOW == "rate", _HOW == "total"


def aggregate(history: Floats) -> dict[str, float]:
    """Final metrics from a (weeks x metrics) array of weekly values (week 1 on)."""
    if history.shape[0] == 0:
        return dict.fromkeys(METRIC_NAMES, 0.0)
    values = _summary(history)
    return {name: float(v) for name, v in zip(METRIC_NAMES, values, strict=True)}


def aggregate_runs(history: Floats, weeks: list[int]) -> list[dict[str, float]]:
    """:func:`aggregate` of each run's weeks ``history[r, :weeks[r]]`` of a (runs x weeks x
    metrics) array, runs of the same length at once: each sum adds a run's weeks in order,
    as aggregate does (tests/test_metrics.py)."""
    out: list[dict[str, float]] = [{}] * len(weeks)
    by_length: dict[int, list[int]] = {}
    for r, w in enumerate(weeks):
        by_length.setdefault(w, []).append(r)
    for w, members in by_length.items():
        if w == 0:
            for r in members:
                out[r] = dict.fromkeys(METRIC_NAMES, 0.0)
            continue
        same = history[members, :w] if len(members) < history.shape[0] else history[:, :w]
        for r, values in zip(members, _summary(same, axis=1).tolist(), strict=True):
            out[r] = dict(zip(METRIC_NAMES, values, strict=True))
    return out


def tail_weeks(weeks: int) -> int:
    """How many of a run's last weeks its rates average: the last quarter, at least one."""
    return max(1, weeks // 4)


def _summary(history: Floats, axis: int = 0) -> Floats:
    """The summaries over the weeks (``axis``: 1 for runs first)."""
    weeks = history.shape[axis]
    tail = history[(slice(None),) * axis + (slice(weeks - tail_weeks(weeks), None),)]
    last = history[(slice(None),) * axis + (-1,)]
    rate, total = tail.mean(axis=axis), history.sum(axis=axis)
    return np.where(_IS_RATE, rate, np.where(_IS_TOTAL, total, last))


WEEK_SUFFIX = "_week"
# A metric's value in one week alone (``insights_week``: insights that week); the bare
# name (``insights``) always means the run's summary (:func:`aggregate`) so far.
WEEK_NAMES: tuple[str, ...] = tuple(name + WEEK_SUFFIX for name in METRIC_NAMES)


def running(history: Floats) -> Floats:
    """Row ``t - 1`` is ``aggregate(history[:t])``: the summary of weeks 1..t, each week.

    The same reductions as :func:`aggregate`, so the last row equals it exactly.
    """
    out = np.empty_like(history)
    for t in range(1, history.shape[0] + 1):
        out[t - 1] = _summary(history[:t])
    return out


def gini(x: Floats) -> float:
    """Gini coefficient of non-negative values (0 when empty or all zero)."""
    n = x.size
    total = x.sum()
    if n < 2 or total <= 0:
        return 0.0
    s = np.sort(x)
    return float((2.0 * np.dot(np.arange(1, n + 1), s) / (n * total)) - (n + 1) / n)


def gini_within_meetings(s: State) -> PerRun:
    """Gini of influence within each group's meeting, averaged weighted by attendance.

    Influence shares sum to 1 within a meeting, so pooling them across meetings would
    mix groups of different sizes; each meeting's own inequality is what matters.
    """
    # n: how many came to each meeting, a whole number (the same however it is added up)
    loops = compiled.kernels()
    if loops is not None and s.influence.dtype == np.float64:  # the lines below, in one pass
        n, x = np.zeros(s.n_groups), np.zeros((s.n_groups, s.n_slots))
        loops.came_and_influence(s.group, s.attending, s.influence, s.cell, n, x.reshape(-1))
    else:
        n = np.bincount(s.group, s.attending, minlength=s.n_groups)
        x = on_grid(s, s.influence * s.attending)
    total = x.sum(axis=1)
    # The sum of |x_i - x_j| over a meeting's ordered pairs of slots, from its values in
    # ascending order x_(1) .. x_(S): 2 sum_k (2k - S - 1) x_(k) (absent: 0 - 0).
    slots = s.n_slots
    rank = 2.0 * np.arange(1, slots + 1) - slots - 1.0
    ranked = np.empty_like(x)
    if loops is None or not loops.sorted_times(x, rank, ranked):  # else: the line below
        ranked = np.sort(x, axis=1) * rank
    pairs = 2.0 * ranked.sum(axis=1)
    # Absent members hold 0 influence: remove their pairs with present ones (|0 - x_j|).
    pairs -= 2.0 * (slots - n) * total
    each = np.divide(pairs, 2.0 * n * total, out=np.zeros(n.size), where=(n >= 2) & (total > 0))
    return ratio(runs.dot(s, each, n), runs.total(s, n))


def ratio(num: PerRun, den: PerRun, empty: float = 0.0) -> PerRun:
    """num / den, or ``empty`` when den is zero: keeps every metric finite (one value per
    run when given arrays: simulation.runs)."""
    if runs.scalar(num) and runs.scalar(den):
        return num / den if den > 0 else empty
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if num.shape == den.shape or den.ndim == 0:
        shape = num.shape
    else:
        shape = den.shape if num.ndim == 0 else np.broadcast_shapes(num.shape, den.shape)
    out = np.empty(shape)
    out.fill(empty)
    return np.divide(num, den, out=out, where=den > 0)


def markdown_table() -> str:
    """The README's metric table, generated from the definitions above."""
    rows = [
        "| metric | produces | unit | how a run sums it up | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    words = {
        "rate": "mean of the last quarter",
        "total": "sum over the run",
        "final": "value at the end",
    }
    for m in METRICS:
        rows.append(f"| `{m.name}` | {m.produces} | {m.unit} | {words[m.how]} | {m.help} |")
    return "\n".join(rows)


SUBGROUPS = (
    "lay",
    "professional",
    "benefits",
    "disabled",
    "low_money",
    "rights_based",
    "disadvantaged",
    "other_lay",
    "rights",
    "managerial",
    "experience",
    "disabled_digital",
    "offline",
)


def subgroups(s: State) -> Floats:
    """(subgroups x N) 0/1 matrix of who belongs to each of SUBGROUPS (runs x subgroups x
    n for runs side by side).

    Computed once per run: one matrix product then counts every subgroup at once.
    """
    loops = compiled.kernels()
    if loops is not None and s.runs > 1:  # the lines below, in one pass
        who = np.empty((s.runs, len(SUBGROUPS), s.n // s.runs))
        kinds = np.array([RIGHTS, MANAGERIAL, EXPERIENCE])
        loops.subgroup_rows(
            s.lay, s.on_benefits, s.disabled, s.low_money, s.rationale, s.digital_access, kinds, who
        )
        return who
    lay = s.lay
    disadvantaged = lay & (s.on_benefits | s.disabled)
    who = np.vstack(
        [
            lay,
            ~lay,
            s.on_benefits,
            s.disabled,
            s.low_money,
            lay & (s.rationale == RIGHTS),
            disadvantaged,
            lay & ~disadvantaged,
            s.rationale == RIGHTS,
            s.rationale == MANAGERIAL,
            s.rationale == EXPERIENCE,
            s.disabled & s.digital_access,  # disabled is only ever True for lay people
            lay & ~s.digital_access,
        ]
    ).astype(float)
    if s.runs == 1:
        return who
    # Runs side by side: (runs x subgroups x n), one matrix per run (see at_meetings).
    return who.reshape(who.shape[0], s.runs, -1).transpose(1, 0, 2).copy()


def _parity(s: State, p: RunParams, disadvantaged: PerRun, other: PerRun, week: int) -> PerRun:
    """Attendance rate of disadvantaged over other lay people, pooled over recent meetings.

    Pooled over the group's last ``active_meetings`` meetings (the groups' sizes are
    fixed, so the pooled rate is the mean of the meetings' rates): one meeting's
    ratio is too noisy to read. ``parity_eps`` keeps it finite when nobody came.
    """
    window = s.parity_window  # runs side by side: columns (disadvantaged, other) per run
    if week > 0:  # week 0 is the starting state, not a meeting
        row = ((week - 1) // p.meeting_interval) % window.shape[0]
        window[row] = np.column_stack([disadvantaged, other]).ravel()
    held = window[~np.isnan(window[:, 0])]
    if held.size == 0:
        return 1.0 if s.runs == 1 else np.ones(s.runs)
    pooled = held.mean(axis=0)
    if s.runs == 1:
        return float((pooled[0] + p.parity_eps) / (pooled[1] + p.parity_eps))
    return (pooled[0::2] + p.parity_eps) / (pooled[1::2] + p.parity_eps)


def _pooled_parity(
    s: State, p: RunParams, size: Floats, rate: Floats, week: int, row: int
) -> PerRun:
    """Participation parity from the sizes and attendance rates of the disadvantaged lay
    people (row ``row``) and the other lay people (the next row): pooled over recent
    meetings (:func:`_parity`) when there are both; with one of them empty there is no
    disparity to see (1)."""
    (n_disadvantaged, n_other), (disadvantaged, other) = size[row : row + 2], rate[row : row + 2]
    if s.runs == 1:
        both = n_disadvantaged > 0 and n_other > 0
        return _parity(s, p, disadvantaged, other, week) if both else 1.0
    both = (n_disadvantaged > 0) & (n_other > 0)
    return np.where(both, _parity(s, p, disadvantaged, other, week), 1.0)


def _mean(total: PerRun, count: PerRun, empty: float = 0.0) -> PerRun:
    if runs.scalar(total) and runs.scalar(count):
        return float(total / count) if count > 0 else empty
    return ratio(total, count, empty)


# The metrics at_meetings measures, carried from one meeting to the next.
AT_MEETINGS: tuple[str, ...] = (
    *("participation_lay", "participation_professional", "participation_benefits"),
    *("participation_disabled", "participation_low_money", "participation_rights_based"),
    *("participation_parity", "lay_voice_share", "experiential_share", "influence_gini"),
    *("cross_role_ties", "mean_trust", "power_gap", "values_shift_professional"),
    *("values_shift_lay", "recognition_of_experience", "satisfaction_rights"),
    *("satisfaction_managerial", "satisfaction_experience", "participation_disabled_digital"),
    *("participation_offline", "seldom_heard_share", "representation_ratio"),
)
# Rows of subgroups(): the disadvantaged lay people and the other lay people (parity).
DISADVANTAGED, OTHER_LAY = SUBGROUPS.index("disadvantaged"), SUBGROUPS.index("other_lay")


def at_meetings(
    s: State, p: RunParams, who: Floats, talk: Talk | None, week: int, parity_only: bool = False
) -> dict[str, PerRun]:
    """The metrics that only change at meetings (carried forward between them).

    ``who`` is ``subgroups(s)``. ``parity_only``: only participation parity's pool of
    recent meetings takes this meeting in, and every value is NaN: for a meeting whose
    values nobody will read but pooled into a later one's parity (a batch without weekly
    series, before its runs' last quarters: ``simulation.batch``).
    """
    if parity_only:
        pair = slice(DISADVANTAGED, OTHER_LAY + 1)  # the two, next to each other
        rows = who[pair] if s.runs == 1 else who[:, pair]  # (2, N), or (runs, 2, n)
        size = rows.sum(axis=-1)  # whole numbers, the same as the matrix products'
        came = (rows * s.attending.reshape(*rows.shape[:-2], 1, -1)).sum(axis=-1)
        if s.runs > 1:
            size, came = size.T, came.T
        rate = np.divide(came, size, out=np.zeros(size.shape), where=size > 0)
        _pooled_parity(s, p, size, rate, week, 0)
        return dict.fromkeys(AT_MEETINGS, np.full(s.runs, np.nan) if s.runs > 1 else np.nan)
    active = s.last_attended > week - p.active_weeks
    sums = _by_subgroup(s, who, active)
    size, came = sums[:, 0], sums[:, 1]
    rate = np.divide(came, size, out=np.zeros(size.shape), where=size > 0)
    lay, pro, benefits, disabled, low, rights_lay = rate[:6]
    v = {
        "participation_lay": lay,
        "participation_professional": pro,
        "participation_benefits": benefits,
        "participation_disabled": disabled,
        "participation_low_money": low,
        "participation_rights_based": rights_lay,
    }
    v["participation_parity"] = _pooled_parity(s, p, size, rate, week, DISADVANTAGED)
    v["lay_voice_share"], v["experiential_share"] = _voices(s, talk)
    v["influence_gini"] = gini_within_meetings(s)
    n_active = sums[0, 2] + sums[1, 2]  # lay + professional
    v["cross_role_ties"] = ratio(2.0 * strong_cross_role(s, active, p.strong_tie), n_active)
    v["mean_trust"] = _mean(sums[0, 4] + sums[1, 4], n_active)
    v["power_gap"] = _mean(sums[1, 3], sums[1, 2]) - _mean(sums[0, 3], sums[0, 2])
    v["values_shift_professional"] = experience_shift(s, active & ~s.lay)
    v["values_shift_lay"] = experience_shift(s, active & s.lay)
    v["recognition_of_experience"] = talk.lived_chance if talk is not None else 0.0
    for row, name in (
        (8, "satisfaction_rights"),
        (9, "satisfaction_managerial"),
        (10, "satisfaction_experience"),
    ):
        v[name] = _mean(sums[row, 6], sums[row, 5], p.initial_satisfaction)  # nobody came yet
    v["participation_disabled_digital"], v["participation_offline"] = rate[11:13]
    v.update(_representation(s, p, active, sums[0, 2]))
    return {k: _per_run(s, x) for k, x in v.items()}


# The per-agent quantities _by_subgroup sums over each subgroup, in its columns' order.
QUANTITIES = ("one", "attending", "active", "credibility", "trust", "ever", "satisfaction")


def _by_subgroup(s: State, who: Floats, active: Bools) -> Floats:
    """One matrix product counts and sums every per-agent quantity of QUANTITIES
    (credibility and trust of the active, satisfaction of those who ever came) over every
    subgroup: (subgroups, quantities), and runs last for runs side by side (one product
    per run, each run's (quantities, n) block of one (runs, quantities, n) array)."""
    if s.runs == 1:
        return who @ _quantities(s, active, np.empty((len(QUANTITIES), s.n))).T
    per_agent = np.empty((s.runs, len(QUANTITIES), s.n // s.runs))
    loops = compiled.kernels()
    if loops is not None and all(
        a.dtype == np.float64 for a in (s.credibility, s.trust, s.satisfaction)
    ):  # _quantities in one pass
        loops.quantities(
            s.attending, active, s.credibility, s.trust, s.ever_attended, s.satisfaction, per_agent
        )
    else:
        _quantities(s, active, per_agent.transpose(1, 0, 2))
    return np.matmul(who, per_agent.transpose(0, 2, 1)).transpose(1, 2, 0)


def _quantities(s: State, active: Bools, out: Floats) -> Floats:
    """QUANTITIES per agent, written to ``out``: (quantities, N), or (quantities, runs,
    n) for runs side by side."""
    shape = out.shape[1:]
    active, ever = active.reshape(shape), s.ever_attended.reshape(shape)
    out[0] = 1.0
    out[1] = s.attending.reshape(shape)
    out[2] = active
    np.multiply(s.credibility.reshape(shape), active, out=out[3])
    np.multiply(s.trust.reshape(shape), active, out=out[4])
    out[5] = ever
    np.multiply(s.satisfaction.reshape(shape), ever, out=out[6])
    return out


def _voices(s: State, talk: Talk | None) -> tuple[PerRun, PerRun]:
    """Lay share of what was said, and lived experience's share of what was recognised."""
    if talk is None:
        return 0.0, 0.0
    if s.runs == 1:
        rec = talk.recognised.sum(axis=0)
        return (
            ratio(float(talk.said @ s.lay), float(talk.said.sum())),
            ratio(float(rec[2]), float(rec.sum())),
        )
    # Each run's own sums (simulation.runs) of whole numbers (contributions), the same
    # however they are added up: a run's recognised contributions, lived experience's.
    loops = compiled.kernels()
    if loops is not None and _all_int64((talk.recognised,)):  # the lines below, in one pass
        out = np.zeros((2, s.runs), np.int64)
        loops.recognised_totals(talk.recognised, 2, out)
        recognised, lived = out
    else:
        recognised = talk.recognised.reshape(s.runs, -1).sum(axis=1)
        lived = talk.recognised[:, 2].reshape(s.runs, -1).sum(axis=1)
    lay_said = runs.total(s, talk.said * s.lay)
    return ratio(lay_said, runs.total(s, talk.said)), ratio(lived, recognised)


def _per_run(s: State, x: PerRun) -> PerRun:
    """A metric's value as a float, or one float per run for runs side by side."""
    if s.runs == 1:
        return float(x)
    if not isinstance(x, np.ndarray):  # one number for every run
        out = np.empty(s.runs)
        out.fill(x)
        return out
    if x.shape == (s.runs,):  # already one per run
        return x if x.dtype == float else x.astype(float)
    return np.broadcast_to(np.asarray(x, dtype=float), (s.runs,))


def _representation(s: State, p: RunParams, active: Bools, lay_active: PerRun) -> dict[str, PerRun]:
    """Seldom-heard share of active lay participants (``lay_active`` of them), and that
    over the population's (1 when nobody in the population is seldom heard: nobody to
    under-represent)."""
    seldom = runs.count(s, active & s.lay & s.seldom_heard) * 1.0
    share = ratio(seldom, lay_active * 1.0)
    return {
        "seldom_heard_share": share,
        "representation_ratio": ratio(share, seldom_heard_population_share(p), empty=1.0),
    }


def weekly(
    s: State,
    p: RunParams,
    carried: dict[str, float],
    insights: Insights | None,
    decisions: Decisions | None,
    flows: Flows,
    totals: dict[str, float],
    week: int,
    changes: PerRun = 0,
    totals_only: bool = False,
) -> dict[str, PerRun]:
    """All metric values for ``week`` (one per run for runs side by side); ``totals``
    holds the running sums it updates; ``changes`` is the number of rules managers
    changed this week.

    ``totals_only``: only the metrics a run sums over its weeks (``how="total"``) are
    this week's, the others NaN: for a week nobody will read but in those sums (a batch
    without weekly series, before its runs' last quarters: ``simulation.batch``).
    """
    v = _insight_sums(s, insights, decisions)
    n_ins = v["insights"]
    v["unpaid_lay_hours"] = flows.unpaid_hours
    v["benefit_loss_events"] = _floats(flows.benefit_cuts)
    v["programme_cost"] = cost = flows.cost
    totals["cost"] += cost
    totals["insights"] += n_ins
    if totals_only:
        v["rule_changes"] = _floats(changes)
        unread = np.full(s.runs, np.nan) if s.runs > 1 else float("nan")
        v |= dict.fromkeys(NOT_SUMMED_WEEKLY, unread)
        return carried | (v if s.runs == 1 else {k: _per_run(s, x) for k, x in v.items()})
    least_one = np.maximum if s.runs > 1 else max
    v["cost_per_insight"] = totals["cost"] / least_one(totals["insights"], 1.0)
    counts = _weekly_counts(s, week - p.active_weeks)
    lay_ever, claimants = counts[0], counts[1]
    unpaid = runs.total(s, s.unpaid_hours)
    v["unpaid_hours_per_lay_participant"] = ratio(unpaid, lay_ever)
    never_refunded = runs.total(s, s.never_refunded)
    v["lay_out_of_pocket"] = ratio(never_refunded, lay_ever)
    v["lay_awaiting_refund"] = ratio(runs.total(s, s.owed), lay_ever)
    v["benefit_taken_back"] = ratio(runs.total(s, s.taken_back), claimants)
    v["retention_lay"] = ratio(counts[2], counts[3])
    _management(v, s, p, totals["cost"], never_refunded, week, changes, unpaid)
    v["retention_seldom_heard"] = ratio(counts[4], counts[5])
    if s.runs > 1:  # the carried values are at_meetings' own, one float per run already
        v = {k: _per_run(s, x) for k, x in v.items()}
    return carried | v


def _insight_sums(
    s: State, insights: Insights | None, decisions: Decisions | None
) -> dict[str, PerRun]:
    """This week's insights, lay-origin, unexpected and adopted ones: sums over each run's
    groups (simulation.runs), floats for one run."""
    v: dict[str, PerRun] = {}
    loops = compiled.kernels()
    ints: tuple[np.ndarray, ...] = ()
    if insights is not None:
        ints = (insights.total, insights.lay_origin, insights.unexpected)
    ints += () if decisions is None else (decisions.adopted,)
    if loops is not None and s.runs > 1 and len(ints) == 4 and _all_int64(ints):
        out = np.zeros((4, s.runs))  # the lines below, in one pass
        loops.group_totals(*ints, out)
        v["insights"], v["insights_lay_origin"], v["insights_unexpected"] = out[:3]
        v["insights_adopted"] = out[3]
        return v
    v["insights"] = runs.total(s, insights.total) if insights is not None else 0.0
    v["insights_lay_origin"] = runs.total(s, insights.lay_origin) if insights is not None else 0.0
    v["insights_unexpected"] = runs.total(s, insights.unexpected) if insights is not None else 0.0
    v["insights_adopted"] = runs.total(s, decisions.adopted) if decisions is not None else 0.0
    return v


def _all_int64(arrays: tuple[np.ndarray, ...]) -> bool:
    return all(a.dtype == np.int64 and a.flags.c_contiguous for a in arrays)


def _weekly_counts(s: State, since: int) -> list[PerRun]:
    """weekly's counts, per run: lay people who ever came, people on benefits who ever
    came, lay people of the first weeks still active (last came after week ``since``),
    lay people of the first weeks, those two among the seldom heard."""
    loops = compiled.kernels()
    if loops is not None and s.runs > 1:  # the lines below, in one pass
        out = np.zeros((6, s.runs), np.int64)
        loops.weekly_counts(
            s.ever_attended,
            s.lay,
            s.on_benefits,
            s.first_weeks,
            s.last_attended,
            since,
            s.seldom_heard,
            out,
        )
        return list(out)
    first = s.first_weeks & s.lay
    still_active = first & (s.last_attended > since)
    return [
        runs.count(s, s.ever_attended & s.lay),
        runs.count(s, s.ever_attended & s.on_benefits),
        runs.count(s, still_active),
        runs.count(s, first),
        runs.count(s, still_active & s.seldom_heard),
        runs.count(s, first & s.seldom_heard),
    ]


# What weekly measures besides the metrics summed over a run's weeks.
NOT_SUMMED_WEEKLY: tuple[str, ...] = (
    *("cost_per_insight", "unpaid_hours_per_lay_participant", "lay_out_of_pocket"),
    *("lay_awaiting_refund", "benefit_taken_back", "retention_lay", "budget_used"),
    *("lay_cost_share", "retention_seldom_heard"),
)


def _floats(x: PerRun) -> PerRun:
    return float(x) if runs.scalar(x) else np.asarray(x, dtype=float)


def _management(
    v: dict[str, float],
    s: State,
    p: RunParams,
    spent: PerRun,
    never_refunded: PerRun,
    week: int,
    changes: PerRun,
    unpaid: PerRun | None = None,
) -> None:
    """rule_changes, budget_used and lay_cost_share (unpaid hours and unrefunded fares are
    lay people's alone: professionals hold none); ``unpaid``: the unpaid hours so far,
    when summed already."""
    v["rule_changes"] = _floats(changes)
    v["budget_used"] = ratio(spent, p.budget * week / WEEKS_PER_YEAR)
    if unpaid is None:
        unpaid = runs.total(s, s.unpaid_hours)
    carried = never_refunded + unpaid * p.payment_rate * p.professional_pay
    v["lay_cost_share"] = ratio(carried, carried + spent)
