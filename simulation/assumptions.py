"""The assumptions registry: every number that shapes the agents' behaviour.

The policy levers (:data:`simulation.params.PARAMS`) are what a programme
chooses. The assumptions are what the modeller had to choose: how heavily
people weigh time against money, how fast ties decay, what people know. Each
one is a :class:`~simulation.schema.Param` with a default, a plausible range
(``low``-``high``) a careful modeller would defend, a unit, and where it comes
from: ``basis`` is ``published`` (a figure from a cited source), ``estimate``
(worked out from published figures) or ``assumption`` (reasoning alone), and
``source`` says which. ``group`` is the rule that uses it.

Every assumption is a model keyword argument like a policy lever, so runs,
scenario files, sweeps and ``coprod robustness`` can vary it. The rules read the
run's value (``params.weight_time``), never a module global. docs/assumptions.md
is generated from this list (``coprod params --assumptions --markdown``).
"""

from __future__ import annotations

from .schema import Param

# What each rule stands for in the paper (docs/concept.md, "What happens each week").
RULES: dict[str, str] = {
    "population": "who takes part: resources, rationales and knowledge",
    "participation": "1. weighing whether to take part",
    "meeting": "2. who gets heard at a meeting",
    "knowledge": "3. knowledge combined into insights",
    "decisions": "4. decisions weighed by power",
    "relations": "5. ties, trust and credibility",
    "money": "6. payments, refunds and benefits",
    "motivation": "7. satisfaction and motivation by rationale",
    "values": "8. values shift with what people see co-production produce",
    "metrics": "how outcomes are measured",
}

_CALIBRATED = (
    "No published figure; set so that the default programme gives the attendance, "
    "recognition and turnover the paper describes, with a range of about half to "
    "one and a half times the default."
)


def _a(
    rule: str,
    name: str,
    default: float,
    low: float,
    high: float,
    unit: str,
    help: str,
    source: str = _CALIBRATED,
    basis: str = "assumption",
) -> Param:
    kind = "int" if isinstance(default, int) and isinstance(low, int) else "float"
    return Param(
        name, kind, default, help, RULES[rule], rule, unit, low, high, source=source, basis=basis
    )


def _role_means(
    trait: str, means: tuple[float, ...], spans: tuple[float, ...], help: str, source: str
) -> tuple[Param, ...]:
    roles = ("patient", "carer", "clinician", "manager")
    return tuple(
        _a(
            "population",
            f"{trait}_mean_{role}",
            mean,
            round(mean - span, 2),
            round(mean + span, 2),
            "0-1",
            f"{help} ({role}s)",
            source,
        )
        for role, mean, span in zip(roles, means, spans, strict=True)
    )


_POPULATION = (
    _a(
        "population",
        "rights_share_patient",
        0.45,
        0.3,
        0.6,
        "share",
        "patients whose rationale for taking part is rights-based (the rest experience-based)",
        "The paper names rights-based and experience-based rationales for lay people "
        "without shares; an even split, leaning to experience, is assumed.",
    ),
    _a(
        "population",
        "rights_share_carer",
        0.40,
        0.25,
        0.55,
        "share",
        "carers whose rationale is rights-based",
        "As for patients; carers speak for someone else's experience slightly more often.",
    ),
    _a(
        "population",
        "managerial_share_carer",
        0.05,
        0.0,
        0.15,
        "share",
        "carers whose rationale is managerial (services should add value)",
        "A few carers are or were health professionals themselves; assumed small.",
    ),
    _a(
        "population",
        "managerial_share_clinician",
        0.5,
        0.3,
        0.7,
        "share",
        "clinicians whose rationale is managerial (the rest experience-based)",
        "The paper's clinicians either value patients' narratives or see co-production "
        "as adding value; an even split is assumed.",
    ),
    _a(
        "population",
        "managerial_share_manager",
        1.0,
        0.7,
        1.0,
        "share",
        "managers and involvement leads whose rationale is managerial (the rest experience-based)",
        "The paper ties the managerial rationale to those who run services; some "
        "involvement leads may hold an experience-based one.",
    ),
    *(
        _a(
            "population",
            f"lived_share_{role}",
            mean,
            low,
            high,
            "share",
            f"share of what {role}s contribute that is lived experience",
            "Lay people mostly bring lived experience, professionals biomedical and "
            "practice knowledge (docs/concept.md); the shares are assumed.",
        )
        for role, mean, low, high in (
            ("patient", 0.8, 0.6, 0.9),
            ("carer", 0.7, 0.5, 0.85),
            ("clinician", 0.05, 0.0, 0.2),
            ("manager", 0.1, 0.0, 0.25),
        )
    ),
    *(
        _a(
            "population",
            f"biomedical_share_{role}",
            mean,
            low,
            high,
            "share",
            f"share of what {role}s contribute that is biomedical knowledge "
            "(the rest, besides lived experience, is practice knowledge)",
            "Clinicians hold most biomedical knowledge, managers practice knowledge "
            "(docs/concept.md); the shares are assumed.",
        )
        for role, mean, low, high in (
            ("patient", 0.05, 0.0, 0.15),
            ("carer", 0.05, 0.0, 0.15),
            ("clinician", 0.55, 0.4, 0.7),
            ("manager", 0.1, 0.0, 0.2),
        )
    ),
    _a(
        "population",
        "knowledge_concentration",
        20.0,
        10.0,
        40.0,
        "Dirichlet concentration",
        "how closely each person's knowledge follows their role's profile",
        "Assumed: at 20 a person's shares vary by about 0.1 around the role's.",
    ),
    *_role_means(
        "credibility",
        (0.3, 0.3, 0.85, 0.75),
        (0.15, 0.15, 0.1, 0.15),
        "mean credibility in formal meetings",
        "The paper describes professionals' knowledge as more credible in formal "
        "settings than lay experience; the values are assumed.",
    ),
    *_role_means(
        "fluency",
        (0.6, 0.6, 0.85, 0.85),
        (0.15, 0.15, 0.1, 0.1),
        "mean fluency in fast, formal meetings (agendas, minutes, jargon)",
        "The paper describes formal, fast meetings as professionals' home ground; "
        "the values are assumed.",
    ),
    _a(
        "population",
        "trait_concentration_lay",
        10.0,
        5.0,
        20.0,
        "Beta concentration",
        "how closely lay people's credibility and fluency follow their role's mean",
        "Assumed: lay people differ more among themselves than professionals do.",
    ),
    _a(
        "population",
        "trait_concentration_professional",
        20.0,
        10.0,
        40.0,
        "Beta concentration",
        "how closely professionals' credibility and fluency follow their role's mean",
        "Assumed: a profession's training makes its members alike in meetings.",
    ),
    _a(
        "population",
        "motivation_mean_lay",
        0.6,
        0.45,
        0.75,
        "0-1",
        "mean motivation of lay people when the programme starts",
        "Assumed: people who sign up are keen, but not all equally.",
    ),
    _a(
        "population",
        "motivation_mean_professional",
        0.7,
        0.55,
        0.85,
        "0-1",
        "mean motivation of professionals when the programme starts",
        "Assumed: taking part is part of the job.",
    ),
    _a(
        "population",
        "motivation_concentration",
        10.0,
        5.0,
        20.0,
        "Beta concentration",
        "how closely starting motivation follows its mean",
        "Assumed.",
    ),
    _a(
        "population",
        "initial_trust_lay",
        0.4,
        0.25,
        0.55,
        "0-1",
        "lay people's trust in the others when the programme starts",
        "Assumed: lay people arrive a little wary of professionals and institutions.",
    ),
    _a(
        "population",
        "initial_trust_professional",
        0.5,
        0.35,
        0.65,
        "0-1",
        "professionals' trust in the others when the programme starts",
        "Assumed: neutral.",
    ),
    _a(
        "population",
        "initial_satisfaction",
        0.5,
        0.3,
        0.7,
        "0-1",
        "everyone's satisfaction before the first meeting",
        "Assumed: neutral, neither pleased nor disappointed.",
    ),
    _a(
        "population",
        "illness_mean",
        0.4,
        0.25,
        0.55,
        "0-1",
        "mean burden of illness among patients (shapes their free time and flare-ups)",
        "Assumed: patients in involvement live with long-term conditions of every severity.",
    ),
    _a(
        "population",
        "illness_concentration",
        5.0,
        2.5,
        10.0,
        "Beta concentration",
        "how alike patients' illness burdens are",
        "Assumed: wide variation.",
    ),
    _a(
        "population",
        "carer_crisis_scale",
        0.2,
        0.1,
        0.4,
        "x illness",
        "carers' burden of caring crises, as a share of a patient's illness burden",
        "Assumed: a carer's week is upset by the cared-for person's crises, less often "
        "than a patient's by their own.",
    ),
    _a(
        "population",
        "patient_free_hours_well",
        20.0,
        12.0,
        30.0,
        "hours/week",
        "hours a week a patient with no illness burden could give",
        "Assumed.",
    ),
    _a(
        "population",
        "patient_free_hours_ill",
        4.0,
        2.0,
        8.0,
        "hours/week",
        "hours a week a patient with the heaviest illness burden could give",
        "Assumed.",
    ),
    _a(
        "population",
        "carer_free_hours_mean",
        8.0,
        4.0,
        16.0,
        "hours/week",
        "mean hours a week a carer could give (Gamma distributed)",
        "Assumed.",
    ),
    _a(
        "population",
        "carer_free_hours_shape",
        4.0,
        2.0,
        8.0,
        "Gamma shape",
        "how alike carers' free hours are (higher: more alike)",
        "Assumed.",
    ),
    _a(
        "population",
        "lay_cash_median",
        80.0,
        40.0,
        160.0,
        "GBP",
        "median money at hand in a week, lay people not on benefits",
        "Assumed.",
    ),
    _a(
        "population",
        "benefits_cash_median",
        25.0,
        10.0,
        50.0,
        "GBP",
        "median money at hand in a week, lay people on benefits",
        "Assumed.",
    ),
    _a(
        "population",
        "cash_spread",
        0.6,
        0.3,
        1.0,
        "lognormal sigma",
        "spread of money at hand around its median",
        "Assumed.",
    ),
    _a(
        "population",
        "low_money_share",
        1 / 3,
        0.2,
        0.5,
        "share",
        "share of lay people, those with the least money at hand, counted as having little money",
        "A definition for the participation_low_money metric: the poorest third.",
    ),
    _a(
        "population",
        "initial_benefit_fear",
        0.6,
        0.3,
        0.9,
        "0-1",
        "fear, at the start, that a payment will cost one's benefits (people on benefits)",
        "Involvement payment guidance warns that any payment may affect a benefit "
        "claim; how strongly people fear it is assumed.",
    ),
)

_PARTICIPATION = (
    _a(
        "participation",
        "base_utility_lay",
        1.5,
        0.5,
        2.5,
        "logit",
        "lay people's pull towards a meeting before its costs",
    ),
    _a(
        "participation",
        "base_utility_professional",
        3.0,
        2.0,
        4.0,
        "logit",
        "professionals' pull towards a meeting (it is part of the job)",
    ),
    _a(
        "participation",
        "weight_motivation",
        3.0,
        1.5,
        4.5,
        "logit per unit",
        "weight of motivation in the choice to take part",
    ),
    _a(
        "participation",
        "weight_time",
        3.0,
        1.5,
        4.5,
        "logit per unit",
        "weight of the meeting's hours as a share of one's free hours",
    ),
    _a(
        "participation",
        "weight_money",
        4.0,
        2.0,
        6.0,
        "logit per unit",
        "weight of an unrecovered trip cost relative to money at hand",
    ),
    _a(
        "participation",
        "weight_pay",
        2.5,
        1.0,
        4.0,
        "logit per unit",
        "weight of pay relative to money at hand",
    ),
    _a(
        "participation",
        "weight_benefit_fear",
        3.0,
        1.5,
        4.5,
        "logit per unit",
        "weight of the feared loss of benefits",
    ),
    _a(
        "participation",
        "weight_trust",
        1.0,
        0.5,
        2.0,
        "logit per unit",
        "weight of trust in the others",
    ),
    _a(
        "participation",
        "weight_belonging",
        2.0,
        1.0,
        3.0,
        "logit per unit",
        "weight of ties to one's group",
    ),
    _a(
        "participation",
        "cash_cushion",
        10.0,
        5.0,
        20.0,
        "GBP",
        "money that keeps the cost of a trip finite for someone with nothing at hand",
        "Assumed: about the price of a local return trip.",
    ),
    _a(
        "participation",
        "travel_hours",
        1.0,
        0.5,
        2.0,
        "hours",
        "hours of a return trip to a meeting",
        "Assumed: half an hour each way.",
    ),
    _a(
        "participation",
        "disabled_travel_factor",
        2.5,
        1.5,
        3.5,
        "x",
        "how much more a trip costs, and how much longer it takes, for a disabled "
        "person without travel support",
        "The paper's programme paid first-class disability train tickets; taxis and "
        "accessible routes cost and take more. The factor is assumed.",
    ),
    _a(
        "participation",
        "flare_rate",
        0.3,
        0.1,
        0.5,
        "per week per unit illness",
        "weekly chance of a flare-up (or caring crisis) that rules a meeting out",
        "Assumed.",
    ),
    _a(
        "participation",
        "fronting_horizon",
        8.0,
        4.0,
        12.0,
        "weeks",
        "wait for a refund after which fronting a fare weighs its most",
        "Assumed: about two months, the longest payment delays reported.",
    ),
    _a(
        "participation",
        "refund_felt",
        0.5,
        0.25,
        0.75,
        "share of fare",
        "how much a fare that comes back late weighs, at most, against one that never does",
        "Assumed: the money comes back, so it weighs less than a fare never refunded.",
    ),
    _a(
        "participation",
        "professional_pay",
        30.0,
        20.0,
        45.0,
        "GBP/hour",
        "cost of an hour of a clinician's or manager's time; lay pay is a share of it",
        "Assumed: an NHS professional's hourly pay with employer's costs.",
        "estimate",
    ),
)

_MEETING = (
    _a(
        "meeting",
        "hours_fast",
        2.0,
        1.0,
        2.5,
        "hours",
        "length of a meeting at pace 1 (fast, agenda-driven)",
        "Assumed.",
    ),
    _a(
        "meeting",
        "hours_slow",
        4.0,
        3.0,
        6.0,
        "hours",
        "length of a meeting at pace 0 (slow, open-ended)",
        "Assumed: a half-day workshop.",
    ),
    _a(
        "meeting",
        "turns_per_hour",
        12.0,
        6.0,
        24.0,
        "turns/hour",
        "contributions a group can hear in an hour of open discussion",
        "Assumed: a contribution every five minutes.",
    ),
    _a(
        "meeting",
        "agenda_time",
        0.6,
        0.4,
        0.8,
        "share",
        "share of a fully fast meeting spent running through agenda items",
    ),
    _a(
        "meeting",
        "surfacing_turns",
        12.0,
        6.0,
        24.0,
        "turns",
        "turns of discussion before unshared lived experience surfaces (hidden profiles)",
        "Hidden-profile studies find that unshared knowledge surfaces late in a "
        "discussion; the number of turns is assumed.",
    ),
    _a(
        "meeting",
        "user_led_pace",
        0.3,
        0.1,
        0.5,
        "0-1",
        "fastest pace that groups led by patients and carers run at",
    ),
    _a(
        "meeting",
        "fluency_pace",
        2.0,
        1.0,
        3.0,
        "exponent per unit pace",
        "how much faster pace multiplies the advantage of fluency in getting turns",
    ),
    _a(
        "meeting",
        "speak_base",
        0.5,
        0.25,
        1.0,
        "weight",
        "speaking (and decision) weight of someone with no credibility",
    ),
    _a(
        "meeting",
        "heard_base",
        0.4,
        0.2,
        0.6,
        "probability",
        "chance a contribution of someone with no credibility is recognised",
    ),
    _a(
        "meeting",
        "heard_credibility",
        0.6,
        0.4,
        0.8,
        "probability per unit",
        "extra chance of recognition per unit of credibility (capped at certainty)",
    ),
)

_KNOWLEDGE = (
    _a(
        "knowledge",
        "k_routine",
        0.15,
        0.05,
        0.3,
        "insights per contribution",
        "rate at which biomedical and practice knowledge combine into routine insights",
    ),
    _a(
        "knowledge",
        "k_unexpected",
        0.25,
        0.1,
        0.4,
        "insights per contribution",
        "rate at which lived experience meeting professional knowledge gives unexpected insights",
    ),
)

_DECISIONS = (
    _a(
        "decisions",
        "items_base",
        0.2,
        0.1,
        0.4,
        "items/hour",
        "agenda items decided an hour at pace 0",
    ),
    _a(
        "decisions",
        "items_pace",
        2.0,
        1.0,
        3.0,
        "items/hour",
        "extra agenda items decided an hour at pace 1",
    ),
)

_RELATIONS = (
    _a(
        "relations",
        "tie_formal",
        0.015,
        0.005,
        0.03,
        "per meeting",
        "tie gained by two members who meet, in formal contact (share of the gap to 1)",
        "Trust-link models give formal and informal contact separate gains "
        "(docs/concept.md); the values are assumed.",
    ),
    _a(
        "relations",
        "tie_informal",
        0.06,
        0.03,
        0.1,
        "per meeting",
        "extra tie gained in informal contact at pace 0 (none at pace 1)",
        "As tie_formal.",
    ),
    _a(
        "relations",
        "tie_decay",
        0.004,
        0.002,
        0.01,
        "per week",
        "share of every tie lost each week",
        "Assumed: an unused tie halves in about three years (0.004 a week).",
    ),
    _a(
        "relations",
        "trust_rate",
        0.15,
        0.05,
        0.3,
        "per meeting",
        "how fast trust moves towards recognition and belonging",
    ),
    _a(
        "relations",
        "trust_weight_recognition",
        0.5,
        0.25,
        0.75,
        "share",
        "weight of being recognised (against belonging) in the trust one builds",
        "Assumed: recognition and belonging count alike.",
    ),
    _a(
        "relations",
        "credibility_gain",
        0.05,
        0.02,
        0.1,
        "per insight",
        "lay credibility gained per adopted lay insight one contributed to",
    ),
    _a(
        "relations",
        "credit_cap",
        5.0,
        2.0,
        10.0,
        "insights/week",
        "most adopted insights a person is credited with in a week",
        "Assumed: keeps one exceptional meeting from making anyone an authority.",
    ),
)

_MONEY = (
    _a(
        "money",
        "suspension_weeks",
        8,
        4,
        13,
        "weeks",
        "weeks a benefit stays suspended after a payment counted as income",
        "Assumed: about two months for a claim to be reassessed and paid again.",
    ),
    _a(
        "money",
        "cash_recovery",
        0.25,
        0.1,
        0.5,
        "per week",
        "share of the gap to the weekly budget that money at hand closes each week",
        "Assumed: a spent or received sum is absorbed over about a month.",
    ),
    _a(
        "money",
        "word_of_mouth",
        0.3,
        0.1,
        0.5,
        "share of the gap to 1",
        "rise in the fear of the others on benefits in a group after someone's benefit is cut",
    ),
)

_MOTIVATION = (
    _a(
        "motivation",
        "satisfaction_rate",
        0.3,
        0.1,
        0.5,
        "per meeting",
        "how fast satisfaction follows each meeting's judgement",
    ),
    _a(
        "motivation",
        "motivation_rate",
        0.15,
        0.05,
        0.3,
        "per meeting",
        "how fast motivation follows satisfaction above or below aspiration",
    ),
    _a(
        "motivation",
        "aspiration",
        0.4,
        0.3,
        0.5,
        "0-1",
        "satisfaction below which motivation falls",
    ),
    _a(
        "motivation",
        "value_ref",
        0.5,
        0.25,
        1.0,
        "outputs per paid hour",
        "outputs per hour of professional cost that satisfy managerial participants half-way",
    ),
    _a(
        "motivation",
        "heard_ref",
        0.3,
        0.15,
        0.5,
        "share",
        "share of one's contributions recognised that satisfies experience-based "
        "participants half-way",
    ),
    _a(
        "motivation",
        "burnout",
        0.1,
        0.05,
        0.2,
        "per unpaid share of free time",
        "motivation lost per unpaid meeting, by its share of one's free hours",
        "Volunteer burnout: long unpaid stretches lower motivation (docs/concept.md); "
        "the rate is assumed.",
    ),
    _a(
        "motivation",
        "benefit_shock",
        0.3,
        0.1,
        0.5,
        "motivation",
        "motivation lost when one's benefit is cut",
    ),
    _a(
        "motivation",
        "return_rate",
        0.02,
        0.005,
        0.05,
        "per week",
        "how fast people who stopped coming drift back to their own baseline motivation",
        "No published attrition or return rate was found; assumed, with a wide range.",
    ),
    _a(
        "motivation",
        "fear_fade",
        0.02,
        0.005,
        0.05,
        "per week",
        "how fast the fear of losing benefits fades back to its starting level",
    ),
)

_METRICS = (
    _a(
        "metrics",
        "active_meetings",
        4,
        2,
        8,
        "meetings",
        "an active participant came to one of the group's last this-many meetings; retention "
        "compares the first and the last this-many meetings",
        "A definition, in meetings rather than weeks so that programmes meeting more or less "
        "often are compared alike: about two months at the default fortnightly interval.",
    ),
    _a(
        "metrics",
        "strong_tie",
        0.5,
        0.4,
        0.6,
        "0-1",
        "tie strength above which a tie counts as strong",
        "A definition: half-way to the strongest possible tie.",
    ),
    _a(
        "metrics",
        "parity_eps",
        0.01,
        0.001,
        0.05,
        "attendance rate",
        "added to both attendance rates of participation parity, to keep it finite",
        "A definition: small against the attendance rates it compares.",
    ),
)

# What co-production itself produces: openness to lived experience, credibility won and
# lost, and values that shift (issue "knowledge, values and relations").
_STARTING_VIEWS = (
    _a(
        "population",
        "recognition_initial",
        0.6,
        0.3,
        0.9,
        "0-1",
        "professionals' recognition of lived experience as knowledge, at the start",
        "The paper describes professionals who discount lay experience as anecdote "
        "until working together changes what counts; the starting level is assumed.",
    ),
    _a(
        "population",
        "value_blend",
        0.25,
        0.0,
        0.5,
        "share",
        "weight people give, at the start, to the other rationales their role brings "
        "(the rest goes to their own rationale)",
        "Assumed: people hold one rationale first (the paper's three) and something of the others.",
    ),
)

_PRODUCED_RELATIONS = (
    _a(
        "relations",
        "recognition_rate",
        0.1,
        0.03,
        0.3,
        "per meeting",
        "how fast a professional's recognition of lived experience follows its target",
    ),
    _a(
        "relations",
        "recognition_weight_ties",
        0.5,
        0.25,
        0.75,
        "share",
        "weight of ties to lay members (against the insights lived experience produced) "
        "in a professional's recognition of lived experience",
        "Assumed: relationships and results count alike.",
    ),
    _a(
        "relations",
        "evidence_rate",
        0.2,
        0.05,
        0.5,
        "per meeting",
        "how fast a group's sense of where its insights come from follows its latest meeting",
    ),
    _a(
        "relations",
        "credibility_loss",
        0.05,
        0.01,
        0.1,
        "per meeting",
        "lay credibility lost per meeting, by the share of one's contributions ignored",
    ),
    _a(
        "relations",
        "credibility_fade",
        0.02,
        0.005,
        0.05,
        "per week",
        "how fast a lay person's credibility fades back to its start while away "
        "longer than the active window",
    ),
    _a(
        "relations",
        "accountability",
        0.3,
        0.1,
        0.6,
        "share",
        "how far a professional's credibility rests on acting on lay input: it moves "
        "within plus or minus half of this share of its starting value",
    ),
    _a(
        "relations",
        "professional_credibility_rate",
        0.05,
        0.02,
        0.1,
        "per meeting",
        "how fast a professional's credibility follows whether the group acts on lay input",
    ),
)

_VALUES = (
    _a(
        "values",
        "value_rate",
        0.05,
        0.01,
        0.1,
        "per meeting",
        "how far a meeting shifts someone's values: professionals towards experience when "
        "lived experience produces insights, unheard lay people towards rights",
        "Assumed: values change over months of meetings, not in one.",
    ),
)

ASSUMPTIONS: tuple[Param, ...] = (
    _POPULATION
    + _STARTING_VIEWS
    + _PARTICIPATION
    + _MEETING
    + _KNOWLEDGE
    + _DECISIONS
    + _RELATIONS
    + _PRODUCED_RELATIONS
    + _MONEY
    + _MOTIVATION
    + _VALUES
    + _METRICS
)
