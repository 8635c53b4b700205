"""Run a sweep: every run of a spec's design, on local processes or a Dask cluster.

    coprod sweep SPEC.toml [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume] [--dry-run]

From Python, :func:`run_sweep` does the same and returns a :class:`SweepResult`.

How it works. The runs (see :mod:`experiments.design`) are sent to the workers in
chunks of consecutive runs, sized from the measured time per run so that a chunk
takes about half a second (smaller towards the end so the workers finish together);
at most two chunks per worker are in flight. Each run gets its own seed from the spec,
so the numbers do not depend on the backend, the number of workers or the order in
which runs finish. A run that raises is recorded as failed, with its error, and the
sweep goes on. Finished runs are written to disk block by block
(:mod:`experiments.store`), so a sweep that is stopped in any way (Ctrl-C, kill -9, a
lost worker) can be finished with ``resume=True`` (``--resume``): every run ends up
in ``runs.parquet`` exactly once, with the same numbers as an uninterrupted sweep.

Backends:

- one worker: the runs are made in this process (no start-up cost);
- N local workers: a ``ProcessPoolExecutor`` with N processes. They are forked when
  that is safe (POSIX, and this process runs a single Python thread), so they start
  in milliseconds with the model already imported; otherwise they come from a
  forkserver (or are spawned), which costs each about a second to import Mesa;
- ``scheduler="tcp://HOST:PORT"``: an existing Dask distributed cluster. Chunks are
  tasks (``retries=3``); the tasks of a worker that is lost are re-run on the others.
  Its workers must be able to import this project.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    import pandas as pd

    from experiments.design import Spec

# Heavy modules (simulation, pyarrow, pandas, distributed) are imported inside the
# functions, so that `coprod --help` and argument errors stay fast.

CONNECT_TIMEOUT = 5  # seconds for a Dask scheduler to answer
WORKER_WAIT = 30  # seconds for a Dask cluster without workers to get one
DASK_RETRIES = 3
CHUNK_SECONDS = 0.5  # target compute time of one chunk
MAX_CHUNK = 256
FIRST_CHUNK = 2  # runs per chunk before the time per run is known
SHOW_FAILURES = 20


class SweepInputError(Exception):
    """Input the sweep cannot start with: the output folder, the scheduler, --workers."""


class SweepAborted(Exception):
    """The backend failed part-way (e.g. a local worker process died); done runs are kept."""


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
        return self.out_dir / "runs.parquet"

    @property
    def timeseries_path(self) -> Path | None:
        return self.out_dir / "timeseries.parquet" if self.spec.timeseries else None

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / "manifest.json"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def read_runs(self) -> pd.DataFrame:
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
    from simulation.metrics import METRIC_NAMES
    from simulation.model import CoProductionModel

    model = CoProductionModel(rng=seed, **params)
    final = model.run()
    series = model.history[: min(model.steps, model.params.weeks)].copy() if timeseries else None
    return [final[name] for name in METRIC_NAMES], series


def run_chunk(tasks: list[tuple[int, int, dict]], timeseries: bool):
    """Run ``tasks`` [(run_id, seed, params)]: ([(run_id, error, metrics, series)], seconds).

    A run that raises gives ``error = "Type: message"`` and no metrics.
    """
    start = time.perf_counter()
    out = []
    for run_id, seed, params in tasks:
        try:
            values, series = simulate(params, seed, timeseries)
            out.append((run_id, None, values, series))
        except Exception as err:  # recorded, not raised: the sweep goes on
            out.append((run_id, " ".join(f"{type(err).__name__}: {err}".split()), None, None))
    return out, time.perf_counter() - start


# --------------------------------------------------------------------------- backends


class _InProcess:
    """Runs chunks in this process, one at a time."""

    workers, window, label = 1, 1, "1 worker (in-process)"

    def __init__(self):
        self._queue: deque = deque()

    def submit(self, tasks, timeseries):
        self._queue.append((tasks, timeseries))

    def next_done(self):
        return run_chunk(*self._queue.popleft())

    def close(self, cancel: bool = False):
        self._queue.clear()


def _ready() -> int:
    return os.getpid()


def _worker_init() -> None:
    """In each local worker: load the model, leave Ctrl-C to the parent, exit with it."""
    import signal

    import simulation.model  # noqa: F401  (a no-op when forked: the parent loaded it)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="coprod-parent-watch").start()


def _mp_context():
    """fork when safe (workers start at once, model imported); else forkserver or spawn.

    "Safe" means POSIX but not macOS, and no Python thread besides this one. The only
    other threads then are native pools that handle fork themselves (OpenBLAS's, and
    jemalloc's from pyarrow), and the workers only run the model, so Python's generic
    warning about forking a multi-threaded process is silenced in ``_Processes``.
    """
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin" and threading.active_count() == 1:
        return mp.get_context("fork")
    if "forkserver" in methods:
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(["simulation.model", "experiments.sweep"])
        return context
    return mp.get_context("spawn")


class _Processes:
    """A pool of local worker processes; a lost worker process is replaced (a few times)."""

    RESTARTS = 3

    def __init__(self, workers: int):
        import simulation.model  # noqa: F401  (loaded once here, so forked workers have it)

        self.workers, self.window = workers, 2 * workers
        self.label = f"{workers} local workers"
        self.futures: dict = {}  # future -> (tasks, timeseries)
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=_mp_context(), initializer=_worker_init
        )
        with warnings.catch_warnings():  # see _mp_context
            warnings.filterwarnings(
                "ignore", r"This process .* is multi-threaded", DeprecationWarning
            )
            self.pool.submit(_ready).result()  # start the workers now (all at once if forked)

    def submit(self, tasks, timeseries):
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self.pool.submit(run_chunk, tasks, timeseries)
        except BrokenProcessPool:
            self._restart()
            future = self.pool.submit(run_chunk, tasks, timeseries)
        self.futures[future] = (tasks, timeseries)

    def next_done(self):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        while True:
            done, _ = wait(self.futures, return_when=FIRST_COMPLETED)
            future = done.pop()
            try:
                result = future.result()
            except BrokenProcessPool:
                self._restart()
                continue
            del self.futures[future]
            return result

    def _restart(self) -> None:
        """A worker died: start a new pool and resubmit every chunk without a result."""
        self.restarts += 1
        if self.restarts > self.RESTARTS:
            raise SweepAborted(
                f"local worker processes died {self.restarts} times (out of memory, or killed?)"
            )
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._start()
        lost = {
            f: work
            for f, work in self.futures.items()
            if not f.done() or f.cancelled() or f.exception() is not None
        }
        for future, (tasks, timeseries) in lost.items():
            del self.futures[future]
            self.futures[self.pool.submit(run_chunk, tasks, timeseries)] = (tasks, timeseries)

    def close(self, cancel: bool = False):
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _Dask:
    """Chunks as tasks on an existing Dask distributed cluster."""

    def __init__(self, address: str):
        import logging

        from distributed import Client, as_completed

        _reach(address)
        quiet = logging.getLogger("distributed")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # the one-line error below says it all
        try:
            self.client = Client(address, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
        except Exception as err:
            raise SweepInputError(
                f"--scheduler: no Dask scheduler answered at '{address}' "
                f"within {CONNECT_TIMEOUT} s ({type(err).__name__})"
            ) from None
        finally:
            quiet.setLevel(level)
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            self.client.close()
            raise SweepInputError(
                f"--scheduler: the Dask scheduler at '{address}' has no "
                f"workers (waited {WORKER_WAIT} s)"
            ) from None
        threads = self.client.nthreads()
        self.workers = max(1, sum(threads.values()))
        self.window = max(4, 2 * self.workers)
        self.label = f"Dask at {address} ({len(threads)} workers, {self.workers} threads)"
        self.done = as_completed(loop=self.client.loop)

    def submit(self, tasks, timeseries):
        self.done.add(
            self.client.submit(run_chunk, tasks, timeseries, pure=False, retries=DASK_RETRIES)
        )

    def next_done(self):
        future = next(self.done)
        try:
            return future.result()
        except Exception as err:
            raise SweepAborted(f"a Dask task failed ({type(err).__name__}: {err})") from None
        finally:
            future.release()

    def close(self, cancel: bool = False):
        if cancel:
            self.done.clear()
        self.client.close(timeout=10)


def _reach(address: str) -> None:
    """Check that a Dask scheduler answers at ``address`` before making a Client.

    A refused connection fails at once; a listener that is not a Dask scheduler fails
    the handshake within CONNECT_TIMEOUT. (A Client that fails half-way through its
    construction would print a traceback when it is collected.)
    """
    import asyncio
    import socket
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except (ValueError, TypeError):
        raise SweepInputError(
            f"--scheduler: expected an address like tcp://HOST:PORT, got '{address}'"
        ) from None
    if scheme != "tcp":
        return  # tls (needs the security settings) and others: left to the Client
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as err:
        raise SweepInputError(
            f"--scheduler: no Dask scheduler answered at '{address}' "
            f"({err.strerror or type(err).__name__})"
        ) from None

    async def handshake():
        comm = await asyncio.wait_for(connect(address, timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT)
        await comm.close()

    with ThreadPoolExecutor(1) as thread:  # its own event loop, whatever the caller runs
        try:
            thread.submit(asyncio.run, handshake()).result()
        except Exception as err:
            raise SweepInputError(
                f"--scheduler: no Dask scheduler answered at '{address}' "
                f"within {CONNECT_TIMEOUT} s ({type(err).__name__})"
            ) from None


def _backend(workers: int | None, scheduler: str | None):
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise SweepInputError(f"--workers: expected a whole number 1 or more, got {workers!r}")
    if scheduler is not None:
        if workers is not None:
            raise SweepInputError(
                "--workers: not used with --scheduler (the Dask cluster "
                "has its own workers); give one or the other"
            )
        if not scheduler.strip():
            raise SweepInputError("--scheduler: expected an address like tcp://HOST:PORT, got ''")
        return _Dask(scheduler.strip())
    if workers is None:
        workers = _cpu_count()
    return _InProcess() if workers == 1 else _Processes(workers)


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- the loop


def _chunk_size(per_run: float | None, unsubmitted: int, workers: int) -> int:
    size = FIRST_CHUNK if per_run is None else round(CHUNK_SECONDS / max(per_run, 1e-6))
    tail = -(-unsubmitted // (2 * workers))  # shrink at the end so workers finish together
    return max(1, min(size, tail, MAX_CHUNK))


def _execute(spec: Spec, blocks, todo: list[int], backend, bar) -> int:
    """Run the runs of blocks ``todo``, writing each block when complete; runs made."""
    queue = (run_id for block in todo for run_id in blocks.span(block))
    unsubmitted = sum(len(blocks.span(b)) for b in todo)
    pending: dict[int, dict] = {}
    in_flight = made = 0
    per_run = None  # seconds per run, a moving average over chunks
    while True:
        while in_flight < backend.window and unsubmitted:
            size = _chunk_size(per_run, unsubmitted, backend.workers)
            tasks = []
            for _ in range(size):
                run_id = next(queue)
                tasks.append(
                    (run_id, spec.run_seed(run_id), spec.point_params(run_id // spec.replicates))
                )
            backend.submit(tasks, spec.timeseries)
            unsubmitted -= size
            in_flight += 1
        if not in_flight:
            return made
        results, seconds = backend.next_done()
        in_flight -= 1
        made += len(results)
        last = seconds / max(len(results), 1)
        per_run = last if per_run is None else 0.7 * per_run + 0.3 * last
        for run_id, error, values, series in results:
            block = blocks.of(run_id)
            got = pending.setdefault(block, {})
            got[run_id] = (error, values, series)
            if len(got) == len(blocks.span(block)):
                blocks.write(block, pending.pop(block))
        bar.update(len(results))


# --------------------------------------------------------------------------- the sweep


def run_sweep(
    spec: str | Path | Spec,
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> SweepResult:
    """Run every run of ``spec`` (a Spec or a spec file) and write the results to ``out_dir``.

    ``workers``: local processes (default: all cores; 1 runs in this process).
    ``scheduler``: the address of a Dask scheduler to run on instead.
    ``resume``: finish the sweep already in ``out_dir`` (same spec), or start it there.
    ``progress``: show a progress bar on stderr (when it is a terminal).

    Raises SpecError (a ParamError) for a bad spec and SweepInputError for a bad
    output folder, scheduler or worker count, in both cases before writing anything;
    SweepAborted if the backend fails part-way. Failed runs do not raise: see
    ``SweepResult.failed``.
    """
    from experiments import manifest as mf
    from experiments.design import Spec, load_spec
    from experiments.store import Blocks

    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    out = Path(out_dir).expanduser()
    state, previous = mf.inspect_out(out, spec, resume)
    if state == "complete":  # nothing to run; parts left by a kill after the end go
        Blocks(spec, out, 1).remove_parts()
        return _result(spec, out, previous["backend"], 0, 0.0)
    start = time.perf_counter()
    backend = _backend(workers, scheduler)
    try:
        record, lock = mf.begin(out, spec, previous, backend.label)
    except BaseException:
        backend.close(cancel=True)
        raise
    try:
        finished = False
        try:
            blocks = Blocks(spec, out, record["design"]["part_size"])
            done = blocks.done()
            todo = [b for b in range(blocks.count) if b not in done]
            with _bar(spec, sum(len(blocks.span(b)) for b in done), progress) as bar:
                made = _execute(spec, blocks, todo, backend, bar)
            finished = True
        finally:
            backend.close(cancel=not finished)
        files = blocks.consolidate()
        mf.finish(out, record, files)
        blocks.remove_parts()
    finally:
        lock.release()
    return _result(spec, out, backend.label, made, time.perf_counter() - start)


def _bar(spec: Spec, initial: int, progress: bool):
    """A tqdm bar on stderr (shown on a terminal only), without tqdm's monitor thread,
    which would make the next local sweep in this process avoid fork."""
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
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(out / "runs.parquet", columns=["run_id", "status", "error", *spec.varied])
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


# --------------------------------------------------------------------------- command line


def add_parser(commands) -> None:
    """Register ``coprod sweep`` on the ``coprod`` sub-command parsers."""
    sweep = commands.add_parser(
        "sweep",
        allow_abbrev=False,
        help="run a parameter sweep (grid, lhs, sobol or morris) from a spec file",
        description="Run every run of a sweep spec (see experiments/specs/*.toml) and write "
        "runs.parquet, manifest.json (and timeseries.parquet) to --out. "
        "Exit status: 0 all runs ok, 1 some runs failed, 2 bad input.",
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
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="finish the sweep already in --out (or start it there)",
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="print the design and stop, writing nothing"
    )
    sweep.set_defaults(func=cmd_sweep)


def _workers(text: str) -> int:
    import argparse

    try:
        value = int(text.strip(), 10)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number 1 or more, got '{text}'")
    return value


def cmd_sweep(args: argparse.Namespace) -> int:
    """``coprod sweep``: 0 when every run is ok, 1 when some failed, 2 for bad input."""
    from experiments.cli import CliError
    from experiments.design import load_spec

    if args.out is not None and not args.out.strip():
        raise CliError("--out: expected a directory path, got ''")
    spec = load_spec(args.spec)
    out = Path(args.out).expanduser() if args.out is not None else Path("results") / spec.name
    if args.dry_run:
        print(spec.describe())
        print(f"output: {out} (dry run: nothing written)")
        return 0
    try:
        result = run_sweep(
            spec, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume
        )
    except SweepInputError as err:
        raise CliError(str(err)) from None
    except SweepAborted as err:
        print(
            f"coprod: error: {err}; the finished runs are kept: rerun with --resume to finish",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(
            f"coprod: interrupted; the finished runs are kept in {out}: rerun with "
            "--resume to finish",
            file=sys.stderr,
        )
        return 130
    print(result.summary())
    if result.failed:
        print(format_failures(result), file=sys.stderr)
    return result.exit_code


def format_failures(result: SweepResult) -> str:
    """The failed runs, one a line: run_id, the varied values, the error."""
    from experiments.design import _show

    lines = [f"coprod: {result.failed} of {result.n_runs} runs failed:"]
    for f in result.failures[:SHOW_FAILURES]:
        values = ", ".join(f"{k}={_show(v)}" for k, v in f["values"].items())
        lines.append(f"  run {f['run_id']} ({values}): {f['error']}")
    if result.failed > SHOW_FAILURES:
        lines.append(
            f"  ... and {result.failed - SHOW_FAILURES} more: see the status and "
            f"error columns of {result.runs_path}"
        )
    return "\n".join(lines)
