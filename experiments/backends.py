"""Where a sweep's runs are made: in this process, on local processes, or on a Dask cluster.

A backend runs chunks of work, ``work(tasks, timeseries)`` with ``work`` a module-level
function (sent to other processes by reference), and hands the results back in the
order the chunks finish. Every backend has the same surface::

    backend.workers, backend.window, backend.label   # workers, chunks in flight, a name
    backend.submit(tasks, timeseries)                  # queue one chunk
    backend.next_done()                                # the result of a finished chunk
    backend.close()                                    # let the workers go
    backend.close(cancel=True)                         # stop now (Ctrl-C): drop the queued
                                                       # chunks, stop the running ones

``close`` may be called more than once. A backend that cannot start, or fails
part-way, raises :class:`BackendError`.

- :class:`InProcess`: one chunk at a time in this process (no start-up cost);
- :class:`LocalProcesses`: a ``ProcessPoolExecutor`` of N processes. They are forked
  when that is safe (POSIX, and this process runs a single Python thread), so they
  start in milliseconds with the model already imported; otherwise they come from a
  forkserver (or are spawned), which costs each about a second to import Mesa. The
  workers ignore SIGINT (Ctrl-C in a terminal reaches the whole process group: the
  parent decides), end on SIGTERM, and end when their parent is gone;
- :class:`Dask`: chunks as tasks (``retries=3``) on an existing Dask distributed
  cluster; the tasks of a lost worker are re-run on the others. Its workers must be
  able to import this project.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
import os
import signal
import socket
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client

# distributed (half a second to import) and asyncio (40 ms) are imported inside the Dask
# functions, so that local sweeps and every `coprod` command do not wait for them.

Work = Callable[[list, bool], Any]

CONNECT_TIMEOUT = 5  # seconds for a Dask scheduler to answer
WORKER_WAIT = 30  # seconds for a Dask cluster without workers to get one
DASK_RETRIES = 3
STOP_WAIT = 2.0  # seconds for a stopped local worker to end before it is killed
CLOSE_WAIT = 2.0  # seconds for a Dask client to close when the sweep is stopped


class BackendError(Exception):
    """A backend that cannot start (no scheduler answers) or that failed part-way."""


# --------------------------------------------------------------------------- in-process


class InProcess:
    """Runs chunks in this process, one at a time."""

    workers, window, label = 1, 1, "1 worker (in-process)"

    def __init__(self, work: Work):
        self.work = work
        self._queue: deque = deque()

    def submit(self, tasks: list, timeseries: bool) -> None:
        self._queue.append((tasks, timeseries))

    def next_done(self):
        return self.work(*self._queue.popleft())

    def close(self, cancel: bool = False) -> None:
        self._queue.clear()


# --------------------------------------------------------------------------- local processes


def _ready() -> int:
    return os.getpid()


def _worker_init(preload: Sequence[str]) -> None:
    """In each local worker: leave Ctrl-C to the parent, end on SIGTERM, load the model,
    and end when the parent is gone (even after kill -9)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the parent's
    for name in preload:
        importlib.import_module(name)  # a no-op when forked: the parent loaded them
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="coprod-parent-watch").start()


def _mp_context(preload: Sequence[str]):
    """fork when safe (workers start at once, model imported); else forkserver or spawn.

    "Safe" means POSIX but not macOS, and no Python thread besides this one. The only
    other threads then are native pools that handle fork themselves (OpenBLAS's, and
    jemalloc's from pyarrow), and the workers only run the model, so Python's generic
    warning about forking a multi-threaded process is silenced in ``LocalProcesses``.
    """
    methods = mp.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin" and threading.active_count() == 1:
        return mp.get_context("fork")
    if "forkserver" in methods:
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        return context
    return mp.get_context("spawn")


class LocalProcesses:
    """A pool of local worker processes; a lost worker process is replaced (a few times).

    ``preload``: modules each worker imports before its first chunk (imported here
    first, so that forked workers have them already).
    """

    RESTARTS = 3

    def __init__(self, workers: int, work: Work, preload: Sequence[str] = ()):
        self.workers, self.window = workers, 2 * workers
        self.label = f"{workers} local workers"
        self.work, self.preload = work, (*preload, work.__module__)
        self.futures: dict[Future, tuple[list, bool]] = {}
        self.restarts = 0
        self.pool: ProcessPoolExecutor | None = None
        for name in self.preload:
            importlib.import_module(name)
        try:
            self._start()
        except BaseException:  # e.g. Ctrl-C while the workers start: none is left behind
            self.close(cancel=True)
            raise

    def _start(self) -> None:
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_mp_context(self.preload),
            initializer=_worker_init,
            initargs=(self.preload,),
        )
        with warnings.catch_warnings():  # see _mp_context
            warnings.filterwarnings(
                "ignore", r"This process .* is multi-threaded", DeprecationWarning
            )
            self.pool.submit(_ready).result()  # start the workers now (all at once if forked)

    def submit(self, tasks: list, timeseries: bool) -> None:
        try:
            future = self.pool.submit(self.work, tasks, timeseries)
        except BrokenProcessPool:
            self._restart()
            future = self.pool.submit(self.work, tasks, timeseries)
        self.futures[future] = (tasks, timeseries)

    def next_done(self):
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
            raise BackendError(
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
            self.futures[self.pool.submit(self.work, tasks, timeseries)] = (tasks, timeseries)

    def close(self, cancel: bool = False) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if cancel:
            _kill(pool)
        else:
            pool.shutdown(wait=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now, with its running chunks, leaving no process or thread behind.

    ProcessPoolExecutor has no public way to do this (Python 3.14 adds
    terminate_workers), hence its private ``_processes`` and ``_result_queue``. The
    workers are ended by their process ids. Then this process's copy of the write end
    of the results pipe is closed: the pool's thread may be waiting for the rest of a
    result that a killed worker was sending, and would wait for good, holding up the
    exit of this process; with no writer left it sees the pipe end instead.
    """
    processes = list((pool._processes or {}).values())
    results = pool._result_queue
    pool.shutdown(wait=False, cancel_futures=True)
    _stop(processes)
    if results is not None:
        results._writer.close()


def _stop(processes: list) -> None:
    """End ``processes`` (multiprocessing.Process): SIGTERM, then SIGKILL if they linger."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_WAIT
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(STOP_WAIT)


# --------------------------------------------------------------------------- Dask


class Dask:
    """Chunks as tasks on an existing Dask distributed cluster."""

    def __init__(self, address: str, work: Work):
        # Dask loads only when a scheduler is given
        from distributed import as_completed

        self.work = work
        self.client = connect(address)
        try:
            try:
                self.client.wait_for_workers(1, timeout=WORKER_WAIT)
            except TimeoutError:
                raise BackendError(
                    f"the Dask scheduler at '{address}' has no workers (waited {WORKER_WAIT} s)"
                ) from None
            threads = self.client.nthreads()
            self.workers = max(1, sum(threads.values()))
            self.window = max(4, 2 * self.workers)
            self.label = f"Dask at {address} ({len(threads)} workers, {self.workers} threads)"
            self.done = as_completed(loop=self.client.loop)
        except BaseException:
            _close_client(self.client, CLOSE_WAIT)
            raise

    def submit(self, tasks: list, timeseries: bool) -> None:
        self.done.add(
            self.client.submit(self.work, tasks, timeseries, pure=False, retries=DASK_RETRIES)
        )

    def next_done(self):
        future = next(self.done)
        try:
            return future.result()
        except Exception as err:
            raise BackendError(f"a Dask task failed ({type(err).__name__}: {err})") from None
        finally:
            future.release()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            self.done.clear()  # released: the scheduler drops the chunks
        _close_client(self.client, CLOSE_WAIT if cancel else 10)


def connect(address: str) -> Client:
    """A Client of the Dask scheduler at ``address``; BackendError when none answers there."""
    # Dask loads only when a scheduler is given
    from distributed import Client

    check_scheduler(address)
    # Made in two steps to hold the client even when its __init__ fails: closed here,
    # it says nothing; left to its __del__, it prints a traceback.
    client = Client.__new__(Client)
    try:
        with _quiet():  # the one-line error says it all
            client.__init__(address, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
    except BaseException as err:
        _close_client(client, CLOSE_WAIT)
        if isinstance(err, Exception):
            raise BackendError(_no_scheduler(address, type(err).__name__)) from None
        raise
    return client


def check_scheduler(address: str) -> None:
    """Ask ``address`` who it is: BackendError unless a Dask scheduler answers in time.

    A refused connection fails at once, anything else within CONNECT_TIMEOUT: a Client
    pointed at a Dask worker or at another kind of server can fail half-way, or wait
    for good. Addresses other than tcp:// (tls needs the security settings) are left
    to the Client.
    """
    # Dask loads only when a scheduler is given
    import asyncio

    # Dask loads only when a scheduler is given
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.core import rpc

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except (ValueError, TypeError):
        raise BackendError(f"expected an address like tcp://HOST:PORT, got '{address}'") from None
    if scheme != "tcp":
        return
    try:  # distributed retries a refused connection until its timeout; this does not
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as err:
        raise BackendError(
            f"no Dask scheduler answered at '{address}' ({err.strerror or type(err).__name__})"
        ) from None

    async def identity() -> dict:
        async with rpc(address, timeout=CONNECT_TIMEOUT) as remote:
            return await remote.identity()

    try:
        with _quiet():
            kind = _run(asyncio.wait_for(identity(), CONNECT_TIMEOUT)).get("type")
    except TimeoutError:
        raise BackendError(
            f"no Dask scheduler answered at '{address}' within {CONNECT_TIMEOUT} s"
        ) from None
    except Exception as err:
        raise BackendError(
            f"no Dask scheduler answered at '{address}' (what did answer does not speak "
            f"Dask: {type(err).__name__})"
        ) from None
    if kind != "Scheduler":
        raise BackendError(
            f"no Dask scheduler answered at '{address}' (a Dask {kind} did: give its "
            "scheduler's address)"
        )


def _no_scheduler(address: str, reason: str) -> str:
    return f"no Dask scheduler answered at '{address}' within {CONNECT_TIMEOUT} s ({reason})"


def _run(coroutine: Coroutine) -> Any:
    """Run ``coroutine`` in a new event loop: here, or in a thread if this one has a loop."""
    # Dask loads only when a scheduler is given
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as thread:  # e.g. called from a notebook
        return thread.submit(asyncio.run, coroutine).result()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence distributed's log while connecting: its warnings would follow our one line."""
    log = logging.getLogger("distributed")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _close_client(client: Client, timeout: float) -> None:
    """Close ``client`` within ``timeout`` seconds, quietly, even when it never connected."""
    try:
        with _quiet():
            client.close(timeout=timeout)
    except Exception:
        # Gone, stuck or half-made: mark it closed, or its __del__ tries again, loudly.
        client.status = "closed"


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1
