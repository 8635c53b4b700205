"""Rule 7, motivation: satisfaction by rationale, burnout, drift and fear.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import ASSUMED, CARER, CLIN, P0, P1, believe, hand_talk, params, tiny

from simulation import motivation
from simulation.decisions import Decisions
from simulation.money import Flows
from simulation.population import EXPERIENCE, MANAGERIAL, RIGHTS

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


def test_judge_matches_the_rationale_formulas():
    _p, s, _st = tiny()
    believe(s, [RIGHTS, EXPERIENCE, RIGHTS, MANAGERIAL])
    s.attending[:] = True
    s.influence[:] = [0.1, 0.2, 0.3, 0.4]
    talk = hand_talk(
        4,
        [[1, 1, 2], [0, 1, 4], [0, 0, 0], [3, 3, 0]],
        [[0, 1, 1], [0, 1, 2], [0, 0, 0], [3, 2, 0]],
    )
    d = Decisions(np.array([2]), np.array([1]), np.array([1.5]), np.array([0.6]), np.array([4]))
    flows = Flows(group_cost=np.array([90.0]))
    sat = motivation.judge(s, ASSUMED, talk, d, flows)
    value = (2 + 1.5) / (90.0 / ASSUMED.professional_pay)
    heard = 3 / 5
    want = [
        0.5 * (min(1, 4 * 0.1) + 0.6),
        heard / (heard + ASSUMED.heard_ref),
        0.5 * (min(1, 4 * 0.3) + 0.6),
        value / (value + ASSUMED.value_ref),
    ]
    assert sat == pytest.approx(want)
    # a silent experience-based agent is not heard at all
    believe(s, EXPERIENCE)
    assert motivation.judge(s, ASSUMED, talk, d, flows)[CARER] == 0.0
    # a meeting that cost nothing gives managerial participants no value
    believe(s, MANAGERIAL)
    # A meeting that cost nothing but decided something is the best value there is.
    assert (motivation.judge(s, ASSUMED, talk, d, Flows(group_cost=np.zeros(1))) == 1).all()


def test_judge_weighs_the_three_rationales_by_ones_values():
    # The meeting of test_judge_matches...: P0's three judgements are rights
    # (min(1, 4 * 0.1) + 0.6) / 2 = 0.5, managerial v = 3.5 / (90 / professional_pay)
    # (35: v = 1.361111, v / (v + 0.5) = 0.731343), experience h = 3/5, 0.6 / (0.6 + 0.3) = 2/3.
    _p, s, _st = tiny(professional_pay=35.0)
    p = params(professional_pay=35.0)
    assert (p.value_ref, p.heard_ref) == (0.5, 0.3)
    s.influence[:] = 0.1
    talk = hand_talk(4, [[1, 1, 3]] + [[0, 0, 0]] * 3, [[0, 1, 2]] + [[0, 0, 0]] * 3)
    d = Decisions(np.array([2]), np.array([1]), np.array([1.5]), np.array([0.6]), np.array([4]))
    flows = Flows(group_cost=np.array([90.0]))
    rights, managerial, experience = 0.5, 0.731343, 2 / 3
    for k, want in enumerate((rights, managerial, experience)):
        s.values[P0] = np.eye(3)[k]
        assert motivation.judge(s, p, talk, d, flows)[P0] == pytest.approx(want, rel=1e-5)
    # Weights (0.5, 0.25, 0.25): 0.25 + 0.182836 + 0.166667 = 0.599502.
    s.values[P0] = [0.5, 0.25, 0.25]
    assert motivation.judge(s, p, talk, d, flows)[P0] == pytest.approx(0.599502, rel=1e-5)
    # A start like population's: 0.75 on one's own rationale (rights) and 0.25 of a role
    # mix of (0.5, 0, 0.5): 0.75 (1, 0, 0) + 0.25 (0.5, 0, 0.5) = (0.875, 0, 0.125):
    # 0.875 * 0.5 + 0.125 * 2/3 = 0.4375 + 0.083333 = 0.520833: a rights-minded person who
    # is heard well is a little more satisfied than its rights judgement alone (0.5).
    s.values[P0] = [0.875, 0.0, 0.125]
    assert motivation.judge(s, p, talk, d, flows)[P0] == pytest.approx(0.520833, rel=1e-5)


def test_judge_is_finite_for_a_tiny_meeting_cost():
    _p, s, _st = tiny()
    believe(s, MANAGERIAL)
    talk = hand_talk(4, [[1, 1, 1]] * 4, [[1, 1, 1]] * 4)
    d = Decisions(np.array([1]), np.array([0]), np.array([2.0]), np.zeros(1), np.array([4]))
    with np.errstate(all="ignore"):
        sat = motivation.judge(s, ASSUMED, talk, d, Flows(group_cost=np.array([1e-310])))
    assert np.isfinite(sat).all()


def test_present_agents_update_satisfaction_and_motivation():
    _p, s, _st = tiny(compensation="paid")
    believe(s, EXPERIENCE)
    s.attending[:] = [True, True, False, True]
    s.last_attended[:] = 1
    s.satisfaction[:] = 0.5
    s.motivation[:] = 0.5
    talk = hand_talk(4, [[1, 1, 2]] * 4, [[1, 1, 2]] * 4)  # everyone fully heard
    d = Decisions(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), np.array([3]))
    flows = Flows(group_cost=np.array([60.0]))
    sat = 1 / (1 + ASSUMED.heard_ref)
    motivation.update(s, params(meeting_interval=2), talk, d, flows, week=1)
    for i in (P0, P1, CLIN):
        assert s.satisfaction[i] == pytest.approx(0.5 + ASSUMED.satisfaction_rate * (sat - 0.5))
        step = ASSUMED.motivation_rate * (sat - ASSUMED.aspiration)
        assert s.motivation[i] == pytest.approx(0.5 + step)
    assert s.satisfaction[CARER] == 0.5 and s.motivation[CARER] == 0.5


def test_unpaid_present_lay_people_burn_out():
    _p, s, st = tiny(compensation="none")
    s.attending[:] = [True, False, False, True]
    s.last_attended[:] = 1
    flows = Flows(unpaid_hours=st.hours[0], unpaid=st.hours[0] * np.array([1.0, 0, 0, 0]))
    motivation.update(s, params(meeting_interval=2), None, None, flows, week=1)
    assert s.motivation[P0] == pytest.approx(0.5 - ASSUMED.burnout * st.hours[0] / 20.0)
    assert s.motivation[[P1, CARER, CLIN]].tolist() == [0.5, 0.5, 0.5]


def test_benefit_cut_lowers_motivation_by_benefit_shock():
    _p, s, _st = tiny()
    s.motivation[:] = 0.7
    s.attending[:] = False
    s.last_attended[:] = 10  # attended recently: no drift
    cut = np.array([True, False, False, False])
    motivation.update(
        s, params(meeting_interval=2), None, None, Flows(benefit_cuts=1, cut=cut), week=11
    )
    assert s.motivation[P0] == pytest.approx(0.7 - ASSUMED.benefit_shock)
    assert s.motivation[1:].tolist() == [0.7, 0.7, 0.7]


def test_absent_agents_drift_towards_baseline():
    _p, s, _st = tiny()
    s.baseline_motivation[:] = [0.8, 0.2, 0.5, 0.9]
    s.motivation[:] = [0.3, 0.6, 0.5, 0.1]
    s.attending[:] = False
    week, interval = 20, 2
    s.last_attended[:] = [week - interval - 1, -(10**6), week - interval - 5, week]
    before = s.motivation.copy()
    motivation.update(s, params(meeting_interval=interval), None, None, Flows(), week=week)
    want = before + ASSUMED.return_rate * (s.baseline_motivation - before)
    assert s.motivation[:3] == pytest.approx(want[:3])
    assert s.motivation[CLIN] == before[CLIN]  # attended this week: no drift
    # repeated absence converges on the baseline
    for w in range(21, 2000):
        motivation.update(s, params(meeting_interval=interval), None, None, Flows(), week=w)
    assert s.motivation[:3] == pytest.approx(s.baseline_motivation[:3], abs=1e-6)


def test_fear_of_losing_benefits_fades_towards_its_initial_level():
    _p, s, _st = tiny()
    s.initial_fear[:] = [ASSUMED.initial_benefit_fear, 0.0, 0.0, 0.0]
    s.benefit_fear[:] = [1.0, 0.0, 0.5, 0.0]
    motivation.update(s, params(meeting_interval=2), None, None, Flows(), week=3)
    assert s.benefit_fear == pytest.approx(
        [
            1.0 + ASSUMED.fear_fade * (ASSUMED.initial_benefit_fear - 1.0),
            0.0,
            0.5 * (1 - ASSUMED.fear_fade),
            0.0,
        ]
    )


def test_motivation_stays_within_zero_and_one():
    _p, s, _st = tiny(compensation="none")
    rng = np.random.default_rng(23)
    believe(s, [RIGHTS, EXPERIENCE, EXPERIENCE, MANAGERIAL])
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
        motivation.update(s, params(meeting_interval=1), talk, d, flows, week)
        assert (s.motivation >= 0.0).all() and (s.motivation <= 1.0).all()
        assert (s.satisfaction >= 0.0).all() and (s.satisfaction <= 1.0).all()
    # pinned at the bounds rather than pushed past them
    s.motivation[:] = 0.99
    s.attending[:] = True
    talk = hand_talk(4, [[1, 1, 1]] * 4, [[1, 1, 1]] * 4)
    d = Decisions(np.array([50]), np.zeros(1), np.array([50.0]), np.ones(1), np.array([4]))
    s.influence[:] = 1.0
    for _ in range(50):
        motivation.update(s, params(meeting_interval=1), talk, d, Flows(group_cost=np.ones(1)), 500)
    assert s.motivation.max() <= 1.0
    s.motivation[:] = 0.05
    s.attending[:] = False
    s.last_attended[:] = 500
    motivation.update(s, params(meeting_interval=1), None, None, Flows(cut=np.ones(4, bool)), 500)
    assert (s.motivation == 0.0).all()


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


def test_drift_back_starts_only_after_more_than_an_interval_away():
    # week 20, meetings every 3 weeks: away means last attended before week 20 - 3 = 17.
    # P0 came in week 17 (exactly an interval ago: not away), P1 in week 16 (away),
    # the carer in week 19, the clinician never. Drift: m + 0.02 (0.8 - m) = 0.3 + 0.01 = 0.31.
    _p, s, _st = tiny()
    s.motivation[:] = 0.3
    s.baseline_motivation[:] = 0.8
    s.attending[:] = False
    s.last_attended[:] = [17, 16, 19, -(10**6)]
    motivation.update(s, params(meeting_interval=3), None, None, Flows(), week=20)
    assert s.motivation == pytest.approx([0.3, 0.31, 0.3, 0.31])


def test_managerial_value_of_a_meeting_that_cost_nothing():
    # Two groups of two. Group of P0: nothing decided, nothing spent: v = 0 / 0, satisfaction 0.
    # The other: 0.2 agenda items for no cost: v = 0.2 / (0.2 + 0.5 * 0) = 1.
    # (With a cost of 3 GBP, value_ref 0.5 and professional_pay 35:
    # 0.2 / (0.2 + 0.5 * 3 / 35) = 0.2 / 0.242857 = 0.823529.)
    _p, s, _st = tiny(group_size=2)
    believe(s, MANAGERIAL)
    talk = hand_talk(4, [[1, 1, 1]] * 4, [[1, 1, 1]] * 4)
    g0, g1 = s.group[P0], 1 - s.group[P0]
    items, cost = np.zeros(2), np.zeros(2)
    items[g1] = 0.2
    d = Decisions(np.zeros(2, np.int64), np.zeros(2, np.int64), items, np.zeros(2), np.ones(2))
    with np.errstate(all="raise"):  # 0 / 0 must not be computed
        sat = motivation.judge(s, ASSUMED, talk, d, Flows(group_cost=cost))
    assert sat == pytest.approx(np.where(s.group == g0, 0.0, 1.0))
    cost[g1] = 3.0
    sat = motivation.judge(s, ASSUMED, talk, d, Flows(group_cost=cost))
    paid_hours = 3.0 / ASSUMED.professional_pay
    value = 0.2 / (0.2 + ASSUMED.value_ref * paid_hours)
    assert sat == pytest.approx(np.where(s.group == g0, 0.0, value))
