"""Run a sweep: every run of a spec's design, on local processes or a Dask cluster.

    coprod sweep SPEC.toml [--out DIR] [--workers N] [--scheduler ADDRESS] [--batch N]
                           [--resume] [--dry-run]

From Python, :func:`run_sweep` does the same and returns a :class:`SweepResult`.

How it works. The runs (see :mod:`experiments.design`) are sent to the workers in
chunks of consecutive runs, sized from the measured times of the chunks done so that a
chunk takes about CHUNK_SECONDS (4 s) of CPU time, at most MAX_CHUNK (1024) runs: the
more runs share a batch, the less each costs (a chunk takes a fixed part plus a part per
run, fitted once two chunks of different sizes are done). The first chunk is as many
runs as make FIRST_AGENT_WEEKS (6 M) agents x weeks, about 2 s here (759 default runs,
5 of 10,000 agents), at least FIRST_CHUNK (2). With one worker, runs left that need
two chunks go in two halves, not a full chunk and a small one; with several, the last
round is sized so that they finish together (``batch=N``, ``--batch N``, fixes the size
instead). At most two chunks per worker are in flight, one while the chunks still grow
and in the last round. A worker makes a chunk's runs side by side in vectorised passes
(:func:`simulation.batch.run_batch`), each run's numbers the same, to the last bit, as
made alone. Each run gets its own seed from the spec, so the numbers do not depend on
the backend, the number of workers, the chunk size or the order in which runs finish.
A run that raises is recorded as failed, with its error, and the sweep goes on: when
a chunk's batch raises, its runs are made again one at a time, so only the failing
run fails. Finished runs are written to disk block by block
(:mod:`experiments.store`), so a sweep that is stopped in any way (Ctrl-C, kill -9, a
lost worker) can be finished with ``resume=True`` (``--resume``): every run ends up
in ``runs.parquet`` exactly once, with the same numbers as an uninterrupted sweep.

Where the runs are made (:mod:`experiments.backends`): with one worker in this
process; with N local workers on N local processes; with ``scheduler="tcp://HOST:PORT"``
on an existing Dask distributed cluster.

Stopping. Ctrl-C (SIGINT, to the process group or to this process alone) and SIGTERM
stop ``coprod sweep`` within a few seconds on every backend: the workers are stopped
(local ones are killed), every finished block stays on disk, and one line says how
many runs are kept and the ``--resume`` command that finishes the sweep. The exit
status is 130 after SIGINT and 143 after SIGTERM. From Python, a KeyboardInterrupt
during :func:`run_sweep` stops it the same way and comes out as
:class:`SweepInterrupted`.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import shlex
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from experiments import backends, store
from experiments import manifest as mf
from experiments.design import Spec, load_spec, toml_literal
from simulation.metrics import METRIC_NAMES
from simulation.params import LAY_COUNTS, PROFESSIONAL_COUNTS

if TYPE_CHECKING:
    import pandas as pd

# pandas (0.4 s to import), tqdm (20 ms), pyarrow.compute (75 ms) and the model (Mesa, a
# second) are imported inside the functions that use them: `coprod --help`, argument
# errors and --dry-run need not wait for them.

MODEL_MODULES = ("simulation.model",)  # what each local worker imports before its first run
# How chunks are sized (see _chunk_size, _execute). Speed only: a run's numbers do not
# depend on its chunk. A chunk is one run_batch call, whose passes each cost a fixed
# 0.1-0.25 s (the week's array calls, whatever the runs) plus a few ms a run (76 agents x
# 104 weeks), so the more runs a pass holds, the less each costs: chunks of 1 s (about
# 100 runs) left the fixed part at about a fifth of a headline sweep's CPU time, chunks
# of 4 s (hundreds of runs) a twentieth (benchmarks/bench_engine.py times it). Longer
# chunks make the progress bar and a stopped sweep's lost work coarser, and with several
# workers the last round longer (hence its sizing).
CHUNK_SECONDS = 4.0  # target compute time (CPU) of one chunk
# Most runs per chunk, and so per run_batch call: bounds a chunk's memory (1024 runs of 76
# agents, weekly series kept, peak at 368 MB with the imports: benchmarks/bench_engine.py)
# and, with several workers, how unequal the last round can be.
MAX_CHUNK = 1024
# The first chunk, before any time per run is known: the runs that make FIRST_AGENT_WEEKS
# agents x weeks together, at least FIRST_CHUNK. Agent-weeks are what a large pass costs,
# about 3-4 M a second whatever the population (bench_engine's table by population size:
# 5 runs of 10,000 agents x 104 weeks, 5.2 M, take 1.9 s here), so the first chunk takes
# about half of CHUNK_SECONDS, not minutes, however large the runs. It used to be
# FIRST_CHUNK runs whatever their size, then the chunk their time said takes CHUNK_SECONDS:
# a headline sweep made 2 runs, then 70, at a small pass's speed, before the rest in one
# pass (0.3 s more than one pass of its 720, a sixth). Its 720 runs (5.7 M agent-weeks)
# are now one pass; a sweep of more runs pays one pass's fixed part more.
FIRST_AGENT_WEEKS = 6_000_000
FIRST_CHUNK = 2  # at least this many runs in the first chunk
# How far apart the sizes of two chunks must be (a factor) to fit a chunk's fixed part and
# its part per run from their times (_fit): closer, timing noise swamps the difference.
FIT_SPREAD = 2
_clock = time.perf_counter  # when chunks start and end (wall time), for _InFlight
SHOW_FAILURES = 20


class SweepError(ValueError):
    """A sweep that cannot start: a bad output folder, scheduler or worker count."""


SweepInputError = SweepError  # its earlier name, kept for callers


class SweepAborted(RuntimeError):
    """The backend failed part-way (e.g. local workers kept dying); done runs are kept."""


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C (SIGINT) or SIGTERM; its finished blocks are kept.

    ``signum``: the signal; ``kept``: runs on disk in ``out_dir`` (None when the stop
    came before the sweep started); ``total``: the sweep's runs.
    """

    def __init__(
        self,
        signum: int = signal.SIGINT,
        kept: int | None = None,
        total: int | None = None,
        out_dir: Path | None = None,
    ):
        super().__init__(signal.Signals(signum).name)
        self.signum, self.kept, self.total, self.out_dir = signum, kept, total, out_dir

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal number (130, 143)."""
        return 128 + self.signum


@dataclass
class SweepResult:
    """What a sweep produced. ``failures`` lists every failed run (run_id, values, error)."""

    out_dir: Path
    spec: Spec
    ok: int
    failed: int
    executed: int  # runs made by this call; the others were on disk already
    seconds: float  # wall time of this call
    backend: str
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_runs(self) -> int:
        return self.ok + self.failed

    @property
    def runs_path(self) -> Path:
        return self.out_dir / store.RUNS

    @property
    def timeseries_path(self) -> Path | None:
        return self.out_dir / store.TIMESERIES if self.spec.timeseries else None

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / store.MANIFEST

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def read_runs(self) -> pd.DataFrame:
        # heavy; loaded on use so `coprod` starts fast
        import pandas as pd

        return pd.read_parquet(self.runs_path)

    def summary(self) -> str:
        """One line: counts, time, speed, where the results are."""
        rate = f", {self.executed / self.seconds:.1f} runs/s" if self.executed else ""
        return (
            f"sweep {self.spec.name}: {self.n_runs} runs ({self.ok} ok, {self.failed} "
            f"failed); {self.executed} made now in {self.seconds:.1f} s{rate} on "
            f"{self.backend}; results in {self.out_dir}"
        )


# --------------------------------------------------------------------------- one run


def simulate(params: dict[str, Any], seed: int, timeseries: bool):
    """One model run: (final metrics in METRIC_NAMES order, weekly series or None)."""
    from simulation.model import CoProductionModel  # Mesa: loaded once per worker (preload)

    model = CoProductionModel(rng=seed, **params)
    final = model.run()
    series = model.history[: min(model.steps, model.params.weeks)].copy() if timeseries else None
    return [final[name] for name in METRIC_NAMES], series


def simulate_batch(runs: list[tuple[dict[str, Any], int]], timeseries: bool):
    """Runs [(params, seed)] side by side (:func:`simulation.batch.run_batch`): per run,
    exactly what :func:`simulate` gives for it. Raises if any run raises."""
    from simulation.batch import run_batch  # the model: loaded once per worker (preload)

    made = run_batch(runs, timeseries=timeseries)
    if timeseries:
        return [([final[name] for name in METRIC_NAMES], series) for final, series in made]
    return [([final[name] for name in METRIC_NAMES], None) for final in made]


def _batch_or_none(tasks: list[tuple[int, int, dict]], timeseries: bool):
    """The chunk's runs made in one batch, or None if one of them raised (the caller then
    makes them one at a time, to record which failed and keep the others)."""
    try:
        return simulate_batch([(params, seed) for _, seed, params in tasks], timeseries)
    except Exception:  # any run's error: found again one at a time
        return None


def run_chunk(tasks: list[tuple[int, int, dict]], timeseries: bool):
    """Run ``tasks`` [(run_id, seed, params)]: ([(run_id, error, metrics, series)], seconds),
    the seconds being this thread's CPU time (on a shared machine, or a Dask worker's
    threads, the wall time also counts the others' work and would size chunks too small).

    Several tasks are made in one batch (:func:`simulate_batch`); if it raises, they are
    made again one at a time (:func:`simulate`), so a run that raises fails alone and
    gives ``error = "Type: message"`` and no metrics.
    """
    start = time.thread_time()
    made = _batch_or_none(tasks, timeseries) if len(tasks) > 1 else None
    if made is not None:
        out = [
            (run_id, None, values, series)
            for (run_id, _, _), (values, series) in zip(tasks, made, strict=True)
        ]
        return out, time.thread_time() - start
    out = []
    for run_id, seed, params in tasks:
        try:
            values, series = simulate(params, seed, timeseries)
            out.append((run_id, None, values, series))
        except Exception as err:  # recorded, not raised: the sweep goes on
            out.append((run_id, " ".join(f"{type(err).__name__}: {err}".split()), None, None))
    return out, time.thread_time() - start


# --------------------------------------------------------------------------- backends


def _check_batch(batch: int | None) -> None:
    """SweepError unless ``batch`` (runs per chunk) is None (automatic) or 1 or more."""
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise SweepError(f"--batch: expected a whole number 1 or more, got {batch!r}")


def _backend(workers: int | None, scheduler: str | None):
    """The backend for ``workers`` or ``scheduler``; SweepError for bad values of them."""
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise SweepError(f"--workers: expected a whole number 1 or more, got {workers!r}")
    if scheduler is not None:
        if workers is not None:
            raise SweepError(
                "--workers: not used with --scheduler (the Dask cluster "
                "has its own workers); give one or the other"
            )
        if not scheduler.strip():
            raise SweepError("--scheduler: expected an address like tcp://HOST:PORT, got ''")
        try:
            return backends.Dask(scheduler.strip(), run_chunk)
        except backends.BackendError as err:
            raise SweepError(f"--scheduler: {err}") from None
    if workers is None:
        workers = backends.cpu_count()
    if workers == 1:
        return backends.InProcess(run_chunk)
    return backends.LocalProcesses(workers, run_chunk, preload=MODEL_MODULES)


# --------------------------------------------------------------------------- the loop


def _apart(runs: int, other: int) -> bool:
    """Whether chunks of these sizes are far enough apart to fit a cost to (FIT_SPREAD)."""
    return max(runs, other) >= FIT_SPREAD * min(runs, other)


def _fit(earlier: tuple[int, float] | None, last: tuple[int, float]) -> tuple[float, float] | None:
    """A chunk's cost as ``fixed + per_run * runs`` seconds, (fixed, per_run), from two
    chunks done, (runs, seconds) each: the line through them. None when they cannot tell
    (no ``earlier`` one, sizes less than FIT_SPREAD apart) or the line is not a cost (a
    part below zero, or a fixed part of CHUNK_SECONDS or more): noise, or a worker's
    first chunk, which also pays its one-off imports."""
    if earlier is None or not _apart(earlier[0], last[0]):
        return None
    per_run = (last[1] - earlier[1]) / (last[0] - earlier[0])
    fixed = last[1] - per_run * last[0]
    if per_run <= 0 or not 0 <= fixed < CHUNK_SECONDS:
        return None
    return fixed, per_run


def _chunk_size(
    per_run: float | None,
    unsubmitted: int,
    workers: int,
    batch: int | None = None,
    last: tuple[int, float] | None = None,
    busy: float = 0.0,
    earlier: tuple[int, float] | None = None,
    first: int = FIRST_CHUNK,
) -> int:
    """Runs in the next chunk: ``batch`` if given; else sized so that a chunk takes about
    CHUNK_SECONDS, at most MAX_CHUNK runs. A batch's runs cost less the more share it
    (simulation.batch): a chunk takes a fixed part (the weeks' array calls, whatever the
    runs) plus a part per run. Once two chunks of different sizes are done, the ``last``
    one and an ``earlier`` one (their runs, their seconds), the two parts are fitted
    (:func:`_fit`) and the chunk is the size they say takes CHUNK_SECONDS. Before that,
    or when the fit is unusable, the time per run of the last chunk decides, or
    ``per_run`` seconds a run before there is one (``first`` before that:
    :func:`_first_chunk`); as the time
    per run measured on a small chunk overstates a larger one's, while the last chunk
    came in under CHUNK_SECONDS the next is at least twice its size, four times while
    under a quarter of it.

    With several workers, so that they finish together, at most an equal share of the
    runs left: the ``unsubmitted`` ones and the ``busy`` ones (still to be made in the
    chunks handed out, an estimate), over the workers; the caller hands such a chunk to
    a worker that is free. With one worker or several: when fewer than a quarter of this
    chunk's runs would be left after it (and all fit in MAX_CHUNK), it takes them too, as
    a batch of a few runs costs nearly as much as a full one. With one worker, when the
    runs left need two chunks, they are two halves, not a full chunk and a small one."""
    if batch is not None:  # fixed by the caller
        return min(batch, unsubmitted)
    if last is not None:
        size = round(last[0] * CHUNK_SECONDS / max(last[1], 1e-6))
        fit = _fit(earlier, last)
        if fit is not None:  # the size whose predicted time is CHUNK_SECONDS
            size = round((CHUNK_SECONDS - fit[0]) / fit[1])
    else:
        size = first if per_run is None else round(CHUNK_SECONDS / max(per_run, 1e-6))
    if last is not None and last[1] < CHUNK_SECONDS:
        size = max(size, (4 if last[1] < CHUNK_SECONDS / 4 else 2) * last[0])
    size = min(size, MAX_CHUNK)
    if workers > 1:  # the workers finish together
        size = min(size, math.ceil((unsubmitted + busy) / workers))
    size = max(1, min(size, unsubmitted))
    if unsubmitted - size < size / 4 and unsubmitted <= MAX_CHUNK:  # no small batch left over
        size = unsubmitted
    elif workers == 1 and unsubmitted < 2 * size:  # two halves, not a full chunk and a rest
        size = math.ceil(unsubmitted / 2)
    return size


class _InFlight:
    """The chunks handed out and not done yet, in the order handed out, with when each
    started (probably: the backend's workers take them in that order, each the next one
    as soon as it is free), to tell how many of their runs are still to be made."""

    def __init__(self, workers: int):
        self.workers = workers
        self.chunks: dict[int, list] = {}  # first run_id -> [runs, start time or None]

    def __len__(self) -> int:
        return len(self.chunks)

    def add(self, first: int, runs: int, now: float) -> None:
        running = sum(start is not None for _, start in self.chunks.values())
        self.chunks[first] = [runs, now if running < self.workers else None]

    def done(self, first: int, now: float) -> float:
        """The chunk starting at run ``first`` is done: its worker takes the next queued.
        Returns the seconds (wall time) it took from its start (0 if it was thought
        queued: a backend may take the chunks in another order)."""
        _, start = self.chunks.pop(first)
        for chunk in self.chunks.values():
            if chunk[1] is None:
                chunk[1] = now
                break
        return now - start if start is not None else 0.0

    def busy(self, now: float, seconds_per_run: float) -> float:
        """Runs still to be made: all of a queued chunk's; of a running one, those it has
        not had the time to make at ``seconds_per_run`` (wall time)."""
        pace = max(seconds_per_run, 1e-9)
        return sum(
            runs if start is None else max(0.0, runs - (now - start) / pace)
            for runs, start in self.chunks.values()
        )


def _first_chunk(spec: Spec, run_ids: Iterable[int]) -> int:
    """Runs of the first chunk: of ``run_ids`` in order, as many as make FIRST_AGENT_WEEKS
    agents x weeks together, at least FIRST_CHUNK."""
    runs, total, point, size = 0, 0, -1, 0
    for run_id in run_ids:
        if run_id // spec.replicates != point:  # (replicates of a point: the same size)
            point = run_id // spec.replicates
            params = spec.point_params(point)
            size = params["weeks"] * sum(params[k] for k in (*LAY_COUNTS, *PROFESSIONAL_COUNTS))
        total += size
        if total > FIRST_AGENT_WEEKS:
            break
        runs += 1
    return max(runs, FIRST_CHUNK)


def _task(spec: Spec, run_id: int) -> tuple[int, int, dict]:
    """What a worker needs to make run ``run_id``: its id, seed and parameters."""
    return run_id, spec.run_seed(run_id), spec.point_params(run_id // spec.replicates)


def _keep(results: list, blocks: store.Blocks, pending: dict[int, dict]) -> None:
    """Hold each finished run with its block's others; write every block now complete."""
    complete = {}
    for run_id, error, values, series in results:
        block = blocks.of(run_id)
        got = pending.setdefault(block, {})
        got[run_id] = (error, values, series)
        if len(got) == len(blocks.span(block)):
            complete[block] = pending.pop(block)
    blocks.write_blocks(complete)


def _execute(
    spec: Spec, blocks: store.Blocks, todo: list[int], backend, bar, batch: int | None = None
) -> int:
    """Run the runs of blocks ``todo``, writing each block when complete; runs made.

    ``batch``: runs per chunk (None: sized from the times of the chunks done, _chunk_size).
    Up to ``backend.window`` chunks are in flight, so a worker that finishes one has the
    next at hand; but one per worker while the chunks still grow (a queued chunk would
    be sized from older, smaller ones) and in the last round, when what is left would fit
    in one chunk per worker of the largest size so far (each is then sized for the worker
    that takes it, so that all finish together)."""
    queue = (run_id for block in todo for run_id in blocks.span(block))
    unsubmitted = blocks.runs_in(set(todo))
    in_order = (run_id for block in todo for run_id in blocks.span(block))
    first = _first_chunk(spec, itertools.islice(in_order, MAX_CHUNK))
    pending: dict[int, dict] = {}
    flights = _InFlight(backend.workers)
    made = 0
    per_run = None  # seconds per run, a moving average over chunks
    last = None  # the latest chunk done: its runs and its seconds
    earlier = None  # a chunk done before it, of a size FIT_SPREAD apart from it when done
    biggest = 0  # the most runs in a chunk done
    growing = batch is None  # chunks still doubling (see above)
    pace = 0.0  # wall seconds per run of the latest chunk done (CPU time is shared)
    results: list = []
    while True:
        while unsubmitted:
            ending = batch is None and unsubmitted < backend.workers * biggest
            if len(flights) >= (backend.workers if growing or ending else backend.window):
                break
            now = _clock()
            busy = flights.busy(now, pace) if last else 0.0
            size = _chunk_size(
                per_run, unsubmitted, backend.workers, batch, last, busy, earlier, first
            )
            tasks = [_task(spec, next(queue)) for _ in range(size)]
            backend.submit(tasks, spec.timeseries)
            flights.add(tasks[0][0], size, now)
            unsubmitted -= size
        # The blocks of the latest chunk are written once the next chunks are handed out:
        # the workers do not wait for the disk.
        _keep(results, blocks, pending)
        bar.update(len(results))
        if not flights:
            return made
        results, seconds = backend.next_done()
        took = flights.done(results[0][0], _clock())  # 0 if it was thought queued
        made += len(results)
        each = seconds / max(len(results), 1)
        pace = took / len(results) if took > 0 else each
        per_run = each if per_run is None else 0.7 * per_run + 0.3 * each
        if last is not None and _apart(last[0], len(results)):
            earlier = last
        last = (len(results), max(seconds, 1e-6))
        biggest = max(biggest, len(results))
        growing = growing and seconds < CHUNK_SECONDS / 2 and len(results) < MAX_CHUNK


# --------------------------------------------------------------------------- the sweep


def run_sweep(
    spec: str | Path | Spec,
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    batch: int | None = None,
) -> SweepResult:
    """Run every run of ``spec`` (a Spec or a spec file) and write the results to ``out_dir``.

    ``workers``: local processes (default: all cores; 1 runs in this process).
    ``scheduler``: the address of a Dask scheduler to run on instead.
    ``resume``: finish the sweep already in ``out_dir`` (same spec), or start it there.
    ``progress``: show a progress bar on stderr (when it is a terminal).
    ``batch``: runs per chunk, made side by side in one batch (default: sized from the
    measured time per run, at most MAX_CHUNK); the results do not depend on it.

    Raises SpecError (a ParamError) for a bad spec and SweepError (SweepInputError) for
    a bad output folder, scheduler, worker count or batch size, in both cases before writing
    anything; SweepAborted if the backend fails part-way; SweepInterrupted (a
    KeyboardInterrupt) after Ctrl-C, with the workers stopped and the finished blocks
    kept. Failed runs do not raise: see ``SweepResult.failed``.
    """
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    out = Path(out_dir).expanduser()
    _check_batch(batch)
    try:
        return _sweep(spec, out, workers, scheduler, resume, progress, batch)
    except KeyboardInterrupt as stop:
        signum = getattr(stop, "signum", signal.SIGINT)
        raise SweepInterrupted(signum, runs_kept(spec, out), spec.n_runs, out) from None


def _sweep(
    spec: Spec,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    progress: bool,
    batch: int | None = None,
) -> SweepResult:
    try:
        state, previous = mf.inspect_out(out, spec, resume)
    except mf.FolderError as err:
        raise SweepError(str(err)) from None
    if state == "complete":  # nothing to run; parts left by a kill after the end go
        store.Blocks(spec, out, 1).remove_parts()
        return _result(spec, out, previous["backend"], 0, 0.0)
    start = time.perf_counter()
    backend = _backend(workers, scheduler)
    try:
        try:
            record, lock = mf.begin(out, spec, previous, backend.label)
        except mf.FolderError as err:
            raise SweepError(str(err)) from None
        try:
            blocks = store.Blocks(spec, out, record["design"]["part_size"])
            done = blocks.done()
            todo = [b for b in range(blocks.count) if b not in done]
            with _bar(spec, blocks.runs_in(done), progress) as bar:
                made = _execute(spec, blocks, todo, backend, bar, batch)
            backend.close()
            mf.finish(out, record, blocks.consolidate())
            blocks.remove_parts()
        finally:
            lock.release()
    except backends.BackendError as err:
        raise SweepAborted(str(err)) from None
    finally:
        backend.close(cancel=True)  # after an error or a stop: at once; else a no-op
    return _result(spec, out, backend.label, made, time.perf_counter() - start)


def runs_kept(spec: Spec, out: Path) -> int:
    """How many runs of ``spec`` are on disk in ``out`` (all when the sweep is complete)."""
    manifest = store.read_manifest(out)
    if manifest is None or manifest.get("fingerprint") != spec.fingerprint():
        return 0
    if manifest.get("status") == "complete":
        return spec.n_runs
    blocks = store.Blocks(spec, out, manifest["design"]["part_size"])
    return blocks.runs_in(blocks.done(tidy=False))  # the folder may be another sweep's now


def _bar(spec: Spec, initial: int, progress: bool):
    """A tqdm bar on stderr (shown on a terminal only), without tqdm's monitor thread,
    which would make the next local sweep in this process avoid fork."""
    # heavy; loaded on use so `coprod` starts fast
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0

    return Bar(
        total=spec.n_runs,
        initial=initial,
        unit="run",
        desc=spec.name,
        file=sys.stderr,
        disable=None if progress else True,
        smoothing=0.1,
        dynamic_ncols=True,
    )


def _result(spec: Spec, out: Path, backend: str, made: int, seconds: float) -> SweepResult:
    import pyarrow.compute as pc  # 75 ms to import, for the end of a sweep only

    columns = ["run_id", "status", "error", *spec.varied]
    table = pq.read_table(out / store.RUNS, columns=columns)
    bad = table.filter(pc.equal(table["status"], "failed")).to_pylist()
    failures = [
        {"run_id": row["run_id"], "values": {n: row[n] for n in spec.varied}, "error": row["error"]}
        for row in bad
    ]
    return SweepResult(
        out_dir=out,
        spec=spec,
        ok=table.num_rows - len(bad),
        failed=len(bad),
        executed=made,
        seconds=seconds,
        backend=backend,
        failures=failures,
    )


# --------------------------------------------------------------------------- signals


class _Interrupts:
    """While ``coprod sweep`` runs: the first SIGINT or SIGTERM raises SweepInterrupted.

    From then on both signals are ignored, to the end of the process (Python leaves an
    ignored signal ignored while it exits): a second Ctrl-C during the clean-up, or
    during the exit, changes nothing. A local worker forked before its initializer ran
    inherits the handler: in it, SIGINT is ignored (the parent stops the workers) and
    SIGTERM ends it.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.received: int | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():  # only it can set handlers
            self.previous = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        if self.received is None:
            for signum, handler in self.previous.items():
                signal.signal(signum, handler)

    def _handle(self, signum: int, frame: object) -> None:
        if os.getpid() != self.pid:  # a worker that has not run its initializer yet
            if signum == signal.SIGTERM:
                os._exit(128 + signum)
            return
        if self.received is None:
            self.received = signum
            for other in self.SIGNALS:
                signal.signal(other, signal.SIG_IGN)
            raise SweepInterrupted(signum)


# --------------------------------------------------------------------------- command line


def add_parser(commands) -> None:
    """Register ``coprod sweep`` on the ``coprod`` sub-command parsers."""
    sweep = commands.add_parser(
        "sweep",
        allow_abbrev=False,
        help="run a parameter sweep (grid, lhs, sobol or morris) from a spec file",
        description=f"Run every run of a sweep spec (see experiments/specs/*.toml) and write "
        f"{store.RUNS}, {store.MANIFEST} (and {store.TIMESERIES}) to --out. "
        "Exit status: 0 all runs ok, 1 some runs failed, 2 bad input, "
        "130 or 143 when stopped by Ctrl-C or SIGTERM.",
    )
    sweep.add_argument("spec", metavar="SPEC.toml", help="the sweep spec")
    sweep.add_argument("--out", metavar="DIR", help="output folder (default: results/<name>)")
    sweep.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="local worker processes (default: all cores; 1 runs in-process)",
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT)",
    )
    add_batch(sweep)
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="finish the sweep already in --out (or start it there)",
    )
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="print the design, its run count and an estimated time (from timing up to "
        "3 real runs of its first point), and stop, writing nothing",
    )
    sweep.set_defaults(func=cmd_sweep, prog=sweep.prog)


def add_batch(parser: argparse.ArgumentParser) -> None:
    """The ``--batch N`` option (of ``coprod sweep`` and ``coprod robustness``)."""
    parser.add_argument(
        "--batch",
        type=_workers,
        metavar="N",
        help=f"runs per chunk, made side by side in one vectorised batch; 1 makes runs one "
        f"at a time (default: sized so a chunk takes about {CHUNK_SECONDS:g} s, at most "
        f"{MAX_CHUNK}); the results are the same whatever N",
    )


def _workers(text: str) -> int:
    try:
        value = int(text.strip(), 10)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number 1 or more, got '{text}'")
    return value


def cmd_sweep(args: argparse.Namespace) -> int:
    """``coprod sweep``: 0 when every run is ok, 1 when some failed, 2 for bad input,
    130 after Ctrl-C (SIGINT), 143 after SIGTERM."""
    if args.out is not None and not args.out.strip():
        raise SweepError("--out: expected a directory path, got ''")
    program = args.prog.split()[0]
    with _Interrupts():
        try:
            spec = load_spec(args.spec)
            out = (
                Path(args.out).expanduser() if args.out is not None else Path("results") / spec.name
            )
            if args.dry_run:
                print(spec.describe())
                print(estimate(spec, args.workers, args.scheduler))
                if spec.n_runs > MANY_RUNS:
                    print(
                        f"{program}: warning: {spec.n_runs:,} runs is more than "
                        f"{MANY_RUNS:,}; check the design (fewer values, samples or "
                        "replicates?) before running it",
                        file=sys.stderr,
                    )
                print(f"output: {out} (dry run: nothing written)")
                return 0
            result = run_sweep(
                spec,
                out,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=args.resume,
                batch=args.batch,
            )
        except SweepAborted as err:
            print(
                f"{program}: error: {err}; the finished runs are kept: to finish, run: "
                f"{resume_command(args, out)}",
                file=sys.stderr,
            )
            return 1
        except SweepInterrupted as stop:
            print(
                f"{program}: {interrupted(stop, resume_command(args, stop.out_dir))}",
                file=sys.stderr,
            )
            return stop.exit_code
    print(result.summary())
    if result.failed:
        print(format_failures(result, program), file=sys.stderr)
    return result.exit_code


MANY_RUNS = 1_000_000  # --dry-run warns above this many runs
CALIBRATION_RUNS = 3  # --dry-run times up to this many real runs of the first point
CALIBRATION_SECONDS = 2.0  # ... and stops early once they took this long


def time_runs(spec: Spec) -> tuple[float, int]:
    """(mean seconds per run, runs timed): real runs of the spec's first point, its weeks."""
    from simulation.model import CoProductionModel  # Mesa: only when timing (not in the timing)

    params, seeds = spec.point_params(0), spec.seeds()
    spent, timed = 0.0, 0
    while timed < min(CALIBRATION_RUNS, spec.n_runs) and spent < CALIBRATION_SECONDS:
        start = time.perf_counter()
        CoProductionModel(rng=int(seeds[timed]), **params).run()
        spent += time.perf_counter() - start
        timed += 1
    return spent / timed, timed


def estimate(spec: Spec, workers: int | None, scheduler: str | None) -> str:
    """--dry-run's line: the run count and an estimated time, from a short calibration run."""
    try:
        per_run, timed = time_runs(spec)
    except Exception as err:  # a run that fails here would fail in the sweep too
        return f"estimated time: unknown (a calibration run failed: {type(err).__name__}: {err})"
    how = f"{per_run:.3g} s per run, timed on {timed} run{'s' if timed != 1 else ''} of point 0"
    if scheduler is not None:
        serial = spec.n_runs * per_run
        return (
            f"estimated time: about {duration(serial)} of worker time for {spec.n_runs:,} runs "
            f"({how}); divide by the cluster's workers"
        )
    n = workers or backends.cpu_count()
    total = spec.n_runs * per_run / min(n, spec.n_runs)
    return (
        f"estimated time: about {duration(total)} for {spec.n_runs:,} runs on {n} "
        f"worker{'s' if n != 1 else ''} ({how}; other points may take longer or less)"
    )


def duration(seconds: float) -> str:
    """``42 s``, ``3.5 min``, ``2.1 h``, ``4.2 days``."""
    value, unit = seconds, "s"
    for name, size in (("min", 60.0), ("h", 3600.0), ("days", 86400.0)):
        if seconds >= 2 * size:
            value, unit = seconds / size, name
    return f"{value:.2g} {unit}" if value < 10 else f"{value:,.0f} {unit}"


def resume_command(args: argparse.Namespace, out: Path | None) -> str:
    """The command line that finishes the sweep of ``args`` (quoted for a POSIX shell)."""
    words = [*args.prog.split(), args.spec]
    if out is not None:
        words += ["--out", str(out)]
    elif args.out is not None:
        words += ["--out", args.out]
    if args.scheduler is not None:
        words += ["--scheduler", args.scheduler]
    elif args.workers is not None:
        words += ["--workers", str(args.workers)]
    if getattr(args, "batch", None) is not None:
        words += ["--batch", str(args.batch)]
    return shlex.join([*words, "--resume"])


def interrupted(stop: SweepInterrupted, command: str) -> str:
    """The one line after a stop: how many runs are kept, and how to go on."""
    if stop.kept is None:
        return f"interrupted before the sweep started; to start it, run: {command}"
    if not stop.kept:
        return (
            f"interrupted before any run finished, so none are kept; to start again, run: {command}"
        )
    return (
        f"interrupted; {stop.kept} of {stop.total} runs are kept in {stop.out_dir}; "
        f"to finish, run: {command}"
    )


def format_failures(result: SweepResult, program: str = "coprod") -> str:
    """The failed runs, one a line: run_id, the varied values, the error."""
    lines = [f"{program}: {result.failed} of {result.n_runs} runs failed:"]
    for f in result.failures[:SHOW_FAILURES]:
        values = ", ".join(f"{k}={toml_literal(v)}" for k, v in f["values"].items())
        lines.append(f"  run {f['run_id']} ({values}): {f['error']}")
    if result.failed > SHOW_FAILURES:
        lines.append(
            f"  ... and {result.failed - SHOW_FAILURES} more: see the status and "
            f"error columns of {result.runs_path}"
        )
    return "\n".join(lines)
