"""What the batched engine's keyed draws cost, against the cheapest draws there could be.

Run from the repository root::

    .venv/bin/python benchmarks/bench_draws.py            # about a minute and a half
    .venv/bin/python benchmarks/bench_draws.py --quick    # a smoke check (26 weeks)

Issue 12 asks a batched sweep for 4x Mesa's no-space idiom per agent-step at 76 agents.
Every weekly number a run draws is keyed by the run, week, rule and entry
(``simulation.draws``), so that it is the same whatever shares its batch: a few array
operations for all runs, and Poisson and binomial counts by inverse CDF. This benchmark
measures what that costs. For batches of one design point (one pass: ``batch.key``) of
the default population, and for one run of 10,000 agents, it times ``run_batch``:

1. **keyed, compiled**: keyed draws, their loops compiled (``simulation.kernels``,
   numba; the default);
2. **keyed, numpy**: the same draws in numpy arrays (``COPROD_KERNELS=numpy``): the same
   numbers to the bit (tests/test_draws.py), the pure-numpy version the issue asks a
   compiled dependency to be measured against;
3. **draws at once**: the keyed draws replaced by one call for all runs to one shared
   numpy generator: the same rules, distributions and shapes, but each run's numbers
   now depend on its batch-mates, so this is not a valid engine. It is the least that
   any draws could cost.

and prints ms per run of each, their ratios, and the ms per run that 4x the idiom would
need (the idiom built and run here, ``bench_model.build_idiom``). CPU time of this
process, best of ``REPEATS``, the three interleaved. The script always exits 0.
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

from bench_batch import scaled  # noqa: E402
from bench_model import build_idiom, run_steps  # noqa: E402

from simulation.batch import run_batch  # noqa: E402
from simulation.compiled import VARIABLE  # noqa: E402
from simulation.draws import Keyed  # noqa: E402

AGENTS = 76  # the default population
BATCHES = (1, 64, 512)  # runs of one design point: one pass each
LARGE = 10_000  # agents of the large single run (issue 12's other target)
REPEATS = 3
TARGET = 4.0  # issue 12: agent-steps/s of a batched sweep over the idiom's, at least


class AtOnce:
    """``Keyed``'s draws made for all runs by one call to one shared numpy generator."""

    def __init__(self) -> None:
        self.shared = np.random.default_rng(0)

    def random(self, site, k, n):
        return self.shared.random((k, n))

    def counts(self, site, how, args, bounds=None, only=None):
        out = []
        for a in args:
            x = self.shared.poisson(a) if how == "poisson" else self.shared.binomial(*a)
            if only is not None:  # runs left out get 0, as in Keyed
                rows = x.shape[0]
                edges = np.arange(only.size + 1) * (rows // only.size) if bounds is None else bounds
                x[~np.repeat(only, np.diff(edges))] = 0
            out.append(x)
        return out


def ms_per_run(runs: list, weeks: int) -> float:
    start = time.process_time()
    run_batch(runs, weeks=weeks)
    return (time.process_time() - start) / len(runs) * 1e3


def measure(size: int, weeks: int, agents: int = AGENTS) -> dict[str, float]:
    params = {
        "compensation": "expenses",
        "pace": 0.5,
        **(scaled(agents) if agents != AGENTS else {}),
    }
    runs = [(params, seed) for seed in range(size)]
    kept = {name: getattr(Keyed, name) for name in ("random", "counts")}
    at_once = AtOnce()
    best = dict.fromkeys(("compiled", "numpy", "draws at once"), float("inf"))
    for _ in range(REPEATS):
        for loops in ("numba", "numpy"):
            os.environ[VARIABLE] = loops
            name = "compiled" if loops == "numba" else "numpy"
            best[name] = min(best[name], ms_per_run(runs, weeks))
        os.environ.pop(VARIABLE)
        for name in kept:
            setattr(Keyed, name, getattr(at_once, name))
        try:
            best["draws at once"] = min(best["draws at once"], ms_per_run(runs, weeks))
        finally:
            for name, method in kept.items():
                setattr(Keyed, name, method)
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
    print("keyed draws in the batched engine (issue 12)")
    print(
        f"machine : {os.cpu_count()} CPUs, {platform.platform()}, python "
        f"{platform.python_version()}, numpy {np.__version__}; load average "
        f"{os.getloadavg()[0]:.2f} at start"
    )
    run_batch([({}, 0)], weeks=2)  # first calls (and numba's compiled loops) out of the timing
    idiom = idiom_ms(weeks)
    need = idiom / TARGET
    print(
        f"idiom (shuffle_do, {AGENTS} agents x {weeks} weeks): {idiom:.2f} ms a run; "
        f"{TARGET:g}x the idiom needs {need:.2f} ms a run\n"
    )
    print(
        "  runs x agents   compiled     numpy   draws at once   numpy / compiled"
        f"   compiled / at once   compiled / {TARGET:g}x need"
    )
    for size, agents in [(size, AGENTS) for size in BATCHES] + [(1, LARGE)]:
        got = measure(size, weeks, agents)
        fast, slow, once = got["compiled"], got["numpy"], got["draws at once"]
        need_here = f"{fast / need:14.2f}x" if agents == AGENTS else f"{'':>14}"
        print(
            f"  {size:4d} x {agents:6d}  {fast:7.2f} ms {slow:7.2f} ms   {once:10.2f} ms"
            f"   {slow / fast:13.2f}x   {fast / once:15.2f}x   {need_here}"
        )
    print(f"\n(load average at the end {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
