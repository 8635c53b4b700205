"""Rule 1, participation: everyone weighs taking part in this week's meeting.

P(take part) = 1 / (1 + exp(-U)), with

    U = base[role] + A_MOTIVATION (motivation - 1/2) - A_TIME time_cost
        - money_cost + pay_gain - benefit_risk

and hard limits: a patient in an illness flare-up, or anyone without the money at
hand to front the trip, cannot come. Professionals attend in paid time.
"""

from __future__ import annotations

import numpy as np

from .population import PATIENT

BASE_LAY, BASE_PROFESSIONAL = 1.2, 3.0
A_MOTIVATION = 3.0
A_TIME = 3.0
A_MONEY = 3.0  # weight of unrecovered trip cost relative to money at hand
A_PAY = 2.0  # weight of pay relative to money at hand
A_BENEFIT = 3.0  # weight of the feared loss of benefits
TRAVEL_HOURS = 1.0
DISABLED_TRAVEL_FACTOR = 2.5  # taxis or first-class seats cost more and take longer
FLARE = 0.3  # weekly chance of a flare-up that rules a meeting out, per unit of illness
FRONTING_HORIZON = 8.0  # weeks of waiting that make a fronted refund feel like a full cost
PROFESSIONAL_PAY = 30.0  # GBP an hour


def fare(s, p) -> np.ndarray:
    """The price of a return trip to a meeting."""
    return p.travel_cost * np.where(s.disabled, DISABLED_TRAVEL_FACTOR, 1.0)


def booked(s, p, setting) -> np.ndarray:
    """Trips the programme books and pays up front (user-led budgets, travel support)."""
    return s.lay & (setting.user_led_a | (s.disabled & p.travel_support))


def trip_cost(s, p, setting) -> np.ndarray:
    """What a lay participant pays out of pocket to come."""
    return np.where(s.lay & ~booked(s, p, setting), fare(s, p), 0.0)


def payment(s, p, setting) -> np.ndarray:
    """What a lay participant is paid for one meeting."""
    if p.compensation != "paid":
        return np.zeros(s.n)
    return np.where(s.lay, p.payment_rate * PROFESSIONAL_PAY * setting.hours_a, 0.0)


def money_at_hand(s, week: int) -> np.ndarray:
    """Money an agent can front this week: weekly budget less refunds still owed."""
    return np.where(s.suspended_until > week, 0.0, s.base_cash) - s.owed


def take_part(s, p, setting, rng: np.random.Generator, week: int, meets: bool) -> np.ndarray:
    """Set and return ``s.attending`` for ``week``."""
    if not meets:
        s.attending[:] = False
        return s.attending
    trip = trip_cost(s, p, setting)
    pay = payment(s, p, setting)
    slow_travel = s.disabled & ~(p.travel_support | setting.user_led_a)
    travel_hours = TRAVEL_HOURS * np.where(slow_travel, DISABLED_TRAVEL_FACTOR, 1.0)
    time_cost = (setting.hours_a + travel_hours) / s.free_hours
    refunded = p.compensation != "none"
    felt = trip * (min(1.0, p.refund_delay / FRONTING_HORIZON) * 0.5 if refunded else 1.0)
    money_cost = A_MONEY * felt / (s.base_cash + 10.0)
    pay_gain = A_PAY * pay / (pay + s.base_cash)
    risky = s.on_benefits & (pay > p.permitted_earnings) & (not p.benefit_safe)
    benefit_risk = A_BENEFIT * s.benefit_fear * risky
    u = (np.where(s.lay, BASE_LAY, BASE_PROFESSIONAL) + A_MOTIVATION * (s.motivation - 0.5)
         - A_TIME * time_cost * s.lay - money_cost + pay_gain - benefit_risk)
    draws = rng.random((2, s.n))
    flare = (s.role == PATIENT) & (draws[0] < FLARE * s.illness)
    can = ~flare & (money_at_hand(s, week) >= trip)
    np.logical_and(draws[1] * (1.0 + np.exp(-u)) < 1.0, can, out=s.attending)
    s.ever_attended |= s.attending
    s.last_attended[s.attending] = week
    if week <= 8:
        s.first_weeks |= s.attending
    return s.attending
