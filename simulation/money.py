"""Rule 6, money: trips are paid, refunds and payments arrive late, benefits are cut.

At a meeting, a lay participant fronts the trip from the money at hand (unless
the programme books it) and, under ``expenses`` or ``paid``, is owed a refund in
``refund_delay`` weeks; under ``paid`` a payment (rate x professional pay x
hours) arrives at the same time. Refunds and payments add to the money at hand,
which drifts back towards the weekly budget at cash_recovery a week:

    cash <- cash - trips + refunds + payments;   cash <- cash + cash_recovery (budget - cash)

where budget is ``base_cash``, or 0 while a benefit is suspended. When a payment
above ``permitted_earnings`` reaches someone on benefits and the scheme is not
benefit-safe, it counts as income: the benefit is suspended for suspension_weeks
(no money at hand), the person fears payments from then on and word gets round
their group. Lay meeting hours that are not paid pile up
as unpaid hours. Professionals' time is paid by the programme.

programme cost = payments + refunds (when they arrive) + booked travel + staff time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Bools, Floats

if TYPE_CHECKING:
    from .params import RunParams
    from .participation import Costs
    from .population import State


@dataclass
class Flows:
    """This week's money and hours."""

    payments: float = 0.0
    refunds: float = 0.0
    travel: float = 0.0
    staff: float = 0.0
    benefit_cuts: int = 0
    unpaid_hours: float = 0.0
    unpaid: Floats | None = None  # hours each agent gave unpaid this week
    cut: Bools | None = None  # agents whose benefit was cut this week
    group_cost: Floats | None = None  # cost each group's meeting committed

    @property
    def cost(self) -> float:
        """Money the programme paid out this week."""
        return self.payments + self.refunds + self.travel + self.staff


def settle(s: State, p: RunParams, costs: Costs, week: int) -> Flows:
    """Move this week's money; return the flows."""
    flows = Flows()
    ring = s.due_refund.shape[0]
    present = s.attending
    if present.any():
        trip, pay = costs.trip * present, costs.pay * present
        booked, staff = costs.booked_fare * present, costs.staff * present
        unpaid = costs.unpaid * present
        s.out_of_pocket += trip
        s.cash -= trip
        later = (week + p.refund_delay) % ring
        if costs.refunded:
            s.owed += trip
            s.due_refund[later] += trip
        else:
            s.never_refunded += trip
        s.due_pay[later] += pay
        s.unpaid_hours += unpaid
        flows.travel, flows.staff = float(booked.sum()), float(staff.sum())
        flows.unpaid_hours = float(unpaid.sum())
        flows.unpaid = unpaid
        flows.group_cost = np.bincount(
            s.group, trip * costs.refunded + pay + booked + staff, minlength=s.n_groups
        )

    now = week % ring
    refund, pay = s.due_refund[now], s.due_pay[now]
    if refund.any() or pay.any():
        # Balances are running float sums: clamp the rounding residue of a full refund.
        np.maximum(s.owed - refund, 0.0, out=s.owed)
        np.maximum(s.out_of_pocket - refund, 0.0, out=s.out_of_pocket)
        s.received += refund + pay
        s.cash += refund + pay
        flows.refunds, flows.payments = float(refund.sum()), float(pay.sum())
        if not p.benefit_safe:
            cut = s.on_benefits & (pay > p.permitted_earnings) & (s.suspended_until <= week)
            if cut.any():
                # No income in this week and the next suspension_weeks - 1: that many weeks.
                s.suspended_until[cut] = week + p.suspension_weeks
                heard = np.bincount(s.group, cut, minlength=s.n_groups)[s.group] > 0
                s.benefit_fear += p.word_of_mouth * (heard & s.on_benefits) * (1 - s.benefit_fear)
                s.benefit_fear[cut] = 1.0
                flows.benefit_cuts = int(cut.sum())
                flows.cut = cut
        refund[:] = 0.0
        pay[:] = 0.0
    # Money at hand drifts back towards the household's weekly budget: spending is
    # absorbed and windfalls spent over a few weeks. A benefit cut stops the income.
    budget = np.where(s.suspended_until > week, 0.0, s.base_cash)
    s.cash += p.cash_recovery * (budget - s.cash)
    return flows
