"""`coprod sweep --scheduler`: a real Dask cluster gives the local table, stops on Ctrl-C,
survives a lost worker; an address that is not a scheduler's is one line of error.

The module's cluster is one ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, started here and stopped by their own process ids. The workers run without a
nanny (``--no-nanny``), so the process id we hold is the worker itself and killing it
loses the worker.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from cli_checks import assert_interrupted, assert_one_line_error

from experiments import cli
from experiments.sweep import run_sweep

REPO = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")
SCRIPT = Path(sys.executable).with_name("coprod")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "experiments.cli"]
START_TIMEOUT = 60

SMALL = """
[sweep]
name = "dask-small"
replicates = 3
seed = 21
weeks = 8
timeseries = true

[vary]
compensation = ["none", "paid"]
pace = [0.2, 0.8]
"""

LONGER = """
[sweep]
name = "dask-longer"
replicates = 40
seed = 22
weeks = 26

[vary]
compensation = ["none", "paid"]
benefit_safe = [false, true]
"""


def _write(folder: Path, text: str) -> Path:
    path = folder / "spec.toml"
    path.write_text(text)
    return path


def _stop(processes: list[subprocess.Popen]) -> None:
    """Terminate each process by its id, wait, then kill whatever is left."""
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    processes: list[subprocess.Popen] = []
    client = None

    def start(args: list[str], log: str) -> subprocess.Popen:
        with (folder / log).open("wb") as out:
            proc = subprocess.Popen(
                [str(DASK), *args], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        processes.append(proc)
        return proc

    try:
        scheduler = start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            "scheduler.log",
        )
        deadline = time.monotonic() + START_TIMEOUT
        address = None
        while address is None:
            assert scheduler.poll() is None, (folder / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            try:
                address = json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        workers = [
            start(
                [
                    "worker",
                    "--scheduler-file",
                    str(scheduler_file),
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--local-directory",
                    str(folder / f"w{i}"),
                ],
                f"worker{i}.log",
            )
            for i in range(2)
        ]
        client = Client(address, timeout="30s", set_as_default=False)
        client.wait_for_workers(2, timeout=START_TIMEOUT)
        yield SimpleNamespace(address=address, client=client, workers=workers, folder=folder)
    finally:
        if client is not None:
            client.close()
        _stop(processes[::-1])


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_an_unreachable_scheduler_is_bad_input(tmp_path):
    with socket.socket() as sock:  # a free port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _write(tmp_path, SMALL)
    start = time.monotonic()
    done = subprocess.run(
        [*COMMAND, "sweep", "spec.toml", "--out", "out", "--scheduler", f"tcp://127.0.0.1:{port}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - start < 10  # refused at once, not after a timeout
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("coprod: error: --scheduler")
    assert f"127.0.0.1:{port}" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


class _NotAScheduler:
    """A TCP server on 127.0.0.1 that answers every connection, but not as Dask does:
    with an HTTP error (``http``), or not at all (``silent``: the client must time out)."""

    def __init__(self, manner: str):
        self.manner, self.server = manner, socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:  # closed
                return
            if self.manner == "http":
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                conn.close()
            else:
                self.held.append(conn)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.mark.parametrize("manner", ["http", pytest.param("silent", marks=pytest.mark.slow)])
def test_a_port_that_is_not_a_scheduler_is_one_line_of_error(manner, tmp_path):
    _write(tmp_path, SMALL)
    server = _NotAScheduler(manner)
    try:
        done = subprocess.run(
            [*COMMAND, "sweep", "spec.toml", "--out", "out", "--scheduler", server.address],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.close()
    line = assert_one_line_error(done.returncode, done.stdout, done.stderr, ["--scheduler"])
    assert f"no Dask scheduler answered at '{server.address}'" in line  # and nothing after it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


@pytest.mark.cluster
def test_a_workers_address_is_one_line_of_error(cluster, tmp_path):
    _write(tmp_path, SMALL)
    worker = next(iter(cluster.client.scheduler_info()["workers"]))
    done = subprocess.run(
        [*COMMAND, "sweep", "spec.toml", "--out", "out", "--scheduler", worker],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_line_error(done.returncode, done.stdout, done.stderr, [worker, "Worker"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


@pytest.mark.cluster
def test_dask_gives_the_local_table(cluster, tmp_path, capsys):
    spec = _write(tmp_path, SMALL)
    local = run_sweep(spec, tmp_path / "local", workers=1, progress=False)
    assert (
        cli.main(
            ["sweep", str(spec), "--out", str(tmp_path / "dask"), "--scheduler", cluster.address]
        )
        == 0
    )
    assert "Dask at" in capsys.readouterr().out
    for name in ("runs.parquet", "timeseries.parquet"):
        mine = pd.read_parquet(tmp_path / "dask" / name)
        pd.testing.assert_frame_equal(
            mine.sort_values(list(mine.columns[:2])).reset_index(drop=True),
            pd.read_parquet(local.out_dir / name),
        )
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["backend"].startswith("Dask at") and manifest["runs"]["ok"] == 12


@pytest.mark.cluster
def test_ctrl_c_stops_a_dask_sweep_and_its_tasks(cluster, tmp_path):
    """Ctrl-C to the sweep's process group: it ends at once, its tasks leave the cluster,
    and its printed --resume command finishes the table."""
    _write(tmp_path, LONGER)
    proc = subprocess.Popen(
        [*COMMAND, "sweep", "spec.toml", "--out", "out", "--scheduler", cluster.address],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if len(list((tmp_path / "out" / "parts").glob("part-*[0-9].arrow"))) >= 2:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        # The timeout bounds the stop against a hang (generous: the machine may be loaded).
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == 130, stderr
    kept, command = assert_interrupted(stdout, stderr)
    assert 0 < kept < 160 and command[-3:] == ["--scheduler", cluster.address, "--resume"]
    deadline = time.monotonic() + 10
    while any(cluster.client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(cluster.client.processing().values()), "tasks left on the cluster"

    done = subprocess.run(
        [*COMMAND, *command[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert f"{160 - kept} made now" in done.stdout
    reference = run_sweep(tmp_path / "spec.toml", tmp_path / "local", workers=1, progress=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out" / "runs.parquet"), reference.read_runs()
    )


@pytest.mark.cluster
def test_a_lost_worker_does_not_lose_or_double_runs(cluster, tmp_path):
    """Runs last in this module: it kills one of the two workers."""
    spec = _write(tmp_path, LONGER)
    outcome: dict = {}

    def sweep():
        try:
            outcome["result"] = run_sweep(
                spec, tmp_path / "dask", scheduler=cluster.address, progress=False
            )
        except BaseException as err:  # reported by the main thread
            outcome["error"] = err

    thread = threading.Thread(target=sweep)
    thread.start()
    pids = cluster.client.run(os.getpid)  # worker address -> process id
    deadline = time.monotonic() + START_TIMEOUT
    busy: list[str] = []
    while len(busy) < 2 and time.monotonic() < deadline and thread.is_alive():
        busy = [w for w, keys in cluster.client.processing().items() if keys]
        time.sleep(0.02)
    assert len(busy) == 2, "both workers should be running chunks"
    victim = next(p for p in cluster.workers if p.pid == pids[busy[1]])
    victim.kill()  # SIGKILL, by the process id we started
    victim.wait(timeout=30)
    thread.join(timeout=180)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert (result.ok, result.failed) == (160, 0)
    table = result.read_runs()
    assert table["run_id"].tolist() == list(range(160))  # every run exactly once
    reference = run_sweep(spec, tmp_path / "local", workers=1, progress=False)
    pd.testing.assert_frame_equal(table, reference.read_runs())
    assert len(cluster.client.nthreads()) == 1
