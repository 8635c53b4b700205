"""A sweep's ``manifest.json``: what was run, by which code, and whether it is done.

It is written when a sweep starts (``status = "running"``) and again when it ends
(``"complete"``, with run counts and a sha256 of each result file). Its
``fingerprint`` (sha256 of the canonical parsed spec) tells whether a folder holds
the same sweep as a spec, which is what ``--resume`` checks. Keys::

    format, format_version      "coprod-sweep", 2 (experiments.store.FORMAT_VERSION)
    status                      "running" | "complete"
    fingerprint                 sha256 of Spec.canonical()
    model_fingerprint           sha256 of the model's source (simulation/*.py): a sweep is
                                only resumed, or reported, by the code that started it
    spec                        Spec.canonical() + source (path) + text (the raw TOML)
    design                      Spec.summary() (design, varied, factors with bounds or
                                values, n_points, replicates, n_runs, seed, salib_problem,
                                samples, num_levels, calc_second_order) + part_size
    schema                      {"runs": [{name, type}], "timeseries": [...] or null}
    versions                    coprod, mesa, numpy, scipy, pandas, pyarrow, SALib, python
    git_commit, git_dirty       of the project folder (null when not a git checkout)
    started, finished           ISO 8601 UTC (started: first session)
    sessions                    [{started, backend}], one per run_sweep call that ran
    backend                     the last session's backend
    runs                        {"total", "ok", "failed"} (ok/failed null until complete)
    files                       {"runs.parquet": {"sha256", "bytes"}, ...} when complete
"""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import simulation
from experiments import store
from experiments.design import Spec

PROJECT_DIR = Path(__file__).resolve().parents[1]
_PACKAGES = ("coprod", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib")


class FolderError(ValueError):
    """An output folder that cannot take the sweep (one line, naming ``--out``)."""


def inspect_out(out: Path, spec: Spec, resume: bool) -> tuple[str, dict | None]:
    """What ``out`` holds: ("new", None), ("resume", manifest) or ("complete", manifest).

    Raises FolderError when the sweep cannot go there: a file, a folder holding
    other things, a different sweep, or this sweep without ``resume``.
    """
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            what = "is a file" if parent == out else f"is inside '{parent}', which is a file"
            raise FolderError(f"--out: expected a folder, but '{out}' {what}")
    if not out.exists() or not any(out.iterdir()):
        return "new", None
    manifest = store.read_manifest(out)
    if manifest is None:
        raise FolderError(
            f"--out: '{out}' holds other files, not a sweep; choose a new or empty folder"
        )
    name = manifest.get("spec", {}).get("name", "?")
    if manifest.get("fingerprint") != spec.fingerprint():
        raise FolderError(
            f"--out: '{out}' holds a different sweep ('{name}', fingerprint "
            f"{str(manifest.get('fingerprint'))[:12]}) than this spec ('{spec.name}', "
            f"fingerprint {spec.fingerprint()[:12]}); choose another folder"
        )
    complete = manifest.get("status") == "complete"
    if manifest.get("model_fingerprint") != model_fingerprint():
        raise FolderError(
            f"--out: '{out}' holds a sweep of this spec made by other model code "
            "(simulation/*.py changed since); new runs would not match it: remove "
            "the folder or choose another"
        )
    if not resume:
        what = "a complete sweep" if complete else "an unfinished sweep"
        raise FolderError(
            f"--out: '{out}' already holds {what} of this spec ('{name}'); add "
            "--resume to finish it (or to report it), or choose another folder"
        )
    if complete:
        for file, entry in manifest.get("files", {}).items():
            path = out / file
            if not path.is_file() or store.sha256(path) != entry.get("sha256"):
                raise FolderError(
                    f"--out: '{path}' is missing or does not match its checksum in "
                    f"the manifest; remove '{out}' to run the sweep again"
                )
        return "complete", manifest
    return "resume", manifest


def begin(
    out: Path, spec: Spec, previous: dict | None, backend: str
) -> tuple[dict[str, Any], store.FolderLock]:
    """Create and lock ``out``, and write the manifest of a starting (or resumed) sweep.

    Returns the manifest and the lock (release it when done). A folder that cannot be
    written or is in use raises FolderError, leaving nothing behind.
    """
    now = _now()
    if previous is not None:
        lock = _lock(out)
        record = dict(previous)
        record["sessions"] = [*record.get("sessions", []), {"started": now, "backend": backend}]
        record["backend"] = backend
        try:
            store.write_json(out / store.MANIFEST, record)
        except BaseException:
            lock.release()
            raise
        return record, lock
    created = next((p for p in reversed((out, *out.parents)) if not p.exists()), None)
    commit, dirty = _git()
    record = {
        "format": store.FORMAT,
        "format_version": store.FORMAT_VERSION,
        "status": "running",
        "fingerprint": spec.fingerprint(),
        "model_fingerprint": model_fingerprint(),
        "spec": {**spec.canonical(), "source": spec.source, "text": spec.text},
        "design": {**spec.summary(), "part_size": store.default_part_size(spec.n_runs)},
        "schema": {
            "runs": store.schema_json(store.RUNS_SCHEMA),
            "timeseries": (store.schema_json(store.TIMESERIES_SCHEMA) if spec.timeseries else None),
        },
        "versions": _versions(),
        "git_commit": commit,
        "git_dirty": dirty,
        "started": now,
        "finished": None,
        "sessions": [{"started": now, "backend": backend}],
        "backend": backend,
        "runs": {"total": spec.n_runs, "ok": None, "failed": None},
        "files": {},
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FolderError(f"--out: cannot create '{out}': {err.strerror or err}") from None
    lock = _lock(out)
    try:
        store.write_json(out / store.MANIFEST, record)
    except OSError as err:
        lock.release()
        if created is not None:
            store.remove(created)
        raise FolderError(f"--out: cannot write to '{out}': {err.strerror or err}") from None
    return record, lock


def _lock(out: Path) -> store.FolderLock:
    lock = store.FolderLock(out)
    if not lock.acquire():
        raise FolderError(f"--out: '{out}' is in use by another coprod sweep; wait for it to end")
    return lock


def finish(out: Path, record: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    """Record the end: status complete, run counts, checksums of the result files."""
    import pyarrow.compute as pc  # 75 ms to import, for the end of a sweep only

    status = pq.read_table(out / store.RUNS, columns=["status"]).column(0)
    failed = int(pc.sum(pc.equal(status, "failed")).as_py() or 0)
    record = {
        **record,
        "status": "complete",
        "finished": _now(),
        "runs": {"total": len(status), "ok": len(status) - failed, "failed": failed},
        "files": {
            name: {"sha256": store.sha256(path), "bytes": path.stat().st_size}
            for name, path in files.items()
        },
    }
    store.write_json(out / store.MANIFEST, record)
    return record


def model_fingerprint() -> str:
    """sha256 of the model's source files (``simulation/*.py``, by name and content)."""
    digest = hashlib.sha256()
    for path in sorted(Path(simulation.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str | None]:
    return dict(_installed())


@functools.cache  # read once a process (30 ms of every sweep otherwise)
def _installed() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    out["python"] = platform.python_version()
    return out


def _git() -> tuple[str | None, bool | None]:
    """(commit, has uncommitted changes) of the project folder; (None, None) without git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=5
        )
        if head.returncode != 0:
            return None, None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=5,
        )
        dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
        return head.stdout.strip() or None, dirty
    except (OSError, subprocess.SubprocessError):
        return None, None
