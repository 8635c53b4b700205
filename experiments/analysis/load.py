"""Reading a sweep folder: the run table, the manifest and the spec it records, all checked.

Input is a folder written by ``coprod sweep SPEC.toml --out DIR``:

- ``runs.parquet``: one row per run (``run_id``, ``point_id``, ``replicate``, ``seed``,
  every parameter, every final metric, ``status``, ``error``);
- ``manifest.json``: ``format`` and ``format_version`` (this code reads the current
  :data:`experiments.store.FORMAT_VERSION` and the versions in :data:`READABLE`; a
  version-1 sweep recorded the policy levers only, and its assumptions are taken at
  their defaults, which the report notes), ``spec`` (the parsed spec, read back
  with :meth:`experiments.design.Spec.from_canonical`) and ``design`` (the design in
  brief, :meth:`experiments.design.Spec.summary`);
- ``timeseries.parquet`` (optional; not read here).

Anything unusable raises :class:`AnalysisError` with one line saying what and where.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import store
from experiments.analysis.errors import AnalysisError
from experiments.analysis.settings import DEFAULT_METRICS, REQUIRED_COLUMNS
from experiments.design import Spec
from simulation.metrics import METRIC_NAMES
from simulation.params import ASSUMPTIONS
from simulation.text import did_you_mean

# Sweep format versions this code reads: 1 (no assumption columns) and the current one.
READABLE = (1, store.FORMAT_VERSION)


@dataclass
class Sweep:
    """A sweep folder, read and checked."""

    path: Path
    runs: pd.DataFrame  # every run
    ok: pd.DataFrame  # the runs with status "ok"
    manifest: dict
    spec: Spec  # the sweep spec the manifest records
    metrics: list[str]  # every metric column present
    notes: list[str] = field(default_factory=list)  # what the report should mention

    @property
    def design(self) -> dict:
        """The manifest's ``design`` record (``Spec.summary()`` and the part size)."""
        value = self.manifest.get("design")
        return value if isinstance(value, dict) else {}

    @property
    def kind(self) -> str:
        """The design: grid | lhs | sobol | morris."""
        return self.spec.design

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def scenario(self) -> str | None:
        return self.spec.scenario

    @property
    def fixed(self) -> dict[str, Any]:
        return dict(self.spec.fixed)

    @property
    def varied(self) -> list[str]:
        """The varied parameters, in the spec's order."""
        return self.spec.varied

    @property
    def factors(self) -> dict[str, dict]:
        """Varied name -> ``{"values": [...]}`` or ``{"min": .., "max": ..}``."""
        out = {}
        for factor in self.spec.vary:
            record = factor.as_dict()
            out[factor.name] = {k: record[k] for k in ("values", "min", "max") if k in record}
        return out


def check_metrics(names: Sequence[str] | None) -> list[str]:
    """The chosen metrics (the headline ones when none), each a known metric, once each."""
    if not names:
        return list(DEFAULT_METRICS)
    out: list[str] = []
    for name in names:
        name = name.strip()
        if name not in METRIC_NAMES:
            raise AnalysisError(
                f"--metric: unknown metric '{name}'{did_you_mean(name, METRIC_NAMES)}; known: "
                + ", ".join(METRIC_NAMES)
            )
        if name not in out:
            out.append(name)
    return out


def load_sweep(directory: str | os.PathLike) -> Sweep:
    """Read and check ``runs.parquet`` and ``manifest.json``; AnalysisError when unusable."""
    path = _folder(directory)
    manifest = read_manifest(path)
    notes = _upgrade(manifest)
    spec = spec_of(manifest, path / store.MANIFEST)
    runs = _read_runs(path / store.RUNS)
    if notes:  # a version-1 sweep: its runs took the assumptions at their defaults
        runs = runs.assign(**{p.name: p.default for p in ASSUMPTIONS if p.name not in runs})
    lacking = [v for v in spec.varied if v not in runs.columns]
    if lacking:
        raise AnalysisError(
            f"'{path / store.RUNS}' lacks the varied parameter column(s) {', '.join(lacking)} "
            "that the manifest names"
        )
    metrics = [m for m in METRIC_NAMES if m in runs.columns]
    if not metrics:
        raise AnalysisError(f"'{path / store.RUNS}' has no metric columns")
    ok = runs[runs["status"].astype(str) == "ok"].copy()
    if ok.empty:
        first = ""
        if "error" in runs.columns:
            errors = runs["error"].dropna().astype(str)
            if len(errors):
                first = f" (first error: {' '.join(errors.iloc[0].split())[:160]})"
        raise AnalysisError(
            f"none of the {len(runs)} runs in '{path / store.RUNS}' "
            f"succeeded; nothing to analyse{first}"
        )
    return Sweep(path, runs, ok, manifest, spec, metrics, notes)


def _upgrade(manifest: dict[str, Any]) -> list[str]:
    """Bring a version-1 manifest's spec up to date (in place): its base values gain the
    assumptions at their defaults. Returns the note the report should carry, if any."""
    if manifest.get("format_version") != 1:
        return []
    spec = manifest.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("base"), dict):
        spec["base"] = {
            **spec["base"],
            **{p.name: p.default for p in ASSUMPTIONS if p.name not in spec["base"]},
        }
    return [
        "this sweep was written in sweep format version 1, before the model's assumptions "
        "were parameters: its runs are taken to have used the assumptions' defaults of "
        "today (true only if the model has not changed since)"
    ]


def _folder(directory: str | os.PathLike) -> Path:
    """The sweep folder, once it holds both files a finished sweep leaves."""
    text = str(directory)
    if not text.strip():
        raise AnalysisError("DIR: expected a sweep directory, got ''")
    path = Path(text).expanduser()
    if not path.exists():
        raise AnalysisError(
            f"'{path}' does not exist: expected a directory written by "
            "'coprod sweep SPEC.toml --out DIR'"
        )
    if not path.is_dir():
        raise AnalysisError(f"'{path}' is a file, not a sweep directory")
    missing = [f for f in (store.RUNS, store.MANIFEST) if not (path / f).is_file()]
    if missing == [store.RUNS] and (path / store.PARTS).is_dir():
        raise AnalysisError(
            f"the sweep in '{path}' has not finished (no {store.RUNS} yet); "
            "finish it with 'coprod sweep SPEC.toml --out DIR --resume'"
        )
    if missing:
        raise AnalysisError(
            f"'{path}' is not a sweep directory: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (write one with "
            "'coprod sweep SPEC.toml --out DIR')"
        )
    return path


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the sweep in ``path``, once it is a coprod sweep's of a known version."""
    where = path / store.MANIFEST
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AnalysisError(f"'{where}' is not valid JSON: {err}") from None
    except OSError as err:
        raise AnalysisError(f"'{where}' cannot be read: {err.strerror or err}") from None
    if not isinstance(manifest, dict):
        raise AnalysisError(f"'{where}': expected a JSON object, got {type(manifest).__name__}")
    if manifest.get("format") != store.FORMAT:
        raise AnalysisError(
            f"'{where}' is not a coprod sweep manifest (format "
            f'{json.dumps(manifest.get("format"))}, expected "{store.FORMAT}")'
        )
    version = manifest.get("format_version")
    if version not in READABLE or isinstance(version, bool):
        raise AnalysisError(
            f"'{where}' is in sweep format version {json.dumps(version)}; this coprod reads "
            f"versions {' and '.join(map(str, READABLE))} only (analyse it with the coprod "
            "that wrote it)"
        )
    return manifest


def spec_of(manifest: dict[str, Any], where: Path | str = store.MANIFEST) -> Spec:
    """The sweep spec a manifest records (``manifest["spec"]``, as ``Spec.canonical()``)."""
    data = manifest.get("spec")
    if not isinstance(data, dict):
        raise AnalysisError(f"'{where}' holds no sweep spec")
    try:
        spec = Spec.from_canonical(data)
    except KeyError as err:
        raise AnalysisError(f"'{where}': the sweep spec lacks {err}") from None
    except (TypeError, ValueError, AttributeError) as err:
        raise AnalysisError(f"'{where}': the sweep spec cannot be read: {err}") from None
    if not spec.vary:
        raise AnalysisError(f"'{where}': the sweep spec varies no parameter")
    return spec


def _read_runs(where: Path) -> pd.DataFrame:
    try:
        runs = pd.read_parquet(where)
    except Exception as err:  # pyarrow raises several types for a damaged file
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        raise AnalysisError(f"'{where}' cannot be read as Parquet: {reason}") from None
    lacking = [c for c in REQUIRED_COLUMNS if c not in runs.columns]
    if lacking:
        raise AnalysisError(
            f"'{where}' is not a sweep's run table: column(s) {', '.join(lacking)} missing"
        )
    if runs.empty:
        raise AnalysisError(f"'{where}' has no runs")
    return runs
