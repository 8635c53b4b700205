"""Rule 5, relations: ties, belonging, trust and credibility.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import ASSUMED, CARER, CLIN, LAY, P0, P1, hand_talk, some_talk, tiny

from simulation import relations
from simulation.decisions import Decisions


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
        relations.update(s, ASSUMED, st, None, None)  # no meeting this week
        assert _tie(s, P0, CLIN) == pytest.approx(0.5 * (1 - ASSUMED.tie_decay) ** (week - 2))
        # belonging is the mean tie, so it decays alike
        assert s.belonging[P0] == pytest.approx(0.3 * (1 - ASSUMED.tie_decay) ** (week - 2))
    # Absent pairs keep losing (1-d) per week through a meeting they miss.
    _p, s, st = tiny()
    _set_tie(s, P0, CLIN, 0.5)
    s.attending[:] = [False, True, True, False]
    talk = some_talk(s)
    relations.update(s, ASSUMED, st, None, None)
    relations.update(s, ASSUMED, st, None, None)
    relations.update(s, ASSUMED, st, talk, _decided())
    assert _tie(s, P0, CLIN) == pytest.approx(0.5 * (1 - ASSUMED.tie_decay) ** 3)


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
        relations.update(
            s, ASSUMED, st, some_talk(s), _decided()
        )  # a week's decay, then the meeting
        gain = ASSUMED.tie_formal + ASSUMED.tie_informal * (1 - pace)
        for i in range(4):
            for j in range(4):
                decayed = start[i, j] * (1 - ASSUMED.tie_decay)
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
        relations.update(s, ASSUMED, st, some_talk(s), _decided(n_groups=s.n_groups))
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
    relations.update(s, ASSUMED, st, talk, _decided())
    rate = np.array([2 / 10, 4 / 4, 0.0, 8 / 10])
    mean_tie = s.ties.sum(axis=2)[s.group, s.slot] / 3
    assert s.belonging == pytest.approx(mean_tie)
    assert (mean_tie[[P0, P1, CLIN]] > 0).all() and mean_tie[CARER] == 0
    target = 0.5 * rate + 0.5 * mean_tie
    for i in (P0, P1, CLIN):
        step = ASSUMED.trust_rate * (target[i] - before[i])
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
    relations.update(s, ASSUMED, st, talk, _decided(adopted_lay=(3,), adopted=(5,)))
    # credit: 3 adopted lay insights shared by recognised lay contributions 4 : 2 : 0
    credit = np.array([3 * 4 / 6, 3 * 2 / 6, 0.0])
    gain = ASSUMED.credibility_gain * np.minimum(credit, ASSUMED.credit_cap)
    want = before[LAY] + gain * (1 - before[LAY])
    assert s.credibility[LAY] == pytest.approx(want)
    assert s.credibility[P0] > before[P0] and s.credibility[P1] > before[P1]
    assert s.credibility[CARER] == before[CARER] and s.credibility[CLIN] == before[CLIN]
    # no adopted lay insights: no change
    before = s.credibility.copy()
    relations.update(s, ASSUMED, st, talk, _decided(adopted_lay=(0,), adopted=(5,)))
    assert (s.credibility == before).all()


def test_strong_cross_role_ties_counts_active_lay_professional_pairs():
    _p, s, _st = tiny()
    _set_tie(s, P0, CLIN, ASSUMED.strong_tie + 0.1)
    _set_tie(s, P1, CLIN, ASSUMED.strong_tie + 0.1)
    _set_tie(s, P0, P1, 0.99)  # lay-lay: not cross-role
    _set_tie(s, CARER, CLIN, ASSUMED.strong_tie - 0.01)  # not strong
    active = np.ones(4, bool)
    assert relations.strong_cross_role(s, active, ASSUMED.strong_tie) == 2
    active[P1] = False
    assert relations.strong_cross_role(s, active, ASSUMED.strong_tie) == 1


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


def test_a_single_recognised_lay_contribution_earns_the_whole_credit():
    # P0's one recognised lay contribution is the group's only one; 1 lay insight adopted:
    # credit 1 * 1 / 1 = 1, credibility 0.3 + 0.05 * 1 * (1 - 0.3) = 0.335.
    _p, s, st = tiny()
    s.attending[:] = True
    talk = hand_talk(
        4, [[0, 0, 2], [0, 0, 1], [0, 0, 0], [3, 0, 0]], [[0, 0, 1], [0] * 3, [0] * 3, [2, 0, 0]]
    )
    relations.update(s, ASSUMED, st, talk, _decided(adopted_lay=(1,), adopted=(1,)))
    assert s.credibility == pytest.approx([0.335, 0.3, 0.3, 0.8])


def test_strong_cross_role_ties_are_a_whole_number():
    _p, s, _st = tiny()
    _set_tie(s, P0, CLIN, ASSUMED.strong_tie + 0.1)
    n = relations.strong_cross_role(s, np.ones(4, bool), ASSUMED.strong_tie)
    assert n == 1 and type(n) is int
