"""Rule 3, knowledge: recognised contributions combine into insights.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import ASSUMED, Scripted, hand_set, hand_talk, members, params, several, tiny

from simulation import knowledge, population


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


def test_no_meeting_no_insights():
    _p, s, _st = tiny()
    assert knowledge.combine(s, ASSUMED, None, np.random.default_rng(0)) is None


def test_without_recognised_lived_experience_there_are_no_unexpected_insights():
    _p, s, _st = tiny()
    talk = hand_talk(4, [[3, 3, 5]] * 3 + [[10, 8, 1]], [[1, 2, 0]] * 3 + [[9, 7, 0]])
    rng = np.random.default_rng(14)
    routine = 0
    for _ in range(500):
        ins = knowledge.combine(s, ASSUMED, talk, rng)
        assert ins.unexpected.sum() == 0
        routine += ins.total.sum()
    assert routine > 0
    # lived experience but nothing professional recognised: no unexpected either
    talk = hand_talk(4, [[0, 0, 9]] * 4, [[0, 0, 9]] * 4)
    for _ in range(200):
        assert knowledge.combine(s, ASSUMED, talk, rng).total.sum() == 0


def test_insight_rates_follow_the_formulas_exactly():
    _p, s, _st = tiny()
    # recognised: patients say lived experience and some practice; clinician biomedical/practice
    recognised = [[0, 1, 5], [0, 0, 3], [1, 0, 0], [6, 3, 0]]
    talk = hand_talk(4, recognised, recognised)
    B, P, E = 7.0, 4.0, 8.0
    lay_bp, lay_e = 2.0, 8.0
    rng = Recorder(15)
    ins = knowledge.combine(s, ASSUMED, talk, rng)
    routine_rate, unexpected_rate = rng.poisson_calls
    assert routine_rate == pytest.approx([ASSUMED.k_routine * np.sqrt(B * P)])
    assert unexpected_rate == pytest.approx([ASSUMED.k_unexpected * np.sqrt(E * (B + P))])
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
    expected_routine = ASSUMED.k_routine * np.sqrt(rec[:, 0] * rec[:, 1])
    expected_unexp = ASSUMED.k_unexpected * np.sqrt(rec[:, 2] * (rec[:, 0] + rec[:, 1]))
    rng = np.random.default_rng(16)
    n = 8000
    out = [knowledge.combine(s, ASSUMED, talk, rng) for _ in range(n)]
    total = np.mean([i.total for i in out], axis=0)
    unexp = np.mean([i.unexpected for i in out], axis=0)
    sd = np.sqrt((expected_routine + expected_unexp) / n)
    assert np.all(np.abs(total - expected_routine - expected_unexp) < 5 * sd)
    assert np.all(np.abs(unexp - expected_unexp) < 5 * np.sqrt(expected_unexp / n))


def test_each_group_combines_its_own_recognised_knowledge():
    _p, s, _st = several()
    recognised = np.zeros((s.n, 3), np.int64)
    # Recognised (biomedical, practice, lived experience) of two patients, a carer, a clinician:
    pa, pb, _carer, clin = members(s, 0)
    recognised[[pa, pb, clin]] = [[0, 1, 4], [0, 0, 4], [4, 3, 0]]  # B 4, P 4, E 8
    clin = members(s, 1)[-1]
    recognised[clin] = [9, 1, 0]  # B 9, P 1, E 0: nothing lay
    pa, *_ = members(s, 2)
    recognised[pa] = [0, 0, 5]  # B 0, P 0, E 5: nothing professional
    # Draws chosen by hand: routine, unexpected, lay routine, lay unexpected (per group).
    rng = Scripted([2, 3, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0])
    ins = knowledge.combine(s, ASSUMED, hand_talk(s.n, recognised, recognised), rng)
    (_, routine), (_, unexpected), (_, n1, p1), (_, n2, p2) = rng.calls
    kr, ku = ASSUMED.k_routine, ASSUMED.k_unexpected
    # routine: K_ROUTINE sqrt(B P) = sqrt(16), sqrt(9), 0
    assert routine == pytest.approx([4 * kr, 3 * kr, 0.0])
    # unexpected: K_UNEXPECTED sqrt(E (B + P)) = sqrt(64), 0, 0
    assert unexpected == pytest.approx([8 * ku, 0.0, 0.0])
    # a routine insight is lay with the lay share of B + P: 1 / 8, 0 / 10, none (0)
    assert n1.tolist() == [2, 3, 0] and p1 == pytest.approx([1 / 8, 0.0, 0.0])
    # an unexpected one with the mean of the lay shares of E and of B + P:
    # (8 / 8 + 1 / 8) / 2 = 0.5625; (0 + 0) / 2; (5 / 5 + 0) / 2 = 0.5
    assert n2.tolist() == [1, 0, 0] and p2 == pytest.approx([0.5625, 0.0, 0.5])
    assert ins.total.tolist() == [3, 3, 0] and ins.unexpected.tolist() == [1, 0, 0]
    assert ins.lay_origin.tolist() == [2, 0, 0]  # 1 routine + 1 unexpected, in group 0
    assert ins.by_kind.tolist() == [[4, 4, 8], [9, 1, 0], [0, 0, 5]]
    assert ins.lay_by_kind.tolist() == [[0, 1, 8], [0, 0, 0], [0, 0, 5]]


def test_only_professionals_heard_means_no_lay_insights():
    _p, s, _st = tiny()
    recognised = [[0, 0, 0]] * 3 + [[9, 9, 3]]
    rng = np.random.default_rng(18)
    for _ in range(200):
        ins = knowledge.combine(s, ASSUMED, hand_talk(4, recognised, recognised), rng)
        assert ins.lay_origin.sum() == 0


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


def test_one_lay_practice_and_one_lived_contribution_make_a_lay_unexpected_insight():
    # Recognised: P0 one practice (P = 1) and one lived-experience contribution (E = 1).
    # routine rate 0.15 sqrt(B P) = 0.15 sqrt(0 * 1) = 0; unexpected 0.25 sqrt(1 * (0 + 1)) = 0.25.
    # Lay shares: of B + P 1 / 1, of E 1 / 1: routine lay chance 1, unexpected (1 + 1) / 2 = 1.
    _p, s, _st = tiny()
    recognised = [[0, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]]
    rng = Scripted([0], [1], [0], [1])
    ins = knowledge.combine(s, ASSUMED, hand_talk(4, recognised, recognised), rng)
    (_, routine), (_, unexpected), (_, _, p_routine), (_, n_unexp, p_unexp) = rng.calls
    assert routine.tolist() == [0.0] and unexpected == pytest.approx([0.25])
    assert p_routine.tolist() == [1.0] and p_unexp.tolist() == [1.0] and n_unexp.tolist() == [1]
    assert ins.total.tolist() == [1] and ins.unexpected.tolist() == [1]
    assert ins.lay_origin.tolist() == [1]


def test_groups_without_lay_members_are_summed_too():
    # 1 patient and 3 clinicians in groups of 2: the patient and a clinician in one group,
    # two clinicians in the other. Everyone recognised once on each kind.
    p = params(n_patients=1, n_carers=0, n_clinicians=3, n_managers=0, group_size=2)
    s = hand_set(population.build(p, np.random.default_rng(0)))
    assert s.n_groups == 2 and s.lay[s.group == 1].sum() == 0
    sums = knowledge.by_group_side_and_kind(s, np.ones((4, 3), np.int64))
    assert sums.tolist() == [[[1, 1, 1], [1, 1, 1]], [[2, 2, 2], [0, 0, 0]]]
