"""Speed of the batched engine (``simulation.batch.run_batch``) against one run at a time.

Run from the repository root::

    .venv/bin/python benchmarks/bench_batch.py            # about a minute on a shared core
    .venv/bin/python benchmarks/bench_batch.py --quick    # a smoke check (26 weeks, small batches)
    .venv/bin/python benchmarks/bench_batch.py --json out/bench_batch.json

What it prints, all measured in this one process, on one core, in CPU time of this
process (``time.process_time``: the machine is shared, and other jobs' load would move
wall-clock figures by a factor of two); ratios are of figures measured side by side:

* runs a second of the one-at-a-time path, ``CoProductionModel(rng=seed).run()``, at the
  default population (76 agents, 104 weeks), measured before and after the batches (the
  mean is the reference);
* runs a second of ``run_batch`` at batch sizes 1, 8, 64 and 512 (runs of the default
  parameters, one seed each), and each over the one-at-a-time figure;
* the headline grid (compensation x pace x benefit_safe, 18 design points) at 40
  replicates, 720 runs in one ``run_batch`` call (compensation and pace only set a run
  up, so the runs go through two passes, one per value of benefit_safe, which the
  weekly rules read), against the one-at-a-time path on 2 replicates of every point;
* runs a second against the population size (76, 304 and 1,216 agents, default role
  proportions) at the automatic batch size (``BATCH_AGENTS`` agents a pass, 64 runs at
  most here) and one at a time;
* the check that every batch gave, to the last bit, the runs made alone (a sample of each).

The script always exits 0: it reports, it does not test (tests/test_batch.py tests).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation import CoProductionModel  # noqa: E402
from simulation.batch import BATCH_AGENTS, run_batch  # noqa: E402

DEFAULT_COUNTS = {"n_patients": 40, "n_carers": 20, "n_clinicians": 12, "n_managers": 4}
HEADLINE = [
    {"compensation": c, "pace": pace, "benefit_safe": safe}
    for c in ("none", "expenses", "paid")
    for pace in (0.1, 0.5, 0.9)
    for safe in (False, True)
]
TARGET_SPEEDUP = 6.0  # issue 12: runs a second, batched over one at a time, at least


def scaled(total: int) -> dict[str, int]:
    """The default role proportions at ``total`` agents (patients take the rounding)."""
    base = sum(DEFAULT_COUNTS.values())
    counts = {k: round(v * total / base) for k, v in DEFAULT_COUNTS.items() if k != "n_patients"}
    return {"n_patients": total - sum(counts.values()), **counts}


def one_at_a_time(runs: list[tuple[dict, int]]) -> float:
    """Runs a second, each run made alone."""
    start = time.process_time()
    for params, seed in runs:
        CoProductionModel(rng=seed, **params).run()
    return len(runs) / (time.process_time() - start)


def batched(runs: list[tuple[dict, int]], least: float) -> float:
    """Runs a second of ``run_batch(runs)``: best of calls repeated for ``least`` seconds."""
    best, spent = 0.0, 0.0
    while spent < least or best == 0.0:
        start = time.process_time()
        run_batch(runs)
        took = time.process_time() - start
        spent += took
        best = max(best, len(runs) / took)
    return best


def identical(runs: list[tuple[dict, int]], sample: int) -> bool:
    """The first ``sample`` runs of a batch of ``runs`` equal the same runs alone."""
    got = run_batch(runs, timeseries=True)
    for (params, seed), (final, history) in list(zip(runs, got, strict=True))[:sample]:
        model = CoProductionModel(rng=seed, **params)
        if model.run() != final or model.history.tobytes() != history.tobytes():
            return False
    return True


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="26 weeks, batches up to 64")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    weeks = 26 if args.quick else 104
    sizes = (1, 8, 64) if args.quick else (1, 8, 64, 512)
    replicates = 8 if args.quick else 40
    least = 0.5 if args.quick else 2.0
    base = {"weeks": weeks}
    seeds = iter(range(10**6))

    print(f"python {platform.python_version()}, numpy {np.__version__}, load {os.getloadavg()}")
    print(f"default population (76 agents), {weeks} weeks, one process\n")
    alone_n = 12 if args.quick else 40
    before = one_at_a_time([(base, next(seeds)) for _ in range(alone_n)])
    rows = []
    for size in sizes:
        runs = [(base, next(seeds)) for _ in range(size)]
        rows.append((size, batched(runs, least)))
    after = one_at_a_time([(base, next(seeds)) for _ in range(alone_n)])
    reference = (before + after) / 2
    print(f"one at a time: {before:7.1f} runs/s before, {after:.1f} after")
    print(f"{'batch':>7} {'runs/s':>9} {'x one at a time':>16}")
    for size, rate in rows:
        print(f"{size:>7} {rate:>9.1f} {rate / reference:>16.2f}")

    grid = [(base | point, next(seeds)) for point in HEADLINE for _ in range(replicates)]
    sample = [(base | point, next(seeds)) for point in HEADLINE for _ in range(2)]
    grid_alone = one_at_a_time(sample)
    grid_rate = batched(grid, 0.0)
    speedup = grid_rate / grid_alone
    verdict = "PASS" if speedup >= TARGET_SPEEDUP else "MISS"
    print(
        f"\nheadline grid, {len(grid)} runs in one run_batch: {grid_rate:.1f} runs/s; one at a "
        f"time {grid_alone:.1f} runs/s; x{speedup:.2f} ({verdict}: at least x{TARGET_SPEEDUP})"
    )

    print(f"\n{'agents':>7} {'batch':>6} {'batched runs/s':>15} {'alone runs/s':>13} {'ratio':>6}")
    by_size = []
    for total in (76, 304, 1216):
        counts = base | scaled(total)
        size = min(64, max(1, BATCH_AGENTS // total))
        if args.quick:
            size = min(size, 16)
        runs = [(counts, next(seeds)) for _ in range(size)]
        rate = batched(runs, least / 2)
        alone = one_at_a_time([(counts, next(seeds)) for _ in range(min(size, 8))])
        by_size.append((total, size, rate, alone))
        print(f"{total:>7} {size:>6} {rate:>15.1f} {alone:>13.1f} {rate / alone:>6.2f}")

    checks = {
        "batch of 64 (default)": identical([(base, next(seeds)) for _ in range(64)], 4),
        "headline grid": identical(grid[:: max(1, replicates // 4)], 6),
    }
    print()
    for name, ok in checks.items():
        print(f"bit-identical to the runs alone, {name}: {'yes' if ok else 'NO'}")
    figures = {
        "weeks": weeks,
        "one_at_a_time_runs_per_s": reference,
        "batch_runs_per_s": {str(size): rate for size, rate in rows},
        "batch_speedup": {str(size): rate / reference for size, rate in rows},
        "headline_runs": len(grid),
        "headline_speedup": speedup,
        "by_population": [
            {"agents": t, "batch": b, "batched": r, "alone": a} for t, b, r, a in by_size
        ],
        "identical": checks,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
