"""Rule 5, relations: ties, belonging, trust, credibility and recognition.

Built on the hand-set populations of ``builders.py`` (lay credibility 0.3, the
clinician's 0.8, both also their starting values); constants are read from the
modules by name, never copied, so that tuning them does not break the tests. The
hand-worked tests name the assumptions they work with, so that they too hold
whatever the defaults.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import (
    ASSUMED,
    CARER,
    CLIN,
    GROUPS,
    LAY,
    P0,
    P1,
    hand_talk,
    members,
    several,
    some_talk,
    tiny,
)

from simulation import relations
from simulation.decisions import Decisions
from simulation.knowledge import Insights

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


def _decided(adopted_lay=(0,), adopted=(0,), n_groups=1, lay_adoption=None, present=None):
    """Decisions of a meeting; by default lay ideas stand an even chance (A = 1/2), which
    leaves professionals' credibility where it started."""
    if n_groups > 1:
        adopted_lay, adopted = (0,) * n_groups, (0,) * n_groups
    return Decisions(
        np.array(adopted),
        np.array(adopted_lay),
        np.zeros(n_groups),
        np.full(n_groups, 0.5) if lay_adoption is None else np.array(lay_adoption, float),
        np.ones(n_groups) if present is None else np.array(present, float),
    )


def _made(total=(0,), unexpected=(0,)):
    """Insights per group: ``total`` of them, ``unexpected`` of those."""
    g = len(total)
    return Insights(
        np.array(total), np.array(unexpected), np.zeros(g), np.zeros((g, 3)), np.zeros((g, 3))
    )


def _update(s, st, talk, decided, week=1, insights=None, p=ASSUMED):
    """relations.update after a week in which those attending came (participation marks it)."""
    s.last_attended[s.attending] = week
    if talk is not None and insights is None:
        insights = _made((0,) * s.n_groups, (0,) * s.n_groups)
    relations.update(s, p, st, talk, insights, decided, week)


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
        _update(s, st, None, None, week)  # no meeting this week
        assert _tie(s, P0, CLIN) == pytest.approx(0.5 * (1 - ASSUMED.tie_decay) ** (week - 2))
        # belonging is the mean tie, so it decays alike
        assert s.belonging[P0] == pytest.approx(0.3 * (1 - ASSUMED.tie_decay) ** (week - 2))
    # Absent pairs keep losing (1-d) per week through a meeting they miss.
    _p, s, st = tiny()
    _set_tie(s, P0, CLIN, 0.5)
    s.attending[:] = [False, True, True, False]
    talk = some_talk(s)
    _update(s, st, None, None, 1)
    _update(s, st, None, None, 2)
    _update(s, st, talk, _decided(), 3)
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
        _update(s, st, some_talk(s), _decided())  # a week's decay, then the meeting
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
    for week in range(1, 400):
        _update(s, st, some_talk(s), _decided(n_groups=s.n_groups), week)
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
    _update(s, st, talk, _decided())
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


def test_adopted_lay_insights_raise_lay_credibility_and_ignored_contributions_lower_it():
    _p, s, st = tiny()
    s.attending[:] = True
    talk = hand_talk(
        4,
        [[0, 2, 6], [0, 0, 2], [0, 0, 0], [5, 5, 0]],
        [[0, 1, 3], [0, 0, 2], [0, 0, 0], [4, 4, 0]],
    )
    before = s.credibility.copy()
    _update(s, st, talk, _decided(adopted_lay=(3,), adopted=(5,)))
    # credit: 3 adopted lay insights shared by recognised lay contributions 4 : 2 : 0
    credit = np.array([3 * 4 / 6, 3 * 2 / 6, 0.0])
    gain = ASSUMED.credibility_gain * np.minimum(credit, ASSUMED.credit_cap)
    # ignored: P0 had 4 of 8 heard (1 - h = 0.5), P1 all, the carer said nothing
    ignored = np.array([0.5, 0.0, 0.0])
    want = before[LAY] + gain * (1 - before[LAY]) - ASSUMED.credibility_loss * ignored * before[LAY]
    assert s.credibility[LAY] == pytest.approx(want)
    assert s.credibility[P0] > before[P0] and s.credibility[P1] > before[P1]
    assert s.credibility[CARER] == before[CARER] and s.credibility[CLIN] == before[CLIN]
    # no adopted lay insights: P0, half ignored, loses; P1, fully heard, keeps its standing
    before = s.credibility.copy()
    _update(s, st, talk, _decided(adopted_lay=(0,), adopted=(5,)), week=2)
    assert s.credibility[P0] == pytest.approx(before[P0] * (1 - 0.5 * ASSUMED.credibility_loss))
    assert s.credibility[P0] < before[P0]
    assert (s.credibility[[P1, CARER, CLIN]] == before[[P1, CARER, CLIN]]).all()


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
    # credit 1 * 1 / 1 = 1, gain 0.05 * 1 * (1 - 0.3) = 0.035; but half of P0's two
    # contributions were ignored: loss 0.05 * 0.5 * 0.3 = 0.0075, so 0.3 + 0.035 - 0.0075
    # = 0.3275. P1's one contribution was ignored: 0.3 - 0.05 * 1 * 0.3 = 0.285. The
    # carer said nothing: 0.3. Lay ideas stood an even chance: the clinician stays at 0.8.
    p, s, st = tiny(credibility_gain=0.05, credibility_loss=0.05, credit_cap=5.0)
    s.attending[:] = True
    talk = hand_talk(
        4, [[0, 0, 2], [0, 0, 1], [0, 0, 0], [3, 0, 0]], [[0, 0, 1], [0] * 3, [0] * 3, [2, 0, 0]]
    )
    _update(s, st, talk, _decided(adopted_lay=(1,), adopted=(1,)), p=p)
    assert s.credibility == pytest.approx([0.3275, 0.285, 0.3, 0.8])


def test_credit_above_the_cap_earns_only_the_cap():
    # P0's recognised contributions are three of the group's four (P1's the fourth), and
    # the group adopted 8 lay insights: credit 8 * 3 / 4 = 6, capped at 2, gain
    # 0.05 * 2 * (1 - 0.3) = 0.07: 0.37 (nothing ignored). P1: credit 8 * 1 / 4 = 2, at
    # the cap: 0.37 too. Without the cap P0 would reach 0.3 + 0.05 * 6 * 0.7 = 0.51.
    p, s, st = tiny(credibility_gain=0.05, credibility_loss=0.05, credit_cap=2.0)
    s.attending[:] = True
    talk = hand_talk(
        4, [[0, 0, 3], [0, 0, 1], [0, 0, 0], [1, 0, 0]], [[0, 0, 3], [0, 0, 1], [0] * 3, [1, 0, 0]]
    )
    _update(s, st, talk, _decided(adopted_lay=(8,), adopted=(8,)), p=p)
    assert s.credibility[:2] == pytest.approx([0.37, 0.37])


def test_strong_cross_role_ties_are_a_whole_number():
    _p, s, _st = tiny()
    _set_tie(s, P0, CLIN, ASSUMED.strong_tie + 0.1)
    n = relations.strong_cross_role(s, np.ones(4, bool), ASSUMED.strong_tie)
    assert n == 1 and type(n) is int


def test_a_lay_person_never_heard_loses_credibility_meeting_after_meeting():
    # P1 speaks twice a meeting and is never heard: c <- c (1 - 0.05) a meeting, so after
    # ten meetings 0.3 * 0.95^10 = 0.179621, four tenths of its standing gone. P0 is heard
    # in full and keeps 0.3; nobody's ideas are adopted.
    p, s, st = tiny(credibility_loss=0.05, meeting_interval=1)
    s.attending[:] = True
    talk = hand_talk(
        4, [[1, 0, 1], [1, 0, 1], [0] * 3, [1] * 3], [[1, 0, 1], [0] * 3, [0] * 3, [1] * 3]
    )
    for week in range(1, 11):
        _update(s, st, talk, _decided(), week, p=p)
    assert s.credibility[P1] == pytest.approx(0.179621, rel=1e-5)
    assert s.credibility[[P0, CARER, CLIN]] == pytest.approx([0.3, 0.3, 0.8])


def test_lay_credibility_fades_back_to_its_start_while_away_longer_than_the_window():
    # active_weeks = 4 meetings x 2 weeks = 8. P0 (raised to 0.6) and P1 (lowered to 0.1)
    # last came in week 1; from week 9 (1 <= 9 - 8) they are away and their credibility
    # closes 0.02 of the gap to its start, 0.3, each week: after weeks 9-18 (ten weeks)
    # P0 is at 0.3 + 0.3 * 0.98^10 = 0.3 + 0.3 * 0.817073 = 0.545122 and P1 at
    # 0.3 - 0.2 * 0.817073 = 0.136585.
    # The carer came in week 12: not away in weeks 12-18, away in 20; the clinician,
    # a professional, never fades.
    p, s, st = tiny(credibility_fade=0.02, active_meetings=4, meeting_interval=2)
    assert p.active_weeks == 8
    s.credibility[:] = [0.6, 0.1, 0.5, 0.9]
    s.last_attended[:] = [1, 1, 12, 1]
    s.attending[:] = False
    for week in range(2, 19):
        relations.update(s, p, st, None, None, None, week)
        if week == 8:  # not yet away
            assert s.credibility == pytest.approx([0.6, 0.1, 0.5, 0.9])
    assert s.credibility == pytest.approx([0.545122, 0.136585, 0.5, 0.9], rel=1e-5)
    relations.update(s, p, st, None, None, None, 20)  # week 20: the carer away too
    assert s.credibility[CARER] == pytest.approx(0.5 - 0.02 * 0.2)
    # Long away, it is back at the start.
    for week in range(21, 1000):
        relations.update(s, p, st, None, None, None, week)
    assert s.credibility[LAY] == pytest.approx([0.3, 0.3, 0.3], abs=1e-6)
    assert s.credibility[CLIN] == 0.9


@pytest.mark.parametrize(
    ("accountability", "want"),
    [
        # targets 0.8 (1 + 0.3 (A - 1/2)) for A = 1, 0, 1/2: 0.92, 0.68, 0.8;
        # one meeting moves 0.05 of the way: 0.806, 0.794, 0.8
        (0.3, [0.806, 0.794, 0.8]),
        # 0.6: 0.8 (1 + 0.3) = 1.04, capped at 1: 0.8 + 0.05 * 0.2 = 0.81; 0.8 (1 - 0.3) = 0.56:
        # 0.8 - 0.05 * 0.24 = 0.788
        (0.6, [0.81, 0.788, 0.8]),
    ],
)
def test_professional_credibility_follows_whether_the_group_acts_on_lay_input(accountability, want):
    p, s, st = several(accountability=accountability, professional_credibility_rate=0.05)
    s.attending[:] = True
    clinicians = [members(s, g)[-1] for g in range(GROUPS)]
    lay = [i for g in range(GROUPS) for i in members(s, g)[:3]]
    talk = hand_talk(s.n, np.ones((s.n, 3)), np.ones((s.n, 3)))  # everyone heard in full
    _update(s, st, talk, _decided(n_groups=GROUPS, lay_adoption=[1.0, 0.0, 0.5]), p=p)
    assert s.credibility[clinicians] == pytest.approx(want)
    assert s.credibility[lay] == pytest.approx(0.3)  # nothing adopted, nothing ignored
    # Meeting after meeting it settles on the target: 0.92 - 0.12 * 0.95^n, ...
    for week in range(2, 400):
        _update(s, st, talk, _decided(n_groups=GROUPS, lay_adoption=[1.0, 0.0, 0.5]), week, p=p)
    top = min(1.0, 0.8 * (1 + accountability / 2))
    assert s.credibility[clinicians] == pytest.approx([top, 0.8 * (1 - accountability / 2), 0.8])
    # An absent professional keeps its credibility whatever its group decides.
    s.attending[clinicians[0]] = False
    before = s.credibility[clinicians[0]]
    _update(s, st, talk, _decided(n_groups=GROUPS, lay_adoption=[0.0, 0.0, 0.0]), 400, p=p)
    assert s.credibility[clinicians[0]] == before
    # Nor does one whose meeting no patient or carer came to: no lay input to act on.
    s.attending[:] = False
    s.attending[clinicians[1]] = True
    before = s.credibility[clinicians[1]]
    _update(s, st, talk, _decided(n_groups=GROUPS, lay_adoption=[1.0, 1.0, 1.0]), 401, p=p)
    assert s.credibility[clinicians[1]] == before


def test_group_evidence_follows_the_share_of_unexpected_insights_of_groups_that_met():
    # evidence_rate 0.2. Group 0 met and made 4 insights, 1 unexpected (share 0.25): from
    # 0, 0.2 * 0.25 = 0.05. Group 1 met and made nothing: nothing to count, it stays at 0.5.
    # Group 2 did not meet (nobody present): it stays at 0.5.
    p, s, st = several(evidence_rate=0.2)
    s.evidence[:] = [0.0, 0.5, 0.5]
    s.attending[:] = s.group < 2
    made = _made((4, 0, 0), (1, 0, 0))
    decided = _decided(n_groups=GROUPS, present=[4, 4, 0])
    _update(s, st, some_talk(s), decided, insights=made, p=p)
    assert s.evidence == pytest.approx([0.05, 0.5, 0.5])
    # All of a meeting's insights unexpected: 0.05 + 0.2 (1 - 0.05) = 0.24.
    _update(s, st, some_talk(s), decided, week=2, insights=_made((3, 0, 0), (3, 0, 0)), p=p)
    assert s.evidence[0] == pytest.approx(0.24)


def test_professional_recognition_of_lived_experience_follows_ties_to_lay_people_and_evidence():
    # The clinician alone comes to the meeting, recognising lived experience at 0.6. Its
    # ties to P0, P1 and the carer, 0.5, 0.25 and 0, first decay by 0.004: tie_lay =
    # 0.75 * 0.996 / 3 = 0.249. The group's evidence, 0.5, stays after a meeting with no
    # insights. Target 0.6 + 0.4 (0.5 * 0.249 + 0.5 * 0.5) = 0.6 + 0.4 * 0.3745 = 0.7498;
    # one meeting moves 0.1 of the way: 0.61498.
    p, s, st = tiny(
        tie_decay=0.004,
        evidence_rate=0.2,
        recognition_rate=0.1,
        recognition_weight_ties=0.5,
        recognition_initial=0.6,
    )
    _set_tie(s, P0, CLIN, 0.5)
    _set_tie(s, P1, CLIN, 0.25)
    s.recognition[CLIN] = 0.6
    s.evidence[:] = 0.5
    s.attending[:] = [False, False, False, True]
    talk = hand_talk(4, [[0] * 3] * 3 + [[2, 1, 0]], [[0] * 3] * 3 + [[2, 1, 0]])
    _update(s, st, talk, _decided(), p=p)
    assert s.evidence == pytest.approx([0.5])
    assert s.recognition == pytest.approx([1.0, 1.0, 1.0, 0.61498], rel=1e-6)
    # Ties alone cannot take it past their share: with no evidence, ties to lay members
    # near 0.249 hold the target near 0.6 + 0.4 * 0.5 * 0.249 ~ 0.65; evidence of 1 adds
    # 0.4 * 0.5 = 0.2 on top.
    _update(s, st, talk, _decided(), week=2, insights=_made((2,), (2,)), p=p)
    # evidence 0.5 + 0.2 * 0.5 = 0.6; tie_lay 0.249 * 0.996 = 0.248004;
    # target 0.6 + 0.4 (0.124002 + 0.3) = 0.7696008; 0.61498 + 0.1 (0.7696008 - 0.61498)
    # = 0.63044208
    assert s.evidence == pytest.approx([0.6])
    assert s.recognition[CLIN] == pytest.approx(0.63044208, rel=1e-6)


def test_recognition_rises_for_present_professionals_only_and_lay_people_keep_theirs():
    # All present every week at pace 0; every insight unexpected. Each week a tie decays
    # then grows: t <- t (1 - d) (1 - g) + g, with g = 0.015 + 0.06 = 0.075 and d = 0.004,
    # so it settles at t* = g / (g + d (1 - g)) = 0.075 / 0.0787 = 0.952986. Evidence
    # settles at 1. Recognition settles at 0.6 + 0.4 (0.5 t* + 0.5) = 0.990597.
    p, s, st = tiny(
        pace=0.0,
        tie_formal=0.015,
        tie_informal=0.06,
        tie_decay=0.004,
        recognition_initial=0.6,
        recognition_weight_ties=0.5,
    )
    assert st.pair_gain[0][s.off_diagonal] == pytest.approx(0.075)
    s.recognition[CLIN] = 0.6
    s.attending[:] = True
    for week in range(1, 400):
        _update(s, st, some_talk(s), _decided(), week, insights=_made((2,), (2,)), p=p)
    assert _tie(s, P0, CLIN) == pytest.approx(0.952986, rel=1e-5)
    assert s.evidence[0] == pytest.approx(1.0, abs=1e-9)
    assert s.recognition[CLIN] == pytest.approx(0.990597, rel=1e-5)
    assert s.recognition[LAY].tolist() == [1.0, 1.0, 1.0]
