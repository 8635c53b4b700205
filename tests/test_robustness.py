"""The pattern evaluator (experiments.patterns) on hand-worked numbers, and `coprod
robustness` end to end: its tables, report, resume, bad input, local and Dask workers.

Until the assumptions registry is final, the runs here vary a stand-in list of policy
parameters (passed in as the assumptions): the machinery does not care which
parameters it varies.
"""

from __future__ import annotations

import math
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_checks import assert_one_line_error
from test_dask import cluster  # noqa: F401 (the module's Dask cluster, for the Dask test)

from experiments import cli, sweep
from experiments import robustness as rb
from experiments.patterns import (
    ALPHA,
    PATTERN_BY_NUMBER,
    PATTERNS,
    STATISTICS,
    Bound,
    Contrast,
    Size,
    Trend,
    evaluate,
    evaluate_data,
    find_pattern,
    paired_test,
    rank_biserial,
    scenario,
)
from simulation.metrics import METRIC_NAMES
from simulation.params import lookup

STAND_IN = tuple(lookup(n) for n in ("share_disabled", "payment_rate", "group_size", "travel_cost"))
REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("coprod")

# --------------------------------------------------------------------------- by hand

# Differences high - low: 1..7 and -0.5. Ranks of |d|: 0.5 -> 1, 1 -> 2, ..., 7 -> 8, so
# R+ = 2 + ... + 8 = 35 and R- = 1. Effect (R+ - R-) / (R+ + R-) = 34 / 36. Exact one-sided
# p = P(W+ >= 35) over the 2**8 sign patterns: W+ >= 35 leaves out ranks summing to at
# most 1 (none, or rank 1): 2 / 256.
LOW = np.arange(1.0, 9.0)
HIGH = LOW + np.array([1, 2, 3, 4, 5, 6, 7, -0.5])


def test_wilcoxon_p_and_effect_by_hand():
    found = paired_test(LOW, HIGH)
    assert found.p_value == pytest.approx(2 / 256)
    assert found.effect == pytest.approx(34 / 36)
    assert found.passed  # 2 / 256 < 0.01, and the median and mean go up


def test_an_inverted_contrast_fails():
    found = paired_test(HIGH, LOW)
    assert not found.passed
    assert found.p_value == pytest.approx(255 / 256)  # P(W+ <= 35) = 1 - 1/256
    assert found.effect == pytest.approx(-34 / 36)


def test_six_seeds_cannot_reach_alpha():
    found = paired_test(np.zeros(6), np.arange(1.0, 7.0))
    assert found.effect == 1.0
    assert found.p_value == pytest.approx(1 / 64) and found.p_value > ALPHA
    assert not found.passed
    assert paired_test(np.zeros(7), np.arange(1.0, 8.0)).p_value == pytest.approx(1 / 128)


def test_effect_is_finite_without_variance():
    same = paired_test(np.zeros(8), np.full(8, 2.0))  # every difference 2: no spread
    assert same.effect == 1.0 and same.passed
    none = paired_test(np.ones(8), np.ones(8))
    assert none.effect == 0.0 and none.p_value == 1.0 and not none.passed
    assert rank_biserial([]) == 0.0


def test_direction_needs_median_and_mean():
    # The mean goes up (one large rise) but the median down: the direction check fails.
    low, high = np.zeros(9), np.array([-1, -1, -1, -1, -1, 1, 1, 1, 100.0])
    assert not paired_test(low, high).passed
    assert "≤ 0" in paired_test(low, high).note


def test_pairs_without_a_finite_value_are_left_out():
    low, high = np.append(LOW, np.nan), np.append(HIGH, 5.0)
    assert paired_test(low, high).p_value == pytest.approx(2 / 256)
    assert not paired_test(np.full(3, np.nan), np.ones(3)).passed


def test_trend_and_bound_by_hand():
    a, b, c = scenario(x=1), scenario(x=2), scenario(x=3)
    trend = Trend((a, b, c), "m")
    rising = {(a, "m"): np.zeros(3), (b, "m"): np.ones(3), (c, "m"): np.full(3, 2.0)}
    # Page's L is largest only when every seed ranks a < b < c: p = (1/3!)**3 = 1/216.
    assert trend.test(rising).p_value == pytest.approx(1 / 216) and trend.test(rising).passed
    two = {k: v[:2] for k, v in rising.items()}
    assert trend.test(two).p_value == pytest.approx(1 / 36) and not trend.test(two).passed
    assert Bound(a, "m", "max", "==", 0.0).test(rising).passed
    assert not Bound(b, "m", "min", ">", 1.0).test(rising).passed
    assert Bound(c, "m", "mean", ">", 1.5).test(rising).passed


def test_size_band_by_hand():
    a, b = scenario(x=1), scenario(x=2)
    data = {(a, "m"): LOW, (b, "m"): HIGH}  # means 4.5 and 7.9375 (HIGH sums to 63.5)
    assert LOW.mean() == 4.5 and HIGH.mean() == 7.9375

    def passes(size: Size, values=data) -> bool:
        return Contrast(a, b, "m", size=size).test(values, at_defaults=True).passed

    # difference 3.4375, ratio 4.5 / 7.9375 = 0.566929...
    assert passes(Size("difference", (3.4375, 3.5)))
    assert not passes(Size("difference", (3.44, 4.0)))
    assert passes(Size("ratio", (0.56, 0.57))) and not passes(Size("ratio", (0.57, 0.6)))
    outside = Contrast(a, b, "m", size=Size("ratio", (0.0, 0.5))).test(data, at_defaults=True)
    assert not outside.passed and "ratio 0.5669 outside the band" in outside.note
    # The band does not change the p-value or the effect, only whether the check passes.
    assert outside.p_value == pytest.approx(2 / 256) and outside.effect == pytest.approx(34 / 36)
    # Away from the defaults a band that is not part of the claim is not tested; one that
    # is, is.
    assert Contrast(a, b, "m", size=Size("ratio", (0.0, 0.5))).test(data).passed
    assert not Contrast(a, b, "m", size=Size("ratio", (0.0, 0.5), claim=True)).test(data).passed
    # A halved effect fails a band that the real one passes.
    halved = {(a, "m"): LOW, (b, "m"): LOW + (HIGH - LOW) / 2}
    band = Size("difference", (2.5, 4.5))
    assert passes(band) and not passes(band, halved)
    assert not Size("ratio", (0.0, 1.0)).holds(1.0, 0.0)  # no ratio over a zero mean
    shown = "ratio of the means (low / high) in [0, 0.5] at the defaults"
    assert str(Size("ratio", (0.0, 0.5))) == shown
    assert str(Size("difference", (1.0, 2.0), claim=True)).endswith("(high - low) in [1, 2]")


def test_the_twelve_patterns_are_well_formed():
    assert [p.number for p in PATTERNS] == list(range(1, len(PATTERNS) + 1))
    for p in PATTERNS:
        assert isinstance(p.checks[0], Contrast)
        assert p.primary.size is not None, f"pattern {p.number}: the primary contrast has a band"
        for _, statistic in p.needs:
            assert statistic in METRIC_NAMES or statistic in STATISTICS
        assert find_pattern(str(p.number)) is p and find_pattern(p.name) is p
    with pytest.raises(KeyError):
        find_pattern(str(len(PATTERNS) + 1))


def fake_run(effect: float, seen: list | None = None):
    """A model stand-in: participation_disabled is seed/10, plus ``effect`` (x seed + 1)
    with travel support."""

    def run(params, seed):
        if seen is not None:
            seen.append(dict(params))
        final = dict.fromkeys(METRIC_NAMES, 0.0)
        final["participation_disabled"] = seed / 10 + (
            effect * (seed + 1) if params["travel_support"] else 0.0
        )
        return final, np.zeros((4, len(METRIC_NAMES)))

    return run


def test_evaluate_runs_each_scenario_on_the_seeds():
    seen: list = []
    found = evaluate(PATTERN_BY_NUMBER[4], fake_run(1.0, seen), range(8), base={"x": 1}, weeks=9)
    assert found.holds and found.effect == 1.0 and found.p_value == pytest.approx(1 / 256)
    assert seen[0] == {"x": 1, "weeks": 9, "travel_support": False}
    inverted = evaluate(PATTERN_BY_NUMBER[4], fake_run(-1.0), range(8))
    assert not inverted.holds and inverted.effect == -1.0
    assert "participation_disabled" in inverted.explain()


def test_a_scenario_that_sets_weeks_keeps_them_and_its_keys_win():
    seen: list = []
    pattern = PATTERN_BY_NUMBER[6]

    def run(params, seed):
        seen.append(dict(params))
        return dict.fromkeys(METRIC_NAMES, 0.0), np.zeros((4, len(METRIC_NAMES)))

    evaluate(pattern, run, [0], base={"pace": 0.5, "group_size": 7}, weeks=20)
    assert {p["weeks"] for p in seen} == {52, 104, 26, 20}
    assert {p["pace"] for p in seen} == {0.2, 0.9}
    assert all(p["group_size"] == 7 for p in seen)


def test_defaults_bands_apply_at_the_defaults_only():
    four = PATTERN_BY_NUMBER[4]
    low, high = four.primary.size.within  # type: ignore[union-attr]
    # fake_run: the difference is effect x (seed + 1), mean effect x 4.5 over seeds 0..7.
    inside, outside = fake_run((low + high) / 2 / 4.5), fake_run(2 * high / 4.5)
    assert evaluate(four, inside, range(8)).holds
    at_defaults = evaluate(four, outside, range(8))
    assert not at_defaults.holds and "outside the band" in at_defaults.explain()
    # With assumption values (as coprod robustness runs), the defaults' band is not tested.
    assert evaluate(four, outside, range(8), base={"x": 1}).holds
    assert evaluate(four, outside, range(8), weeks=9).holds


def test_a_claimed_size_applies_everywhere():
    # Pattern 11: unexpected insights a small fraction (at most a tenth) of the default's.
    eleven = PATTERN_BY_NUMBER[11]
    absent, defaults, unheard = eleven.scenarios
    assert defaults == scenario() and {absent, unheard} == {c.low for c in eleven.checks}
    default = np.arange(100.0, 108.0)

    def found(share):
        data = {(s, "insights_unexpected"): share * default for s in (absent, unheard)}
        return evaluate_data(eleven, {**data, (defaults, "insights_unexpected"): default})

    assert found(0.09).holds and found(0.02).holds
    assert not found(0.2).holds  # lower on every seed, yet not a small fraction
    assert "ratio 0.2 outside the band" in found(0.2).explain()


def test_evaluate_data_primary_is_the_first_check():
    pattern = PATTERN_BY_NUMBER[4]
    (low, high) = pattern.primary.scenarios
    found = evaluate_data(
        pattern, {(low, "participation_disabled"): LOW, (high, "participation_disabled"): HIGH}
    )
    assert found.effect == pytest.approx(34 / 36) and found.p_value == pytest.approx(2 / 256)


# --------------------------------------------------------------------------- end to end


def small_plan(**kw):
    settings = {"samples": 3, "seeds": 2, "weeks": 8, "only": ["4", "5"]} | kw
    return rb.make_plan(**settings, assumptions=STAND_IN)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("robust") / "out"
    return rb.run_robustness(small_plan(), out, workers=2, progress=False)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_small_run_writes_its_table_report_and_manifest(small):
    table = pd.read_parquet(small.out_dir / rb.RESULTS)
    names = [p.name for p in STAND_IN]
    assert list(table.columns) == ["point", "pattern", "holds", "effect", "p_value", *names]
    assert len(table) == 3 * 2 and sorted(table["pattern"].unique()) == [4, 5]
    assert table["holds"].dtype == bool and table["effect"].dtype == float
    assert np.isfinite(table["effect"]).all() and table["effect"].between(-1, 1).all()
    assert table["group_size"].dtype == np.int64  # a whole-number assumption is rounded
    # pattern 4: travel support off (the default) and on; pattern 5: fast and slow
    assert small.n_runs == 3 * 4 * 2 and small.failed == 0
    report = (small.out_dir / rb.REPORT).read_text()
    for heading in ("# How robust", "## Summary", "## Pattern 4:", "## Pattern 5:", "## Files"):
        assert heading in report
    assert "less than 80%" in report  # 2 seeds: nothing can hold, and it says so
    assert (small.out_dir / "figures" / "holds.png").stat().st_size > 1000
    checks = pd.read_parquet(small.out_dir / rb.CHECKS)
    assert len(checks) == 3 * (1 + 3)  # pattern 4 has one check, pattern 5 three
    assert list(checks.columns[:4]) == ["point", "pattern", "check", "passed"]
    assert "| passes at |" in report
    manifest = rb.read_manifest(small.out_dir)
    assert manifest["status"] == "complete" and manifest["plan"]["seeds"] == [0, 1]
    assert set(manifest["plan"]["ranges"]) == set(names)
    assert not (small.out_dir / "parts").exists()


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_each_row_equals_the_pattern_evaluated_directly(tmp_path):
    """The table's holds, effect and p at a point are what evaluate() gives there."""
    from simulation import CoProductionModel

    plan = rb.make_plan(samples=2, seeds=3, weeks=8, only=["3", "7"], assumptions=STAND_IN)
    result = rb.run_robustness(plan, tmp_path / "out", workers=1, progress=False)

    def run(params, seed):
        model = CoProductionModel(rng=seed, **params)
        return model.run(), model.history

    for row in result.table.itertuples():
        found = evaluate(
            PATTERN_BY_NUMBER[row.pattern],
            run,
            plan.seeds,
            base=plan.point_values(row.point),
            weeks=8,
        )
        assert (row.holds, row.effect) == (found.holds, pytest.approx(found.effect))
        assert row.p_value == pytest.approx(found.p_value)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_resume_after_a_stop_gives_the_same_table(small, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real_finish = rb.finish

    def stop(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(rb, "finish", stop)
    with pytest.raises(sweep.SweepInterrupted) as stopped:
        rb.run_robustness(small_plan(), out, workers=1, progress=False)
    assert stopped.value.kept == small.n_runs  # every point was on disk
    parts = sorted((out / "parts").iterdir())
    parts[0].unlink()  # as if stopped before point 0 was written
    (out / "parts" / ".part-000001.arrow.tmp-1").write_bytes(b"half")
    monkeypatch.setattr(rb, "finish", real_finish)
    with pytest.raises(sweep.SweepError, match="--resume"):
        rb.run_robustness(small_plan(), out, workers=1, progress=False)
    again = rb.run_robustness(small_plan(), out, workers=1, resume=True, progress=False)
    assert again.made == small.n_runs // 3  # point 0 only
    pd.testing.assert_frame_equal(again.table, small.table)
    done = rb.run_robustness(small_plan(), out, workers=1, resume=True, progress=False)
    assert done.made == 0  # complete: nothing to run
    (out / rb.CHECKS).write_bytes(b"changed")
    with pytest.raises(sweep.SweepError, match="checksum"):
        rb.run_robustness(small_plan(), out, workers=1, resume=True, progress=False)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_batch_size_does_not_change_the_tables(small, tmp_path):
    """One run at a time, and all a point's runs in one batch, on one worker: the same
    tables as the automatic chunks on two workers."""
    for batch in (1, 8):
        out = tmp_path / f"batch-{batch}"
        result = rb.run_robustness(small_plan(), out, workers=1, progress=False, batch=batch)
        assert result.made == small.n_runs
        pd.testing.assert_frame_equal(result.table, small.table)
        for name in (rb.RUNS, rb.CHECKS):
            pd.testing.assert_frame_equal(
                pd.read_parquet(out / name), pd.read_parquet(small.out_dir / name)
            )


def test_morris_design_reports_elementary_effects(tmp_path):
    plan = small_plan(design="morris", samples=2, only=["5"])
    assert plan.n_points == 2 * (len(STAND_IN) + 1)
    result = rb.run_robustness(plan, tmp_path / "out", workers=1, progress=False)
    report = (result.out_dir / rb.REPORT).read_text()
    assert "Morris elementary effects" in report and "| payment_rate |" in report
    assert "mu* of the difference" in report


def test_the_design_is_the_same_on_every_run():
    a, b = small_plan(), small_plan()
    assert a.fingerprint() == b.fingerprint()
    assert [a.point_values(i) for i in range(3)] == [b.point_values(i) for i in range(3)]
    for i in range(3):
        for p in STAND_IN:
            assert p.low <= a.point_values(i)[p.name] <= p.high


def test_shared_scenarios_run_once_per_point():
    plan = rb.make_plan(samples=1, seeds=2, weeks=8, only=["5", "8"], assumptions=STAND_IN)
    runs = rb.Runs(plan, Path("unused"))
    assert len(runs.runs[0]) == 2  # fast and slow, shared by 5 and 8
    assert runs.n_runs == 4


# --------------------------------------------------------------------------- command line

BAD = {
    "unknown pattern": (["--only", "99"], "unknown pattern"),
    "no samples": (["--samples", "0"], "--samples"),
    "unknown design": (["--design", "sobol"], "--design"),
    "no seeds": (["--seeds", "0"], "--seeds"),
    "weeks": (["--weeks", "0"], "--weeks"),
    "workers and scheduler": (["--workers", "2", "--scheduler", "tcp://x:1"], "--workers"),
    "no batch": (["--batch", "0"], "--batch"),
    "text batch": (["--batch", "some"], "--batch"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(rb, "default_assumptions", lambda: STAND_IN)
    words, name = BAD[case]
    out = tmp_path / "out"
    code = cli.main(["robustness", "--seeds", "7", "--samples", "2", *words, "--out", str(out)])
    captured = capsys.readouterr()
    assert_one_line_error(code, captured.out, captured.err, [name])
    assert not out.exists()


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_folder_that_is_not_empty_needs_resume_or_force(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(rb, "default_assumptions", lambda: STAND_IN)
    (tmp_path / "notes.txt").write_text("mine")
    args = ["robustness", "--samples", "2", "--seeds", "1", "--weeks", "4", "--only", "4"]
    code = cli.main([*args, "--out", str(tmp_path), "--workers", "1"])
    captured = capsys.readouterr()
    assert_one_line_error(code, captured.out, captured.err, ["--force"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    code = cli.main([*args, "--out", str(tmp_path), "--workers", "1", "--force"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / rb.RESULTS).exists()
    # too few seeds: one warning line, not an error
    assert captured.err.count("\n") == 1 and "warning: with 1 seeds" in captured.err
    assert "pattern  4 holds at 0 of 2 points" in captured.out


@pytest.mark.slow
@pytest.mark.skipif(not rb.default_assumptions(), reason="needs simulation.params.ASSUMPTIONS")
def test_ctrl_c_stops_the_command_and_resume_finishes_it(tmp_path):
    """A real SIGINT to the running command: exit 130, one line with the --resume command,
    which then finishes the run."""
    out = tmp_path / "out"
    command = [
        str(SCRIPT),
        "robustness",
        "--samples",
        "6",
        "--seeds",
        "7",
        "--weeks",
        "26",
        "--workers",
        "2",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "parts").is_dir() or not any((out / "parts").iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 130, stderr
    assert stdout == "" and len(stderr.splitlines()) == 1 and "Traceback" not in stderr
    assert "coprod: interrupted" in stderr and stderr.rstrip().endswith("--resume")
    resume = shlex.split(stderr.rstrip().split("run: ", 1)[1])
    assert resume[:2] == ["coprod", "robustness"] and "--resume" in resume
    done = subprocess.run(
        [str(SCRIPT), *resume[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_parquet(out / rb.RESULTS)
    assert len(table) == 6 * len(PATTERNS) and not math.isnan(table["effect"].sum())


@pytest.mark.cluster
def test_dask_gives_the_local_table(cluster, small, tmp_path):  # noqa: F811
    result = rb.run_robustness(
        small_plan(), tmp_path / "dask", scheduler=cluster.address, progress=False
    )
    assert result.backend.startswith("Dask at")
    pd.testing.assert_frame_equal(result.table, small.table)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask" / rb.RUNS), pd.read_parquet(small.out_dir / rb.RUNS)
    )


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_report_can_be_written_again_elsewhere(small, tmp_path, capsys):
    from experiments.analysis import robustness_report

    target, figures = tmp_path / "docs" / "robustness.md", tmp_path / "docs" / "img" / "rb"
    target.parent.mkdir()
    args = [str(small.out_dir), "--to", str(target), "--figures", str(figures)]
    assert robustness_report.main(args) == 0
    text = target.read_text()
    assert "](img/rb/holds.png)" in text and "](img/rb/effects.png)" in text
    assert (figures / "holds.png").is_file()
    assert "| passes at |" in text  # read checks.parquet from the folder
    assert robustness_report.main([str(tmp_path)]) == 2  # not a finished run


def test_docs_state_the_numbers_the_code_uses():
    from experiments.analysis.robustness_report import ROBUST_SHARE

    text = " ".join((REPO / "docs" / "sweeps.md").read_text(encoding="utf-8").split())
    assert rb.MIN_SEEDS == 7 and "With fewer than 7 seeds" in text
    assert ROBUST_SHARE == 0.8 and "less than 80% of the space" in text
    assert ALPHA == 0.01 and "p < 0.01" in text
    assert rb.DEFAULT_OUT.as_posix() == "results/robustness"
    assert "(default `results/robustness`)" in text
