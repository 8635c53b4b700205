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
    "management": "9. managers review the programme and change its rules",
}

# Sources cited more than once.
_PAPER = "Filipe, Renedo & Marston (2017), PLOS Biology 15(5): e2001403"
_AHN_LEE = (
    "The logistic choice P = 1/(1 + exp(-(B - C + A))) of citizen-participation "
    "models (Ahn & Lee, 'Citizen participation model', NetLogo) fixes the form with "
    "unit weights; no coefficients exist for involvement in health care"
)
_FCA = "FCA (2025), Financial Lives 2024 survey, key findings"
_ROWLANDS = (
    "Rowlands et al. (2015), 'A mismatch between population health literacy and the "
    "complexity of health information', Br J Gen Pract 65(635): e379-e386"
)
_CREDIBILITY = (
    "No measure of credibility on a 0-1 scale exists (Nielsen, Nordgaard & Henriksen "
    "2025, Med Health Care Philos 28: 291-301); the gap is described qualitatively as "
    "testimonial injustice (Kidd & Carel 2016, J Appl Philos 34: 172-190)"
)
_LIVED = (
    "Lay people mostly bring lived experience, professionals biomedical and practice "
    "knowledge (docs/concept.md); the shares are assumed."
)
_BIOMEDICAL = (
    "Clinicians hold most biomedical knowledge, managers practice knowledge "
    "(docs/concept.md); the shares are assumed."
)
_CENSUS = (
    "ONS (2023), Census 2021 table TS039 (England): of 4.68 million unpaid carers, 49% "
    "give 19 hours of care a week or less, 21% 20-49 hours, 30% 50 hours or more"
)


def _a(
    rule: str,
    name: str,
    default: float,
    low: float,
    high: float,
    unit: str,
    help: str,
    source: str,
    basis: str = "assumption",
) -> Param:
    kind = "int" if isinstance(default, int) and isinstance(low, int) else "float"
    return Param(
        name, kind, default, help, RULES[rule], rule, unit, low, high, source=source, basis=basis
    )


_ROLES = ("patient", "carer", "clinician", "manager")

_POPULATION = (
    _a(
        "population",
        "rights_share_patient",
        0.45,
        0.25,
        0.65,
        "share",
        "patients whose rationale for taking part is rights-based (the rest experience-based)",
        f"{_PAPER} names rights-based and experience-based rationales among lay people "
        "but gives no shares; an even split, leaning to experience, is assumed.",
    ),
    _a(
        "population",
        "rights_share_carer",
        0.40,
        0.2,
        0.6,
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
        "The paper finds that patients, carers, managers and clinicians all share "
        "'the belief that co-production is of economic value', so not none; assumed small.",
    ),
    _a(
        "population",
        "managerial_share_clinician",
        0.5,
        0.3,
        0.8,
        "share",
        "clinicians whose rationale is managerial (the rest experience-based)",
        "The paper: 'some health care professionals in the program defined co-production "
        "in terms of improving cost-effectiveness'; 'some' is read as about half.",
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
            _LIVED,
        )
        for role, mean, low, high in (
            ("patient", 0.8, 0.6, 0.9),
            ("carer", 0.7, 0.5, 0.85),
            ("clinician", 0.05, 0.0, 0.2),  # many clinicians are patients or carers too
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
            _BIOMEDICAL,
        )
        for role, mean, low, high in (
            ("patient", 0.05, 0.0, 0.15),  # expert patients
            ("carer", 0.05, 0.0, 0.15),
            ("clinician", 0.55, 0.4, 0.7),
            ("manager", 0.1, 0.0, 0.2),
        )
    ),
    _a(
        "population",
        "knowledge_concentration",
        20.0,
        5.0,
        50.0,
        "Dirichlet concentration",
        "how closely each person's knowledge follows their role's profile",
        "Assumed: at 20 a person's shares vary by about 0.1 around the role's.",
    ),
    *(
        _a(
            "population",
            f"credibility_mean_{role}",
            mean,
            low,
            high,
            "0-1",
            f"mean credibility in formal meetings ({role}s)",
            f"{_CREDIBILITY}. {why}",
        )
        for role, mean, low, high, why in (
            ("patient", 0.3, 0.2, 0.5, "The means are assumed; vary the gap to clinicians."),
            ("carer", 0.3, 0.2, 0.5, "Assumed equal to patients' (proxies for them)."),
            ("clinician", 0.85, 0.65, 0.95, "Assumed: the epistemic privilege of practitioners."),
            ("manager", 0.75, 0.55, 0.9, "Assumed: agenda power, less clinical authority."),
        )
    ),
    *(
        _a(
            "population",
            f"fluency_mean_{role}",
            mean,
            low,
            high,
            "0-1",
            f"mean fluency in fast, formal meetings: agendas, minutes, jargon ({role}s)",
            source,
            basis,
        )
        for role, mean, low, high, source, basis in (
            (
                "patient",
                0.57,
                0.3,
                0.7,
                f"{_ROWLANDS}: 43% of English adults were below the text-only health "
                "literacy threshold, so 57% (taken as the mean) above it. The range runs "
                "down to 33%, the share above it among people in poor health (Keele 2012).",
                "published",
            ),
            (
                "carer",
                0.57,
                0.4,
                0.7,
                f"{_ROWLANDS}: 57% of adults above the text-only threshold, taken as the "
                "mean; carers are on average healthier than patients.",
                "published",
            ),
            (
                "clinician",
                0.85,
                0.7,
                0.95,
                "Assumed: professionals run and are trained for agenda-driven, minuted "
                "meetings; no measure exists, what matters is the gap to lay fluency.",
                "assumption",
            ),
            (
                "manager",
                0.85,
                0.7,
                0.95,
                "Assumed, as for clinicians.",
                "assumption",
            ),
        )
    ),
    _a(
        "population",
        "trait_concentration_lay",
        10.0,
        4.0,
        20.0,
        "Beta concentration",
        "how closely lay people's credibility and fluency follow their role's mean",
        "Assumed: lay people differ more among themselves than professionals do; health "
        "literacy differs sharply by health status (Rowlands et al. 2015).",
    ),
    _a(
        "population",
        "trait_concentration_professional",
        20.0,
        10.0,
        40.0,
        "Beta concentration",
        "how closely professionals' credibility and fluency follow their role's mean",
        "Assumed: a profession's selection and training make its members alike in meetings.",
    ),
    _a(
        "population",
        "motivation_mean_lay",
        0.6,
        0.4,
        0.75,
        "0-1",
        "mean motivation of lay people when the programme starts",
        "Assumed: people who sign up are keen, but not all equally (71% of a diverse "
        "public sample would like to be involved, reported in design/grounding.md, not verified).",
    ),
    _a(
        "population",
        "motivation_mean_professional",
        0.7,
        0.5,
        0.85,
        "0-1",
        "mean motivation of professionals when the programme starts",
        "Assumed: taking part is part of the job.",
    ),
    _a(
        "population",
        "motivation_concentration",
        10.0,
        4.0,
        20.0,
        "Beta concentration",
        "how closely starting motivation follows its mean",
        "Assumed: a moderate spread.",
    ),
    _a(
        "population",
        "initial_trust_lay",
        0.4,
        0.25,
        0.6,
        "0-1",
        "lay people's trust in the others when the programme starts",
        "Assumed: lay people arrive a little wary of professionals and institutions; in "
        "Scope's 'Making benefits work' report 'too often, people said they were not believed'.",
    ),
    _a(
        "population",
        "initial_trust_professional",
        0.5,
        0.4,
        0.7,
        "0-1",
        "professionals' trust in the others when the programme starts",
        "Assumed: neutral.",
    ),
    _a(
        "population",
        "initial_satisfaction",
        0.5,
        0.4,
        0.8,
        "0-1",
        "everyone's satisfaction before the first meeting",
        "Assumed: neutral at entry. NIHR (2022), Public Involvement Feedback Survey "
        "2020-21: 79% of those involved were satisfied, a survivor-biased upper anchor "
        "that sets the top of the range.",
    ),
    _a(
        "population",
        "illness_mean",
        0.4,
        0.3,
        0.6,
        "0-1",
        "mean burden of illness among patients (shapes their free time and flare-ups)",
        "NatCen for DWP (2025), survey of 3,401 disability benefit claimants (reported by "
        "Big Issue): 82% limited 'a lot' in daily activities. Only some patients claim and "
        "those who join involvement are able to, so 0.4 for the whole group (judgement).",
        "estimate",
    ),
    _a(
        "population",
        "illness_concentration",
        5.0,
        3.0,
        10.0,
        "Beta concentration",
        "how alike patients' illness burdens are",
        "Assumed: a wide spread, Beta(2, 3) at the defaults.",
    ),
    _a(
        "population",
        "carer_crisis_scale",
        0.2,
        0.1,
        0.4,
        "x illness",
        "carers' burden of caring crises, as a share of a patient's illness burden",
        "Assumed: a carer's week is upset by the cared-for person's crises less often than "
        "a patient's by their own; 30% of carers give 50+ hours of care a week (Census 2021).",
    ),
    _a(
        "population",
        "patient_free_hours_well",
        16.0,
        10.0,
        30.0,
        "hours/week",
        "hours a week a patient with no illness burden could give",
        "DWP (2025), Pathways to Work Green Paper CP 1276, para 122: people on ESA 'can "
        "work for fewer than 16 hours per week' (permitted work), taken as the time a "
        "patient well enough to work can give.",
        "published",
    ),
    _a(
        "population",
        "patient_free_hours_ill",
        4.0,
        2.0,
        8.0,
        "hours/week",
        "hours a week a patient with the heaviest illness burden could give",
        "Assumed: even the sickest patients can spare a few hours a week if involvement "
        "is accessible.",
    ),
    _a(
        "population",
        "carer_free_hours_mean",
        8.0,
        4.0,
        15.0,
        "hours/week",
        "mean hours a week a carer could give (Gamma distributed)",
        f"{_CENSUS}. Carers of seriously ill patients skew to the heavy end, leaving a "
        "few hours a week; the census counts hours of care, not free hours (judgement).",
        "estimate",
    ),
    _a(
        "population",
        "carer_free_hours_shape",
        2.0,
        1.5,
        6.0,
        "Gamma shape",
        "how alike carers' free hours are (higher: more alike)",
        f"{_CENSUS}: hours of care are very spread, so free hours are too; shape 2 "
        "(coefficient of variation 0.7) rather than 4 (0.5) (judgement).",
        "estimate",
    ),
    _a(
        "population",
        "lay_cash_median",
        80.0,
        30.0,
        200.0,
        "GBP",
        "median money at hand in a week, lay people not on benefits",
        f"Assumed: no survey measures money at hand in a week. {_FCA}: 10% of UK adults "
        "have no cash savings and 21% less than GBP 1,000, so most can front a GBP 10-25 "
        "fare; hence a wide range.",
    ),
    _a(
        "population",
        "benefits_cash_median",
        25.0,
        5.0,
        50.0,
        "GBP",
        "median money at hand in a week, lay people on benefits",
        "CPAG (2025), Universal credit rates 2025/26: the single standard allowance is "
        "GBP 400.14 a month (about GBP 92 a week) for all costs but housing; most is "
        "committed to food and bills, so GBP 25 of slack (judgement).",
        "estimate",
    ),
    _a(
        "population",
        "cash_spread",
        0.8,
        0.4,
        1.0,
        "lognormal sigma",
        "spread of money at hand around its median",
        f"{_FCA}: 10% have no cash savings, 21% under GBP 1,000, one in five GBP 25,000 "
        "or more: a very unequal spread, wider than sigma 0.6 gives (judgement).",
        "estimate",
    ),
    _a(
        "population",
        "low_money_share",
        0.31,
        0.24,
        0.4,
        "share",
        "share of lay people, those with the least money at hand, counted as having little money",
        f"{_FCA}: 10% of UK adults have no cash savings and another 21% under GBP 1,000: "
        "10% + 21% = 31%. The range runs from the 24% with low financial resilience to 40% "
        "for a sicker, poorer population.",
        "published",
    ),
    _a(
        "population",
        "initial_benefit_fear",
        0.47,
        0.3,
        0.8,
        "0-1",
        "fear, at the start, that a payment will cost one's benefits (people on benefits)",
        "Activity Alliance (2018), 'The Activity Trap' (reported by Evolve Politics and "
        "Disability Sheffield): 47% of disabled people were worried they would lose "
        "benefits if they were more active. A payment, being income, may be feared more "
        "(NIHR 2019: 'any payment may affect your benefit claim'): range to 0.8.",
        "published",
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
        "Assumed, a calibration anchor: logit 1.5 is 82% before costs; 0.9 would match "
        "the 71% of a diverse public sample who would like to be involved (reported in "
        "design/grounding.md, not verified).",
    ),
    _a(
        "participation",
        "base_utility_professional",
        3.0,
        2.0,
        4.0,
        "logit",
        "professionals' pull towards a meeting (it is part of the job)",
        "Assumed: professionals attend in paid time; logit 3 is 95% before motivation and trust.",
    ),
    _a(
        "participation",
        "weight_motivation",
        3.0,
        1.5,
        5.0,
        "logit per unit",
        "weight of motivation in the choice to take part",
        f"{_AHN_LEE}. Assumed, varied by a factor of about two.",
    ),
    _a(
        "participation",
        "weight_time",
        3.0,
        1.5,
        5.0,
        "logit per unit",
        "weight of the meeting's hours as a share of one's free hours",
        f"{_AHN_LEE}. Assumed; time is a main barrier to involvement (reported in "
        "design/grounding.md, not verified).",
    ),
    _a(
        "participation",
        "weight_money",
        4.0,
        2.0,
        8.0,
        "logit per unit",
        "weight of an unrecovered trip cost relative to money at hand",
        f"{_AHN_LEE}. Assumed; healthtalk.org (Oxford HERG) reports slow refunds as "
        "frustrating because 'even small amounts add up'.",
    ),
    _a(
        "participation",
        "weight_pay",
        2.5,
        1.0,
        5.0,
        "logit per unit",
        "weight of pay relative to money at hand",
        f"{_AHN_LEE}. Assumed.",
    ),
    _a(
        "participation",
        "weight_benefit_fear",
        3.0,
        1.5,
        6.0,
        "logit per unit",
        "weight of the feared loss of benefits",
        f"{_AHN_LEE}. Assumed; the paper supports the direction (payment may 'jeopardize "
        "their social security benefits'), not the size.",
    ),
    _a(
        "participation",
        "weight_trust",
        1.0,
        0.5,
        3.0,
        "logit per unit",
        "weight of trust in the others",
        f"{_AHN_LEE}. Assumed; commitment rises and falls with fairness in "
        "commons-governance models (docs/concept.md).",
    ),
    _a(
        "participation",
        "weight_belonging",
        2.0,
        0.5,
        4.0,
        "logit per unit",
        "weight of ties to one's group",
        f"{_AHN_LEE}, where peer pressure enters the attitude term. Assumed.",
    ),
    _a(
        "participation",
        "cash_cushion",
        10.0,
        5.0,
        25.0,
        "GBP",
        "money that keeps the cost of a trip finite for someone with nothing at hand",
        "Assumed: about one return fare (travel_cost), so that a fare weighs about "
        "weight_money logits for someone with nothing, not infinitely.",
    ),
    _a(
        "participation",
        "travel_hours",
        0.77,
        0.5,
        2.0,
        "hours",
        "hours of a return trip to a meeting",
        "DfT (2024), National Travel Survey: England 2023, main findings (via Community "
        "Rail Network): 353 hours of travel over 915 trips a person a year, 23 minutes a "
        "trip; two trips of 23 minutes = 0.77 hours. "
        "The range runs to 2 hours for a regional meeting by public transport.",
        "published",
    ),
    _a(
        "participation",
        "disabled_travel_factor",
        2.5,
        1.5,
        4.0,
        "x",
        "how much more a trip costs for a disabled person without travel support",
        "Scope / Extra Costs Commission (2015): disabled people are '67 per cent more "
        "reliant on taxis'; the paper's programme paid first-class disability tickets "
        f"({_PAPER}). A taxi, first class or a companion's fare doubles to triples a "
        "fare (judgement).",
        "estimate",
    ),
    _a(
        "participation",
        "disabled_travel_time_factor",
        1.5,
        1.2,
        2.0,
        "x",
        "how much longer a trip takes for a disabled person without travel support",
        "Brumbaugh (2018), 'Travel Patterns of American Adults with Disabilities', US "
        "BTS: disabled people 'take shorter-distance trips, but the travel times are not "
        "shorter'. Longer, but not as much longer as the cost (judgement).",
        "estimate",
    ),
    _a(
        "participation",
        "flare_rate",
        0.3,
        0.1,
        0.5,
        "per week per unit illness",
        "weekly chance of a flare-up (or caring crisis) that rules a meeting out",
        "ONS (2023), Sickness absence in the UK labour market 2022 (via Thompsons "
        "Solicitors): workers with long-term conditions lose 4.9% of hours, a lower bound "
        "for sicker patients; 0.3 gives 12% at the mean illness 0.4 (judgement).",
        "estimate",
    ),
    _a(
        "participation",
        "fronting_horizon",
        13.0,
        4.0,
        13.0,
        "weeks",
        "wait for a refund after which fronting a fare weighs its most",
        "NIHR Dissemination Centre, 'Payment to public contributors' (web page, checked "
        "2026): payments take 'up to four weeks', reviewers are paid 'quarterly'; the "
        "longest published wait, a quarter (13 weeks), weighs most.",
        "published",
    ),
    _a(
        "participation",
        "refund_felt",
        0.5,
        0.25,
        0.8,
        "share of fare",
        "how much a fare that comes back late weighs, at most, against one that never does",
        "Assumed: the money comes back (liquidity, the risk it never does, the effort of "
        "claiming), so it weighs at most half a fare never refunded.",
    ),
    _a(
        "participation",
        "professional_pay",
        35.0,
        20.0,
        60.0,
        "GBP/hour",
        "cost of an hour of a clinician's or manager's time; lay pay is a share of it",
        "NHS Agenda for Change pay 2024/25 (NHS Employers, via zaro.info): bands 7-8a "
        "GBP 46,148-60,504, midpoint GBP 53,326 / (37.5 h x 52) = GBP 27.35 an hour; "
        "with employer on-costs of 28% (LPFT annual accounts 2023/24, note 4.1) GBP 35.",
        "published",
    ),
)

_MEETING = (
    _a(
        "meeting",
        "hours_fast",
        2.0,
        1.0,
        3.0,
        "hours",
        "length of a meeting at pace 1 (fast, agenda-driven)",
        "CDC Health Message Testing System (2018), OMB ICR attachment B: a focus group "
        "takes 90 minutes; agenda-driven NHS and involvement meetings run 1-2 hours "
        "(judgement).",
        "estimate",
    ),
    _a(
        "meeting",
        "hours_slow",
        4.0,
        3.0,
        7.0,
        "hours",
        "length of a meeting at pace 0 (slow, open-ended)",
        "NIHR, 'Committees' (web page, checked 2026): some committees 'meet for 1 day, 3 "
        "times a year'; a half-day workshop (4 hours) to a full day bound the slow "
        "format (judgement).",
        "estimate",
    ),
    _a(
        "meeting",
        "turns_per_hour",
        12.0,
        6.0,
        30.0,
        "turns/hour",
        "contributions a group can hear in an hour of open discussion",
        "Assumed: a substantive contribution every five minutes. Raw utterances are far "
        "more frequent (McQueen, Rayner & Kock 1999: mean contribution about 12 seconds).",
    ),
    _a(
        "meeting",
        "agenda_time",
        0.6,
        0.4,
        0.8,
        "share",
        "share of a fully fast meeting spent running through agenda items",
        "Assumed: in meetings of 'predefined agendas, minute-taking, and fast-paced "
        "conversations' (the paper) most time goes to the items.",
    ),
    _a(
        "meeting",
        "surfacing_turns",
        12.0,
        6.0,
        30.0,
        "turns",
        "turns of discussion before unshared lived experience surfaces (hidden profiles)",
        "Assumed. Hidden-profile studies fix the direction, not a count: groups discuss "
        "46% of shared but 18% of unshared information (Stasser, Taylor & Hanna 1989) and "
        "shared information first (Larson 1997).",
    ),
    _a(
        "meeting",
        "user_led_pace",
        0.3,
        0.1,
        0.5,
        "0-1",
        "fastest pace that groups led by patients and carers run at",
        "Assumed: the paper links user-led spaces to 'a slower pace of sharing and "
        "producing knowledge'.",
    ),
    _a(
        "meeting",
        "fluency_pace",
        2.0,
        0.5,
        4.0,
        "exponent per unit pace",
        "how much faster pace multiplies the advantage of fluency in getting turns",
        "Assumed: fast, formal meetings favour the fluent (the paper); the top speaker "
        "takes about 30% of airtime (McQueen, Rayner & Kock 1999), a possible check.",
    ),
    _a(
        "meeting",
        "speak_base",
        0.5,
        0.1,
        1.0,
        "weight",
        "speaking (and decision) weight of someone with no credibility",
        "Assumed: keeps low-credibility members speaking; only about a third of attendees "
        "speak at all in unfacilitated meetings (Schnelle, reported, not verified).",
    ),
    _a(
        "meeting",
        "heard_base",
        0.4,
        0.2,
        0.6,
        "probability",
        "chance a contribution of someone with no credibility is recognised",
        "Assumed. Only 23% of patients completed their opening statement in consultations "
        "(Beckman & Frankel 1984, via Kidd & Carel 2016): lay recognition is far from "
        "certain, though that is not a measure of this quantity.",
    ),
    _a(
        "meeting",
        "heard_credibility",
        0.6,
        0.3,
        0.8,
        "probability per unit",
        "extra chance of recognition per unit of credibility (capped at certainty)",
        "Assumed: testimonial injustice is a credibility deficit (Fricker, via Kidd & "
        "Carel 2016), so recognition rises with credibility; the slope is a choice.",
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
        "Assumed: the paper reports insights qualitatively; only ratios of outputs "
        "across scenarios should be read.",
    ),
    _a(
        "knowledge",
        "k_unexpected",
        0.25,
        0.1,
        0.5,
        "insights per contribution",
        "rate at which lived experience meeting professional knowledge gives unexpected insights",
        "Assumed above k_routine: lived experience meeting professional knowledge is the "
        "richer source, as the paper's 'breathlessness' example argues.",
    ),
)

_DECISIONS = (
    _a(
        "decisions",
        "items_base",
        0.2,
        0.1,
        0.5,
        "items/hour",
        "agenda items decided an hour at pace 0",
        "Assumed: open-ended meetings decide little per hour.",
    ),
    _a(
        "decisions",
        "items_pace",
        2.0,
        1.0,
        4.0,
        "items/hour",
        "extra agenda items decided an hour at pace 1",
        "Assumed: an agenda-driven meeting gets through about two items an hour.",
    ),
)

_RELATIONS = (
    _a(
        "relations",
        "tie_formal",
        0.015,
        0.005,
        0.04,
        "per meeting",
        "tie gained by two members who meet, in formal contact (share of the gap to 1)",
        "Assumed: trust-link models give formal and informal contact separate gains "
        "(docs/concept.md); judge with tie_decay.",
    ),
    _a(
        "relations",
        "tie_informal",
        0.06,
        0.02,
        0.12,
        "per meeting",
        "extra tie gained in informal contact at pace 0 (none at pace 1)",
        "Assumed: slow, open meetings leave room for informal contact, which builds ties "
        "faster than formal business (about 4 to 1).",
    ),
    _a(
        "relations",
        "tie_decay",
        0.01,
        0.002,
        0.045,
        "per week",
        "share of every tie lost each week",
        "Kraut (New Scientist no. 3324, quoted 2021): a strong friendship falls to 'a mere "
        "acquaintance in just three years', about 0.01 a week read as 1 to 0.2. Range: "
        "Wellman's 27% of ties active after 10 years (via Vergara Hidd et al. 2023; 0.0025) "
        "to Burt (2002), 'nine in ten bridges this year are gone next year' (0.043).",
        "estimate",
    ),
    _a(
        "relations",
        "trust_rate",
        0.15,
        0.05,
        0.3,
        "per meeting",
        "how fast trust moves towards recognition and belonging",
        "Assumed: a time constant of about 6-7 meetings, a quarter of a year at "
        "fortnightly meetings.",
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
        0.01,
        0.1,
        "per insight",
        "lay credibility gained per adopted lay insight one contributed to",
        "Assumed: adopted lay insights slowly redistribute credibility (docs/concept.md).",
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
        5,
        4,
        13,
        "weeks",
        "weeks a benefit stays suspended after a payment counted as income",
        "House of Commons Work and Pensions Committee (2020), HC 204: 'most first payments "
        "of a Universal Credit award are made after five weeks', the wait for a reclaim. "
        "Range: one monthly award (4 weeks) to the 12-week ESA linking window (DWP 2025).",
        "published",
    ),
    _a(
        "money",
        "cash_recovery",
        0.23,
        0.1,
        0.5,
        "per week",
        "share of the gap to the weekly budget that money at hand closes each week",
        "House of Commons Work and Pensions Committee (2020), HC 204: 'Universal Credit is "
        "paid monthly'; a shock is absorbed over one monthly cycle, 12/52 = 0.23 a week.",
        "published",
    ),
    _a(
        "money",
        "word_of_mouth",
        0.3,
        0.1,
        0.6,
        "share of the gap to 1",
        "rise in the fear of the others on benefits in a group after someone's benefit is cut",
        "Assumed: fear spreads after a cut; people 'worry about being reassessed, even if "
        "their reassessment date is years away' (Activity Alliance 2018).",
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
        "Assumed: satisfaction averages roughly the last three meetings.",
    ),
    _a(
        "motivation",
        "motivation_rate",
        0.15,
        0.05,
        0.3,
        "per meeting",
        "how fast motivation follows satisfaction above or below aspiration",
        "Assumed: commitment rises and falls with fairness, as in commons-governance "
        "models (docs/concept.md).",
    ),
    _a(
        "motivation",
        "aspiration",
        0.4,
        0.3,
        0.6,
        "0-1",
        "satisfaction below which motivation falls",
        "Assumed: people expect a modest return, so middling meetings sustain motivation.",
    ),
    _a(
        "motivation",
        "value_ref",
        0.5,
        0.2,
        1.0,
        "outputs per paid hour",
        "outputs per hour of professional cost that satisfy managerial participants half-way",
        "Assumed: a half-saturation constant for the managerial rationale (co-production "
        "'adds value', the paper).",
    ),
    _a(
        "motivation",
        "heard_ref",
        0.3,
        0.15,
        0.6,
        "share",
        "share of one's contributions recognised that satisfies experience-based "
        "participants half-way",
        "Assumed: a half-saturation constant for being heard.",
    ),
    _a(
        "motivation",
        "burnout",
        0.1,
        0.02,
        0.3,
        "per unpaid share of free time",
        "motivation lost per unpaid meeting, by its share of one's free hours",
        "Assumed size; NCVO (2019), 'Time Well Spent': the more often people volunteer "
        "the more it feels like work and the likelier they stop (via Action Hampshire).",
    ),
    _a(
        "motivation",
        "benefit_shock",
        0.3,
        0.1,
        0.5,
        "motivation",
        "motivation lost when one's benefit is cut",
        "Assumed: a cut is a severe, memorable harm (86% of low-income families on UC "
        "went without essentials in May 2024, JRF via Disability Rights UK).",
    ),
    _a(
        "motivation",
        "return_rate",
        0.02,
        0.005,
        0.05,
        "per week",
        "how fast people who stopped coming drift back to their own baseline motivation",
        "Assumed: no published attrition or return rate exists; 'the actionable evidence "
        "... is weak' (Denegri 2018). A half-life of about 35 weeks; a wide range.",
    ),
    _a(
        "motivation",
        "fear_fade",
        0.02,
        0.005,
        0.05,
        "per week",
        "how fast the fear of losing benefits fades back to its starting level",
        "Assumed: a scheme that cuts nobody earns trust slowly (half-life about 35 weeks).",
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
        0.3,
        0.7,
        "0-1",
        "tie strength above which a tie counts as strong",
        "A definition: half-way to the strongest tie (Granovetter's strong and weak ties "
        "have no numeric cut-off).",
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
        "Assumed: a time constant of about ten meetings; what counts as knowledge changes "
        "over months of working together, more slowly than trust.",
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
        "Assumed: a group remembers about its last five meetings' results.",
    ),
    _a(
        "relations",
        "credibility_loss",
        0.05,
        0.01,
        0.1,
        "per meeting",
        "lay credibility lost per meeting, by the share of one's contributions ignored",
        "Assumed: as large as credibility_gain, so that being ignored takes away about "
        "what an adopted idea gives.",
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
        "Assumed: standing fades over about a year away, as fear of losing benefits "
        "fades (fear_fade).",
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
        "Assumed: professional standing rests mostly on training and role; acting on lay "
        "input moves it by at most about a sixth either way.",
    ),
    _a(
        "relations",
        "professional_credibility_rate",
        0.05,
        0.02,
        0.1,
        "per meeting",
        "how fast a professional's credibility follows whether the group acts on lay input",
        "Assumed: as slow as lay credibility's gain (credibility_gain).",
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

# Meeting format (issue 11): the choice of format under hybrid, the length of online
# meetings and how fast ties build online (digital access is with who the people are).
_MEETING_FORMAT = (
    _a(
        "participation",
        "in_person_preference",
        0.3,
        0.0,
        1.0,
        "utility",
        "what being in the room is worth to a lay person with digital access when a hybrid "
        "meeting lets them choose: they join online when the fare and travel time they "
        "would save weigh more",
        "Jones et al. (2022), Research Involvement and Engagement 8: 58 (244 UK public "
        "contributors): remote involvement was welcomed, with both benefits and "
        "drawbacks, so people weigh one against the other. No figure exists; assumed "
        "about the weight of a typical trip's travel time (weight_time x travel_hours / "
        "free hours), so that people with cheap, short trips come in and those with "
        "costly or slow ones join online.",
    ),
    _a(
        "meeting",
        "online_hours_factor",
        0.75,
        0.5,
        1.0,
        "x in-person hours",
        "length of an online meeting as a share of the same meeting in a room",
        "Loria Rebolledo et al., a discrete choice experiment with UK public contributors "
        "(a journal article, as reported by the University of Aberdeen's research "
        "portal): remote meetings under 2.5 hours were preferred. A default meeting in a "
        "room lasts 2.6 hours; online about 2 (judgement: screen fatigue shortens "
        "sessions).",
    ),
    _a(
        "relations",
        "online_tie_factor",
        0.5,
        0.25,
        0.9,
        "x in-person gain",
        "tie gained at a meeting between two people of whom at least one joins online, as "
        "a share of the gain in the room",
        "Walther (1992), Communication Research 19(1): 52-90: relations form through "
        "computer-mediated contact, but more slowly; Yang et al. (2022), Nature Human "
        "Behaviour 6: 43-54: firm-wide remote work made collaboration networks more "
        "static and siloed. The factor itself is assumed: half the rate.",
    ),
)


# Issue 11, UK benefit rules (params.benefit_rules): the figures of 2025/26.
_GREEN_PAPER = (
    "DWP (2025), 'Pathways to Work' Green Paper, para. 122 (quoted by Science for ME, "
    "2025): ESA claimants may work under 16 hours a week and earn up to GBP 183.50 a week, "
    "'increasing to GBP 195.50 from April 2025', without it affecting their benefit"
)
_CPAG_UC = (
    "CPAG (2025), 'Means-tested benefit rates 2025/26': Universal Credit work allowance "
    "GBP 411 a month when the award includes a housing costs element, GBP 684 without"
)
_BENEFIT_RULES = (
    _a(
        "money",
        "esa_lower_limit",
        20.0,
        20.0,
        25.0,
        "GBP/week",
        "ESA permitted work, lower limit: earnings a week allowed whatever the hours "
        "(benefit_rules=esa)",
        "Scope (2026), 'Permitted work' (web page): the lower limit 'allows you to earn up "
        "to GBP 20 a week for an unlimited period'. Unchanged for years; to 25 for an uprating.",
        "published",
    ),
    _a(
        "money",
        "esa_higher_limit",
        195.5,
        183.5,
        215.0,
        "GBP/week",
        "ESA permitted work, higher limit: earnings a week allowed for work of fewer than "
        "esa_hours_limit hours (benefit_rules=esa); above it the benefit stops",
        f"{_GREEN_PAPER}; those who earn more 'are no longer eligible'. Range: the 2024/25 "
        "figure to a later uprating.",
        "published",
    ),
    _a(
        "money",
        "esa_hours_limit",
        16.0,
        12.0,
        16.0,
        "hours/week",
        "ESA permitted work: the higher limit needs fewer than this many hours of work a week "
        "(meeting hours count; at or above it only the lower limit applies)",
        f"{_GREEN_PAPER}. Range down to 12: a programme that counts preparation as work "
        "reaches the limit with fewer meeting hours.",
        "published",
    ),
    _a(
        "money",
        "uc_taper",
        0.55,
        0.55,
        0.63,
        "share",
        "Universal Credit taper: the share of each GBP of earnings above the work allowance "
        "taken off the award (benefit_rules=uc)",
        f"{_CPAG_UC}; UK Parliament written answer (2022): earnings above the work allowance "
        "meet 'the single taper rate of 55 per cent'. Range up to 0.63, the rate before "
        "November 2021.",
        "published",
    ),
    _a(
        "money",
        "uc_work_allowance",
        411.0,
        411.0,
        684.0,
        "GBP/month",
        "Universal Credit work allowance: earnings an assessment period may bring before the "
        "taper, only for claimants with limited capability for work (or children)",
        f"{_CPAG_UC}. Claimants who rent get the lower figure; the range runs to the higher.",
        "published",
    ),
    _a(
        "money",
        "uc_assessment_weeks",
        4,
        4,
        5,
        "weeks",
        "length of a Universal Credit assessment period: earnings are added up and the "
        "award reduced once per period (a calendar month, about 4.3 weeks)",
        "CPAG (2025), Universal Credit rates 2025/26, and gov.uk: the award is assessed over "
        "monthly assessment periods; a month is 52 / 12 = 4.3 weeks, rounded down to 4 "
        "(range: 4-5 weeks, as calendar months fall).",
        "estimate",
    ),
    _a(
        "money",
        "uc_lcw_illness",
        0.5,
        0.3,
        0.8,
        "0-1",
        "illness burden from which a patient on Universal Credit has limited capability for "
        "work and so a work allowance (disabled claimants have one too); others, without "
        "children in the model, meet the taper from the first pound",
        "Assumed: the work allowance goes only to claimants with limited capability for work "
        "or children (CPAG 2025; UK Parliament written answer 2022), and the UC health "
        "element is paid because of illness or disability; where the work capability "
        "assessment draws its line on the model's illness scale is a judgement.",
    ),
)


# Issue 11, item 1: managers who review the programme against a budget (simulation.management).
_MANAGEMENT = (
    _a(
        "management",
        "review_interval",
        13,
        4,
        26,
        "weeks",
        "weeks between managers' reviews of the programme's spending and outputs",
        "Assumed: a quarterly review (13 weeks), as programme boards commonly report; the "
        "range runs from monthly to half-yearly. No published figure for involvement "
        "programmes.",
    ),
    _a(
        "management",
        "overspend_tolerance",
        0.05,
        0.0,
        0.2,
        "share of budget",
        "how far spending may run above the budget pro rata before managers cut",
        "Assumed: a small margin, so that the week-to-week noise of a programme on budget "
        "(the default's yearly cost varies by about 3% over seeds) does not trigger cuts.",
    ),
    _a(
        "management",
        "pace_step",
        0.1,
        0.05,
        0.3,
        "0-1",
        "how much faster one cut makes meetings (never past pace_limit)",
        "Assumed: a visible but partial change, such as a tighter agenda or a shorter slot; "
        "a few cuts take a slow meeting to a fast one.",
    ),
    _a(
        "management",
        "interval_step",
        1,
        1,
        4,
        "weeks",
        "weeks one cut adds to the interval between meetings (never past interval_limit)",
        "Assumed: the smallest change of a meeting calendar, one week.",
    ),
)


# Who the people are (issue 11): age, language, health literacy, digital access, how lay
# places are filled, and what these do to fluency and credibility. The effects default to
# 0 (none), which keeps the results of earlier versions exactly.
_CENSUS_LANGUAGE = (
    "ONS (2022), Language, England and Wales: Census 2021: 91.1% of residents aged 3 and "
    "over had English as a main language and a further 7.1% were proficient in it, so "
    "1.8% could not speak English well or at all"
)
_OFCOM_2020 = (
    "Ofcom (2020), Communications Market Report, technology tracker (3,959 adults), as "
    "reported by Socitm: more than two-fifths of people aged 75 and over and about a "
    "quarter of those aged 65-74 had no home internet connection"
)
_USUAL_SUSPECTS = (
    "Involvement contributors 'tend to be aged 61 years or above, White and female' "
    "(Keane et al. 2023, Research Involvement and Engagement 9:30); HRA 2021: 70% aged "
    "55 or over (both reported in design/grounding.md, not verified here)"
)
_WHO = (
    _a(
        "population",
        "share_older",
        0.3,
        0.15,
        0.5,
        "share",
        "share of the patients and carers lay places are filled from who are aged 65 or over",
        "Census 2021 puts 18.6% of residents of England and Wales at 65 or over (ONS 2022, "
        "reported, not verified here); users of health services and their carers are older "
        "than residents at large: 0.3 assumed, the range wide.",
    ),
    _a(
        "population",
        "language_barrier_share",
        0.018,
        0.005,
        0.09,
        "share",
        "share of the population who cannot speak English well or at all (need interpreting)",
        f"{_CENSUS_LANGUAGE}. The range runs to 9%, about the share in the London borough "
        "of Newham in 2011 (8.7%, ONS 2013).",
        "published",
    ),
    _a(
        "population",
        "low_health_literacy_share",
        0.43,
        0.3,
        0.61,
        "share",
        "share of the population below the text-only health literacy threshold",
        f"{_ROWLANDS}: 43% of English adults were below the text-only threshold, 61% below "
        "the threshold for text and numbers (the top of the range).",
        "published",
    ),
    _a(
        "population",
        "digital_access_share",
        0.9,
        0.75,
        0.98,
        "share",
        "share of people under 65 with digital access: a device, a connection and the "
        "confidence to use them for a meeting",
        "Ofcom (2025), as reported by ISPreview: 5% of people in the UK have no internet "
        "access at home; confidence to join a meeting online is rarer than a connection "
        "(29% of users are 'narrow users', Ofcom via House of Lords 2023): 0.9 estimated.",
        "estimate",
    ),
    _a(
        "population",
        "digital_access_share_older",
        0.65,
        0.4,
        0.85,
        "share",
        "share of people aged 65 or over with digital access (device, connection, confidence)",
        f"{_OFCOM_2020}; so about two-thirds of people 65 or over are online at home.",
        "estimate",
    ),
    _a(
        "population",
        "usual_reach_seldom_heard",
        0.4,
        0.1,
        0.8,
        "relative chance",
        "chance that the usual channels (lists, clinics, word of mouth among those already "
        "involved) reach a seldom-heard person, relative to anyone else",
        f"{_USUAL_SUSPECTS}; well-educated, English-speaking people who are online are the "
        "'usual suspects'. No figure for the relative reach exists: 0.4 is assumed, and "
        "gives a recruited seldom-heard share of about 0.6 of the population's.",
    ),
    _a(
        "population",
        "benefits_disability_link",
        0.3,
        0.0,
        0.6,
        "share of the largest",
        "how far being disabled goes with being on benefits: 0 independent (earlier "
        "versions), 1 as closely as the two shares allow (see population.disability_chance)",
        "ESA and the health element of Universal Credit are paid because of illness or "
        "disability: 37% of Universal Credit claimants were in its health group (Resolution "
        "Foundation on DWP statistics; every ESA claimant is ill or disabled), against "
        "about 23% of working-age adults disabled (FRS 2021/22, House of Commons Library "
        "2023): a relative risk of at least 1.6. With the default shares (0.4 on "
        "benefits, 0.3 disabled) a link of 0.3 makes P(disabled | benefits) 0.435 and "
        "P(disabled | not) 0.21, a relative risk of 2.1: above the 1.6 of Universal Credit "
        "alone, as every ESA claimant is ill or disabled. 0 (independent, as before issue "
        "11) reproduces earlier results.",
        "estimate",
    ),
    _a(
        "population",
        "benefits_illness_link",
        0.0,
        0.0,
        0.6,
        "share of the largest",
        "how far illness (caring burden for carers) goes with being on benefits: 0 "
        "independent, 1 as closely as the mean illness and the share on benefits allow "
        "(see population.illness_mean; the mean over everyone stays illness_mean)",
        "ESA and the health element of Universal Credit are paid because of illness that "
        "limits work, and Carer's Allowance for 35 hours' care a week: the direction is "
        "certain, its size is not: no figure gives it on the model's 0-1 illness scale. So "
        "the default keeps the two independent (0, as before issue 11), and the robustness "
        "map (docs/robustness.md) varies it across its range, which runs to the disability "
        "link's top.",
    ),
    *(
        _a(
            "population",
            f"{trait}_effect_{barrier}",
            default,
            0.0,
            high,
            "share lost",
            f"share of one's {trait} lost {why}",
            source,
        )
        for trait, barrier, default, high, why, source in (
            (
                "fluency",
                "language",
                0.5,
                0.6,
                "when one needs interpreting",
                "Assumed: a formal meeting in a language one does not speak well is hard "
                "to follow and to speak in, and speaking through an interpreter takes about "
                "twice the time for the same words; no measure exists: half (0 reproduces "
                "earlier results).",
            ),
            (
                "fluency",
                "literacy",
                0.0,
                0.5,
                "with low health literacy",
                f"{_ROWLANDS}: health information is written above many people's "
                "literacy, and agendas and papers are health information. 0 by default: "
                "the lay fluency mean (fluency_mean_patient, fluency_mean_carer) is already "
                "grounded in the share above the threshold, so an effect here would count "
                "low literacy twice.",
            ),
            (
                "credibility",
                "language",
                0.3,
                0.5,
                "when one needs interpreting",
                f"{_CREDIBILITY}: identity prejudice, accent among its markers, is what "
                "the deficit rests on. No size is measured: 0.3 assumed, a deficit "
                "larger than literacy's because it is heard at once (0 reproduces earlier "
                "results).",
            ),
            (
                "credibility",
                "literacy",
                0.2,
                0.5,
                "with low health literacy",
                f"{_CREDIBILITY}. Assumed: those who cannot use the meeting's terms are "
                "believed less; 0.2 (0 reproduces earlier results).",
            ),
        )
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
    + _MEETING_FORMAT
    + _BENEFIT_RULES
    + _MANAGEMENT
    + _WHO
)
