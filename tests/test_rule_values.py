"""Rule 8, values: what people see co-production produce shifts what they value.

Built on the hand-set populations of ``builders.py``. Values are (rights, managerial,
experience) weights summing to 1. The hand-worked tests name the value_rate they work
with (0.05), so that they hold whatever the default.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import CARER, CLIN, GROUPS, P0, P1, hand_talk, members, several, tiny

from simulation import values

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


def test_no_meeting_shifts_nobodys_values():
    p, s, _st = tiny(value_rate=0.05)
    s.values[:] = [0.2, 0.3, 0.5]
    s.evidence[:] = 1.0
    s.attending[:] = False
    values.shift(s, p, None)
    assert (s.values == [0.2, 0.3, 0.5]).all()


def test_professionals_weigh_experience_more_where_lived_experience_produced_insights():
    # value_rate 0.05. Group 0's evidence 0.5: step 0.025. Its clinician, one-hot
    # managerial (0, 1, 0): experience 0 + 0.025 (1 - 0) = 0.025, the rest scaled by
    # 0.975 / 1: (0, 0.975, 0.025). Group 1's clinician (0.1, 0.6, 0.3), evidence 0.5:
    # experience 0.3 + 0.025 * 0.7 = 0.3175, the rest scaled by 0.6825 / 0.7 = 0.975:
    # (0.0975, 0.585, 0.3175). Group 2's evidence 0: nothing moves.
    p, s, _st = several(value_rate=0.05)
    clinicians = [members(s, g)[-1] for g in range(GROUPS)]
    s.evidence[:] = [0.5, 0.5, 0.0]
    s.values[clinicians] = [[0.0, 1.0, 0.0], [0.1, 0.6, 0.3], [0.0, 1.0, 0.0]]
    lay_before = s.values[s.lay].copy()
    s.attending[:] = True
    talk = hand_talk(s.n, np.ones((s.n, 3)), np.ones((s.n, 3)))  # everyone heard in full
    values.shift(s, p, talk)
    assert s.values[clinicians[0]] == pytest.approx([0.0, 0.975, 0.025])
    assert s.values[clinicians[1]] == pytest.approx([0.0975, 0.585, 0.3175])
    assert s.values[clinicians[2]] == pytest.approx([0.0, 1.0, 0.0])
    assert (s.values[s.lay] == lay_before).all()  # heard in full: lay values hold
    assert s.values.sum(axis=1) == pytest.approx(np.ones(s.n))


def test_unheard_lay_people_shift_towards_rights_by_how_little_they_were_heard():
    # value_rate 0.05. P0 said 4 and was heard once (h = 1/4): step 0.05 * 0.75 = 0.0375;
    # from (0.2, 0.3, 0.5): rights 0.2 + 0.0375 * 0.8 = 0.23, the rest scaled by 0.77 / 0.8
    # = 0.9625: (0.23, 0.28875, 0.48125). P1 said 2, never heard (h = 0): step 0.05; from
    # (0, 0, 1): (0.05, 0, 0.95). The carer said nothing: unchanged. The clinician is not
    # heard either, but professionals shift only with evidence (0 here).
    p, s, _st = tiny(value_rate=0.05)
    s.values[:] = [[0.2, 0.3, 0.5], [0.0, 0.0, 1.0], [0.2, 0.3, 0.5], [0.0, 1.0, 0.0]]
    s.attending[:] = True
    talk = hand_talk(
        4, [[1, 1, 2], [0, 0, 2], [0] * 3, [1, 1, 0]], [[0, 0, 1], [0] * 3, [0] * 3, [0] * 3]
    )
    values.shift(s, p, talk)
    assert s.values == pytest.approx(
        np.array([[0.23, 0.28875, 0.48125], [0.05, 0.0, 0.95], [0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])
    )
    assert s.values.sum(axis=1) == pytest.approx(np.ones(4))
    # Absent, P0 is not shifted however unheard it was last time.
    s.attending[P0] = False
    before = s.values[P0].copy()
    values.shift(s, p, talk)
    assert (s.values[P0] == before).all()
    assert s.values[P1] == pytest.approx([0.05 + 0.05 * 0.95, 0.0, 0.95 * 0.95])


def test_someone_wholly_on_one_rationale_stays_there():
    # A rights-only lay person shifted towards rights: (1, 0, 0) stays, no 0 / 0.
    p, s, _st = tiny(value_rate=0.05)
    s.values[P0] = [1.0, 0.0, 0.0]
    s.values[CLIN] = [0.0, 0.0, 1.0]
    s.evidence[:] = 1.0
    s.attending[:] = True
    talk = hand_talk(4, [[0, 0, 3]] * 4, [[0] * 3] * 4)
    with np.errstate(all="raise"):
        values.shift(s, p, talk)
    assert s.values[P0].tolist() == [1.0, 0.0, 0.0]
    assert s.values[CLIN].tolist() == [0.0, 0.0, 1.0]


def test_meeting_after_meeting_the_weight_closes_the_gap_geometrically():
    # Evidence 1 every meeting: a managerial clinician's experience weight is
    # 1 - 0.95^n after n meetings: 0.401263 after ten, and managerial keeps the rest.
    # An always unheard experience-minded patient: rights 1 - 0.95^10 likewise.
    p, s, _st = tiny(value_rate=0.05)
    s.values[:] = [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    s.evidence[:] = 1.0
    s.attending[:] = True
    talk = hand_talk(4, [[0, 0, 3]] * 4, [[0] * 3] * 3 + [[0, 0, 3]])
    for _ in range(10):
        values.shift(s, p, talk)
    assert s.values[CLIN] == pytest.approx([0.0, 0.598737, 0.401263], rel=1e-5)
    assert s.values[P0] == pytest.approx([0.401263, 0.0, 0.598737], rel=1e-5)


def test_experience_shift_is_the_mean_change_in_the_weight_on_experience():
    # Started at (0, 1, 0) and (0, 0.5, 0.5); now (0, 0.8, 0.2) and (0, 0.4, 0.6):
    # changes 0.2 and 0.1, mean 0.15. Nobody to average: 0.
    _p, s, _st = tiny()
    s.initial_values[[P0, CLIN]] = [[0.0, 1.0, 0.0], [0.0, 0.5, 0.5]]
    s.values[[P0, CLIN]] = [[0.0, 0.8, 0.2], [0.0, 0.4, 0.6]]
    who = np.zeros(4, bool)
    who[[P0, CLIN]] = True
    assert values.experience_shift(s, who) == pytest.approx(0.15)
    assert values.experience_shift(s, np.zeros(4, bool)) == 0.0
    assert values.experience_shift(s, np.isin(np.arange(4), [P1, CARER])) == 0.0
