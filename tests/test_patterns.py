"""The twelve patterns of docs/concept.md and issue 10 emerge from the agents' rules.

Each pattern is defined once, in ``experiments.patterns`` (shared with ``coprod
robustness``): named scenario contrasts over the same SEEDS (so both sides share their
populations: a paired design), each checked for its direction and by a one-sided
Wilcoxon signed-rank test at p < 0.01, plus a trend, a bound or a drop over time where
the claim has one. Each pattern's primary contrast also checks the size of its effect
against a band (``experiments.patterns.Size``, tested here at the defaults), so that a
bug that halves or doubles an effect fails. Nothing here is written into the model: the
outcomes come from participation, meeting, knowledge, decision, relation, values, money
and motivation rules acting on each agent.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from experiments.patterns import PATTERN_BY_NUMBER, Pattern, evaluate, scenario_params
from simulation import CoProductionModel
from simulation.batch import run_batch

pytestmark = pytest.mark.slow

# PATTERN_SEEDS_FROM=N reruns every contrast on seeds N..N+19, to check robustness.
FIRST_SEED = int(os.environ.get("PATTERN_SEEDS_FROM", "0"))
SEEDS = range(FIRST_SEED, FIRST_SEED + 20)


# Runs made so far, by (sorted params, seed): the patterns share scenarios.
_MADE: dict[tuple[tuple, int], tuple[dict, np.ndarray]] = {}


def _made(pattern: Pattern) -> None:
    """Make every run ``pattern`` needs that is not made yet, in one batch
    (``simulation.batch``: each run exactly as ``CoProductionModel`` makes it alone)."""
    wanted = [
        (tuple(sorted(scenario_params(s).items())), seed)
        for s in pattern.scenarios
        for seed in SEEDS
    ]
    todo = [key for key in dict.fromkeys(wanted) if key not in _MADE]
    made = run_batch([(dict(frozen), seed) for frozen, seed in todo], timeseries=True)
    _MADE.update(zip(todo, made, strict=True))


def run(params: dict, seed: int) -> tuple[dict, np.ndarray]:
    """Final metrics and weekly history of one run (made by :func:`_made`, or alone)."""
    key = (tuple(sorted(params.items())), seed)
    if key not in _MADE:
        model = CoProductionModel(rng=seed, **params)
        _MADE[key] = (model.run(), model.history)
    return _MADE[key]


def assert_holds(number: int) -> None:
    _made(PATTERN_BY_NUMBER[number])
    result = evaluate(PATTERN_BY_NUMBER[number], run, SEEDS)
    assert result.holds, result.explain()
    assert result.effect > 0 and result.p_value < 0.01


def test_1_unpaid_participation_favours_people_with_money_and_time():
    assert_holds(1)


def test_2_payment_counted_as_income_pushes_people_on_benefits_out():
    assert_holds(2)


def test_3_late_refunds_keep_out_people_with_little_money():
    assert_holds(3)


def test_4_travel_support_brings_disabled_people_in():
    assert_holds(4)


def test_5_fast_meetings_under_recognise_lived_experience():
    assert_holds(5)


def test_6_long_slow_spaces_build_ties_and_trust_short_ones_do_not():
    assert_holds(6)


def test_7_tokenism_drives_rights_based_participants_away_over_time():
    assert_holds(7)


def test_8_rationales_conflict_over_the_pace_of_meetings():
    assert_holds(8)


def test_9_funding_user_led_projects_yields_more_lay_knowledge():
    assert_holds(9)


def test_10_co_everything_without_resources_makes_precarious_unpaid_labour():
    assert_holds(10)


def test_11_co_production_is_needed_for_new_knowledge():
    assert_holds(11)


def test_12_long_slow_open_spaces_shift_professionals_values_to_lived_experience():
    assert_holds(12)


def test_13_co_everything_on_a_fixed_budget_leads_to_cuts_and_lay_people_carry_the_cost():
    assert_holds(13)


def test_14_universal_credit_costs_claimants_money_and_participation_unlike_esa():
    assert_holds(14)


def test_15_online_meetings_widen_participation_for_the_connected_and_narrow_it_for_others():
    assert_holds(15)


def test_16_outreach_raises_the_seldom_heard_share_and_recognition_keeps_them():
    assert_holds(16)
