"""`coprod sweep`: spec checks, designs, backends that agree, resume after kill -9 and
after Ctrl-C or SIGTERM, failures.

Every sweep here writes real files under tmp_path; specs are small (8-26 weeks).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
from cli_checks import alive, assert_interrupted, assert_one_line_error, children

from experiments import cli
from experiments import sweep as sweep_module
from experiments.design import Factor, Spec, SpecError, load_spec
from experiments.sweep import run_sweep
from simulation.metrics import METRIC_NAMES
from simulation.model import CoProductionModel
from simulation.params import ASSUMPTIONS, DEFAULTS, EVERY_PARAM, PARAM_BY_NAME

PARAM_NAMES = [p.name for p in EVERY_PARAM]  # the policy levers, then the assumptions
RUN_COLUMNS = [
    "run_id",
    "point_id",
    "replicate",
    "seed",
    *PARAM_NAMES,
    *METRIC_NAMES,
    "status",
    "error",
]
SCRIPT = Path(sys.executable).with_name("coprod")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "experiments.cli"]

SMALL = """
[sweep]
name = "small"
replicates = 3
seed = 11
weeks = 8

[fixed]
travel_support = true

[vary]
compensation = ["none", "paid"]
pace = [0.2, 0.8]
"""

# Big enough to take a few seconds on two workers: 160 runs in 20 part files.
KILLABLE = """
[sweep]
name = "killable"
replicates = 40
seed = 5
weeks = 26
timeseries = true

[vary]
compensation = ["none", "paid"]
benefit_safe = [false, true]
"""


def _write(folder: Path, text: str, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("run_id").reset_index(drop=True)


def _inject(monkeypatch, fault) -> list[int]:
    """Fault injection in-process: ``fault(params, seed)`` is called before each run and
    may raise, in a batch (which then raises, as ``run_batch`` does when one of its runs
    raises) and in a run made alone; returns the sizes of the batches tried."""
    real_one, real_many = sweep_module.simulate, sweep_module.simulate_batch
    batches: list[int] = []

    def one(params, seed, timeseries):
        fault(params, seed)
        return real_one(params, seed, timeseries)

    def many(runs, timeseries):
        batches.append(len(runs))
        for params, seed in runs:
            fault(params, seed)
        return real_many(runs, timeseries)

    monkeypatch.setattr(sweep_module, "simulate", one)
    monkeypatch.setattr(sweep_module, "simulate_batch", many)
    return batches


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict:
    """The SMALL sweep, once in-process (1 worker) and once on 2 local processes."""
    folder = tmp_path_factory.mktemp("small")
    spec = _write(folder, SMALL)
    one = run_sweep(spec, folder / "one", workers=1, progress=False)
    two = run_sweep(spec, folder / "two", workers=2, progress=False)
    return {"spec": spec, "one": one, "two": two}


# --------------------------------------------------------------------------- bad input

# id: (spec text or None for no file, extra arguments, words the error line must contain)
BAD = {
    "missing-file": (None, [], ["spec.toml", "does not exist"]),
    "malformed-toml": ('[sweep\nname = "x"\n', [], ["spec.toml", "not valid TOML"]),
    "unknown-table": ("[vari]\npace = [0.1]\n", [], ["vari", "did you mean 'vary'"]),
    "unknown-sweep-key": (
        "[sweep]\nreplicate = 3\n[vary]\npace = [0.1]\n",
        [],
        ["replicate", "did you mean 'replicates'"],
    ),
    "param-in-sweep": (
        "[sweep]\npace = 0.5\n[vary]\npace = [0.1]\n",
        [],
        ["pace", "[fixed] or [vary]"],
    ),
    "unknown-fixed": (
        "[fixed]\ntravel_suport = true\n[vary]\npace = [0.1]\n",
        [],
        ["travel_suport", "did you mean 'travel_support'"],
    ),
    "unknown-varied": ("[vary]\npaec = [0.1, 0.2]\n", [], ["paec", "did you mean 'pace'"]),
    "unknown-design": (
        '[sweep]\ndesign = "sobel"\n[vary]\npace = [0.1]\n',
        [],
        ["sobel", "did you mean 'sobol'"],
    ),
    "nothing-varied": ("[sweep]\nreplicates = 2\n", [], ["[vary]", "nothing to vary"]),
    "empty-list": ("[vary]\npace = []\n", [], ["pace", "empty list"]),
    "value-out-of-range": ("[vary]\npace = [0.5, 1.5]\n", [], ["pace", "from 0 to 1", "1.5"]),
    "range-out-of-range": (
        '[sweep]\ndesign = "lhs"\nsamples = 4\n[vary]\npace = {min = 0.1, max = 2}\n',
        [],
        ["pace", "from 0 to 1", "2"],
    ),
    "empty-range": (
        '[sweep]\ndesign = "lhs"\nsamples = 4\n[vary]\npace = {min = 0.6, max = 0.2}\n',
        [],
        ["pace", "below"],
    ),
    "bad-choice": (
        '[vary]\ncompensation = ["none", "lots"]\n',
        [],
        ["compensation", "none, expenses, paid", "lots"],
    ),
    "grid-needs-list": ("[vary]\npace = {min = 0.1, max = 0.9}\n", [], ["pace", "list"]),
    "bool-range": (
        '[sweep]\ndesign = "morris"\nsamples = 4\n[vary]\nbenefit_safe = {min = 0, max = 1}\n',
        [],
        ["benefit_safe", "listing"],
    ),
    "no-samples": (
        '[sweep]\ndesign = "lhs"\n[vary]\npace = {min = 0.1, max = 0.9}\n',
        [],
        ["samples", "lhs"],
    ),
    "sobol-not-power-of-2": (
        '[sweep]\ndesign = "sobol"\nsamples = 100\n[vary]\npace = {min = 0.1, max = 0.9}\n',
        [],
        ["power of 2", "100"],
    ),
    "zero-replicates": ("[sweep]\nreplicates = 0\n[vary]\npace = [0.1]\n", [], ["replicates", "0"]),
    "text-replicates": (
        '[sweep]\nreplicates = "ten"\n[vary]\npace = [0.1]\n',
        [],
        ["replicates", "whole number", "ten"],
    ),
    "empty-population": (
        "[fixed]\nn_carers = 0\n[vary]\nn_patients = [0, 10]\n",
        [],
        ["design point 0", "n_patients=0", "population"],
    ),
    "fixed-and-varied": ("[fixed]\npace = 0.3\n[vary]\npace = [0.1]\n", [], ["pace", "both"]),
    "unknown-scenario": (
        '[sweep]\nscenario = "unpaidfast"\n[vary]\npace = [0.1]\n',
        [],
        ["unpaidfast", "did you mean 'unpaid-fast'"],
    ),
    "unsafe-name": ('[sweep]\nname = "../up"\n[vary]\npace = [0.1]\n', [], ["name", "../up"]),
    "out-is-a-file": (SMALL, ["--out", "taken.txt"], ["--out", "taken.txt", "file"]),
    "out-holds-other-files": (SMALL, ["--out", "busy"], ["--out", "busy", "other files"]),
    "zero-workers": (SMALL, ["--workers", "0"], ["--workers", "0"]),
    "zero-batch": (SMALL, ["--batch", "0"], ["--batch", "0"]),
    "text-batch": (SMALL, ["--batch", "all"], ["--batch", "all"]),
    "workers-and-scheduler": (
        SMALL,
        ["--workers", "2", "--scheduler", "tcp://127.0.0.1:9"],
        ["--workers", "--scheduler"],
    ),
}
THROUGH_SCRIPT = ("malformed-toml", "unknown-varied", "out-holds-other-files")


def _prepare_bad(key: str, folder: Path) -> list[str]:
    text, extra, _ = BAD[key]
    if text is not None:
        _write(folder, text)
    (folder / "taken.txt").write_text("a file\n")
    (folder / "busy").mkdir()
    (folder / "busy" / "notes.txt").write_text("keep me\n")
    return ["sweep", "spec.toml", *extra]


def _check_bad(key: str, code: int, out: str, err: str, folder: Path, before: set) -> None:
    assert_one_line_error(code, out, err, BAD[key][2])
    assert _files(folder) == before  # nothing written, nothing half-written
    assert (folder / "busy" / "notes.txt").read_text() == "keep me\n"


@pytest.mark.parametrize("key", [k for k in BAD if k not in THROUGH_SCRIPT])
def test_bad_input_in_process(key, tmp_path, monkeypatch, capsys):
    args = _prepare_bad(key, tmp_path)
    before = _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = cli.main(args)
    captured = capsys.readouterr()
    _check_bad(key, code, captured.out, captured.err, tmp_path, before)


@pytest.mark.parametrize("key", THROUGH_SCRIPT)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_bad_input_through_the_script(key, tmp_path):
    args = _prepare_bad(key, tmp_path)
    before = _files(tmp_path)
    done = subprocess.run(
        [*COMMAND, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    _check_bad(key, done.returncode, done.stdout, done.stderr, tmp_path, before)


def test_the_python_api_raises_one_line_errors(tmp_path):
    from experiments.sweep import SweepInputError
    from simulation.params import ParamError

    with pytest.raises(SpecError) as err:
        load_spec(_write(tmp_path, "[vary]\npace = [2]\n"))
    assert isinstance(err.value, ParamError) and "\n" not in str(err.value)
    (tmp_path / "taken").write_text("x")
    with pytest.raises(SweepInputError, match="--out"):
        run_sweep(_write(tmp_path, SMALL), tmp_path / "taken", workers=1, progress=False)


def test_dry_run_prints_the_design_and_writes_nothing(tmp_path, monkeypatch, capsys):
    _write(tmp_path, SMALL)
    before = _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["sweep", "spec.toml", "--dry-run"]) == 0
    assert cli.main(["sweep", "spec.toml", "--dry-run", "--out", "elsewhere/out"]) == 0
    text = capsys.readouterr().out
    assert "4 points x 3 replicates = 12 runs" in text
    assert re.search(r"compensation\s+\"none\", \"paid\"", text)
    assert re.search(r"pace\s+0.2, 0.8", text)
    assert "travel_support = true" in text and "nothing written" in text
    assert "estimated time: about" in text and "timed on 3 runs of point 0" in text
    assert _files(tmp_path) == before


def test_dry_run_estimate_is_runs_times_seconds_per_run_over_workers(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sweep_module, "time_runs", lambda spec: (0.5, 3))
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, SMALL)
    assert cli.main(["sweep", "spec.toml", "--dry-run", "--workers", "2"]) == 0
    out = capsys.readouterr()
    # 12 runs x 0.5 s / 2 workers = 3 s; no warning below a million runs
    assert "estimated time: about 3 s for 12 runs on 2 workers (0.5 s per run" in out.out
    assert out.err == ""
    # 200 points x 6,000 replicates = 1,200,000 runs x 0.5 s / 4 workers = 150,000 s = 42 h
    paces = ", ".join(str(v / 100) for v in range(1, 101))
    _write(
        tmp_path,
        f"[sweep]\nreplicates = 6000\n[vary]\npace = [{paces}]\nbenefit_safe = [true, false]\n",
        "big.toml",
    )
    assert cli.main(["sweep", "big.toml", "--dry-run", "--workers", "4"]) == 0
    out = capsys.readouterr()
    assert "200 points x 6000 replicates = 1200000 runs" in out.out
    assert "about 42 h for 1,200,000 runs on 4 workers" in out.out
    assert out.err == (
        "coprod: warning: 1,200,000 runs is more than 1,000,000; check the design "
        "(fewer values, samples or replicates?) before running it\n"
    )


def test_duration_in_words():
    words = [sweep_module.duration(s) for s in (0.04, 3.456, 42, 119, 150, 7300, 200_000)]
    assert words == ["0.04 s", "3.5 s", "42 s", "119 s", "2.5 min", "2 h", "2.3 days"]


# --------------------------------------------------------------------------- designs


def test_grid_points_runs_and_seeds(small):
    spec = load_spec(small["spec"])
    points = spec.points()
    assert list(points.columns) == ["point_id", "compensation", "pace"]
    assert points[["compensation", "pace"]].values.tolist() == [
        ["none", 0.2],
        ["none", 0.8],
        ["paid", 0.2],
        ["paid", 0.8],
    ]  # first name slowest
    runs = spec.runs()
    assert list(runs.columns) == ["run_id", "point_id", "replicate", "seed", *PARAM_NAMES]
    assert runs["run_id"].tolist() == list(range(12))
    assert (runs["point_id"] * 3 + runs["replicate"] == runs["run_id"]).all()
    children = np.random.SeedSequence(11).spawn(12)
    assert runs["seed"].tolist() == [
        int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in children
    ]
    assert (runs["travel_support"]).all() and (runs["weeks"] == 8).all()


def _design(tmp_path, design: str, samples: int, extra: str = "") -> Spec:
    text = (
        f'[sweep]\ndesign = "{design}"\nsamples = {samples}\nseed = 9\nweeks = 8\n{extra}'
        "[vary]\npace = {min = 0.1, max = 0.9}\nrefund_delay = {min = 0, max = 8}\n"
        'compensation = ["none", "expenses", "paid"]\nbenefit_safe = [false, true]\n'
    )
    return load_spec(_write(tmp_path, text, f"{design}.toml"))


@pytest.mark.parametrize(
    ("design", "samples", "n_points"), [("lhs", 20, 20), ("sobol", 8, 8 * 6), ("morris", 4, 4 * 5)]
)
def test_sampled_designs(tmp_path, design, samples, n_points):
    spec = _design(tmp_path, design, samples)
    points = spec.points()
    assert spec.n_points == len(points) == n_points
    assert points["point_id"].tolist() == list(range(n_points))
    assert spec.problem() == {
        "num_vars": 4,
        "names": ["pace", "refund_delay", "compensation", "benefit_safe"],
        "bounds": [[0.1, 0.9], [0.0, 8.0], [0.0, 1.0], [0.0, 1.0]],
    }
    x = spec.sample_matrix()
    assert x.shape == (n_points, 4)
    assert points["pace"].tolist() == x[:, 0].tolist()
    assert points["refund_delay"].tolist() == np.rint(x[:, 1]).astype(int).tolist()
    choices = np.array(["none", "expenses", "paid"])[np.minimum((x[:, 2] * 3).astype(int), 2)]
    assert points["compensation"].tolist() == choices.tolist()
    assert points["benefit_safe"].tolist() == (x[:, 3] >= 0.5).tolist()
    assert points["refund_delay"].map(type).eq(int).all()
    again = _design(tmp_path, design, samples)
    pd.testing.assert_frame_equal(points, again.points())  # seeded: the same every time


def test_sampled_designs_use_salib_and_scipy(tmp_path):
    from SALib.sample import morris, sobol
    from scipy.stats import qmc

    spec = _design(tmp_path, "sobol", 8)
    expected = sobol.sample(
        spec.problem(), 8, calc_second_order=False, seed=np.random.default_rng([9, 1])
    )
    assert np.array_equal(spec.sample_matrix(), expected)
    spec = _design(tmp_path, "morris", 4, "levels = 6\n")
    expected = morris.sample(spec.problem(), 4, num_levels=6, seed=np.random.default_rng([9, 1]))
    assert np.array_equal(spec.sample_matrix(), expected)
    assert spec.summary()["num_levels"] == 6
    spec = _design(tmp_path, "lhs", 10)
    unit = qmc.LatinHypercube(d=4, rng=np.random.default_rng([9, 1])).random(10)
    assert np.allclose(spec.sample_matrix()[:, 0], 0.1 + unit[:, 0] * 0.8)
    strata = np.floor((spec.sample_matrix()[:, 0] - 0.1) / 0.8 * 10)
    assert sorted(strata) == list(range(10))  # one point per stratum: a Latin hypercube


def test_listed_values_cover_zero_to_one():
    f = Factor("compensation", "choice", ("none", "expenses", "paid"))
    assert [f.value(x) for x in (0.0, 0.33, 0.34, 0.66, 0.67, 0.999, 1.0)] == [
        "none",
        "none",
        "expenses",
        "expenses",
        "paid",
        "paid",
        "paid",
    ]
    g = Factor("weeks", "int", (), 4.0, 10.0)
    assert [g.value(x) for x in (4.0, 4.4, 4.6, 10.0)] == [4, 4, 5, 10]


def test_fingerprint_and_round_trip(small, tmp_path):
    spec = load_spec(small["spec"])
    again = Spec.from_canonical(json.loads(json.dumps(spec.canonical())))
    assert again.fingerprint() == spec.fingerprint()
    pd.testing.assert_frame_equal(again.runs(), spec.runs())
    other = load_spec(_write(tmp_path, SMALL.replace("seed = 11", "seed = 12")))
    assert other.fingerprint() != spec.fingerprint()


# --------------------------------------------------------------------------- results


def test_runs_table_has_every_run_once_with_all_columns(small):
    table = small["one"].read_runs()
    assert list(table.columns) == RUN_COLUMNS
    assert table["run_id"].tolist() == list(range(12))  # written in run_id order
    assert (table["status"] == "ok").all() and (table["error"] == "").all()
    runs = load_spec(small["spec"]).runs()
    pd.testing.assert_frame_equal(
        table[runs.columns].astype(runs.dtypes.to_dict()), runs, check_dtype=False
    )
    assert not (small["one"].out_dir / "parts").exists()
    assert sorted(p.name for p in small["one"].out_dir.iterdir()) == [
        "manifest.json",
        "runs.parquet",
    ]


def test_one_and_two_workers_give_identical_tables(small):
    one = _sorted(small["one"].read_runs())
    two = _sorted(small["two"].read_runs())
    pd.testing.assert_frame_equal(one, two)
    assert np.array_equal(one[list(METRIC_NAMES)].to_numpy(), two[list(METRIC_NAMES)].to_numpy())
    assert small["two"].backend == "2 local workers"


# Runs that share a batch's passes (compensation only sets a run up), runs that need
# passes of their own (meeting_interval is read every week), and runs whose managers
# change the rules (manager_adaptation above 0: each alone).
MIXED = """
[sweep]
name = "mixed"
replicates = 3
seed = 21
weeks = 12
timeseries = true

[vary]
compensation = ["none", "paid"]
meeting_interval = [2, 4]
manager_adaptation = [0.0, 0.5]
"""


def _digests(out: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((out / name).read_bytes()).hexdigest()
        for name in ("runs.parquet", "timeseries.parquet")
    }


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_batch_size_does_not_change_a_byte_of_the_results(tmp_path, capsys):
    """One run at a time (--batch 1), all 24 runs in one batch, automatic chunks on one
    worker and on two: the same runs.parquet and timeseries.parquet, byte for byte."""
    spec = _write(tmp_path, MIXED)
    digests = {}
    for name, extra in {
        "one-at-a-time": ["--batch", "1", "--workers", "1"],
        "one-batch": ["--batch", "24", "--workers", "1"],
        "odd-batches": ["--batch", "5", "--workers", "2"],
        "automatic": ["--workers", "1"],
    }.items():
        assert cli.main(["sweep", str(spec), "--out", str(tmp_path / name), *extra]) == 0
        digests[name] = _digests(tmp_path / name)
    capsys.readouterr()
    assert len({tuple(d.values()) for d in digests.values()}) == 1, digests
    table = pd.read_parquet(tmp_path / "one-batch" / "runs.parquet")
    assert (table["status"] == "ok").all() and len(table) == 24
    # and the batch made each run as the model makes it alone
    row = table.iloc[-1]
    alone = CoProductionModel(
        rng=int(row["seed"]),
        weeks=12,
        compensation=row["compensation"],
        meeting_interval=int(row["meeting_interval"]),
        manager_adaptation=float(row["manager_adaptation"]),
    ).run()
    assert [row[n] for n in METRIC_NAMES] == [alone[n] for n in METRIC_NAMES]


def test_a_batch_that_raises_is_made_again_one_run_at_a_time(small, tmp_path, monkeypatch):
    """If the engine's batch raises (here for every batch), each run is made alone: the
    same table, and the runs made alone are exactly the batches' runs."""
    import simulation.batch

    tried, alone = [], []
    real_one = sweep_module.simulate

    def broken(runs, **kwargs):
        tried.extend(seed for _, seed in runs)
        raise RuntimeError("engine fault")

    def one(params, seed, timeseries):
        alone.append(seed)
        return real_one(params, seed, timeseries)

    monkeypatch.setattr(simulation.batch, "run_batch", broken)
    monkeypatch.setattr(sweep_module, "simulate", one)
    result = run_sweep(small["spec"], tmp_path / "out", workers=1, batch=4, progress=False)
    assert result.failed == 0 and sorted(tried) == sorted(alone) and len(alone) == 12
    pd.testing.assert_frame_equal(result.read_runs(), small["one"].read_runs())


def test_a_bad_batch_size_from_python_is_refused(small, tmp_path):
    for bad in (0, -3, 2.5, True, "8"):
        with pytest.raises(sweep_module.SweepError, match="--batch"):
            run_sweep(small["spec"], tmp_path / "out", workers=1, batch=bad, progress=False)
    assert not (tmp_path / "out").exists()


def test_a_row_equals_a_direct_model_run(small):
    row = small["one"].read_runs().iloc[7]
    params = {
        name: row[name].item() if hasattr(row[name], "item") else row[name] for name in PARAM_NAMES
    }
    direct = CoProductionModel(rng=int(row["seed"]), **params).run()
    assert [row[m] for m in METRIC_NAMES] == [direct[m] for m in METRIC_NAMES]


def test_manifest_describes_the_sweep_and_checksums_verify(small):
    result = small["one"]
    manifest = json.loads(result.manifest_path.read_text())
    spec = load_spec(small["spec"])
    assert manifest["format"] == "coprod-sweep" and manifest["status"] == "complete"
    assert manifest["fingerprint"] == spec.fingerprint()
    assert manifest["spec"]["text"] == small["spec"].read_text()
    assert manifest["spec"]["fixed"] == {"travel_support": True}
    assert manifest["spec"]["base"]["weeks"] == 8
    design = manifest["design"]
    assert design["design"] == "grid" and design["varied"] == ["compensation", "pace"]
    assert design["factors"][1] == {"name": "pace", "kind": "float", "values": [0.2, 0.8]}
    assert (design["n_points"], design["replicates"], design["n_runs"]) == (4, 3, 12)
    assert [c["name"] for c in manifest["schema"]["runs"]] == RUN_COLUMNS
    versions = manifest["versions"]
    assert versions["mesa"] == mesa.__version__ and versions["numpy"] == np.__version__
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    assert versions["coprod"]
    assert manifest["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", manifest["git_commit"])
    assert datetime.fromisoformat(manifest["started"]) <= datetime.fromisoformat(
        manifest["finished"]
    )
    assert manifest["runs"] == {"total": 12, "ok": 12, "failed": 0}
    assert set(manifest["files"]) == {"runs.parquet"}
    for name, entry in manifest["files"].items():
        data = (result.out_dir / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def test_timeseries_long_format(tmp_path):
    text = (
        "[sweep]\nreplicates = 2\nseed = 3\ntimeseries = true\n"
        '[vary]\nweeks = [5, 7]\ncompensation = ["none", "paid"]\n'
    )
    result = run_sweep(_write(tmp_path, text), tmp_path / "out", workers=1, progress=False)
    series = pd.read_parquet(result.timeseries_path)
    week_names = [name + "_week" for name in METRIC_NAMES]
    assert list(series.columns) == ["run_id", "week", *METRIC_NAMES, *week_names]
    assert len(series) == 2 * 2 * 5 + 2 * 2 * 7
    runs = result.read_runs()
    for run in runs.itertuples():
        weeks = series.loc[series["run_id"] == run.run_id, "week"].tolist()
        assert weeks == list(range(1, run.weeks + 1))
    last = runs.iloc[-1]
    model = CoProductionModel(rng=int(last["seed"]), weeks=7, compensation="paid")
    model.run()
    mine = series[series["run_id"] == last["run_id"]]
    assert np.array_equal(mine[week_names].to_numpy(), model.history)  # each week's own value
    # the bare names: the summary so far, as the DataCollector reports it; at the last
    # week, the run's row in runs.parquet
    collected = model.datacollector.get_model_vars_dataframe().iloc[1:]
    assert np.array_equal(mine[list(METRIC_NAMES)].to_numpy(), collected[list(METRIC_NAMES)])
    for run in runs.itertuples():
        end = series[series["run_id"] == run.run_id].iloc[-1]
        assert [end[n] for n in METRIC_NAMES] == [getattr(run, n) for n in METRIC_NAMES]
    # by hand, for a total: insights so far at week 3 is the sum of weeks 1-3
    assert mine["insights"].iloc[2] == mine["insights_week"].iloc[:3].sum()
    manifest = json.loads(result.manifest_path.read_text())
    assert set(manifest["files"]) == {"runs.parquet", "timeseries.parquet"}


@pytest.mark.parametrize("batch", [[], ["--batch", "12"]])
def test_failed_runs_are_recorded_and_listed(small, tmp_path, monkeypatch, capsys, batch):
    def fault(params, seed):  # fault injection for this test only
        if params["compensation"] == "paid" and params["pace"] == 0.8:
            raise RuntimeError("injected fault\non two lines")

    batches = _inject(monkeypatch, fault)
    out = tmp_path / "out"
    code = cli.main(["sweep", str(small["spec"]), "--out", str(out), "--workers", "1", *batch])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert lines[0] == "coprod: 3 of 12 runs failed:"
    for run_id in (9, 10, 11):
        assert (
            f'  run {run_id} (compensation="paid", pace=0.8): '
            "RuntimeError: injected fault on two lines"
        ) in lines
    assert "12 runs (9 ok, 3 failed)" in captured.out
    table = pd.read_parquet(out / "runs.parquet")
    failed = table[table["status"] == "failed"]
    assert failed["run_id"].tolist() == [9, 10, 11]
    assert (failed["error"] == "RuntimeError: injected fault on two lines").all()
    assert (failed["compensation"] == "paid").all() and (failed["pace"] == 0.8).all()
    assert failed[list(METRIC_NAMES)].isna().all().all()
    good = small["one"].read_runs()
    pd.testing.assert_frame_equal(table[table["status"] == "ok"], good[good["run_id"] < 9])
    assert json.loads((out / "manifest.json").read_text())["runs"]["failed"] == 3
    if batch:  # the failing runs shared one batch with all 9 good ones, which are kept
        assert batches == [12]


def test_an_existing_sweep_needs_resume_and_the_same_spec(small, tmp_path, capsys):
    out = small["one"].out_dir
    before = {p: p.read_bytes() for p in out.iterdir()}
    assert cli.main(["sweep", str(small["spec"]), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--resume" in err and "already holds" in err
    other = _write(tmp_path, SMALL.replace('"none", "paid"', '"none", "expenses"'))
    assert cli.main(["sweep", str(other), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different sweep" in err
    assert cli.main(["sweep", str(small["spec"]), "--out", str(out), "--resume"]) == 0
    assert "0 made now" in capsys.readouterr().out  # complete: nothing to do
    assert {p: p.read_bytes() for p in out.iterdir()} == before


def test_a_sweep_of_other_model_code_is_refused(small, monkeypatch, capsys):
    import experiments.manifest

    monkeypatch.setattr(experiments.manifest, "model_fingerprint", lambda: "0" * 64)
    out = small["one"].out_dir
    assert cli.main(["sweep", str(small["spec"]), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other model code" in err


def test_a_folder_in_use_is_refused(small, tmp_path, capsys):
    from experiments.store import FolderLock

    busy = tmp_path / "busy"
    busy.mkdir()
    lock = FolderLock(busy)
    assert lock.acquire()
    try:
        assert cli.main(["sweep", str(small["spec"]), "--out", str(busy), "--workers", "1"]) == 2
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in use" in err
    assert list(busy.iterdir()) == []


# --------------------------------------------------------------------------- durability


def test_every_file_is_flushed_to_disk_before_its_rename(tmp_path, monkeypatch):
    """Each file a sweep renames into place (parts, series, manifest, final tables) is
    fsync'ed before the rename, and its folder after it (POSIX), so a power cut leaves
    either the old name or the complete new file: the manifest's and the tables' folder
    at once, the parts' after the last of the parts written together, before the final
    tables are begun."""
    events: list[tuple] = []  # ("fsync", inode), ("replace", inode, destination, its folder)
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.fstat(fd).st_ino))
        return real_fsync(fd)

    def replace(src, dst, *args, **kwargs):
        folder = os.stat(Path(dst).parent).st_ino
        events.append(("replace", os.stat(src).st_ino, Path(dst), folder))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    spec = _write(tmp_path, SMALL.replace("weeks = 8", "weeks = 8\ntimeseries = true"))
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, progress=False)

    renamed = [(i, e) for i, e in enumerate(events) if e[0] == "replace"]
    names = {e[2].relative_to(out).as_posix() for _, e in renamed}
    # 12 runs in blocks of 8: two runs parts, two series parts, the manifest, the tables
    assert names == {
        "parts/part-000000.arrow",
        "parts/part-000000.ts.arrow",
        "parts/part-000001.arrow",
        "parts/part-000001.ts.arrow",
        "manifest.json",
        "runs.parquet",
        "timeseries.parquet",
    }
    tables = min(i for i, e in renamed if e[2].name == "runs.parquet")
    for i, (_, inode, dst, folder) in renamed:
        assert events[i - 1] == ("fsync", inode), f"{dst} renamed before it was flushed"
        if os.name != "posix":
            continue
        if dst.parent.name == "parts":  # flushed once after the parts written together
            later = [e for e in events[i + 1 : tables] if e[0] == "fsync"]
            assert ("fsync", folder) in later, f"{dst.parent} not flushed after {dst.name}"
        else:
            assert events[i + 1] == ("fsync", folder), f"{dst.parent} not flushed after"


# --------------------------------------------------------------------------- kill -9


@pytest.fixture(scope="module")
def killable(tmp_path_factory) -> dict:
    """The KILLABLE spec and its table from an uninterrupted in-process sweep."""
    folder = tmp_path_factory.mktemp("killable")
    spec = _write(folder, KILLABLE)
    return {
        "spec": spec,
        "reference": run_sweep(spec, folder / "reference", workers=1, progress=False),
    }


BATCH_4 = ("--batch", "4")  # see _start_and_wait_for_parts


def _start_and_wait_for_parts(
    spec: Path, out: Path, parts: int, workers: int = 2, **popen
) -> subprocess.Popen:
    """``coprod sweep SPEC --out OUT --workers N --batch 4``, returned once ``parts``
    parts exist. Chunks of 4 runs (half a block): blocks are written one after another
    all through the sweep, with runs in flight to lose; the automatic chunks of a sweep
    this short are one or two per worker (about 4 s each on a big sweep), and every block
    would be written at the end.

    ``popen``: more arguments for Popen (``cwd``, ``start_new_session``).
    """
    proc = subprocess.Popen(
        [*COMMAND, "sweep", str(spec), "--out", str(out), "--workers", str(workers), *BATCH_4],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    folder = Path(popen.get("cwd", Path.cwd())) / out
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if _parts(folder) >= parts:
            break
        time.sleep(0.02)
    return proc


def _parts(out: Path) -> int:
    """Complete part files (runs, not weekly series) in the sweep folder ``out``."""
    return len(list((out / "parts").glob("part-*[0-9].arrow")))


def _end(proc: subprocess.Popen, workers: list[int]) -> None:
    """Kill ``proc`` and its ``workers`` if they still run, each by its own process id."""
    for pid in workers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


@pytest.mark.cluster
def test_resume_after_kill_9_gives_the_uninterrupted_table(killable, tmp_path, capsys):
    spec, out = killable["spec"], tmp_path / "killed"
    proc = _start_and_wait_for_parts(spec, out, 3)
    try:
        workers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        _end(proc, [])
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert workers or not Path("/proc").is_dir()  # the two local worker processes
    assert not (out / "runs.parquet").exists(), "the sweep ended before it was killed"
    parts = _parts(out)
    assert 3 <= parts < 20
    deadline = time.monotonic() + 10  # orphaned local workers notice and exit
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(alive, workers))

    assert cli.main(["sweep", str(spec), "--out", str(out), "--resume", "--workers", "1"]) == 0
    made = int(re.search(r"(\d+) made now", capsys.readouterr().out).group(1))
    assert made <= 160 - 8 * parts
    resumed = pd.read_parquet(out / "runs.parquet")
    assert resumed["run_id"].tolist() == list(range(160))  # every run exactly once
    reference = killable["reference"]
    pd.testing.assert_frame_equal(resumed, reference.read_runs())
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "timeseries.parquet"), pd.read_parquet(reference.timeseries_path)
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["sessions"]) == 2 and manifest["runs"]["ok"] == 160
    assert not (out / "parts").exists()


@pytest.mark.cluster
def test_a_lost_local_worker_is_replaced(killable, tmp_path):
    out = tmp_path / "lost"
    proc = _start_and_wait_for_parts(killable["spec"], out, 1)
    workers: list[int] = []
    try:
        workers = children(proc.pid)
        if not workers:
            pytest.skip("no /proc to find the worker processes")
        os.kill(workers[0], signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        _end(proc, workers)
    assert proc.returncode == 0, stderr
    assert "160 runs (160 ok, 0 failed)" in stdout
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet"), killable["reference"].read_runs()
    )


# --------------------------------------------------------------------------- Ctrl-C, SIGTERM

STOP_SECONDS = 15  # a stopped sweep ends within this: a hang bound, generous for a busy machine
# id: (signal, to the whole process group (as Ctrl-C in a terminal) or the main process
# alone, how many times, local workers)
STOPS = {
    "ctrl-c-twice": (signal.SIGINT, True, 2, 2),
    "sigint-to-the-main-process": (signal.SIGINT, False, 1, 2),
    "sigterm": (signal.SIGTERM, False, 1, 2),
    "ctrl-c-in-process": (signal.SIGINT, True, 1, 1),
}


@pytest.mark.cluster
@pytest.mark.parametrize("how", STOPS)
def test_a_stopped_sweep_keeps_its_blocks_and_resumes(how, killable, tmp_path):
    """A real sweep in its own process group, stopped; then its printed --resume command."""
    signum, group, times, workers = STOPS[how]
    _write(tmp_path, KILLABLE)
    proc = _start_and_wait_for_parts(
        Path("spec.toml"), Path("out"), 2, workers, cwd=tmp_path, start_new_session=True
    )
    pids: list[int] = []
    try:
        pids = children(proc.pid)
        start = time.monotonic()
        for _ in range(times):
            (os.killpg if group else os.kill)(proc.pid, signum)
            time.sleep(0.05)
        stdout, stderr = proc.communicate(timeout=2 * STOP_SECONDS)
        seconds = time.monotonic() - start
    finally:
        _end(proc, pids)
    assert proc.returncode == 128 + signum, stderr
    assert seconds < STOP_SECONDS
    kept, command = assert_interrupted(stdout, stderr)
    assert not [pid for pid in pids if alive(pid)], "a worker process outlived the sweep"
    assert bool(pids) == (workers > 1) or not Path("/proc").is_dir()
    assert f"{kept} of 160 runs" in stderr and kept == 8 * _parts(tmp_path / "out")
    assert 16 <= kept < 160, "the sweep ended before it was stopped"
    assert command[:3] == ["coprod", "sweep", "spec.toml"] and command[-1] == "--resume"
    assert command[command.index("--workers") + 1] == str(workers)

    done = subprocess.run(
        [*COMMAND, *command[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"{160 - kept} made now" in done.stdout
    reference = killable["reference"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out" / "runs.parquet"), reference.read_runs()
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out" / "timeseries.parquet"),
        pd.read_parquet(reference.timeseries_path),
    )


@pytest.mark.parametrize(("stop_at", "kept"), [(1, 0), (12, 8)])
def test_an_interrupt_says_what_is_kept_and_how_to_resume(
    small, tmp_path, monkeypatch, capsys, stop_at, kept
):
    """In-process: Ctrl-C at the ``stop_at``-th run of SMALL (12 runs, blocks of 8), in
    chunks of 4 (so the 12th run is in the third chunk, after block 0 is written)."""
    calls = []

    def interrupted(params, seed):  # Ctrl-C, as Python raises it, mid-sweep (in a batch:
        calls.append(seed)  # the batch stops, and with it its runs that came before)
        if len(calls) == stop_at:
            raise KeyboardInterrupt

    _inject(monkeypatch, interrupted)
    monkeypatch.chdir(tmp_path)
    args = ["sweep", str(small["spec"]), "--out", "out", "--workers", "1", "--batch", "4"]
    assert cli.main(args) == 130
    captured = capsys.readouterr()
    assert assert_interrupted(captured.out, captured.err) == (kept, ["coprod", *args, "--resume"])
    assert ("none are kept" in captured.err) is (kept == 0)

    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert cli.main([*args, "--resume"]) == 0
    assert f"{12 - kept} made now" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet("out/runs.parquet"), small["one"].read_runs())


def test_sweep_interrupted_from_python(small, tmp_path, monkeypatch):
    def interrupted(params, seed):
        raise KeyboardInterrupt

    _inject(monkeypatch, interrupted)
    with pytest.raises(sweep_module.SweepInterrupted) as stop:
        run_sweep(small["spec"], tmp_path / "out", workers=1, progress=False)
    assert isinstance(stop.value, KeyboardInterrupt)
    assert (stop.value.kept, stop.value.total, stop.value.exit_code) == (0, 12, 130)
    assert stop.value.out_dir == tmp_path / "out"


# ------------------------------------------------------------------------- analyze --csv


def _sweep_with_a_failed_point(tmp_path, monkeypatch) -> Path:
    def faulty(params, seed):  # one failed point: NaN metrics and an error text
        if params["compensation"] == "paid" and params["pace"] == 0.8:
            raise RuntimeError("injected fault, with a comma")

    _inject(monkeypatch, faulty)
    text = (
        "[fixed]\nweeks = 6\n[sweep]\nreplicates = 2\nseed = 4\n"
        '[vary]\npace = [0.2, 0.8]\ncompensation = ["none", "paid"]\n'
    )
    out = tmp_path / "out"
    assert (
        cli.main(["sweep", str(_write(tmp_path, text)), "--out", str(out), "--workers", "1"]) == 1
    )
    return out


def _check_runs_csv(out: Path) -> None:
    parquet = pd.read_parquet(out / "runs.parquet")
    csv = pd.read_csv(
        out / "runs.csv", keep_default_na=False, na_values={m: [""] for m in METRIC_NAMES}
    )
    assert list(csv.columns) == list(parquet.columns) and len(csv) == len(parquet) == 8
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False, check_exact=True)
    failed = csv[csv["status"] == "failed"]
    assert len(failed) == 2 and failed["insights"].isna().all()
    assert failed["error"].tolist() == ["RuntimeError: injected fault, with a comma"] * 2


def test_runs_csv_round_trips(tmp_path, monkeypatch):
    # analysis: a function-level import, as in the analysis tests (pandas-heavy)
    from experiments.analysis.load import load_sweep
    from experiments.analysis.pipeline import write_runs_csv

    out = _sweep_with_a_failed_point(tmp_path, monkeypatch)
    assert write_runs_csv(load_sweep(out), out) == "runs.csv"
    _check_runs_csv(out)


@pytest.mark.slow  # two analyses of a sweep
def test_analyze_csv_writes_runs_csv_only_when_asked(tmp_path, monkeypatch, capsys):
    out = _sweep_with_a_failed_point(tmp_path, monkeypatch)
    one = ["--metric", "insights"]  # one metric's figures: the table is what is tested
    assert cli.main(["analyze", str(out), *one]) == 0
    assert not (out / "runs.csv").exists()
    assert cli.main(["analyze", str(out), *one, "--csv"]) == 0
    assert "runs.csv" in capsys.readouterr().out
    _check_runs_csv(out)


@pytest.mark.parametrize(
    ("name", "example"),
    [("pace", "pace = [0.25, 0.5, 0.75]"), ("weeks", "weeks = [52, 104, 208]")],
)
def test_grid_error_gives_a_list_as_its_example(tmp_path, name, example):
    # pace (default 0.7, at most 1): its quarters; weeks (default 104): half, once, twice
    with pytest.raises(SpecError) as err:
        load_spec(_write(tmp_path, f"[vary]\n{name} = {{min = 1, max = 2}}\n"))
    message = str(err.value)
    assert f"needs a list of values, e.g. {example};" in message
    assert message.count("min =") == 1  # only in quoting what was given
    spec = load_spec(_write(tmp_path, f"[vary]\n{example}\n", "fixed.toml"))  # the example works
    assert spec.n_points == 3


# --------------------------------------------------------------------------- assumptions

ASSUMED = """
[sweep]
name = "assumed"
replicates = 2
seed = 3
weeks = 26

[fixed]
tie_decay = {tie_decay}

[vary]
weight_time = [{low}, {high}]
"""


def test_a_sweep_varies_and_fixes_an_assumption_and_records_every_one(tmp_path):
    low, high = PARAM_BY_NAME["weight_time"].low, PARAM_BY_NAME["weight_time"].high
    decay = PARAM_BY_NAME["tie_decay"].high
    spec = _write(tmp_path, ASSUMED.format(low=low, high=high, tie_decay=decay))
    result = run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    table = result.read_runs()
    assert list(table.columns) == RUN_COLUMNS  # a column for every assumption
    assert table["weight_time"].tolist() == [low, low, high, high]
    assert (table["tie_decay"] == decay).all()
    others = [p.name for p in ASSUMPTIONS if p.name not in ("weight_time", "tie_decay")]
    assert all((table[name] == DEFAULTS[name]).all() for name in others)
    for _, row in table.iterrows():  # each row is what the model gives with those values
        values = {n: row[n].item() if hasattr(row[n], "item") else row[n] for n in PARAM_NAMES}
        direct = CoProductionModel(rng=int(row["seed"]), **values).run()
        assert [row[m] for m in METRIC_NAMES] == [direct[m] for m in METRIC_NAMES]
    # weighing time heavily keeps lay people away: the assumption acts in the sweep
    share = table.groupby("weight_time")["participation_lay"].mean()
    assert share[high] < share[low]
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["format_version"] == 2
    assert manifest["spec"]["fixed"] == {"tie_decay": decay}
    assert manifest["spec"]["base"]["tie_decay"] == decay
    assert set(manifest["spec"]["base"]) == set(PARAM_NAMES)
    assert manifest["design"]["varied"] == ["weight_time"]
    assert [c["name"] for c in manifest["schema"]["runs"]] == RUN_COLUMNS


@pytest.mark.parametrize(
    ("design", "samples"), [("grid", None), ("lhs", 6), ("sobol", 4), ("morris", 3)]
)
def test_every_design_varies_assumptions(tmp_path, design, samples):
    wt, sw = PARAM_BY_NAME["weight_time"], PARAM_BY_NAME["suspension_weeks"]
    if design == "grid":
        vary = f"weight_time = [{wt.low}, {wt.high}]\nsuspension_weeks = [{sw.low}, {sw.high}]\n"
    else:
        vary = (
            f"weight_time = {{min = {wt.low}, max = {wt.high}}}\n"
            f"suspension_weeks = {{min = {sw.low}, max = {sw.high}}}\n"
        )
    head = f'[sweep]\ndesign = "{design}"\nweeks = 8\n' + (f"samples = {samples}\n" * bool(samples))
    spec = load_spec(_write(tmp_path, head + "[vary]\n" + vary, f"{design}.toml"))
    runs = spec.runs()
    assert list(runs.columns) == ["run_id", "point_id", "replicate", "seed", *PARAM_NAMES]
    assert runs["weight_time"].between(wt.low, wt.high).all() and runs["weight_time"].nunique() > 1
    assert runs["suspension_weeks"].map(type).eq(int).all()  # a whole-number assumption
    assert runs["suspension_weeks"].between(sw.low, sw.high).all()
    if design != "grid":
        assert spec.problem()["names"] == ["weight_time", "suspension_weeks"]
        assert spec.problem()["bounds"] == [[wt.low, wt.high], [float(sw.low), float(sw.high)]]


def test_an_assumption_out_of_its_range_in_a_spec_is_one_line(tmp_path, capsys):
    wt = PARAM_BY_NAME["weight_time"]
    spec = _write(tmp_path, f"[vary]\nweight_time = [{wt.low}, {wt.high * 10}]\n")
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "weight_time" in err and f"{wt.high * 10:g}" in err
    assert not (tmp_path / "out").exists()


def test_chunk_size_doubles_while_chunks_are_quick_and_follows_time_after():
    """A batch's runs cost less the more share it, so a quick chunk's size at least
    doubles (quadruples if very quick); once a chunk takes CHUNK_SECONDS or more, the time
    per run of that chunk decides."""
    c = sweep_module.CHUNK_SECONDS
    quick, very_quick, slow = c / 2, c / 8, c * 2
    # Before any chunk: FIRST_CHUNK, or CHUNK_SECONDS at the given time per run.
    assert sweep_module._chunk_size(None, 10_000, 1) == sweep_module.FIRST_CHUNK
    assert sweep_module._chunk_size(c / 10, 10_000, 1) == 10
    # 16 runs in half of CHUNK_SECONDS: 32 would take it at that rate, and at least doubles;
    # in an eighth: the rate says 128, at least 4 x 16 = 64; taking twice: 8 (16 x 1/2).
    assert sweep_module._chunk_size(None, 10_000, 1, last=(16, quick)) == 32
    assert sweep_module._chunk_size(None, 10_000, 1, last=(16, very_quick)) == 128
    assert sweep_module._chunk_size(None, 10_000, 1, last=(16, c * 0.9)) == 32  # 18 -> x2
    assert sweep_module._chunk_size(None, 10_000, 1, last=(16, slow)) == 8
    # Never above MAX_CHUNK, nor the runs left; with 2 workers not above an equal share of
    # the runs left (40 not handed out / 2 workers = 20, where the time says 32); with 1
    # worker no share; and --batch wins.
    big = sweep_module.MAX_CHUNK
    assert sweep_module._chunk_size(None, 10_000, 1, last=(big, quick)) == big
    assert sweep_module._chunk_size(None, 40, 2, last=(16, quick)) == 20
    # ... the runs left counting those still to be made in the chunks handed out: with 12
    # busy, (40 + 12) / 2 = 26; with 30 busy of 44, 37, above the 32 the time says: 32;
    # rounded up, (20 + 0.5) / 2 = 10.25: 11; never more than the runs not handed out.
    assert sweep_module._chunk_size(None, 40, 2, last=(16, quick), busy=12) == 26
    assert sweep_module._chunk_size(None, 44, 2, last=(16, quick), busy=30) == 32
    assert sweep_module._chunk_size(None, 20, 2, last=(16, quick), busy=0.5) == 11
    assert sweep_module._chunk_size(None, 20, 2, last=(16, quick), busy=30) == 20  # all left
    assert sweep_module._chunk_size(None, 20, 1, last=(16, quick)) == 20
    assert sweep_module._chunk_size(None, 10_000, 1, batch=3, last=(16, quick)) == 3
    # No small batch left over: 32 of 36 would leave 4, under a quarter of 32: all 36.
    # With one worker, runs left that need two chunks go in two halves: 48 where the time
    # says 32, 24 (not 32 and then 16); 40, 20; MAX_CHUNK (1024) + 10, 517 (all would be
    # above MAX_CHUNK). With 2 workers the equal share rules: 40 over 2, 20.
    assert sweep_module._chunk_size(None, 36, 1, last=(16, quick)) == 36
    assert sweep_module._chunk_size(None, 48, 1, last=(16, quick)) == 24
    assert sweep_module._chunk_size(None, 40, 1, last=(16, quick)) == 20
    assert big == 1024
    assert sweep_module._chunk_size(None, big + 10, 1, last=(big, quick)) == 517
    assert sweep_module._chunk_size(None, 64, 1, last=(16, quick)) == 32  # 32 + 32 already


def test_a_chunk_cost_is_fitted_as_a_fixed_part_and_a_part_per_run():
    """A batch costs a fixed part (the weeks' array calls) plus a part per run. Chunks of 2
    runs in 0.13 s and 8 in 0.20 s: 0.07 s for 6 runs more, 0.07 / 6 = 0.011667 s a run,
    and 0.13 - 2 x 0.011667 = 0.106667 s fixed; CHUNK_SECONDS (4 s) then holds
    (4 - 0.106667) / 0.011667 = 333.7 runs: 334, where the time per run of the last
    chunk alone (0.025 s) says 160."""
    c = sweep_module.CHUNK_SECONDS
    assert c == 4.0
    fixed, per_run = sweep_module._fit((2, 0.13), (8, 0.20))
    assert per_run == pytest.approx(0.07 / 6) and fixed == pytest.approx(0.32 / 3)
    assert sweep_module._chunk_size(None, 10_000, 1, last=(8, 0.20), earlier=(2, 0.13)) == 334
    assert sweep_module._chunk_size(None, 10_000, 1, last=(8, 0.20)) == 160
    # Slow runs: 2 in 10.1 s, 1 in 5.1 s: 5 s a run, 0.1 s fixed: (4 - 0.1) / 5 -> 1.
    assert sweep_module._fit((2, 10.1), (1, 5.1)) == pytest.approx((0.1, 5.0))
    assert sweep_module._chunk_size(None, 100, 1, last=(1, 5.1), earlier=(2, 10.1)) == 1
    # A line that is not a cost is not used: the first chunk paid a worker's imports
    # (2 runs in 0.9 s, 8 in 0.2 s: less per run than nothing); 8 runs in 0.5 s (0.0667 s
    # a run, fixed -0.0333 s); a fixed part over CHUNK_SECONDS (2 in 4.5 s, 8 in 4.6 s:
    # 4.467 s); sizes under FIT_SPREAD (2) apart (8 and 12). The time per run of the last
    # chunk then decides, as before: 8 runs in 0.2 s, 160; in 0.5 s, 64; in 4.6 s, 7; 12 in
    # 0.25 s, 192.
    assert sweep_module.FIT_SPREAD == 2
    for earlier, last, size in (
        ((2, 0.9), (8, 0.2), 160),
        ((2, 0.1), (8, 0.5), 64),
        ((2, 4.5), (8, 4.6), 7),  # 8 x 4 / 4.6 = 6.96
        ((8, 0.2), (12, 0.25), 192),
    ):
        assert sweep_module._fit(earlier, last) is None
        assert sweep_module._chunk_size(None, 10_000, 1, last=last, earlier=earlier) == size
    # 2 runs in 0.13 s and 62 in 0.32 s: 0.19 / 60 = 0.0031667 s a run, 0.12367 s fixed;
    # 4 s hold (4 - 0.12367) / 0.0031667 = 1224 runs, over MAX_CHUNK (1024): 1024. 710
    # runs left fit in one: all of them; 1400 left on one worker: not 1024 and then 376,
    # but 700 and 700; on 2 workers (none busy), an equal share, 700 as well.
    assert sweep_module._chunk_size(None, 10_000, 1, last=(62, 0.32), earlier=(2, 0.13)) == 1024
    assert sweep_module._chunk_size(None, 710, 1, last=(62, 0.32), earlier=(2, 0.13)) == 710
    assert sweep_module._chunk_size(None, 1400, 1, last=(62, 0.32), earlier=(2, 0.13)) == 700
    assert sweep_module._chunk_size(None, 700, 1, last=(700, 2.3), earlier=(62, 0.32)) == 700
    assert sweep_module._chunk_size(None, 1400, 2, last=(62, 0.32), earlier=(2, 0.13)) == 700


def test_runs_in_flight_are_counted_from_when_their_chunk_starts():
    """Two workers take the chunks in the order handed out; a queued chunk starts when a
    worker is done with its chunk. At 0.02 s a run, 1 s after the start the two running
    chunks of 100 have 50 runs each to go and the queued one all its 50: 150. Once the
    first is done (at 2 s) the queued one starts: at 2.5 s it has 25 to go, and the
    other one, started at 0 s, none."""
    flights = sweep_module._InFlight(2)
    for first, runs in ((0, 100), (100, 100), (200, 50)):
        flights.add(first, runs, now=0.0)
    assert len(flights) == 3
    assert flights.busy(1.0, 0.02) == pytest.approx(150)
    assert flights.done(0, now=2.0) == 2.0  # it took 2 s
    assert len(flights) == 2
    assert flights.busy(2.5, 0.02) == pytest.approx(25)


class _Pool:
    """A backend of 2 workers (4 chunks in flight at most) on a pretend clock: a worker
    takes the chunks in the order handed out, each as soon as it is free, and makes one
    in 0.6 s a run (CPU time and wall time); ``next_done`` moves the clock to the end of
    the next chunk to finish (the earlier handed out of two that end together). It
    records how many chunks were in flight when each was handed out."""

    workers, window, label = 2, 4, "2 pretend workers"

    def __init__(self):
        self.now = 0.0
        self.free = [0.0, 0.0]  # when each worker is free
        self.chunks, self.sizes, self.in_flight = [], [], []  # chunks: [end or None, tasks]

    def clock(self) -> float:
        return self.now

    def _start(self) -> None:
        for chunk in self.chunks:
            worker = min(range(2), key=self.free.__getitem__)
            if chunk[0] is None and self.free[worker] <= self.now:
                chunk[0] = self.free[worker] = self.now + 0.6 * len(chunk[1])

    def submit(self, tasks, timeseries):
        self.in_flight.append(len(self.chunks))
        self.sizes.append(len(tasks))
        self.chunks.append([None, tasks])
        self._start()

    def next_done(self):
        chunk = min((c for c in self.chunks if c[0] is not None), key=lambda c: c[0])
        self.chunks.remove(chunk)
        self.now = chunk[0]
        self._start()
        results = [(run_id, None, [0.0] * len(METRIC_NAMES), None) for run_id, _, _ in chunk[1]]
        return results, 0.6 * len(chunk[1])


class _Bar:
    """A progress bar that records what it is told."""

    def __init__(self):
        self.updates = []

    def update(self, n):
        self.updates.append(n)


def test_chunks_go_one_per_worker_while_they_grow_and_in_the_last_round(tmp_path, monkeypatch):
    """40 runs on 2 workers at 0.6 s a run (CHUNK_SECONDS 4 s). Two chunks of 2 first, one
    per worker, done at 1.2 s: under half of 4 s, still growing, so one chunk per worker
    again, of 7 (4 s at 0.6 s a run, at least twice 2), done at 5.4 s: grown (4.2 s), so
    up to 4 in flight: two more of 7 (an equal share of the 22 left is 11), which leaves 8
    runs, fewer than 2 workers x 7 (the largest chunk): the last round, one chunk per
    worker. At 9.6 s both chunks of 7 end: the first worker free gets an equal share of 8,
    4 (the other has none left to make), and the other the last 4: both end at 12 s."""
    assert sweep_module.CHUNK_SECONDS == 4.0
    spec = load_spec(_write(tmp_path, SMALL.replace("replicates = 3", "replicates = 10")))
    assert spec.n_runs == 40
    (tmp_path / "out").mkdir()
    blocks = sweep_module.store.Blocks(spec, tmp_path / "out", 8)
    pool = _Pool()
    monkeypatch.setattr(sweep_module, "_clock", pool.clock)
    # The runs are pretended slow: their first chunk is of 2 (76 agents x 8 weeks each).
    monkeypatch.setattr(sweep_module, "FIRST_AGENT_WEEKS", 2 * 608)

    bar = _Bar()
    made = sweep_module._execute(spec, blocks, list(range(blocks.count)), pool, bar)
    assert made == 40
    # each chunk's runs reported once, when it is done: all 40, chunk by chunk
    assert sorted(n for n in bar.updates if n) == sorted(pool.sizes)
    assert pool.sizes == [2, 2, 7, 7, 7, 7, 4, 4]
    assert pool.in_flight == [0, 1, 1, 1, 1, 2, 1, 1]
    assert pool.now == pytest.approx(12.0) and pool.free == pytest.approx([12.0, 12.0])
    assert blocks.done() == set(range(5))


class _OneWorker:
    """A backend of one worker (in this process, one chunk in flight) whose chunk of n
    runs takes 0.1 + 0.005 n seconds (CPU time and wall time): a batch's fixed part and
    its part per run. It records the sizes of the chunks handed to it."""

    workers, window, label = 1, 1, "1 pretend worker"

    def __init__(self):
        self.now, self.queue, self.sizes = 0.0, [], []

    def clock(self) -> float:
        return self.now

    def submit(self, tasks, timeseries):
        self.sizes.append(len(tasks))
        self.queue.append(tasks)

    def next_done(self):
        tasks = self.queue.pop(0)
        seconds = 0.1 + 0.005 * len(tasks)
        self.now += seconds
        return [(run_id, None, [0.0] * len(METRIC_NAMES), None) for run_id, _, _ in tasks], seconds


def test_one_worker_fits_the_cost_of_a_chunk_and_ends_in_two_halves(tmp_path, monkeypatch):
    """720 runs on one worker whose chunks take 0.1 s + 0.005 s a run (CHUNK_SECONDS 4 s).
    FIRST_CHUNK (2 runs) in 0.11 s; then 2 x 4 / 0.11 = 72.7: 73 runs, in 0.465 s. The two
    chunks give back the cost, (0.465 - 0.11) / (73 - 2) = 0.005 s a run and 0.1 s fixed:
    (4 - 0.1) / 0.005 = 780 runs take 4 s. Of 1440 runs, the 1365 left would be 780 and
    then 585, so they go in two halves, 683 and 682."""
    assert sweep_module.CHUNK_SECONDS == 4.0 and sweep_module.MAX_CHUNK == 1024
    spec = load_spec(_write(tmp_path, SMALL.replace("replicates = 3", "replicates = 360")))
    assert spec.n_runs == 1440
    (tmp_path / "out").mkdir()
    blocks = sweep_module.store.Blocks(spec, tmp_path / "out", 90)
    worker = _OneWorker()
    monkeypatch.setattr(sweep_module, "_clock", worker.clock)
    # Runs of 76 agents x 8 weeks, 608 agent-weeks: a first chunk of 2 runs' worth.
    monkeypatch.setattr(sweep_module, "FIRST_AGENT_WEEKS", 2 * 608)

    bar = _Bar()
    made = sweep_module._execute(spec, blocks, list(range(blocks.count)), worker, bar)
    assert made == 1440
    assert worker.sizes == [2, 73, 683, 682]
    assert [n for n in bar.updates if n] == worker.sizes  # each chunk reported once, in order
    assert blocks.done() == set(range(16))


def test_the_first_chunk_is_as_many_runs_as_make_its_agent_weeks(tmp_path, monkeypatch):
    """2000 runs of 7,904 agent-weeks (76 agents x 104 weeks) on the worker above, whose
    chunk of n runs takes 0.1 + 0.005 n s. The first chunk: 6,000,000 // 7,904 = 759 runs
    (759 x 7,904 = 5,999,136), in 3.895 s. At that rate 779 runs take 4 s, but a chunk
    under CHUNK_SECONDS at least doubles (1518), at most MAX_CHUNK (1024); the 1241 left
    need two such chunks, so they go in two halves: 621 (in 3.205 s; 759 and 621 are too
    close to fit a cost to) and the 620 left."""
    assert sweep_module.FIRST_AGENT_WEEKS == 6_000_000
    text = SMALL.replace("replicates = 3", "replicates = 500").replace("weeks = 8", "weeks = 104")
    spec = load_spec(_write(tmp_path, text))
    assert spec.n_runs == 2000
    (tmp_path / "out").mkdir()
    blocks = sweep_module.store.Blocks(spec, tmp_path / "out", 250)
    worker = _OneWorker()
    monkeypatch.setattr(sweep_module, "_clock", worker.clock)
    assert sweep_module._execute(spec, blocks, list(range(blocks.count)), worker, _Bar()) == 2000
    assert worker.sizes == [759, 621, 620]


def test_the_docs_give_the_first_chunk_as_it_is():
    """docs/sweeps.md's sizes of the first chunk: 6 million agent-weeks, 759 runs of 76
    agents x 104 weeks (6,000,000 // 7,904), 5 of 10,000 agents (// 1,040,000)."""
    text = " ".join((Path(__file__).parents[1] / "docs" / "sweeps.md").read_text().split())
    budget = sweep_module.FIRST_AGENT_WEEKS
    assert f"as many runs as make {budget / 1e6:g} million agent-weeks" in text
    assert f"{budget // (76 * 104)} runs of 76 agents for 104 weeks" in text
    assert (
        f"{budget // (10_000 * 104)} of 10,000 agents, at least {sweep_module.FIRST_CHUNK})" in text
    )


def test_the_first_chunk_adds_up_each_runs_agent_weeks(tmp_path, monkeypatch):
    """Runs of 46 agents (10 patients, 20 carers, 12 clinicians, 4 managers) then of 1036,
    8 weeks each: 368 and 8,288 agent-weeks. A budget of 10,000 takes the three small
    runs (1,104) and one large (9,392), not a fifth (17,680); 1,000 takes two small ones
    (736, not 1,104); 500 one, raised to FIRST_CHUNK (2)."""
    text = SMALL.replace(
        'compensation = ["none", "paid"]\npace = [0.2, 0.8]', "n_patients = [10, 1000]"
    )
    spec = load_spec(_write(tmp_path, text))
    assert [spec.point_params(q)["n_patients"] for q in range(2)] == [10, 1000]
    assert sum(spec.point_params(0)[k] for k in ("n_carers", "n_clinicians", "n_managers")) == 36
    assert sweep_module.FIRST_CHUNK == 2
    for budget, runs in ((10_000, 4), (1_000, 2), (500, 2), (100_000, 6)):
        monkeypatch.setattr(sweep_module, "FIRST_AGENT_WEEKS", budget)
        assert sweep_module._first_chunk(spec, range(spec.n_runs)) == runs


def test_the_runs_table_is_the_same_however_many_design_points_are_converted_at_once(
    tmp_path, monkeypatch
):
    # Blocks convert the parameters of POINTS_AT_ONCE consecutive design points to Arrow
    # at once and take each block's runs from them: with 1 point at a time (a new table
    # for every point) or 3 (tables that end inside a block) the runs table is the same.
    spec = load_spec(_write(tmp_path, SMALL))
    digests = []
    for at_once in (sweep_module.store.POINTS_AT_ONCE, 1, 3):
        monkeypatch.setattr(sweep_module.store, "POINTS_AT_ONCE", at_once)
        out = tmp_path / f"out-{at_once}"
        run_sweep(spec, out, workers=1, progress=False, batch=5)
        digests.append(hashlib.sha256((out / sweep_module.store.RUNS).read_bytes()).hexdigest())
    assert len(set(digests)) == 1
