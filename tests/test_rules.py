"""Unit tests of the seven weekly rules on small populations set up by hand.

Each test builds a tiny population with ``population.build``, then overwrites the
state arrays so that the outcome of one rule is predictable, and checks it
against the rule's documented formula. Constants are read from the modules by
name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from simulation import (
    decisions,
    knowledge,
    meeting,
    metrics,
    money,
    motivation,
    participation,
    population,
    relations,
    setting,
)
from simulation.decisions import Decisions
from simulation.knowledge import Insights
from simulation.meeting import Talk
from simulation.money import Flows
from simulation.params import validate
from simulation.population import EXPERIENCE, MANAGERIAL, RIGHTS

# The tiny population: agents 0, 1 are patients, 2 a carer, 3 a clinician.
P0, P1, CARER, CLIN = range(4)
LAY = [P0, P1, CARER]


def params(**over) -> SimpleNamespace:
    values = {
        "n_patients": 2,
        "n_carers": 1,
        "n_clinicians": 1,
        "n_managers": 0,
        "group_size": 10,
        "user_led_funding": 0.0,
    }
    values.update(over)
    return SimpleNamespace(**validate(values))


def tiny(seed: int = 0, **over):
    """(p, state, setting) for a hand-set population; ``over`` overrides parameters."""
    p = params(**over)
    s = population.build(p, np.random.default_rng(seed))
    s.illness[:] = 0.0  # no flare-ups
    s.on_benefits[:] = False
    s.disabled[:] = False
    s.base_cash[:] = np.where(s.lay, 100.0, population.PROFESSIONAL_CASH)
    s.cash[:] = s.base_cash
    s.free_hours[:] = np.where(s.lay, 20.0, population.PROFESSIONAL_HOURS)
    s.credibility[:] = np.where(s.lay, 0.3, 0.8)
    s.fluency[:] = np.where(s.lay, 0.6, 0.9)
    s.motivation[:] = 0.5
    s.baseline_motivation[:] = 0.5
    s.benefit_fear[:] = 0.0
    s.knowledge[:] = np.where(s.lay[:, None], [0.05, 0.15, 0.8], [0.55, 0.4, 0.05])
    s.user_led[:] = False
    return p, s, setting.build(s, p)


def rebuild(s, **over):
    """A new (p, setting) for the same state under other parameters."""
    p = params(**over)
    return p, setting.build(s, p)


def hold(s, st, rng):
    """meeting.hold with the run-fixed Room prepared from the state as it is now."""
    return meeting.hold(s, st, meeting.prepare(s, st), rng)


def expit(u):
    return 1.0 / (1.0 + np.exp(-u))


def hand_talk(n, contributed, recognised, turns=None) -> Talk:
    """A Talk as meeting.hold makes it; heard = recognised / said (0 if silent).

    ``contributed`` is given by kind for readability; a Talk keeps only its total, ``said``.
    """
    contributed = np.asarray(contributed, np.int64).reshape(n, 3)
    recognised = np.asarray(recognised, np.int64).reshape(n, 3)
    said = contributed.sum(axis=1)
    heard = recognised.sum(axis=1) / np.maximum(said, 1)
    return Talk(
        turns=np.zeros(n) if turns is None else np.asarray(turns, float),
        recognised=recognised,
        said=said.astype(float),
        heard=heard,
    )


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
    """U of agent i by participation.py's docstring (travel not booked, not disabled)."""
    P = participation
    u = (
        P.A_MOTIVATION * (s.motivation[i] - 0.5)
        + P.A_TRUST * (s.trust[i] - 0.5)
        + P.A_BELONGING * s.belonging[i]
    )
    if not s.lay[i]:
        return P.BASE_PROFESSIONAL + u
    hours = setting.HOURS_FAST + (setting.HOURS_SLOW - setting.HOURS_FAST) * (1 - p.pace)
    fare = p.travel_cost
    refunded = p.compensation != "none"
    felt = fare * (
        P.REFUND_FELT * min(1.0, p.refund_delay / P.FRONTING_HORIZON) if refunded else 1.0
    )
    pay = p.payment_rate * P.PROFESSIONAL_PAY * hours if p.compensation == "paid" else 0.0
    risky = s.on_benefits[i] and pay > p.permitted_earnings and not p.benefit_safe
    return (
        P.BASE_LAY
        + u
        - P.A_TIME * (hours + P.TRAVEL_HOURS) / s.free_hours[i]
        - P.A_MONEY * felt / (s.base_cash[i] + P.CASH_CUSHION)
        + P.A_PAY * pay / (pay + s.base_cash[i])
        - P.A_BENEFIT * s.benefit_fear[i] * risky
    )


class Recorder:
    """A Generator stand-in that records every Poisson rate and binomial call."""

    def __init__(self, seed=0):
        self.real = np.random.default_rng(seed)
        self.poisson_calls, self.binomial_calls = [], []

    def poisson(self, lam):
        self.poisson_calls.append(np.array(lam, dtype=float, copy=True))
        return self.real.poisson(lam)

    def binomial(self, n, p):
        self.binomial_calls.append((np.array(n, copy=True), np.array(p, dtype=float, copy=True)))
        return self.real.binomial(n, p)


# --------------------------------------------------------------------------- structure


def test_tiny_population_is_one_group_in_role_order():
    p, s, _st = tiny()
    assert s.n == 4 and s.n_groups == 1
    assert s.role.tolist() == [
        population.PATIENT,
        population.PATIENT,
        population.CARER,
        population.CLINICIAN,
    ]
    assert s.lay.tolist() == [True, True, True, False]
    assert (s.group == 0).all()
    assert sorted(s.slot.tolist()) == [0, 1, 2, 3]
    assert s.others.tolist() == [3, 3, 3, 3]
    assert s.due_refund.shape == (p.refund_delay + 1, 4)


def test_small_groups_split_population_and_mix_roles():
    _p, s, st = tiny(group_size=2)
    assert s.n_groups == 2
    assert np.bincount(s.group).tolist() == [2, 2]
    # each (group, slot) cell holds exactly one agent
    assert len(set(zip(s.group.tolist(), s.slot.tolist(), strict=False))) == 4
    assert st.turns.shape == (2,)


# --------------------------------------------------------------------- 1 participation


def test_nobody_attends_in_a_week_without_a_meeting():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.attending[:] = True
    s.motivation[:] = 1e3
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    out = participation.take_part(s, costs, rng, week=2, meets=False)
    assert not out.any() and not s.attending.any()
    assert rng.bit_generator.state == before  # no draws consumed
    assert s.last_attended.max() < 0 and not s.ever_attended.any()


def test_huge_motivation_brings_everyone_who_can():
    p, s, st = tiny()
    costs = participation.prepare(s, p, st)
    s.motivation[:] = 1e3
    rng = np.random.default_rng(2)
    for week in range(1, 201):
        participation.take_part(s, costs, rng, week, True)
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
            participation.take_part(s, costs, rng, week, True)
            assert not s.attending[LAY].any()
    assert s.attending[CLIN]
    # enough at hand: can come
    s.cash[P0] = 50.0
    participation.take_part(s, costs, rng, 101, True)
    assert s.attending[P0]


def test_money_at_hand_pays_trips_gets_refunds_and_drifts_back_to_the_budget():
    p, s, st = tiny(travel_cost=10.0, compensation="expenses", refund_delay=2)
    costs = participation.prepare(s, p, st)
    s.attending[:] = [True, False, False, False]
    r = money.CASH_RECOVERY
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
    p, s, st = tiny(permitted_earnings=20.0, **over)
    s.on_benefits[P0] = True
    s.benefit_fear[P0] = 0.7
    s.motivation[:] = [0.2, 0.9, 0.6, 0.4]
    s.trust[:] = [0.1, 0.5, 0.8, 0.3]
    s.belonging[:] = [0.0, 0.2, 0.05, 0.4]
    s.base_cash[:] = [40.0, 150.0, 90.0, population.PROFESSIONAL_CASH]
    costs = participation.prepare(s, p, st)
    for i in range(4):
        chance = expit(documented_utility(s, p, st, i))
        x = np.full(4, 1.0 - 1e-12)
        x[i] = chance * (1 - 1e-9)  # just under the chance: comes
        assert participation.take_part(s, costs, FixedDraws(x), 1, True)[i]
        x[i] = chance * (1 + 1e-9)  # just over: stays away
        assert not participation.take_part(s, costs, FixedDraws(x), 1, True)[i]
    hours = st.hours[0]
    pay = p.payment_rate * participation.PROFESSIONAL_PAY * hours if p.compensation == "paid" else 0
    assert costs.pay[LAY] == pytest.approx([pay] * 3) and costs.pay[CLIN] == 0.0
    assert costs.risky.tolist() == [pay > 20.0 and not p.benefit_safe, False, False, False]


def test_benefit_risk_keeps_people_on_benefits_away_unless_benefit_safe():
    draws = 6000
    freq, prob = {}, {}
    for safe in (False, True):
        p, s, st = tiny(
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
            came += participation.take_part(s, costs, rng, week, True)[P0]
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
    came = sum(participation.take_part(s, costs, rng, w, True)[P0] for w in range(1, n + 1))
    expected = 1.0 - participation.FLARE
    assert abs(came / n - expected) < 5 * np.sqrt(expected * (1 - expected) / n)


def test_travel_support_books_disabled_travel():
    p, s, st = tiny(travel_cost=12.0, travel_support=False, compensation="expenses", refund_delay=0)
    s.disabled[P0] = True
    without = participation.prepare(s, p, st)
    assert without.trip[P0] == pytest.approx(12.0 * participation.DISABLED_TRAVEL_FACTOR)
    assert without.booked_fare[P0] == 0.0
    p, st = rebuild(
        s, travel_cost=12.0, travel_support=True, compensation="expenses", refund_delay=0
    )
    costs = participation.prepare(s, p, st)
    assert costs.trip[P0] == 0.0
    assert costs.booked_fare[P0] == pytest.approx(12.0 * participation.DISABLED_TRAVEL_FACTOR)
    assert costs.trip[P1] == 12.0 and costs.booked_fare[P1] == 0.0  # not disabled: fronts it
    assert costs.trip[CLIN] == 0.0 and costs.booked_fare[CLIN] == 0.0
    # with the fare booked, even someone with nothing at hand can come
    s.base_cash[P0] = 0.0
    s.motivation[:] = 1e3
    participation.take_part(s, costs, np.random.default_rng(6), 1, True)
    assert s.attending[P0]
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    assert flows.travel == pytest.approx(12.0 * participation.DISABLED_TRAVEL_FACTOR)
    assert s.out_of_pocket[P0] == 0.0 and s.owed[P0] == 0.0 and flows.refunds == 0.0


def test_user_led_groups_book_travel_for_every_lay_member():
    p, s, st = tiny(travel_cost=10.0)
    s.user_led[:] = True
    st = setting.build(s, p)
    costs = participation.prepare(s, p, st)
    assert (costs.trip == 0).all()
    assert costs.booked_fare[LAY] == pytest.approx([10.0] * 3)
    assert st.power.tolist() == [1.0] and st.openness.tolist() == [1.0]
    assert st.pace[0] == min(p.pace, setting.USER_LED_PACE)


# -------------------------------------------------------------------------- 2 meeting


def test_nobody_present_means_no_meeting():
    _p, s, st = tiny()
    s.attending[:] = False
    assert hold(s, st, np.random.default_rng(0)) is None


def test_absent_people_get_no_turns_and_say_nothing():
    _p, s, st = tiny()
    s.attending[:] = [True, False, True, True]
    rng = np.random.default_rng(7)
    for _ in range(200):
        talk = hold(s, st, rng)
        assert talk.turns[P1] == 0.0
        assert talk.said[P1] == 0 and talk.recognised[P1].sum() == 0
        assert (talk.turns[[P0, CARER, CLIN]] > 0).all()


@pytest.mark.parametrize("group_size", [2, 3, 10])
def test_turns_within_a_group_sum_to_the_groups_turns(group_size):
    _p, s, st = tiny(group_size=group_size)
    rng = np.random.default_rng(8)
    for present in ([True] * 4, [True, False, True, True], [False, True, False, True]):
        s.attending[:] = present
        talk = hold(s, st, rng)
        sums = np.bincount(s.group, talk.turns, minlength=s.n_groups)
        has = np.bincount(s.group, s.attending, minlength=s.n_groups) > 0
        assert sums[has] == pytest.approx(st.turns[has])
        assert (sums[~has] == 0).all()
    expected = setting.TURNS_PER_HOUR * st.hours * (1 - setting.AGENDA_TIME * st.pace)
    assert st.turns == pytest.approx(expected)


def test_fluency_advantage_is_large_at_fast_pace_and_shrinks_at_slow_pace():
    ratios = {}
    for pace in (1.0, 0.5, 0.0):
        _p, s, st = tiny(pace=pace)
        s.fluency[P0], s.fluency[P1] = 0.9, 0.3
        s.attending[:] = True
        talk = hold(s, st, np.random.default_rng(9))
        ratios[pace] = talk.turns[P0] / talk.turns[P1]
        assert ratios[pace] == pytest.approx(3.0 ** (1 + meeting.FLUENCY_PACE * pace))
    assert ratios[1.0] > ratios[0.5] > ratios[0.0] > 1.0


def test_credibility_also_earns_turns():
    _p, s, st = tiny(pace=0.5)
    s.credibility[P0], s.credibility[P1] = 0.9, 0.1
    s.attending[:] = True
    talk = hold(s, st, np.random.default_rng(10))
    assert talk.turns[P0] / talk.turns[P1] == pytest.approx(
        (meeting.SPEAK_BASE + 0.9) / (meeting.SPEAK_BASE + 0.1)
    )


def test_recognised_never_exceeds_contributed_and_counts_are_integers():
    _p, s, st = tiny(group_size=2)
    s.attending[:] = True
    rng = np.random.default_rng(11)
    for _ in range(300):
        talk = hold(s, st, rng)
        assert talk.recognised.dtype.kind == "i"
        assert (talk.said == np.round(talk.said)).all()
        assert (talk.recognised >= 0).all()
        assert (talk.recognised.sum(axis=1) <= talk.said).all()


def test_contributions_average_the_turns_taken():
    _p, s, st = tiny(pace=0.4)
    s.attending[:] = True
    rng = np.random.default_rng(12)
    talks = [hold(s, st, rng) for _ in range(3000)]
    mean_said = np.mean([t.said for t in talks], axis=0)
    turns = talks[0].turns
    assert mean_said == pytest.approx(turns, rel=0.03)


def _lived_recognition(pace, openness, draws=1500):
    _p, s, st = tiny(pace=pace, agenda_openness=openness)
    s.attending[:] = True
    rng = np.random.default_rng(13)
    room = meeting.prepare(s, st)
    rec = said = 0
    for _ in range(draws):
        talk = meeting.hold(s, st, room, rng)
        rec += talk.recognised[LAY, 2].sum()
        # lived experience said: expected from the turns and the topic shares
        said += (talk.turns[LAY] * room.topics[LAY, 2]).sum()
    relevance = openness + (1 - openness) * (1 - pace)
    assert st.relevance_experience[0] == pytest.approx(relevance)
    return rec / said, (meeting.HEARD_BASE + meeting.HEARD_CREDIBILITY * 0.3) * relevance, said


def test_lived_experience_is_recognised_less_at_fast_pace_with_closed_agenda():
    fast, fast_expected, said_fast = _lived_recognition(pace=0.9, openness=0.0)
    slow, slow_expected, said_slow = _lived_recognition(pace=0.1, openness=0.0)
    assert fast < slow
    assert fast == pytest.approx(fast_expected, abs=0.02)
    assert slow == pytest.approx(slow_expected, abs=0.02)
    assert said_fast < said_slow  # and less of it surfaces at all
    never, _, _ = _lived_recognition(pace=1.0, openness=0.0, draws=200)
    assert never == 0.0  # fully fast, closed agenda: lived experience is never recognised


# ------------------------------------------------------------------------ 3 knowledge


def test_no_meeting_no_insights():
    _p, s, _st = tiny()
    assert knowledge.combine(s, None, np.random.default_rng(0)) is None


def test_without_recognised_lived_experience_there_are_no_unexpected_insights():
    _p, s, _st = tiny()
    talk = hand_talk(4, [[3, 3, 5]] * 3 + [[10, 8, 1]], [[1, 2, 0]] * 3 + [[9, 7, 0]])
    rng = np.random.default_rng(14)
    routine = 0
    for _ in range(500):
        ins = knowledge.combine(s, talk, rng)
        assert ins.unexpected.sum() == 0
        routine += ins.total.sum()
    assert routine > 0
    # lived experience but nothing professional recognised: no unexpected either
    talk = hand_talk(4, [[0, 0, 9]] * 4, [[0, 0, 9]] * 4)
    for _ in range(200):
        assert knowledge.combine(s, talk, rng).total.sum() == 0


def test_insight_rates_follow_the_formulas_exactly():
    _p, s, _st = tiny()
    # recognised: patients say lived experience and some practice; clinician biomedical/practice
    recognised = [[0, 1, 5], [0, 0, 3], [1, 0, 0], [6, 3, 0]]
    talk = hand_talk(4, recognised, recognised)
    B, P, E = 7.0, 4.0, 8.0
    lay_bp, lay_e = 2.0, 8.0
    rng = Recorder(15)
    ins = knowledge.combine(s, talk, rng)
    routine_rate, unexpected_rate = rng.poisson_calls
    assert routine_rate == pytest.approx([knowledge.K_ROUTINE * np.sqrt(B * P)])
    assert unexpected_rate == pytest.approx([knowledge.K_UNEXPECTED * np.sqrt(E * (B + P))])
    (n_routine, p_routine), (n_unexp, p_unexp) = rng.binomial_calls
    assert p_routine == pytest.approx([lay_bp / (B + P)])
    assert p_unexp == pytest.approx([0.5 * (lay_e / E + lay_bp / (B + P))])
    assert ins.total == n_routine + n_unexp and ins.unexpected == n_unexp
    assert ins.by_kind.tolist() == [[B, P, E]]
    assert ins.lay_by_kind.tolist() == [[1.0, 1.0, 8.0]]


def test_insight_means_match_the_formulas_over_many_draws():
    _p, s, _st = tiny(group_size=2)
    recognised = np.array([[1, 2, 6], [0, 1, 4], [0, 3, 2], [5, 4, 1]])
    talk = hand_talk(4, recognised, recognised)
    rec = knowledge.by_group_side_and_kind(s, recognised).sum(axis=1)
    expected_routine = knowledge.K_ROUTINE * np.sqrt(rec[:, 0] * rec[:, 1])
    expected_unexp = knowledge.K_UNEXPECTED * np.sqrt(rec[:, 2] * (rec[:, 0] + rec[:, 1]))
    rng = np.random.default_rng(16)
    n = 8000
    out = [knowledge.combine(s, talk, rng) for _ in range(n)]
    total = np.mean([i.total for i in out], axis=0)
    unexp = np.mean([i.unexpected for i in out], axis=0)
    sd = np.sqrt((expected_routine + expected_unexp) / n)
    assert np.all(np.abs(total - expected_routine - expected_unexp) < 5 * sd)
    assert np.all(np.abs(unexp - expected_unexp) < 5 * np.sqrt(expected_unexp / n))


def test_lay_origin_and_unexpected_never_exceed_total():
    _p, s, _st = tiny(group_size=2)
    rng = np.random.default_rng(17)
    for _ in range(300):
        recognised = rng.integers(0, 12, (4, 3))
        ins = knowledge.combine(s, hand_talk(4, recognised, recognised), rng)
        assert (ins.lay_origin >= 0).all() and (ins.lay_origin <= ins.total).all()
        assert (ins.unexpected >= 0).all() and (ins.unexpected <= ins.total).all()


def test_only_professionals_heard_means_no_lay_insights():
    _p, s, _st = tiny()
    recognised = [[0, 0, 0]] * 3 + [[9, 9, 3]]
    rng = np.random.default_rng(18)
    for _ in range(200):
        ins = knowledge.combine(s, hand_talk(4, recognised, recognised), rng)
        assert ins.lay_origin.sum() == 0


# ------------------------------------------------------------------------ 4 decisions


def _insights(n_groups, total, lay_origin):
    total, lay_origin = np.asarray(total), np.asarray(lay_origin)
    return Insights(
        total, np.zeros_like(total), lay_origin, np.zeros((n_groups, 3)), np.zeros((n_groups, 3))
    )


def _some_talk(s):
    return hand_talk(s.n, np.ones((s.n, 3)), np.ones((s.n, 3)))


@pytest.mark.parametrize("power", [0.0, 0.3, 1.0])
def test_influence_is_a_share_of_weight_summing_to_one_per_group(power):
    _p, s, st = tiny(group_size=2, power_sharing=power)
    s.credibility[:] = [0.2, 0.4, 0.1, 0.9]
    for present in ([True] * 4, [True, True, False, True]):
        s.attending[:] = present
        d = decisions.decide(
            s, st, _some_talk(s), _insights(2, [3, 3], [1, 1]), np.random.default_rng(19)
        )
        weight = s.attending * (meeting.SPEAK_BASE + s.credibility) * np.where(s.lay, power, 1.0)
        total = np.bincount(s.group, weight, minlength=2)
        assert (s.influence[~s.attending] == 0).all()
        for g in range(2):
            members = (s.group == g) & s.attending
            if total[g] > 0:
                assert s.influence[members].sum() == pytest.approx(1.0)
                assert s.influence[members] == pytest.approx(weight[members] / total[g])
        assert d.present.tolist() == np.bincount(s.group, s.attending, minlength=2).tolist()


def test_without_power_sharing_lay_influence_is_zero_and_lay_ideas_never_adopted():
    _p, s, st = tiny(power_sharing=0.0)
    s.attending[:] = True
    rng = np.random.default_rng(20)
    ins = _insights(1, [10], [6])
    for _ in range(300):
        d = decisions.decide(s, st, _some_talk(s), ins, rng)
        assert (s.influence[LAY] == 0).all() and s.influence[CLIN] == pytest.approx(1.0)
        assert d.lay_adoption.tolist() == [0.0]
        assert d.adopted_lay.tolist() == [0]
        assert d.adopted[0] == 4  # professional ideas: (1 - 0) / (1 - 3/4) > 1, all adopted


def test_adopted_never_exceeds_total():
    _p, s, st = tiny(group_size=2, power_sharing=0.5)
    rng = np.random.default_rng(21)
    for _ in range(300):
        s.attending[:] = rng.random(4) < 0.7
        total = rng.integers(0, 10, 2)
        lay = rng.binomial(total, 0.5)
        d = decisions.decide(s, st, _some_talk(s), _insights(2, total, lay), rng)
        assert (d.adopted <= total).all() and (d.adopted_lay <= lay).all()
        assert (d.adopted_lay <= d.adopted).all()
        assert (d.lay_adoption >= 0).all() and (d.lay_adoption <= 1).all()


def test_adoption_chances_match_influence_over_presence():
    p, s, st = tiny(power_sharing=0.5)
    s.attending[:] = True
    s.credibility[:] = [0.3, 0.3, 0.3, 0.8]
    d = decisions.decide(s, st, _some_talk(s), _insights(1, [0], [0]), np.random.default_rng(0))
    lay_w = 3 * (meeting.SPEAK_BASE + 0.3) * 0.5
    L = lay_w / (lay_w + meeting.SPEAK_BASE + 0.8)
    assert d.lay_adoption[0] == pytest.approx(min(1.0, L / 0.75))
    hours = st.hours[0]
    per_hour = decisions.ITEMS_BASE + decisions.ITEMS_PACE * p.pace
    assert d.items[0] == pytest.approx(hours * per_hour)


def test_no_meeting_clears_influence():
    _p, s, st = tiny()
    s.influence[:] = 0.25
    assert decisions.decide(s, st, None, None, np.random.default_rng(0)) is None
    assert (s.influence == 0).all()


# ------------------------------------------------------------------------ 5 relations


def _decided(adopted_lay=(0,), adopted=(0,), n_groups=1):
    if n_groups > 1:
        adopted_lay, adopted = (0,) * n_groups, (0,) * n_groups
    return Decisions(
        np.array(adopted),
        np.array(adopted_lay),
        np.zeros(n_groups),
        np.zeros(n_groups),
        np.ones(n_groups, np.int64),
    )


def _set_tie(s, i, j, value):
    s.ties[s.group[i], s.slot[i], s.slot[j]] = value
    s.ties[s.group[j], s.slot[j], s.slot[i]] = value


def _tie(s, i, j):
    return s.ties[s.group[i], s.slot[i], s.slot[j]]


def test_ties_decay_by_tie_decay_each_week_without_a_meeting():
    _p, s, st = tiny()
    _set_tie(s, P0, CLIN, 0.5)
    s.belonging[:] = 0.3
    s.attending[:] = False
    for week in range(3, 8):
        relations.update(s, st, None, None)  # no meeting this week
        assert _tie(s, P0, CLIN) == pytest.approx(0.5 * (1 - relations.TIE_DECAY) ** (week - 2))
        # belonging is the mean tie, so it decays alike
        assert s.belonging[P0] == pytest.approx(0.3 * (1 - relations.TIE_DECAY) ** (week - 2))
    # Absent pairs keep losing (1-d) per week through a meeting they miss.
    _p, s, st = tiny()
    _set_tie(s, P0, CLIN, 0.5)
    s.attending[:] = [False, True, True, False]
    talk = _some_talk(s)
    relations.update(s, st, None, None)
    relations.update(s, st, None, None)
    relations.update(s, st, talk, _decided())
    assert _tie(s, P0, CLIN) == pytest.approx(0.5 * (1 - relations.TIE_DECAY) ** 3)


def test_co_present_pairs_gain_exactly_the_formula():
    for pace in (0.0, 0.4, 1.0):
        _p, s, st = tiny(pace=pace)
        start = np.array(
            [[0, 0.1, 0.2, 0.3], [0.1, 0, 0.4, 0.5], [0.2, 0.4, 0, 0.6], [0.3, 0.5, 0.6, 0]]
        )
        for i in range(4):
            for j in range(4):
                if i != j:
                    _set_tie(s, i, j, start[i, j])
        s.attending[:] = [True, True, False, True]
        relations.update(s, st, _some_talk(s), _decided())  # a week's decay, then the meeting
        gain = relations.TIE_FORMAL + relations.TIE_INFORMAL * (1 - pace)
        for i in range(4):
            for j in range(4):
                decayed = start[i, j] * (1 - relations.TIE_DECAY)
                both = s.attending[i] and s.attending[j] and i != j
                want = decayed + gain * (1 - decayed) if both else decayed
                assert _tie(s, i, j) == pytest.approx(want)
        assert np.diagonal(s.ties, axis1=1, axis2=2).max() == 0.0
        assert np.allclose(s.ties, np.swapaxes(s.ties, 1, 2))


def test_diagonal_stays_zero_and_ties_stay_below_one_over_many_meetings():
    _p, s, st = tiny(n_patients=4, group_size=2, pace=0.0)  # 6 people: one group of 2, ...
    assert s.n_groups == 3 and s.n_slots == 2
    _p, s, st = tiny(n_patients=3, group_size=2, pace=0.0)  # 5 people: one group of one
    assert np.bincount(s.group).min() == 1  # so an empty slot
    s.attending[:] = True
    for _week in range(1, 400):
        relations.update(s, st, _some_talk(s), _decided(n_groups=s.n_groups))
    assert np.diagonal(s.ties, axis1=1, axis2=2).max() == 0.0
    assert s.ties.max() < 1.0
    # pairs of different groups or empty slots never get a tie
    grid = relations.on_grid(s, np.ones(s.n, bool))
    assert (s.ties[~(grid[:, :, None] & grid[:, None, :])] == 0).all()


def test_trust_moves_towards_recognition_and_ties():
    _p, s, st = tiny()
    s.trust[:] = [0.9, 0.1, 0.4, 0.5]
    s.attending[:] = [True, True, False, True]
    talk = hand_talk(
        4,
        [[2, 2, 6], [1, 0, 3], [0, 0, 0], [5, 5, 0]],
        [[0, 1, 1], [1, 0, 3], [0, 0, 0], [4, 4, 0]],
    )
    before = s.trust.copy()
    relations.update(s, st, talk, _decided())
    rate = np.array([2 / 10, 4 / 4, 0.0, 8 / 10])
    mean_tie = s.ties.sum(axis=2)[s.group, s.slot] / 3
    assert s.belonging == pytest.approx(mean_tie)
    assert (mean_tie[[P0, P1, CLIN]] > 0).all() and mean_tie[CARER] == 0
    target = 0.5 * rate + 0.5 * mean_tie
    for i in (P0, P1, CLIN):
        step = relations.TRUST_RATE * (target[i] - before[i])
        assert s.trust[i] == pytest.approx(before[i] + step)
        assert abs(s.trust[i] - target[i]) < abs(before[i] - target[i])
    assert s.trust[CARER] == before[CARER]  # absent: unchanged


def test_adopted_lay_insights_raise_lay_credibility():
    _p, s, st = tiny()
    s.attending[:] = True
    talk = hand_talk(
        4,
        [[0, 2, 6], [0, 0, 2], [0, 0, 0], [5, 5, 0]],
        [[0, 1, 3], [0, 0, 2], [0, 0, 0], [4, 4, 0]],
    )
    before = s.credibility.copy()
    relations.update(s, st, talk, _decided(adopted_lay=(3,), adopted=(5,)))
    # credit: 3 adopted lay insights shared by recognised lay contributions 4 : 2 : 0
    credit = np.array([3 * 4 / 6, 3 * 2 / 6, 0.0])
    gain = relations.CREDIBILITY_GAIN * np.minimum(credit, relations.CREDIT_CAP)
    want = before[LAY] + gain * (1 - before[LAY])
    assert s.credibility[LAY] == pytest.approx(want)
    assert s.credibility[P0] > before[P0] and s.credibility[P1] > before[P1]
    assert s.credibility[CARER] == before[CARER] and s.credibility[CLIN] == before[CLIN]
    # no adopted lay insights: no change
    before = s.credibility.copy()
    relations.update(s, st, talk, _decided(adopted_lay=(0,), adopted=(5,)))
    assert (s.credibility == before).all()


def test_strong_cross_role_ties_counts_active_lay_professional_pairs():
    _p, s, _st = tiny()
    _set_tie(s, P0, CLIN, relations.STRONG + 0.1)
    _set_tie(s, P1, CLIN, relations.STRONG + 0.1)
    _set_tie(s, P0, P1, 0.99)  # lay-lay: not cross-role
    _set_tie(s, CARER, CLIN, relations.STRONG - 0.01)  # not strong
    active = np.ones(4, bool)
    assert relations.strong_cross_role(s, active) == 2
    active[P1] = False
    assert relations.strong_cross_role(s, active) == 1


# ---------------------------------------------------------------------------- 6 money


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
        assert flows.staff == pytest.approx(participation.PROFESSIONAL_PAY * hours * present[CLIN])
        assert flows.travel == pytest.approx(
            10.0 * participation.DISABLED_TRAVEL_FACTOR * present[P1]
        )
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
    assert s.suspended_until[P0] == cut_week + 1 + money.SUSPENSION_WEEKS
    assert s.benefit_fear[P0] == 1.0
    # word of mouth: the other person on benefits in the group fears more
    assert s.benefit_fear[P1] == pytest.approx(0.2 + money.WORD_OF_MOUTH * 0.8)
    assert s.benefit_fear[CARER] == 0.0  # not on benefits
    # no income for SUSPENSION_WEEKS weeks after the cut: money at hand drains, then recovers
    s.attending[:] = False
    levels = []
    for week in range(cut_week + 1, cut_week + 2 + money.SUSPENSION_WEEKS):
        money.settle(s, p, costs, week)
        levels.append(s.cash[P0])
    draining, recovered = levels[:-1], levels[-1]
    assert all(later < earlier for earlier, later in itertools.pairwise(draining))
    assert recovered > draining[-1]


def test_benefit_safe_scheme_never_cuts_benefits():
    _p, s, _costs, flows = _attend_once_then_settle(
        2, 6, compensation="paid", payment_rate=1.0, permitted_earnings=20.0, benefit_safe=True
    )
    assert sum(f.payments for f in flows) > 20.0
    assert all(f.benefit_cuts == 0 and f.cut is None for f in flows)
    assert (s.suspended_until == 0).all()


def test_pay_within_permitted_earnings_is_not_cut():
    p, s, st = tiny(
        refund_delay=0,
        compensation="paid",
        payment_rate=0.1,
        permitted_earnings=500.0,
        benefit_safe=False,
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
    for week in range(1, 6):  # attends weeks 1-3; refunds arrive in weeks 3-5
        s.attending[:] = [week <= 3, False, False, False]
        money.settle(s, p, costs, week)
    if s.received[P0] != pytest.approx(0.9):
        pytest.fail("precondition: the three trips were refunded")
    assert s.out_of_pocket[P0] >= 0.0 and s.owed[P0] >= 0.0


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


# ----------------------------------------------------------------------- 7 motivation


def test_judge_matches_the_rationale_formulas():
    _p, s, _st = tiny()
    s.rationale[:] = [RIGHTS, EXPERIENCE, RIGHTS, MANAGERIAL]
    s.attending[:] = True
    s.influence[:] = [0.1, 0.2, 0.3, 0.4]
    talk = hand_talk(
        4,
        [[1, 1, 2], [0, 1, 4], [0, 0, 0], [3, 3, 0]],
        [[0, 1, 1], [0, 1, 2], [0, 0, 0], [3, 2, 0]],
    )
    d = Decisions(np.array([2]), np.array([1]), np.array([1.5]), np.array([0.6]), np.array([4]))
    flows = Flows(group_cost=np.array([90.0]))
    sat = motivation.judge(s, talk, d, flows)
    value = (2 + 1.5) / (90.0 / participation.PROFESSIONAL_PAY)
    heard = 3 / 5
    want = [
        0.5 * (min(1, 4 * 0.1) + 0.6),
        heard / (heard + motivation.HEARD_REF),
        0.5 * (min(1, 4 * 0.3) + 0.6),
        value / (value + motivation.VALUE_REF),
    ]
    assert sat == pytest.approx(want)
    # a silent experience-based agent is not heard at all
    s.rationale[:] = EXPERIENCE
    assert motivation.judge(s, talk, d, flows)[CARER] == 0.0
    # a meeting that cost nothing gives managerial participants no value
    s.rationale[:] = MANAGERIAL
    # A meeting that cost nothing but decided something is the best value there is.
    assert (motivation.judge(s, talk, d, Flows(group_cost=np.zeros(1))) == 1).all()


def test_judge_is_finite_for_a_tiny_meeting_cost():
    _p, s, _st = tiny()
    s.rationale[:] = MANAGERIAL
    talk = hand_talk(4, [[1, 1, 1]] * 4, [[1, 1, 1]] * 4)
    d = Decisions(np.array([1]), np.array([0]), np.array([2.0]), np.zeros(1), np.array([4]))
    with np.errstate(all="ignore"):
        sat = motivation.judge(s, talk, d, Flows(group_cost=np.array([1e-310])))
    assert np.isfinite(sat).all()


def test_present_agents_update_satisfaction_and_motivation():
    _p, s, _st = tiny(compensation="paid")
    s.rationale[:] = EXPERIENCE
    s.attending[:] = [True, True, False, True]
    s.last_attended[:] = 1
    s.satisfaction[:] = 0.5
    s.motivation[:] = 0.5
    talk = hand_talk(4, [[1, 1, 2]] * 4, [[1, 1, 2]] * 4)  # everyone fully heard
    d = Decisions(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), np.array([3]))
    flows = Flows(group_cost=np.array([60.0]))
    sat = 1 / (1 + motivation.HEARD_REF)
    motivation.update(s, talk, d, flows, week=1, interval=2)
    for i in (P0, P1, CLIN):
        assert s.satisfaction[i] == pytest.approx(0.5 + motivation.SAT_RATE * (sat - 0.5))
        step = motivation.ETA * (sat - motivation.ASPIRATION)
        assert s.motivation[i] == pytest.approx(0.5 + step)
    assert s.satisfaction[CARER] == 0.5 and s.motivation[CARER] == 0.5


def test_unpaid_present_lay_people_burn_out():
    _p, s, st = tiny(compensation="none")
    s.attending[:] = [True, False, False, True]
    s.last_attended[:] = 1
    flows = Flows(unpaid_hours=st.hours[0], unpaid=st.hours[0] * np.array([1.0, 0, 0, 0]))
    motivation.update(s, None, None, flows, week=1, interval=2)
    assert s.motivation[P0] == pytest.approx(0.5 - motivation.BURNOUT * st.hours[0] / 20.0)
    assert s.motivation[[P1, CARER, CLIN]].tolist() == [0.5, 0.5, 0.5]


def test_benefit_cut_lowers_motivation_by_benefit_shock():
    _p, s, _st = tiny()
    s.motivation[:] = 0.7
    s.attending[:] = False
    s.last_attended[:] = 10  # attended recently: no drift
    cut = np.array([True, False, False, False])
    motivation.update(s, None, None, Flows(benefit_cuts=1, cut=cut), week=11, interval=2)
    assert s.motivation[P0] == pytest.approx(0.7 - motivation.BENEFIT_SHOCK)
    assert s.motivation[1:].tolist() == [0.7, 0.7, 0.7]


def test_absent_agents_drift_towards_baseline():
    _p, s, _st = tiny()
    s.baseline_motivation[:] = [0.8, 0.2, 0.5, 0.9]
    s.motivation[:] = [0.3, 0.6, 0.5, 0.1]
    s.attending[:] = False
    week, interval = 20, 2
    s.last_attended[:] = [week - interval - 1, -(10**6), week - interval - 5, week]
    before = s.motivation.copy()
    motivation.update(s, None, None, Flows(), week=week, interval=interval)
    want = before + motivation.RETURN_RATE * (s.baseline_motivation - before)
    assert s.motivation[:3] == pytest.approx(want[:3])
    assert s.motivation[CLIN] == before[CLIN]  # attended this week: no drift
    # repeated absence converges on the baseline
    for w in range(21, 2000):
        motivation.update(s, None, None, Flows(), week=w, interval=interval)
    assert s.motivation[:3] == pytest.approx(s.baseline_motivation[:3], abs=1e-6)


def test_fear_of_losing_benefits_fades_towards_its_initial_level():
    _p, s, _st = tiny()
    s.initial_fear[:] = [population.INITIAL_BENEFIT_FEAR, 0.0, 0.0, 0.0]
    s.benefit_fear[:] = [1.0, 0.0, 0.5, 0.0]
    motivation.update(s, None, None, Flows(), week=3, interval=2)
    assert s.benefit_fear == pytest.approx(
        [
            1.0 + motivation.FEAR_FADE * (population.INITIAL_BENEFIT_FEAR - 1.0),
            0.0,
            0.5 * (1 - motivation.FEAR_FADE),
            0.0,
        ]
    )


def test_motivation_stays_within_zero_and_one():
    _p, s, _st = tiny(compensation="none")
    rng = np.random.default_rng(23)
    s.rationale[:] = [RIGHTS, EXPERIENCE, EXPERIENCE, MANAGERIAL]
    for week in range(1, 400):
        s.attending[:] = rng.random(4) < 0.7
        s.last_attended[s.attending] = week
        s.influence[:] = rng.random(4)
        counts = rng.integers(0, 5, (4, 3))
        talk = hand_talk(4, counts, rng.binomial(counts, rng.random()))
        d = Decisions(
            rng.integers(0, 5, 1),
            np.zeros(1),
            rng.random(1),
            rng.random(1),
            np.array([s.attending.sum()]),
        )
        cut = rng.random(4) < 0.3
        flows = Flows(
            unpaid_hours=float(rng.random() * 10), cut=cut, group_cost=rng.random(1) * 200
        )
        motivation.update(s, talk, d, flows, week, interval=1)
        assert (s.motivation >= 0.0).all() and (s.motivation <= 1.0).all()
        assert (s.satisfaction >= 0.0).all() and (s.satisfaction <= 1.0).all()
    # pinned at the bounds rather than pushed past them
    s.motivation[:] = 0.99
    s.attending[:] = True
    talk = hand_talk(4, [[1, 1, 1]] * 4, [[1, 1, 1]] * 4)
    d = Decisions(np.array([50]), np.zeros(1), np.array([50.0]), np.ones(1), np.array([4]))
    s.influence[:] = 1.0
    for _ in range(50):
        motivation.update(s, talk, d, Flows(group_cost=np.ones(1)), 500, 1)
    assert s.motivation.max() <= 1.0
    s.motivation[:] = 0.05
    s.attending[:] = False
    s.last_attended[:] = 500
    motivation.update(s, None, None, Flows(cut=np.ones(4, bool)), 500, 1)
    assert (s.motivation == 0.0).all()


# ------------------------------------------------- metrics on a hand case (metrics.py)


def test_aggregate_takes_rates_from_the_last_quarter_totals_and_finals():
    weeks = 10
    history = np.arange(weeks * len(metrics.METRIC_NAMES), dtype=float).reshape(weeks, -1)
    out = metrics.aggregate(history)
    tail = history[weeks - weeks // 4 :]
    for j, m in enumerate(metrics.METRICS):
        want = {"rate": tail[:, j].mean(), "total": history[:, j].sum(), "final": history[-1, j]}[
            m.how
        ]
        assert out[m.name] == pytest.approx(want)
    short = metrics.aggregate(history[:3])  # under 4 weeks: the last week is the tail
    rate = next(j for j, m in enumerate(metrics.METRICS) if m.how == "rate")
    assert short[metrics.METRIC_NAMES[rate]] == history[2, rate]
    assert metrics.aggregate(history[:0]) == dict.fromkeys(metrics.METRIC_NAMES, 0.0)


def test_gini_of_known_distributions():
    assert metrics.gini(np.ones(5)) == 0.0
    assert metrics.gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    assert metrics.gini(np.array([1.0, 3.0])) == pytest.approx(0.25)
    assert metrics.gini(np.array([])) == 0.0 and metrics.gini(np.zeros(3)) == 0.0


def test_meeting_metrics_count_who_came():
    _p, s, _st = tiny(group_size=10)
    s.on_benefits[:] = [True, False, False, False]
    s.disabled[:] = [False, False, True, False]
    s.attending[:] = [True, False, False, True]
    s.ever_attended[:] = s.attending
    s.last_attended[:] = np.where(s.attending, 5, -(10**6))
    s.influence[:] = [0.25, 0.0, 0.0, 0.75]
    talk = hand_talk(
        4,
        [[0, 1, 3], [0, 0, 0], [0, 0, 0], [4, 2, 0]],
        [[0, 1, 1], [0, 0, 0], [0, 0, 0], [3, 2, 0]],
    )
    v = metrics.at_meetings(s, metrics.subgroups(s), talk, 5)
    assert v["participation_lay"] == pytest.approx(1 / 3)
    assert v["participation_professional"] == 1.0
    assert v["participation_benefits"] == 1.0 and v["participation_disabled"] == 0.0
    eps = metrics.PARITY_EPS
    assert v["participation_parity"] == pytest.approx((0.5 + eps) / (0.0 + eps))
    assert v["lay_voice_share"] == pytest.approx(4 / 10)
    assert v["experiential_share"] == pytest.approx(1 / 7)
    assert v["influence_gini"] == pytest.approx(metrics.gini(np.array([0.25, 0.75])))
    assert v["mean_trust"] == pytest.approx(s.trust[[P0, CLIN]].mean())
    assert v["power_gap"] == pytest.approx(0.8 - 0.3)


def test_parity_is_not_a_disparity_when_nobody_is_disadvantaged():
    _p, s, _st = tiny()
    s.attending[:] = True  # everyone came: there is no disparity of any kind
    v = metrics.at_meetings(s, metrics.subgroups(s), None, 1)
    if v["participation_lay"] != 1.0:
        pytest.fail("precondition: all lay people attend")
    assert v["participation_parity"] == pytest.approx(1.0)
