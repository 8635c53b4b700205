"""Rule 4, decisions: influence by power, and which insights are adopted.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import ASSUMED, CLIN, LAY, Scripted, members, several, some_talk, tiny

from simulation import decisions
from simulation.knowledge import Insights

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


def _insights(n_groups, total, lay_origin):
    total, lay_origin = np.asarray(total), np.asarray(lay_origin)
    return Insights(
        total, np.zeros_like(total), lay_origin, np.zeros((n_groups, 3)), np.zeros((n_groups, 3))
    )


@pytest.mark.parametrize("power", [0.0, 0.3, 1.0])
def test_influence_is_a_share_of_weight_summing_to_one_per_group(power):
    _p, s, st = tiny(group_size=2, power_sharing=power)
    s.credibility[:] = [0.2, 0.4, 0.1, 0.9]
    for present in ([True] * 4, [True, True, False, True]):
        s.attending[:] = present
        d = decisions.decide(
            s, ASSUMED, st, some_talk(s), _insights(2, [3, 3], [1, 1]), np.random.default_rng(19)
        )
        weight = s.attending * (ASSUMED.speak_base + s.credibility) * np.where(s.lay, power, 1.0)
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
        d = decisions.decide(s, ASSUMED, st, some_talk(s), ins, rng)
        assert (s.influence[LAY] == 0).all() and s.influence[CLIN] == pytest.approx(1.0)
        assert d.lay_adoption.tolist() == [0.0]
        assert d.adopted_lay.tolist() == [0]
        assert d.adopted[0] == 4  # professional ideas: (1 - 0) / (1 - 3/4) > 1, all adopted


def test_each_group_weighs_and_adopts_by_its_own_presence_and_power():
    assert (ASSUMED.speak_base, ASSUMED.items_base, ASSUMED.items_pace) == (0.5, 0.2, 2.0)
    _p, s, st = several(power_sharing=0.5, pace=0.5)
    everyone, (*lay1, clin1), nobody = (members(s, g) for g in range(3))
    s.attending[:] = False
    s.attending[[*everyone, clin1]] = True  # group 0 all, group 1 its clinician, group 2 none
    rng = Scripted([1, 0, 0], [3, 3, 0])  # adopted lay ideas, then professional ones
    d = decisions.decide(s, ASSUMED, st, some_talk(s), _insights(3, [5, 4, 0], [2, 1, 0]), rng)
    # Weights: lay (0.5 + 0.3) * 0.5 = 0.4, clinician 0.5 + 0.8 = 1.3; group 0 sums to 2.5.
    want = np.zeros(s.n)
    want[everyone] = [0.4 / 2.5] * 3 + [1.3 / 2.5]
    want[clin1] = 1.0
    assert s.influence == pytest.approx(want)
    # Group 0: lay share of weight L = 1.2 / 2.5 = 0.48, of presence S = 3 / 4:
    # lay ideas pass with min(1, 0.48 / 0.75) = 0.64, professional with min(1, 0.52 / 0.25) = 1.
    # Group 1: no lay weight nor presence: 0 and 1. Group 2: nobody: 0 and 1.
    (_, n_lay, p_lay), (_, n_pro, p_pro) = rng.calls
    assert n_lay.tolist() == [2, 1, 0] and p_lay == pytest.approx([0.64, 0.0, 0.0])
    assert n_pro.tolist() == [3, 3, 0] and p_pro.tolist() == [1.0, 1.0, 1.0]
    assert d.adopted_lay.tolist() == [1, 0, 0] and d.adopted.tolist() == [4, 3, 0]
    assert d.lay_adoption == pytest.approx([0.64, 0.0, 0.0])
    assert d.present.tolist() == [4, 1, 0]
    # Items: hours (2 + 2 * 0.5 = 3) * (0.2 + 2 * 0.5) = 3.6 where anyone met.
    assert d.items == pytest.approx([3.6, 3.6, 0.0])
    assert not s.influence[lay1 + nobody].any()


def test_adoption_chances_match_influence_over_presence():
    p, s, st = tiny(power_sharing=0.5)
    s.attending[:] = True
    s.credibility[:] = [0.3, 0.3, 0.3, 0.8]
    d = decisions.decide(
        s, ASSUMED, st, some_talk(s), _insights(1, [0], [0]), np.random.default_rng(0)
    )
    lay_w = 3 * (ASSUMED.speak_base + 0.3) * 0.5
    L = lay_w / (lay_w + ASSUMED.speak_base + 0.8)
    assert d.lay_adoption[0] == pytest.approx(min(1.0, L / 0.75))
    hours = st.hours[0]
    per_hour = ASSUMED.items_base + ASSUMED.items_pace * p.pace
    assert d.items[0] == pytest.approx(hours * per_hour)


def test_no_meeting_clears_influence():
    _p, s, st = tiny()
    s.influence[:] = 0.25
    assert decisions.decide(s, ASSUMED, st, None, None, np.random.default_rng(0)) is None
    assert (s.influence == 0).all()


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


def test_when_lay_people_outweigh_their_presence_lay_ideas_all_pass_and_professional_ones_half():
    # Full power sharing, lay credibility 0.9, clinician 0.1: weights lay 0.5 + 0.9 = 1.4
    # (three: 4.2), clinician 0.6; total 4.8. L = 4.2 / 4.8 = 0.875, S = 3 / 4.
    # lay ideas: min(1, 0.875 / 0.75 = 1.1667) = 1; professional: (1 - 0.875) / (1 - 0.75) = 0.5
    _p, s, st = tiny(power_sharing=1.0)
    s.credibility[:] = [0.9, 0.9, 0.9, 0.1]
    s.attending[:] = True
    rng = Scripted([2], [1])
    d = decisions.decide(s, ASSUMED, st, some_talk(s), _insights(1, [6], [2]), rng)
    (_, n_lay, p_lay), (_, n_pro, p_pro) = rng.calls
    assert n_lay.tolist() == [2] and p_lay.tolist() == [1.0]
    assert n_pro.tolist() == [4] and p_pro == pytest.approx([0.5])
    assert d.lay_adoption.tolist() == [1.0]
    assert d.adopted_lay.tolist() == [2] and d.adopted.tolist() == [3]
    assert s.influence == pytest.approx([1.4 / 4.8] * 3 + [0.6 / 4.8])


def test_lay_people_meeting_alone_without_power_adopt_nothing():
    # power_sharing 0 and only lay people present: no decision weight at all (total 0),
    # so the lay share of it is 0 and lay ideas are never adopted.
    _p, s, st = tiny(power_sharing=0.0)
    s.attending[:] = [True, True, True, False]
    rng = Scripted([0], [0])
    d = decisions.decide(s, ASSUMED, st, some_talk(s), _insights(1, [3], [3]), rng)
    (_, _, p_lay), (_, n_pro, p_pro) = rng.calls
    assert p_lay.tolist() == [0.0] and d.lay_adoption.tolist() == [0.0]
    assert n_pro.tolist() == [0] and p_pro.tolist() == [1.0]
    assert not s.influence.any()
