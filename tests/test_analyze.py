"""``coprod analyze`` and the regime rules, on real sweep folders on disk.

Most sweeps here are written by a small helper (:func:`write_sweep`) that runs the
model directly and lays out ``runs.parquet`` and ``manifest.json`` as ``coprod sweep``
does; one is made by ``coprod sweep`` itself, so a change of its format shows up here.
Runs are short (8-30 weeks) to keep the file fast.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import analyze as an
from experiments import cli
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
from simulation.metrics import METRIC_NAMES
from simulation.params import DEFAULTS, PARAM_BY_NAME, validate
from simulation.scenarios import load_scenario

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- fixtures


def write_sweep(
    out: Path,
    vary: dict,
    design: str = "grid",
    *,
    fixed: dict | None = None,
    replicates: int = 2,
    weeks: int = 10,
    samples: int = 4,
    seed: int = 0,
    fail: tuple[int, ...] = (),
    metrics: dict | None = None,
) -> Path:
    """A sweep folder as ``coprod sweep`` writes it: runs.parquet and manifest.json.

    ``vary``: grid: ``{name: [values]}``; sobol/morris: ``{name: {"min": .., "max": ..}}``,
    sampled with SALib so that point_id i is row i of the sample matrix.
    ``fail``: run_ids recorded as failed. ``metrics``: ``{run_id: {metric: value}}`` to
    use instead of running the model (hand-made cases).
    """
    out.mkdir(parents=True, exist_ok=True)
    fixed = dict(fixed or {})
    names = list(vary)
    summary: dict = {"design": design, "varied": names}
    if design == "grid":
        points = [
            dict(zip(names, combo, strict=False)) for combo in itertools.product(*vary.values())
        ]
        factors = [
            {"name": n, "kind": PARAM_BY_NAME[n].kind, "values": list(v)} for n, v in vary.items()
        ]
    else:
        problem = {
            "num_vars": len(names),
            "names": names,
            "bounds": [[vary[n]["min"], vary[n]["max"]] for n in names],
        }
        if design == "sobol":
            from SALib.sample import sobol

            matrix = sobol.sample(problem, samples, calc_second_order=False, seed=seed)
            summary.update(samples=samples, calc_second_order=False)
        else:
            from SALib.sample import morris

            matrix = morris.sample(problem, samples, num_levels=4, seed=seed)
            summary.update(samples=samples, num_levels=4)
        summary["salib_problem"] = problem
        points = [
            {
                n: int(np.rint(x)) if PARAM_BY_NAME[n].kind == "int" else float(x)
                for n, x in zip(names, row, strict=False)
            }
            for row in matrix
        ]
        factors = [{"name": n, "kind": PARAM_BY_NAME[n].kind, **vary[n]} for n in names]
    summary["factors"] = factors
    rows = []
    for point_id, point in enumerate(points):
        for replicate in range(replicates):
            run_id = len(rows)
            values = validate({"weeks": weeks, **fixed, **point})
            row = {
                "run_id": run_id,
                "point_id": point_id,
                "replicate": replicate,
                "seed": seed * 1000 + run_id,
                **values,
            }
            if run_id in fail:
                row.update(
                    dict.fromkeys(METRIC_NAMES, np.nan),
                    status="failed",
                    error="RuntimeError: the model broke",
                )
            elif metrics is not None:
                row.update(
                    {**dict.fromkeys(METRIC_NAMES, 0.5), **metrics.get(run_id, {})},
                    status="ok",
                    error=None,
                )
            else:
                result = CoProductionModel(rng=row["seed"], **values).run()
                row.update(result, status="ok", error=None)
            rows.append(row)
    pd.DataFrame(rows).to_parquet(out / "runs.parquet", index=False)
    spec = {
        "name": out.name,
        "scenario": "default",
        "design": design,
        "samples": samples,
        "replicates": replicates,
        "seed": seed,
        "weeks": weeks,
        "timeseries": False,
        "fixed": fixed,
        "vary": factors,
    }
    (out / "manifest.json").write_text(
        json.dumps({"format": "coprod-sweep", "spec": spec, "design": summary}, indent=1)
    )
    return out


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


def _png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC


def _links(report: Path) -> list[str]:
    return re.findall(r"\]\((figures/[^)]+)\)", report.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- grid


def test_grid_analysis_writes_summary_figures_regimes_and_report(grid):
    summary = pd.read_csv(grid / "summary.csv")
    assert pd.read_parquet(grid / "summary.parquet").shape == summary.shape
    assert len(summary) == 6 and list(summary["point_id"]) == list(range(6))
    assert summary["n_runs"].tolist() == [3] * 6
    assert summary["n_ok"].sum() == 17  # run 4 failed
    for m in METRIC_NAMES:
        for suffix in ("mean", "sd", "ci_low", "ci_high"):
            assert f"{m}_{suffix}" in summary
    ok = summary.dropna(subset=["participation_lay_ci_low"])
    assert (ok["participation_lay_ci_low"] <= ok["participation_lay_mean"]).all()
    assert (ok["participation_lay_mean"] <= ok["participation_lay_ci_high"]).all()
    shares = summary[[f"share_{r}" for r in REGIME_NAMES]].sum(axis=1)
    assert np.allclose(shares, 1.0)
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
    assert "moves most with" in text and "Participation parity" in text
    regimes = pd.read_csv(grid / "regimes.csv")
    assert len(regimes) == 18 and regimes["regime"].isna().sum() == 1
    assert not [p for p in grid.iterdir() if p.name.startswith(".")]  # no staging left


def test_report_reading_is_computed_from_the_data(grid):
    runs = pd.read_parquet(grid / "runs.parquet")
    ok = runs[runs["status"] == "ok"]
    by = ok.groupby("pace")["experiential_share"].mean()
    slow, fast = by[0.2], by[0.9]
    text = (grid / "report.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("- **experiential_share**"))
    assert "**pace**" in line  # pace moves lived experience more than compensation here
    assert an._num(slow) in line and an._num(fast) in line
    lowest = ok.groupby(["compensation", "pace"])["participation_parity"].mean().idxmin()
    assert f"lowest at compensation = {lowest[0]}, pace = {lowest[1]:g}" in text


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


def test_summary_ci_by_hand_on_a_one_parameter_sweep(tmp_path):
    # Point 0 (pace 0.2): participation_lay 0.2, 0.4, 0.6; point 1 (pace 0.8): 0.5 x 3.
    values = {0: 0.2, 1: 0.4, 2: 0.6}
    out = write_sweep(
        tmp_path / "hand",
        {"pace": [0.2, 0.8]},
        replicates=3,
        metrics={i: {"participation_lay": v} for i, v in values.items()},
    )
    an.analyze(out, ["participation_lay"])
    row = pd.read_csv(out / "summary.csv").set_index("point_id").loc[0]
    half = stats.t.ppf(0.975, 2) * 0.2 / math.sqrt(3)
    assert row["participation_lay_mean"] == pytest.approx(0.4)
    assert row["participation_lay_sd"] == pytest.approx(0.2)
    assert row["participation_lay_ci_low"] == pytest.approx(0.4 - half)
    assert row["participation_lay_ci_high"] == pytest.approx(0.4 + half)
    other = pd.read_csv(out / "summary.csv").set_index("point_id").loc[1]
    assert other["participation_lay_ci_low"] == pytest.approx(0.5)  # no spread, no width
    # One varied parameter: line plot and a regime bar chart, no heatmap.
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "lines-participation_lay.png",
        "regime-map.png",
    ]
    assert "heatmaps skipped" in (out / "report.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- sensitivity

VARY_RANGES = {
    "pace": {"min": 0.1, "max": 0.9},
    "power_sharing": {"min": 0.05, "max": 0.8},
    "meeting_interval": {"min": 1, "max": 4},
}
FEW = ["experiential_share", "satisfaction_rights", "mean_trust"]


def test_sobol_design_gives_first_order_and_total_indices(tmp_path):
    out = write_sweep(tmp_path / "sobol", VARY_RANGES, "sobol", samples=8, replicates=1, weeks=12)
    an.analyze(out, FEW)
    table = pd.read_csv(out / "sobol.csv")
    assert list(table.columns) == ["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(table) == len(FEW) * 3 and table[["S1", "ST"]].notna().all().all()
    rights = table[table["metric"] == "satisfaction_rights"].set_index("parameter")["ST"]
    assert rights.idxmax() == "power_sharing"  # real influence follows power sharing
    assert _png(out / "figures/sobol.png")
    assert "figures/sobol.png" in _links(out / "report.md")
    assert _png(out / "figures/heatmap-mean_trust.png")  # binned axes for a sample design


def test_morris_design_gives_mu_star_and_sigma(tmp_path):
    out = write_sweep(tmp_path / "morris", VARY_RANGES, "morris", samples=4, replicates=1, weeks=12)
    an.analyze(out, FEW)
    table = pd.read_csv(out / "morris.csv")
    assert list(table.columns) == ["metric", "parameter", "mu", "mu_star", "mu_star_conf", "sigma"]
    assert len(table) == len(FEW) * 3 and (table["mu_star"] >= 0).all()
    assert _png(out / "figures/morris.png")
    assert "figures/morris.png" in _links(out / "report.md")


def test_a_folder_written_by_coprod_sweep(tmp_path):
    """The real ``coprod sweep`` output, a Morris design with a listed factor."""
    sweep = pytest.importorskip("experiments.sweep")
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        '[sweep]\nname = "tiny"\ndesign = "morris"\nsamples = 3\nreplicates = 2\n'
        "seed = 1\nweeks = 8\n[vary]\npace = {min = 0.1, max = 0.9}\n"
        "power_sharing = {min = 0.05, max = 0.8}\n"
        'compensation = ["none", "expenses", "paid"]\n'
    )
    out = tmp_path / "tiny"
    sweep.run_sweep(spec, out, workers=1, progress=False)
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
        "lay_out_of_pocket": 400.0,
    }
    return {**base, **metrics}


HAND_ROWS = {
    "collapse": _row(participation_lay=0.05, participation_parity=5.0),
    "precarious_labour": _row(unpaid_hours_per_lay_participant=60.0, lay_out_of_pocket=16000.0),
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
        lay_out_of_pocket=16000.0,
        satisfaction_rights=0.05,
        participation_parity=0.3,
    )
    assert classify(both) == "precarious_labour"
    # Generative outcomes are not generative when the room is captured.
    assert classify({**HAND_ROWS["generative"], "participation_parity": 0.4}) == "elite_capture"
    # Money fronted is per lay person: a larger programme needs more to count as precarious.
    big = {**HAND_ROWS["precarious_labour"], "n_patients": 400, "n_carers": 200}
    assert indicators(big)["out_of_pocket_per_lay"] == pytest.approx(16000 / 600)
    assert classify(big) == "ordinary"
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


PRESET_SEEDS = range(4)


@pytest.fixture(scope="module")
def preset_regimes() -> dict[str, list[str]]:
    out = {}
    for preset in (
        "default",
        "unpaid-fast",
        "tokenistic",
        "slow-benefit-safe",
        "user-led",
        "co-everything-unresourced",
    ):
        values = load_scenario(preset)
        out[preset] = [
            classify({**values, **CoProductionModel(rng=s, **values).run()}) for s in PRESET_SEEDS
        ]
    return out


@pytest.mark.parametrize(
    "preset, regime",
    [
        ("tokenistic", "tokenism"),
        ("slow-benefit-safe", "generative"),
        ("user-led", "generative"),
        ("co-everything-unresourced", "precarious_labour"),
    ],
)
def test_presets_land_in_the_expected_regime(preset_regimes, preset, regime):
    assert preset_regimes[preset] == [regime] * len(PRESET_SEEDS)


def test_default_and_unpaid_fast_are_ordinary_involvement_or_near_capture(preset_regimes):
    assert preset_regimes["default"].count("ordinary") > len(PRESET_SEEDS) / 2
    assert set(preset_regimes["unpaid-fast"]) <= {"ordinary", "elite_capture"}


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


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, grid):
    assert "does not exist" in _fail(["analyze", str(tmp_path / "nowhere")], capsys)
    (tmp_path / "file.txt").write_text("x")
    assert "is a file" in _fail(["analyze", str(tmp_path / "file.txt")], capsys)
    (tmp_path / "empty").mkdir()
    assert "not a sweep directory" in _fail(["analyze", str(tmp_path / "empty")], capsys)
    assert "required" in _fail(["analyze"], capsys)

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text((grid / "manifest.json").read_text())
    (broken / "runs.parquet").write_bytes(b"PAR1 not really")
    assert "cannot be read as Parquet" in _fail(["analyze", str(broken)], capsys)
    (broken / "manifest.json").write_text("{")
    assert "not valid JSON" in _fail(["analyze", str(broken)], capsys)
    assert sorted(p.name for p in broken.iterdir()) == ["manifest.json", "runs.parquet"]

    line = _fail(["analyze", str(grid), "--metric", "partcipation_parity"], capsys)
    assert "did you mean 'participation_parity'" in line

    running = tmp_path / "running"
    (running / "parts").mkdir(parents=True)
    (running / "manifest.json").write_text('{"status": "running"}')
    assert "has not finished" in _fail(["analyze", str(running)], capsys)


def test_no_successful_run_is_bad_input(tmp_path, capsys):
    out = write_sweep(tmp_path / "dead", {"pace": [0.2]}, replicates=2, fail=(0, 1), metrics={})
    line = _fail(["analyze", str(out)], capsys)
    assert "none of the 2 runs" in line and "the model broke" in line
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "runs.parquet"]


def test_a_failure_part_way_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = write_sweep(
        tmp_path / "half",
        {"pace": [0.2, 0.8]},
        replicates=2,
        metrics={i: {"participation_lay": 0.1 * (i + 1)} for i in range(4)},
    )
    before = sorted(p.name for p in out.iterdir())

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(an, "regime_map", broken)
    with pytest.raises(RuntimeError):
        an.analyze(out, ["participation_lay"])
    assert sorted(p.name for p in out.iterdir()) == before


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
    design = pytest.importorskip("experiments.design")
    spec = design.load_spec(path)
    assert spec.name == path.stem
    if path.name.startswith("pattern-"):
        assert spec.design == "grid" and spec.replicates == 20
    else:
        assert spec.design == path.stem.split("-")[1]  # sobol / morris
