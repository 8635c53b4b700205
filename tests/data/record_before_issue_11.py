"""Record the reference runs of the model before issue 11 (tests/data/before_issue_11.npz).

Run it against a copy of commit 7cf45df, the branch just before issue 11::

    mkdir /tmp/old && git archive 7cf45df | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/data/record_before_issue_11.py tests/data/before_issue_11.npz

For each scenario and seed it keeps the weekly history of the 31 metrics that model had
(weeks x metrics, float64) and their final values. The tests compare issue 11's neutral
values (builders.NEUTRAL) with these to 1e-9: every run's path, which a single differing
draw would change entirely, and the metrics' last bits, which vary with the machine's
BLAS, are left out of it.

That model drew its weekly numbers from the run's generator, in order; today's keys them
(``simulation.draws``, since issue 12). So that the comparison is of the rules, the old
model is run here with its weekly draws keyed as today's: the run's key is drawn from its
generator just after its people (as ``simulation.batch`` draws it), and each of the old
rules' calls to the generator becomes the keyed draw that today's same rule makes (the
same rule name, draw number and entries, from this repository's ``simulation/draws.py``).
Its people are drawn from its generator as they always were.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from simulation import CoProductionModel, metrics, participation

# "defaults": the defaults before issue 11; "paid": paid, not benefit-safe, 52 weeks.
SCENARIOS = {"defaults": {}, "paid": {"compensation": "paid", "weeks": 52}}
SEEDS = (0, 1, 2)
N_METRICS = 31  # the metrics that model had (issue 11 appended its own after them)
KEY_RANGE = 2**64  # as simulation.runs.KEY_RANGE

# Today's keyed draws module, loaded into the old package (it needs only its arrays types).
_spec = importlib.util.spec_from_file_location(
    "simulation.draws", Path(__file__).resolve().parents[2] / "simulation" / "draws.py"
)
assert _spec is not None and _spec.loader is not None
draws = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(draws)

# The old rules' calls in a week with talk, in order, and today's (site, draw) for each.
POISSONS = (("contributions", 0), ("insights", 0), ("insights", 1))
BINOMIALS = (("lay origin", 0), ("lay origin", 1), ("adoption", 0), ("adoption", 1))


class KeyedGenerator:
    """Stands in for the old model's generator in the weekly rules: each call is the keyed
    draw today's rule makes in its place."""

    def __init__(self, key: np.uint64) -> None:
        self.keyed = draws.Keyed([key])
        self.start_week(0)

    def start_week(self, week: int) -> None:
        self.keyed.week = week
        self.poissons = self.binomials = 0

    def random(self, shape: tuple[int, int]) -> np.ndarray:
        k, n = shape
        return self.keyed.random("flare and wish", k, n)

    def poisson(self, lam: np.ndarray) -> np.ndarray:
        site, j = POISSONS[self.poissons]
        self.poissons += 1
        return draws.poisson(self._uniforms(site, j, np.shape(lam)), lam)

    def binomial(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        site, j = BINOMIALS[self.binomials]
        self.binomials += 1
        return draws.binomial(self._uniforms(site, j, np.shape(n)), n, p)

    def _uniforms(self, site: str, j: int, shape: tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape))  # draw j's numbers: the last of draws 0 to j
        return self.keyed._fill(site, [shape] * (j + 1), None)[-size:].reshape(shape)


def keyed_run(values: dict, seed: int) -> tuple[CoProductionModel, dict]:
    """The old model of ``values`` and ``seed``, its weekly draws keyed, run to the end,
    and its final metrics."""
    model = CoProductionModel(rng=seed, **values)  # draws the people from the generator
    generator = KeyedGenerator(model.rng.integers(KEY_RANGE, dtype=np.uint64))
    model.rng = generator  # type: ignore[assignment]
    take_part = participation.take_part

    def week_then_take_part(s, p, costs, rng, week, *rest):  # type: ignore[no-untyped-def]
        generator.start_week(week)
        return take_part(s, p, costs, rng, week, *rest)

    participation.take_part = week_then_take_part
    try:
        final = model.run()
    finally:
        participation.take_part = take_part
    return model, final


def main(path: str) -> None:
    names = metrics.METRIC_NAMES[:N_METRICS]
    arrays: dict[str, np.ndarray] = {"names": np.array(names)}
    for scenario, values in SCENARIOS.items():
        for seed in SEEDS:
            model, final = keyed_run(values, seed)
            arrays[f"{scenario}_{seed}_history"] = np.asarray(model.history[:, :N_METRICS])
            arrays[f"{scenario}_{seed}_final"] = np.array([final[n] for n in names])
    np.savez_compressed(path, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
