"""docs/robustness.md and the README's robustness figures come from the shipped run.

``make robustness`` runs ``coprod robustness`` (64 points, 10 seeds), writes
docs/robustness.md with its figures, and keeps the run's tables in docs/robustness/.
These tests hold the documents to those tables:

- the report made again from the shipped tables is docs/robustness.md, word for word;
- the README's sentence on how many patterns hold in most of the space is read from them;
- (slow) the first design point, run again with today's model, gives the shipped rows, so
  a model change that moves the result fails here until ``make robustness`` runs again.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from experiments.analysis import robustness_report as report
from experiments.patterns import PATTERN_BY_NUMBER, evaluate, scenario_params

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "docs" / "robustness"
DOC = ROOT / "docs" / "robustness.md"
FIGURES = ROOT / "docs" / "img" / "robustness"
REMAKE = "run `make robustness` to make it again"
NUMBERS = (  # words, from 0
    "no one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)


@cache
def shipped() -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    table = pd.read_parquet(DATA / "robustness.parquet")
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    checks = pd.read_parquet(DATA / "checks.parquet")
    return table, manifest, checks


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_report_is_made_from_the_shipped_tables():
    table, manifest, checks = shipped()
    links = {
        name: Path(os.path.relpath(FIGURES / name, DOC.parent)).as_posix()
        for name in (report.HOLDS_PNG, report.EFFECTS_PNG)
    }
    assert DOC.read_text(encoding="utf-8") == report.report_markdown(
        table, manifest, links, checks
    ), f"docs/robustness.md differs from the shipped run's report: {REMAKE}"
    assert all((FIGURES / name).exists() for name in links)


def test_the_shipped_run_is_the_one_the_issue_asks_for():
    table, manifest, _ = shipped()
    assert table["point"].nunique() >= 64 and len(manifest["plan"]["seeds"]) >= 10
    assert sorted(table["pattern"].unique()) == sorted(PATTERN_BY_NUMBER)


def robust_sentence() -> str:
    """The README's sentence, worked out from the shipped table."""
    summary = report.shares(shipped()[0])
    weak = summary[summary["share"] < report.ROBUST_SHARE]
    words = dict(enumerate(NUMBERS.split()))
    strong = len(summary) - len(weak)
    return (
        f"{words[strong].capitalize()} of the {words[len(summary)]} patterns hold at "
        f"{report.ROBUST_SHARE:.0%} or more of the points; "
        + ", ".join(str(n) for n in weak["pattern"])
        + " do not"
    )


def test_the_readme_states_the_shipped_result():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert robust_sentence() in readme, (
        f"README should say: {robust_sentence()!r} (from docs/robustness/)"
    )
    summary = report.shares(shipped()[0])
    for row in summary.itertuples():
        if row.share < report.ROBUST_SHARE:
            share = report._pct(row.share)
            assert f"{row.pattern} ({share})" in readme, (
                f"README: pattern {row.pattern} holds at {share} of the points"
            )


@pytest.mark.slow
def test_todays_model_gives_the_shipped_first_point():
    from simulation.batch import run_batch  # the model: only this slow reproduction runs it

    table, manifest, _ = shipped()
    rows = table[table["point"] == table["point"].min()]
    first = rows.iloc[0]
    base = {name: first[name].item() for name in manifest["plan"]["ranges"]}  # numpy -> Python
    seeds, weeks = manifest["plan"]["seeds"], manifest["plan"]["weeks"]
    patterns = [PATTERN_BY_NUMBER[row.pattern] for row in rows.itertuples()]
    # Every run the patterns need, made once by the batched engine (each run exactly as
    # CoProductionModel makes it alone: tests/test_batch.py), then looked up.
    wanted = {
        (tuple(sorted(scenario_params(s, base, weeks).items())), seed): None
        for pattern in patterns
        for s in pattern.scenarios
        for seed in seeds
    }
    runs = run_batch([(dict(k), seed) for k, seed in wanted], timeseries=True)
    made = dict(zip(wanted, runs, strict=True))

    def run(params: dict, seed: int):
        return made[(tuple(sorted(params.items())), seed)]

    for row, pattern in zip(rows.itertuples(), patterns, strict=True):
        found = evaluate(pattern, run, seeds, base=base, weeks=weeks)
        assert (found.holds, found.effect, found.p_value) == pytest.approx(
            (row.holds, row.effect, row.p_value)
        ), f"pattern {row.pattern} at the first point moved: {REMAKE}"
