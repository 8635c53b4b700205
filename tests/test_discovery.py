"""Scenario discovery (tree rules, PRIM boxes, ``--where``) and the weekly series analysis.

Every expected value is worked out by hand from small made-up tables: which runs
fall in a region, how many of them the target holds in, the percentiles of three
numbers, the week from which a run's regime stays put.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from test_analyze import write_sweep

from experiments import cli
from experiments.analysis import AnalysisError
from experiments.analysis import discovery as disc
from experiments.analysis import timeseries as ts
from simulation.metrics import METRIC_NAMES

KINDS = {"pace": "float", "compensation": "choice", "benefit_safe": "bool"}


def _numbers(rule: str, name: str, op: str) -> list[float]:
    return [float(v) for v in re.findall(rf"{name} {op} ([0-9.]+)", rule)]


@pytest.fixture
def runs() -> pd.DataFrame:
    """5 paces x 3 compensations x 2 benefit_safe x 4 replicates = 120 runs."""
    grid = itertools.product(
        [0.1, 0.2, 0.4, 0.6, 0.8], ["none", "expenses", "paid"], [True, False], range(4)
    )
    return pd.DataFrame(list(grid), columns=["pace", "compensation", "benefit_safe", "rep"])[
        list(KINDS)
    ]


def test_tree_recovers_pace_below_0_3_with_paid(runs):
    # Target: pace < 0.3 and paid: paces 0.1, 0.2 x paid x 2 x 4 = 16 runs, all in the
    # region, and the region holds nothing else: coverage 16/16, density 16/16.
    held = (runs["pace"] < 0.3) & (runs["compensation"] == "paid")
    (rule, coverage, density, n_runs), *others = disc.tree_rules(runs, held.to_numpy(), KINDS)
    assert others == []
    assert "compensation is paid" in rule and "benefit_safe" not in rule
    (cut,) = _numbers(rule, "pace", "≤")
    assert 0.2 <= cut < 0.4  # between the last pace inside and the first outside
    assert (coverage, density, n_runs) == (1.0, 1.0, 16)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_rules_name_categories_and_booleans(runs):
    # benefit_safe true: 60 of the 120 runs, exactly the region.
    held = runs["benefit_safe"].to_numpy()
    table, notes = disc.discover(runs, {"safe": pd.Series(held)}, KINDS)
    assert notes == []
    assert set(table["method"]) == {"tree", "prim"}
    assert list(table["rule"]) == ["benefit_safe is true", "benefit_safe is true"]
    assert list(table["coverage"]) == [1.0, 1.0] and list(table["density"]) == [1.0, 1.0]
    assert list(table["n_runs"]) == [60, 60]
    # expenses or paid: the tree's "not none" reads as the two other categories.
    held = (runs["compensation"] != "none").to_numpy()
    (rule, *_), *_ = disc.tree_rules(runs, held, KINDS)
    assert rule == "compensation is expenses or paid"


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_prim_finds_a_known_box():
    # A 20 x 20 grid of cell centres (0.025 .. 0.975); the target is the quarter with
    # pace < 0.5 and lay_expertise >= 0.5: 10 x 10 = 100 runs.
    centres = (np.arange(20) + 0.5) / 20
    a, b = np.meshgrid(centres, centres)
    x = pd.DataFrame({"pace": a.ravel(), "lay_expertise": b.ravel()})
    held = ((x["pace"] < 0.5) & (x["lay_expertise"] >= 0.5)).to_numpy()
    [(rule, coverage, density, n_runs)] = disc.prim_rules(x, held, dict.fromkeys(x, "float"))
    (high,) = _numbers(rule, "pace", "≤")
    (low,) = _numbers(rule, "lay_expertise", "≥")
    assert 0.475 <= high < 0.525 and 0.475 < low <= 0.525
    assert (coverage, density, n_runs) == (1.0, 1.0, 100)


def test_targets_in_no_run_or_every_run_are_noted_not_searched(runs):
    table, notes = disc.discover(
        runs,
        {"never": pd.Series(False, index=runs.index), "always": pd.Series(True, index=runs.index)},
        KINDS,
    )
    assert table.empty and list(table.columns) == list(disc.COLUMNS)
    assert notes == [
        "discovery: 'never' holds in no run; no region to find",
        "discovery: 'always' holds in every run; no region to find",
    ]


def test_where_parsing():
    assert disc.parse_where("participation_parity > 0.8") == [
        disc.Clause("participation_parity", ">", 0.8)
    ]
    clauses = disc.parse_where(" insights>=12 and  mean_trust <= .5 ")
    assert clauses == [disc.Clause("insights", ">=", 12.0), disc.Clause("mean_trust", "<=", 0.5)]
    table = pd.DataFrame({"insights": [11, 12, 20], "mean_trust": [0.1, 0.5, 0.6]})
    assert list(disc.where_holds(clauses, table)) == [False, True, False]
    for bad in (
        "",
        "participation_parity = 0.8",
        "participation_parity > high",
        "a < 1 and b < 2 and c < 3",
        "> 0.8",
        "participation_parity > 0.8 or insights > 1",
    ):
        with pytest.raises(AnalysisError, match="--where"):
            disc.parse_where(bad)
    with pytest.raises(
        AnalysisError, match=r"unknown metric .parity.*allowed: .*participation_parity"
    ):
        disc.parse_where("parity > 0.8")


def _parity_sweep(path):
    """pace 0.2 or 0.8, 10 replicates; parity 0.9 at pace 0.2, else 0.5 (elite capture)."""
    parity = lambda _run, values: {"participation_parity": 0.9 if values["pace"] < 0.5 else 0.5}  # noqa: E731
    return write_sweep(path, {"pace": [0.2, 0.8]}, replicates=10, metrics=parity)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_where_through_the_command(tmp_path, capsys):
    sweep = _parity_sweep(tmp_path / "parity")
    assert cli.main(["analyze", str(sweep), "--where", "participation_parity > 0.8"]) == 0
    table = pd.read_csv(sweep / "discovery.csv")
    assert list(table.columns) == list(disc.COLUMNS)
    mine = table[table["target"] == "participation_parity > 0.8"]
    assert list(mine["method"]) == ["tree", "prim"]
    # Both find pace 0.2 exactly: the 10 runs there, all with parity 0.9.
    assert list(mine["coverage"]) == [1.0, 1.0] and list(mine["density"]) == [1.0, 1.0]
    assert list(mine["n_runs"]) == [10, 10]
    (tree_cut,) = _numbers(mine["rule"].iloc[0], "pace", "≤")
    assert 0.2 <= tree_cut < 0.8
    # Every other metric is 0.5, so pace 0.8 (parity 0.5 < 0.6) is elite capture and
    # pace 0.2 ordinary involvement: each found as its pace.
    assert set(table["target"]) == {"participation_parity > 0.8", "elite_capture", "ordinary"}
    report = (sweep / "report.md").read_text(encoding="utf-8")
    assert "## Where each regime holds" in report and "**Coverage**" in report
    capsys.readouterr()
    assert cli.main(["analyze", str(sweep), "--where", "parity > 0.8"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown metric 'parity'" in err[0] and "allowed:" in err[0]


# --------------------------------------------------------------------------- weekly series


def test_bands_median_and_90_percent_band_by_hand():
    # Level a: runs 1-3 with 0, 10, 20 in week 1. Linear percentiles of three values:
    # 5th at position 0.05 * 2 = 0.1 -> 1.0; 95th at 1.9 -> 19.0; median 10.
    # Level b: run 4 alone, 7 -> median = low = high = 7. A `_week` column wins.
    series = pd.DataFrame(
        {
            "run_id": [1, 2, 3, 4],
            "week": [1, 1, 1, 1],
            "mean_trust_week": [0.0, 10.0, 20.0, 7.0],
            "mean_trust": [99.0, 99.0, 99.0, 99.0],
        }
    )
    level = pd.Series({1: "a", 2: "a", 3: "a", 4: "b"})
    table = ts.bands(series, level, "mean_trust").set_index("level")
    assert table.loc["a", ["median", "low", "high"]].tolist() == pytest.approx([10.0, 1.0, 19.0])
    assert table.loc["b", ["median", "low", "high"]].tolist() == pytest.approx([7.0, 7.0, 7.0])


def test_main_factor_is_the_largest_main_effect_on_the_metrics_discussed():
    effects = pd.DataFrame(
        [
            ("participation_parity", "pace", 0.2),
            ("participation_parity", "compensation", 0.5),
            ("participation_parity", "compensation:pace", 0.9),  # an interaction: not a factor
            ("mean_trust", "benefit_safe", 0.7),  # not a metric discussed
        ],
        columns=["metric", "term", "effect"],
    )
    varied = ["compensation", "pace", "benefit_safe"]
    assert ts.largest_effect(effects, varied, ["participation_parity"]) == "compensation"
    assert ts.largest_effect(effects, varied, ["mean_trust"]) == "benefit_safe"
    assert ts.largest_effect(None, varied, ["mean_trust"]) is None
    # Without effects: level means of trust 0.2 / 0.4 by pace (spread 0.2) against
    # equal means by compensation; pace spreads most.
    ok = pd.DataFrame(
        {
            "pace": [0.1, 0.1, 0.9, 0.9],
            "compensation": ["none", "paid"] * 2,
            "mean_trust": [0.2, 0.2, 0.4, 0.4],
        }
    )
    assert ts.main_factor(ok, ["compensation", "pace"], ["mean_trust"]) == "pace"


def test_running_summary_by_hand():
    # 8 weeks; a rate (participation_lay) is the mean of the last quarter of the weeks
    # so far (weeks 7-8 at week 8), a total (insights) their sum, a final its last value.
    history = np.zeros((8, len(METRIC_NAMES)))
    lay, ins = METRIC_NAMES.index("participation_lay"), METRIC_NAMES.index("insights")
    fin = METRIC_NAMES.index("retention_lay")
    history[:, lay] = [1, 2, 3, 4, 5, 6, 7, 9]
    history[:, ins] = 1
    history[:, fin] = [0.1] * 7 + [0.4]
    summary = ts.running_summary(history)
    assert summary[:, lay].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]  # week 8: (7 + 9) / 2
    assert summary[:, ins].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert summary[-1, fin] == 0.4 and summary[0, fin] == 0.1


def test_settle_week_by_hand():
    assert ts.settle_week(pd.Series(["a", "b", "a", "a"], index=[1, 2, 3, 4])) == 3
    assert ts.settle_week(pd.Series(["a", "a"], index=[1, 2])) == 1
    assert ts.settle_week(pd.Series(["a", "b"], index=[1, 2])) == 2
    # 10 runs ending ordinary, run r settling at week r (collapse before): 9 of them
    # (90%) have settled by week 9. One run ending in collapse, settled from week 1.
    rows = [(r, w, "collapse" if w < r else "ordinary") for r in range(1, 11) for w in range(1, 11)]
    rows += [(11, w, "collapse") for w in range(1, 11)]
    running = pd.DataFrame(rows, columns=["run_id", "week", "regime"])
    table = ts.settled_weeks(running).set_index("regime")
    assert table.loc["ordinary"].tolist() == [10, 9, 10]
    assert table.loc["collapse"].tolist() == [1, 1, 10]


def test_running_regimes_on_a_hand_made_series():
    # Lay participation 0.05 in weeks 1-3 (collapse: under 0.10), then 0.5. With
    # parity 1 and everything else 0.5 the run is otherwise ordinary: at week w the
    # rate is the mean of the last max(1, w // 4) weeks, so week 4 reads 0.5 and the
    # run settles at week 4.
    weeks = np.arange(1, 9)
    series = pd.DataFrame({"run_id": 7, "week": weeks, **dict.fromkeys(METRIC_NAMES, 0.5)})
    series["participation_lay"] = [0.05] * 3 + [0.5] * 5
    series["participation_parity"] = 1.0
    running = ts.running_regimes(series, pd.DataFrame(index=[7]))
    assert running["regime"].tolist() == ["collapse"] * 3 + ["ordinary"] * 5
    assert ts.settle_week(running.set_index("week")["regime"]) == 4


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_weekly_section_with_a_stored_series(tmp_path):
    sweep = _parity_sweep(tmp_path / "weekly")
    runs = pd.read_parquet(sweep / "runs.parquet")
    rows = [
        {"run_id": r, "week": w, **dict.fromkeys(METRIC_NAMES, 0.5), "participation_parity": p}
        for r, p in zip(runs["run_id"], runs["participation_parity"], strict=True)
        for w in range(1, 5)
    ]
    pd.DataFrame(rows).to_parquet(sweep / "timeseries.parquet", index=False)
    assert cli.main(["analyze", str(sweep), "--metric", "participation_parity"]) == 0
    report = (sweep / "report.md").read_text(encoding="utf-8")
    assert "## Weekly series" in report and "one colour per level of `pace`" in report
    assert (sweep / "figures" / "weekly-values.png").is_file()
    assert "(weekly series; analysed under Weekly series)" in report
    # Every week's values equal the run's summary: settled from week 1.
    assert "| elite capture | 10 | 1 | 4 |" in report
    assert "| ordinary involvement | 10 | 1 | 4 |" in report
