"""Sobol and Morris sensitivity indices of a sweep's metrics, with SALib.

The SALib problem (names and bounds) is the sweep spec's own
(:meth:`experiments.design.Spec.problem`); each design point's output is the mean
over its successful replicates. Morris also needs the sample matrix X before it was
mapped to parameter values: :meth:`experiments.design.Spec.sample_matrix`, checked
against the values that were run.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from experiments.analysis.load import Sweep
from experiments.analysis.settings import CI_LEVEL
from simulation.params import PARAM_BY_NAME

RESAMPLES = 200  # bootstrap resamples for the intervals
SOBOL_COLUMNS = ("metric", "parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("metric", "parameter", "mu", "mu_star", "mu_star_conf", "sigma")


def salib_problem(sweep: Sweep) -> tuple[dict | None, str]:
    """SALib's ``problem`` (num_vars, names, bounds) of the sweep, and where it came from."""
    problem = sweep.spec.problem()
    if problem is None:
        return None, "a grid design has no SALib problem"
    return problem, "sweep spec (experiments.design.Spec.problem)"


def morris_inputs(sweep: Sweep, problem: dict, n_points: int) -> tuple[np.ndarray | None, str]:
    """The Morris sample matrix X (points x factors), or None and the reason.

    First choice: the design's own matrix, rebuilt from the manifest's spec with
    ``experiments.design.Spec.sample_matrix()`` and checked against the run table's
    values; else the run table's values, when every factor is a numeric range.
    """
    first = sweep.runs.groupby("point_id")[problem["names"]].first().sort_index()
    try:
        x = sweep.spec.sample_matrix()
    except (TypeError, ValueError):  # a manifest's spec whose sample SALib cannot rebuild
        x = None
    if x is not None:
        x = np.asarray(x, dtype=float)
        if x.shape == (n_points, problem["num_vars"]) and _matches(sweep, problem, x, first):
            return x, "the design's sample matrix (experiments.design.Spec.sample_matrix)"
    if all({"min", "max"} <= sweep.factors[n].keys() for n in problem["names"]):
        try:
            return first.astype(float).to_numpy(), "the run table's parameter values"
        except (TypeError, ValueError):
            pass
    return None, "no sample matrix: the manifest cannot rebuild it and a factor is not numeric"


def _matches(sweep: Sweep, problem: dict, x: np.ndarray, first: pd.DataFrame) -> bool:
    """Whether the range factors of sample ``x`` agree with the values that were run."""
    for j, name in enumerate(problem["names"]):
        f = sweep.factors.get(name, {})
        if not {"min", "max"} <= f.keys():
            continue
        column = np.clip(x[:, j], float(f["min"]), float(f["max"]))
        if PARAM_BY_NAME[name].kind == "int":
            column = np.rint(column)
        if not np.allclose(column, first[name].astype(float).to_numpy(), atol=1e-9):
            return False
    return True


def point_means(sweep: Sweep, metrics: list[str]) -> tuple[list, pd.DataFrame]:
    """Every design point (sorted) and the mean of each metric over its successful runs."""
    points = sorted(sweep.runs["point_id"].unique())
    means = sweep.ok.groupby("point_id")[metrics].mean().reindex(points)
    return points, means


def sensitivity_indices(sweep: Sweep, metrics: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
    """Sobol or Morris indices of ``metrics`` (a long table), and notes on what was skipped."""
    kind = sweep.kind
    problem, source = salib_problem(sweep)
    if problem is None:
        return None, [f"{kind} indices skipped: {source}"]
    notes = [f"SALib problem from the {source}"]
    points, means = point_means(sweep, metrics)
    d, p = problem["num_vars"], len(points)
    per = d + 2 if kind == "sobol" else d + 1
    if p % per or list(points) != list(range(p)):
        return None, [
            f"{kind} indices skipped: {p} design points do not form a SALib "
            f"{kind} sample of {d} parameters (expected point_id 0..N*{per}-1)"
        ]
    empty = int(means.isna().all(axis=1).sum())
    if empty:
        return None, [f"{kind} indices skipped: {empty} design point(s) have no successful run"]
    x, levels = None, 0
    if kind == "morris":
        x, x_source = morris_inputs(sweep, problem, p)
        if x is None:
            return None, [f"morris indices skipped: {x_source}"]
        levels = sweep.spec.levels or 4
        notes.append(f"Morris inputs X from {x_source}; num_levels = {levels}")
    rows: list[dict] = []
    for metric in metrics:
        y = means[metric].to_numpy(dtype=float)
        if np.isnan(y).any():
            notes.append(f"{metric}: skipped (missing values)")
        elif np.ptp(y) == 0:
            notes.append(f"{metric}: skipped (the same value at every point)")
        elif x is not None:
            rows += _morris_rows(metric, problem, x, y, levels)
        else:
            rows += _sobol_rows(metric, problem, y)
    if not rows:
        return None, [*notes, f"{kind} indices skipped: no metric varied"]
    return pd.DataFrame(rows), notes


def _sobol_rows(metric: str, problem: dict, y: np.ndarray) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's warnings (small samples) would clutter output
        si = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            conf_level=CI_LEVEL,
            num_resamples=RESAMPLES,
            # Not 0: SALib's sobol.analyze ignores a falsy seed (`if seed:`) and would
            # draw its bootstrap from NumPy's global state, a new interval every time.
            seed=1,
        )
    return _rows(metric, problem, si, SOBOL_COLUMNS)


def _morris_rows(
    metric: str, problem: dict, x: np.ndarray, y: np.ndarray, levels: int
) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = morris.analyze(
            problem,
            x,
            y,
            num_levels=levels,
            conf_level=CI_LEVEL,
            num_resamples=RESAMPLES,
            seed=0,
        )
    return _rows(metric, problem, si, MORRIS_COLUMNS)


def _rows(metric: str, problem: dict, si: dict, columns: tuple[str, ...]) -> list[dict]:
    """One row per parameter: the metric, the parameter and its indices ``columns[2:]``."""
    return [
        {"metric": metric, "parameter": name, **{k: si[k][i] for k in columns[2:]}}
        for i, name in enumerate(problem["names"])
    ]
