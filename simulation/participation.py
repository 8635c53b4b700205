"""Rule 1, participation: everyone weighs taking part in this week's meeting.

P(take part) = 1 / (1 + exp(-U)), with

    U = base[role] + A_MOTIVATION (motivation - 1/2) + A_TRUST (trust - 1/2)
        + A_BELONGING belonging - A_TIME time_cost - money_cost + pay_gain - benefit_risk

    money_cost = A_MONEY * felt_trip / (base_cash + CASH_CUSHION)
    pay_gain   = A_PAY * pay / (pay + base_cash)
    benefit_risk = A_BENEFIT * benefit_fear   (if pay would count against benefits)

where felt_trip is the whole fare when nothing is refunded, and
REFUND_FELT * min(1, refund_delay / FRONTING_HORIZON) of it when it is refunded
late. Trust in the others and belonging (mean tie strength to one's group) bind
people to the programme. Hard limits: someone in a flare-up of illness (or a
caring crisis), or without the money at hand to front the trip, cannot come.
Professionals attend in paid time, so time and money do not enter their choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Bools, Floats
from .metrics import ACTIVE_WEEKS

if TYPE_CHECKING:
    from .params import RunParams
    from .population import State
    from .setting import Setting

BASE_LAY, BASE_PROFESSIONAL = 1.5, 3.0
A_MOTIVATION = 3.0
A_TIME = 3.0
A_MONEY = 4.0  # weight of unrecovered trip cost relative to money at hand
A_PAY = 2.5  # weight of pay relative to money at hand
A_BENEFIT = 3.0  # weight of the feared loss of benefits
A_TRUST = 1.0  # trust in the others draws people back
A_BELONGING = 2.0  # ties to one's group draw people back
CASH_CUSHION = 10.0  # GBP: keeps the money term finite for people with nothing at hand
TRAVEL_HOURS = 1.0
DISABLED_TRAVEL_FACTOR = 2.5  # taxis or first-class seats cost more and take longer
FLARE = 0.3  # weekly chance of a flare-up that rules a meeting out, per unit of illness
FRONTING_HORIZON = 8.0  # weeks of waiting after which a refunded trip weighs its most
REFUND_FELT = 0.5  # at most, a late refund weighs as half the fare: the money comes back
PROFESSIONAL_PAY = 30.0  # GBP an hour


@dataclass(frozen=True)
class Costs:
    """What taking part costs and brings each agent, per meeting: fixed for a run."""

    trip: Floats  # GBP fronted out of pocket
    booked_fare: Floats  # GBP of travel the programme books and pays up front
    pay: Floats  # GBP paid for the meeting's hours
    staff: Floats  # GBP of professional time
    unpaid: Floats  # lay hours given unpaid
    refunded: bool  # trips are refunded (expenses or paid)
    base_utility: Floats  # U without its motivation and benefit-risk terms
    risky: Bools  # pay would count against this person's benefits


def prepare(s: State, p: RunParams, setting: Setting) -> Costs:
    """The fixed part of every agent's weighing, computed once per run."""
    fare = p.travel_cost * np.where(s.disabled, DISABLED_TRAVEL_FACTOR, 1.0)
    booked = s.lay & (setting.user_led_a | (s.disabled & p.travel_support))
    trip = np.where(s.lay & ~booked, fare, 0.0)
    paid = p.compensation == "paid"
    pay = s.lay * (p.payment_rate * PROFESSIONAL_PAY * setting.hours_a) * paid
    slow_travel = s.disabled & ~booked
    travel_hours = TRAVEL_HOURS * np.where(slow_travel, DISABLED_TRAVEL_FACTOR, 1.0)
    time_cost = (setting.hours_a + travel_hours) / s.free_hours
    refunded = p.compensation != "none"
    felt = trip * (REFUND_FELT * min(1.0, p.refund_delay / FRONTING_HORIZON) if refunded else 1.0)
    money_cost = A_MONEY * felt / (s.base_cash + CASH_CUSHION)
    pay_gain = A_PAY * pay / (pay + s.base_cash)
    base = np.where(s.lay, BASE_LAY - A_TIME * time_cost, BASE_PROFESSIONAL)
    return Costs(
        trip=trip,
        booked_fare=fare * booked,
        pay=pay,
        staff=~s.lay * PROFESSIONAL_PAY * setting.hours_a,
        unpaid=s.lay * setting.hours_a * (pay == 0),
        refunded=refunded,
        base_utility=base - money_cost + pay_gain - 0.5 * (A_MOTIVATION + A_TRUST),
        risky=s.on_benefits & (pay > p.permitted_earnings) & (not p.benefit_safe),
    )


def take_part(s: State, costs: Costs, rng: np.random.Generator, week: int, meets: bool) -> Bools:
    """Set and return ``s.attending`` for ``week``."""
    if not meets:
        s.attending[:] = False
        return s.attending
    u = (
        costs.base_utility
        + A_MOTIVATION * s.motivation
        + A_TRUST * s.trust
        + A_BELONGING * s.belonging
        - A_BENEFIT * s.benefit_fear * costs.risky
    )
    draws = rng.random((2, s.n))
    flare = draws[0] < FLARE * s.illness  # illness is 0 for professionals
    can = ~flare & (s.cash >= costs.trip)  # money at hand to front the trip
    np.logical_and(draws[1] * (1.0 + np.exp(-u)) < 1.0, can, out=s.attending)
    s.ever_attended |= s.attending
    s.last_attended[s.attending] = week
    if week <= ACTIVE_WEEKS:  # the first weeks, for the retention metric
        s.first_weeks |= s.attending
    return s.attending
