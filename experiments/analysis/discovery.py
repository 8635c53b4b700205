"""Scenario discovery: the regions of parameter space where a regime, or a condition, holds.

For every *target* (each regime that some but not all successful runs fall in, and
the user's ``--where`` condition) two methods look for the parameter region where
the target holds, and say it as a rule in words over the varied parameters:

- ``tree``: a shallow classification tree (scikit-learn ``DecisionTreeClassifier``,
  depth :data:`TREE_DEPTH`, every leaf at least :data:`MIN_LEAF_SHARE` of the runs,
  fixed seed). Each leaf where the target holds for most runs is one rule: the
  conditions on the path from the root to it.
- ``prim``: the first PRIM box (Friedman & Fisher 1999; ``ema_workbench.analysis.prim``).
  PRIM peels the box down step by step; of the boxes on that peeling trajectory we
  keep the one with the largest coverage * density (the later one on a tie).

Each rule carries:

- **coverage**: of the runs where the target holds, the share inside the region;
- **density**: of the runs inside the region, the share where the target holds.

A rule with coverage 1 and density 1 says exactly where the target holds.

Categorical parameters are one-hot encoded for the tree and kept as categories
for PRIM; rules name the categories (``compensation is paid``), booleans read
``benefit_safe is true``.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from experiments.analysis.errors import AnalysisError
from experiments.regimes import REGIME_BY_NAME, REGIME_NAMES
from simulation.metrics import METRIC_NAMES
from simulation.params import PARAM_BY_NAME
from simulation.text import did_you_mean, show

DISCOVERY = "discovery.csv"
TREE_DEPTH = 3
MIN_LEAF_SHARE = 0.05  # the smallest leaf, as a share of the runs
SEED = 0
PRIM_MASS_MIN = 0.05  # the smallest PRIM box, as a share of the runs
COLUMNS = ("target", "method", "rule", "coverage", "density", "n_runs")
_OPS: dict[str, Callable[[object, object], object]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NUMBER = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_CLAUSE = re.compile(rf"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*({_NUMBER})\s*")


@dataclass(frozen=True)
class Clause:
    """``metric op number``, one part of a ``--where`` condition."""

    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_where(text: str) -> list[Clause]:
    """``--where`` text as clauses: ``<metric> <op> <number>`` [``and`` another]; else error.

    Ops are ``<``, ``<=``, ``>``, ``>=``; at most two clauses joined by ``and``.
    """
    parts = re.split(r"\s+and\s+", text.strip())
    if not text.strip() or len(parts) > 2:
        raise AnalysisError(
            f"--where: expected '<metric> <op> <number>' (op one of < <= > >=), "
            f"at most two joined by 'and'; got '{text}'"
        )
    clauses = []
    for part in parts:
        found = _CLAUSE.fullmatch(part)
        if not found:
            raise AnalysisError(
                f"--where: cannot read '{part}': expected '<metric> <op> <number>' "
                "with op one of < <= > >="
            )
        metric, op, number = found.groups()
        if metric not in METRIC_NAMES:
            raise AnalysisError(
                f"--where: unknown metric '{metric}'{did_you_mean(metric, METRIC_NAMES)}; "
                "allowed: " + ", ".join(METRIC_NAMES)
            )
        clauses.append(Clause(metric, op, float(number)))
    return clauses


def where_holds(clauses: list[Clause], runs: pd.DataFrame) -> pd.Series:
    """Whether every clause holds, per run (a metric the runs lack is an AnalysisError)."""
    absent = [c.metric for c in clauses if c.metric not in runs.columns]
    if absent:
        raise AnalysisError(f"--where: the run table has no column for {', '.join(absent)}")
    held = pd.Series(True, index=runs.index)
    for c in clauses:
        held &= _OPS[c.op](runs[c.metric].astype(float), c.value)
    return held


def where_text(clauses: list[Clause]) -> str:
    """The condition as one line, e.g. ``participation_parity > 0.8``."""
    return " and ".join(map(str, clauses))


def discover(
    x: pd.DataFrame, targets: dict[str, pd.Series], kinds: dict[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """Tree and PRIM rules for each target; (``discovery.csv`` table, notes).

    ``x`` holds the varied parameters of the successful runs, ``kinds`` their kind
    (``int``, ``float``, ``bool`` or ``choice``), ``targets`` a boolean Series per
    target on the same index. Targets that hold in no run or in every run are
    skipped, with a note.
    """
    rows: list[dict] = []
    notes: list[str] = []
    for target, held in targets.items():
        y = held.to_numpy(dtype=bool)
        if not y.any() or y.all():
            notes.append(
                f"discovery: '{target}' holds in {'every' if y.all() else 'no'} run; "
                "no region to find"
            )
            continue
        found = [("tree", *r) for r in tree_rules(x, y, kinds)]
        found += [("prim", *r) for r in prim_rules(x, y, kinds)]
        for method, rule, coverage, density, n_runs in found:
            rows.append(
                dict(zip(COLUMNS, (target, method, rule, coverage, density, n_runs), strict=True))
            )
    return pd.DataFrame(rows, columns=list(COLUMNS)), notes


def encode(x: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, tuple]]:
    """Numbers for the tree: choices one-hot, booleans 0/1; each column's (param, category)."""
    columns, origin = {}, {}
    for name in x.columns:
        kind = kinds.get(name, "float")
        if kind == "choice":
            for level in sorted(x[name].astype(str).unique()):
                col = f"{name}={level}"
                columns[col] = (x[name].astype(str) == level).astype(float)
                origin[col] = (name, level)
        else:
            columns[name] = x[name].astype(float)
            origin[name] = (name, None)
    return pd.DataFrame(columns, index=x.index), origin


def tree_rules(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str]) -> list[tuple]:
    """(rule, coverage, density, n_runs) for each tree leaf where the target holds mostly."""
    encoded, origin = encode(x, kinds)
    tree = DecisionTreeClassifier(
        max_depth=TREE_DEPTH,
        min_samples_leaf=max(1, int(np.ceil(MIN_LEAF_SHARE * len(y)))),
        random_state=SEED,
    ).fit(encoded.to_numpy(), y)
    t = tree.tree_
    leaf_of = tree.apply(encoded.to_numpy())
    out = []

    def walk(node: int, path: list[tuple[str, bool, float]]) -> None:
        if t.children_left[node] == -1:
            inside = leaf_of == node
            hits = int(y[inside].sum())
            if hits * 2 > inside.sum():
                rule = rule_words(path, origin, x, kinds)
                out.append((rule, hits / y.sum(), hits / inside.sum(), int(inside.sum())))
            return
        col, cut = encoded.columns[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], [*path, (col, True, cut)])
        walk(t.children_right[node], [*path, (col, False, cut)])

    walk(0, [])
    return sorted(out, key=lambda r: -r[1])


def rule_words(
    path: list[tuple[str, bool, float]],
    origin: dict[str, tuple],
    x: pd.DataFrame,
    kinds: dict[str, str],
) -> str:
    """A tree path (column, went left, threshold) in words, one phrase per parameter."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    allowed: dict[str, set] = {}
    for col, left, cut in path:
        name, level = origin[col]
        if level is not None:  # a one-hot column: left is "not this level"
            levels = allowed.setdefault(name, set(x[name].astype(str).unique()))
            allowed[name] = levels - {level} if left else levels & {level}
        elif kinds.get(name) == "bool":
            allowed[name] = {"false"} if left else {"true"}
        elif left:
            high[name] = min(high.get(name, np.inf), cut)
        else:
            low[name] = max(low.get(name, -np.inf), cut)
    phrases = []
    for name in x.columns:
        if name in allowed:
            phrases.append(f"{name} is {' or '.join(sorted(allowed[name]))}")
        if name in low:
            phrases.append(f"{name} > {show(low[name])}")
        if name in high:
            phrases.append(f"{name} ≤ {show(high[name])}")
    return " and ".join(phrases) or "all runs"


def prim_rules(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str]) -> list[tuple]:
    """(rule, coverage, density, n_runs) of the first PRIM box (see the module docstring)."""
    data = pd.DataFrame(index=range(len(x)))
    for name in x.columns:
        kind = kinds.get(name, "float")
        values = x[name].to_numpy()
        if kind == "choice":
            data[name] = pd.Categorical(values.astype(str))
        elif kind == "bool":
            data[name] = pd.Categorical(np.where(values.astype(bool), "true", "false"))
        else:
            # Whole-number factors go in as floats: PRIM peels to limits between two
            # values (2.5), which an int64 column cannot hold.
            data[name] = values.astype(float)
    with warnings.catch_warnings():
        # ema_workbench 3.0 calls DataFrame.drop(inplace=True), deprecated in pandas 3.
        warnings.simplefilter("ignore", DeprecationWarning)
        box = _prim_module().Prim(data, y.astype(int), mass_min=PRIM_MASS_MIN).find_box()
    if box is None:
        return []
    trajectory = box.peeling_trajectory
    score = (trajectory["coverage"] * trajectory["density"]).to_numpy()
    best = int(np.flatnonzero(score >= score.max() - 1e-12)[-1])
    limits, initial = box.box_lims[best], box.box_lims[0]
    row = trajectory.iloc[best]
    return [
        (
            box_words(limits, initial, kinds),
            float(row["coverage"]),
            float(row["density"]),
            int(row["n"]),
        )
    ]


def _prim_module():
    """``ema_workbench.analysis.prim``, imported on first use, its import-time warning muted."""
    with warnings.catch_warnings():
        # ema_workbench warns at import that its optional ipyparallel evaluator is missing.
        warnings.simplefilter("ignore")
        # Late: importing ema_workbench loads its whole framework (seconds); only PRIM needs it.
        from ema_workbench.analysis import prim

    return prim


def box_words(limits: pd.DataFrame, initial: pd.DataFrame, kinds: dict[str, str]) -> str:
    """A PRIM box in words: only the limits it moved from the whole space."""
    phrases = []
    for name in limits.columns:
        lo, hi = limits[name].iloc[0], limits[name].iloc[1]
        if isinstance(lo, set):
            if lo != initial[name].iloc[0]:
                phrases.append(f"{name} is {' or '.join(sorted(map(str, lo)))}")
            continue
        if lo > initial[name].iloc[0]:
            phrases.append(f"{name} ≥ {show(lo)}")
        if hi < initial[name].iloc[1]:
            phrases.append(f"{name} ≤ {show(hi)}")
    return " and ".join(phrases) or "all runs"


def analyse_discovery(results, stage, where: list[Clause] | None = None) -> list[str]:
    """``discovery.csv`` for every regime and the ``--where`` condition; the files written.

    Fills ``results.discovery`` (the table) and adds any notes to ``results.notes``.
    """
    sweep, ok = results.sweep, results.ok
    varied = [v for v in sweep.varied if v in ok.columns]
    if not varied or len(ok) < 2:
        results.notes.append("discovery skipped: no varied parameter or fewer than 2 runs")
        return []
    targets: dict[str, pd.Series] = {}
    if where:
        targets[where_text(where)] = where_holds(where, ok)
    if results.labelled:
        present = set(ok["regime"].dropna())
        targets.update({r: ok["regime"].eq(r) for r in REGIME_NAMES if r in present})
    kinds = {p: PARAM_BY_NAME[p].kind if p in PARAM_BY_NAME else "float" for p in varied}
    table, notes = discover(ok[varied].reset_index(drop=True), _reindexed(targets), kinds)
    results.notes.extend(notes)
    results.discovery = table
    table.to_csv(stage / DISCOVERY, index=False)
    return [DISCOVERY]


def _reindexed(targets: dict[str, pd.Series]) -> dict[str, pd.Series]:
    return {name: held.reset_index(drop=True) for name, held in targets.items()}


def discovery_section(results) -> list[str]:
    """The report's "Where each regime holds" section (empty when nothing was found)."""
    table = getattr(results, "discovery", None)
    if table is None or table.empty:
        return []
    lines = [
        "## Where each regime holds (scenario discovery)",
        "",
        "For each regime (and the `--where` condition, if given), a shallow classification "
        f"tree (depth {TREE_DEPTH}, leaves of at least {MIN_LEAF_SHARE:.0%} of the runs) and "
        "PRIM (the box on its peeling trajectory with the largest coverage x density) find the "
        "parameter region where it holds. **Coverage**: of the runs where it holds, the share "
        "inside the region. **Density**: of the runs inside the region, the share where it "
        f"holds. All rules are in `{DISCOVERY}`.",
        "",
        "| target | method | rule | coverage | density | runs |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in table.itertuples():
        target = REGIME_BY_NAME[row.target].label if row.target in REGIME_BY_NAME else row.target
        lines.append(
            f"| {target} | {row.method} | {row.rule} | {row.coverage:.0%} | "
            f"{row.density:.0%} | {row.n_runs} |"
        )
    return [*lines, ""]
