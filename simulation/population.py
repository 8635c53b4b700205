"""Who takes part: the agents' state, held as numpy arrays, and how it starts.

Agent ``i`` is row ``i`` of every array. Roles are stored in role order
(patients, carers, clinicians, managers). Agents work in standing groups of at
most ``group_size`` people; ``group`` and ``slot`` place each agent in a
(groups x slots) grid, which keeps ties sparse: an agent can only tie with the
members of its own group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import Bools, Floats, Ints, Ties

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
    # Meeting format (issue 11): see draw_digital_access, drawn from its own stream.
    digital_access: Bools  # a device, a connection and the confidence to join online
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
        self.parity_window = np.full((self.window_meetings, 2), np.nan)
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


def _beta_by_role(rng: np.random.Generator, role: Ints, table: Floats) -> Floats:
    return rng.beta(table[role, 0], table[role, 1])


def _beta(rng: np.random.Generator, mean: Floats | float, concentration: float, n: int) -> Floats:
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, n)


def build(p: RunParams, rng: np.random.Generator) -> State:
    """Draw an initial population for parameters ``p`` from ``rng``.

    The draws come in a fixed order, so that a seed always gives the same people:
    circumstances and knowledge, groups, then motivation, credibility and fluency.
    """
    counts = (p.n_patients, p.n_carers, p.n_clinicians, p.n_managers)
    role = np.repeat(np.arange(4), counts)
    n = role.size
    lay = role <= CARER
    people = _circumstances(p, rng, role, lay)
    grid = _groups(p, rng, role, lay)
    c = p.motivation_concentration
    keen_lay = _beta(rng, p.motivation_mean_lay, c, n)
    motivation = np.where(lay, keen_lay, _beta(rng, p.motivation_mean_professional, c, n))
    n_groups, n_slots = grid["n_groups"], grid["n_slots"]
    credibility = _beta_by_role(rng, role, beta_by_role(p, "credibility"))
    values = value_weights(p, role, people["rationale"])
    return State(
        window_meetings=p.active_meetings,
        role=role,
        lay=lay,
        **people,
        **grid,
        credibility=credibility,
        initial_credibility=credibility.copy(),
        recognition=np.where(lay, 1.0, p.recognition_initial),
        values=values,
        initial_values=values.copy(),
        fluency=_beta_by_role(rng, role, beta_by_role(p, "fluency")),
        motivation=motivation,
        baseline_motivation=motivation.copy(),
        trust=np.where(lay, p.initial_trust_lay, p.initial_trust_professional),
        satisfaction=np.full(n, p.initial_satisfaction),
        benefit_fear=np.where(people["on_benefits"], p.initial_benefit_fear, 0.0),
        initial_fear=np.where(people["on_benefits"], p.initial_benefit_fear, 0.0),
        ties=np.zeros((n_groups, n_slots, n_slots), np.float32),
        due_refund=np.zeros((p.refund_delay + 1, n)),
        due_pay=np.zeros((p.refund_delay + 1, n)),
        digital_access=draw_digital_access(p, digital_stream(rng), lay, people["disabled"]),
    )


def _circumstances(
    p: RunParams, rng: np.random.Generator, role: Ints, lay: Bools
) -> dict[str, Any]:
    """Rationales, benefits, disability, illness, free time, money and knowledge."""
    n = role.size
    mix = rationale_mix(p)
    rationale = (rng.random(n)[:, None] > np.cumsum(mix[role], axis=1)).sum(axis=1)
    rationale = np.minimum(rationale, 2)
    on_benefits = lay & (rng.random(n) < p.share_on_benefits)
    disabled = lay & (rng.random(n) < p.share_disabled)

    # Illness shapes patients' time; caring squeezes carers'.
    burden = _beta(rng, p.illness_mean, p.illness_concentration, n)
    carer_burden = p.carer_crisis_scale * _beta(rng, p.illness_mean, p.illness_concentration, n)
    illness = np.where(role == PATIENT, burden, np.where(role == CARER, carer_burden, 0.0))
    shape = p.carer_free_hours_shape
    patient_hours = p.patient_free_hours_ill + (
        p.patient_free_hours_well - p.patient_free_hours_ill
    ) * (1 - illness)
    free_hours = np.where(
        role == PATIENT,
        patient_hours,
        np.where(
            role == CARER, rng.gamma(shape, p.carer_free_hours_mean / shape, n), PROFESSIONAL_HOURS
        ),
    )
    # Professionals never front money (their travel and time are paid): no cash needed.
    median = np.where(on_benefits, p.benefits_cash_median, p.lay_cash_median)
    base_cash = np.where(lay, median * rng.lognormal(0.0, p.cash_spread, n), 0.0)
    low_money = np.zeros(n, bool)
    if lay.any():
        low_money = lay & (base_cash <= np.quantile(base_cash[lay], p.low_money_share))

    # Dirichlet around the role's profile.
    raw = rng.gamma(p.knowledge_concentration * knowledge_profile(p)[role])
    return {
        "rationale": rationale,
        "on_benefits": on_benefits,
        "disabled": disabled,
        "low_money": low_money,
        "illness": illness,
        "free_hours": free_hours,
        "base_cash": base_cash,
        "knowledge": raw / raw.sum(axis=1, keepdims=True),
    }


def _groups(p: RunParams, rng: np.random.Generator, role: Ints, lay: Bools) -> dict[str, Any]:
    """Standing groups: each agent's place on the (groups x slots) grid; which are user-led."""
    # Deal each role, shuffled, round-robin into groups: every group gets a mix.
    n = role.size
    slots = min(p.group_size, n)
    n_groups = -(-n // slots)
    order = np.concatenate([rng.permutation(np.flatnonzero(role == r)) for r in range(4)])
    group = np.empty(n, np.int64)
    slot = np.empty(n, np.int64)
    group[order] = np.arange(n) % n_groups
    slot[order] = np.arange(n) // n_groups
    n_slots = int(slot.max()) + 1

    n_user_led = int(np.floor(p.user_led_funding * n_groups + rng.random()))
    user_led = np.zeros(n_groups, bool)
    user_led[rng.permutation(n_groups)[:n_user_led]] = True

    is_lay_grid = np.full((n_groups, n_slots), -1)
    is_lay_grid[group, slot] = lay
    cross_role = (is_lay_grid[:, :, None] + is_lay_grid[:, None, :]) == 1
    cross_role &= (is_lay_grid[:, :, None] >= 0) & (is_lay_grid[:, None, :] >= 0)
    return {
        "group": group,
        "slot": slot,
        "n_groups": n_groups,
        "n_slots": n_slots,
        "user_led": user_led,
        "cross_role": cross_role,
        "off_diagonal": ~np.eye(n_slots, dtype=bool),
        "others": np.maximum(np.bincount(group, minlength=n_groups)[group] - 1, 1),
        "group_side_kind": (((group * 2 + lay) * 3)[:, None] + np.arange(3)).ravel(),
        "cell": group * n_slots + slot,
    }


# --- Digital access (issue 11, meeting format) -------------------------------------------
# A minimal version for the meeting format: who can join an online meeting. It has its own
# random stream, so that every draw above stays as it was (at the defaults a seed gives the
# same people, bit for bit). To reconcile with the correlated attributes of "who the
# people are" (another branch draws digital_access with age and the rest): keep one
# definition, and keep professionals always connected.
DIGITAL_STREAM = 113  # spawn key of the digital-access stream: a name for a stream, not a number


def digital_stream(rng: np.random.Generator) -> np.random.Generator:
    """A generator for digital access, derived from ``rng``'s seed without drawing from
    ``rng`` or changing its state (a child of its SeedSequence, by a fixed spawn key)."""
    seed = rng.bit_generator.seed_seq
    if not isinstance(seed, np.random.SeedSequence):  # a generator built from a bare state
        raise ValueError("population.build needs a generator seeded with a SeedSequence")
    return np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, DIGITAL_STREAM))
    )


def draw_digital_access(
    p: RunParams, rng: np.random.Generator, lay: Bools, disabled: Bools
) -> Bools:
    """Who has a device, a connection and the confidence to join an online meeting.

    Lay people: with chance ``digital_access_share``, or ``digital_access_share_disabled``
    for disabled people (lower: ONS figures in the assumptions). Professionals always
    have it (they join from work).
    """
    share = np.where(disabled, p.digital_access_share_disabled, p.digital_access_share)
    return ~lay | (rng.random(lay.size) < share)
