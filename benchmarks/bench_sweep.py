"""Speed figures for `coprod sweep` on the headline sweep (compensation x pacing).

Run from the repository root::

    .venv/bin/python benchmarks/bench_sweep.py             # about a minute on 2 cores
    .venv/bin/python benchmarks/bench_sweep.py --quick     # a smoke check (weeks = 26)
    .venv/bin/python benchmarks/bench_sweep.py --memory    # also: a 10,000-run sweep's memory
    .venv/bin/python benchmarks/bench_sweep.py --json out/bench_sweep.json
    .venv/bin/python benchmarks/bench_sweep.py --batch-only  # one run at a time vs batches

What it prints:

* the model's own time: every run of the sweep made serially in this process, plainly
  ``CoProductionModel(rng=seed, **params).run()``, without any sweep machinery;
* runs per second of ``run_sweep`` on 1 worker (in-process) and on 2 local worker
  processes (best of ``--repeats``; each includes starting the workers, writing the
  parts, consolidating and the manifest), and the check that both tables equal the
  serial runs;
* overhead = sweep wall time x workers / model time - 1 (for 1 worker: what the
  machinery costs beyond the model; for 2 workers it also counts imperfect scaling),
  and the scaling ratio, runs/s on 2 workers / runs/s on 1;
* the headline as a user runs it, cold, through the console script:
  ``coprod sweep experiments/specs/compensation-x-pacing.toml --out DIR``, then
  ``coprod analyze DIR`` when ``experiments.analyze`` exists;
* one run at a time vs batches: runs per second of the headline grid repeated to at
  least BATCH_RUNS runs (default size, 104 weeks), on 1 worker, with ``batch=1`` (each
  run made alone) and with the automatic chunks (each made as one vectorised batch,
  ``simulation.batch.run_batch``), interleaved, best of ``--repeats``; their ratio, and
  the check that both runs.parquet files are the same bytes;
* with ``--memory``: peak memory (RSS, summed over the sweep process and its workers,
  sampled from /proc) of a 10,000-run sweep with weekly series kept;
* PASS / MISS against the targets. The script always exits 0: it reports, it does not test.

The machine is shared: figures move with whatever else runs; the load average is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import store
from experiments.design import load_spec
from experiments.sweep import run_sweep
from simulation.metrics import METRIC_NAMES
from simulation.model import CoProductionModel

ROOT = Path(__file__).resolve().parents[1]

HEADLINE = ROOT / "experiments" / "specs" / "compensation-x-pacing.toml"
COPROD = Path(sys.executable).with_name("coprod")
TARGETS = {
    "scaling_2_workers": 1.8,  # runs/s on 2 workers / runs/s on 1, at least
    "overhead_1_worker": 0.10,  # sweep time / model time - 1, below
    "headline_seconds": 120.0,  # headline sweep (+ analysis), cold, below
    "memory_mb_10k": 1024.0,  # 10,000-run sweep with weekly series, below
}
BATCH_RUNS = 720  # runs of the one-at-a-time vs batches comparison, at least


def batch_ratio(spec_path: Path, folder: Path, repeats: int) -> dict:
    """Runs/s on 1 worker, one run at a time (batch=1) vs automatic batches, on the
    headline grid with replicates raised so it has at least BATCH_RUNS runs."""
    points = load_spec(spec_path).n_points
    replicates = -(-BATCH_RUNS // points)
    text = re.sub(r"(?m)^replicates = \d+$", f"replicates = {replicates}", spec_path.read_text())
    path = folder / "batch-ratio.toml"
    path.write_text(text)
    spec = load_spec(path)
    best = {"one at a time": float("inf"), "automatic": float("inf")}
    digests = set()
    for _ in range(repeats):
        for label, batch in (("one at a time", 1), ("automatic", None)):
            out = folder / f"batch-{batch}"
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            result = run_sweep(spec, out, workers=1, batch=batch, progress=False)
            best[label] = min(best[label], time.perf_counter() - start)
            assert result.failed == 0, result.failures[:3]
            digests.add(hashlib.sha256((out / store.RUNS).read_bytes()).hexdigest())
    rate = {label: spec.n_runs / seconds for label, seconds in best.items()}
    return {
        "runs": spec.n_runs,
        "weeks": spec.base["weeks"],
        "seconds": best,
        "runs_per_s": rate,
        "ratio": rate["automatic"] / rate["one at a time"],
        "same_bytes": len(digests) == 1,
    }


def print_batch_ratio(figures: dict) -> None:
    print(
        f"one at a time vs batches, 1 worker, {figures['runs']} runs of {figures['weeks']} "
        "weeks (the headline grid, more replicates):"
    )
    for label, rate in figures["runs_per_s"].items():
        print(f"  {label:<14}{figures['seconds'][label]:>8.2f} s{rate:>9.1f} runs/s")
    same = "the same bytes" if figures["same_bytes"] else "DIFFERENT bytes"
    print(f"  batches / one at a time: {figures['ratio']:.2f}x; runs.parquet: {same}")


def model_time(spec) -> tuple[float, np.ndarray]:
    """Seconds to make every run serially, without the sweep; and the metrics (runs x metrics)."""
    runs = spec.runs()
    params = runs.drop(columns=["run_id", "point_id", "replicate", "seed"]).to_dict("records")
    values = np.empty((len(runs), len(METRIC_NAMES)))
    start = time.perf_counter()
    for i, (seed, p) in enumerate(zip(runs["seed"].tolist(), params, strict=True)):
        final = CoProductionModel(rng=seed, **p).run()
        values[i] = [final[m] for m in METRIC_NAMES]
    return time.perf_counter() - start, values


def sweep_time(spec, workers: int, folder: Path) -> tuple[float, pd.DataFrame]:
    out = folder / f"w{workers}"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = run_sweep(spec, out, workers=workers, progress=False)
    seconds = time.perf_counter() - start
    assert result.failed == 0, result.failures[:3]
    return seconds, result.read_runs()


def headline_cold(folder: Path, spec_path: Path) -> dict:
    """The headline through the console script, as a user runs it (cold start)."""
    out = folder / "headline"
    command = [str(COPROD)] if COPROD.exists() else [sys.executable, "-m", "experiments.cli"]
    start = time.perf_counter()
    sweep = subprocess.run(
        [*command, "sweep", str(spec_path), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    swept = time.perf_counter() - start
    figures = {
        "sweep_seconds": swept,
        "sweep_exit": sweep.returncode,
        "sweep_line": sweep.stdout.strip().splitlines()[-1:] or sweep.stderr.strip(),
    }
    if importlib.util.find_spec("experiments.analyze") is None:
        figures["analysis"] = "experiments.analyze does not exist: sweep only"
        figures["total_seconds"] = swept
        return figures
    start = time.perf_counter()
    analysis = subprocess.run(
        [*command, "analyze", str(out)], capture_output=True, text=True, cwd=ROOT
    )
    figures["analyze_seconds"] = time.perf_counter() - start
    figures["analyze_exit"] = analysis.returncode
    if analysis.returncode != 0:
        figures["analyze_error"] = analysis.stderr.strip()[-300:]
    figures["analysis"] = "coprod analyze"
    figures["total_seconds"] = swept + figures["analyze_seconds"]
    return figures


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (Linux /proc), in kB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[1])
        line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), None)
        rss[int(entry.name)] = int(line.split()[1]) if line else 0
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier += children
    return sum(rss.get(p, 0) for p in tree)


def memory_10k(folder: Path, workers: int) -> dict:
    """Peak RSS (sweep process + workers) of a 10,000-run sweep keeping weekly series."""
    text = (
        '[sweep]\nname = "memory-10k"\nreplicates = 100\nseed = 1\nweeks = 4\n'
        "timeseries = true\n[vary]\npace = ["
        + ", ".join(f"{i / 99:.4f}" for i in range(100))
        + "]\n"
    )
    spec_path = folder / "memory-10k.toml"
    spec_path.write_text(text)
    out = folder / "memory-10k"
    command = [str(COPROD)] if COPROD.exists() else [sys.executable, "-m", "experiments.cli"]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "sweep", str(spec_path), "--out", str(out), "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    peak = 0
    while proc.poll() is None:
        if Path("/proc").is_dir():
            peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    runs = pd.read_parquet(out / store.RUNS, columns=["run_id"]) if proc.returncode == 0 else None
    series_rows = (
        pd.read_parquet(out / store.TIMESERIES, columns=["run_id"]).shape[0]
        if proc.returncode == 0
        else None
    )
    return {
        "runs": None if runs is None else len(runs),
        "series_rows": series_rows,
        "seconds": time.perf_counter() - start,
        "peak_mb": peak / 1024 or None,
        "exit": proc.returncode,
        "line": stdout.strip() or stderr.strip()[-300:],
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def write_json(path: str | None, figures: dict) -> int:
    """Write ``figures`` to ``path`` as JSON when asked (--json); the exit status, 0."""
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="the headline design at 26 weeks, one repeat: a smoke check",
    )
    ap.add_argument("--repeats", type=int, default=2, help="repeats per timing (best is kept)")
    ap.add_argument("--memory", action="store_true", help="also measure a 10,000-run sweep")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    ap.add_argument(
        "--batch-only",
        action="store_true",
        help="only compare one run at a time with batches (1 worker, >= 720 runs)",
    )
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else max(1, args.repeats)
    if args.batch_only:
        folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
        try:
            print(f"machine : {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
            figures = batch_ratio(HEADLINE, folder, repeats)
            print_batch_ratio(figures)
            print(f"load average at the end: {os.getloadavg()[0]:.2f}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return write_json(args.json, figures)

    spec = load_spec(HEADLINE)
    spec_path = HEADLINE
    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    if args.quick:
        spec_path = folder / "quick.toml"
        spec_path.write_text(HEADLINE.read_text().replace("weeks = 104", "weeks = 26"))
        spec = load_spec(spec_path)

    print(
        "coprod sweep benchmark" + ("  [--quick: smoke check, not figures]" if args.quick else "")
    )
    print(
        f"machine : {os.cpu_count()} CPUs, {platform.platform()}, python "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f} at start"
    )
    print(
        f"sweep   : {spec.name}: {spec.n_points} points x {spec.replicates} replicates = "
        f"{spec.n_runs} runs of {spec.base['weeks']} weeks; best of {repeats}"
    )
    figures: dict = {"runs": spec.n_runs, "weeks": spec.base["weeks"], "repeats": repeats}
    try:
        # Interleaved (model, 1 worker, 2 workers) x repeats, best of each: a burst of
        # load from elsewhere then spoils one repeat of each rather than all of one.
        serial, walls = float("inf"), {1: float("inf"), 2: float("inf")}
        for _ in range(repeats):
            seconds, expected = model_time(spec)
            serial = min(serial, seconds)
            for workers in (1, 2):
                seconds, table = sweep_time(spec, workers, folder)
                walls[workers] = min(walls[workers], seconds)
                got = table.sort_values("run_id")[list(METRIC_NAMES)].to_numpy()
                assert np.array_equal(got, expected), f"{workers} workers: the table differs"
        rate = {w: spec.n_runs / s for w, s in walls.items()}
        overhead = {w: walls[w] * w / serial - 1 for w in walls}
        scaling = rate[2] / rate[1]
        figures.update(
            model_seconds=serial,
            model_runs_per_s=spec.n_runs / serial,
            sweep_seconds=walls,
            runs_per_s=rate,
            overhead=overhead,
            scaling=scaling,
        )
        print()
        print(f"{'':<28}{'seconds':>9}{'runs/s':>9}{'overhead':>10}")
        print(f"{'model alone (serial)':<28}{serial:>9.2f}{spec.n_runs / serial:>9.1f}")
        for w in (1, 2):
            label = "sweep, 1 worker (in-proc)" if w == 1 else "sweep, 2 local workers"
            print(f"{label:<28}{walls[w]:>9.2f}{rate[w]:>9.1f}{overhead[w]:>+10.1%}")
        print("tables of both sweeps == the serial runs, bit for bit")

        headline = headline_cold(folder, spec_path)
        figures["headline"] = headline
        print()
        print(
            f"headline, cold, console script: sweep {headline['sweep_seconds']:.1f} s "
            f"(exit {headline['sweep_exit']})",
            end="",
        )
        if "analyze_seconds" in headline:
            print(
                f" + analyze {headline['analyze_seconds']:.1f} s (exit "
                f"{headline['analyze_exit']}) = {headline['total_seconds']:.1f} s"
            )
            if "analyze_error" in headline:
                print(f"  analyze said: {headline['analyze_error']}")
        else:
            print(f"; {headline['analysis']}")

        batches = batch_ratio(spec_path, folder, repeats)
        figures["batches"] = batches
        print()
        print_batch_ratio(batches)

        if args.memory:
            mem = memory_10k(folder, workers=2)
            figures["memory_10k"] = mem
            print()
            print(
                f"10,000-run sweep (4 weeks each, weekly series kept, 2 workers): "
                f"{mem['seconds']:.1f} s, exit {mem['exit']}, {mem['runs']} runs, "
                f"{mem['series_rows']} series rows, peak RSS (all processes) "
                f"{mem['peak_mb'] or float('nan'):.0f} MB"
            )

        print()
        print("targets:")
        print(
            f"  2 workers >= {TARGETS['scaling_2_workers']}x the runs/s of 1: "
            f"{scaling:.2f}x  {verdict(scaling >= TARGETS['scaling_2_workers'])}"
        )
        print(
            f"  overhead on 1 worker < {TARGETS['overhead_1_worker']:.0%}: {overhead[1]:+.1%}  "
            f"{verdict(overhead[1] < TARGETS['overhead_1_worker'])}"
        )
        ok = (
            headline["total_seconds"] < TARGETS["headline_seconds"]
            and headline["sweep_exit"] == 0
            and headline.get("analyze_exit", 0) == 0
        )
        what = "sweep + analysis" if "analyze_seconds" in headline else "sweep (no analysis yet)"
        print(
            f"  headline {what} < {TARGETS['headline_seconds']:.0f} s: "
            f"{headline['total_seconds']:.1f} s  {verdict(ok)}"
        )
        if args.memory:
            mb = figures["memory_10k"]["peak_mb"]
            print(
                f"  10,000-run sweep < {TARGETS['memory_mb_10k']:.0f} MB: "
                + (
                    f"{mb:.0f} MB  {verdict(mb < TARGETS['memory_mb_10k'])}"
                    if mb
                    else "not measured (no /proc)"
                )
            )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return write_json(args.json, figures)


if __name__ == "__main__":
    sys.exit(main())
