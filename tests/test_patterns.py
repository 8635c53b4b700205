"""The ten patterns of docs/concept.md emerge from the agents' rules.

Each test contrasts two named scenarios over the same SEEDS (so both sides share
their populations: a paired design) and checks the direction of the effect and a
Wilcoxon signed-rank test at p < 0.01. Nothing here is written into the model:
the outcomes come from participation, meeting, knowledge, decision, relation,
money and motivation rules acting on each agent.
"""

from __future__ import annotations

import os
from functools import cache

import numpy as np
import pytest
from scipy import stats

from simulation import CoProductionModel
from simulation.metrics import METRIC_NAMES

pytestmark = pytest.mark.slow

# PATTERN_SEEDS_FROM=N reruns every contrast on seeds N..N+19, to check robustness.
FIRST_SEED = int(os.environ.get("PATTERN_SEEDS_FROM", "0"))
SEEDS = range(FIRST_SEED, FIRST_SEED + 20)
ALPHA = 0.01


@cache
def _run(frozen: tuple, seed: int) -> tuple[dict, np.ndarray]:
    model = CoProductionModel(rng=seed, **dict(frozen))
    return model.run(), model.history


def runs(scenario: dict, seeds=SEEDS) -> list[tuple[dict, np.ndarray]]:
    """Final metrics and weekly history of ``scenario`` for each seed."""
    return [_run(tuple(sorted(scenario.items())), seed) for seed in seeds]


def values(scenario: dict, metric: str, seeds=SEEDS) -> np.ndarray:
    """One final metric of ``scenario`` across seeds."""
    return np.array([final[metric] for final, _ in runs(scenario, seeds)])


def assert_lower(low: dict, high: dict, metric: str, seeds=SEEDS) -> None:
    """``metric`` is lower under ``low`` than under ``high``: direction and paired test."""
    a, b = values(low, metric, seeds), values(high, metric, seeds)
    diff = b - a
    assert np.median(diff) > 0 and diff.mean() > 0, (
        f"{metric}: expected lower under {low} than {high}; means {a.mean():.4g} vs {b.mean():.4g}"
    )
    p = stats.wilcoxon(a, b, alternative="less").pvalue
    assert p < ALPHA, f"{metric}: {a.mean():.4g} vs {b.mean():.4g}, p = {p:.3g}"


def weekly(scenario: dict, metric: str, seeds=SEEDS) -> np.ndarray:
    """(seeds x weeks) weekly series of one metric."""
    column = METRIC_NAMES.index(metric)
    return np.array([history[:, column] for _, history in runs(scenario, seeds)])


# The named scenario contrasts, from the shipped presets' ingredients.
SAFE_PROMPT = {"refund_delay": 0, "benefit_safe": True}
FAST, SLOW = {"pace": 0.9}, {"pace": 0.2}


def test_1_unpaid_participation_favours_people_with_money_and_time():
    # Prompt, benefit-safe schemes so that only the level of compensation differs.
    none = dict(SAFE_PROMPT, compensation="none")
    expenses = dict(SAFE_PROMPT, compensation="expenses")
    paid = dict(SAFE_PROMPT, compensation="paid")
    assert_lower(none, expenses, "participation_parity")
    assert_lower(none, paid, "participation_parity")
    assert_lower(none, expenses, "participation_low_money")
    # Page's trend test: parity rises along none < expenses < paid, seed by seed.
    table = np.column_stack([values(c, "participation_parity") for c in (none, expenses, paid)])
    assert stats.page_trend_test(table).pvalue < ALPHA


def test_2_payment_counted_as_income_pushes_people_on_benefits_out():
    unsafe = {"compensation": "paid", "benefit_safe": False}
    safe = {"compensation": "paid", "benefit_safe": True}
    assert_lower(unsafe, safe, "participation_benefits")
    assert_lower(safe, unsafe, "benefit_loss_events")
    assert values(safe, "benefit_loss_events").max() == 0
    assert values(unsafe, "benefit_loss_events").min() > 0


def test_3_late_refunds_keep_out_people_with_little_money():
    assert_lower({"refund_delay": 12}, {"refund_delay": 0}, "participation_low_money")
    # People with money at hand are barely touched: the gap is a gap of means.
    gap_late = values({"refund_delay": 12}, "participation_low_money") / values(
        {"refund_delay": 12}, "participation_lay"
    )
    gap_prompt = values({"refund_delay": 0}, "participation_low_money") / values(
        {"refund_delay": 0}, "participation_lay"
    )
    assert gap_late.mean() < gap_prompt.mean()
    assert stats.wilcoxon(gap_late, gap_prompt, alternative="less").pvalue < ALPHA


def test_4_travel_support_brings_disabled_people_in():
    assert_lower({"travel_support": False}, {"travel_support": True}, "participation_disabled")


def test_5_fast_meetings_under_recognise_lived_experience():
    assert_lower(FAST, SLOW, "experiential_share")
    assert_lower(FAST, SLOW, "insights_unexpected")
    # ... and the slower pace costs more (longer meetings of paid staff).
    assert_lower(FAST, SLOW, "programme_cost")


def test_6_long_slow_spaces_build_ties_and_trust_short_ones_do_not():
    long_slow = dict(SLOW, weeks=104)
    short_slow = dict(SLOW, weeks=12)
    assert_lower(short_slow, long_slow, "cross_role_ties")
    assert_lower(short_slow, long_slow, "mean_trust")
    assert_lower(FAST, SLOW, "cross_role_ties")
    assert_lower(FAST, SLOW, "mean_trust")


def test_7_tokenism_drives_rights_based_participants_away_over_time():
    token, shared = {"power_sharing": 0.05}, {"power_sharing": 0.8}
    assert_lower(token, shared, "participation_rights_based")

    # Over time: the drop from the first to the last quarter is larger under tokenism.
    def drop(scenario):
        series = weekly(scenario, "participation_rights_based")
        quarter = series.shape[1] // 4
        return series[:, :quarter].mean(axis=1) - series[:, -quarter:].mean(axis=1)

    assert np.mean(drop(token)) > 0
    assert stats.wilcoxon(drop(shared), drop(token), alternative="less").pvalue < ALPHA


def test_8_rationales_conflict_over_the_pace_of_meetings():
    # Fast, agenda-driven meetings please managerial participants ...
    assert_lower(SLOW, FAST, "satisfaction_managerial")
    # ... and disappoint experience-based ones.
    assert_lower(FAST, SLOW, "satisfaction_experience")


def test_9_funding_user_led_projects_yields_more_lay_knowledge():
    assert_lower({"user_led_funding": 0.0}, {"user_led_funding": 0.5}, "insights_lay_origin")


def test_10_co_everything_without_resources_makes_precarious_unpaid_labour():
    occasional = {"compensation": "none", "meeting_interval": 4}
    co_everything = {"compensation": "none", "meeting_interval": 1}
    assert_lower(occasional, co_everything, "unpaid_hours_per_lay_participant")
    assert_lower(occasional, co_everything, "lay_out_of_pocket")
    # The load falls on fewer people: lay attendance drops as the demands rise.
    assert_lower(co_everything, occasional, "participation_lay")
