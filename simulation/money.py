"""Rule 6, money: trips are paid, refunds and payments arrive late, benefits are cut.

At a meeting, a lay participant fronts the trip from the money at hand (unless
the programme books it) and, under ``expenses`` or ``paid``, is owed a refund in
``refund_delay`` weeks; under ``paid`` a payment (rate x professional pay x
hours) arrives at the same time. Refunds and payments add to the money at hand,
which drifts back towards the weekly budget at cash_recovery a week:

    cash <- cash - trips + refunds + payments;   cash <- cash + cash_recovery (budget - cash)

where budget is ``base_cash``, or 0 while a benefit is suspended. When a payment
above the weekly limit of the ``benefit_rules`` (legacy-20: ``permitted_earnings``;
esa: the permitted-work limits) reaches someone on benefits and the scheme is not
benefit-safe, it counts as income: the benefit is suspended for suspension_weeks
(no money at hand), the person fears payments from then on and word gets round
their group. Under Universal Credit (``uc``) nothing is suspended: at the end of
each assessment period of ``uc_assessment_weeks`` weeks the award is cut by

    taken back = uc_taper * max(0, paid in the period - work allowance)

which comes off money at hand; fear rises by the loss's size against a suspension's
(``hear_of_losses``). Lay meeting hours that are not paid pile up
as unpaid hours. Professionals' time is paid by the programme.

programme cost = payments + refunds (when they arrive) + booked travel + staff time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import compiled, runs
from .arrays import Bools, Floats
from .fused import relax
from .runs import PerRun

if TYPE_CHECKING:
    from .params import RunParams
    from .participation import Costs
    from .population import State


@dataclass
class Flows:
    """This week's money and hours."""

    # Money and hours are one number per run (a float for one run: simulation.runs).
    payments: PerRun = 0.0
    refunds: PerRun = 0.0
    travel: PerRun = 0.0
    staff: PerRun = 0.0
    benefit_cuts: PerRun = 0
    unpaid_hours: PerRun = 0.0
    unpaid: Floats | None = None  # hours each agent gave unpaid this week
    cut: Bools | None = None  # agents whose benefit was cut this week
    taken_back: PerRun = 0.0  # GBP of Universal Credit taken off awards this week (uc)
    loss: Floats | None = None  # each agent's benefit loss this week, 1 = a suspension's (uc)
    group_cost: Floats | None = None  # cost each group's meeting committed

    @property
    def cost(self) -> PerRun:
        """Money the programme paid out this week."""
        return self.payments + self.refunds + self.travel + self.staff


def settle(s: State, p: RunParams, costs: Costs, week: int) -> Flows:
    """Move this week's money; return the flows."""
    flows = Flows()
    ring = s.due_refund.shape[0]
    present = s.attending
    loops = compiled.kernels()
    if present.any() and loops is not None and _plain(s, costs):
        _spend(s, p, costs, week, flows, loops)
    elif present.any():
        _spend_arrays(s, p, costs, week, flows)
    now = week % ring
    refund, pay = s.due_refund[now], s.due_pay[now]
    if refund.any() or pay.any():
        # Balances are running float sums: clamp the rounding residue of a full refund.
        np.maximum(s.owed - refund, 0.0, out=s.owed)
        np.maximum(s.out_of_pocket - refund, 0.0, out=s.out_of_pocket)
        s.received += refund + pay
        s.cash += refund + pay
        flows.refunds, flows.payments = runs.total(s, refund), runs.total(s, pay)
        exposed = s.on_benefits & np.logical_not(costs.safe)  # pay counts against benefits
        cut = exposed & (pay > costs.limit) & (s.suspended_until <= week)
        if cut.any():
            # No income in this week and the next suspension_weeks - 1: that many weeks.
            s.suspended_until[cut] = week + p.suspension_weeks
            hear_of_losses(s, p, cut)
            flows.benefit_cuts = runs.count(s, cut)
            flows.cut = cut
        if p.benefit_rules == "uc":
            s.earned += pay * exposed
        refund[:] = 0.0
        pay[:] = 0.0
    if p.benefit_rules == "uc" and week % p.uc_assessment_weeks == 0:
        _assess(s, p, costs, flows)  # nothing earned under benefit_safe: nothing taken
    # Money at hand drifts back towards the household's weekly budget: spending is
    # absorbed and windfalls spent over a few weeks. A benefit cut stops the income.
    if loops is not None and _plain(s, costs) and isinstance(p.cash_recovery, float):
        loops.recover(s.cash, s.suspended_until, week, s.base_cash, p.cash_recovery)
    else:
        budget = np.where(s.suspended_until > week, 0.0, s.base_cash)
        relax(s.cash, p.cash_recovery, budget)
    return flows


def _spend_arrays(s: State, p: RunParams, costs: Costs, week: int, flows: Flows) -> None:
    """The meeting week's costs of those present, in numpy arrays (simulation.kernels.spend
    makes the same operations in one pass)."""
    present, ring = s.attending, s.due_refund.shape[0]
    trip, pay = costs.trip * present, costs.pay * present
    booked, staff = costs.booked_fare * present, costs.staff * present
    unpaid = costs.unpaid * present
    s.out_of_pocket += trip
    s.cash -= trip
    later = (week + p.refund_delay) % ring
    if isinstance(costs.refunded, np.ndarray):  # runs side by side, some refunded
        refunded = np.where(costs.refunded, trip, 0.0)
        s.owed += refunded
        s.due_refund[later] += refunded
        s.never_refunded += np.where(costs.refunded, 0.0, trip)
    elif costs.refunded:
        s.owed += trip
        s.due_refund[later] += trip
    else:
        s.never_refunded += trip
    s.due_pay[later] += pay
    s.unpaid_hours += unpaid
    # Sums run by run when runs share s (simulation.runs): a float for one run.
    flows.travel, flows.staff = runs.total(s, booked), runs.total(s, staff)
    flows.unpaid_hours = runs.total(s, unpaid)
    flows.unpaid = unpaid
    flows.group_cost = np.bincount(
        s.group, trip * costs.refunded + pay + booked + staff, minlength=s.n_groups
    )


def _plain(s: State, costs: Costs) -> bool:
    """Whether the compiled loops take these: contiguous float64 arrays, one entry per
    agent (as State and participation.prepare make them)."""
    arrays = (s.cash, s.out_of_pocket, s.owed, s.never_refunded, s.unpaid_hours, s.base_cash)
    per_agent = (costs.trip, costs.pay, costs.booked_fare, costs.staff, costs.unpaid)
    return (
        all(
            a.dtype == np.float64 and a.flags.c_contiguous and a.shape == (s.n,)
            for a in (*arrays, *per_agent)
        )
        and s.due_refund.flags.c_contiguous
        and s.due_pay.flags.c_contiguous
    )


def _spend(s: State, p: RunParams, costs: Costs, week: int, flows: Flows, loops: Any) -> None:
    """The meeting week's costs of those present (the lines of settle this replaces, in
    one pass: simulation.kernels.spend)."""
    later = (week + p.refund_delay) % s.due_refund.shape[0]
    if isinstance(costs.refunded, np.ndarray):
        mode, refunded = 2, costs.refunded
    else:
        mode, refunded = int(bool(costs.refunded)), s.attending
    out, group_cost = np.empty((3, s.n)), np.zeros(s.n_groups)
    due_pay = (s.due_pay[later], s.unpaid_hours)
    loops.spend(
        s.attending,
        (costs.trip, costs.pay, costs.booked_fare, costs.staff, costs.unpaid),
        refunded,
        mode,
        s.group,
        (s.out_of_pocket, s.cash, s.owed, s.due_refund[later], s.never_refunded, *due_pay),
        out,
        group_cost,
    )
    booked, staff, unpaid = out
    flows.travel, flows.staff = runs.total(s, booked), runs.total(s, staff)
    flows.unpaid_hours = runs.total(s, unpaid)
    flows.unpaid = unpaid
    flows.group_cost = group_cost


def _assess(s: State, p: RunParams, costs: Costs, flows: Flows) -> None:
    """End of a Universal Credit assessment period: the taper takes its share of the
    period's earnings above the work allowance off the award, so off money at hand."""
    taken = p.uc_taper * np.maximum(0.0, s.earned - costs.allowance)
    s.earned[:] = 0.0
    if not taken.any():
        return
    s.cash -= taken
    s.taken_back += taken
    flows.taken_back = runs.total(s, taken)
    # A loss as large as a suspension's (the weekly budget for suspension_weeks) counts as one.
    lost = s.base_cash * p.suspension_weeks
    loss = np.minimum(1.0, np.divide(taken, lost, out=np.ones(s.n), where=lost > 0))
    loss[taken == 0] = 0.0
    hear_of_losses(s, p, loss)
    flows.loss = loss


def hear_of_losses(s: State, p: RunParams, loss: Floats | Bools) -> None:
    """Fear follows the benefit losses of people one knows: ``loss`` is each agent's loss
    this week, 1 for a suspension (or a loss as large), less for a smaller deduction.

    Everyone on benefits in a group hears of the worst loss in it, w, and fears more by
    word_of_mouth * w of the way to 1; who lost fears more by their own loss of the way to
    1 (a suspension: fear 1).
    """
    worst = np.zeros(s.n_groups)
    np.maximum.at(worst, s.group, loss)
    heard = worst[s.group]
    s.benefit_fear += p.word_of_mouth * heard * s.on_benefits * (1 - s.benefit_fear)
    s.benefit_fear[:] = np.where(loss >= 1, 1.0, s.benefit_fear + loss * (1 - s.benefit_fear))
