"""Sobol and Morris sensitivity indices of a sweep's metrics, with SALib.

The SALib problem (names and bounds) is the sweep spec's own
(:meth:`experiments.design.Spec.problem`); each design point's output is the mean
over its successful replicates. Morris also needs the sample matrix X before it was
mapped to parameter values: :meth:`experiments.design.Spec.sample_matrix`, checked
against the values that were run.

Every index has a bootstrap interval (SALib's ``*_conf``: half the 95% interval,
from :data:`RESAMPLES` resamples with a fixed seed, so the same sweep gives the same
intervals) and every parameter/metric a ``converged`` flag: false when an index lies
outside [0, 1] by more than its interval (Sobol), or its ``±`` is wider than
:data:`MAX_CONF` (Sobol) or :data:`MAX_CONF` times the metric's largest mu* (Morris).
:func:`raise_factor` says by how much to multiply ``samples`` so that every ``±``
comes within the threshold (intervals shrink as 1/sqrt(N)); ``docs/sweeps.md``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from experiments.analysis.load import Sweep
from experiments.analysis.settings import CI_LEVEL
from simulation.params import PARAM_BY_NAME
from simulation.text import show

RESAMPLES = 200  # bootstrap resamples for the intervals
MAX_CONF = 0.1  # the widest ± (half the 95% interval) of a converged index; see module doc
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
        except (TypeError, ValueError):  # a non-numeric level: no matrix from the table
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
    table = pd.DataFrame(rows)
    return table.assign(converged=converged(table, kind)), notes


def converged(table: pd.DataFrame, kind: str) -> pd.Series:
    """Per row: whether the indices are within [0, 1] and their ``±`` within the threshold."""
    if kind == "sobol":
        ok = pd.Series(True, index=table.index)
        for index in ("S1", "ST"):
            value, conf = table[index], table[f"{index}_conf"].fillna(0)
            ok &= (value + conf >= 0) & (value - conf <= 1) & (conf <= MAX_CONF)
        return ok
    scale = table.groupby("metric")["mu_star"].transform("max")
    return table["mu_star_conf"].fillna(0) <= MAX_CONF * scale


def raise_factor(table: pd.DataFrame, kind: str) -> int | None:
    """By how much to multiply ``samples`` so that every index converges; None if they do.

    The widest ``±`` over the threshold, squared (intervals shrink as 1/sqrt(N)), at
    least 2; for Sobol rounded up to a power of two (Saltelli's N must be one).
    """
    if "converged" not in table or table["converged"].all():
        return None
    bad = table[~table["converged"]]
    if kind == "sobol":
        ratio = (bad[["S1_conf", "ST_conf"]].max(axis=1) / MAX_CONF).max()
    else:
        scale = table.groupby("metric")["mu_star"].transform("max").loc[bad.index]
        ratio = (bad["mu_star_conf"] / (MAX_CONF * scale)).max()
    factor = max(2.0, float(ratio) ** 2 if math.isfinite(ratio) else 2.0)
    if kind == "sobol":
        return 2 ** math.ceil(math.log2(factor))
    return math.ceil(factor)


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


def leader_sentence(sens: pd.DataFrame | None, metric: str) -> str:
    """The parameter(s) with the largest Sobol total index or Morris mu*, as a sentence.

    A parameter is named alone only when every other's interval lies below its own;
    otherwise the ones whose intervals overlap it are named as not told apart.
    """
    if sens is None:
        return ""
    part = sens[sens["metric"] == metric]
    if part.empty:
        return ""
    sobol_kind = "ST" in part
    index, name = ("ST", "total index") if sobol_kind else ("mu_star", "mu*")
    conf = part[f"{index}_conf"].fillna(0)
    best = part[index].idxmax()
    floor = part.loc[best, index] - conf[best]
    ties = part[(part[index] + conf >= floor) & (part.index != best)]
    shown = (
        f"{part.loc[best, 'parameter']} has the largest {name} ("
        + ("ST = " if sobol_kind else "")
        + f"{show(part.loc[best, index])} ± {show(conf[best])})"
    )
    text = f" {'Sobol' if sobol_kind else 'Morris'}: {shown}"
    if not ties.empty:
        others = ", ".join(
            f"{r['parameter']} ({show(r[index])} ± {show(r[f'{index}_conf'])})"
            for r in ties.to_dict("records")
        )
        text += f", but its interval overlaps those of {others}: they cannot be told apart"
    if "converged" in part and not part["converged"].all():
        text += "; these indices have not converged (see Sensitivity)"
    return text + "."


def convergence_lines(sens: pd.DataFrame, kind: str, samples: int | None) -> list[str]:
    """The report's plain word on whether N is large enough, and by how much to raise it."""
    factor = raise_factor(sens, kind)
    limit = (
        f"± above {show(MAX_CONF)} or an index outside [0, 1] by more than its interval"
        if kind == "sobol"
        else f"± above {show(MAX_CONF)} of the metric's largest mu*"
    )
    if factor is None:
        return [
            f"Every index has converged: no {limit} (bootstrap intervals, "
            f"{RESAMPLES} resamples, fixed seed).",
            "",
        ]
    bad = int((~sens["converged"]).sum())
    size = f"N = {samples}" if samples else "N"
    target = f"about {samples * factor}" if samples else f"{factor} times its value"
    return [
        f"**{size} is too small**: {bad} of {len(sens)} parameter/metric rows have not "
        f"converged ({limit}). Intervals shrink as 1/√N: raise `samples` {factor}-fold "
        f"to {target}"
        + (" (a power of two, as Saltelli's sample needs)." if kind == "sobol" else ".")
        + " Until then, read the indices as rough.",
        "",
    ]
