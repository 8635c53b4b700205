"""Rule 3, knowledge: recognised contributions combine into insights.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import hand_talk, tiny

from simulation import knowledge


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
    assert knowledge.combine(s, None, np.random.default_rng(0)) is None


def test_without_recognised_lived_experience_there_are_no_unexpected_insights():
    _p, s, _st = tiny()
    talk = hand_talk(4, [[3, 3, 5]] * 3 + [[10, 8, 1]], [[1, 2, 0]] * 3 + [[9, 7, 0]])
    rng = np.random.default_rng(14)
    routine = 0
    for _ in range(500):
        ins = knowledge.combine(s, talk, rng)
        assert ins.unexpected.sum() == 0
        routine += ins.total.sum()
    assert routine > 0
    # lived experience but nothing professional recognised: no unexpected either
    talk = hand_talk(4, [[0, 0, 9]] * 4, [[0, 0, 9]] * 4)
    for _ in range(200):
        assert knowledge.combine(s, talk, rng).total.sum() == 0


def test_insight_rates_follow_the_formulas_exactly():
    _p, s, _st = tiny()
    # recognised: patients say lived experience and some practice; clinician biomedical/practice
    recognised = [[0, 1, 5], [0, 0, 3], [1, 0, 0], [6, 3, 0]]
    talk = hand_talk(4, recognised, recognised)
    B, P, E = 7.0, 4.0, 8.0
    lay_bp, lay_e = 2.0, 8.0
    rng = Recorder(15)
    ins = knowledge.combine(s, talk, rng)
    routine_rate, unexpected_rate = rng.poisson_calls
    assert routine_rate == pytest.approx([knowledge.K_ROUTINE * np.sqrt(B * P)])
    assert unexpected_rate == pytest.approx([knowledge.K_UNEXPECTED * np.sqrt(E * (B + P))])
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
    expected_routine = knowledge.K_ROUTINE * np.sqrt(rec[:, 0] * rec[:, 1])
    expected_unexp = knowledge.K_UNEXPECTED * np.sqrt(rec[:, 2] * (rec[:, 0] + rec[:, 1]))
    rng = np.random.default_rng(16)
    n = 8000
    out = [knowledge.combine(s, talk, rng) for _ in range(n)]
    total = np.mean([i.total for i in out], axis=0)
    unexp = np.mean([i.unexpected for i in out], axis=0)
    sd = np.sqrt((expected_routine + expected_unexp) / n)
    assert np.all(np.abs(total - expected_routine - expected_unexp) < 5 * sd)
    assert np.all(np.abs(unexp - expected_unexp) < 5 * np.sqrt(expected_unexp / n))


def test_lay_origin_and_unexpected_never_exceed_total():
    _p, s, _st = tiny(group_size=2)
    rng = np.random.default_rng(17)
    for _ in range(300):
        recognised = rng.integers(0, 12, (4, 3))
        ins = knowledge.combine(s, hand_talk(4, recognised, recognised), rng)
        assert (ins.lay_origin >= 0).all() and (ins.lay_origin <= ins.total).all()
        assert (ins.unexpected >= 0).all() and (ins.unexpected <= ins.total).all()


def test_only_professionals_heard_means_no_lay_insights():
    _p, s, _st = tiny()
    recognised = [[0, 0, 0]] * 3 + [[9, 9, 3]]
    rng = np.random.default_rng(18)
    for _ in range(200):
        ins = knowledge.combine(s, hand_talk(4, recognised, recognised), rng)
        assert ins.lay_origin.sum() == 0
