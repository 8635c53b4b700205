"""Who takes part: the agents' state, held as numpy arrays, and how it starts.

Agent ``i`` is row ``i`` of every array. Roles are stored in role order
(patients, carers, clinicians, managers). Agents work in standing groups of at
most ``group_size`` people; ``group`` and ``slot`` place each agent in a
(groups x slots) grid, which keeps ties sparse: an agent can only tie with the
members of its own group.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import Bools, Floats, Ints, Ties
from .streams import PEOPLE_STREAM as PEOPLE_STREAM  # (public names, kept here too)
from .streams import people_stream as people_stream
from .streams import people_streams

if TYPE_CHECKING:
    from .params import RunParams

ROLES = ("patient", "carer", "clinician", "manager")
PATIENT, CARER, CLINICIAN, MANAGER = range(4)
RATIONALES = ("rights", "managerial", "experience")
RIGHTS, MANAGERIAL, EXPERIENCE = range(3)
KINDS = ("biomedical", "practice", "experience")
BIOMEDICAL, PRACTICE, LIVED = range(3)

# Professionals' free hours: the NHS Agenda for Change standard working week (a fact, not
# a choice: meetings are part of the job, so it never limits them).
PROFESSIONAL_HOURS = 37.5


def rationale_mix(p: RunParams) -> Floats:
    """(roles x rationales) chance of each rationale by role: rights, managerial, experience.

    Experience-based takes what the other two leave; a sampled pair of shares that
    adds up to more than 1 is scaled down.
    """
    rights = np.array([p.rights_share_patient, p.rights_share_carer, 0.0, 0.0])
    managerial = np.array(
        [0.0, p.managerial_share_carer, p.managerial_share_clinician, p.managerial_share_manager]
    )
    return _with_rest(rights, managerial, rest_at=2)


def value_weights(p: RunParams, role: Ints, rationale: Ints) -> Floats:
    """(N, 3) each agent's starting weights on the three rationales.

    Mostly its own rationale, blended with its role's mix (``value_blend``): people
    hold one rationale first, and something of the others their role brings.
    """
    own = np.eye(3)[rationale]
    return (1.0 - p.value_blend) * own + p.value_blend * rationale_mix(p)[role]


def knowledge_profile(p: RunParams) -> Floats:
    """(roles x kinds) what each role mostly knows: biomedical, practice, lived experience.

    Practice knowledge takes what the other two leave, as in :func:`rationale_mix`.
    """
    bio = np.array([getattr(p, f"biomedical_share_{role}") for role in ROLES])
    lived = np.array([getattr(p, f"lived_share_{role}") for role in ROLES])
    return _with_rest(bio, lived, rest_at=1)


def _with_rest(first: Floats, second: Floats, rest_at: int) -> Floats:
    """Rows of three shares: ``first``, ``second`` and the rest of 1 at column ``rest_at``."""
    given = first + second
    scale = np.maximum(given, 1.0)
    rest = np.maximum(1.0 - given, 0.0)
    columns = [first / scale, second / scale]
    columns.insert(rest_at, rest)
    return np.column_stack(columns)


def beta_by_role(p: RunParams, trait: str) -> Floats:
    """(roles x 2) Beta(a, b) parameters of a trait with mean ``<trait>_mean_<role>``."""
    mean = np.array([getattr(p, f"{trait}_mean_{role}") for role in ROLES])
    lay, professional = p.trait_concentration_lay, p.trait_concentration_professional
    concentration = np.array([lay, lay, professional, professional])
    return np.column_stack([mean * concentration, (1.0 - mean) * concentration])


@dataclass
class State:
    """Every agent's state, one array entry per agent."""

    role: Ints
    lay: Bools
    rationale: Ints
    on_benefits: Bools
    disabled: Bools
    low_money: Bools
    illness: Floats
    free_hours: Floats
    base_cash: Floats
    knowledge: Floats  # (N, 3) shares of what an agent can contribute
    group: Ints
    slot: Ints
    n_groups: int
    n_slots: int
    window_meetings: int  # the active window in meetings (metrics): parity pools over it
    user_led: Bools  # per group
    credibility: Floats
    initial_credibility: Floats
    recognition: Floats  # professionals' recognition of lived experience (1 for lay people)
    values: Floats  # (N, 3) weights on the rationales: rights, managerial, experience
    initial_values: Floats  # (N, 3) the weights at the start
    fluency: Floats
    motivation: Floats
    baseline_motivation: Floats
    trust: Floats
    satisfaction: Floats
    benefit_fear: Floats
    initial_fear: Floats
    ties: Ties  # (groups, slots, slots) tie strength 0-1
    cross_role: Bools  # (groups, slots, slots) True for lay-professional pairs
    off_diagonal: Bools  # (slots, slots) True off the diagonal: no tie with oneself
    others: Ints  # (N,) members of one's group besides oneself (at least 1)
    cell: Ints  # (N,) group * slots + slot: one's place on the flattened grid
    group_side_kind: Ints  # (N * 3,) index of (group, lay or not, kind), for group sums
    due_refund: Floats  # (delay + 1, N) refunds owed to each agent, by week they arrive
    due_pay: Floats  # (delay + 1, N) payments owed, likewise
    # Who the people are (issue 11): drawn from their own stream, see _people.
    older: Bools  # aged 65 or over
    language_barrier: Bools  # English not spoken well or at all: needs interpreting
    low_health_literacy: Bools  # below the text-only health literacy threshold
    digital_access: Bools  # a device, a connection and the confidence to use them
    via_outreach: Bools  # place filled by outreach, not the usual channels
    seldom_heard: Bools  # see seldom_heard(): the one definition
    # Runs side by side (simulation.runs): each of n / runs agents and n_groups / runs groups.
    runs: int = 1
    # What happens in the programme; every agent starts with none of it (__post_init__).
    attending: Bools = field(init=False)
    ever_attended: Bools = field(init=False)
    first_weeks: Bools = field(init=False)  # attended in the first active_weeks weeks
    last_attended: Ints = field(init=False)
    suspended_until: Ints = field(init=False)
    received: Floats = field(init=False)  # GBP paid to each agent so far
    owed: Floats = field(init=False)  # GBP of refunds still owed to each agent
    cash: Floats = field(init=False)  # GBP at hand now (see money)
    out_of_pocket: Floats = field(init=False)  # GBP spent and not yet refunded
    never_refunded: Floats = field(init=False)  # GBP spent with no refund to come
    unpaid_hours: Floats = field(init=False)
    influence: Floats = field(init=False)  # share of decision weight this week
    belonging: Floats = field(init=False)  # mean tie strength to one's group
    evidence: Floats = field(init=False)  # per group: recent share of insights that were unexpected
    parity_window: Floats = field(init=False)  # (meetings, 2) recent attendance rates, see metrics
    earned: Floats = field(init=False)  # GBP paid in this Universal Credit assessment period
    taken_back: Floats = field(init=False)  # GBP of benefit taken back so far (uc taper)

    @property
    def n(self) -> int:
        """Number of agents."""
        return self.role.size

    def __post_init__(self) -> None:
        n = self.role.size
        self.cash = self.base_cash.copy()
        self.evidence = np.zeros(self.n_groups)
        self.parity_window = np.full((self.window_meetings, 2 * self.runs), np.nan)
        for name, dtype, fill in (
            ("attending", bool, False),
            ("ever_attended", bool, False),
            ("first_weeks", bool, False),
            ("last_attended", np.int64, -(10**6)),
            ("suspended_until", np.int64, 0),
            ("received", float, 0.0),
            ("owed", float, 0.0),
            ("out_of_pocket", float, 0.0),
            ("never_refunded", float, 0.0),
            ("unpaid_hours", float, 0.0),
            ("influence", float, 0.0),
            ("belonging", float, 0.0),
            ("earned", float, 0.0),
            ("taken_back", float, 0.0),
        ):
            setattr(self, name, np.full(n, fill, dtype=dtype))


# The fields of State by how runs side by side are joined (see stack).
_BY_AGENT = (
    *("role", "lay", "rationale", "on_benefits", "disabled", "low_money", "illness"),
    *("free_hours", "base_cash", "knowledge", "slot", "credibility", "initial_credibility"),
    *("recognition", "values", "initial_values", "fluency", "motivation"),
    *("baseline_motivation", "trust", "satisfaction", "benefit_fear", "initial_fear"),
    *("others", "older", "language_barrier", "low_health_literacy", "digital_access"),
    *("via_outreach", "seldom_heard"),
)
_BY_GROUP = ("user_led", "ties", "cross_role")


def stack(states: list[State]) -> State:
    """States side by side in one state (``simulation.runs``), each of one run or several
    (:func:`build_runs`): agents and groups of each after those of the states before it."""
    first = states[0]
    if len(states) == 1:
        return first
    before = np.cumsum([0] + [s.n_groups for s in states[:-1]])  # groups of earlier states
    group = np.concatenate([s.group + g for s, g in zip(states, before, strict=True)])
    lay = np.concatenate([s.lay for s in states])
    return State(
        **{name: np.concatenate([getattr(s, name) for s in states]) for name in _BY_AGENT},
        **{name: np.concatenate([getattr(s, name) for s in states]) for name in _BY_GROUP},
        group=group,
        n_groups=sum(s.n_groups for s in states),
        n_slots=first.n_slots,
        window_meetings=first.window_meetings,
        off_diagonal=first.off_diagonal,
        cell=group * first.n_slots + np.concatenate([s.slot for s in states]),
        group_side_kind=(((group * 2 + lay) * 3)[:, None] + np.arange(3)).ravel(),
        due_refund=np.concatenate([s.due_refund for s in states], axis=1),
        due_pay=np.concatenate([s.due_pay for s in states], axis=1),
        runs=sum(s.runs for s in states),
    )


def part(s: State, start: int, stop: int) -> State:
    """Runs ``start .. stop - 1`` of ``s`` (runs side by side, as :func:`build_runs`
    makes them) as a state of their own: the state :func:`build_runs` makes of their
    generators alone. Its arrays are views of ``s``'s: to read (set a run up), not to
    step."""
    if start == 0 and stop == s.runs:
        return s
    n, g = s.n // s.runs, s.n_groups // s.runs
    agents, groups = slice(start * n, stop * n), slice(start * g, stop * g)
    return State(
        **{name: getattr(s, name)[agents] for name in _BY_AGENT},
        **{name: getattr(s, name)[groups] for name in _BY_GROUP},
        group=s.group[agents] - start * g,
        n_groups=(stop - start) * g,
        n_slots=s.n_slots,
        window_meetings=s.window_meetings,
        off_diagonal=s.off_diagonal,
        cell=s.cell[agents] - start * g * s.n_slots,
        group_side_kind=s.group_side_kind[3 * start * n : 3 * stop * n] - 6 * start * g,
        due_refund=s.due_refund[:, agents],
        due_pay=s.due_pay[:, agents],
        runs=stop - start,
    )


# ----------------------------------------------------------------- drawing the people
# A pass of many runs (simulation.batch) sets up each run from its own generator, with
# the same draws in the same order as the run alone: that is what keeps its numbers. A
# default-size run's set-up is mostly numpy call overhead on small arrays, so only the
# draws are made run by run (a loop of generator calls, :func:`_each`); the arithmetic
# between them is done once for all the runs of the same parameters, on (runs, agents)
# arrays, entry by entry the numbers each run's alone would be. One run is a pass of one.


def _each(rngs: Sequence[np.random.Generator], draw: Callable[[np.random.Generator], Any]) -> Any:
    """Each run's ``draw(rng)`` from its own generator, stacked run by run."""
    # np.array, not np.stack: the same array from draws of one shape, at a third the cost
    return np.array([draw(rng) for rng in rngs])


# numpy's generators draw the same numbers, in the same order, from a call with array
# parameters as from calls with each stretch of equal parameters as numbers (a draw of
# ``size`` entries is the same entry by entry draws): the number calls are several times
# cheaper (numpy checks array parameters in Python). Likewise ``random(out=...)`` fills
# as ``random(shape)`` does, ``standard_gamma(k)`` is ``gamma(k)`` (a scale of 1) and a
# shuffle in place draws as a permutation of the same length does.


def _uniforms(rngs: Sequence[np.random.Generator], shape: tuple[int, ...]) -> Floats:
    """(runs, *shape) each run's ``rng.random(shape)``."""
    out = np.empty((len(rngs), *shape))
    for rng, row in zip(rngs, out, strict=True):
        rng.random(out=row)
    return out


def _equal_stretches(*entries: np.ndarray) -> list[tuple[int, int]]:
    """Stretches ``lo .. hi - 1`` over which every one of ``entries`` (1-d, of one length)
    keeps one value, in order."""
    size = entries[0].size
    change = np.zeros(max(size - 1, 0), bool)
    for x in entries:
        change |= x[1:] != x[:-1]
    edges = [0, *(np.flatnonzero(change) + 1).tolist(), size]
    return [(lo, hi) for lo, hi in itertools.pairwise(edges) if hi > lo]


def _beta(
    rngs: Sequence[np.random.Generator], mean: Floats | float, concentration: float, n: int
) -> Floats:
    """(runs, n) Beta draws of mean ``mean``: one value for all, or a (runs, n) array."""
    a, b = mean * concentration, (1.0 - mean) * concentration
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):  # each run's row its own
        out = np.empty((len(rngs), n))
        if n == 0:
            return out
        # A row of one value (illness not linked to benefits): the call of numbers.
        flat = ((a == a[:, :1]).all(axis=1) & (b == b[:, :1]).all(axis=1)).tolist()
        firsts = zip(a[:, 0].tolist(), b[:, 0].tolist(), strict=True)
        for r, (rng, (a_0, b_0)) in enumerate(zip(rngs, firsts, strict=True)):
            out[r] = rng.beta(a_0, b_0, n) if flat[r] else rng.beta(a[r], b[r])
        return out
    return _each(rngs, lambda rng: rng.beta(a, b, n))  # numbers: the call a run alone makes


def _beta_by_role(rngs: Sequence[np.random.Generator], role: Ints, table: Floats) -> Floats:
    """(runs, n) draws of a trait whose Beta parameters by role are ``table``: each
    agent's ``rng.beta(table[role, 0], table[role, 1])``, drawn a stretch of equal
    parameters (a role: roles come in order) at a time."""
    return _betas(rngs, _by_role(role, table))


def _by_role(role: Ints, table: Floats) -> list[tuple[float, float, int]]:
    """``(a, b, k)``: the Beta calls of :func:`_beta_by_role`, a stretch each."""
    a, b = table[role, 0], table[role, 1]
    return [(float(a[lo]), float(b[lo]), hi - lo) for lo, hi in _equal_stretches(a, b)]


def _betas(rngs: Sequence[np.random.Generator], calls: list[tuple[float, float, int]]) -> Floats:
    """(runs, all k) each run's ``rng.beta(a, b, k)`` for each ``(a, b, k)`` of ``calls``
    in turn, end to end; calls next to each other of the same parameters made as one."""
    merged: list[tuple[float, float, int, int]] = []  # (a, b, lo, hi)
    at = 0
    for a, b, k in calls:
        if merged and merged[-1][:2] == (a, b):
            merged[-1] = (a, b, merged[-1][2], at + k)
        elif k:  # (a call of none draws nothing)
            merged.append((a, b, at, at + k))
        at += k
    out = np.empty((len(rngs), at))
    for rng, row in zip(rngs, out, strict=True):
        for a, b, lo, hi in merged:
            row[lo:hi] = rng.beta(a, b, hi - lo)
    return out


def _shuffled(
    rngs: Sequence[np.random.Generator], items: Ints, parts: Sequence[tuple[int, int]]
) -> Ints:
    """(runs, len(items)) each run's ``items`` with each stretch ``lo .. hi - 1`` of
    ``parts`` (as ``(lo, hi)``) shuffled in turn: ``rng.permutation(items[lo:hi])``."""
    out = np.tile(items, (len(rngs), 1))
    for rng, row in zip(rngs, out, strict=True):
        for lo, hi in parts:
            if hi - lo > 1:  # (one entry or none: a permutation draws nothing)
                rng.shuffle(row[lo:hi])
    return out


def _end_to_end(runs_first: np.ndarray) -> np.ndarray:
    """A (runs, entries, ...) array as the runs' entries end to end (``simulation.runs``)."""
    return runs_first.reshape(-1, *runs_first.shape[2:])


# The parameters a run's people are drawn with: all that build_runs reads (the rest only
# sets the rules and settings). Runs whose parameters agree on these draw their people
# alike, so runs of several design points are drawn together (simulation.batch);
# tests/test_rule_population.py checks the list against the code.
DRAWN_WITH: tuple[str, ...] = (
    "active_meetings",
    "benefits_cash_median",
    "benefits_disability_link",
    "benefits_illness_link",
    "biomedical_share_carer",
    "biomedical_share_clinician",
    "biomedical_share_manager",
    "biomedical_share_patient",
    "carer_crisis_scale",
    "carer_free_hours_mean",
    "carer_free_hours_shape",
    "cash_spread",
    "credibility_effect_language",
    "credibility_effect_literacy",
    "credibility_mean_carer",
    "credibility_mean_clinician",
    "credibility_mean_manager",
    "credibility_mean_patient",
    "digital_access_share",
    "digital_access_share_older",
    "fluency_effect_language",
    "fluency_effect_literacy",
    "fluency_mean_carer",
    "fluency_mean_clinician",
    "fluency_mean_manager",
    "fluency_mean_patient",
    "group_size",
    "illness_concentration",
    "illness_mean",
    "initial_benefit_fear",
    "initial_satisfaction",
    "initial_trust_lay",
    "initial_trust_professional",
    "knowledge_concentration",
    "language_barrier_share",
    "lay_cash_median",
    "lived_share_carer",
    "lived_share_clinician",
    "lived_share_manager",
    "lived_share_patient",
    "low_health_literacy_share",
    "low_money_share",
    "managerial_share_carer",
    "managerial_share_clinician",
    "managerial_share_manager",
    "motivation_concentration",
    "motivation_mean_lay",
    "motivation_mean_professional",
    "n_carers",
    "n_clinicians",
    "n_managers",
    "n_patients",
    "outreach",
    "patient_free_hours_ill",
    "patient_free_hours_well",
    "recognition_initial",
    "refund_delay",
    "rights_share_carer",
    "rights_share_patient",
    "share_disabled",
    "share_older",
    "share_on_benefits",
    "trait_concentration_lay",
    "trait_concentration_professional",
    "user_led_funding",
    "usual_reach_seldom_heard",
    "value_blend",
)


def build(p: RunParams, rng: np.random.Generator) -> State:
    """Draw an initial population for parameters ``p`` from ``rng``: a pass of one run
    (:func:`build_runs`)."""
    return build_runs(p, [rng])


def build_runs(p: RunParams, rngs: Sequence[np.random.Generator]) -> State:
    """Runs of parameters ``p`` side by side (``simulation.runs``), run ``r``'s people
    drawn from ``rngs[r]``, each exactly as alone (see *drawing the people* above).

    Each run's draws come in a fixed order, so that a seed always gives the same people:
    circumstances and knowledge, groups, then motivation, credibility and fluency.
    """
    counts = (p.n_patients, p.n_carers, p.n_clinicians, p.n_managers)
    role = np.repeat(np.arange(4), counts)
    n = role.size
    lay = role <= CARER
    people = _circumstances(p, rngs, role, lay)
    grid = _groups(p, rngs, role, lay)
    # Motivation (lay, then professional, each drawn for all), credibility and fluency
    # (by role): the generator's next draws, made together (a loop over the runs, not four).
    c = p.motivation_concentration
    keen = [
        (m * c, (1.0 - m) * c, n) for m in (p.motivation_mean_lay, p.motivation_mean_professional)
    ]
    traits = _betas(rngs, keen + _by_role(role, beta_by_role(p, "credibility"))
                    + _by_role(role, beta_by_role(p, "fluency")))  # fmt: skip
    keen_lay, keen_professional, credibility, fluency = np.split(traits, 4, axis=1)
    motivation = np.where(lay, keen_lay, keen_professional)
    who = _people(p, people_streams(rngs), lay)
    credibility = credibility * trait_factor(p, "credibility", who)
    drawn = {
        **people,
        **who,
        "values": value_weights(p, role, people["rationale"]),
        "credibility": credibility,
        "fluency": fluency * trait_factor(p, "fluency", who),
        "motivation": motivation,
    }
    return _started(p, len(rngs), role, {k: _end_to_end(v) for k, v in drawn.items()}, grid)


def _started(
    p: RunParams, runs: int, role: Ints, drawn: dict[str, Any], grid: dict[str, Any]
) -> State:
    """The state of ``runs`` runs of parameters ``p`` from their people (``drawn``, end to
    end) and groups: what each agent starts with beside what was drawn."""
    role = np.tile(role, runs)
    n = role.size
    lay = role <= CARER
    fear = np.where(drawn["on_benefits"], p.initial_benefit_fear, 0.0)
    return State(
        window_meetings=p.active_meetings,
        role=role,
        lay=lay,
        **drawn,
        **grid,
        initial_credibility=drawn["credibility"].copy(),
        recognition=np.where(lay, 1.0, p.recognition_initial),
        initial_values=drawn["values"].copy(),
        baseline_motivation=drawn["motivation"].copy(),
        trust=np.where(lay, p.initial_trust_lay, p.initial_trust_professional),
        satisfaction=np.full(n, p.initial_satisfaction),
        benefit_fear=fear,
        initial_fear=fear.copy(),
        ties=np.zeros((grid["n_groups"], grid["n_slots"], grid["n_slots"]), np.float32),
        due_refund=np.zeros((p.refund_delay + 1, n)),
        due_pay=np.zeros((p.refund_delay + 1, n)),
        runs=runs,
    )


def _circumstances(
    p: RunParams, rngs: Sequence[np.random.Generator], role: Ints, lay: Bools
) -> dict[str, Any]:
    """Rationales, benefits, disability, illness, free time, money and knowledge."""
    n = role.size
    mix = rationale_mix(p)
    u = _uniforms(rngs, (3, n))  # each run's three rows of random(n)
    rationale = (u[:, 0, :, None] > np.cumsum(mix[role], axis=1)).sum(axis=-1)
    rationale = np.minimum(rationale, 2)
    on_benefits = lay & (u[:, 1] < p.share_on_benefits)
    disabled = lay & (u[:, 2] < disability_chance(p, on_benefits))

    # Illness shapes patients' time; caring squeezes carers'.
    ill = illness_mean(p, on_benefits)
    # Two draws of n one after the other: one of 2 n (a call a run, not two).
    both = _beta(rngs, np.concatenate([ill, ill], axis=1), p.illness_concentration, 2 * n)
    burden, carer_burden = both[:, :n], p.carer_crisis_scale * both[:, n:]
    illness = np.where(role == PATIENT, burden, np.where(role == CARER, carer_burden, 0.0))
    shape = p.carer_free_hours_shape
    patient_hours = p.patient_free_hours_ill + (
        p.patient_free_hours_well - p.patient_free_hours_ill
    ) * (1 - illness)
    carer_hours = _each(rngs, lambda rng: rng.gamma(shape, p.carer_free_hours_mean / shape, n))
    free_hours = np.where(
        role == PATIENT,
        patient_hours,
        np.where(role == CARER, carer_hours, PROFESSIONAL_HOURS),
    )
    # Professionals never front money (their travel and time are paid): no cash needed.
    median = np.where(on_benefits, p.benefits_cash_median, p.lay_cash_median)
    spread = _each(rngs, lambda rng: rng.lognormal(0.0, p.cash_spread, n))
    base_cash = np.where(lay, median * spread, 0.0)
    return {
        "rationale": rationale,
        "on_benefits": on_benefits,
        "disabled": disabled,
        "low_money": _low_money(p, base_cash, lay),
        "illness": illness,
        "free_hours": free_hours,
        "base_cash": base_cash,
        "knowledge": _knowledge(p, rngs, role),
    }


def _low_money(p: RunParams, base_cash: Floats, lay: Bools) -> Bools:
    """(runs, n) who is short of money: the lay people at or below their run's
    ``low_money_share`` quantile of lay cash (a quantile of each run's own people)."""
    if not lay.any():
        return np.zeros(base_cash.shape, bool)
    lowest = np.quantile(base_cash[:, lay], p.low_money_share, axis=1)
    return lay & (base_cash <= lowest[:, None])


def _knowledge(p: RunParams, rngs: Sequence[np.random.Generator], role: Ints) -> Floats:
    """(runs, n, kinds) shares of what each agent can contribute: Dirichlet around the
    role's profile."""
    shapes = p.knowledge_concentration * knowledge_profile(p)[role]
    raw = _each(rngs, lambda rng: rng.standard_gamma(shapes))  # rng.gamma(shapes)
    return raw / raw.sum(axis=-1, keepdims=True)


def _groups(
    p: RunParams, rngs: Sequence[np.random.Generator], role: Ints, lay: Bools
) -> dict[str, Any]:
    """Standing groups: each agent's place on the (groups x slots) grid; which are user-led.

    The runs' groups end to end: run ``r``'s groups are ``r G .. (r + 1) G - 1``.
    """
    # Deal each role, shuffled, round-robin into groups: every group gets a mix.
    n, runs = role.size, len(rngs)
    slots = min(p.group_size, n)
    n_groups = -(-n // slots)
    by_role = [np.flatnonzero(role == r) for r in range(4)]
    ends = np.cumsum([m.size for m in by_role]).tolist()
    # each run's np.concatenate([rng.permutation(m) for m in by_role])
    order = _shuffled(rngs, np.concatenate(by_role), list(zip([0, *ends[:-1]], ends, strict=True)))
    each_run = np.arange(runs)[:, None]
    group = np.empty((runs, n), np.int64)
    slot = np.empty((runs, n), np.int64)
    group[each_run, order] = np.arange(n) % n_groups
    slot[each_run, order] = np.arange(n) // n_groups
    n_slots = int(slot.max()) + 1
    user_led = _user_led(p, rngs, n_groups)

    is_lay_grid = np.full((runs, n_groups, n_slots), -1, np.int8)  # -1: an empty slot
    is_lay_grid[each_run, group, slot] = lay
    # A pair sums to 1 only as one lay person (1) and one professional (0).
    cross_role = (is_lay_grid[..., :, None] + is_lay_grid[..., None, :]) == 1
    group = _end_to_end(group + each_run * n_groups)
    slot = _end_to_end(slot)
    lay = np.tile(lay, runs)
    return {
        "group": group,
        "slot": slot,
        "n_groups": n_groups * runs,
        "n_slots": n_slots,
        "user_led": _end_to_end(user_led),
        "cross_role": _end_to_end(cross_role),
        "off_diagonal": ~np.eye(n_slots, dtype=bool),
        "others": np.maximum(np.bincount(group, minlength=n_groups * runs)[group] - 1, 1),
        "group_side_kind": (((group * 2 + lay) * 3)[:, None] + np.arange(3)).ravel(),
        "cell": group * n_slots + slot,
    }


def _user_led(p: RunParams, rngs: Sequence[np.random.Generator], n_groups: int) -> Bools:
    """(runs, groups) which groups are user-led: a share ``user_led_funding`` of them,
    rounded at random to a whole number, picked at random."""
    chance = np.array([rng.random() for rng in rngs])
    picked = _shuffled(rngs, np.arange(n_groups), [(0, n_groups)])  # rng.permutation(n_groups)
    return _first_of(picked, np.floor(p.user_led_funding * n_groups + chance), n_groups)


def _first_of(shuffled: Ints, count: Floats, size: int) -> Bools:
    """(runs, size) True at the first ``count[r]`` entries of each run's ``shuffled``
    (a shuffle of some of ``0 .. size - 1``): its ``shuffled[r][:count[r]]``."""
    taken = np.zeros((shuffled.shape[0], size), bool)
    taken[np.arange(shuffled.shape[0])[:, None], shuffled] = (
        np.arange(shuffled.shape[1]) < count[:, None]
    )
    return taken


# ----------------------------------------------------------------- who the people are
# Issue 11: age, language, health literacy and digital access, and how people are
# recruited. These draws come from a stream of their own (people_stream), so that adding
# them leaves every earlier draw, and so every run at the defaults, as it was.


def seldom_heard(
    language_barrier: Bools, low_health_literacy: Bools, digital_access: Bools
) -> Bools:
    """Who counts as *seldom heard*: the one definition.

    Someone who needs interpreting (English not spoken well or at all), or is below the
    health literacy threshold, or has no digital access (device, connection and the
    confidence to use them). These are the barriers that keep people out of the usual
    channels of recruitment and off the agenda of formal meetings.
    """
    return language_barrier | low_health_literacy | ~digital_access


def seldom_heard_population_share(p: RunParams) -> float:
    """Share of the population (the catchment lay places are filled from) that is seldom
    heard: 1 - P(no barrier), the attributes being drawn independently given age."""
    digital = (1.0 - p.share_older) * p.digital_access_share
    digital += p.share_older * p.digital_access_share_older
    return 1.0 - (1.0 - p.language_barrier_share) * (1.0 - p.low_health_literacy_share) * digital


def linked(d: float, b: float, link: float, on_benefits: Bools) -> Floats:
    """A share (or mean) d in [0, 1] that goes with being on benefits, b the share on them.

    On benefits d + k (1 - b), not d - k b, which keeps the average over everyone at d
    whatever k; k is ``link`` times its largest value that keeps both within [0, 1],
    min((1 - d) / (1 - b), d / b). At link 0 everyone has d.
    """
    room = min((1.0 - d) / (1.0 - b) if b < 1.0 else 0.0, d / b if b > 0.0 else 0.0)
    k = link * room
    return np.where(on_benefits, d + k * (1.0 - b), d - k * b)


def disability_chance(p: RunParams, on_benefits: Bools) -> Floats:
    """Each person's chance of being disabled, given whether they are on benefits
    (:func:`linked` with ``share_disabled`` and ``benefits_disability_link``)."""
    return linked(p.share_disabled, p.share_on_benefits, p.benefits_disability_link, on_benefits)


def illness_mean(p: RunParams, on_benefits: Bools) -> Floats:
    """Each lay person's mean illness (caring burden for carers), given whether they are
    on benefits (:func:`linked` with ``illness_mean`` and ``benefits_illness_link``):
    ESA and Universal Credit's health element are paid because of illness."""
    return linked(p.illness_mean, p.share_on_benefits, p.benefits_illness_link, on_benefits)


def trait_factor(p: RunParams, trait: str, who: dict[str, Any]) -> Floats:
    """What a language barrier and low health literacy leave of one's ``trait``
    (fluency or credibility): (1 - e_language barrier) (1 - e_literacy low literacy),
    with e the assumptions ``<trait>_effect_language`` and ``<trait>_effect_literacy``."""
    language = getattr(p, f"{trait}_effect_language") * who["language_barrier"]
    literacy = getattr(p, f"{trait}_effect_literacy") * who["low_health_literacy"]
    return (1.0 - language) * (1.0 - literacy)


def _catchment(p: RunParams, u: Floats) -> dict[str, Bools]:
    """People drawn from the population lay places are filled from, one for each column
    of ``u``: uniform draws of shape (4, ...), one row for each attribute."""
    older = u[0] < p.share_older
    digital_share = np.where(older, p.digital_access_share_older, p.digital_access_share)
    return {
        "older": older,
        "language_barrier": u[1] < p.language_barrier_share,
        "low_health_literacy": u[2] < p.low_health_literacy_share,
        "digital_access": u[3] < digital_share,
    }


def _recruit(
    p: RunParams,
    rngs: Sequence[np.random.Generator],
    counts: Ints,
    outreach: bool,
    ahead: _Ahead | None = None,
) -> dict[str, Bools]:
    """``counts[r]`` recruits for each run ``r``: by outreach, seldom-heard people; by the
    usual channels, people of the catchment, a seldom-heard one accepted with chance
    ``usual_reach_seldom_heard`` (everyone else always). Drawn in rounds until the places
    are filled; the runs' recruits end to end.

    Each round, every run with places left draws a catchment the size of its places left
    (and, by the usual channels, a number each to accept them by), as alone; the runs'
    rounds are laid side by side (padded to the largest), and each keeps what it would.
    A run's round is its ``rng.random((4, k))`` then ``rng.random(k)``: one
    ``rng.random((5, k))``, taken from ``ahead`` (drawn ahead from ``rngs``, which are
    not to be drawn from afterwards: :class:`_Ahead`).
    """
    share = seldom_heard_population_share(p)
    reach = p.usual_reach_seldom_heard
    acceptance = share if outreach else 1.0 - share + reach * share
    left = np.array(counts)
    rounds: list[dict[str, Bools]] = []
    kept: list[Bools] = []
    selects = acceptance > 0.0 and not outreach  # by the usual channels: numbers to accept
    rows = 5 if selects else 4
    ahead = _Ahead(rngs) if ahead is None else ahead
    # Draw ahead about what the later rounds will take too (speed only: any amount works).
    spare = 3.0 * (1.0 / acceptance - 1.0) if 0.0 < acceptance < 1.0 else 0.0
    while left.any():
        drawn = np.arange(left.max()) < left[:, None]  # (runs, largest) who is drawn
        u = ahead.take(left, rows, rows * (int(spare * left.max()) + 16))
        batch = _catchment(p, u[:4])
        heard_little = seldom_heard(
            batch["language_barrier"], batch["low_health_literacy"], batch["digital_access"]
        )
        if acceptance <= 0.0:  # nobody to select: take people as they come
            keep = drawn
        elif outreach:
            keep = drawn & heard_little
        else:
            keep = drawn & (~heard_little | (u[4] < reach))
        rounds.append(batch)
        kept.append(keep)
        left = left - keep.sum(axis=1)
    if not rounds:  # nobody to recruit (and the keys)
        return {key: np.zeros(0, bool) for key in _catchment(p, np.zeros((4, 0)))}
    # A run never keeps more than its places left: its recruits are all it kept, in order.
    chosen = np.concatenate(kept, axis=1)
    return {key: np.concatenate([b[key] for b in rounds], axis=1)[chosen] for key in rounds[0]}


class _Ahead:
    """Each run's uniform draws from its generator, drawn ahead a block at a time, for
    generators nothing draws from afterwards (the people streams): what is drawn and not
    used changes nothing. ``random(a)`` then ``random(b)`` is ``random(a + b)``: one call
    a run, not one a round (the calls cost more than the draws)."""

    def __init__(self, rngs: Sequence[np.random.Generator]) -> None:
        self.rngs = rngs
        self.drawn = np.empty((len(rngs), 0))
        self.used = np.zeros(len(rngs), np.int64)  # each run's draws taken so far

    def take(self, sizes: Ints, rows: int, ahead: int) -> Floats:
        """As :func:`_padded`: (rows, runs, largest size) each run's next
        ``rows * sizes[r]`` draws as a ``(rows, sizes[r])`` draw, in ``[:, r, :sizes[r]]``,
        padded with zeros; ``ahead`` more drawn if it must draw."""
        largest = int(sizes.max())
        # Row i of run r's draw starts at used[r] + i sizes[r]: read `largest` from there
        # (a window; what lies beyond the run's own is zeroed), so draw that far.
        start = self.used + np.arange(rows)[:, None] * sizes  # (rows, runs)
        have = self.drawn.shape[1]
        if (reach := int(start[-1].max()) + largest) > have:
            more = np.empty((len(self.rngs), reach - have + ahead))
            for rng, row in zip(self.rngs, more, strict=True):
                rng.random(out=row)
            self.drawn = np.concatenate([self.drawn, more], axis=1) if have else more
        used, self.used = self.used, self.used + rows * sizes
        if (sizes == largest).all() and (used == used[0]).all():  # (the first round) a view
            block = self.drawn[:, used[0] : used[0] + rows * largest]
            return block.reshape(len(self.rngs), rows, largest).transpose(1, 0, 2)
        windows = np.lib.stride_tricks.sliding_window_view(self.drawn, largest, axis=1)
        inside = np.arange(largest) < sizes[:, None]  # (runs, largest)
        return np.where(inside, windows[np.arange(len(self.rngs)), start], 0.0)


def _padded(rngs: Sequence[np.random.Generator], sizes: Ints, rows: int) -> Floats:
    """(rows, runs, largest size) each run's ``rng.random((rows, sizes[r]))`` in
    ``[:, r, :sizes[r]]``, padded with zeros; runs of size 0 draw nothing."""
    each = sizes.tolist()
    largest = max(each)
    flat = np.zeros((len(rngs), rows * largest))  # each run's draw, its entries in order
    for rng, row, k in zip(rngs, flat, each, strict=True):
        if k:
            rng.random(out=row[: rows * k])
    # Entry (i, j) of run r's draw is its entry i sizes[r] + j.
    j = np.arange(largest)
    inside = j < sizes[:, None]  # (runs, largest)
    at = np.where(inside, np.arange(rows)[:, None, None] * sizes[:, None] + j, 0)
    return np.where(inside, flat[np.arange(len(rngs))[:, None], at], 0.0)


def _people(p: RunParams, rngs: Sequence[np.random.Generator], lay: Bools) -> dict[str, Bools]:
    """(runs, n) age, language, health literacy, digital access and how each lay place
    was filled, each run's drawn from its own generator (``people_stream``).

    A share ``outreach`` of the lay places (rounded at random to a whole number) goes
    to seldom-heard people reached by outreach, the rest to the usual channels
    (:func:`_recruit`). Professionals are none of these: under 65, fluent in English and
    health information, online at work, never recruited.
    """
    n, runs = lay.size, len(rngs)
    places = np.flatnonzero(lay)
    chance = np.array([rng.random() for rng in rngs])
    shuffled = _shuffled(rngs, places, [(0, places.size)])  # rng.permutation(places)
    n_outreach = np.floor(p.outreach * places.size + chance)
    via_outreach = _first_of(shuffled, n_outreach, n)
    out = {
        "older": np.zeros((runs, n), bool),
        "language_barrier": np.zeros((runs, n), bool),
        "low_health_literacy": np.zeros((runs, n), bool),
        "digital_access": np.ones((runs, n), bool),
    }
    ahead = _Ahead(rngs)  # the rest of the streams' draws, both channels' one after the other
    for outreach, where in ((False, lay & ~via_outreach), (True, via_outreach)):
        recruits = _recruit(p, rngs, where.sum(axis=1), outreach, ahead)
        for key, value in recruits.items():
            out[key][where] = value
    out["via_outreach"] = via_outreach
    out["seldom_heard"] = seldom_heard(
        out["language_barrier"], out["low_health_literacy"], out["digital_access"]
    )
    return out
