"""One spec, the same runs.parquet and timeseries.parquet, byte for byte, whatever the
backend (local processes or a real Dask cluster on 127.0.0.1), the number of workers
(1 or 2) and the batch size (1, 3 or automatic): issue 12's promise that batches change
nothing but the speed.

The Dask cluster is a ``distributed.LocalCluster`` of single-threaded worker processes on
127.0.0.1, first of one worker, then scaled to two; it is closed at the end.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from experiments.sweep import run_sweep

# 12 runs: compensation only sets a run up (its runs share a batch's passes);
# meeting_interval is read every week (its values go in passes of their own).
SPEC = """
[sweep]
name = "backends"
replicates = 3
seed = 5
weeks = 6
timeseries = true

[vary]
compensation = ["none", "paid"]
meeting_interval = [2, 4]
"""
BATCHES = (1, 3, None)  # None: the automatic size
FILES = ("runs.parquet", "timeseries.parquet")


def _digests(out: Path) -> tuple[str, ...]:
    return tuple(hashlib.sha256((out / name).read_bytes()).hexdigest() for name in FILES)


@pytest.mark.cluster
def test_every_backend_worker_count_and_batch_size_gives_the_same_bytes(tmp_path):
    from distributed import Client, LocalCluster

    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    digests: dict[str, tuple[str, ...]] = {}

    def sweep(label: str, **how) -> None:
        for batch in BATCHES:
            out = tmp_path / f"{label}-batch-{batch}"
            result = run_sweep(spec, out, batch=batch, progress=False, **how)
            assert (result.ok, result.failed) == (12, 0), result.failures
            digests[f"{label}, batch {batch}"] = _digests(out)

    sweep("local 1 worker", workers=1)
    sweep("local 2 workers", workers=2)
    with (
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        sweep("Dask 1 worker", scheduler=cluster.scheduler_address)
        cluster.scale(2)
        client.wait_for_workers(2, timeout=60)
        sweep("Dask 2 workers", scheduler=cluster.scheduler_address)
    assert len(digests) == 12
    assert len(set(digests.values())) == 1, digests
