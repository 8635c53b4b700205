"""The parameter schema: the single source of truth for every model input.

Each :class:`Param` carries its name, type, range or choices, default, unit,
plain-language help, the part of the paper it stands for, and the control group
it belongs to. The model's keyword arguments, the command line, scenario files,
the README table, sweeps and the dashboard all read this list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .assumptions import ASSUMPTIONS
from .schema import Param, ParamError
from .text import did_you_mean, show

__all__ = ["ASSUMPTIONS", "PARAMS", "Param", "ParamError", "RunParams", "lookup", "validate"]


def _count(name: str, default: int, who: str) -> Param:
    return Param(
        name,
        "int",
        default,
        f"how many {who} take part in the programme",
        "who takes part",
        "Population",
        "people",
        0,
        100_000,
    )


PARAMS: tuple[Param, ...] = (
    _count("n_patients", 40, "patients"),
    _count("n_carers", 20, "carers"),
    _count("n_clinicians", 12, "clinicians"),
    _count("n_managers", 4, "managers (including involvement leads)"),
    Param(
        "share_on_benefits",
        "float",
        0.4,
        "share of patients and carers living on social-security benefits",
        "who can afford to take part",
        "Population",
        "share",
        0.0,
        1.0,
    ),
    Param(
        "share_disabled",
        "float",
        0.3,
        "share of patients and carers with a mobility disability",
        "identity and mobility",
        "Population",
        "share",
        0.0,
        1.0,
    ),
    Param(
        "compensation",
        "choice",
        "expenses",
        "what lay participants receive: nothing, their expenses back, or pay for their time",
        "compensation for time and knowledge",
        "Compensation",
        choices=("none", "expenses", "paid"),
    ),
    Param(
        "payment_rate",
        "float",
        0.5,
        "pay per hour when paid, as a fraction of professional hourly pay",
        "recognition of intangible labour",
        "Compensation",
        "x professional pay",
        0.0,
        2.0,
    ),
    Param(
        "refund_delay",
        "int",
        4,
        "weeks before fronted expenses (and payments) reach lay participants",
        "slow and complicated payment procedures",
        "Compensation",
        "weeks",
        0,
        26,
    ),
    Param(
        "benefit_safe",
        "bool",
        False,
        "payments arranged so that they never count against social-security benefits",
        "payment that jeopardises benefits",
        "Compensation",
    ),
    Param(
        "travel_support",
        "bool",
        False,
        "travel for disabled participants booked and paid up front by the programme",
        "accessibility (first-class disability train tickets)",
        "Compensation",
    ),
    Param(
        "pace",
        "float",
        0.7,
        "0 slow, open-ended conversation; 1 fast, agenda-driven, minute-taking meetings",
        "pace of meetings and forms of communication",
        "Pacing",
        "0-1",
        0.0,
        1.0,
    ),
    Param(
        "meeting_interval",
        "int",
        2,
        "weeks between meetings",
        "how often the group meets",
        "Pacing",
        "weeks",
        1,
        12,
    ),
    Param(
        "agenda_openness",
        "float",
        0.3,
        "how far participants, not managers, set the agenda",
        "exploratory space versus predefined agendas",
        "Pacing",
        "0-1",
        0.0,
        1.0,
    ),
    Param(
        "power_sharing",
        "float",
        0.3,
        "weight of lay input in decisions relative to professional input",
        "token involvement versus equitable power relations",
        "Power and money",
        "0-1",
        0.0,
        1.0,
    ),
    Param(
        "user_led_funding",
        "float",
        0.0,
        "share of the budget, and so of the standing groups, given to projects led by "
        "patients and carers",
        "redistribution of resources; user-led organisations",
        "Power and money",
        "share",
        0.0,
        1.0,
    ),
    Param(
        "weeks",
        "int",
        104,
        "length of the programme",
        "long-term versus short spaces",
        "Run",
        "weeks",
        1,
        1040,
    ),
    Param(
        "group_size",
        "int",
        10,
        "people per standing working group",
        "spaces where people work together",
        "Run",
        "people",
        2,
        50,
    ),
    Param(
        "travel_cost",
        "float",
        10.0,
        "cost of a return trip to a meeting (disabled participants without travel support pay "
        "more: the assumption disabled_travel_factor)",
        "money fronted to take part",
        "Compensation",
        "GBP",
        0.0,
        200.0,
    ),
    Param(
        "permitted_earnings",
        "float",
        20.0,
        "payment a week that benefits tolerate before they are suspended, under "
        "benefit_rules=legacy-20 (GBP 20 is ESA's permitted-work lower limit; 'esa' and 'uc' "
        "use their own published limits instead)",
        "payment that counts as income",
        "Compensation",
        "GBP/week",
        0.0,
        500.0,
    ),
    # Meeting format (issue 11): how the groups meet.
    Param(
        "meeting_format",
        "choice",
        "in_person",
        "how the groups meet: in a room; online (no fare or travel time, shorter, ties "
        "build more slowly, only for people with digital access); or hybrid (a room that "
        "people with digital access may join online, each as suits them)",
        "forms of communication; accessibility",
        "Pacing",
        choices=("in_person", "online", "hybrid"),
    ),
    # Issue 11, UK benefit rules (money.py): which rules decide what a payment costs claimants.
    Param(
        "benefit_rules",
        "choice",
        "uc",
        "which benefit rules meet a payment that is not benefit-safe: legacy-20 (above "
        "permitted_earnings a week the benefit is suspended), esa (ESA permitted work: GBP "
        "195.50 a week under 16 hours, else GBP 20; above, suspended), uc (Universal Credit: "
        "55p of each GBP 1 above the work allowance is taken off the monthly award, no "
        "suspension; the work allowance only for claimants with limited capability for work)",
        "payment that jeopardises benefits",
        "Compensation",
        choices=("legacy-20", "esa", "uc"),
    ),
    # Issue 11, item 1: a budget and managers who manage it (simulation.management).
    Param(
        "budget",
        "float",
        45_000.0,
        "money a year for the programme, staff time included (the default programme "
        "costs about GBP 44,000 a year: docs/odd.md, management)",
        "resources for co-production; spending against a budget",
        "Management",
        "GBP/year",
        1_000.0,
        10_000_000.0,
    ),
    Param(
        "manager_adaptation",
        "float",
        0.0,
        "how readily managers change the rules at their reviews: the share of reviews over "
        "budget at which they make a cut, and how far they give way to push-back (0: the "
        "rules stay as set)",
        "managerial rationale acted on: managers who manage",
        "Management",
        "0-1",
        0.0,
        1.0,
    ),
    Param(
        "pace_limit",
        "float",
        0.9,
        "fastest pace managers may impose when they speed meetings up",
        "bounds on managers' cuts",
        "Management",
        "0-1",
        0.0,
        1.0,
    ),
    Param(
        "interval_limit",
        "int",
        4,
        "longest interval between meetings managers may impose when they meet less often",
        "bounds on managers' cuts",
        "Management",
        "weeks",
        1,
        12,
    ),
    Param(
        "compensation_floor",
        "choice",
        "expenses",
        "the least compensation managers may cut to (paid: they may not cut it)",
        "bounds on managers' cuts",
        "Management",
        choices=("none", "expenses", "paid"),
    ),
    Param(
        "groups_floor",
        "float",
        0.5,
        "share of the programme's own (not user-led) groups managers must keep open",
        "bounds on managers' cuts",
        "Management",
        "share",
        0.0,
        1.0,
    ),
    # Issue 11, who the people are.
    Param(
        "outreach",
        "float",
        0.0,
        "share of lay places filled by reaching seldom-heard groups (people who need "
        "interpreting, have low health literacy or no digital access) rather than through "
        "the usual channels, which mostly recruit the usual suspects",
        "seldom-heard groups; the 'usual suspects' of involvement",
        "Population",
        "share",
        0.0,
        1.0,
    ),
)

# Every model input: the policy levers, then the assumptions (simulation.assumptions).
EVERY_PARAM: tuple[Param, ...] = PARAMS + ASSUMPTIONS
PARAM_BY_NAME: dict[str, Param] = {p.name: p for p in EVERY_PARAM}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in EVERY_PARAM}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PARAMS))
ASSUMPTION_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in ASSUMPTIONS))
ASSUMPTION_NAMES: frozenset[str] = frozenset(p.name for p in ASSUMPTIONS)
LAY_COUNTS = ("n_patients", "n_carers")
PROFESSIONAL_COUNTS = ("n_clinicians", "n_managers")


def lookup(name: str) -> Param:
    """The Param called ``name``; a ParamError with a did-you-mean otherwise."""
    try:
        return PARAM_BY_NAME[name]
    except KeyError:
        folded = name.strip().lower()
        hint = (
            f" (did you mean '{folded}'?)"
            if folded in PARAM_BY_NAME
            else did_you_mean(folded, PARAM_BY_NAME)
        )
        raise ParamError(
            f"unknown parameter '{name}'{hint}; known: {', '.join(p.name for p in PARAMS)}, "
            f"and the {len(ASSUMPTIONS)} assumptions of 'coprod params --assumptions'"
        ) from None


Compensation = Literal["none", "expenses", "paid"]
MeetingFormat = Literal["in_person", "online", "hybrid"]
BenefitRules = Literal["legacy-20", "esa", "uc"]


@dataclass(frozen=True, kw_only=True, slots=True)
class RunParams:
    """One run's parameters, typed: a field per :class:`Param` of ``EVERY_PARAM``, in order.

    The rules read them as attributes (``params.pace``). Build one with
    :meth:`from_values`, which validates; a test checks that the fields and their
    types follow the schema.
    """

    n_patients: int
    n_carers: int
    n_clinicians: int
    n_managers: int
    share_on_benefits: float
    share_disabled: float
    compensation: Compensation
    payment_rate: float
    refund_delay: int
    benefit_safe: bool
    travel_support: bool
    pace: float
    meeting_interval: int
    agenda_openness: float
    power_sharing: float
    user_led_funding: float
    weeks: int
    group_size: int
    travel_cost: float
    permitted_earnings: float
    meeting_format: MeetingFormat
    benefit_rules: BenefitRules
    budget: float
    manager_adaptation: float
    pace_limit: float
    interval_limit: int
    compensation_floor: Compensation
    groups_floor: float
    outreach: float  # issue 11, who the people are
    # assumptions: population
    rights_share_patient: float
    rights_share_carer: float
    managerial_share_carer: float
    managerial_share_clinician: float
    managerial_share_manager: float
    lived_share_patient: float
    lived_share_carer: float
    lived_share_clinician: float
    lived_share_manager: float
    biomedical_share_patient: float
    biomedical_share_carer: float
    biomedical_share_clinician: float
    biomedical_share_manager: float
    knowledge_concentration: float
    credibility_mean_patient: float
    credibility_mean_carer: float
    credibility_mean_clinician: float
    credibility_mean_manager: float
    fluency_mean_patient: float
    fluency_mean_carer: float
    fluency_mean_clinician: float
    fluency_mean_manager: float
    trait_concentration_lay: float
    trait_concentration_professional: float
    motivation_mean_lay: float
    motivation_mean_professional: float
    motivation_concentration: float
    initial_trust_lay: float
    initial_trust_professional: float
    initial_satisfaction: float
    illness_mean: float
    illness_concentration: float
    carer_crisis_scale: float
    patient_free_hours_well: float
    patient_free_hours_ill: float
    carer_free_hours_mean: float
    carer_free_hours_shape: float
    lay_cash_median: float
    benefits_cash_median: float
    cash_spread: float
    low_money_share: float
    initial_benefit_fear: float
    recognition_initial: float
    value_blend: float
    # assumptions: participation
    base_utility_lay: float
    base_utility_professional: float
    weight_motivation: float
    weight_time: float
    weight_money: float
    weight_pay: float
    weight_benefit_fear: float
    weight_trust: float
    weight_belonging: float
    cash_cushion: float
    travel_hours: float
    disabled_travel_factor: float
    disabled_travel_time_factor: float
    flare_rate: float
    fronting_horizon: float
    refund_felt: float
    professional_pay: float
    # assumptions: meeting
    hours_fast: float
    hours_slow: float
    turns_per_hour: float
    agenda_time: float
    surfacing_turns: float
    user_led_pace: float
    fluency_pace: float
    speak_base: float
    heard_base: float
    heard_credibility: float
    # assumptions: knowledge
    k_routine: float
    k_unexpected: float
    # assumptions: decisions
    items_base: float
    items_pace: float
    # assumptions: relations
    tie_formal: float
    tie_informal: float
    tie_decay: float
    trust_rate: float
    trust_weight_recognition: float
    credibility_gain: float
    credit_cap: float
    recognition_rate: float
    recognition_weight_ties: float
    evidence_rate: float
    credibility_loss: float
    credibility_fade: float
    accountability: float
    professional_credibility_rate: float
    # assumptions: money
    suspension_weeks: int
    cash_recovery: float
    word_of_mouth: float
    # assumptions: motivation
    satisfaction_rate: float
    motivation_rate: float
    aspiration: float
    value_ref: float
    heard_ref: float
    burnout: float
    benefit_shock: float
    return_rate: float
    fear_fade: float
    # assumptions: values
    value_rate: float
    # assumptions: metrics
    active_meetings: int
    strong_tie: float
    parity_eps: float
    # assumptions: meeting format (issue 11)
    in_person_preference: float
    online_hours_factor: float
    online_tie_factor: float
    # assumptions: money, UK benefit rules (issue 11)
    esa_lower_limit: float
    esa_higher_limit: float
    esa_hours_limit: float
    uc_taper: float
    uc_work_allowance: float
    uc_assessment_weeks: int
    uc_lcw_illness: float
    # assumptions: management
    review_interval: int
    overspend_tolerance: float
    pace_step: float
    interval_step: int
    # assumptions: who the people are (issue 11)
    share_older: float
    language_barrier_share: float
    low_health_literacy_share: float
    digital_access_share: float
    digital_access_share_older: float
    usual_reach_seldom_heard: float
    benefits_disability_link: float
    benefits_illness_link: float
    fluency_effect_language: float
    fluency_effect_literacy: float
    credibility_effect_language: float
    credibility_effect_literacy: float

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> RunParams:
        """Validate ``values`` (missing ones take their defaults) and type them."""
        return cls(**validate(dict(values)))

    @property
    def active_weeks(self) -> int:
        """The active window in weeks: ``active_meetings`` meetings, ``meeting_interval`` apart."""
        return self.active_meetings * self.meeting_interval

    def as_dict(self) -> dict[str, Any]:
        """Every parameter's value by name, in schema order (as :func:`validate` returns)."""
        return asdict(self)


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Complete ``values`` with defaults, coerce each one, check the population.

    Returns a new dict with every parameter. Raises ParamError naming the
    parameter, what is allowed and what was given.
    """
    out = dict(DEFAULTS)
    for name, value in values.items():
        out[name] = lookup(name).coerce(value)
    if sum(out[n] for n in LAY_COUNTS) < 1:
        raise ParamError(
            "population: at least one patient or carer is needed "
            f"(n_patients={out['n_patients']}, n_carers={out['n_carers']})"
        )
    if sum(out[n] for n in PROFESSIONAL_COUNTS) < 1:
        raise ParamError(
            "population: at least one clinician or manager is needed "
            f"(n_clinicians={out['n_clinicians']}, n_managers={out['n_managers']})"
        )
    return out


def markdown_table() -> str:
    """The README's parameter table, generated from the schema."""
    rows = [
        "| parameter | group | type | allowed | default | unit | meaning | paper's concept |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in PARAMS:
        allowed = (
            ", ".join(p.choices)
            if p.kind == "choice"
            else ("true/false" if p.kind == "bool" else f"{show(p.low)}-{show(p.high)}")
        )
        default = str(p.default).lower() if p.kind == "bool" else p.default
        rows.append(
            f"| `{p.name}` | {p.group} | {p.kind} | {allowed} | {default} | "
            f"{p.unit} | {p.help} | {p.concept} |"
        )
    return "\n".join(rows)
