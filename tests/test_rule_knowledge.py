"""Rule 3, knowledge: recognised contributions of different people combine into insights.

Built on the hand-set populations of ``builders.py``: lay people know
(biomedical, practice, lived) = (0.05, 0.15, 0.8), professionals (0.55, 0.4, 0.05), so
two lay people, or two professionals, know alike (d = 0) and a lay person and a
professional are d = (0.5 + 0.25 + 0.75) / 2 = 0.75 apart. Assumptions are read from
the registry's defaults by name, never copied.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import (
    ASSUMED,
    Scripted,
    hand_set,
    hand_talk,
    members,
    params,
    several,
    tiny,
)

from simulation import compiled, knowledge, population

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


LAY_PRO = 0.75  # how far apart a hand-set lay person's and professional's knowledge are


def _combine(s, talk, rng):
    return knowledge.combine(s, ASSUMED, talk, knowledge.differences(s), rng)


def test_knowledge_differences_are_the_total_variation_distance_of_profiles():
    _p, s, _st = tiny()
    d = knowledge.differences(s)[0]
    in_agent_order = d[np.ix_(s.slot, s.slot)]  # P0, P1, carer, clinician
    expected = [[0, 0, 0, LAY_PRO], [0, 0, 0, LAY_PRO], [0, 0, 0, LAY_PRO], [LAY_PRO] * 3 + [0]]
    np.testing.assert_allclose(in_agent_order, expected, atol=1e-6)
    # Someone who shares nothing with another is 1 apart.
    s.knowledge[0] = [1.0, 0.0, 0.0]
    s.knowledge[3] = [0.0, 0.0, 1.0]
    assert knowledge.differences(s)[0][s.slot[0], s.slot[3]] == pytest.approx(1.0)


def test_no_meeting_no_insights():
    _p, s, _st = tiny()
    assert _combine(s, None, np.random.default_rng(0)) is None


def test_insight_rates_follow_the_formulas_exactly():
    _p, s, _st = tiny()
    # Recognised (biomedical, practice, lived) of P0, P1, the carer and the clinician.
    recognised = [[0, 1, 5], [0, 0, 3], [1, 0, 0], [6, 3, 0]]
    talk = hand_talk(4, recognised, recognised)
    # Routine pairs sum_{i != j} d_ij b_i p_j: carer's b with P0's p (d 0): 0; carer's b
    # with the clinician's p: 1 * 3 * 0.75 = 2.25; clinician's b with P0's p: 6 * 1 * 0.75
    # = 4.5; the clinician's own b and p do not combine. Total 6.75.
    # Unexpected: lay lived experience 5 + 3 with the clinician's 6 + 3 professional
    # knowledge, 0.75 apart: 8 * 9 * 0.75 = 54.
    rng = Scripted([2], [3], [1], [2])
    ins = _combine(s, talk, rng)
    (_, routine), (_, unexpected), (_, n_r, p_r), (_, n_u, p_u) = rng.calls
    assert routine == pytest.approx([ASSUMED.k_routine * np.sqrt(6.75)])
    assert unexpected == pytest.approx([ASSUMED.k_unexpected * np.sqrt(54.0)])
    # Lay shares: of B + P, 2 of 11; of lived experience and professional knowledge, 8 of 17.
    assert n_r.tolist() == [2] and p_r == pytest.approx([2 / 11])
    assert n_u.tolist() == [3] and p_u == pytest.approx([8 / 17])
    assert ins.total.tolist() == [5] and ins.unexpected.tolist() == [3]
    assert ins.lay_origin.tolist() == [3]
    assert ins.by_kind.tolist() == [[7, 4, 8]]
    assert ins.lay_by_kind.tolist() == [[1, 1, 8]]


def test_people_who_know_alike_produce_nothing_new():
    # Two clinicians with the same knowledge and a patient who says nothing: however much
    # biomedical and practice knowledge they bring, no two different perspectives meet.
    p = params(n_patients=1, n_carers=0, n_clinicians=2)
    s = hand_set(population.build(p, np.random.default_rng(0)))
    recognised = [[0, 0, 0], [9, 9, 1], [9, 9, 1]]
    rng = np.random.default_rng(3)
    for _ in range(200):
        assert _combine(s, hand_talk(3, recognised, recognised), rng).total.sum() == 0
    # Give one of them practice-only knowledge: now they differ, and insights come.
    s.knowledge[2] = [0.0, 1.0, 0.0]
    made = sum(
        _combine(s, hand_talk(3, recognised, recognised), rng).total.sum() for _ in range(50)
    )
    assert made > 0


def test_unexpected_insights_need_lay_experience_and_professional_knowledge():
    _p, s, _st = tiny()
    rng = np.random.default_rng(14)
    # Lived experience from professionals only (the clinician's 5%): no unexpected insight.
    talk = hand_talk(4, [[1, 1, 0]] * 3 + [[10, 8, 6]], [[1, 1, 0]] * 3 + [[9, 7, 6]])
    routine = 0
    for _ in range(300):
        ins = _combine(s, talk, rng)
        assert ins.unexpected.sum() == 0
        routine += ins.total.sum()
    assert routine > 0
    # Lay lived experience but no professional knowledge recognised: none either.
    talk = hand_talk(4, [[0, 0, 9]] * 4, [[0, 0, 9]] * 3 + [[0, 0, 0]])
    for _ in range(200):
        assert _combine(s, talk, rng).total.sum() == 0


@pytest.mark.slow  # statistics over many draws, with both loops: seconds
def test_insight_means_match_the_formulas_over_many_draws():
    _p, s, _st = tiny()
    recognised = np.array([[1, 2, 6], [0, 1, 4], [0, 3, 2], [5, 4, 1]])
    talk = hand_talk(4, recognised, recognised)
    # Routine: only lay-professional pairs differ (0.75): lay b 1 with the clinician's p 4,
    # the clinician's b 5 with lay p 2 + 1 + 3: (4 + 30) * 0.75 = 25.5.
    # Unexpected: lay lived 12 with the clinician's 9 professional: 12 * 9 * 0.75 = 81.
    expected_routine = ASSUMED.k_routine * np.sqrt(25.5)
    expected_unexp = ASSUMED.k_unexpected * np.sqrt(81.0)
    rng = np.random.default_rng(16)
    n = 8000
    out = [_combine(s, talk, rng) for _ in range(n)]
    total = np.mean([i.total.sum() for i in out])
    unexp = np.mean([i.unexpected.sum() for i in out])
    sd = np.sqrt((expected_routine + expected_unexp) / n)
    assert abs(total - expected_routine - expected_unexp) < 5 * sd
    assert abs(unexp - expected_unexp) < 5 * np.sqrt(expected_unexp / n)


def test_each_group_combines_its_own_recognised_knowledge():
    _p, s, _st = several()
    recognised = np.zeros((s.n, 3), np.int64)
    pa, pb, _carer, clin = members(s, 0)
    recognised[[pa, pb, clin]] = [[0, 1, 4], [0, 0, 4], [4, 3, 0]]
    recognised[members(s, 1)[-1]] = [9, 1, 0]  # a clinician alone: nothing to combine with
    recognised[members(s, 2)[0]] = [0, 0, 5]  # a patient alone: nothing professional
    rng = Scripted([2, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0])
    ins = _combine(s, hand_talk(s.n, recognised, recognised), rng)
    (_, routine), (_, unexpected), (_, _, p1), (_, _, p2) = rng.calls
    kr, ku = ASSUMED.k_routine, ASSUMED.k_unexpected
    # Group 0: clinician's b 4 with patient A's p 1 (0.75 apart) = 3; lived 8 with the
    # clinician's 7 professional: 8 * 7 * 0.75 = 42. Groups 1 and 2: nothing.
    assert routine == pytest.approx([kr * np.sqrt(3.0), 0.0, 0.0])
    assert unexpected == pytest.approx([ku * np.sqrt(42.0), 0.0, 0.0])
    assert p1 == pytest.approx([1 / 8, 0.0, 0.0])  # lay share of B + P: 1 of 8
    # Lay share of lived experience and professional knowledge: 8 of 8 + 7; 0 of 10; 5 of 5.
    assert p2 == pytest.approx([8 / 15, 0.0, 1.0])
    assert ins.total.tolist() == [3, 0, 0] and ins.unexpected.tolist() == [1, 0, 0]
    assert ins.lay_origin.tolist() == [2, 0, 0]
    assert ins.by_kind.tolist() == [[4, 4, 8], [9, 1, 0], [0, 0, 5]]
    assert ins.lay_by_kind.tolist() == [[0, 1, 8], [0, 0, 0], [0, 0, 5]]


def test_only_professionals_heard_means_no_lay_insights():
    _p, s, _st = tiny()
    recognised = [[0, 0, 0]] * 3 + [[9, 9, 3]]
    rng = np.random.default_rng(18)
    for _ in range(200):
        ins = _combine(s, hand_talk(4, recognised, recognised), rng)
        assert ins.lay_origin.sum() == 0 and ins.total.sum() == 0  # one person: no pairs


def test_groups_without_lay_members_are_summed_too():
    # 1 patient and 3 clinicians in groups of 2: the patient and a clinician in one group,
    # two clinicians in the other. Everyone recognised once on each kind.
    p = params(n_patients=1, n_carers=0, n_clinicians=3, n_managers=0, group_size=2)
    s = hand_set(population.build(p, np.random.default_rng(0)))
    assert s.n_groups == 2 and s.lay[s.group == 1].sum() == 0
    sums = knowledge.by_group_side_and_kind(s, np.ones((4, 3), np.int64))
    assert sums.tolist() == [[[1, 1, 1], [1, 1, 1]], [[2, 2, 2], [0, 0, 0]]]


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_pair_sums_are_einsums_to_the_bit_whichever_loops_run(kernels, monkeypatch):
    """knowledge.pair_sums: by hand, 1*0.5*4 + 2*0.5*3 = 5; then, on float32 groups of 2 to
    90 members (numpy's einsum sums a group's pairs in one buffer up to 8,192 pairs) and of
    95 (more pairs than that: einsum itself), exactly einsum's sums."""
    monkeypatch.setenv(compiled.VARIABLE, kernels)
    a, b = np.array([[1, 2]], np.float32), np.array([[3, 4]], np.float32)
    d = np.array([[[0, 0.5], [0.5, 0]]], np.float32)
    assert knowledge.pair_sums(a, d, b).tolist() == [5.0]
    rng = np.random.default_rng(4)
    for size in (2, 10, 33, 90, 95):
        a = rng.integers(0, 6, (40, size)).astype(np.float32)
        b = rng.integers(0, 4, (40, size)).astype(np.float32)
        d = rng.random((40, size, size)).astype(np.float32)
        want = np.einsum("gi,gij,gj->g", a, d, b)
        assert knowledge.pair_sums(a, d, b).tobytes() == want.tobytes()


@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_both_pair_sums_are_two_einsums_to_the_bit(kernels, monkeypatch):
    """knowledge.both_pair_sums, two groups at a time in one pass: by hand, group 0 (alone,
    the last of an odd number) gives 1*0.5*4 + 2*0.5*3 = 5 and 1*0.5*1 + 1*0.5*1 = 1; with
    group 1 beside it, 2*1*1 + 0*1*0 = 2 and 0*1*0 + 3*1*5 = 15. Then exactly einsum's
    sums, for odd and even numbers of groups, small and large."""
    monkeypatch.setenv(compiled.VARIABLE, kernels)
    a, b = np.array([[1, 2], [2, 0]], np.float32), np.array([[3, 4], [0, 1]], np.float32)
    c, e = np.array([[1, 1], [0, 3]], np.float32), np.array([[1, 1], [5, 0]], np.float32)
    d = np.array([[[0, 0.5], [0.5, 0]], [[0, 1], [1, 0]]], np.float32)
    ab, ce = knowledge.both_pair_sums(a[:1], b[:1], c[:1], e[:1], d[:1])
    assert ab.tolist() == [5.0] and ce.tolist() == [1.0]
    ab, ce = knowledge.both_pair_sums(a, b, c, e, d)
    assert ab.tolist() == [5.0, 2.0] and ce.tolist() == [1.0, 15.0]
    rng = np.random.default_rng(5)
    for groups, size in ((41, 2), (40, 10), (41, 33), (6, 95)):
        a, b, c, e = (rng.integers(0, 6, (groups, size)).astype(np.float32) for _ in range(4))
        d = rng.random((groups, size, size)).astype(np.float32)
        ab, ce = knowledge.both_pair_sums(a, b, c, e, d)
        assert ab.tobytes() == np.einsum("gi,gij,gj->g", a, d, b).tobytes()
        assert ce.tobytes() == np.einsum("gi,gij,gj->g", c, d, e).tobytes()


def test_knowledge_differences_add_the_kinds_in_numpy_s_order():
    """differences adds the three kinds' terms one by one, (k0 + k1) + k2, as numpy's sum
    over the last axis of (groups, slots, slots, kinds) does: the same floats to the
    bit, on drawn profiles with empty slots (a run's numbers rest on it)."""
    p = params(n_patients=23, n_carers=9, n_clinicians=6, n_managers=2, group_size=7)
    s = population.build_runs(p, [np.random.default_rng(r) for r in range(3)])
    flat = np.zeros((s.n_groups * s.n_slots, 3))
    flat[s.cell] = s.knowledge
    q = flat.reshape(s.n_groups, s.n_slots, 3)
    member = np.zeros(s.n_groups * s.n_slots, bool)
    member[s.cell] = True
    member = member.reshape(s.n_groups, s.n_slots)
    d = 0.5 * np.abs(q[:, :, None, :] - q[:, None, :, :]).sum(axis=3)
    want = (d * member[:, :, None] * member[:, None, :]).astype(np.float32)
    got = knowledge.differences(s)
    assert got.dtype == np.float32 and got.tobytes() == want.tobytes()
    assert (got[~member] == 0).all() and got.max() > 0.5
