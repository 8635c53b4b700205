"""How a varied parameter is laid out along a figure's axis: its levels, or bins of its range.

A grid's parameters, categories and parameters with few distinct values keep their
levels (in the spec's order, then the schema's choices, then sorted); a continuous
parameter of an lhs, sobol or morris design is cut into equal-width bins. Each run
gets the index of its level in a column ``level_<param>``, which the statistics
group by and the figures place.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.errors import AnalysisError
from experiments.analysis.labels import param_label
from experiments.analysis.load import Sweep
from experiments.analysis.settings import GROUP_BINS, HEATMAP_BINS, LINE_BINS, MAX_LEVELS
from simulation.params import PARAM_BY_NAME
from simulation.text import show


@dataclass
class Axis:
    """How one varied parameter is laid out on a figure axis."""

    param: str
    column: str  # the column in the cell frame holding the level index
    labels: list[str]  # one per level
    positions: list[float]  # numeric x position per level (index for categories)
    numeric: bool
    binned: bool

    @property
    def title(self) -> str:
        return param_label(self.param)


def make_axis(sweep: Sweep, frame: pd.DataFrame, param: str, bins: int) -> tuple[Axis, pd.Series]:
    """Lay ``param`` out as levels (grid, categories, few values) or equal-width bins.

    Returns the Axis and a Series of level indices aligned with ``frame``.
    """
    p = PARAM_BY_NAME.get(param)
    values = frame[param]
    numeric = p is not None and p.kind in ("int", "float")
    distinct = list(pd.unique(values.dropna()))
    factor = sweep.factors.get(param, {})
    ranged = {"min", "max"} <= factor.keys()
    continuous = (p is not None and p.kind == "float" and ranged) or len(distinct) > MAX_LEVELS
    if sweep.kind != "grid" and numeric and continuous and len(distinct) > 1:
        return _binned(param, values, factor, p.kind == "int", bins)
    order = list(factor.get("values", []))
    if p is not None and p.kind == "choice":
        order = order + [c for c in p.choices if c not in order]
    present = [v for v in order if v in distinct]
    rest = [v for v in distinct if v not in present]
    with contextlib.suppress(TypeError):
        rest = sorted(rest)
    levels = present + rest
    lookup = {_key(v): i for i, v in enumerate(levels)}
    index = values.map(lambda v: lookup.get(_key(v), -1))
    labels = [show(v) for v in levels]
    positions = [float(v) for v in levels] if numeric else [float(i) for i in range(len(levels))]
    return Axis(param, f"level_{param}", labels, positions, numeric, False), index


def _binned(
    param: str, values: pd.Series, factor: dict, whole: bool, bins: int
) -> tuple[Axis, pd.Series]:
    """``bins`` equal-width bins over the values run (widened to the spec's range)."""
    x = values.astype(float)
    lo, hi = float(x.min()), float(x.max())
    if {"min", "max"} <= factor.keys():
        lo, hi = min(lo, float(factor["min"])), max(hi, float(factor["max"]))
    edges = np.linspace(lo, hi, bins + 1)
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    if whole:  # whole numbers in [edge i, edge i+1); the last bin is closed
        firsts = [math.ceil(edges[i]) for i in range(bins)]
        lasts = [math.ceil(edges[i + 1]) - 1 for i in range(bins - 1)] + [math.floor(hi)]
        labels = [
            show(a) if a == b else f"{show(a)}–{show(b)}" if a < b else "none"
            for a, b in zip(firsts, lasts, strict=True)
        ]
    else:
        labels = [f"{show(edges[i])}–{show(edges[i + 1])}" for i in range(bins)]
    centres = [(edges[i] + edges[i + 1]) / 2 for i in range(bins)]
    axis = Axis(param, f"level_{param}", labels, centres, True, True)
    return axis, pd.Series(index, index=values.index)


def _key(value: Any) -> Any:
    """A level's lookup key: 2.0 and 2 (and numpy scalars) are the same level."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


MAX_FACETS = 2  # factors beyond the two axes and this many panel factors are pooled


def factor_spread(frame: pd.DataFrame, param: str, metrics: Sequence[str]) -> float:
    """How much ``param`` moves ``metrics``: the spread of its level means, standardised.

    For each metric, (highest - lowest mean over the levels of ``param``) divided by
    the metric's standard deviation over all runs; summed over the metrics. Metrics
    that do not vary (or are missing) add nothing. A continuous parameter is taken
    in five equal-width bins.
    """
    values = frame[param]
    if values.nunique(dropna=True) > MAX_LEVELS and pd.api.types.is_numeric_dtype(values):
        values = pd.cut(values.astype(float), HEATMAP_BINS)
    total = 0.0
    for metric in metrics:
        if metric not in frame.columns:
            continue
        y = frame[metric].astype(float)
        sd = float(y.std())
        if not np.isfinite(sd) or sd == 0:
            continue
        means = y.groupby(values, observed=True).mean()
        total += float(means.max() - means.min()) / sd
    return total


def rank_factors(sweep: Sweep, frame: pd.DataFrame, metrics: Sequence[str]) -> list[str]:
    """The varied parameters, the one that moves ``metrics`` most first (:func:`factor_spread`).

    Ties keep the spec's order.
    """
    spread = {p: factor_spread(frame, p, metrics) for p in sweep.varied}
    return sorted(sweep.varied, key=lambda p: -spread[p])


def choose_factors(
    sweep: Sweep,
    frame: pd.DataFrame,
    metrics: Sequence[str],
    x: str | None = None,
    y: str | None = None,
    facet: Sequence[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Which varied parameters go on the x axis, the y axis and in the panels.

    By default, by effect size (:func:`rank_factors`): the parameter that moves the
    metrics most on x, the next on y, the next ``MAX_FACETS`` in panels (one panel
    per level; a grid of panels for two), the rest pooled. Panels are only drawn for
    grid designs. ``x``, ``y`` and ``facet`` override the choice; the places left
    open are filled in the same order. Returns ``([x, y], facets)``, shorter when
    fewer parameters vary. AnalysisError names the allowed factors if a name is not
    a varied parameter, or is given twice.
    """
    given = [("--x", x), ("--y", y), *(("--facet", f) for f in facet or ())]
    allowed = ", ".join(sweep.varied) or "none"
    for option, name in given:
        if name is not None and name not in sweep.varied:
            raise AnalysisError(
                f"{option}: '{name}' is not a varied factor of this sweep (allowed: {allowed})"
            )
    named = [n for _, n in given if n is not None]
    if len(set(named)) < len(named):
        raise AnalysisError(f"--x/--y/--facet: each factor once (allowed: {allowed})")
    rest = [p for p in rank_factors(sweep, frame, metrics) if p not in named]
    main = [x or (rest.pop(0) if rest else None), y or (rest.pop(0) if rest else None)]
    main = [p for p in main if p is not None]
    if facet is not None:
        return main, list(facet)
    return main, rest[:MAX_FACETS] if sweep.kind == "grid" else []


def main_axes(
    sweep: Sweep,
    frame: pd.DataFrame,
    params: Sequence[str] | None = None,
    facets: Sequence[str] = (),
) -> tuple[list[Axis], list[Axis]]:
    """The figures' axes (``params``, default the first two varied) and panel factors.

    Adds each axis's level column to ``frame`` (in place).
    """
    main = list(sweep.varied[:2] if params is None else params)
    axes: list[Axis] = []
    for param in main:
        axis, index = make_axis(sweep, frame, param, HEATMAP_BINS if len(main) == 2 else LINE_BINS)
        frame[axis.column] = index
        axes.append(axis)
    panels: list[Axis] = []
    for param in facets:
        axis, index = make_axis(sweep, frame, param, GROUP_BINS)
        frame[axis.column] = index
        panels.append(axis)
    return axes, panels


def rebin_for_lines(
    sweep: Sweep, frame: pd.DataFrame, axes: list[Axis]
) -> tuple[Axis, Axis, dict[str, pd.Series]]:
    """Line plots of binned designs: finer bins along x, a few bins (a line each) for the group."""
    ax_x, ix = make_axis(sweep, frame, axes[0].param, LINE_BINS)
    ax_g, ig = make_axis(sweep, frame, axes[1].param, GROUP_BINS)
    ax_x.column, ax_g.column = "level_line_x", "level_line_g"
    return ax_x, ax_g, {"level_line_x": ix, "level_line_g": ig}
