"""Rule 2, meeting: turns, contributions and what gets recognised.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import CARER, CLIN, LAY, P0, P1, hold, tiny

from simulation import meeting, setting


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
