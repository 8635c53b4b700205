"""The meeting setting of each group (simulation/setting.py), worked out by hand.

Programme-run groups follow the parameters; a user-led group sets its own open agenda,
full power sharing and a pace of at most 0.3. The per-agent copies (``*_a``) repeat
each group's value for its members.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import GROUPS, members, several

from simulation import setting


@pytest.mark.parametrize(
    ("pace", "user_led_pace", "user_led_row"),
    [
        # user-led at min(0.8, 0.3) = 0.3: hours 2 + 2 * 0.7 = 3.4; turns 12 * 3.4 * (1 - 0.18)
        # = 33.456; surfacing 1 - e^(-33.456 / 12) = 0.938456; relevance 1 (own agenda);
        # tie gain 0.015 + 0.06 * 0.7 = 0.057
        (0.8, 0.3, (3.4, 33.456, 0.938456, 1.0, 0.057)),
        # a slower programme pace 0.1 is kept: hours 3.8; turns 12 * 3.8 * 0.94 = 42.864;
        # surfacing 1 - e^-3.572 = 0.971900; tie gain 0.015 + 0.054 = 0.069
        (0.1, 0.1, (3.8, 42.864, 0.971900, 1.0, 0.069)),
    ],
)
def test_programme_and_user_led_groups_by_hand(pace, user_led_pace, user_led_row):
    p, s, _st = several(pace=pace, agenda_openness=0.3, power_sharing=0.4)
    s.user_led[:] = [False, True, False]
    st = setting.build(s, p)
    assert st.pace.tolist() == pytest.approx([pace, user_led_pace, pace])
    assert st.openness.tolist() == [0.3, 1.0, 0.3] and st.power.tolist() == [0.4, 1.0, 0.4]
    hours, turns, surfacing, relevance, gain = user_led_row
    assert st.hours[1] == pytest.approx(hours)
    assert st.turns[1] == pytest.approx(turns)
    assert st.surfacing[1] == pytest.approx(surfacing, abs=1e-6)
    assert st.relevance_experience[1] == pytest.approx(relevance)
    assert st.pair_gain.dtype == np.float32
    assert st.pair_gain[1] == pytest.approx(gain * ~np.eye(s.n_slots, dtype=bool), rel=1e-6)
    if pace == 0.8:
        # programme groups at pace 0.8: hours 2 + 2 * 0.2 = 2.4; turns 12 * 2.4 * 0.52 = 14.976;
        # surfacing 1 - e^-1.248 = 0.712922; relevance 0.3 + 0.7 * 0.2 = 0.44; gain 0.027
        assert st.hours[[0, 2]] == pytest.approx([2.4, 2.4])
        assert st.turns[[0, 2]] == pytest.approx([14.976, 14.976])
        assert st.surfacing[[0, 2]] == pytest.approx([0.712922] * 2, abs=1e-6)
        assert st.relevance_experience[[0, 2]] == pytest.approx([0.44, 0.44])
        assert st.pair_gain[0, 0, 1] == pytest.approx(0.027) and st.pair_gain[0, 1, 1] == 0.0
    # every member carries its group's values
    for g in range(GROUPS):
        who = members(s, g)
        for name in ("pace", "power", "hours", "turns", "surfacing", "relevance_experience"):
            assert (getattr(st, name + "_a")[who] == getattr(st, name)[g]).all(), name
        assert (st.user_led_a[who] == (g == 1)).all()


@pytest.mark.parametrize("factor", [0.37, np.float64(0.37)])
def test_tie_gains_are_the_pairs_float64_gains_rounded_to_float32(factor):
    """Each group's gain is rounded to float32 once and laid on its pairs: the floats of
    working out every pair in float64 and rounding (as before), to the bit, for an
    online factor given as a number or as numpy's float64."""
    import dataclasses

    p, s, _st = several(pace=0.8)
    p = dataclasses.replace(p, online_tie_factor=factor)
    s.user_led[:] = [False, True, False]
    st = setting.build(s, p)
    pairs = (p.tie_formal + p.tie_informal * (1.0 - st.pace))[:, None, None] * s.off_diagonal
    want = pairs.astype(np.float32)
    assert st.pair_gain.dtype == np.float32 and st.pair_gain.tobytes() == want.tobytes()
    online = (want * factor).astype(np.float32)
    assert st.online_gain.dtype == np.float32 and st.online_gain.tobytes() == online.tobytes()
    assert st.online_gain[0, 0, 1] == pytest.approx(0.027 * 0.37) and st.online_gain[0, 1, 1] == 0
