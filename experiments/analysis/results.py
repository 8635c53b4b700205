"""What one analysis computed, in one place: the tables the files, figures and report are made of.

:func:`experiments.analysis.pipeline.compute` fills it; the figures are drawn and
the report is written from it. A new kind of result (a table of effects, the
regions scenario discovery finds) is a new field here, a function that computes
it, and a section of the report that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from experiments.analysis.axes import Axis
from experiments.analysis.load import Sweep

FIGURE_KINDS = ("heatmap", "scatter", "lines", "regimes", "sensitivity")


@dataclass
class Results:
    """The analysis of one sweep, before anything is written."""

    sweep: Sweep
    chosen: list[str]  # the metrics to plot and discuss
    regimes: pd.Series  # the regime of every run (None: failed, or not labelled)
    summary: pd.DataFrame  # one row per design point: summary.csv
    ok: pd.DataFrame  # the successful runs, with their regime and level columns
    axes: list[Axis]  # the figures' axes: x and y (axes.choose_factors)
    cells: pd.DataFrame | None  # statistics per cell of the axes (None without axes)
    shares: pd.DataFrame | None  # regime shares per cell (None when not labelled)
    sensitivity: pd.DataFrame | None  # Sobol or Morris indices (None for other designs)
    effects: pd.DataFrame | None = None  # effects.csv: effects.effects_table
    notes: list[str] = field(default_factory=list)  # what was skipped or assumed
    facets: list[Axis] = field(default_factory=list)  # a panel per level of each (heatmaps, map)
    figures: dict[str, list[str]] = field(
        default_factory=lambda: {kind: [] for kind in FIGURE_KINDS}
    )  # relative paths of the figures drawn, by kind
    discovery: pd.DataFrame | None = None  # discovery.csv: rules where each target holds
    weekly: dict = field(default_factory=dict)  # weekly series: main factor, settled weeks

    @property
    def labelled(self) -> bool:
        """Whether runs were given regimes (the run table has every metric the rules read)."""
        return self.shares is not None

    @property
    def pooled(self) -> str:
        """`` (pooled over a, b)`` for the varied parameters no figure axis or panel shows."""
        shown = {a.param for a in self.axes + self.facets}
        others = [p for p in self.sweep.varied if p not in shown]
        return f" (pooled over {', '.join(others)})" if others else ""
