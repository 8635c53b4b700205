"""Analysis of a finished sweep: tables, figures, regimes and a plain report.

``coprod analyze DIR`` (:mod:`experiments.analyze`) calls :func:`analyze`. The work is
split so that each step returns data and the next one reads it:

- :mod:`~experiments.analysis.load`: read and check the folder (:class:`Sweep`);
- :mod:`~experiments.analysis.axes`: lay varied parameters out as levels or bins;
- :mod:`~experiments.analysis.stats`: means, t-intervals, regime shares, spreads;
- :mod:`~experiments.analysis.effects`: effect sizes, intervals and verdicts (statsmodels);
- :mod:`~experiments.analysis.sensitivity`: Sobol and Morris indices (SALib), converged or not;
- :mod:`~experiments.analysis.results`: everything computed, in one record;
- :mod:`~experiments.analysis.figures`: the PNG figures, drawn from those tables;
- :mod:`~experiments.analysis.report`: ``report.md``, written from them;
- :mod:`~experiments.analysis.pipeline`: compute, draw and write, atomically.

A new analysis (a table of effects, scenario discovery) is a module returning a
data frame, a field of :class:`Results`, and a section of the report.

The names below load on first use: the modules behind them import pandas, SciPy,
matplotlib and SALib (2-3 s here, against 0.1 s for ``import experiments.analyze``
without them), which ``coprod --help`` and argument errors should not wait for.
The settings are plain constants and load at once.
"""

from __future__ import annotations

import importlib
from typing import Any

from experiments.analysis.settings import (
    CI_LEVEL,
    DEFAULT_METRICS,
    GROUP_BINS,
    HEATMAP_BINS,
    LINE_BINS,
    MAX_LEVELS,
    MAX_TABLE_POINTS,
    MORRIS_LABELS,
    REQUIRED_COLUMNS,
)

# Public name -> the module that defines it.
_LAZY = {
    "AnalysisError": "errors",
    "Sweep": "load",
    "check_metrics": "load",
    "load_sweep": "load",
    "read_manifest": "load",
    "spec_of": "load",
    "Axis": "axes",
    "make_axis": "axes",
    "mean_ci": "stats",
    "group_stats": "stats",
    "summarise": "stats",
    "regime_shares": "stats",
    "spreads": "stats",
    "pd_unique": "stats",
    "effects_table": "effects",
    "salib_problem": "sensitivity",
    "morris_inputs": "sensitivity",
    "sensitivity_indices": "sensitivity",
    "param_label": "labels",
    "metric_title": "labels",
    "metric_axis": "labels",
    "heatmap": "figures",
    "lines": "figures",
    "regime_map": "figures",
    "sobol_figure": "figures",
    "morris_figure": "figures",
    "Results": "results",
    "report_markdown": "report",
    "analyze": "pipeline",
    "compute": "pipeline",
}

__all__ = [
    "CI_LEVEL",
    "DEFAULT_METRICS",
    "GROUP_BINS",
    "HEATMAP_BINS",
    "LINE_BINS",
    "MAX_LEVELS",
    "MAX_TABLE_POINTS",
    "MORRIS_LABELS",
    "REQUIRED_COLUMNS",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups find it directly
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
