"""The tiny hand-set populations the rule tests are built on: groups, slots, roles.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
from builders import GROUPS, members, several, tiny

from simulation import population


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


def test_several_groups_each_have_the_tiny_populations_make_up():
    _p, s, st = several()
    assert s.n == 4 * GROUPS and s.n_groups == GROUPS and st.turns.shape == (GROUPS,)
    roles = [population.PATIENT, population.PATIENT, population.CARER, population.CLINICIAN]
    for g in range(GROUPS):
        mine = members(s, g)
        assert s.role[mine].tolist() == roles  # members() lists them in role order
        assert sorted(s.slot[mine].tolist()) == [0, 1, 2, 3]
    assert (s.credibility == np.where(s.lay, 0.3, 0.8)).all()  # hand-set, as in tiny()
