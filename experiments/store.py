"""A sweep's folder on disk: part files while it runs, one table per kind when done.

Layout of ``DIR``::

    manifest.json           what was run, how, by which versions; checksums when done
    runs.parquet            one row per run (when done): ids, every parameter (policy
                            levers and assumptions), every final metric, status
    timeseries.parquet      one row per run and week from 1 (when done, if the spec asks):
                            each metric's summary so far, then its <name>_week value
    parts/part-000042.arrow        runs of block 42 (while running; Arrow IPC files,
    parts/part-000042.ts.arrow     their weekly series    faster to write and read than Parquet)

Runs are grouped in blocks of ``part_size`` consecutive run_ids; block b holds runs
``b * part_size`` to ``(b + 1) * part_size - 1``. A block is written once all its runs
are done, weekly series first, the runs file last, each to a temporary file that is
flushed to the disk (``os.fsync``), then renamed (``os.replace``; the folder is flushed
too, on POSIX, once after the blocks finished together), so a part file on disk is
always complete, even after a power cut, and a block counts as done exactly when its
runs file exists and holds exactly the block's run_ids. Resuming skips the done
blocks; anything else in ``parts/`` (temporary files, orphaned series, a damaged part)
is removed and its runs are made again. At the end
the parts are streamed in block order into ``runs.parquet`` and ``timeseries.parquet``
(both sorted by run_id, then week; memory stays at one row group of about
ROW_GROUP rows), the manifest records their checksums, and only then are the parts
removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from simulation.metrics import METRIC_NAMES, WEEK_NAMES, running
from simulation.params import EVERY_PARAM

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
RUNS_CSV = "runs.csv"  # runs.parquet as CSV, for spreadsheets and R (coprod analyze --csv)
TIMESERIES = "timeseries.parquet"
PARTS = "parts"
FORMAT = "coprod-sweep"
# 1: runs.parquet has a column per policy lever; 2: also one per assumption
# (simulation.assumptions). The analysis reads both, taking a version-1 sweep's
# assumptions at their defaults (experiments.analysis.load).
FORMAT_VERSION = 2
ID_COLUMNS = ("run_id", "point_id", "replicate", "seed")
ROW_GROUP = 1 << 16  # rows per row group of the final tables
_ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "choice": pa.string()}

PARAMETER_COLUMNS = tuple(p.name for p in EVERY_PARAM)
# Design points whose parameters are turned into Arrow columns at once when blocks are
# written (speed only: the same values; a block's runs are of a few consecutive points).
POINTS_AT_ONCE = 4096
RUNS_SCHEMA = pa.schema(
    [(name, pa.int64()) for name in ID_COLUMNS]
    + [(p.name, _ARROW[p.kind]) for p in EVERY_PARAM]
    + [(name, pa.float64()) for name in METRIC_NAMES]
    + [("status", pa.string()), ("error", pa.string())]
)
_NAMES = RUNS_SCHEMA.names  # (a schema's fields are slow to go through, block after block)
_OTHERS = [RUNS_SCHEMA.field(n) for n in _NAMES if n not in PARAMETER_COLUMNS]
# Per run and week (from 1): each metric's summary so far under its own name (the last
# week's equals the run's row in runs.parquet), then its value that week (``<name>_week``).
TIMESERIES_SCHEMA = pa.schema(
    [("run_id", pa.int64()), ("week", pa.int64())]
    + [(name, pa.float64()) for name in METRIC_NAMES]
    + [(name, pa.float64()) for name in WEEK_NAMES]
)


def schema_json(schema: pa.Schema) -> list[dict[str, str]]:
    """A schema as ``[{"name": ..., "type": ...}]`` for the manifest."""
    return [{"name": f.name, "type": str(f.type)} for f in schema]


# --------------------------------------------------------------------------- atomic files


def _temp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def _sync(path: Path) -> None:
    """Flush the file at ``path`` to the disk (``fsync``): its data is there before any
    rename makes it visible under its final name."""
    fd = os.open(path, os.O_RDWR)  # writable: Windows cannot fsync a read-only handle
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rename(tmp: Path, path: Path, flush_folder: bool = True) -> None:
    """Rename the flushed ``tmp`` to ``path``, then flush the folder (:func:`sync_folder`)
    unless the caller does it once for several files."""
    os.replace(tmp, path)
    if flush_folder:
        sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush ``folder``, so the names renamed into it survive a power cut too (where the
    platform can: not on Windows, whose folders cannot be opened as files)."""
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file, then a rename)."""
    tmp = _temp(path)
    try:
        with tmp.open("w") as fh:
            fh.write(json.dumps(data, indent=2, allow_nan=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        _rename(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_part(table: pa.Table, path: Path, flush_folder: bool = True) -> None:
    """Write ``table`` as an Arrow IPC file to ``path`` atomically (the folder flushed
    after, unless the caller flushes it once for several parts)."""
    tmp = _temp(path)
    try:
        with ipc.new_file(tmp, table.schema) as writer:
            writer.write_table(table)
        _sync(tmp)
        _rename(tmp, path, flush_folder)
    finally:
        tmp.unlink(missing_ok=True)


def read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """The table in an Arrow IPC part file (read into memory: parts are small)."""
    with pa.OSFile(str(path)) as source:
        table = ipc.open_file(source).read_all()
    return table.select(columns) if columns else table


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FolderLock:
    """An exclusive lock on a sweep folder while a sweep works in it (POSIX ``flock``).

    The lock is on the folder itself, so no file is left behind, and the system drops
    it when the process ends, however it ends. Where ``fcntl`` is missing it does nothing.
    """

    def __init__(self, out: Path):
        self.out, self.fd = out, None

    def acquire(self) -> bool:
        """Take the lock; False when another process holds it."""
        try:
            import fcntl  # POSIX only
        except ImportError:
            return True
        self.fd = os.open(self.out, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.release()
            return False
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def read_manifest(out: Path, kind: str = FORMAT) -> dict[str, Any] | None:
    """The manifest in ``out`` if it is of ``kind`` (a sweep's by default; ``coprod
    robustness`` writes its own); None when there is none or it is another kind."""
    try:
        data = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == kind else None


# --------------------------------------------------------------------------- blocks


class Blocks:
    """The runs of a spec cut into blocks of ``part_size``, and their part files."""

    def __init__(self, spec, out: Path, part_size: int):
        self.spec, self.out, self.size = spec, out, part_size
        self.parts = out / PARTS
        self.count = -(-spec.n_runs // part_size)
        self._points: tuple[int, int, pa.Table] | None = None  # see _parameters

    def span(self, block: int) -> range:
        return range(block * self.size, min((block + 1) * self.size, self.spec.n_runs))

    def of(self, run_id: int) -> int:
        return run_id // self.size

    def path(self, block: int, series: bool = False) -> Path:
        return self.parts / f"part-{block:06d}{'.ts' if series else ''}.arrow"

    def done(self, tidy: bool = True) -> set[int]:
        """Blocks whose part files are complete; with ``tidy``, removes every other file
        in ``parts/`` (only for the sweep that holds the folder's lock)."""
        if not self.parts.is_dir():
            return set()
        done, keep = set(), set()
        for block in range(self.count):
            runs, series = self.path(block), self.path(block, series=True)
            if runs.exists() and self._complete(block, runs, series):
                done.add(block)
                keep |= {runs.name, series.name}
        if tidy:
            for stray in self.parts.iterdir():
                if stray.name not in keep:
                    remove(stray)
        return done

    def runs_in(self, blocks: set[int]) -> int:
        """How many runs ``blocks`` hold."""
        return sum(len(self.span(b)) for b in blocks)

    def _complete(self, block: int, runs: Path, series: Path) -> bool:
        span = self.span(block)
        try:
            table = read_part(runs)
            if table.schema != RUNS_SCHEMA or not np.array_equal(
                table.column("run_id").to_numpy(), np.array(span)
            ):
                return False
            if self.spec.timeseries:  # a failed run has no weekly series
                ok = [
                    r
                    for r, s in zip(span, table.column("status").to_pylist(), strict=False)
                    if s == "ok"
                ]
                weeks = sum(self.spec.point_params(r // self.spec.replicates)["weeks"] for r in ok)
                frame = read_part(series)
                return frame.schema == TIMESERIES_SCHEMA and frame.num_rows == weeks
        except (OSError, pa.ArrowException):
            return False
        return True

    def write(self, block: int, results: dict[int, tuple]) -> None:
        """Write block ``block`` from ``results``: run_id -> (error, metrics, series)."""
        self.write_blocks({block: results})

    def write_blocks(self, blocks: dict[int, dict[int, tuple]]) -> None:
        """Write each block of ``blocks`` (block -> its results, run_id -> (error, metrics,
        series)), in ascending order. The runs of all are put in one table, each block's
        part a slice of it (the per-table work once, not once per block), and the folder
        is flushed once, after the last (a power cut before then loses these parts, which
        resuming makes again)."""
        if not blocks:
            return
        self.parts.mkdir(exist_ok=True)
        order = sorted(blocks)
        spans = [self.span(b) for b in order]
        results = {run_id: got for b in order for run_id, got in blocks[b].items()}
        runs = self._runs([r for span in spans for r in span], results)
        at = 0
        for block, span in zip(order, spans, strict=True):
            if self.spec.timeseries:
                write_part(self._series(span, results), self.path(block, True), False)
            write_part(runs.slice(at, len(span)), self.path(block), False)
            at += len(span)
        sync_folder(self.parts)

    def _runs(self, run_ids: list[int], results: dict[int, tuple]) -> pa.Table:
        spec = self.spec
        ids = np.array(run_ids, dtype=np.int64)
        points = ids // spec.replicates
        # (metrics, runs): each metric's column contiguous, which Arrow takes without a
        # copy (a strided column costs it ten times as much).
        metrics = np.full((len(METRIC_NAMES), len(ids)), np.nan)
        errors = []
        for i, run_id in enumerate(run_ids):
            error, values, _ = results[run_id]
            errors.append(error or "")
            if values is not None:
                metrics[:, i] = values
        # (each run's seed: spec.seeds() would copy every run's, block after block)
        seeds = np.fromiter((spec.run_seed(r) for r in run_ids), np.int64, len(run_ids))
        columns = [ids, points, ids % spec.replicates, seeds, *metrics]
        columns += [["failed" if e else "ok" for e in errors], errors]
        by_name = {f.name: pa.array(c, type=f.type) for c, f in zip(columns, _OTHERS, strict=True)}
        by_name.update(zip(PARAMETER_COLUMNS, self._parameters(points).columns, strict=True))
        return pa.Table.from_arrays([by_name[name] for name in _NAMES], schema=RUNS_SCHEMA)

    def _parameters(self, points: np.ndarray) -> pa.Table:
        """Every parameter's value for each run of design points ``points`` (ascending),
        taken from a table of up to POINTS_AT_ONCE consecutive design points, made once
        (one Arrow conversion per parameter, not per parameter and block)."""
        first, stop = int(points[0]), int(points[-1]) + 1
        if self._points is None or not self._points[0] <= first < stop <= self._points[1]:
            end = min(self.spec.n_points, max(stop, first + POINTS_AT_ONCE))
            rows = [self.spec.point_params(q) for q in range(first, end)]
            table = pa.Table.from_arrays(
                [pa.array([row[p.name] for row in rows], type=_ARROW[p.kind]) for p in EVERY_PARAM],
                names=list(PARAMETER_COLUMNS),
            )
            self._points = (first, end, table)
        return self._points[2].take(pa.array(points - self._points[0]))

    @staticmethod
    def _series(span: range, results: dict[int, tuple]) -> pa.Table:
        blocks = [(run_id, results[run_id][2]) for run_id in span]
        blocks = [(r, s) for r, s in blocks if s is not None and len(s)]
        if not blocks:
            return TIMESERIES_SCHEMA.empty_table()
        run_id = np.concatenate([np.full(len(s), r, dtype=np.int64) for r, s in blocks])
        week = np.concatenate([np.arange(1, len(s) + 1, dtype=np.int64) for _, s in blocks])
        summaries = np.concatenate([running(s) for _, s in blocks]).T
        values = np.concatenate([s for _, s in blocks]).T
        return pa.Table.from_arrays([run_id, week, *summaries, *values], schema=TIMESERIES_SCHEMA)

    def consolidate(self) -> dict[str, Path]:
        """Stream the parts, in block order, into the final tables (atomically)."""
        files = {RUNS: (RUNS_SCHEMA, False)}
        if self.spec.timeseries:
            files[TIMESERIES] = (TIMESERIES_SCHEMA, True)
        written = {}
        for name, (schema, series) in files.items():
            target = self.out / name
            tmp = _temp(target)
            try:
                with pq.ParquetWriter(tmp, schema) as writer:
                    buffer, rows = [], 0
                    for block in range(self.count):
                        buffer.append(read_part(self.path(block, series)))
                        rows += buffer[-1].num_rows
                        if rows >= ROW_GROUP or block == self.count - 1:
                            writer.write_table(
                                pa.concat_tables(buffer), row_group_size=max(rows, 1)
                            )
                            buffer, rows = [], 0
                _sync(tmp)
                _rename(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            written[name] = target
        return written

    def remove_parts(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)


def remove(path: Path) -> None:
    """Remove a file or a folder with everything in it."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def default_part_size(n_runs: int) -> int:
    """Runs per part file: about 32 parts, each of 8 to 256 runs."""
    return min(256, max(8, -(-n_runs // 32)))
