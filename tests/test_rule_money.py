"""Rule 6, money: trips, refunds, payments, benefit cuts and programme cost.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from builders import ASSUMED, CARER, CLIN, GROUPS, LAY, P0, P1, members, several, tiny

from simulation import money, participation, setting


def _attend_once_then_settle(delay, weeks, **over):
    p, s, st = tiny(refund_delay=delay, **over)
    costs = participation.prepare(s, p, st)
    out = []
    for week in range(1, weeks + 1):
        s.attending[:] = [week == 1, False, False, False]
        out.append(money.settle(s, p, costs, week))
    return p, s, costs, out


@pytest.mark.parametrize("delay", [0, 1, 3, 7, 26])
def test_fronted_trip_is_refunded_exactly_refund_delay_weeks_later(delay):
    p, s, st = tiny(refund_delay=delay, compensation="expenses", travel_cost=10.0)
    costs = participation.prepare(s, p, st)
    for week in range(1, delay + 4):
        s.attending[:] = [week == 1, False, False, False]
        flows = money.settle(s, p, costs, week)
        if week < 1 + delay:
            assert flows.refunds == 0.0
            assert s.owed[P0] == 10.0 and s.out_of_pocket[P0] == 10.0 and s.received[P0] == 0
        elif week == 1 + delay:
            assert flows.refunds == 10.0
            assert s.owed[P0] == 0.0 and s.out_of_pocket[P0] == 0.0 and s.received[P0] == 10.0
        else:
            assert flows.refunds == 0.0 and s.received[P0] == 10.0
        assert flows.cost == pytest.approx(
            flows.payments + flows.refunds + flows.travel + flows.staff
        )


def test_overlapping_refunds_each_arrive_after_the_delay():
    p, s, st = tiny(refund_delay=3, compensation="expenses", travel_cost=10.0)
    costs = participation.prepare(s, p, st)
    attends = {1: [P0], 2: [P0, P1], 3: [CARER], 6: [P1]}
    got = {}
    for week in range(1, 12):
        s.attending[:] = False
        s.attending[attends.get(week, [])] = True
        got[week] = money.settle(s, p, costs, week).refunds
    want = {w + 3: 10.0 * len(who) for w, who in attends.items()}
    assert got == {w: want.get(w, 0.0) for w in range(1, 12)}
    assert (s.owed == 0).all() and (s.out_of_pocket == 0).all()
    assert s.received[LAY].tolist() == [20.0, 20.0, 10.0]


def test_programme_cost_is_payments_refunds_travel_and_staff():
    p, s, st = tiny(
        refund_delay=2,
        compensation="paid",
        payment_rate=0.5,
        travel_support=True,
        travel_cost=10.0,
        benefit_safe=True,
    )
    s.disabled[P1] = True
    costs = participation.prepare(s, p, st)
    hours = st.hours[0]
    totals = {"payments": 0.0, "refunds": 0.0, "travel": 0.0, "staff": 0.0}
    cost = 0.0
    rng = np.random.default_rng(22)
    for week in range(1, 30):
        s.attending[:] = rng.random(4) < 0.6 if week < 25 else False
        present = s.attending.copy()
        flows = money.settle(s, p, costs, week)
        assert flows.staff == pytest.approx(ASSUMED.professional_pay * hours * present[CLIN])
        assert flows.travel == pytest.approx(10.0 * ASSUMED.disabled_travel_factor * present[P1])
        assert flows.cost == pytest.approx(
            flows.payments + flows.refunds + flows.travel + flows.staff
        )
        cost += flows.cost
        for k in totals:
            totals[k] += getattr(flows, k)
    assert cost == pytest.approx(sum(totals.values()))
    assert s.received.sum() == pytest.approx(totals["payments"] + totals["refunds"])
    assert totals["payments"] > 0 and totals["refunds"] > 0
    assert (s.owed == 0).all() and (s.out_of_pocket == 0).all()


def test_paid_above_permitted_earnings_cuts_benefits():
    delay = 2
    p, s, st = tiny(
        refund_delay=delay,
        compensation="paid",
        payment_rate=1.0,
        permitted_earnings=20.0,
        benefit_safe=False,
        benefit_rules="legacy-20",  # the suspension rule (test_rule_money_benefits: the others)
    )
    s.on_benefits[[P0, P1]] = True
    s.benefit_fear[[P0, P1]] = 0.2
    costs = participation.prepare(s, p, st)
    assert costs.pay[P0] > p.permitted_earnings
    for week in range(1, 1 + delay + 1):
        s.attending[:] = [week == 1, False, False, False]
        flows = money.settle(s, p, costs, week)
        if week < 1 + delay:
            assert flows.benefit_cuts == 0 and flows.cut is None
    cut_week = 1 + delay
    assert flows.benefit_cuts == 1 and flows.cut.tolist() == [True, False, False, False]
    assert flows.payments == pytest.approx(costs.pay[P0])
    # Suspended for the cut week and the next suspension_weeks - 1: until cut week + weeks.
    assert s.suspended_until[P0] == cut_week + ASSUMED.suspension_weeks
    assert s.benefit_fear[P0] == 1.0
    # word of mouth: the other person on benefits in the group fears more
    assert s.benefit_fear[P1] == pytest.approx(0.2 + ASSUMED.word_of_mouth * 0.8)
    assert s.benefit_fear[CARER] == 0.0  # not on benefits
    # no income until the suspension ends: money at hand drains, then recovers
    s.attending[:] = False
    levels = []
    for week in range(cut_week + 1, cut_week + 1 + ASSUMED.suspension_weeks):
        money.settle(s, p, costs, week)
        levels.append(s.cash[P0])
    draining, recovered = levels[:-1], levels[-1]
    assert all(later < earlier for earlier, later in itertools.pairwise(draining))
    assert recovered > draining[-1]


def test_benefit_safe_scheme_never_cuts_benefits():
    """The same paid attendance that suspends P0's benefit when it counts as income
    (test_paid_above_permitted_earnings_cuts_benefits) cuts nothing when benefit-safe."""
    for safe, cuts in ((False, 1), (True, 0)):
        p, s, st = tiny(
            refund_delay=2,
            compensation="paid",
            payment_rate=1.0,
            permitted_earnings=20.0,
            benefit_safe=safe,
            benefit_rules="legacy-20",
        )
        s.on_benefits[[P0, P1]] = True
        costs = participation.prepare(s, p, st)
        flows = []
        for week in range(1, 7):
            s.attending[:] = [week == 1, False, False, False]
            flows.append(money.settle(s, p, costs, week))
        assert sum(f.payments for f in flows) > 20.0
        assert sum(f.benefit_cuts for f in flows) == cuts
        assert (s.suspended_until > 0).sum() == cuts


def test_pay_within_permitted_earnings_is_not_cut():
    p, s, st = tiny(
        refund_delay=0,
        compensation="paid",
        payment_rate=0.1,
        permitted_earnings=500.0,
        benefit_safe=False,
        benefit_rules="legacy-20",
    )
    s.on_benefits[P0] = True
    costs = participation.prepare(s, p, st)
    assert 0 < costs.pay[P0] <= p.permitted_earnings and not costs.risky[P0]
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    assert flows.payments == pytest.approx(costs.pay[P0]) and flows.benefit_cuts == 0


@pytest.mark.parametrize("compensation", ["none", "expenses", "paid"])
def test_unpaid_hours_accrue_only_when_not_paid(compensation):
    p, s, st = tiny(compensation=compensation, refund_delay=0, benefit_safe=True)
    costs = participation.prepare(s, p, st)
    hours = st.hours[0]
    for week in range(1, 4):
        s.attending[:] = [True, week != 2, False, True]
        flows = money.settle(s, p, costs, week)
        want = 0.0 if compensation == "paid" else hours * (1 + (week != 2))
        assert flows.unpaid_hours == pytest.approx(want)
    if compensation == "paid":
        assert (s.unpaid_hours == 0).all()
    else:
        assert s.unpaid_hours.tolist() == pytest.approx([3 * hours, 2 * hours, 0.0, 0.0])


def test_fully_refunded_trips_leave_nothing_out_of_pocket():
    p, s, st = tiny(refund_delay=2, compensation="expenses", travel_cost=0.3)
    costs = participation.prepare(s, p, st)
    # Attends weeks 1-3, fronting 0.3 each time; refunds arrive in weeks 3-5.
    for week, left in zip(range(1, 6), [0.3, 0.6, 0.6, 0.3, 0.0], strict=True):
        s.attending[:] = [week <= 3, False, False, False]
        money.settle(s, p, costs, week)
        assert s.out_of_pocket[P0] == pytest.approx(left, abs=1e-12)
        assert s.owed[P0] == pytest.approx(left, abs=1e-12)
    assert s.received[P0] == pytest.approx(0.9)
    # In floats 0.3 + 0.3 + 0.3 - 0.3 - 0.3 - 0.3 = -1.1e-16: the balance is clamped to
    # exactly nothing, neither a rounding debt nor a credit.
    assert s.out_of_pocket[P0] == 0.0 and s.owed[P0] == 0.0


def test_hours_paid_nothing_count_as_unpaid():
    p, s, st = tiny(compensation="paid", payment_rate=0.0, refund_delay=0)
    costs = participation.prepare(s, p, st)
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    if (costs.pay != 0).any() or flows.payments != 0.0:
        pytest.fail("precondition: nothing is paid")
    assert flows.unpaid_hours == pytest.approx(st.hours[0])


def test_without_compensation_trips_are_never_refunded():
    _p, s, _costs, flows = _attend_once_then_settle(0, 5, compensation="none", travel_cost=10.0)
    assert sum(f.refunds for f in flows) == 0.0
    assert s.out_of_pocket[P0] == 10.0 and s.owed[P0] == 0.0 and s.received[P0] == 0.0
    assert s.never_refunded.tolist() == [10.0, 0.0, 0.0, 0.0]  # spent for good


def test_out_of_pocket_is_never_refunded_plus_still_owed():
    # refund_delay 3, fares 10: under expenses P0's two trips (weeks 1, 2) are owed until
    # weeks 4 and 5 and nothing is spent for good; under none both are spent for good.
    for compensation, owed, never in (("expenses", [10, 20, 20, 10, 0], 0), ("none", [0] * 5, 20)):
        p, s, costs = _paid(compensation=compensation, refund_delay=3)
        for week in range(1, 6):
            s.attending[:] = [week <= 2, False, False, False]
            money.settle(s, p, costs, week)
            assert s.owed[P0] == owed[week - 1]
            spent = 10.0 * min(week, 2)
            assert s.never_refunded[P0] == (spent if never else 0.0)
            assert s.out_of_pocket[P0] == s.owed[P0] + s.never_refunded[P0]
        assert s.never_refunded[P0] == never


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


# pace 0.5: hours 2 + 2 * 0.5 = 3; pay 0.5 * professional_pay * 3 (0.5 * 35 * 3 = 52.5) a meeting
PAY = 0.5 * ASSUMED.professional_pay * 3


def _paid(make=tiny, **over):
    """pace 0.5: hours 2 + 2 * 0.5 = 3; pay PAY a meeting; trips 10; the suspension rule.

    The benefit cuts below are the suspension rule's (legacy-20: above permitted_earnings
    a week the benefit is suspended), pinned as the default is now Universal Credit;
    test_rule_money_benefits tests the other rules.
    """
    values = {
        "benefit_rules": "legacy-20",
        "compensation": "paid",
        "payment_rate": 0.5,
        "pace": 0.5,
        "travel_cost": 10.0,
        "refund_delay": 0,
        "permitted_earnings": 20.0,
        "benefit_safe": False,
    }
    p, s, st = make(**(values | over))
    costs = participation.prepare(s, p, st)
    assert costs.trip[P0] == 10.0
    assert costs.pay[P0] == pytest.approx(PAY if p.compensation == "paid" else 0.0)
    return p, s, costs


@pytest.mark.parametrize("cut_group", [0, 2])
def test_word_of_a_benefit_cut_goes_round_ones_own_group_only(cut_group):
    p, s, costs = _paid(several)
    groups = [members(s, g) for g in range(GROUPS)]
    # Two people on benefits in every group (the patients), all fearing 0.2.
    patients = [i for g in groups for i in g[:2]]
    s.on_benefits[patients] = True
    s.benefit_fear[patients] = 0.2
    cut_person, told = groups[cut_group][0], groups[cut_group][1]
    s.attending[:] = False
    s.attending[cut_person] = True
    flows = money.settle(s, p, costs, 1)  # paid 52.5 > 20 at once: cut
    assert flows.benefit_cuts == 1 and np.flatnonzero(flows.cut).tolist() == [cut_person]
    want = np.zeros(s.n)
    want[patients] = 0.2
    want[cut_person] = 1.0
    want[told] = 0.2 + ASSUMED.word_of_mouth * (1 - 0.2)  # 0.44: word_of_mouth of the way to 1
    assert s.benefit_fear == pytest.approx(want)


def test_benefits_are_not_cut_again_while_suspended_but_are_once_restored():
    # refund_delay 2: attending weeks 1-11, P0 is paid in weeks 3-13. The cut in week 3
    # suspends the benefit for weeks 3-10 (8 weeks: until week 3 + 8 = 11); in week 11 it
    # is back, so that week's payment cuts it again (suspended until 19), and the
    # payments of weeks 12 and 13 do not.
    p, s, costs = _paid(refund_delay=2, suspension_weeks=8)
    s.on_benefits[P0] = True
    cuts = {}
    for week in range(1, 14):
        s.attending[:] = [week <= 11, False, False, False]
        cuts[week] = money.settle(s, p, costs, week).benefit_cuts
    assert [w for w, n in cuts.items() if n] == [3, 11]
    assert sum(cuts.values()) == 2
    assert s.suspended_until[P0] == 19


@pytest.mark.parametrize("weeks", [4, 8, 13])
def test_a_benefit_cut_stops_income_for_exactly_suspension_weeks_weeks(weeks):
    # Cut in week 1 (paid PAY = 52.5 > 20 at once). Money at hand starts at 100 and drifts
    # towards the weekly budget: 0 while suspended, so each suspended week keeps 0.75 of
    # it (cash_recovery 0.25); back on benefits, it rises towards 100 again. Week 1:
    # 100 - 10 + 10 + 52.5 = 152.5, then 152.5 * 0.75 = 114.375 (budget 0).
    p, s, costs = _paid(suspension_weeks=weeks, cash_recovery=0.25)
    start = 100.0 + PAY
    s.on_benefits[P0] = True
    s.attending[:] = [True, False, False, False]
    money.settle(s, p, costs, 1)
    assert s.cash[P0] == pytest.approx(114.375)
    s.attending[:] = False
    suspended, cash = [True], [s.cash[P0]]
    for week in range(2, weeks + 4):
        money.settle(s, p, costs, week)
        suspended.append(bool(s.suspended_until[P0] > week))
        cash.append(s.cash[P0])
    assert sum(suspended) == weeks  # weeks 1 .. weeks: no income
    assert suspended == [True] * weeks + [False] * 3
    # Zero income weeks: money at hand falls by a quarter each week, (100 + PAY) * 0.75^w after w.
    for w in range(1, weeks + 1):
        assert cash[w - 1] == pytest.approx(start * 0.75**w)
    # The first week back: (100 + PAY) * 0.75^weeks + 0.25 (100 - that).
    back = start * 0.75**weeks
    assert cash[weeks] == pytest.approx(back + 0.25 * (100.0 - back))


def test_pay_exactly_at_permitted_earnings_is_not_income():
    p, s, costs = _paid(permitted_earnings=PAY)  # paid PAY: not above PAY
    s.on_benefits[P0] = True
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    assert flows.payments == PAY and flows.benefit_cuts == 0 and flows.cut is None
    assert s.suspended_until[P0] == 0


def test_payment_adds_to_money_at_hand_before_it_drifts_back():
    # refund_delay 0: 100 at hand - 10 fare + 10 refund + 52.5 pay = 152.5;
    # drift back at cash_recovery r = 0.23: 152.5 + 0.23 (100 - 152.5) = 140.425
    p, s, costs = _paid(compensation="paid")
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    assert flows.payments == PAY and flows.refunds == 10.0
    r = ASSUMED.cash_recovery
    assert s.cash[P0] == pytest.approx(100 + PAY + r * (100 - (100 + PAY)))
    assert s.received[P0] == PAY + 10.0


BOOKED = 10 * ASSUMED.disabled_travel_factor  # 25
STAFF = ASSUMED.professional_pay * 3  # 105


@pytest.mark.parametrize(
    ("compensation", "want"),
    [
        # fronted trips refunded (10 + 10) + pay 3 * 52.5 + booked 10 * 2.5 + staff 35 * 3 = 307.5
        ("paid", 20 + 3 * PAY + BOOKED + STAFF),
        # nothing refunded or paid: booked 25 + staff 105 = 130
        ("none", BOOKED + STAFF),
    ],
)
def test_each_groups_meeting_cost_is_refunded_trips_pay_booked_travel_and_staff(compensation, want):
    p, s, _ = _paid(travel_support=True, compensation=compensation, benefit_safe=True)
    s.disabled[P1] = True  # travel booked for P1 (2.5 times the fare); P0 and the carer front 10
    costs = participation.prepare(s, p, setting.build(s, p))
    s.attending[:] = True
    flows = money.settle(s, p, costs, 1)
    assert flows.group_cost.tolist() == pytest.approx([want])


def test_unpaid_hours_are_reported_per_person():
    p, s, costs = _paid(compensation="none")
    s.attending[:] = [True, False, True, True]
    flows = money.settle(s, p, costs, 1)
    assert flows.unpaid.tolist() == [3.0, 0.0, 3.0, 0.0]  # the clinician is paid staff time
    assert flows.unpaid_hours == 6.0


def test_trips_not_yet_refunded_add_up():
    # refund_delay 3: trips of weeks 1 and 2 (10 each) are owed until weeks 4 and 5.
    p, s, costs = _paid(compensation="expenses", refund_delay=3)
    for week, owed in ((1, 10.0), (2, 20.0), (3, 20.0), (4, 10.0), (5, 0.0)):
        s.attending[:] = [week <= 2, False, False, False]
        money.settle(s, p, costs, week)
        assert s.owed[P0] == owed and s.out_of_pocket[P0] == owed
