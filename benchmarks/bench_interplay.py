"""The interplay analysis's runs (experiments.mechanisms.run_all): batched against one
run at a time, measured side by side in this one process.

Run from the repository root::

    .venv/bin/python benchmarks/bench_interplay.py                # about five minutes
    .venv/bin/python benchmarks/bench_interplay.py --repeats 2    # docs/odd.md's figures
    .venv/bin/python benchmarks/bench_interplay.py --seeds 1 --weeks 8   # a smoke check

Every pattern with all mechanisms on and each switched off in turn, on ``--seeds`` seeds
at ``--weeks`` weeks, on one worker (in this process): ``run_all`` as it is (batched,
``simulation.batch.run_params``) and the runs one at a time as ``run_all`` made them
before (``run_switched``, run by run), interleaved (batched, alone, batched, ...),
``--repeats`` of each, in CPU time of this process (``time.process_time``: the machine is
shared). Prints each figure, the best of each and their ratio, and whether the two gave
the same runs to the bit (final metrics and the histories kept). It reports, it does not
test (tests/test_interplay.py tests).
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

from experiments.mechanisms import SWITCHABLE, _tasks, run_all, run_switched
from experiments.patterns import PATTERNS


def one_at_a_time(seeds: range, weeks: int) -> dict[Any, Any]:
    """run_all before the batched engine: each task made alone with run_switched."""
    out = {}
    for key, values, off, keep_history in _tasks(PATTERNS, SWITCHABLE, seeds, weeks):
        final, history = run_switched(values, key[2], off)
        out[key] = (final, history if keep_history else None)
    return out


def bits(runs: dict[Any, Any]) -> list[tuple[Any, bytes, bytes | None]]:
    return [
        (
            key,
            np.array(list(final.values())).tobytes(),
            None if history is None else history.tobytes(),
        )
        for key, (final, history) in runs.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeats", type=int, default=1, help="of each (1)")
    args = parser.parse_args()
    seeds = range(args.seeds)
    n = len(_tasks(PATTERNS, SWITCHABLE, seeds, args.weeks))
    print(
        f"{len(PATTERNS)} patterns x {len(SWITCHABLE) + 1} switches, seeds 0-{args.seeds - 1}, "
        f"{args.weeks} weeks: {n} runs, 1 worker; load {os.getloadavg()[0]:.1f}"
    )
    taken: dict[str, list[float]] = {"batched": [], "alone": []}
    made: dict[str, Any] = {}
    for _ in range(args.repeats):
        for way, run in (
            ("batched", lambda: run_all(PATTERNS, SWITCHABLE, seeds, args.weeks, workers=1)),
            ("alone", lambda: one_at_a_time(seeds, args.weeks)),
        ):
            started = time.process_time()
            made[way] = run()
            taken[way].append(time.process_time() - started)
            print(f"  {way:8} {taken[way][-1]:8.2f} s CPU ({n / taken[way][-1]:.1f} runs/s)")
    best = {way: min(times) for way, times in taken.items()}
    print(
        f"best: batched {best['batched']:.2f} s, one at a time {best['alone']:.2f} s: "
        f"{best['alone'] / best['batched']:.2f}x"
    )
    print(f"the same runs to the bit: {bits(made['batched']) == bits(made['alone'])}")


if __name__ == "__main__":
    main()
