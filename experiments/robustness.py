"""Where each of the patterns holds across the model's assumptions.

    coprod robustness [--samples N] [--seeds K] [--weeks W] [--design lhs|morris]
                      [--only PATTERN ...] [--out DIR] [--workers N] [--scheduler ADDRESS]
                      [--batch N] [--resume] [--force]

From Python, :func:`run_robustness` does the same.

What it does. It draws N points from the plausible ranges of the assumptions
(``simulation.params.ASSUMPTIONS``; a Latin hypercube, or N Morris trajectories of
D + 1 points each, through :mod:`experiments.design` with the fixed seed
:data:`DESIGN_SEED`, so a rerun draws the same points; whole-number assumptions are
rounded). At each point it runs every scenario of the selected patterns
(:mod:`experiments.patterns`, the definition the tests use) on seeds 0..K-1, with the
point's assumption values under every scenario; a scenario two patterns share (after
its values are completed with the defaults) runs once. Then it tests each pattern
there exactly as ``tests/test_patterns.py`` does, with K seeds instead of 20.

Where the runs are made is the sweep's machinery (:mod:`experiments.sweep`,
:mod:`experiments.backends`): in this process, on local processes (``--workers``), or
on a Dask cluster (``--scheduler``), in chunks sized from the measured time per run
(or of ``--batch N`` runs), each chunk's runs made side by side in one vectorised batch.
The runs of a point are one block: written to ``DIR/parts/`` atomically when all are
done, so a stopped run (Ctrl-C: exit 130, SIGTERM: 143, with one line saying how to go
on; kill -9; a lost worker) is finished by ``--resume`` with the same numbers.

What it writes in ``DIR``:

- ``robustness.parquet``: one row per point and pattern: ``point``, ``pattern``,
  ``holds``, ``effect``, ``p_value``, then every assumption's value (in the registry's
  order; one without a range to vary keeps its default);
- ``runs.parquet``: one row per run made: point, run, scenario, seed, status, error
  and the statistics the patterns read (for re-analysis);
- ``checks.parquet``: one row per point, pattern and check (numbered from 1 in the
  pattern's order): passed, p_value, effect, and for a contrast its two means;
- ``manifest.json``: the command, design, ranges, seeds, versions, checksums of the
  three tables;
- ``report.md`` and ``figures/`` (:mod:`experiments.analysis.robustness_report`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from experiments import backends, store, sweep
from experiments import manifest as mf
from experiments.patterns import (
    ALPHA,
    PATTERNS,
    Pattern,
    Scenario,
    evaluate_data,
    find_pattern,
    needs_history,
    scenario_params,
    statistic_value,
)
from simulation.metrics import METRIC_NAMES
from simulation.params import ParamError, lookup, validate
from simulation.text import did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from experiments.design import Spec
    from simulation.schema import Param

# pandas, pyarrow's writers, SALib and the model are imported inside the functions that
# use them: `coprod --help` and bad input need not wait for them.

DESIGNS = ("lhs", "morris")
DESIGN_SEED = 20260901  # the design's own randomness: the same points on every rerun
MORRIS_LEVELS = 4
DEFAULT_SAMPLES, DEFAULT_SEEDS, DEFAULT_OUT = 64, 10, Path("results") / "robustness"
MIN_SEEDS = 7  # below this the one-sided Wilcoxon p cannot fall below 0.01 (1/2**6 > 0.01)
FORMAT, FORMAT_VERSION = "coprod-robustness", 1
RESULTS, RUNS, REPORT, FIGURES = "robustness.parquet", "runs.parquet", "report.md", "figures"
CHECKS = "checks.parquet"
MANIFEST, PARTS = store.MANIFEST, store.PARTS
OWN_FILES = (MANIFEST, PARTS, RESULTS, RUNS, CHECKS, REPORT, FIGURES)


class RobustnessError(sweep.SweepError):
    """Bad input to ``coprod robustness`` (one line; exit status 2, nothing written)."""


def default_assumptions() -> tuple[Param, ...]:
    """The assumptions registry (``simulation.params.ASSUMPTIONS``; empty before it exists)."""
    from simulation import params  # the registry, read when asked, not at import

    return tuple(getattr(params, "ASSUMPTIONS", ()))


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    """What a robustness run does: the design over the assumptions, the seeds, the weeks
    and the patterns. ``spec`` is the design as a sweep spec (:mod:`experiments.design`)."""

    patterns: tuple[Pattern, ...]
    assumptions: tuple[Param, ...]
    samples: int
    seeds: tuple[int, ...]
    weeks: int
    design: str
    spec: Spec

    @property
    def varied(self) -> list[str]:
        return self.spec.varied

    @property
    def n_points(self) -> int:
        return self.spec.n_points

    def point_values(self, point: int) -> dict[str, Any]:
        """The varied assumptions' values at design point ``point``."""
        values = self.spec.point_params(point)
        return {name: values[name] for name in self.varied}

    def canonical(self) -> dict[str, Any]:
        """The plan as plain JSON data: what its fingerprint covers."""
        return {
            "design": self.design,
            "samples": self.samples,
            "levels": self.spec.levels,
            "design_seed": self.spec.seed,
            "seeds": list(self.seeds),
            "weeks": self.weeks,
            "patterns": [p.number for p in self.patterns],
            "definitions": [repr(p) for p in self.patterns],
            "ranges": ranges(self.assumptions, self.varied),
        }

    def fingerprint(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def ranges(assumptions: tuple[Param, ...], varied: list[str]) -> dict[str, dict[str, Any]]:
    """Each assumption's range, default, kind, unit and basis, and whether it is varied."""
    return {
        p.name: {
            "kind": p.kind,
            "default": p.default,
            "low": p.low,
            "high": p.high,
            "choices": list(p.choices),
            "unit": p.unit,
            "basis": p.basis,
            "varied": p.name in varied,
        }
        for p in assumptions
    }


def make_plan(
    samples: int = DEFAULT_SAMPLES,
    seeds: int = DEFAULT_SEEDS,
    weeks: int = int(lookup("weeks").default),
    design: str = "lhs",
    only: list[str] | tuple[str, ...] = (),
    assumptions: tuple[Param, ...] | None = None,
) -> Plan:
    """Check the input and build the plan; RobustnessError (one line) when it cannot run."""
    if design not in DESIGNS:
        raise RobustnessError(
            f"--design: expected one of {', '.join(DESIGNS)}, got '{design}'"
            + did_you_mean(design, DESIGNS)
        )
    least = 2 if design == "morris" else 1
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < least:
        raise RobustnessError(
            f"--samples: expected a whole number {least} or more for {design}, got {samples!r}"
        )
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise RobustnessError(f"--seeds: expected a whole number 1 or more, got {seeds!r}")
    try:
        weeks = lookup("weeks").coerce(weeks)
    except ParamError as err:
        raise RobustnessError(f"--weeks: {err}") from None
    patterns = select_patterns(only)
    assumptions = default_assumptions() if assumptions is None else tuple(assumptions)
    spec = design_spec(assumptions, design, samples)
    return Plan(patterns, assumptions, samples, tuple(range(seeds)), weeks, design, spec)


def select_patterns(only) -> tuple[Pattern, ...]:
    """The patterns named in ``only`` (numbers or names), in order; all when empty."""
    if not only:
        return PATTERNS
    chosen = []
    for text in only:
        try:
            chosen.append(find_pattern(text))
        except KeyError:
            names = [p.name for p in PATTERNS]
            raise RobustnessError(
                f"--only: unknown pattern '{text}'{did_you_mean(str(text).lower(), names)}; "
                f"known: 1 to {len(PATTERNS)}, or {', '.join(names)}"
            ) from None
    return tuple(sorted(set(chosen), key=lambda p: p.number))


def design_spec(assumptions: tuple[Param, ...], design: str, samples: int) -> Spec:
    """The design as a sweep spec: every assumption varied over its range (a number) or
    its values (true/false, a choice); one whose range is a single value stays fixed."""
    # the design's module loads the sweep-spec machinery; only a run needs it
    from experiments.design import SpecError, parse_spec

    vary: dict[str, Any] = {}
    for p in assumptions:
        if p.kind == "bool":
            vary[p.name] = [False, True]
        elif p.kind == "choice":
            vary[p.name] = list(p.choices)
        elif p.low is not None and p.high is not None and p.low < p.high:
            vary[p.name] = {"min": p.low, "max": p.high}
    if not vary:
        raise RobustnessError("no assumption has a range to vary (simulation.params.ASSUMPTIONS)")
    settings: dict[str, Any] = {"name": "robustness", "design": design, "samples": samples}
    settings["seed"] = DESIGN_SEED
    if design == "morris":
        settings["levels"] = MORRIS_LEVELS
    try:
        return parse_spec({"sweep": settings, "vary": vary}, default_name="robustness")
    except SpecError as err:
        raise RobustnessError(f"the design over the assumptions: {err}") from None


# --------------------------------------------------------------------------- the runs


class Runs:
    """Every run of a plan, numbered point by point: at point p, each distinct scenario
    (its values completed with the defaults), then each seed.

    It has the shape :func:`experiments.sweep._execute` expects of a spec (``n_runs``,
    ``replicates = 1``, ``run_seed``, ``point_params``, ``timeseries``) and of its blocks
    (``span``, ``of``, ``runs_in``, ``write_blocks``): block p holds point p's runs, written to
    ``parts/part-<p>.arrow`` when all are done.
    """

    replicates = 1
    name = "robustness"

    def __init__(self, plan: Plan, out: Path):
        self.plan, self.out, self.parts = plan, out, out / PARTS
        self.statistics = sorted({st for p in plan.patterns for _, st in p.needs})
        self.timeseries = any(needs_history(st) for st in self.statistics)
        self.runs: list[list[dict[str, Any]]] = []  # per point: each distinct run's params
        self.where: list[dict[Scenario, int]] = []  # per point: scenario -> its run
        self.labels: list[list[str]] = []  # per point: each distinct run's scenario, in words
        for point in range(plan.n_points):
            self._add_point(plan.point_values(point))
        k = len(plan.seeds)
        sizes = [len(r) * k for r in self.runs]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.n_runs = int(self.starts[-1])
        self.count = plan.n_points

    def _add_point(self, base: dict[str, Any]) -> None:
        distinct: dict[tuple, int] = {}
        where: dict[Scenario, int] = {}
        labels: list[str] = []
        for pattern in self.plan.patterns:
            for s in pattern.scenarios:
                try:
                    full = validate(scenario_params(s, base, self.plan.weeks))
                except ParamError as err:
                    raise RobustnessError(f"pattern {pattern.number}: {err}") from None
                key = tuple(sorted(full.items()))
                if key not in distinct:
                    distinct[key] = len(distinct)
                    labels.append(", ".join(f"{k}={v}" for k, v in s) or "defaults")
                where[s] = distinct[key]
        self.runs.append([dict(key) for key in distinct])
        self.where.append(where)
        self.labels.append(labels)

    # as a spec
    def _locate(self, run_id: int) -> tuple[int, int, int]:
        point = self.of(run_id)
        run, seed = divmod(run_id - int(self.starts[point]), len(self.plan.seeds))
        return point, run, seed

    def run_seed(self, run_id: int) -> int:
        return self.plan.seeds[self._locate(run_id)[2]]

    def point_params(self, run_id: int) -> dict[str, Any]:
        point, run, _ = self._locate(run_id)
        return self.runs[point][run]

    # as blocks
    def span(self, block: int) -> range:
        return range(int(self.starts[block]), int(self.starts[block + 1]))

    def of(self, run_id: int) -> int:
        return int(np.searchsorted(self.starts, run_id, side="right") - 1)

    def runs_in(self, blocks) -> int:
        return sum(len(self.span(b)) for b in blocks)

    def path(self, block: int) -> Path:
        return self.parts / f"part-{block:06d}.arrow"

    def write(self, block: int, results: dict[int, tuple]) -> None:
        """Write point ``block``'s runs: run_id -> (error, metrics, weekly series)."""
        self.write_blocks({block: results})

    def write_blocks(self, blocks: dict[int, dict[int, tuple]]) -> None:
        """Write each point of ``blocks`` (as :meth:`write`), the folder flushed once after."""
        self.parts.mkdir(exist_ok=True)
        for block in sorted(blocks):
            store.write_part(self._table(block, blocks[block]), self.path(block), False)
        if blocks:
            store.sync_folder(self.parts)

    def _table(self, block: int, results: dict[int, tuple]):
        import pyarrow as pa  # already loaded by experiments.store

        k = len(self.plan.seeds)
        rows: dict[str, list] = {c: [] for c in ("point", "run", "scenario", "seed", "error")}
        stats: dict[str, list[float]] = {st: [] for st in self.statistics}
        for run_id in self.span(block):
            error, values, series = results[run_id]
            run = (run_id - int(self.starts[block])) // k
            rows["point"].append(block)
            rows["run"].append(run)
            rows["scenario"].append(self.labels[block][run])
            rows["seed"].append(self.run_seed(run_id))
            rows["error"].append(error or "")
            final = dict(zip(METRIC_NAMES, values, strict=True)) if values is not None else None
            for st in self.statistics:
                ok = final is not None
                stats[st].append(statistic_value(st, final, series) if ok else np.nan)
        return pa.table(
            {**rows, "status": ["failed" if e else "ok" for e in rows["error"]], **stats}
        )

    def done(self, tidy: bool = True) -> set[int]:
        """Points whose part file is complete; with ``tidy``, anything else in parts/ goes."""
        import pyarrow as pa  # already loaded by experiments.store

        if not self.parts.is_dir():
            return set()
        done, keep = set(), set()
        for block in range(self.count):
            path = self.path(block)
            try:
                table = store.read_part(path) if path.exists() else None
            except (OSError, pa.ArrowException):
                table = None
            if (
                table is not None
                and table.num_rows == len(self.span(block))
                and set(table.column("point").to_pylist()) == {block}
            ):
                done.add(block)
                keep.add(path.name)
        if tidy:
            for stray in self.parts.iterdir():
                if stray.name not in keep:
                    store.remove(stray)
        return done

    def read(self) -> pd.DataFrame:
        """Every run's row, from the part files, in run order."""
        import pyarrow as pa  # already loaded by experiments.store

        return pa.concat_tables(
            store.read_part(self.path(b)) for b in range(self.count)
        ).to_pandas()


# --------------------------------------------------------------------------- the patterns


def evaluate_points(plan: Plan, runs: Runs, table: pd.DataFrame) -> tuple[pd.DataFrame, ...]:
    """Test every pattern at every point: (one row per point and pattern: point, pattern,
    holds, effect, p_value, every assumption; one row per point, pattern and check)."""
    import pandas as pd  # heavy; loaded when a run ends

    k = len(plan.seeds)
    columns = {st: table[st].to_numpy(dtype=float) for st in runs.statistics}
    fixed = {p.name: p.default for p in plan.assumptions}  # those without a range stay here
    rows, checks = [], []
    for point in range(plan.n_points):
        values = {**fixed, **plan.point_values(point)}
        for pattern in plan.patterns:
            data = {}
            for s, st in pattern.needs:
                start = int(runs.starts[point]) + runs.where[point][s] * k
                data[(s, st)] = columns[st][start : start + k]
            found = evaluate_data(pattern, data)
            head = {"point": point, "pattern": pattern.number}
            rows.append(
                {
                    **head,
                    "holds": bool(found.holds),
                    "effect": float(found.effect),
                    "p_value": float(found.p_value),
                    **values,
                }
            )
            checks += [
                {
                    **head,
                    "check": i,
                    "passed": o.passed,
                    "p_value": o.p_value,
                    "effect": o.effect,
                    "low_mean": o.low_mean,
                    "high_mean": o.high_mean,
                }
                for i, o in enumerate(found.outcomes, start=1)
            ]
    types = {"point": "int64", "pattern": "int64"}
    results = pd.DataFrame(rows).astype({**types, "holds": "bool"})
    return results, pd.DataFrame(checks).astype({**types, "check": "int64", "passed": "bool"})


# --------------------------------------------------------------------------- the folder


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The robustness manifest in ``out``; None when there is none or it is another kind."""
    return store.read_manifest(out, FORMAT)


def inspect_out(out: Path, plan: Plan, resume: bool, force: bool) -> tuple[str, dict | None]:
    """What ``out`` holds for ``plan``: ("new", None), ("resume", manifest) or
    ("complete", manifest); RobustnessError when the run cannot go there."""
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            what = "is a file" if parent == out else f"is inside '{parent}', which is a file"
            raise RobustnessError(f"--out: expected a folder, but '{out}' {what}")
    if not out.exists() or not any(out.iterdir()):
        return "new", None
    manifest = read_manifest(out)
    if force:
        return "new", None
    if manifest is None:
        raise RobustnessError(
            f"--out: '{out}' is not empty and holds no robustness run; choose a new or "
            "empty folder, or add --force to write there"
        )
    if manifest.get("fingerprint") != plan.fingerprint():
        raise RobustnessError(
            f"--out: '{out}' holds a different robustness run (other samples, seeds, weeks, "
            "design, patterns or ranges); choose another folder, or add --force to replace it"
        )
    if manifest.get("model_fingerprint") != mf.model_fingerprint():
        raise RobustnessError(
            f"--out: '{out}' holds this robustness run made by other model code "
            "(simulation/*.py changed since); add --force to start it again"
        )
    complete = manifest.get("status") == "complete"
    for name, entry in manifest.get("files", {}).items():
        if not (out / name).is_file() or store.sha256(out / name) != entry.get("sha256"):
            raise RobustnessError(
                f"--out: '{out / name}' is missing or does not match its checksum in the "
                "manifest; add --force to start again"
            )
    if not resume:
        what = "a complete" if complete else "an unfinished"
        raise RobustnessError(
            f"--out: '{out}' already holds {what} robustness run of these settings; add "
            "--resume to finish (or report) it, or --force to start again"
        )
    return ("complete" if complete else "resume"), manifest


def begin(
    out: Path, plan: Plan, runs: Runs, previous: dict | None, backend: str, command: str
) -> tuple[dict[str, Any], store.FolderLock]:
    """Create and lock ``out``, clear an earlier run's files (a new start), write the
    manifest. Returns it and the lock (release it when done)."""
    now = mf._now()
    if previous is None:
        commit, dirty = mf._git()
        record = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "status": "running",
            "command": command,
            "fingerprint": plan.fingerprint(),
            "model_fingerprint": mf.model_fingerprint(),
            "plan": plan.canonical(),
            "design": {**plan.spec.summary(), "sample_seed": plan.spec.seed},
            "versions": mf._versions(),
            "git_commit": commit,
            "git_dirty": dirty,
            "started": now,
            "finished": None,
            "sessions": [],
            "runs": {"total": runs.n_runs, "per_point": [len(r) for r in runs.runs]},
            "files": {},
        }
    else:
        record = dict(previous)
    record["sessions"] = [*record.get("sessions", []), {"started": now, "backend": backend}]
    record["backend"] = backend
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RobustnessError(f"--out: cannot create '{out}': {err.strerror or err}") from None
    lock = store.FolderLock(out)
    if not lock.acquire():
        raise RobustnessError(f"--out: '{out}' is in use by another coprod run; wait for it")
    try:
        if previous is None:
            for name in OWN_FILES:
                store.remove(out / name)
        store.write_json(out / MANIFEST, record)
    except OSError as err:
        lock.release()
        raise RobustnessError(f"--out: cannot write to '{out}': {err.strerror or err}") from None
    return record, lock


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` to ``path`` atomically (a temporary file, then a rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def finish(out: Path, plan: Plan, runs: Runs, record: dict[str, Any]) -> pd.DataFrame:
    """Test the patterns at every point, write the tables, the report and the manifest."""
    # matplotlib and scikit-learn: only for the report at the end
    from experiments.analysis.robustness_report import write_report

    table = runs.read()
    results, checks = evaluate_points(plan, runs, table)
    _write_parquet(table, out / RUNS)
    _write_parquet(checks, out / CHECKS)
    _write_parquet(results, out / RESULTS)
    failed = int((table["status"] == "failed").sum())
    record = {**record, "runs": {**record["runs"], "ok": len(table) - failed, "failed": failed}}
    write_report(out, results, record, checks)
    record["status"], record["finished"] = "complete", mf._now()
    record["files"] = {  # the data; the report can be written again from them
        name: {"sha256": store.sha256(out / name), "bytes": (out / name).stat().st_size}
        for name in (RESULTS, RUNS, CHECKS)
    }
    store.write_json(out / MANIFEST, record)
    return results


# --------------------------------------------------------------------------- the run


@dataclass
class RobustnessResult:
    """What a robustness run produced: the table (one row per point and pattern)."""

    out_dir: Path
    plan: Plan
    table: pd.DataFrame
    n_runs: int
    made: int  # runs made by this call; the others were on disk already
    failed: int
    seconds: float
    backend: str

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        """Per pattern, the share of points where it holds; then counts and where."""
        lines = []
        for pattern in self.plan.patterns:
            held = self.table.loc[self.table["pattern"] == pattern.number, "holds"]
            lines.append(
                f"pattern {pattern.number:>2} holds at {int(held.sum())} of {len(held)} points "
                f"({held.mean():.0%}): {pattern.claim}"
            )
        rate = f", {self.made / self.seconds:.1f} runs/s" if self.made and self.seconds else ""
        lines.append(
            f"robustness: {self.plan.n_points} points x {len(self.plan.patterns)} patterns, "
            f"{self.n_runs} runs ({self.failed} failed); {self.made} made now in "
            f"{self.seconds:.1f} s{rate} on {self.backend}; results in {self.out_dir}"
        )
        return "\n".join(lines)


def run_robustness(
    plan: Plan,
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    command: str = "",
    batch: int | None = None,
) -> RobustnessResult:
    """Run ``plan`` into ``out_dir`` (see the module docstring) and return the result.

    Raises RobustnessError (a SweepError) for bad input before writing anything;
    SweepAborted when the backend fails part-way; SweepInterrupted (a KeyboardInterrupt)
    after Ctrl-C or SIGTERM, with the workers stopped and the finished points kept.
    """
    out = Path(out_dir).expanduser()
    runs = Runs(plan, out)
    sweep._check_batch(batch)
    try:
        return _run(plan, runs, out, workers, scheduler, resume, force, progress, command, batch)
    except KeyboardInterrupt as stop:
        signum = getattr(stop, "signum", 2)
        kept = runs.runs_in(runs.done(tidy=False)) if read_manifest(out) else 0
        raise sweep.SweepInterrupted(signum, kept, runs.n_runs, out) from None


def _run(plan, runs, out, workers, scheduler, resume, force, progress, command, batch=None):
    state, previous = inspect_out(out, plan, resume, force)
    if state == "complete":
        import pandas as pd  # heavy; loaded when a run ends

        table = pd.read_parquet(out / RESULTS)
        failed = previous["runs"].get("failed") or 0
        return RobustnessResult(out, plan, table, runs.n_runs, 0, failed, 0.0, previous["backend"])
    start = time.perf_counter()
    backend = sweep._backend(workers, scheduler)
    try:
        record, lock = begin(out, plan, runs, previous, backend.label, command)
        try:
            done = runs.done()
            todo = [b for b in range(runs.count) if b not in done]
            with sweep._bar(runs, runs.runs_in(done), progress) as bar:
                made = sweep._execute(runs, runs, todo, backend, bar, batch)
            backend.close()
            table = finish(out, plan, runs, record)
            store.remove(runs.parts)
        finally:
            lock.release()
    except backends.BackendError as err:
        raise sweep.SweepAborted(str(err)) from None
    finally:
        backend.close(cancel=True)  # after an error or a stop: at once; else a no-op
    failed = int(read_manifest(out)["runs"]["failed"])
    seconds = time.perf_counter() - start
    return RobustnessResult(out, plan, table, runs.n_runs, made, failed, seconds, backend.label)


# --------------------------------------------------------------------------- command line


def add_parser(commands) -> None:
    """Register ``coprod robustness`` on the ``coprod`` sub-command parsers."""
    parser = commands.add_parser(
        "robustness",
        allow_abbrev=False,
        help="test the patterns across the plausible ranges of the model's assumptions",
        description="Draw points from the assumptions' ranges, test every pattern of "
        "docs/concept.md at each (as tests/test_patterns.py does, with --seeds seeds) and "
        f"write {RESULTS}, {RUNS}, {MANIFEST} and {REPORT} (with {FIGURES}/) to --out. "
        "Exit status: 0 done, 1 some runs failed, 2 bad input, 130 or 143 when stopped "
        "by Ctrl-C or SIGTERM (--resume finishes it).",
    )
    _arguments(parser)
    parser.set_defaults(func=cmd_robustness, prog=parser.prog)


def _arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--samples",
        type=_whole,
        default=DEFAULT_SAMPLES,
        metavar="N",
        help=f"points (lhs) or trajectories of D + 1 points (morris) (default {DEFAULT_SAMPLES})",
    )
    add(
        "--seeds",
        type=_whole,
        default=DEFAULT_SEEDS,
        metavar="K",
        help=f"seeds per scenario, 0..K-1, paired across scenarios (default {DEFAULT_SEEDS}; "
        f"below {MIN_SEEDS} no Wilcoxon test can reach p < {ALPHA})",
    )
    add(
        "--weeks",
        type=_whole,
        default=lookup("weeks").default,
        metavar="W",
        help="weeks per run, unless a pattern's scenario sets its own (default: the model's)",
    )
    add(
        "--design",
        default="lhs",
        metavar="lhs|morris",
        help="Latin hypercube (default) or Morris trajectories",
    )
    add(
        "--only",
        nargs="+",
        default=[],
        metavar="PATTERN",
        help=f"test only these patterns (numbers 1-{len(PATTERNS)} or names: 4 travel-support)",
    )
    add("--out", metavar="DIR", help=f"output folder (default {DEFAULT_OUT})")
    add(
        "--workers",
        type=sweep._workers,
        metavar="N",
        help="local worker processes (default: all cores; 1 runs in-process)",
    )
    add(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT)",
    )
    sweep.add_batch(parser)
    add("--resume", action="store_true", help="finish the run already in --out (or report it)")
    add(
        "--force",
        action="store_true",
        help="start afresh in a folder that is not empty (an earlier run's files are replaced)",
    )


def _whole(text: str) -> int:
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None


def cmd_robustness(args: argparse.Namespace) -> int:
    """``coprod robustness``: 0 done, 1 some runs failed, 2 bad input, 130/143 stopped."""
    if args.out is not None and not args.out.strip():
        raise RobustnessError("--out: expected a directory path, got ''")
    program = args.prog.split()[0]
    out = Path(args.out).expanduser() if args.out is not None else DEFAULT_OUT
    with sweep._Interrupts():
        try:
            plan = make_plan(args.samples, args.seeds, args.weeks, args.design, args.only)
            inspect_out(out, plan, args.resume, args.force)  # bad folder: before any warning
            if len(plan.seeds) < MIN_SEEDS:
                print(
                    f"{program}: warning: with {len(plan.seeds)} seeds the one-sided Wilcoxon "
                    f"test cannot reach p < {ALPHA} (its smallest p is 1/2^{len(plan.seeds)}), "
                    f"so no pattern can hold; use --seeds {MIN_SEEDS} or more",
                    file=sys.stderr,
                )
            result = run_robustness(
                plan,
                out,
                args.workers,
                args.scheduler,
                args.resume,
                args.force,
                command=resume_command(args, out, resume=False),
                batch=args.batch,
            )
        except sweep.SweepAborted as err:
            print(
                f"{program}: error: {err}; the finished points are kept: to finish, run: "
                f"{resume_command(args, out)}",
                file=sys.stderr,
            )
            return 1
        except sweep.SweepInterrupted as stop:
            print(
                f"{program}: {sweep.interrupted(stop, resume_command(args, out))}", file=sys.stderr
            )
            return stop.exit_code
    print(result.summary())
    return result.exit_code


def resume_command(args: argparse.Namespace, out: Path, resume: bool = True) -> str:
    """The command line of ``args`` (quoted for a POSIX shell), with --resume by default."""
    words = [*args.prog.split(), "--samples", str(args.samples), "--seeds", str(args.seeds)]
    words += ["--weeks", str(args.weeks), "--design", args.design]
    if args.only:
        words += ["--only", *args.only]
    words += ["--out", str(out)]
    if args.scheduler is not None:
        words += ["--scheduler", args.scheduler]
    elif args.workers is not None:
        words += ["--workers", str(args.workers)]
    if getattr(args, "batch", None) is not None:
        words += ["--batch", str(args.batch)]
    return shlex.join([*words, "--resume"] if resume else words)
