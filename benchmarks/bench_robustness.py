"""Wall time of `coprod robustness` at the size the issue sets a target for.

Run from the repository root::

    .venv/bin/python benchmarks/bench_robustness.py           # the target's command
    .venv/bin/python benchmarks/bench_robustness.py --quick   # a smoke check (4 points, 8 weeks)

It runs, cold, through the console script, in a temporary folder::

    coprod robustness --samples 16 --seeds 4 --weeks 52 --workers 2 --out DIR

and prints its wall time, the runs it made (from the manifest), runs per second, and
PASS / MISS against the target (under 5 minutes on a 2-core machine). It also prints
the model's own time for a sample of the same runs made serially in this process, so
that the machinery's share of the wall time can be read. The script always exits 0:
it reports, it does not test. The machine may be shared: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPROD = Path(sys.executable).with_name("coprod")
TARGET_SECONDS = 300.0
FULL = ["--samples", "16", "--seeds", "4", "--weeks", "52", "--workers", "2"]
QUICK = ["--samples", "4", "--seeds", "4", "--weeks", "8", "--workers", "2"]
SAMPLE_RUNS = 40  # runs timed serially for the model's own time


def model_seconds(out: Path, sample: int = SAMPLE_RUNS) -> tuple[float, int]:
    """Mean seconds per run of the model alone, over ``sample`` of the runs just made."""
    # after the timed command, so that their import is not in its time
    from experiments import robustness as rb
    from simulation.model import CoProductionModel

    manifest = rb.read_manifest(out)
    plan = manifest["plan"]
    plan_obj = rb.make_plan(
        plan["samples"],
        len(plan["seeds"]),
        plan["weeks"],
        plan["design"],
        [str(n) for n in plan["patterns"]],
    )
    runs = rb.Runs(plan_obj, out)
    step = max(1, runs.n_runs // sample)
    ids = range(0, runs.n_runs, step)
    start = time.perf_counter()
    for run_id in ids:
        CoProductionModel(rng=runs.run_seed(run_id), **runs.point_params(run_id)).run()
    return (time.perf_counter() - start) / len(ids), runs.n_runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke check: 4 points, 8 weeks")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    words = QUICK if args.quick else FULL
    command = [str(COPROD) if COPROD.exists() else "coprod", "robustness", *words]
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-robustness-") as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        done = subprocess.run(
            [*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        print("$ " + " ".join(["coprod", *command[1:], "--out", "DIR"]))
        if done.returncode != 0:
            print(f"the command failed (exit {done.returncode}):\n{done.stderr}")
            return 0
        per_run, n_runs = model_seconds(out)
    figures = {
        "command": " ".join(["coprod", *command[1:]]),
        "wall_seconds": round(wall, 2),
        "runs": n_runs,
        "runs_per_second": round(n_runs / wall, 1),
        "model_seconds_per_run": round(per_run, 4),
        "model_share_of_wall_on_2_workers": round(n_runs * per_run / 2 / wall, 2),
    }
    share = figures["model_share_of_wall_on_2_workers"]
    print(
        f"wall time {wall:.1f} s for {n_runs} runs ({n_runs / wall:.1f} runs/s); the model "
        f"alone takes {per_run * 1000:.1f} ms a run, so {share:.0%} of the wall time on 2 "
        "workers is model time"
    )
    if not args.quick:
        verdict = "PASS" if wall < TARGET_SECONDS else "MISS"
        print(f"{verdict}: target under {TARGET_SECONDS:.0f} s (5 minutes) on 2 cores")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
