"""Every number the workshop guide gives the facilitator is the model's number.

``docs/workshop.md`` tells a room what it should see: each expected number sits in
a table row marked ``<!-- claim: ID -->``, with the seed-0 value (what a room sees
by default) and the range over seeds 0-9. This file reads those numbers from the
guide itself and runs the scenario each ID names here (a preset and the changes
the exercise asks for), so a change to the model that moves a lesson, or an edit
to the guide that the model does not back, fails.

- ``test_seed_0_value``: the printed seed-0 value, within 15% of the model's (or
  half of the printed last digit, for small rounded numbers such as ``6%``). Seed 0
  only, so it stays in the fast tier (one run per scenario, about a second).
- ``test_range_over_seeds`` (slow): the printed range's ends, within the same
  tolerance of the lowest and highest value over seeds 0-9.
- ``test_direction`` (slow): each contrast the guide's prose draws, by seed, also
  those it tells in words without printing a number (``UNPRINTED``: values shifting,
  professionals learning to recognise lived experience).
- ``test_barely_moves`` (slow): the guide's "this lever barely matters, that one
  does" claims, as a ratio of mean paired differences.
- ``test_who_stopped_most_often``: the table of whom *What happened* names.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from dashboards.story import _stopped_most, leavers
from simulation.metrics import METRIC_NAMES
from simulation.model import CoProductionModel
from simulation.scenarios import read_scenario

GUIDE_PATH = Path(__file__).resolve().parents[1] / "docs" / "workshop.md"
GUIDE = GUIDE_PATH.read_text()
SEEDS = range(10)
REL_TOL = 0.15

# The scenarios the exercises ask the room to run: a preset and the changes made
# to it in the left panel.
SCENARIOS: dict[str, tuple[str, dict]] = {
    "default": ("default", {}),
    "none": ("default", {"compensation": "none"}),
    "paid": ("default", {"compensation": "paid"}),
    # the older suspension rule, which the model's defaults used before issue 11
    "paid-legacy": ("default", {"compensation": "paid", "benefit_rules": "legacy-20"}),
    "paid-safe": ("default", {"compensation": "paid", "benefit_safe": True}),
    "paid-safe-travel": (
        "default",
        {"compensation": "paid", "benefit_safe": True, "travel_support": True},
    ),
    "delay0": ("default", {"refund_delay": 0}),
    "delay12": ("default", {"refund_delay": 12}),
    "pace02": ("default", {"pace": 0.2}),
    "pace09": ("default", {"pace": 0.9}),
    "unpaid-fast": ("unpaid-fast", {}),
    "slow-benefit-safe": ("slow-benefit-safe", {}),
    "tok": ("tokenistic", {}),
    "tok-agenda03": ("tokenistic", {"agenda_openness": 0.3}),
    "tok-ps03": ("tokenistic", {"power_sharing": 0.3}),
    "tok-ps05": ("tokenistic", {"power_sharing": 0.5}),
    "tok-ps07": ("tokenistic", {"power_sharing": 0.7}),
    "ul": ("user-led", {}),
    "ul0": ("user-led", {"user_led_funding": 0.0}),
    "ul1": ("user-led", {"user_led_funding": 1.0}),
    "coe": ("co-everything-unresourced", {}),
    "online": ("online-only", {}),
    "squeeze": ("budget-squeeze", {}),
    "squeeze-passive": ("budget-squeeze", {"manager_adaptation": 0.0}),
}


def params(key: str) -> dict:
    preset, changes = SCENARIOS[key]
    values = dict(read_scenario(preset).values)
    values.pop("description", None)
    return {**values, **changes}


@cache
def model(key: str, seed: int) -> CoProductionModel:
    m = CoProductionModel(rng=seed, **params(key))
    m.run()
    return m


def final(key: str, seed: int) -> dict:
    return model(key, seed).final_metrics()


def pay_share(seed: int) -> float:
    """Share of the user-led preset's extra cost over default that comes with the
    pay alone (the preset at ``user_led_funding=0``)."""
    base = final("default", seed)["programme_cost"]
    pay = final("ul0", seed)["programme_cost"] - base
    return pay / (final("ul", seed)["programme_cost"] - base)


# claim ID -> (scenario, metric name or a function of the seed)
CLAIMS: dict[str, tuple[str | None, str | object]] = {
    # Exercise 1
    "ex1-lay-default": ("default", "participation_lay"),
    "ex1-lay-none": ("none", "participation_lay"),
    "ex1-unpaid-default": ("default", "unpaid_lay_hours"),
    "ex1-unpaid-none": ("none", "unpaid_lay_hours"),
    "ex1-pocket-default": ("default", "lay_out_of_pocket"),
    "ex1-pocket-none": ("none", "lay_out_of_pocket"),
    "ex1-benefits-default": ("default", "participation_benefits"),
    "ex1-benefits-paid": ("paid", "participation_benefits"),
    "ex1-cuts-paid": ("paid", "benefit_loss_events"),
    "ex1-takenback-paid": ("paid", "benefit_taken_back"),
    "ex1-benefits-paid-legacy": ("paid-legacy", "participation_benefits"),
    "ex1-cuts-paid-legacy": ("paid-legacy", "benefit_loss_events"),
    "ex1-benefits-safe": ("paid-safe", "participation_benefits"),
    "ex1-disabled-safe": ("paid-safe", "participation_disabled"),
    "ex1-disabled-travel": ("paid-safe-travel", "participation_disabled"),
    "ex1-benefits-delay0": ("delay0", "participation_benefits"),
    "ex1-benefits-delay12": ("delay12", "participation_benefits"),
    "ex1-cost-default": ("default", "programme_cost"),
    "ex1-cost-travel": ("paid-safe-travel", "programme_cost"),
    # Exercise 2
    "ex2-exp-default": ("default", "experiential_share"),
    "ex2-exp-slow": ("pace02", "experiential_share"),
    "ex2-exp-fast": ("pace09", "experiential_share"),
    "ex2-recog-default": ("default", "recognition_of_experience"),
    "ex2-recog-slow": ("pace02", "recognition_of_experience"),
    "ex2-unexp-default": ("default", "insights_unexpected"),
    "ex2-unexp-slow": ("pace02", "insights_unexpected"),
    "ex2-ties-default": ("default", "cross_role_ties"),
    "ex2-ties-slow": ("pace02", "cross_role_ties"),
    "ex2-ties-fast": ("pace09", "cross_role_ties"),
    "ex2-unpaid-slow": ("pace02", "unpaid_lay_hours"),
    "ex2-cost-slow": ("pace02", "programme_cost"),
    "ex2-manag-slow": ("pace02", "satisfaction_managerial"),
    "ex2-exp-unpaid-fast": ("unpaid-fast", "experiential_share"),
    "ex2-exp-slow-safe": ("slow-benefit-safe", "experiential_share"),
    # Exercise 3
    "ex3-rights-default": ("default", "satisfaction_rights"),
    "ex3-rights-tok": ("tok", "satisfaction_rights"),
    "ex3-rights-tok-agenda": ("tok-agenda03", "satisfaction_rights"),
    "ex3-rights-ps03": ("tok-ps03", "satisfaction_rights"),
    "ex3-rights-ps05": ("tok-ps05", "satisfaction_rights"),
    "ex3-rights-ps07": ("tok-ps07", "satisfaction_rights"),
    "ex3-manag-default": ("default", "satisfaction_managerial"),
    "ex3-manag-tok": ("tok", "satisfaction_managerial"),
    "ex3-rightsatt-default": ("default", "participation_rights_based"),
    "ex3-rightsatt-tok": ("tok", "participation_rights_based"),
    "ex3-gini-default": ("default", "influence_gini"),
    "ex3-gini-tok": ("tok", "influence_gini"),
    "ex3-exp-tok": ("tok", "experiential_share"),
    "ex3-exp-tok-agenda": ("tok-agenda03", "experiential_share"),
    # Exercise 4
    "ex4-cost-ul": ("ul", "programme_cost"),
    "ex4-cost-ul0": ("ul0", "programme_cost"),
    "ex4-cost-ul1": ("ul1", "programme_cost"),
    "ex4-pay-share": (None, pay_share),
    "ex4-manag-ul0": ("ul0", "satisfaction_managerial"),
    "ex4-manag-ul": ("ul", "satisfaction_managerial"),
    "ex4-manag-ul1": ("ul1", "satisfaction_managerial"),
    "ex4-layins-default": ("default", "insights_lay_origin"),
    "ex4-layins-ul0": ("ul0", "insights_lay_origin"),
    "ex4-layins-ul": ("ul", "insights_lay_origin"),
    "ex4-layins-ul1": ("ul1", "insights_lay_origin"),
    "ex4-rights-ul0": ("ul0", "satisfaction_rights"),
    "ex4-rights-ul": ("ul", "satisfaction_rights"),
    "ex4-rights-ul1": ("ul1", "satisfaction_rights"),
    "ex4-gap-default": ("default", "power_gap"),
    "ex4-gap-ul": ("ul", "power_gap"),
    # Co-everything without resources
    "coe-lay": ("coe", "participation_lay"),
    "coe-disabled": ("coe", "participation_disabled"),
    "coe-perperson-default": ("default", "unpaid_hours_per_lay_participant"),
    "coe-perperson": ("coe", "unpaid_hours_per_lay_participant"),
    "coe-pocket": ("coe", "lay_out_of_pocket"),
    # Online meetings (issue 11)
    "online-dd-default": ("default", "participation_disabled_digital"),
    "online-dd": ("online", "participation_disabled_digital"),
    "online-off-default": ("default", "participation_offline"),
    "online-off": ("online", "participation_offline"),
    "online-cost": ("online", "programme_cost"),
    "online-unexp": ("online", "insights_unexpected"),
    # A fixed budget (issue 11)
    "budget-used-default": ("default", "budget_used"),
    "budget-used-passive": ("squeeze-passive", "budget_used"),
    "budget-used-squeeze": ("squeeze", "budget_used"),
    "budget-changes": ("squeeze", "rule_changes"),
    "budget-laycost-passive": ("squeeze-passive", "lay_cost_share"),
    "budget-laycost-squeeze": ("squeeze", "lay_cost_share"),
    "budget-lay-passive": ("squeeze-passive", "participation_lay"),
    "budget-lay-squeeze": ("squeeze", "participation_lay"),
}


def recognition_rise(key: str):
    """How much the chance that lived experience is recognised rose over the run: its
    final value less its value at the first meeting, as *What happened* reports it."""

    def rise(seed: int) -> float:
        m = model(key, seed)
        weekly = m.history[:, METRIC_NAMES.index("recognition_of_experience")]
        return m.final_metrics()["recognition_of_experience"] - weekly[weekly > 0][0]

    return rise


# Outcomes the guide's prose describes without printing a number (values shifting is
# told in words: the room reads its size in *What happened*), so they are not marked
# claims; the directions below still hold the prose to them. ``zero`` is a reference.
UNPRINTED: dict[str, tuple[str | None, str | object]] = {
    "zero": (None, lambda seed: 0.0),
    "values-pro-default": ("default", "values_shift_professional"),
    "values-pro-slow": ("pace02", "values_shift_professional"),
    "values-lay-default": ("default", "values_shift_lay"),
    "values-lay-slow": ("pace02", "values_shift_lay"),
    "recog-rise-default": (None, recognition_rise("default")),
    "recog-rise-slow": (None, recognition_rise("pace02")),
}


def value(claim: str, seed: int) -> float:
    key, metric = CLAIMS[claim] if claim in CLAIMS else UNPRINTED[claim]
    if callable(metric):
        return float(metric(seed))
    return float(final(key, seed)[metric])


# ---------------------------------------------------------------- the guide's numbers

CLAIM_MARK = re.compile(r"<!-- claim: ([a-z0-9-]+) -->")
NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)(k?)")


def numbers(cell: str) -> list[tuple[float, float]]:
    """The numbers in a table cell as (value, half its last printed digit).

    ``32%`` -> 0.32; ``£79k`` -> 79,000; ``£8,100-11,500`` -> 8,100 and 11,500.
    """
    pct = "%" in cell
    out = []
    for m in NUMBER.finditer(cell):
        text = m.group(1).replace(",", "")
        decimals = len(text.split(".")[1]) if "." in text else 0
        scale = (1000.0 if m.group(2) else 1.0) / (100.0 if pct else 1.0)
        out.append((float(text) * scale, 0.5 * 10.0**-decimals * scale))
    return out


def guide_claims() -> dict[str, tuple[tuple[float, float], list[tuple[float, float]]]]:
    """claim ID -> (seed-0 value, [range low, range high]) read from the guide's tables.

    A marked row is ``| what <!-- claim: ID --> | settings | seed 0 | seeds 0-9 |``.
    """
    found: dict = {}
    for line in GUIDE.splitlines():
        mark = CLAIM_MARK.search(line)
        if not mark:
            continue
        claim = mark.group(1)
        assert claim not in found, f"claim {claim} is marked twice in the guide"
        assert line.lstrip().startswith("|"), f"claim {claim} is not in a table row"
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        seed0, span = numbers(cells[-2]), numbers(cells[-1])
        assert len(seed0) == 1, f"claim {claim}: seed-0 cell {cells[-2]!r}"
        assert len(span) == 2, f"claim {claim}: range cell {cells[-1]!r}"
        found[claim] = (seed0[0], span)
    return found


PRINTED = guide_claims()


def close(measured: float, printed: tuple[float, float]) -> bool:
    number, half_digit = printed
    return abs(measured - number) <= max(REL_TOL * abs(number), half_digit) + 1e-9


def test_the_parser_found_every_claim():
    """The guide marks exactly the claims this file knows how to run, once each."""
    # issue 11: online meetings 6, a fixed budget 8; Universal Credit and the older
    # suspension rule in Exercise 1, 3
    assert len(PRINTED) == len(CLAIMS) == 72 + 8 + 3
    assert not set(UNPRINTED) & set(CLAIMS)
    assert set(PRINTED) == set(CLAIMS)


@pytest.mark.parametrize("claim", sorted(CLAIMS))
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_seed_0_value(claim):
    """Seed 0 is what a room sees by default: its value is the one to print."""
    measured = value(claim, 0)
    assert close(measured, PRINTED[claim][0]), (
        f"{claim}: the guide says {PRINTED[claim][0][0]:g}, the model gives {measured:.4g}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_range_over_seeds(claim):
    """The printed range is the lowest and highest value over seeds 0-9."""
    values = [value(claim, s) for s in SEEDS]
    (low, high) = PRINTED[claim][1]
    assert close(min(values), low) and close(max(values), high), (
        f"{claim}: the guide says {low[0]:g}-{high[0]:g}, "
        f"the model gives {min(values):.4g}-{max(values):.4g}"
    )


# ---------------------------------------------------------------- directions

# (lower, higher, why): the guide says lower < higher. A direction the guide states
# flatly ("falls", "rises") must hold on at least 8 of 10 seeds, so that a room on
# almost any seed sees it. With keyed draws all hold on 10 seeds except the rise in
# recognition at the default pace (the guide says "on 9 of the 10 seeds"), managers'
# slight dislike of slow meetings (the guide says "on most seeds") and online
# meetings' fewer unexpected insights, on 9. Fast meetings' ties are compared with slow
# meetings' (pace 0.2): the default pace itself builds almost no strong ties.
AT_LEAST = 8
DIRECTIONS = [
    ("ex1-lay-none", "ex1-lay-default", "no compensation: fewer people come"),
    ("ex1-unpaid-none", "ex1-unpaid-default", "no compensation: fewer unpaid hours"),
    ("ex1-pocket-default", "ex1-pocket-none", "no compensation: more out of pocket"),
    # Universal Credit (the default rules since issue 11) suspends nothing: unsafe pay no
    # longer keeps people on benefits away (more come than with expenses on every seed
    # 0-9; on seed 0 about as many, 16% against 15%). The older suspension rule
    # still does, and the guide shows it for contrast.
    ("ex1-benefits-default", "ex1-benefits-paid", "UC: unsafe pay no longer keeps them away"),
    ("ex1-benefits-paid-legacy", "ex1-benefits-default", "suspension rule: they stay away"),
    ("ex1-benefits-paid-legacy", "ex1-benefits-paid", "suspension rule: fewer than under UC"),
    ("ex1-benefits-paid", "ex1-benefits-safe", "benefit-safe pay brings far more of them"),
    ("ex1-disabled-safe", "ex1-disabled-travel", "travel support brings disabled people"),
    ("ex1-benefits-delay12", "ex1-benefits-delay0", "slow refunds keep people on benefits away"),
    ("ex1-cost-default", "ex1-cost-travel", "paying people costs the programme"),
    ("ex2-exp-default", "ex2-exp-slow", "slow meetings: more lived experience"),
    ("ex2-exp-fast", "ex2-exp-default", "fast meetings: less lived experience"),
    ("ex2-recog-default", "ex2-recog-slow", "slow meetings: lived experience recognised more"),
    ("zero", "recog-rise-default", "professionals learn to recognise lived experience"),
    ("recog-rise-default", "recog-rise-slow", "... more in slow meetings"),
    ("zero", "values-pro-default", "professionals' values move towards lived experience"),
    ("values-pro-default", "values-pro-slow", "... further in slow meetings"),
    ("values-lay-default", "zero", "unheard lay people move away from experience"),
    ("values-lay-slow", "zero", "... in slow meetings too"),
    ("ex2-unexp-default", "ex2-unexp-slow", "slow meetings: more unexpected insights"),
    ("ex2-ties-default", "ex2-ties-slow", "slow meetings: more cross-role ties"),
    ("ex2-ties-fast", "ex2-ties-slow", "fast meetings: almost no cross-role ties"),
    ("ex1-unpaid-default", "ex2-unpaid-slow", "slow meetings take more unpaid hours"),
    ("ex2-manag-slow", "ex3-manag-default", "managers like slow meetings a little less"),
    ("ex2-exp-unpaid-fast", "ex2-exp-slow-safe", "the two presets at the extremes"),
    ("ex3-rights-tok", "ex3-rights-default", "tokenism: rights-based satisfaction falls"),
    ("ex3-rightsatt-tok", "ex3-rightsatt-default", "tokenism: rights-based people come less"),
    ("ex3-gini-default", "ex3-gini-tok", "tokenism: influence more unequal"),
    ("ex3-rights-tok", "ex3-rights-ps03", "power sharing raises rights-based satisfaction"),
    ("ex3-rights-ps03", "ex3-rights-ps05", "... step by step"),
    ("ex3-rights-ps05", "ex3-rights-ps07", "... step by step"),
    ("ex3-exp-tok", "ex3-exp-tok-agenda", "an open agenda changes what is said"),
    ("ex1-cost-default", "ex4-cost-ul", "the user-led programme costs more"),
    ("ex4-cost-ul", "ex4-cost-ul1", "more user-led funding, more cost"),
    ("ex4-manag-ul0", "ex3-manag-default", "pay lowers managers' satisfaction"),
    ("ex4-manag-ul0", "ex4-manag-ul", "user-led funding wins managers back"),
    ("ex4-manag-ul", "ex4-manag-ul1", "... step by step"),
    ("ex4-layins-ul0", "ex4-layins-ul", "user-led funding: more insights from lay people"),
    ("ex4-layins-ul", "ex4-layins-ul1", "... and more"),
    ("ex4-rights-ul0", "ex4-rights-ul", "user-led funding: rights-based satisfaction"),
    ("ex4-rights-ul", "ex4-rights-ul1", "... and more"),
    ("ex4-gap-default", "ex4-gap-ul", "user-led funding widens the power gap"),
    ("coe-lay", "ex1-lay-default", "co-everything: people priced out"),
    ("ex1-pocket-default", "coe-pocket", "co-everything: out of pocket"),
    ("coe-perperson-default", "coe-perperson", "co-everything: a little more unpaid work each"),
    ("online-dd-default", "online-dd", "online: disabled people with digital access come more"),
    ("online-off", "online-off-default", "online: people without digital access cannot come"),
    ("online-cost", "ex1-cost-default", "online: the programme costs less"),
    ("online-unexp", "ex2-unexp-default", "online: fewer unexpected insights"),
    ("budget-used-squeeze", "budget-used-passive", "a fixed budget: managers' cuts spend less"),
    ("budget-laycost-passive", "budget-laycost-squeeze", "a fixed budget: lay people carry cost"),
    ("budget-lay-squeeze", "budget-lay-passive", "a fixed budget: fewer lay people come"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("lower", "higher", "why"), DIRECTIONS, ids=[d[2] for d in DIRECTIONS])
def test_direction(lower, higher, why):
    """A contrast the guide draws holds seed by seed (paired: same seed, same people).

    Counted per seed rather than tested on means: a room runs one seed, so the
    question is how many rooms would see the direction the guide promises.
    """
    holds = sum(value(lower, s) < value(higher, s) for s in SEEDS)
    assert holds >= AT_LEAST, f"{why}: {lower} < {higher} on {holds} of 10 seeds"


# (small effect's pair, large effect's pair, largest ratio of mean differences, why)
BARELY = [
    (
        ("ex3-rights-tok", "ex3-rights-tok-agenda"),
        ("ex3-rights-tok", "ex3-rights-ps03"),
        0.1,
        "rights-based satisfaction: agenda openness barely matters, power sharing does",
    ),
    (
        ("ex3-manag-default", "ex4-manag-ul1"),
        ("ex4-manag-ul0", "ex3-manag-default"),
        0.25,
        "managers' satisfaction: full user-led funding wins back what the pay cost",
    ),
    (
        ("ex2-manag-slow", "ex3-manag-default"),
        ("ex4-manag-ul0", "ex3-manag-default"),
        0.25,
        "managers: slow meetings cost their satisfaction far less than paying people",
    ),
    (
        ("ex3-manag-default", "ex3-manag-tok"),
        ("ex3-rights-default", "ex3-rights-tok"),
        0.1,
        "tokenism costs managers nothing and rights-based people most",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("small", "large", "ratio", "why"), BARELY, ids=[b[3] for b in BARELY])
def test_barely_moves(small, large, ratio, why):
    """One lever's effect is a small fraction of another's, on the mean over seeds 0-9.

    A ratio of mean paired differences, not a significance test: "barely moves" is
    a claim about size, and a tiny effect can still be consistent across seeds.
    """

    def mean_diff(pair):
        a, b = pair
        return np.mean([value(b, s) - value(a, s) for s in SEEDS])

    assert abs(mean_diff(small)) <= ratio * abs(mean_diff(large)), why


# ---------------------------------------------------------------- who stopped most often

NAMED_MARK = re.compile(r"<!-- named: ([a-z -]+) -->")
NOBODY = "nobody"


def named(seed: int) -> str:
    """Whom *What happened* names as stopping most often in the tokenistic preset."""
    m = model("tok", seed)
    name, share, overall = _stopped_most(m.state, leavers(m))
    # the page names a group only when it stands out (see dashboards.story._who_stopped)
    return name if share > overall + 0.05 else NOBODY


def guide_named() -> dict[str, tuple[str, int]]:
    """group -> (seed-0 cell, count of seeds) from the rows marked ``named``."""
    rows = {}
    for line in GUIDE.splitlines():
        mark = NAMED_MARK.search(line)
        if mark:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[mark.group(1)] = (cells[-2].lower(), int(cells[-1].split()[0]))
    return rows


def test_who_stopped_most_often_on_seed_0():
    """The guide's row marked 'yes' for seed 0 is the group the page names."""
    rows = guide_named()
    assert len(rows) == 4 and sum(n for _, n in rows.values()) == 10
    said = [group for group, (cell, _) in rows.items() if cell == "yes"]
    assert said == [named(0)]


@pytest.mark.slow
def test_who_stopped_most_often_over_seeds():
    """How often each group is named over seeds 0-9, give or take one seed."""
    counts = dict.fromkeys(guide_named(), 0)
    for s in SEEDS:
        counts[named(s)] += 1
    for group, (_, printed) in guide_named().items():
        assert abs(counts[group] - printed) <= 1, (group, counts)
