"""Outcome metrics on hand-set cases (simulation/metrics.py).

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import CLIN, P0, hand_talk, tiny

from simulation import metrics


def test_aggregate_takes_rates_from_the_last_quarter_totals_and_finals():
    weeks = 10
    history = np.arange(weeks * len(metrics.METRIC_NAMES), dtype=float).reshape(weeks, -1)
    out = metrics.aggregate(history)
    tail = history[weeks - weeks // 4 :]
    for j, m in enumerate(metrics.METRICS):
        want = {"rate": tail[:, j].mean(), "total": history[:, j].sum(), "final": history[-1, j]}[
            m.how
        ]
        assert out[m.name] == pytest.approx(want)
    short = metrics.aggregate(history[:3])  # under 4 weeks: the last week is the tail
    rate = next(j for j, m in enumerate(metrics.METRICS) if m.how == "rate")
    assert short[metrics.METRIC_NAMES[rate]] == history[2, rate]
    assert metrics.aggregate(history[:0]) == dict.fromkeys(metrics.METRIC_NAMES, 0.0)


def test_gini_of_known_distributions():
    assert metrics.gini(np.ones(5)) == 0.0
    assert metrics.gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    assert metrics.gini(np.array([1.0, 3.0])) == pytest.approx(0.25)
    assert metrics.gini(np.array([])) == 0.0 and metrics.gini(np.zeros(3)) == 0.0


def test_meeting_metrics_count_who_came():
    _p, s, _st = tiny(group_size=10)
    s.on_benefits[:] = [True, False, False, False]
    s.disabled[:] = [False, False, True, False]
    s.attending[:] = [True, False, False, True]
    s.ever_attended[:] = s.attending
    s.last_attended[:] = np.where(s.attending, 5, -(10**6))
    s.influence[:] = [0.25, 0.0, 0.0, 0.75]
    talk = hand_talk(
        4,
        [[0, 1, 3], [0, 0, 0], [0, 0, 0], [4, 2, 0]],
        [[0, 1, 1], [0, 0, 0], [0, 0, 0], [3, 2, 0]],
    )
    v = metrics.at_meetings(s, metrics.subgroups(s), talk, 5)
    assert v["participation_lay"] == pytest.approx(1 / 3)
    assert v["participation_professional"] == 1.0
    assert v["participation_benefits"] == 1.0 and v["participation_disabled"] == 0.0
    eps = metrics.PARITY_EPS
    assert v["participation_parity"] == pytest.approx((0.5 + eps) / (0.0 + eps))
    assert v["lay_voice_share"] == pytest.approx(4 / 10)
    assert v["experiential_share"] == pytest.approx(1 / 7)
    assert v["influence_gini"] == pytest.approx(metrics.gini(np.array([0.25, 0.75])))
    assert v["mean_trust"] == pytest.approx(s.trust[[P0, CLIN]].mean())
    assert v["power_gap"] == pytest.approx(0.8 - 0.3)


def test_parity_is_not_a_disparity_when_nobody_is_disadvantaged():
    _p, s, _st = tiny()
    s.attending[:] = True  # everyone came: there is no disparity of any kind
    v = metrics.at_meetings(s, metrics.subgroups(s), None, 1)
    if v["participation_lay"] != 1.0:
        pytest.fail("precondition: all lay people attend")
    assert v["participation_parity"] == pytest.approx(1.0)
