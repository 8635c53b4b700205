"""Every number docs/regimes.md gives comes from the runs this file names.

The thresholds in ``experiments/regimes.py`` are definitions; ``docs/regimes.md``
justifies each by the model's own scales, and those scales are measured here:

- each measured number sits in a table row marked ``<!-- claim: ID -->``, whose
  last cell is a range (lowest-highest over the seeds) or one number (a median,
  a standard deviation, a highest or a lowest, as the row says). :data:`CLAIMS`
  names the runs behind each ID: a preset and the changes made to it, over seeds
  0-19 for a shipped preset as it is and seeds 0-9 for a changed one (the doc's
  seeds column says which, and a test checks it).
- the table between ``<!-- presets:start -->`` and ``<!-- presets:end -->`` is
  made again from the six presets over seeds 0-19, word for word;
- the doc's sentences on where each threshold sits ("in the gap between ...",
  "at the top edge of ...") are checked on the same runs
  (``test_thresholds_sit_where_the_doc_says``).

A model change that moves a number fails here; every failure message gives the
cell or table to paste into the doc, so re-measuring is running
``pytest tests/test_regimes_doc.py -m slow`` and copying. The fast tier checks
only that the doc's marks and this file agree; the runs (under 300, 104 weeks
each, about 10 s) are marked slow.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from experiments.regimes import REGIME_BY_NAME, REGIME_NAMES, REGIMES, classify, indicators
from simulation import CoProductionModel
from simulation.params import DEFAULTS
from simulation.scenarios import load_scenario

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "regimes.md"
DOC = DOC_PATH.read_text(encoding="utf-8")
PRESETS = (
    "default",
    "unpaid-fast",
    "tokenistic",
    "slow-benefit-safe",
    "user-led",
    "co-everything-unresourced",
)
PRESET_SEEDS = range(20)  # a shipped preset as it is
CHANGED_SEEDS = range(10)  # a preset with changes
REL_TOL = 0.05

# Settings: (preset, changes). A preset as shipped is run on PRESET_SEEDS, a changed
# one on CHANGED_SEEDS.
SETTINGS: dict[str, tuple[str, dict]] = {
    **{p: (p, {}) for p in PRESETS},
    "trips-200": ("default", {"compensation": "none", "travel_cost": 200.0}),
    "paid-all-on-benefits": ("default", {"compensation": "paid", "share_on_benefits": 1.0}),
    "paid-all-on-benefits-suspended": (
        "default",
        {"compensation": "paid", "share_on_benefits": 1.0, "benefit_rules": "legacy-20"},
    ),
    "unpaid-weekly": ("default", {"compensation": "none", "meeting_interval": 1}),
    "unpaid-fortnightly": ("default", {"compensation": "none", "meeting_interval": 2}),
    "unpaid-four-weekly": ("default", {"compensation": "none", "meeting_interval": 4}),
    "unpaid-fortnightly-slow": (
        "default",
        {"compensation": "none", "meeting_interval": 2, "pace": 0.2},
    ),
    "unpaid-weekly-fast": ("default", {"compensation": "none", "meeting_interval": 1, "pace": 0.9}),
    "refund-12": ("default", {"refund_delay": 12}),
    "refund-26": ("default", {"refund_delay": 26}),
    "coe-12-weeks": ("co-everything-unresourced", {"weeks": 12}),
    "paid": ("default", {"compensation": "paid"}),
    "paid-safe": ("default", {"compensation": "paid", "benefit_safe": True}),
    "power-0.05": ("default", {"power_sharing": 0.05}),
    "power-0.8": ("default", {"power_sharing": 0.8}),
    "slow-safe-12-weeks": ("slow-benefit-safe", {"weeks": 12}),
}
GENERATIVE = ("slow-benefit-safe", "user-led")
OTHERS = tuple(p for p in PRESETS if p not in GENERATIVE)
NO_TRAVEL_SUPPORT = ("default", "unpaid-fast", "tokenistic", "co-everything-unresourced")


def seeds(setting: str) -> range:
    return PRESET_SEEDS if not SETTINGS[setting][1] else CHANGED_SEEDS


@cache
def run(setting: str, seed: int) -> tuple[dict[str, float], str]:
    """A run's indicators (what the rules read) and its regime."""
    preset, changes = SETTINGS[setting]
    values = {**load_scenario(preset), **changes}
    row = {**values, **CoProductionModel(rng=seed, **values).run()}
    return indicators(row), classify(row)


def values(settings: str | tuple[str, ...], indicator: str) -> list[float]:
    """An indicator over every seed of one setting or of several."""
    group = (settings,) if isinstance(settings, str) else settings
    return [run(s, seed)[0][indicator] for s in group for seed in seeds(s)]


# claim ID -> (setting or settings, indicator, statistic, decimals, unit prefix).
# The statistic "range" prints lowest-highest; the others print one number.
STATS = {"median": np.median, "max": max, "min": min, "sd": np.std}
CLAIMS: dict[str, tuple[str | tuple[str, ...], str, str, int, str]] = {
    # 1. Collapse
    "collapse-presets": (PRESETS, "participation_lay", "min", 2, ""),
    "collapse-trips": ("trips-200", "participation_lay", "range", 3, ""),
    "collapse-benefits": ("paid-all-on-benefits", "participation_lay", "range", 3, ""),
    "collapse-benefits-suspended": (
        "paid-all-on-benefits-suspended",
        "participation_lay",
        "range",
        3,
        "",
    ),
    "collapse-trips-parity": ("trips-200", "participation_parity", "range", 2, ""),
    # 2. Precarious labour: time
    "time-weekly": ("unpaid-weekly", "unpaid_hours_per_week", "range", 2, ""),
    "time-fortnightly": ("unpaid-fortnightly", "unpaid_hours_per_week", "range", 2, ""),
    "time-four-weekly": ("unpaid-four-weekly", "unpaid_hours_per_week", "range", 2, ""),
    "time-fortnightly-slow": ("unpaid-fortnightly-slow", "unpaid_hours_per_week", "range", 2, ""),
    "time-weekly-fast": ("unpaid-weekly-fast", "unpaid_hours_per_week", "range", 2, ""),
    "time-coe": ("co-everything-unresourced", "unpaid_hours_per_week", "range", 2, ""),
    "time-unpaid-fast": ("unpaid-fast", "unpaid_hours_per_week", "range", 2, ""),
    "time-default": ("default", "unpaid_hours_per_week", "range", 2, ""),
    "time-paid": ("paid", "unpaid_hours_per_week", "max", 2, ""),
    # 2. Precarious labour: money
    "money-refund-4": ("default", "out_of_pocket_per_lay", "range", 0, "£"),
    "money-refund-12": ("refund-12", "out_of_pocket_per_lay", "range", 0, "£"),
    "money-refund-26": ("refund-26", "out_of_pocket_per_lay", "range", 0, "£"),
    "money-four-weekly": ("unpaid-four-weekly", "out_of_pocket_per_lay", "range", 0, "£"),
    "money-unpaid-fast": ("unpaid-fast", "out_of_pocket_per_lay", "range", 0, "£"),
    "money-coe": ("co-everything-unresourced", "out_of_pocket_per_lay", "range", 0, "£"),
    "money-coe-12": ("coe-12-weeks", "out_of_pocket_per_lay", "range", 0, "£"),
    # 3. Elite capture
    "parity-paid": ("paid", "participation_parity", "range", 2, ""),
    "parity-paid-median": ("paid", "participation_parity", "median", 2, ""),
    "parity-paid-safe": ("paid-safe", "participation_parity", "range", 2, ""),
    "parity-paid-safe-median": ("paid-safe", "participation_parity", "median", 2, ""),
    "parity-default-sd": ("default", "participation_parity", "sd", 2, ""),
    "parity-unpaid-fast-sd": ("unpaid-fast", "participation_parity", "sd", 2, ""),
    "parity-default-median": ("default", "participation_parity", "median", 2, ""),
    "parity-unpaid-fast-median": ("unpaid-fast", "participation_parity", "median", 2, ""),
    "parity-tokenistic-median": ("tokenistic", "participation_parity", "median", 2, ""),
    "parity-coe-median": ("co-everything-unresourced", "participation_parity", "median", 2, ""),
    # 4. Tokenism
    "rights-0.05": ("power-0.05", "satisfaction_rights", "range", 2, ""),
    "rights-0.3": ("default", "satisfaction_rights", "range", 2, ""),
    "rights-0.8": ("power-0.8", "satisfaction_rights", "range", 2, ""),
    "rights-tokenistic": ("tokenistic", "satisfaction_rights", "range", 2, ""),
    "parity-tokenistic": ("tokenistic", "participation_parity", "range", 2, ""),
    # 5. Generative co-production
    "gen-experiential": (GENERATIVE, "experiential_share", "range", 2, ""),
    "gen-unexpected": (GENERATIVE, "unexpected_share", "range", 2, ""),
    "gen-ties": (GENERATIVE, "cross_role_ties", "range", 2, ""),
    "gen-trust": (GENERATIVE, "mean_trust", "range", 3, ""),
    "gen-trust-slow-safe": ("slow-benefit-safe", "mean_trust", "range", 2, ""),
    "gen-trust-user-led": ("user-led", "mean_trust", "range", 3, ""),
    "others-experiential": (OTHERS, "experiential_share", "max", 2, ""),
    "others-unexpected": (OTHERS, "unexpected_share", "max", 2, ""),
    "others-ties": (OTHERS, "cross_role_ties", "max", 2, ""),
    "others-trust": (OTHERS, "mean_trust", "max", 2, ""),
    "gen-ties-12-weeks": ("slow-safe-12-weeks", "cross_role_ties", "max", 2, ""),
    # Where the presets land: unpaid-fast
    "unpaid-fast-parity": ("unpaid-fast", "participation_parity", "range", 2, ""),
    "unpaid-fast-experiential": ("unpaid-fast", "experiential_share", "median", 2, ""),
    "unpaid-fast-ties": ("unpaid-fast", "cross_role_ties", "max", 2, ""),
    "unpaid-fast-trust": ("unpaid-fast", "mean_trust", "median", 2, ""),
}


def measured(claim: str) -> list[float]:
    settings, indicator, stat, _, _ = CLAIMS[claim]
    got = values(settings, indicator)
    if stat == "range":
        return [min(got), max(got)]
    return [float(STATS[stat](got))]


def cell(claim: str) -> str:
    """What the doc's value cell should say for this claim, from the model today."""
    *_, decimals, unit = CLAIMS[claim]
    return "–".join(f"{unit}{v:,.{decimals}f}" for v in measured(claim))


def seeds_cell(claim: str) -> str:
    settings = CLAIMS[claim][0]
    group = (settings,) if isinstance(settings, str) else settings
    spans = {seeds(s) for s in group}
    assert len(spans) == 1, f"{claim} mixes presets and changed settings"
    span = spans.pop()
    return f"{span.start}–{span.stop - 1}"


# ---------------------------------------------------------------- the doc's numbers

CLAIM_MARK = re.compile(r"<!-- claim: ([a-z0-9.-]+) -->")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> list[tuple[float, float]]:
    """The numbers in a cell as (value, half its last printed digit): £1,250 -> 1250."""
    out = []
    for m in NUMBER.finditer(text):
        digits = m.group(0).replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        out.append((float(digits), 0.5 * 10.0**-decimals))
    return out


def doc_claims() -> dict[str, tuple[str, str]]:
    """claim ID -> (seeds cell, value cell), from rows ``| what <!-- claim: ID --> | .. |``."""
    found: dict[str, tuple[str, str]] = {}
    for line in DOC.splitlines():
        mark = CLAIM_MARK.search(line)
        if not mark:
            continue
        claim = mark.group(1)
        assert claim not in found, f"claim {claim} is marked twice in docs/regimes.md"
        assert line.lstrip().startswith("|"), f"claim {claim} is not in a table row"
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        found[claim] = (cells[-2], cells[-1])
    return found


PRINTED = doc_claims()


def close(got: float, printed: tuple[float, float]) -> bool:
    number, half_digit = printed
    return abs(got - number) <= max(REL_TOL * abs(number), half_digit) + 1e-9


def test_the_doc_marks_every_claim_once_with_its_seeds_and_numbers():
    assert set(PRINTED) == set(CLAIMS), set(PRINTED) ^ set(CLAIMS)
    for claim, (seeds_text, value_text) in PRINTED.items():
        assert seeds_text == seeds_cell(claim), f"{claim}: seeds should be {seeds_cell(claim)}"
        want = 2 if CLAIMS[claim][2] == "range" else 1
        assert len(numbers(value_text)) == want, f"{claim}: {value_text!r}"


def test_the_defaults_the_doc_names():
    """Two-year preset runs; £50 is five trips at £10; trust starts at 0.4 and 0.5."""
    assert DEFAULTS["weeks"] == 104 and DEFAULTS["travel_cost"] == 10.0
    assert (DEFAULTS["initial_trust_lay"], DEFAULTS["initial_trust_professional"]) == (0.4, 0.5)
    assert all(load_scenario(p)["weeks"] == 104 for p in PRESETS)


@pytest.mark.slow
@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_the_doc_number_is_the_model_number(claim):
    got = measured(claim)
    printed = numbers(PRINTED[claim][1])
    assert all(close(g, p) for g, p in zip(got, printed, strict=True)), (
        f"{claim}: docs/regimes.md says {PRINTED[claim][1]!r}; the model gives {cell(claim)!r}"
    )


# ---------------------------------------------------------------- where the presets land


def regime_counts(preset: str) -> Counter[str]:
    return Counter(run(preset, seed)[1] for seed in PRESET_SEEDS)


def presets_table() -> str:
    """The doc's table: each preset's regimes over seeds 0-19, most common first."""
    rows = ["| preset | regime (runs of 20) |", "| --- | --- |"]
    for preset in PRESETS:
        counts = regime_counts(preset)
        order = sorted(counts, key=lambda r: (-counts[r], REGIME_NAMES.index(r)))
        text = ", ".join(f"{REGIME_BY_NAME[r].label} {counts[r]}" for r in order)
        rows.append(f"| {preset} | {text} |")
    return "\n".join(rows)


def doc_presets_table() -> str:
    return DOC.split("<!-- presets:start -->", 1)[1].split("<!-- presets:end -->", 1)[0].strip()


def test_the_doc_table_names_every_preset_with_20_runs():
    rows = doc_presets_table().splitlines()[2:]
    assert [r.split("|")[1].strip() for r in rows] == list(PRESETS)
    for row in rows:
        counts = [int(n) for n in re.findall(r" (\d+)(?:,|\s*\|)", row)]
        assert sum(counts) == len(PRESET_SEEDS), row


@pytest.mark.slow
def test_where_the_presets_land_is_the_model_table():
    assert doc_presets_table() == presets_table(), (
        "docs/regimes.md's 'Where the presets land' should be:\n" + presets_table()
    )


# ---------------------------------------------------------------- the thresholds' gaps


def threshold(indicator: str) -> float:
    """The threshold the rules in experiments/regimes.py set on an indicator."""
    (found,) = {c.threshold for r in REGIMES for c in r.conditions if c.indicator == indicator}
    return found


def highest(settings, indicator):
    return max(values(settings, indicator))


def lowest(settings, indicator):
    return min(values(settings, indicator))


@pytest.mark.slow
def test_thresholds_sit_where_the_doc_says():
    """Each sentence of the doc on a threshold's place, on the runs of its tables.

    The thresholds are read from the rules, so moving one is checked against the gaps.
    """
    lay, hours = threshold("participation_lay"), threshold("unpaid_hours_per_week")
    pounds, parity_line = threshold("out_of_pocket_per_lay"), threshold("participation_parity")
    rights_line, trust = threshold("satisfaction_rights"), threshold("mean_trust")
    # Collapse: the extreme settings fall below 0.1, no preset on any seed does. Payment
    # counted as income with everyone on benefits collapses under the suspension rule
    # (legacy-20) only: under Universal Credit's taper (the default) it stays above the
    # presets' lowest seed, ordinary involvement on every seed.
    extreme = ("trips-200", "paid-all-on-benefits-suspended")
    assert highest(extreme, "participation_lay") < lay <= lowest(PRESETS, "participation_lay")
    assert DEFAULTS["benefit_rules"] == "uc"
    assert lowest("paid-all-on-benefits", "participation_lay") > lowest(
        PRESETS, "participation_lay"
    )
    assert all(run("paid-all-on-benefits", s)[1] == "ordinary" for s in CHANGED_SEEDS)
    # Precarious labour, time: every fortnightly unpaid seed below, every weekly one but one
    # above (the gap, 0.38 to 0.43, lies below the line, its top about two hundredths under);
    # slow fortnightly, fast weekly and co-everything-unresourced straddle it, with the counts
    # the doc gives.
    hour = "unpaid_hours_per_week"
    assert highest("unpaid-fortnightly", hour) < lowest("unpaid-weekly", hour) < hours - 0.02
    assert sum(v < hours for v in values("unpaid-weekly", hour)) == 1
    under = {"unpaid-fortnightly-slow": 4, "unpaid-weekly-fast": 6, "co-everything-unresourced": 4}
    for straddles, n in under.items():
        assert sum(v < hours for v in values(straddles, hour)) == n, straddles
    # Money: the indicator is lay_out_of_pocket as it is (never refunded, per lay participant).
    # Refunded expenses, late or not, are £0; nothing refunded over two years is over £50 on
    # every seed (four-weekly meetings lowest, £80), so £50 sits in the gap between the two.
    money = "out_of_pocket_per_lay"
    assert all(
        run(s, seed)[0][money] == run(s, seed)[0]["lay_out_of_pocket"]
        for s in SETTINGS
        for seed in seeds(s)
    )
    refunded = ("default", "refund-12", "refund-26")
    unrefunded = (
        "unpaid-weekly",
        "unpaid-fortnightly",
        "unpaid-four-weekly",
        "unpaid-fortnightly-slow",
        "unpaid-weekly-fast",
        "unpaid-fast",
        "co-everything-unresourced",
        "trips-200",
    )
    assert highest(refunded, money) == 0.0 < pounds < lowest(unrefunded, money)
    assert lowest(unrefunded, money) == lowest("unpaid-four-weekly", money)
    # So with nothing refunded the time half decides: precarious exactly when the hours reach
    # 0.45 (the £200 trips collapse first), with the counts the doc gives.
    precarious = {
        "unpaid-weekly": 9,
        "unpaid-fortnightly-slow": 6,
        "unpaid-weekly-fast": 4,
        "co-everything-unresourced": 16,
        "unpaid-fortnightly": 0,
        "unpaid-four-weekly": 0,
        "unpaid-fast": 0,
    }
    for setting, n in precarious.items():
        got = [run(setting, seed) for seed in seeds(setting)]
        assert all((r == "precarious_labour") == (v[hour] >= hours) for v, r in got), setting
        assert sum(r == "precarious_labour" for _, r in got) == n, setting
    assert all(run("trips-200", seed)[1] == "collapse" for seed in CHANGED_SEEDS)
    # The money half keeps the default out: 9 seeds of 20 reach 0.45 hours, none is precarious.
    assert sum(v >= hours for v in values("default", hour)) == 9
    assert all(run("default", seed)[1] != "precarious_labour" for seed in PRESET_SEEDS)
    # A stock: twelve weeks of co-everything-unresourced straddle £50 (5 seeds of 10 at or over).
    assert lowest("coe-12-weeks", money) < pounds <= highest("coe-12-weeks", money)
    assert sum(v >= pounds for v in values("coe-12-weeks", money)) == 5
    # Where the presets land: co-everything-unresourced's 4 seeds that are not precarious are
    # all under the hours line (2 captured, 2 ordinary); 12 of its 16 precarious seeds have
    # parity under 0.6 too.
    coe_runs = [run("co-everything-unresourced", seed) for seed in PRESET_SEEDS]
    assert all(v[money] >= pounds for v, _ in coe_runs)
    assert all(v[hour] < hours for v, r in coe_runs if r != "precarious_labour")
    assert (
        sum(
            r == "precarious_labour" and v["participation_parity"] < parity_line
            for v, r in coe_runs
        )
        == 12
    )
    # Elite capture: benefit-safe pay at or above 0.6 on 9 seeds of 10, its lowest just under
    # (0.597); pay counted as income (under Universal Credit's taper) no longer below it on
    # every seed, but on 7 of 10, so the two ranges overlap (0.60 to 0.81) and 0.6 sits at
    # the bottom edge of benefit-safe pay's range. The default and tokenistic have medians
    # above it (3 seeds of 20 under each); unpaid-fast's and co-everything-unresourced's are
    # below it (14 seeds of 20 under each).
    parity = "participation_parity"
    assert lowest("paid", parity) < lowest("paid-safe", parity) < parity_line
    assert lowest("paid-safe", parity) > parity_line - 0.005  # 0.597: just under
    assert sum(v < parity_line for v in values("paid-safe", parity)) == 1
    assert lowest("paid-safe", parity) < highest("paid", parity)
    assert sum(v < parity_line for v in values("paid", parity)) == 7
    assert all(np.median(values(s, parity)) >= parity_line for s in ("default", "tokenistic"))
    for setting, n in (("unpaid-fast", 14), ("co-everything-unresourced", 14)):
        got = values(setting, parity)
        assert np.median(got) < parity_line and sum(v < parity_line for v in got) == n, setting
    assert sum(v < parity_line for v in values("default", parity)) == 3
    assert sum(v < parity_line for v in values("tokenistic", parity)) == 3
    # Tokenism: in the gap between power sharing 0.05 and the default 0.3.
    rights = "satisfaction_rights"
    assert highest(("power-0.05", "tokenistic"), rights) < rights_line <= lowest("default", rights)
    # Generative: unexpected insights and ties in the gaps between the generative presets and
    # the rest. Lived experience: a gap, but below 0.25, which sits inside the generative
    # presets' range (slow-benefit-safe 4 seeds of 20 above, user-led none). Trust: every other
    # preset below, slow-benefit-safe above, user-led below on every seed.
    for name in ("unexpected_share", "cross_role_ties"):
        assert highest(OTHERS, name) < threshold(name) <= lowest(GENERATIVE, name), name
    share, line = "experiential_share", threshold("experiential_share")
    assert highest(OTHERS, share) < lowest(GENERATIVE, share) < line <= highest(GENERATIVE, share)
    assert sum(v >= line for v in values("slow-benefit-safe", share)) == 4
    assert highest("user-led", share) < line
    assert highest(OTHERS, "mean_trust") < highest("user-led", "mean_trust") < trust
    assert trust <= lowest("slow-benefit-safe", "mean_trust")
    # Twelve weeks of the slow programme: no strong ties yet, so never generative.
    assert highest("slow-safe-12-weeks", "cross_role_ties") < threshold("cross_role_ties")
    assert all(run("slow-safe-12-weeks", s)[1] != "generative" for s in CHANGED_SEEDS)
