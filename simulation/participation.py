"""Rule 1, participation: everyone weighs taking part in this week's meeting.

P(take part) = 1 / (1 + exp(-U)), with

    U = base_utility[role] + weight_motivation (motivation - 1/2)
        + weight_trust (trust - 1/2) + weight_belonging belonging
        - weight_time time_cost - money_cost + pay_gain - benefit_risk

    money_cost = weight_money * felt_trip / (base_cash + cash_cushion)
    pay_gain   = weight_pay * pay / (pay + base_cash)
    benefit_risk = weight_benefit_fear * benefit_fear   (if pay would count against benefits)

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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Bools, Floats
from .choices import FREE, GO, Choices

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
    refunded: bool  # trips are refunded (expenses or paid)
    base_utility: Floats  # U without its motivation and benefit-risk terms
    risky: Bools  # pay would count against this person's benefits
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
    time_cost = (setting.hours_a + travel_hours) / s.free_hours
    refunded = p.compensation != "none"
    late = p.refund_felt * min(1.0, p.refund_delay / p.fronting_horizon)
    felt = trip * (late if refunded else 1.0)
    money_cost = p.weight_money * felt / (s.base_cash + p.cash_cushion)
    # Pay weighs against money at hand; professionals (paid anyway) hold none: 0, not 0/0.
    income = pay + s.base_cash
    pay_gain = p.weight_pay * np.divide(pay, income, out=np.zeros(s.n), where=income > 0)
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
        risky=s.on_benefits & (pay > p.permitted_earnings) & (not p.benefit_safe),
    )


def take_part(
    s: State,
    p: RunParams,
    costs: Costs,
    rng: np.random.Generator,
    week: int,
    meets: bool,
    choices: Choices | None = None,
) -> Bools:
    """Set and return ``s.attending`` for ``week``; ``choices`` override some people's wish
    to come (not the hard limits), and get what the rule wanted (``simulation.choices``)."""
    if not meets:
        s.attending[:] = False
        return s.attending
    u = (
        costs.base_utility
        + p.weight_motivation * s.motivation
        + p.weight_trust * s.trust
        + p.weight_belonging * s.belonging
        - p.weight_benefit_fear * s.benefit_fear * costs.risky
    )
    draws = rng.random((2, s.n))
    flare = draws[0] < p.flare_rate * s.illness  # illness is 0 for professionals
    can = ~flare & (s.cash >= costs.trip)  # money at hand to front the trip
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
