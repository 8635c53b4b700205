"""Record the reference runs of the model before issue 11 (tests/data/before_issue_11.npz).

Run it against a checkout of commit 7cf45df, the branch just before issue 11::

    git worktree add --detach /tmp/old 7cf45df
    PYTHONPATH=/tmp/old python tests/data/record_before_issue_11.py tests/data/before_issue_11.npz

For each scenario and seed it keeps the weekly history of the 31 metrics that model had
(weeks x metrics, float64) and their final values. The tests compare issue 11's neutral
values (builders.NEUTRAL) with these to 1e-9: every run's path, which a single differing
draw would change entirely, and the metrics' last bits, which vary with the machine's
BLAS, are left out of it.
"""

from __future__ import annotations

import sys

import numpy as np

from simulation import CoProductionModel, metrics

# "defaults": the defaults before issue 11; "paid": paid, not benefit-safe, 52 weeks.
SCENARIOS = {"defaults": {}, "paid": {"compensation": "paid", "weeks": 52}}
SEEDS = (0, 1, 2)
N_METRICS = 31  # the metrics that model had (issue 11 appended its own after them)


def main(path: str) -> None:
    names = metrics.METRIC_NAMES[:N_METRICS]
    arrays: dict[str, np.ndarray] = {"names": np.array(names)}
    for scenario, values in SCENARIOS.items():
        for seed in SEEDS:
            model = CoProductionModel(rng=seed, **values)
            final = model.run()
            arrays[f"{scenario}_{seed}_history"] = np.asarray(model.history[:, :N_METRICS])
            arrays[f"{scenario}_{seed}_final"] = np.array([final[n] for n in names])
    np.savez_compressed(path, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
