"""No dead assumptions: each one, set to an end of its range, changes the outcomes.

Issue 9 asks that setting any single assumption to the low or the high end of its
plausible range changes at least one final metric for at least 90% of them: an
assumption that changes nothing is dead and should go (or its range is wrong).

Some mechanisms are asleep in the default programme: nobody is paid, so the pay,
benefit and suspension assumptions have nothing to act on, and no project is led by
patients and carers. So each end is run in two programmes, the default and one that
wakes them up (paid, not benefit-safe, half the budget to user-led projects), and an
assumption counts as live if it changes any final metric in either. One seed (0),
52 weeks: about 380 runs of about 15 ms each.
"""

from __future__ import annotations

import math

import pytest

from simulation import CoProductionModel
from simulation.assumptions import ASSUMPTIONS

WEEKS = 52
SEED = 0
SCENARIOS: dict[str, dict] = {
    "default": {},
    "paid, not benefit-safe, user-led": {
        "compensation": "paid",
        "benefit_safe": False,
        "benefit_rules": "legacy-20",  # the suspension rule's assumptions (uc suspends none)
        "user_led_funding": 0.5,
    },
    # Issue 11's rules act only where their levers are on: Universal Credit on pay, hybrid
    # meetings, managers on a budget they overspend (paid weekly meetings) ...
    "paid weekly, Universal Credit, hybrid, managers adapt": {
        "compensation": "paid",
        "benefit_safe": False,
        "benefit_rules": "uc",
        "meeting_format": "hybrid",
        "meeting_interval": 1,
        "manager_adaptation": 1.0,
    },
    # ... and ESA's permitted work, and meetings online.
    "paid, ESA, online": {
        "compensation": "paid",
        "benefit_safe": False,
        "benefit_rules": "esa",
        "meeting_format": "online",
    },
}
LIVE_SHARE = 0.9  # the bar


def _metrics(**values) -> dict[str, float]:
    return CoProductionModel(rng=SEED, weeks=WEEKS, **values).run()


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def changed(run: dict[str, float], base: dict[str, float]) -> list[str]:
    """The metrics whose final values differ (NaN equals NaN here)."""
    return [name for name in base if not _same(run[name], base[name])]


def test_changed_compares_nan_as_equal_and_finds_a_difference():
    base = {"a": 1.0, "b": math.nan}
    assert changed({"a": 1.0, "b": math.nan}, base) == []
    assert changed({"a": 1.5, "b": math.nan}, base) == ["a"]
    assert changed({"a": 1.0, "b": 0.0}, base) == ["b"]


@pytest.mark.slow
def test_at_least_90_percent_of_assumptions_change_a_final_metric():
    bases = {name: _metrics(**values) for name, values in SCENARIOS.items()}
    dead, asleep_by_default = [], []
    for p in ASSUMPTIONS:
        live_in = set()
        for scenario, values in SCENARIOS.items():
            for end in (p.low, p.high):
                if end == p.default:
                    continue
                if changed(_metrics(**values, **{p.name: end}), bases[scenario]):
                    live_in.add(scenario)
                    break
            if live_in:  # live somewhere (the default is tried first): enough
                break
        if not live_in:
            dead.append(p.name)
        elif "default" not in live_in:
            asleep_by_default.append(p.name)
    live = 1 - len(dead) / len(ASSUMPTIONS)
    print(f"asleep in the default programme, live in the other: {', '.join(asleep_by_default)}")
    assert live >= LIVE_SHARE, (
        f"only {live:.0%} of the {len(ASSUMPTIONS)} assumptions change a final metric at an "
        f"end of their range (at least {LIVE_SHARE:.0%} should); dead: {', '.join(dead)}"
    )
