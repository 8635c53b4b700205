"""Rule 1, participation: everyone weighs taking part in this week's meeting.

P(take part) = 1 / (1 + exp(-U)), with

    U = base_utility[role] + weight_motivation (motivation - 1/2)
        + weight_trust (trust - 1/2) + weight_belonging belonging
        - weight_time time_cost - money_cost + pay_gain - benefit_risk

    money_cost = weight_money * felt_trip / (base_cash + cash_cushion)
    pay_gain   = weight_pay * pay / (pay + base_cash)
    benefit_risk = weight_benefit_fear * benefit_fear   (if pay would count against benefits)

(under ``benefit_rules=uc`` pay_gain weighs the pay one keeps after the taper, and pay
"counts against benefits" when the taper would take some of it: ``benefit_limits``)

where felt_trip is the whole fare when nothing is refunded, and
refund_felt * min(1, refund_delay / fronting_horizon) of it when it is refunded
late. The weights and the other numbers are assumptions (docs/assumptions.md).
Trust in the others and belonging (mean tie strength to one's group) bind
people to the programme. Hard limits: someone in a flare-up of illness (or a
caring crisis), or without the money at hand to front the trip, cannot come.
Professionals attend in paid time, so time and money do not enter their choice.
Someone outside the model may take the choice for some people (``simulation.choices``):
the hard limits still hold. Members of a group managers have closed cannot come
(``simulation.management``).

Meeting format (``meeting_format``). Someone who joins online pays no fare (the
programme books none for them) and spends no time travelling: money_cost = 0 and
time_cost = hours / free_hours. Online, everyone joins online and people without
digital access (``digital_access``) cannot take part: a hard limit. Hybrid meetings are
held in a room that people with digital access may join online; each weighs what
joining online saves against what being in the room is worth to them,

    online_i = digital_access_i and  weight_time travel_hours_i / free_hours_i
                                     + money_cost_i  >  in_person_preference,

so people with costly or slow trips (disabled people, people with little money) join
online, and people without digital access come in person. Professionals save nothing
they weigh (their time and travel are paid): they are in the room.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import compiled, runs
from .arrays import Bools, Floats
from .choices import FREE, GO, Choices
from .population import PATIENT
from .runs import Draws

if TYPE_CHECKING:
    from .params import RunParams
    from .population import State
    from .setting import Setting


@dataclass(frozen=True)
class Costs:
    """What taking part costs and brings each agent, per meeting: fixed for a run."""

    trip: Floats  # GBP fronted out of pocket
    booked_fare: Floats  # GBP of travel the programme books and pays up front
    pay: Floats  # GBP paid for the meeting's hours
    staff: Floats  # GBP of professional time
    unpaid: Floats  # lay hours given unpaid
    refunded: bool | Bools  # trips are refunded (expenses or paid); per agent for runs
    # side by side under different compensation (simulation.batch)
    base_utility: Floats  # U without its motivation and benefit-risk terms
    risky: Bools  # pay would count against this person's benefits
    safe: bool | Bools  # payments never count against benefits (benefit_safe); per agent
    # for runs side by side under different rules (simulation.batch)
    online: Bools  # joins online when taking part (meeting_format)
    barred: Bools  # cannot take part at all: online meetings without digital access
    limit: Floats  # GBP a week a payment may reach before the benefit is suspended
    allowance: Floats  # GBP of earnings an assessment period may bring untapered (uc)
    open: Bools | None = None  # False for members of a group managers closed (management)


def prepare(s: State, p: RunParams, setting: Setting) -> Costs:
    """The fixed part of every agent's weighing, computed once per run."""
    fare = p.travel_cost * np.where(s.disabled, p.disabled_travel_factor, 1.0)
    booked = s.lay & (setting.user_led_a | (s.disabled & p.travel_support))
    trip = np.where(s.lay & ~booked, fare, 0.0)
    paid = p.compensation == "paid"
    pay = s.lay * (p.payment_rate * p.professional_pay * setting.hours_a) * paid
    slow_travel = s.disabled & ~booked
    travel_hours = p.travel_hours * np.where(slow_travel, p.disabled_travel_time_factor, 1.0)
    refunded = p.compensation != "none"
    late = p.refund_felt * min(1.0, p.refund_delay / p.fronting_horizon)
    felt = trip * (late if refunded else 1.0)
    money_cost = p.weight_money * felt / (s.base_cash + p.cash_cushion)
    # Who joins online travels nowhere: no fare, no booked travel, no travel time.
    online = joins_online(s, p, travel_hours, money_cost)
    trip, booked = np.where(online, 0.0, trip), booked & ~online
    travel_hours = np.where(online, 0.0, travel_hours)
    money_cost = np.where(online, 0.0, money_cost)
    time_cost = (setting.hours_a + travel_hours) / s.free_hours
    limit, allowance = benefit_limits(s, p, setting.hours_a)
    kept = pay
    if p.benefit_rules == "uc" and not p.benefit_safe:
        kept = pay - s.on_benefits * p.uc_taper * np.maximum(0.0, pay - allowance / _per(p))
    # Pay weighs against money at hand; professionals (paid anyway) hold none: 0, not 0/0.
    income = kept + s.base_cash
    pay_gain = p.weight_pay * np.divide(kept, income, out=np.zeros(s.n), where=income > 0)
    base = np.where(
        s.lay, p.base_utility_lay - p.weight_time * time_cost, p.base_utility_professional
    )
    return Costs(
        trip=trip,
        booked_fare=fare * booked,
        pay=pay,
        staff=~s.lay * p.professional_pay * setting.hours_a,
        unpaid=s.lay * setting.hours_a * (pay == 0),
        refunded=refunded,
        base_utility=base - money_cost + pay_gain - 0.5 * (p.weight_motivation + p.weight_trust),
        risky=s.on_benefits & (kept < pay) & (not p.benefit_safe)
        if p.benefit_rules == "uc"
        else s.on_benefits & (pay > limit) & (not p.benefit_safe),
        safe=p.benefit_safe,
        limit=limit,
        allowance=allowance,
        online=online,
        barred=~s.digital_access if p.meeting_format == "online" else np.zeros(s.n, bool),
    )


def joins_online(s: State, p: RunParams, travel_hours: Floats, money_cost: Floats) -> Bools:
    """Who joins online when taking part, under ``p.meeting_format`` (see the module's
    docstring): nobody in person; everyone online (those without digital access cannot
    come); under hybrid, lay people with digital access whose trip's time and money
    weigh more than being in the room."""
    if p.meeting_format == "online":
        return np.ones(s.n, bool)
    if p.meeting_format == "in_person":
        return np.zeros(s.n, bool)
    saved = p.weight_time * travel_hours / s.free_hours + money_cost
    return s.lay & s.digital_access & (saved > p.in_person_preference)


def _per(p: RunParams) -> float:
    """Meetings in a Universal Credit assessment period (on average)."""
    return p.uc_assessment_weeks / p.meeting_interval


def benefit_limits(s: State, p: RunParams, hours: Floats) -> tuple[Floats, Floats]:
    """What a payment may reach before the benefit rules (``benefit_rules``) take money.

    Returns (limit, allowance): ``limit`` is the payment a week above which a benefit is
    suspended: ``permitted_earnings`` under legacy-20; under esa the higher limit for
    fewer than ``esa_hours_limit`` meeting hours, else the lower limit; none (infinite)
    under uc. ``allowance`` is the Universal Credit work allowance of an assessment
    period: ``uc_work_allowance`` for claimants with limited capability for work
    (disabled, or a patient with illness of at least ``uc_lcw_illness``), else 0.
    """
    if p.benefit_rules == "esa":
        limit = np.where(hours < p.esa_hours_limit, p.esa_higher_limit, p.esa_lower_limit)
    elif p.benefit_rules == "uc":
        limit = np.full(s.n, np.inf)
    else:
        limit = np.full(s.n, p.permitted_earnings)
    limited = s.disabled | ((s.role == PATIENT) & (s.illness >= p.uc_lcw_illness))
    allowance = np.where(limited, p.uc_work_allowance, 0.0)
    return limit, allowance


def take_part(
    s: State,
    p: RunParams,
    costs: Costs,
    rng: Draws,
    week: int,
    meets: bool,
    choices: Choices | None = None,
) -> Bools:
    """Set and return ``s.attending`` for ``week``; ``choices`` override some people's wish
    to come (not the hard limits), and get what the rule wanted (``simulation.choices``)."""
    if not meets:
        s.attending[:] = False
        return s.attending
    loops = compiled.kernels()
    if choices is None and loops is not None and _plain(s, p, costs):
        return _take_part_compiled(s, p, costs, rng, week, loops)
    u = (
        costs.base_utility
        + p.weight_motivation * s.motivation
        + p.weight_trust * s.trust
        + p.weight_belonging * s.belonging
        - p.weight_benefit_fear * s.benefit_fear * costs.risky
    )
    draws = runs.random(rng, s, 2, "flare and wish")
    flare = draws[0] < p.flare_rate * s.illness  # illness is 0 for professionals
    can = ~flare & (s.cash >= costs.trip) & ~costs.barred  # money at hand to front the trip
    if costs.open is not None:  # a group managers closed no longer meets
        can &= costs.open
    # A very negative U overflows exp to inf: the chance is 0, as it should be.
    with np.errstate(over="ignore"):
        wants = draws[1] * (1.0 + np.exp(-u)) < 1.0
    if choices is not None:
        choices.wanted[:] = wants
        wants = np.where(choices.attend == FREE, wants, choices.attend == GO)
    np.logical_and(wants, can, out=s.attending)
    s.ever_attended |= s.attending
    s.last_attended[s.attending] = week
    if week <= p.active_weeks:  # the first weeks, for the retention metric
        s.first_weeks |= s.attending
    return s.attending


def _plain(s: State, p: RunParams, costs: Costs) -> bool:
    """Whether the compiled loops take these (as State and prepare make them)."""
    weights = (p.weight_motivation, p.weight_trust, p.weight_belonging, p.weight_benefit_fear)
    arrays = (s.motivation, s.trust, s.belonging, s.benefit_fear, costs.base_utility)
    return (
        all(isinstance(w, float) for w in (*weights, p.flare_rate))
        and all(a.dtype == np.float64 and a.flags.c_contiguous for a in arrays)
        and s.last_attended.dtype == np.int64
    )


def _take_part_compiled(
    s: State, p: RunParams, costs: Costs, rng: Draws, week: int, loops: Any
) -> Bools:
    """take_part's lines, in two compiled passes around numpy's exp (simulation.kernels
    utility and attend): the same numbers."""
    weights = np.array(
        [p.weight_motivation, p.weight_trust, p.weight_belonging, p.weight_benefit_fear]
    )
    odds = np.empty(s.n)
    state = (s.motivation, s.trust, s.belonging, s.benefit_fear)
    loops.utility(costs.base_utility, weights, state, costs.risky, odds)
    draws = runs.random(rng, s, 2, "flare and wish")
    with np.errstate(over="ignore"):  # a very negative U: exp overflows to inf, chance 0
        np.exp(odds, out=odds)
    open_ = np.ones(s.n, bool) if costs.open is None else costs.open
    can_of = (s.illness, s.cash, costs.trip, costs.barred, open_)
    out = (s.attending, s.ever_attended, s.first_weeks, s.last_attended)
    loops.attend(draws, odds, p.flare_rate, can_of, out, week, week <= p.active_weeks)
    return s.attending
