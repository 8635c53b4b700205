"""``coprod analyze`` and the regime rules, on real sweep folders on disk.

Most sweeps here are written by a small helper (:func:`write_sweep`) that builds the
design with ``experiments.design`` and lays out ``runs.parquet`` and ``manifest.json``
as ``coprod sweep`` does, running the model or filling in metrics worked out by hand;
one is made by ``coprod sweep`` itself, so a change of its format shows up here.
Runs are short (8-30 weeks); the sweeps that run the model for every metric are
marked slow.
"""

from __future__ import annotations

import ast
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import analyze as an
from experiments import cli, design, store
from experiments.analysis import AnalysisError, figures
from experiments.analysis.labels import param_label, param_meaning
from experiments.regimes import (
    FALLBACK,
    NEEDED_METRICS,
    REGIME_NAMES,
    REGIMES,
    classify,
    indicators,
    label_runs,
    rules_markdown,
)
from simulation import CoProductionModel
from simulation.batch import run_batch
from simulation.metrics import METRIC_NAMES
from simulation.params import ASSUMPTIONS, DEFAULTS, PARAM_BY_NAME
from simulation.scenarios import load_scenario
from simulation.text import show

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- fixtures

Metrics = Callable[[int, dict], dict]  # (run_id, parameter values) -> {metric: value}


def write_sweep(
    out: Path,
    vary: dict,
    kind: str = "grid",
    *,
    fixed: dict | None = None,
    replicates: int = 2,
    weeks: int = 10,
    samples: int = 4,
    seed: int = 0,
    fail: tuple[int, ...] = (),
    metrics: Metrics | None = None,
) -> Path:
    """A sweep folder as ``coprod sweep`` writes it: runs.parquet and manifest.json.

    ``vary`` is a spec's [vary] table: lists of values, or ``{"min": .., "max": ..}``
    ranges (lhs, sobol, morris). The design, seeds and manifest records come from
    ``experiments.design``. ``fail``: run_ids recorded as failed. ``metrics``: the
    metrics of a run instead of running the model (every metric not given is 0.5).
    """
    table = {"name": out.name, "design": kind, "replicates": replicates, "seed": seed}
    table.update(weeks=weeks, **({} if kind == "grid" else {"samples": samples}))
    spec = design.parse_spec({"sweep": table, "fixed": dict(fixed or {}), "vary": vary})
    rows = []
    for run in spec.runs().to_dict("records"):
        values = spec.point_params(run["point_id"])
        row = {**run, **values}
        if run["run_id"] in fail:
            row.update(
                dict.fromkeys(METRIC_NAMES, np.nan),
                status="failed",
                error="RuntimeError: the model broke",
            )
        elif metrics is not None:
            given = metrics(run["run_id"], values)
            row.update({**dict.fromkeys(METRIC_NAMES, 0.5), **given}, status="ok", error=None)
        else:
            result = CoProductionModel(rng=run["seed"], **values).run()
            row.update(result, status="ok", error=None)
        rows.append(row)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(out / store.RUNS, index=False)
    manifest = {
        "format": store.FORMAT,
        "format_version": store.FORMAT_VERSION,
        "status": "complete",
        "spec": {**spec.canonical(), "source": "", "text": ""},
        "design": spec.summary(),
    }
    (out / store.MANIFEST).write_text(json.dumps(manifest, indent=1))
    return out


def by_run(values: dict[int, dict]) -> Metrics:
    """Metrics given per run_id."""
    return lambda run_id, _params: values.get(run_id, {})


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> Path:
    """A 3 x 2 grid, 3 replicates, one failed run, analysed with the default metrics."""
    out = write_sweep(
        tmp_path_factory.mktemp("grid") / "grid",
        {"compensation": ["none", "expenses", "paid"], "pace": [0.2, 0.9]},
        replicates=3,
        weeks=30,
        fail=(4,),
    )
    assert an.analyze(out) == out / "report.md"
    return out


@pytest.fixture
def small(tmp_path) -> Path:
    """A 2-point sweep with hand-set metrics, not analysed: fast bad-input cases."""
    return write_sweep(
        tmp_path / "small", {"pace": [0.2, 0.8]}, metrics=by_run({0: {"participation_lay": 0.1}})
    )


def _png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


def _links(report: Path) -> list[str]:
    return re.findall(r"\]\((figures/[^)]+)\)", report.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- grid


@pytest.mark.slow
def test_grid_analysis_writes_summary_figures_regimes_and_report(grid):
    summary = pd.read_csv(grid / "summary.csv")
    assert pd.read_parquet(grid / "summary.parquet").shape == summary.shape
    assert len(summary) == 6 and list(summary["point_id"]) == list(range(6))
    assert summary["n_runs"].tolist() == [3] * 6
    assert summary["n_ok"].tolist() == [3, 2, 3, 3, 3, 3]  # run 4 (point 1) failed
    for m in METRIC_NAMES:
        for suffix in ("mean", "sd", "ci_low", "ci_high"):
            assert f"{m}_{suffix}" in summary

    # Point 0's interval from scipy's own t.interval over its three runs.
    runs = pd.read_parquet(grid / "runs.parquet")
    x = runs.loc[runs["point_id"] == 0, "participation_lay"].to_numpy()
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    first = summary.iloc[0]
    assert first["participation_lay_ci_low"] == pytest.approx(low)
    assert first["participation_lay_ci_high"] == pytest.approx(high)

    # Shares: the regimes in regimes.csv, counted per point.
    regimes = pd.read_csv(grid / "regimes.csv")
    assert len(regimes) == 18 and regimes["regime"].isna().sum() == 1
    counted = pd.crosstab(regimes["point_id"], regimes["regime"], normalize="index")
    for name in REGIME_NAMES:
        assert np.allclose(summary[f"share_{name}"], counted.get(name, 0.0))
    assert set(summary["regime"]) <= set(REGIME_NAMES)

    expected = {
        f"figures/{kind}-{m}.png" for m in an.DEFAULT_METRICS for kind in ("heatmap", "lines")
    } | {"figures/regime-map.png"}
    on_disk = {f"figures/{p.name}" for p in (grid / "figures").iterdir()}
    assert on_disk == expected
    assert all(_png(grid / rel) for rel in expected)

    report = grid / "report.md"
    assert set(_links(report)) == expected  # every figure shown, every link resolves
    text = report.read_text(encoding="utf-8")
    assert "1 run(s) failed" in text and "## Regimes" in text
    assert "## What the data say" in text and "Participation parity" in text
    assert "moves most with" not in text  # effects come from effects.csv, not the extremes
    assert not [p for p in grid.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.slow
def test_report_reading_is_computed_from_the_data(grid):
    runs = pd.read_parquet(grid / "runs.parquet")
    ok = runs[runs["status"] == "ok"]
    by = ok.groupby("pace")["experiential_share"].mean()
    slow, fast = by[0.2], by[0.9]
    text = (grid / "report.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("- **experiential_share**"))
    assert "**pace**" in line  # pace moves lived experience more than compensation here
    assert show(slow) in line and show(fast) in line
    lowest = ok.groupby(["compensation", "pace"])["participation_parity"].mean().idxmin()
    assert f"lowest at compensation = {lowest[0]}, pace = {show(lowest[1])}" in text


@pytest.mark.slow
def test_metric_option_limits_figures_and_removes_stale_ones(grid, tmp_path, capsys):
    again = shutil.copytree(grid, tmp_path / "again")  # with the default set's figures
    (again / "figures" / "notes.txt").write_text("mine")
    assert (
        cli.main(["analyze", str(again), "--metric", "mean_trust", "--metric", "mean_trust"]) == 0
    )
    assert "3 figures" in capsys.readouterr().out
    names = sorted(p.name for p in (again / "figures").iterdir())
    assert names == [
        "heatmap-mean_trust.png",
        "lines-mean_trust.png",
        "notes.txt",
        "regime-map.png",
    ]
    assert sorted(_links(again / "report.md")) == [
        f"figures/{n}" for n in names if n.endswith(".png")
    ]


# --------------------------------------------------------------------------- statistics


def test_mean_and_t_interval_by_hand():
    mean, low, high = an.mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) * s / sqrt(n)
    assert mean == 3.0 and low == pytest.approx(3 - half) and high == pytest.approx(3 + half)
    assert an.mean_ci([7.0])[0] == 7.0 and math.isnan(an.mean_ci([7.0])[1])


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_summary_ci_by_hand_on_a_one_parameter_sweep(tmp_path):
    # Point 0 (pace 0.2): participation_lay 0.2, 0.4, 0.6; point 1 (pace 0.8): 0.5 x 3.
    out = write_sweep(
        tmp_path / "hand",
        {"pace": [0.2, 0.8]},
        replicates=3,
        metrics=by_run({i: {"participation_lay": v} for i, v in enumerate((0.2, 0.4, 0.6))}),
    )
    an.analyze(out, ["participation_lay"])
    row = pd.read_csv(out / "summary.csv").set_index("point_id").loc[0]
    half = stats.t.ppf(0.975, 2) * 0.2 / math.sqrt(3)
    assert row["participation_lay_mean"] == pytest.approx(0.4)
    assert row["participation_lay_sd"] == pytest.approx(0.2)
    assert 0.4 - half < 0  # the t-interval of a share, clipped to its range [0, 1]
    assert row["participation_lay_ci_low"] == 0.0
    assert row["participation_lay_ci_high"] == pytest.approx(0.4 + half)
    other = pd.read_csv(out / "summary.csv").set_index("point_id").loc[1]
    assert other["participation_lay_ci_low"] == pytest.approx(0.5)  # no spread, no width
    # One varied parameter: line plot and a regime bar chart, no heatmap.
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "lines-participation_lay.png",
        "regime-map.png",
    ]
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "heatmaps skipped" in text
    # The reading, from effects.csv: a one-way ANOVA of 0.2, 0.4, 0.6 against 0.5 x 3.
    # SS between = 2 * 3 * 0.05^2 = 0.015, SS within = 0.08: eta2 = 0.015 / 0.095 = 0.158,
    # F(1, 4) = 0.015 / 0.02 = 0.75, p = 0.435: large enough, not significant, uncertain.
    line = next(x for x in text.splitlines() if x.startswith("- **participation_lay**"))
    assert "no parameter has a clear effect in this sweep" in line
    assert f"uncertain: **pace** (η² {show(0.015 / 0.095)} [" in line
    assert f"p = {show(stats.f.sf(0.75, 1, 4))}" in line


# --------------------------------------------------------------------------- sensitivity

VARY_RANGES = {
    "pace": {"min": 0.1, "max": 0.9},
    "power_sharing": {"min": 0.05, "max": 0.8},
    "meeting_interval": {"min": 1, "max": 4},
}
FEW = ["experiential_share", "satisfaction_rights", "mean_trust"]


def _pace_only(run_id: int, params: dict) -> dict:
    """A metric that is twice pace and depends on nothing else."""
    return {"participation_lay": 2 * params["pace"]}


def test_sobol_indices_of_a_metric_that_follows_one_parameter(tmp_path):
    out = write_sweep(
        tmp_path / "sobolhand", VARY_RANGES, "sobol", samples=8, replicates=1, metrics=_pace_only
    )
    results = an.compute(an.load_sweep(out), ["participation_lay"])  # tables, no figures
    table = results.sensitivity.set_index("parameter")
    assert list(table.columns) == ["metric", "S1", "S1_conf", "ST", "ST_conf", "converged"]
    # A parameter the metric ignores changes nothing when swapped in: both indices 0.
    for name in ("power_sharing", "meeting_interval"):
        assert table.loc[name, "S1"] == 0 and table.loc[name, "ST"] == 0
    # Pace's total index by Jansen's estimator, from the sample's A and B rows
    # (Saltelli's layout: each block of D + 2 points is A, AB_1..AB_D, B).
    y = 2 * pd.read_parquet(out / "runs.parquet").sort_values("point_id")["pace"].to_numpy()
    a, b = y[0::5], y[4::5]
    st = 0.5 * np.mean((a - b) ** 2) / np.var(np.r_[a, b])
    assert table.loc["pace", "ST"] == pytest.approx(st)
    text = an.report_markdown(results, [])
    assert f"Sobol: pace has the largest total index (ST = {show(st)} ± " in text


def test_morris_indices_of_a_metric_that_follows_one_parameter(tmp_path):
    vary = {k: VARY_RANGES[k] for k in ("pace", "power_sharing")}
    out = write_sweep(
        tmp_path / "morrishand", vary, "morris", samples=4, replicates=1, metrics=_pace_only
    )
    results = an.compute(an.load_sweep(out), ["participation_lay"])  # tables, no figures
    table = results.sensitivity.set_index("parameter")
    # One Morris step moves pace by a share delta of its range (0.8) and the metric
    # by 2 * 0.8 * delta; the elementary effect, per share of the range, is 1.6.
    assert table.loc["pace", "mu"] == pytest.approx(1.6)
    assert table.loc["pace", "mu_star"] == pytest.approx(1.6)
    assert table.loc["pace", "sigma"] == pytest.approx(0, abs=1e-12)
    assert table.loc["power_sharing", "mu_star"] == 0
    assert any(
        n.startswith("Morris inputs X from the design's sample matrix") for n in results.notes
    )


@pytest.mark.slow
def test_sobol_design_gives_first_order_and_total_indices(tmp_path):
    out = write_sweep(tmp_path / "sobol", VARY_RANGES, "sobol", samples=8, replicates=1, weeks=12)
    an.analyze(out, FEW)
    table = pd.read_csv(out / "sobol.csv")
    assert list(table.columns) == [
        *("metric", "parameter", "S1", "S1_conf", "ST", "ST_conf", "converged")
    ]
    assert len(table) == len(FEW) * 3 and table[["S1", "ST"]].notna().all().all()
    assert not table["converged"].all()  # N = 8 is far too small, and the report says so
    assert "**N = 8 is too small**" in (out / "report.md").read_text(encoding="utf-8")
    rights = table[table["metric"] == "satisfaction_rights"].set_index("parameter")["ST"]
    assert rights.idxmax() == "power_sharing"  # real influence follows power sharing
    assert _png(out / "figures/sobol.png")
    assert "figures/sobol.png" in _links(out / "report.md")
    assert _png(out / "figures/scatter-mean_trust.png")  # every run, for a sample design
    assert not (out / "figures/heatmap-mean_trust.png").exists()
    again = shutil.copytree(out, tmp_path / "again", ignore=shutil.ignore_patterns("*.png"))
    an.analyze(again, FEW)  # the bootstrap intervals are the same every time
    assert (again / "sobol.csv").read_bytes() == (out / "sobol.csv").read_bytes()


@pytest.mark.slow
def test_morris_design_gives_mu_star_and_sigma(tmp_path):
    out = write_sweep(tmp_path / "morris", VARY_RANGES, "morris", samples=4, replicates=1, weeks=12)
    an.analyze(out, FEW)
    table = pd.read_csv(out / "morris.csv")
    assert list(table.columns) == [
        *("metric", "parameter", "mu", "mu_star", "mu_star_conf", "sigma", "converged")
    ]
    assert len(table) == len(FEW) * 3
    assert (table["mu_star"] >= table["mu"].abs() - 1e-12).all()  # |mean| <= mean |.|
    assert _png(out / "figures/morris.png")
    assert "figures/morris.png" in _links(out / "report.md")


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_folder_written_by_coprod_sweep(tmp_path):
    """The real ``coprod sweep`` output, a Morris design with a listed factor."""
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        '[sweep]\nname = "tiny"\ndesign = "morris"\nsamples = 3\nreplicates = 2\n'
        "seed = 1\nweeks = 8\n[vary]\npace = {min = 0.1, max = 0.9}\n"
        "power_sharing = {min = 0.05, max = 0.8}\n"
        'compensation = ["none", "expenses", "paid"]\n'
    )
    out = tmp_path / "tiny"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    assert cli.main(["analyze", str(out), "--metric", "satisfaction_rights"]) == 0
    table = pd.read_csv(out / "morris.csv")
    assert set(table["parameter"]) == {"pace", "power_sharing", "compensation"}
    notes = (out / "report.md").read_text(encoding="utf-8")
    assert "sample matrix" in notes  # X rebuilt from the manifest's spec
    assert all((out / rel).is_file() for rel in _links(out / "report.md"))


# --------------------------------------------------------------------------- regimes


def _row(**metrics) -> dict:
    """A run's metrics: an ordinary-looking programme, changed by ``metrics``."""
    base = {
        "participation_lay": 0.3,
        "participation_parity": 0.9,
        "satisfaction_rights": 0.4,
        "experiential_share": 0.1,
        "cross_role_ties": 0.3,
        "mean_trust": 0.35,
        "insights": 600.0,
        "insights_unexpected": 300.0,
        "unpaid_hours_per_lay_participant": 30.0,
        "lay_out_of_pocket": 0.0,  # expenses refunded, as in the default
    }
    return {**base, **metrics}


HAND_ROWS = {
    "collapse": _row(participation_lay=0.05, participation_parity=5.0),
    "precarious_labour": _row(unpaid_hours_per_lay_participant=60.0, lay_out_of_pocket=60.0),
    "elite_capture": _row(participation_parity=0.4),
    "tokenism": _row(satisfaction_rights=0.08),
    "generative": _row(
        experiential_share=0.4, insights_unexpected=450.0, cross_role_ties=2.5, mean_trust=0.6
    ),
    "ordinary": _row(),
}


@pytest.mark.parametrize("regime", list(HAND_ROWS))
def test_hand_built_rows_hit_each_regime(regime):
    assert classify(HAND_ROWS[regime]) == regime


def test_regimes_are_checked_in_order_and_one_label_each():
    assert set(HAND_ROWS) == set(REGIME_NAMES) and REGIME_NAMES[-1] == FALLBACK
    # Precarious and tokenistic and captured at once: the first rule wins.
    both = _row(
        unpaid_hours_per_lay_participant=60.0,
        lay_out_of_pocket=60.0,
        satisfaction_rights=0.05,
        participation_parity=0.3,
    )
    assert classify(both) == "precarious_labour"
    # Generative outcomes are not generative when the room is captured.
    assert classify({**HAND_ROWS["generative"], "participation_parity": 0.4}) == "elite_capture"
    # lay_out_of_pocket is already per lay participant, so the indicator is that amount as it
    # is, whatever the programme's size: £60 a participant (six £10 fares never refunded) is
    # over the £50 line, £40 (four fares) under it; unpaid hours 60 / 104 weeks = 0.577 >= 0.45.
    for size in ({}, {"n_patients": 400, "n_carers": 200}, {"n_patients": 1, "n_carers": 0}):
        over = _row(unpaid_hours_per_lay_participant=60.0, lay_out_of_pocket=60.0, **size)
        assert indicators(over)["out_of_pocket_per_lay"] == 60.0
        assert indicators(over)["unpaid_hours_per_week"] == pytest.approx(60 / 104)
        assert classify(over) == "precarious_labour"
        under = {**over, "lay_out_of_pocket": 40.0}
        assert indicators(under)["out_of_pocket_per_lay"] == 40.0
        assert classify(under) == "ordinary"
        # Money over the line without the hours (40 / 104 = 0.38 a week) is not precarious.
        assert classify({**over, "unpaid_hours_per_lay_participant": 40.0}) == "ordinary"
    frame = pd.DataFrame([*HAND_ROWS.values(), _row()])
    frame["status"] = ["ok"] * 6 + ["failed"]
    labels = label_runs(frame)
    assert labels.tolist()[:6] == list(HAND_ROWS) and labels.iloc[6] is None


def test_docs_state_the_rules_the_code_uses():
    text = (ROOT / "docs/regimes.md").read_text(encoding="utf-8")
    table = text.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0].strip()
    assert table == rules_markdown()
    for regime in REGIMES:
        assert f"### {REGIMES.index(regime) + 1}. {regime.label.capitalize()}" in text
    for name in ("unexpected_share", "unpaid_hours_per_week", "out_of_pocket_per_lay"):
        assert f"`{name}`" in text


PRESET_SEEDS = range(4)  # the fast tier; tests/test_regimes_doc.py runs seeds 0-19
PRESETS = {  # preset -> the regime the paper's contrast built it to show
    "default": "ordinary",
    "unpaid-fast": "ordinary",
    "tokenistic": "tokenism",
    "slow-benefit-safe": "generative",
    "user-led": "generative",
    "co-everything-unresourced": "precarious_labour",
}
HARMS = ("collapse", "precarious_labour", "elite_capture", "tokenism")
LABEL_TO_NAME = {r.label: r.name for r in REGIMES}


def doc_preset_table() -> dict[str, dict[str, int]]:
    """docs/regimes.md's 'Where the presets land': preset -> {regime name: runs of 20}."""
    text = (ROOT / "docs/regimes.md").read_text(encoding="utf-8")
    table = text.split("<!-- presets:start -->", 1)[1].split("<!-- presets:end -->", 1)[0]
    out = {}
    for row in table.strip().splitlines()[2:]:
        preset, cell = (c.strip() for c in row.strip().strip("|").split("|"))
        counts = (part.rsplit(" ", 1) for part in cell.split(", "))
        out[preset] = {LABEL_TO_NAME[label]: int(n) for label, n in counts}
    return out


DOC_TABLE = doc_preset_table()


@pytest.fixture(scope="module")
def preset_regimes() -> dict[str, list[str]]:
    out = {}
    for preset in PRESETS:
        values = load_scenario(preset)
        # each run's final metrics exactly as CoProductionModel(rng=s, **values).run()
        finals = run_batch([(values, s) for s in PRESET_SEEDS])
        out[preset] = [classify({**values, **final}) for final in finals]
    return out


# Issue 10's model no longer lands these presets where the paper's contrast built them to,
# issue 11's defaults (Universal Credit, benefits and disability drawn together, language
# and literacy effects) add two more, and the keyed weekly draws (simulation/draws.py) a
# fifth, by one seed; docs/regimes.md says why. Strict: when a fix brings one back, the test
# fails until unmarked.
MISSES_GENERATIVE = (
    "issue 10: lived experience is under a quarter of what is recognised in the generative "
    "presets (0.17-0.26) and user-led's trust is under 0.5; docs/regimes.md section 5"
)
MISSES_PRECARIOUS = (
    "issue 10: unpaid hours fell by about a tenth, so 4 seeds of 20 of co-everything-unresourced "
    "give under 0.45 hours a week and it is precarious labour on 16, not 18 or more; its money "
    "is over 50 on every seed; docs/regimes.md sections 2 and 'Where the presets land'"
)
MISSES_DEFAULT = (
    "issue 11: parity fell (the default's median from 0.82 to 0.70; 0.74 with keyed draws), so "
    "3 seeds of 20 of the default are under 0.6 and it is ordinary involvement on 17, not 18 or "
    "more; docs/regimes.md sections 3 and 'Where the presets land'"
)
MISSES_UNPAID_FAST = (
    "issue 11: parity fell (unpaid-fast's median from 0.67 to 0.58), so 14 seeds of 20 are "
    "under 0.6 and elite capture, not ordinary involvement, is its most common regime; "
    "docs/regimes.md sections 3 and 'Where the presets land'"
)
MISSES_TOKENISTIC = (
    "keyed draws: 3 seeds of 20 of tokenistic have parity under 0.6 (0.51-0.56; 2 before), so "
    "precedence labels them elite capture and it is tokenism on 17, not 18 or more; its "
    "satisfaction_rights is under 0.2 on every seed; docs/regimes.md sections 4 and "
    "'Where the presets land'"
)
MISSES = {
    "default": MISSES_DEFAULT,
    "unpaid-fast": MISSES_UNPAID_FAST,
    "tokenistic": MISSES_TOKENISTIC,
    "slow-benefit-safe": MISSES_GENERATIVE,
    "user-led": MISSES_GENERATIVE,
    "co-everything-unresourced": MISSES_PRECARIOUS,
}


def built_to(preset: str, regime: str):
    marks = [pytest.mark.xfail(strict=True, reason=MISSES[preset])] if preset in MISSES else []
    return pytest.param(preset, regime, marks=marks, id=preset)


@pytest.mark.parametrize("preset, regime", [built_to(p, r) for p, r in PRESETS.items()])
def test_the_doc_says_each_preset_mostly_lands_where_it_was_built_to(preset, regime):
    """In the doc's table (seeds 0-19, made from the runs by tests/test_regimes_doc.py),
    the preset's regime holds on most runs; any other regime is a near miss (at most two
    runs in twenty), except for unpaid-fast, which the doc calls a boundary case."""
    counts = DOC_TABLE[preset]
    assert sum(counts.values()) == 20
    assert max(counts, key=counts.get) == regime and counts[regime] > 10, counts
    if preset != "unpaid-fast":
        assert counts[regime] >= 18, counts


def test_the_doc_puts_no_preset_in_collapse_and_no_generative_preset_in_a_harm():
    assert all("collapse" not in counts for counts in DOC_TABLE.values())
    for preset in ("slow-benefit-safe", "user-led"):
        assert not set(DOC_TABLE[preset]) & set(HARMS), DOC_TABLE[preset]


def test_the_doc_has_co_everything_unresourced_mostly_precarious_labour():
    """Its near misses are more than two in twenty (the strict xfail above), but precarious
    labour is still its most common regime, on more than half its runs."""
    counts = DOC_TABLE["co-everything-unresourced"]
    assert max(counts, key=counts.get) == "precarious_labour" and counts["precarious_labour"] > 10


def test_the_doc_has_the_default_mostly_ordinary_and_unpaid_fast_on_the_capture_boundary():
    """The default's near misses are more than two in twenty (the strict xfail above), but
    ordinary involvement is still its most common regime, on more than half its runs, with
    elite capture the only other; unpaid-fast splits between the two, and nothing else."""
    default = DOC_TABLE["default"]
    assert max(default, key=default.get) == "ordinary" and default["ordinary"] > 10
    assert set(default) == set(DOC_TABLE["unpaid-fast"]) == {"ordinary", "elite_capture"}


@pytest.mark.parametrize("harm", ["tokenism", "precarious_labour"])
def test_the_doc_shows_a_harm_only_where_a_preset_was_built_to_show_it(harm):
    assert [p for p, c in DOC_TABLE.items() if harm in c] == [
        p for p, r in PRESETS.items() if r == harm
    ]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets_land_where_the_doc_says_on_the_first_seeds(preset_regimes, preset):
    """Seeds 0-3: only regimes the doc's table lists for the preset, and one of the table's
    most common regimes for it on at least half of them."""
    got, counts = preset_regimes[preset], DOC_TABLE[preset]
    assert set(got) <= set(counts), (got, counts)
    most = [r for r, n in counts.items() if n == max(counts.values())]
    assert max(got.count(r) for r in most) >= len(PRESET_SEEDS) / 2, (got, counts)


def test_rules_read_every_metric_they_need():
    assert set(NEEDED_METRICS) <= set(METRIC_NAMES)
    used = {c.indicator for r in REGIMES for c in r.conditions}
    assert used <= set(indicators(_row()))
    assert indicators(_row(insights=0.0))["unexpected_share"] == 0.0
    assert DEFAULTS["weeks"] == 104  # the docs' preset table is for 104-week runs


# --------------------------------------------------------------------------- bad input


def _fail(args: list[str], capsys) -> str:
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coprod: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, small):
    assert "does not exist" in _fail(["analyze", str(tmp_path / "nowhere")], capsys)
    (tmp_path / "file.txt").write_text("x")
    assert "is a file" in _fail(["analyze", str(tmp_path / "file.txt")], capsys)
    (tmp_path / "empty").mkdir()
    assert "not a sweep directory" in _fail(["analyze", str(tmp_path / "empty")], capsys)
    assert "required" in _fail(["analyze"], capsys)

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text((small / "manifest.json").read_text())
    (broken / "runs.parquet").write_bytes(b"PAR1 not really")
    assert "cannot be read as Parquet" in _fail(["analyze", str(broken)], capsys)
    (broken / "manifest.json").write_text("{")
    assert "not valid JSON" in _fail(["analyze", str(broken)], capsys)
    assert sorted(p.name for p in broken.iterdir()) == ["manifest.json", "runs.parquet"]

    line = _fail(["analyze", str(small), "--metric", "partcipation_parity"], capsys)
    assert "did you mean 'participation_parity'" in line

    running = tmp_path / "running"
    (running / "parts").mkdir(parents=True)
    (running / "manifest.json").write_text('{"status": "running"}')
    assert "has not finished" in _fail(["analyze", str(running)], capsys)
    assert sorted(p.name for p in small.iterdir()) == ["manifest.json", "runs.parquet"]


def _edit_manifest(folder: Path, change: Callable[[dict], None]) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_manifest_of_another_format_or_version_is_refused(small, capsys):
    _edit_manifest(small, lambda m: m.update(format_version=3))
    line = _fail(["analyze", str(small)], capsys)
    assert "sweep format version 3; this coprod reads versions 1 and 2 only" in line
    _edit_manifest(small, lambda m: m.update(format_version=True))
    assert "sweep format version true" in _fail(["analyze", str(small)], capsys)
    _edit_manifest(small, lambda m: m.pop("format_version"))
    assert "sweep format version null" in _fail(["analyze", str(small)], capsys)
    _edit_manifest(small, lambda m: m.update(format="something-else", format_version=1))
    assert "not a coprod sweep manifest" in _fail(["analyze", str(small)], capsys)
    _edit_manifest(small, lambda m: (m.update(format="coprod-sweep"), m["spec"].pop("base")))
    assert "the sweep spec lacks 'base'" in _fail(["analyze", str(small)], capsys)
    _edit_manifest(small, lambda m: m.pop("spec"))
    assert "holds no sweep spec" in _fail(["analyze", str(small)], capsys)
    assert sorted(p.name for p in small.iterdir()) == ["manifest.json", "runs.parquet"]


def test_analysis_errors_are_value_errors_raised_by_the_package(small):
    assert issubclass(AnalysisError, ValueError) and an.AnalyzeError is AnalysisError
    with pytest.raises(AnalysisError, match="unknown metric 'nope'"):
        an.analyze(small, ["nope"])


def test_no_successful_run_is_bad_input(tmp_path, capsys):
    out = write_sweep(
        tmp_path / "dead", {"pace": [0.2]}, replicates=2, fail=(0, 1), metrics=by_run({})
    )
    line = _fail(["analyze", str(out)], capsys)
    assert "none of the 2 runs" in line and "the model broke" in line
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "runs.parquet"]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_failure_part_way_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = write_sweep(
        tmp_path / "half",
        {"pace": [0.2, 0.8]},
        replicates=2,
        metrics=by_run({i: {"participation_lay": 0.1 * (i + 1)} for i in range(4)}),
    )
    before = sorted(p.name for p in out.iterdir())

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(figures, "regime_map", broken)
    with pytest.raises(RuntimeError):
        an.analyze(out, ["participation_lay"])
    assert sorted(p.name for p in out.iterdir()) == before


# --------------------------------------------------------------------------- structure


def test_the_command_module_loads_without_the_analysis_libraries():
    """``coprod`` builds its parser from experiments.analyze: pandas and matplotlib wait."""
    code = (
        "import sys, experiments.analyze as a; a.add_parser; "
        "print(sorted({'pandas', 'matplotlib', 'SALib', 'scipy'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_analysis_does_not_import_the_command_line():
    sources = [ROOT / "experiments" / "analyze.py", *(ROOT / "experiments/analysis").glob("*.py")]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert "experiments.cli" not in names, path


# --------------------------------------------------------------------------- shipped specs

SPECS = ROOT / "experiments" / "specs"
PATTERN_SPECS = sorted(SPECS.glob("pattern-*.toml"))


def test_one_spec_per_pattern_each_saying_what_to_look_at():
    numbers = [int(p.name.split("-")[1]) for p in PATTERN_SPECS]
    assert numbers == list(range(1, 11))
    for path in [*PATTERN_SPECS, SPECS / "sensitivity-sobol.toml", SPECS / "screening-morris.toml"]:
        header = path.read_text(encoding="utf-8").split("\n[sweep]\n", 1)[0]
        assert "Look at:" in header and "coprod analyze" in header, path.name
        assert ("Pattern " in header) == path.name.startswith("pattern-"), path.name


@pytest.mark.parametrize(
    "path",
    [*PATTERN_SPECS, SPECS / "sensitivity-sobol.toml", SPECS / "screening-morris.toml"],
    ids=lambda p: p.stem,
)
def test_shipped_specs_load(path):
    spec = design.load_spec(path)
    assert spec.name == path.stem
    if path.name.startswith("pattern-"):
        assert spec.design == "grid" and spec.replicates == 20
    else:
        assert spec.design == path.stem.split("-")[1]  # sobol / morris


# --------------------------------------------------------------------------- assumptions


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_sweep_of_an_assumption_is_analysed_and_labelled(tmp_path):
    p = PARAM_BY_NAME["weight_time"]
    out = write_sweep(
        tmp_path / "assumed",
        {"weight_time": [p.low, p.default, p.high]},
        replicates=2,
        metrics=lambda _run, values: {"participation_lay": 1 / values["weight_time"]},
    )
    runs = pd.read_parquet(out / store.RUNS)
    assert runs["weight_time"].tolist() == [p.low] * 2 + [p.default] * 2 + [p.high] * 2
    assert an.analyze(out, ["participation_lay"]) == out / "report.md"
    text = (out / "report.md").read_text(encoding="utf-8")
    meaning = param_meaning("weight_time")
    assert meaning.startswith(p.help) and f"model assumption of the {p.group} rule" in meaning
    assert f"- `weight_time`: {meaning}; values" in text
    assert "**weight_time**" in text  # the reading names it as the parameter that matters
    assert param_label("weight_time").replace("\n", " ").startswith(f"weight_time: {p.help}")
    assert _png(out / "figures" / "lines-participation_lay.png")
    summary = pd.read_csv(out / "summary.csv")
    assert summary["participation_lay_mean"].tolist() == pytest.approx(
        [1 / p.low, 1 / p.default, 1 / p.high]
    )
    assert param_meaning("pace") == f"{PARAM_BY_NAME['pace'].help} (0-1)"  # a lever: no rule


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_version_1_sweep_is_analysed_with_the_assumptions_at_their_defaults(small):
    names = [p.name for p in ASSUMPTIONS]
    runs = pd.read_parquet(small / store.RUNS).drop(columns=names)
    runs.to_parquet(small / store.RUNS, index=False)

    def downgrade(manifest: dict) -> None:
        manifest["format_version"] = 1
        manifest["spec"]["base"] = {
            k: v for k, v in manifest["spec"]["base"].items() if k not in names
        }

    _edit_manifest(small, downgrade)
    sweep = an.load_sweep(small)
    assert all((sweep.runs[n] == DEFAULTS[n]).all() for n in names)
    assert {n: sweep.spec.base[n] for n in names} == {n: DEFAULTS[n] for n in names}
    assert len(sweep.notes) == 1 and "format version 1" in sweep.notes[0]
    an.analyze(small, ["participation_lay"])
    assert "format version 1, before the model's assumptions" in (small / "report.md").read_text(
        encoding="utf-8"
    )
