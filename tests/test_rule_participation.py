"""Rule 1, participation: who weighs up and takes part in this week's meeting.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import ASSUMED, CARER, CLIN, LAY, P0, P1, rebuild, tiny

from simulation import choices, money, participation, setting
from simulation.model import CoProductionModel

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


def expit(u):
    return 1.0 / (1.0 + np.exp(-u))


class FixedDraws:
    """A Generator stand-in for participation: no flare-ups, every choice draw = ``x``."""

    def __init__(self, x):
        self.x = np.asarray(x, float)

    def random(self, shape):
        out = np.empty(shape)
        out[0] = 1.0 - 1e-12  # above any flare chance
        out[1] = self.x
        return out


def documented_utility(s, p, st, i) -> float:
    """U of agent i by participation.py's docstring (travel not booked, not disabled), under
    the suspension rule (benefit_rules legacy-20: pay above permitted_earnings is a risk);
    Universal Credit's utility: test_rule_money_benefits."""
    u = (
        p.weight_motivation * (s.motivation[i] - 0.5)
        + p.weight_trust * (s.trust[i] - 0.5)
        + p.weight_belonging * s.belonging[i]
    )
    if not s.lay[i]:
        return p.base_utility_professional + u
    hours = p.hours_fast + (p.hours_slow - p.hours_fast) * (1 - p.pace)
    fare = p.travel_cost
    refunded = p.compensation != "none"
    felt = fare * (
        p.refund_felt * min(1.0, p.refund_delay / p.fronting_horizon) if refunded else 1.0
    )
    pay = p.payment_rate * p.professional_pay * hours if p.compensation == "paid" else 0.0
    risky = s.on_benefits[i] and pay > p.permitted_earnings and not p.benefit_safe
    return (
        p.base_utility_lay
        + u
        - p.weight_time * (hours + p.travel_hours) / s.free_hours[i]
        - p.weight_money * felt / (s.base_cash[i] + p.cash_cushion)
        + p.weight_pay * pay / (pay + s.base_cash[i])
        - p.weight_benefit_fear * s.benefit_fear[i] * risky
    )


def test_nobody_attends_in_a_week_without_a_meeting():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.attending[:] = True
    s.motivation[:] = 1e3
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    out = participation.take_part(s, ASSUMED, costs, rng, week=2, meets=False)
    assert not out.any() and not s.attending.any()
    assert rng.bit_generator.state == before  # no draws consumed
    assert s.last_attended.max() < 0 and not s.ever_attended.any()


def test_huge_motivation_brings_everyone_who_can():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3
    rng = np.random.default_rng(2)
    for week in range(1, 201):
        participation.take_part(s, ASSUMED, costs, rng, week, True)
        assert s.attending.all()
    assert (s.last_attended == 200).all() and s.ever_attended.all() and s.first_weeks.all()


def test_money_at_hand_below_trip_cost_rules_attendance_out():
    p, s, st = tiny(travel_cost=50.0, compensation="expenses")
    s.cash[P0] = 30.0  # too poor
    s.cash[P1] = 40.0  # still waiting for refunds: 40 at hand < 50
    s.cash[CARER] = 0.0  # benefit suspended: nothing at hand
    s.disabled[:] = False
    costs = participation.prepare(s, p, st)
    assert costs.trip[LAY].tolist() == [50.0, 50.0, 50.0]
    rng = np.random.default_rng(3)
    for motivation_level in (1.0, 1e3):
        s.motivation[:] = motivation_level
        for week in range(1, 101):
            participation.take_part(s, ASSUMED, costs, rng, week, True)
            assert not s.attending[LAY].any()
    assert s.attending[CLIN]
    # enough at hand: can come
    s.cash[P0] = 50.0
    participation.take_part(s, ASSUMED, costs, rng, 101, True)
    assert s.attending[P0]


def test_money_at_hand_pays_trips_gets_refunds_and_drifts_back_to_the_budget():
    p, s, st = tiny(travel_cost=10.0, compensation="expenses", refund_delay=2)
    costs = participation.prepare(s, p, st)
    s.attending[:] = [True, False, False, False]
    r = ASSUMED.cash_recovery
    money.settle(s, p, costs, 1)  # P0 fronts 10 from 100, then drifts back
    assert s.cash[P0] == pytest.approx(90 + r * (100 - 90))
    s.attending[:] = False
    money.settle(s, p, costs, 2)
    before = s.cash[P0]
    money.settle(s, p, costs, 3)  # the refund arrives
    assert s.cash[P0] == pytest.approx(before + 10 + r * (100 - before - 10))
    assert s.cash[P1] == 100.0  # untouched
    # a suspended benefit stops the income: money at hand drains towards 0
    s.suspended_until[P1] = 10**6
    money.settle(s, p, costs, 4)
    assert s.cash[P1] == pytest.approx(100 * (1 - r))


@pytest.mark.parametrize(
    "over",
    [
        {"compensation": "paid", "payment_rate": 1.0, "refund_delay": 0, "pace": 0.5},
        {
            "compensation": "paid",
            "payment_rate": 0.3,
            "refund_delay": 3,
            "pace": 0.9,
            "benefit_safe": True,
        },
        {"compensation": "expenses", "refund_delay": 5, "pace": 0.2, "travel_cost": 30.0},
        {"compensation": "expenses", "refund_delay": 20, "pace": 0.0, "travel_cost": 30.0},
        {"compensation": "none", "refund_delay": 2, "pace": 1.0, "travel_cost": 15.0},
    ],
)
def test_take_part_chance_is_the_logistic_of_the_documented_utility(over):
    p, s, st = tiny(benefit_rules="legacy-20", permitted_earnings=20.0, **over)
    s.on_benefits[P0] = True
    s.benefit_fear[P0] = 0.7
    s.motivation[:] = [0.2, 0.9, 0.6, 0.4]
    s.trust[:] = [0.1, 0.5, 0.8, 0.3]
    s.belonging[:] = [0.0, 0.2, 0.05, 0.4]
    s.base_cash[:] = [40.0, 150.0, 90.0, 0.0]
    costs = participation.prepare(s, p, st)
    for i in range(4):
        chance = expit(documented_utility(s, p, st, i))
        x = np.full(4, 1.0 - 1e-12)
        x[i] = chance * (1 - 1e-9)  # just under the chance: comes
        assert participation.take_part(s, ASSUMED, costs, FixedDraws(x), 1, True)[i]
        x[i] = chance * (1 + 1e-9)  # just over: stays away
        assert not participation.take_part(s, ASSUMED, costs, FixedDraws(x), 1, True)[i]
    hours = st.hours[0]
    pay = p.payment_rate * ASSUMED.professional_pay * hours if p.compensation == "paid" else 0
    assert costs.pay[LAY] == pytest.approx([pay] * 3) and costs.pay[CLIN] == 0.0
    assert costs.risky.tolist() == [pay > 20.0 and not p.benefit_safe, False, False, False]


def test_benefit_risk_keeps_people_on_benefits_away_unless_benefit_safe():
    draws = 6000
    freq, prob = {}, {}
    for safe in (False, True):
        p, s, st = tiny(
            benefit_rules="legacy-20",  # the suspension rule: above permitted_earnings
            compensation="paid",
            payment_rate=1.0,
            permitted_earnings=20.0,
            benefit_safe=safe,
            refund_delay=0,
        )
        s.on_benefits[P0] = True
        s.benefit_fear[P0] = 1.0
        s.motivation[:] = 0.5
        costs = participation.prepare(s, p, st)
        assert costs.pay[P0] > p.permitted_earnings
        assert costs.risky[P0] == (not safe)
        prob[safe] = expit(documented_utility(s, p, st, P0))
        rng = np.random.default_rng(4)
        came = 0
        for week in range(1, draws + 1):
            came += participation.take_part(s, ASSUMED, costs, rng, week, True)[P0]
        freq[safe] = came / draws
        sd = np.sqrt(prob[safe] * (1 - prob[safe]) / draws)
        assert abs(freq[safe] - prob[safe]) < 5 * sd + 1e-9
    assert freq[False] < freq[True] - 0.1


def test_flare_ups_keep_ill_patients_away_at_their_rate():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3
    s.illness[P0] = 1.0
    rng = np.random.default_rng(5)
    n = 6000
    came = sum(
        participation.take_part(s, ASSUMED, costs, rng, w, True)[P0] for w in range(1, n + 1)
    )
    expected = 1.0 - ASSUMED.flare_rate
    assert abs(came / n - expected) < 5 * np.sqrt(expected * (1 - expected) / n)


def test_travel_support_books_disabled_travel():
    p, s, st = tiny(travel_cost=12.0, travel_support=False, compensation="expenses", refund_delay=0)
    s.disabled[P0] = True
    without = participation.prepare(s, p, st)
    assert without.trip[P0] == pytest.approx(12.0 * ASSUMED.disabled_travel_factor)
    assert without.booked_fare[P0] == 0.0
    p, st = rebuild(
        s, travel_cost=12.0, travel_support=True, compensation="expenses", refund_delay=0
    )
    costs = participation.prepare(s, p, st)
    assert costs.trip[P0] == 0.0
    assert costs.booked_fare[P0] == pytest.approx(12.0 * ASSUMED.disabled_travel_factor)
    assert costs.trip[P1] == 12.0 and costs.booked_fare[P1] == 0.0  # not disabled: fronts it
    assert costs.trip[CLIN] == 0.0 and costs.booked_fare[CLIN] == 0.0
    # with the fare booked, even someone with nothing at hand can come
    s.base_cash[P0] = 0.0
    s.motivation[:] = 1e3
    participation.take_part(s, ASSUMED, costs, np.random.default_rng(6), 1, True)
    assert s.attending[P0]
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    assert flows.travel == pytest.approx(12.0 * ASSUMED.disabled_travel_factor)
    assert s.out_of_pocket[P0] == 0.0 and s.owed[P0] == 0.0 and flows.refunds == 0.0


def test_user_led_groups_book_travel_for_every_lay_member():
    p, s, st = tiny(travel_cost=10.0)
    s.user_led[:] = True
    st = setting.build(s, p)
    costs = participation.prepare(s, p, st)
    assert (costs.trip == 0).all()
    assert costs.booked_fare[LAY] == pytest.approx([10.0] * 3)
    assert st.power.tolist() == [1.0] and st.openness.tolist() == [1.0]
    assert st.pace[0] == min(p.pace, ASSUMED.user_led_pace)


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


@pytest.mark.parametrize(("week", "first"), [(1, True), (8, True), (9, False)])
def test_only_weeks_one_to_eight_count_as_the_first_weeks(week, first):
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3  # everyone comes
    participation.take_part(s, ASSUMED, costs, np.random.default_rng(0), week, True)
    assert s.attending.all() and (s.last_attended == week).all()
    assert s.first_weeks.tolist() == [first] * 4


class Draws:
    """A Generator stand-in: flare-up draws ``flare`` (row 0) and choice draws ``choice``."""

    def __init__(self, flare, choice):
        self.rows = np.array([flare, choice], float)

    def random(self, shape):
        assert shape == self.rows.shape
        return self.rows.copy()


def test_disabled_travel_takes_longer_and_costs_more_unless_booked():
    # pace 0.5: meeting 3 hours; fare 10, disabled 2.5 times that (disabled_travel_factor);
    # 100 at hand; 20 free hours; a trip of 0.77 hours, 1.5 times longer for a disabled
    # person (disabled_travel_time_factor). At the default weights (time 3, money 4,
    # motivation 3, trust 1, cushion 10, base 1.5):
    # U without motivation, trust, belonging: base - time - money - 0.5 (3 + 1).
    # P0 disabled, fronts 25: time 3 * (3 + 0.77 * 1.5) / 20 = 0.62325,
    #   money 4 * 25 / (100 + 10) = 0.909091: U = 1.5 - 0.62325 - 0.909091 - 2 = -2.032341.
    # P1 and the carer, 10 fronted: time 3 * 3.77 / 20 = 0.5655, money 40 / 110 = 0.363636:
    #   U = -1.429136. The clinician: 3 - 2 = 1.
    a = ASSUMED
    half = 0.5 * (a.weight_motivation + a.weight_trust)
    slow = a.weight_time * (3 + a.travel_hours * a.disabled_travel_time_factor) / 20
    usual = a.weight_time * (3 + a.travel_hours) / 20

    def money(fare):
        return a.weight_money * fare / (100 + a.cash_cushion)

    fronting_usual = a.base_utility_lay - usual - money(10) - half
    want = [
        a.base_utility_lay - slow - money(10 * a.disabled_travel_factor) - half,
        fronting_usual,
        fronting_usual,
        a.base_utility_professional - half,
    ]
    assert want == pytest.approx([-2.032341, -1.429136, -1.429136, 1.0], rel=1e-6)
    p, s, st = tiny(pace=0.5, compensation="none", travel_cost=10.0, travel_support=False)
    s.disabled[P0] = True
    costs = participation.prepare(s, p, st)
    assert costs.base_utility == pytest.approx(want, rel=1e-6)
    # With travel booked for disabled people: no money fronted, and an ordinary journey:
    # 1.5 - 0.5655 - 0 - 2 = -1.0655.
    p, st = rebuild(s, pace=0.5, compensation="none", travel_cost=10.0, travel_support=True)
    costs = participation.prepare(s, p, st)
    booked = a.base_utility_lay - usual - half
    assert costs.base_utility == pytest.approx([booked, *want[1:]], rel=1e-6)


def test_pay_exactly_at_permitted_earnings_is_no_risk_to_benefits():
    # pace 0.5, rate 0.5: pay 0.5 * professional_pay * 3 = 0.5 * 35 * 3 = 52.5 a meeting
    pay = 0.5 * ASSUMED.professional_pay * 3
    for permitted, risky in ((pay, False), (pay - 0.01, True)):
        p, s, st = tiny(
            benefit_rules="legacy-20",  # the suspension rule, whose limit this is
            pace=0.5,
            compensation="paid",
            payment_rate=0.5,
            permitted_earnings=permitted,
        )
        s.on_benefits[P0] = True
        costs = participation.prepare(s, p, st)
        assert costs.pay[P0] == pytest.approx(pay)
        assert costs.risky.tolist() == [risky, False, False, False]


def test_flare_ups_and_choices_use_their_own_draws():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3  # the choice draw passes unless it is 1
    s.illness[:] = [1.0, 1.0, 0.0, 0.0]  # flare chance 0.3 for P0 and P1, none for the others
    # P0: flare draw 0.5 (no flare-up), choice 0.1: comes. P1: flare draw 0.1 (flare-up),
    # choice 0.5: stays away. The carer and clinician, illness 0, draw 0.0: no flare-up.
    rng = Draws(flare=[0.5, 0.1, 0.0, 0.0], choice=[0.1, 0.5, 0.5, 0.5])
    assert participation.take_part(s, ASSUMED, costs, rng, 1, True).tolist() == [
        True,
        False,
        True,
        True,
    ]


def test_having_come_once_is_remembered():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3
    participation.take_part(s, ASSUMED, costs, Draws([0.9] * 4, [0.5, 0.5, 1.0, 1.0]), 1, True)
    participation.take_part(s, ASSUMED, costs, Draws([0.9] * 4, [1.0, 0.5, 1.0, 1.0]), 2, True)
    assert s.attending.tolist() == [False, True, False, False]
    assert s.ever_attended.tolist() == [True, True, False, False]
    assert s.first_weeks.tolist() == [True, True, False, False]
    assert s.last_attended.tolist() == [1, 2, -(10**6), -(10**6)]
    participation.take_part(s, ASSUMED, costs, Draws([0.9] * 4, [1.0] * 4), 3, False)  # no meeting
    assert s.ever_attended.tolist() == [True, True, False, False]


# -- choices taken from outside the model (simulation.choices: a workshop room's seats)


def test_free_choices_change_nothing_and_record_what_the_rule_wanted():
    p, s, st = tiny(travel_cost=50.0)
    costs = participation.prepare(s, p, st)
    s.cash[P1] = 10.0  # cannot front the fare
    s.motivation[:] = 1e3  # everyone wants to come
    plain = participation.take_part(s, ASSUMED, costs, FixedDraws([0.5] * 4), 1, True).copy()
    free = choices.Choices.free(s)
    chosen = participation.take_part(s, ASSUMED, costs, FixedDraws([0.5] * 4), 1, True, free)
    assert chosen.tolist() == plain.tolist() == [True, False, True, True]
    assert free.wanted.tolist() == [True, True, True, True]  # P1 wanted to, and could not


def test_a_seat_that_goes_comes_unless_a_hard_limit_stops_it():
    p, s, st = tiny(travel_cost=50.0)
    costs = participation.prepare(s, p, st)
    s.cash[P1] = 10.0  # no money at hand for the fare
    s.illness[CARER] = 1.0  # flare chance flare_rate; the flare draw 0 is under it
    taken = choices.Choices.free(s)
    taken.attend[[P0, P1, CARER]] = choices.GO
    # nobody wants to: every choice draw is just under 1 (U is finite)
    rng = Draws(flare=[0.0, 0.0, 0.0, 0.0], choice=[1 - 1e-12] * 4)
    came = participation.take_part(s, ASSUMED, costs, rng, 1, True, taken)
    assert came.tolist() == [True, False, False, False]  # the clinician was left to the rule
    assert not taken.wanted.any()
    assert s.ever_attended.tolist() == [True, False, False, False]


def test_a_seat_that_stays_away_stays_away_and_the_others_keep_their_choice():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3
    taken = choices.Choices.free(s)
    taken.attend[[P0, CLIN]] = choices.STAY
    came = participation.take_part(s, ASSUMED, costs, FixedDraws([0.5] * 4), 1, True, taken)
    assert came.tolist() == [False, True, True, False]
    assert taken.wanted.all()  # the rule would have brought them


def test_a_model_with_free_choices_runs_exactly_as_without():
    plain = CoProductionModel(rng=4, weeks=20)
    taken = CoProductionModel(rng=4, weeks=20)
    taken.choices = choices.Choices.free(taken.state)
    plain.run()
    taken.run()
    assert np.array_equal(plain.history, taken.history)
    # the rule's wish is kept for the last meeting week (weeks 19: meetings every 2 weeks)
    assert taken.choices.wanted.any()
