"""What each run's own random stream costs the batched engine, and what is left without it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_draws.py            # about a minute and a half
    .venv/bin/python benchmarks/bench_draws.py --quick    # a smoke check (26 weeks)

Issue 12 asks a batched sweep for 4x Mesa's no-space idiom per agent-step at 76 agents.
Every run in a batch draws from its own generator, in the order it would alone, so that
its numbers are the same whatever shares its batch (``simulation.runs.Streams``): each
weekly draw is one call per run, not one for the batch. This benchmark measures how much
of a run's time that is. For batches of one design point (one pass: ``batch.key``), it
times ``run_batch``:

1. **as it is**: every run's draws from its own generator;
2. **draws at once**: ``Streams``' draws replaced by one call for all runs from one
   shared generator: the same rules, the same distributions and shapes, but each run's
   numbers now depend on its batch-mates, so this is not a valid engine. It is the most
   that draws vectorised across runs (a counter-based generator, say) could give.

and prints ms per run of each, their ratio, and the ms per run that 4x the idiom would
need (the idiom built and run here, ``bench_model.build_idiom``). CPU time of this
process, best of ``REPEATS``, the two interleaved. The script always exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_model import build_idiom, run_steps  # noqa: E402

from simulation import runs as runs_module  # noqa: E402
from simulation.batch import run_batch  # noqa: E402

AGENTS = 76  # the default population
BATCHES = (64, 512)  # runs of one design point: one pass each
REPEATS = 3
TARGET = 4.0  # issue 12: agent-steps/s of a batched sweep over the idiom's, at least


class AtOnce:
    """``Streams``' draws made for all runs by one call to one shared generator."""

    def __init__(self) -> None:
        self.shared = np.random.default_rng(0)

    def random(self, shape):
        return self.shared.random(shape)

    def poisson(self, lam, bounds, only=None):
        out = self.shared.poisson(lam)
        if only is not None:  # runs left out draw nothing, as in Streams
            run = np.searchsorted(bounds, np.arange(lam.shape[0]), side="right") - 1
            out[~only[run]] = 0
        return out

    def binomial(self, n, p, bounds, only=None):
        out = self.shared.binomial(n, np.broadcast_to(p, np.shape(n)))
        if only is not None:
            run = np.searchsorted(bounds, np.arange(out.shape[0]), side="right") - 1
            out[~only[run]] = 0
        return out


def ms_per_run(runs: list, weeks: int) -> float:
    start = time.process_time()
    run_batch(runs, weeks=weeks)
    return (time.process_time() - start) / len(runs) * 1e3


def measure(size: int, weeks: int) -> dict[str, float]:
    params = {"compensation": "expenses", "pace": 0.5}  # one design point of the headline grid
    runs = [(params, seed) for seed in range(size)]
    kept = {name: getattr(runs_module.Streams, name) for name in ("random", "poisson", "binomial")}
    at_once = AtOnce()
    best = {"own streams": float("inf"), "draws at once": float("inf")}
    for _ in range(REPEATS):
        best["own streams"] = min(best["own streams"], ms_per_run(runs, weeks))
        for name in kept:
            setattr(runs_module.Streams, name, getattr(at_once, name))
        try:
            best["draws at once"] = min(best["draws at once"], ms_per_run(runs, weeks))
        finally:
            for name, method in kept.items():
                setattr(runs_module.Streams, name, method)
    return best


def idiom_ms(weeks: int) -> float:
    best = float("inf")
    for _ in range(REPEATS * 2):
        start = time.process_time()
        run_steps(build_idiom(AGENTS, weeks), weeks)
        best = min(best, time.process_time() - start)
    return best * 1e3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke check: 26 weeks")
    args = ap.parse_args(argv)
    weeks = 26 if args.quick else 104
    print("per-run random streams in the batched engine (issue 12)")
    print(
        f"machine : {os.cpu_count()} CPUs, {platform.platform()}, python "
        f"{platform.python_version()}, numpy {np.__version__}; load average "
        f"{os.getloadavg()[0]:.2f} at start"
    )
    run_batch([({}, 0)], weeks=2)  # first calls out of the timing
    idiom = idiom_ms(weeks)
    need = idiom / TARGET
    print(
        f"idiom (shuffle_do, {AGENTS} agents x {weeks} weeks): {idiom:.2f} ms a run; "
        f"{TARGET:g}x the idiom needs {need:.2f} ms a run\n"
    )
    print(f"  batch   own streams   draws at once   own / at once   at once / {TARGET:g}x need")
    for size in BATCHES:
        got = measure(size, weeks)
        own, once = got["own streams"], got["draws at once"]
        print(
            f"  {size:5d}   {own:8.2f} ms   {once:10.2f} ms   {own / once:10.2f}x"
            f"   {once / need:14.2f}x"
        )
    print(f"\n(load average at the end {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
