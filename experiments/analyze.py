"""``coprod analyze DIR``: tables, figures, regimes and a plain report for a finished sweep.

This module is the command: its arguments (:func:`add_parser`) and what it prints
(:func:`cmd_analyze`). The analysis is the package :mod:`experiments.analysis`,
which says what is read and written. Bad input raises
:class:`experiments.analysis.errors.AnalysisError`, one line, which ``coprod``
reports with exit status 2.

The package's public names can also be reached here, as before it was split
(``experiments.analyze.load_sweep`` and so on; ``AnalyzeError`` is
``AnalysisError``, ``sensitivity`` is ``sensitivity_indices``). They load on first
use, so that building the ``coprod`` parser does not load pandas or matplotlib.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from experiments import analysis, store
from experiments.analysis.settings import DEFAULT_METRICS

# Names this module had before the analysis became a package, where they differ there.
_RENAMED = {"AnalyzeError": "AnalysisError", "sensitivity": "sensitivity_indices"}


def __getattr__(name: str) -> Any:
    try:
        return getattr(analysis, _RENAMED.get(name, name))
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def add_parser(commands) -> argparse.ArgumentParser:
    """Register ``coprod analyze`` on the ``coprod`` sub-command action ``commands``."""
    parser = commands.add_parser(
        "analyze",
        allow_abbrev=False,
        help="summarise a sweep directory: CI tables, figures, regimes and report.md",
        description="Read DIR/runs.parquet and DIR/manifest.json (written by 'coprod sweep') "
        "and write summary.csv, summary.parquet, regimes.csv, figures/*.png and "
        "report.md into DIR.",
    )
    parser.add_argument("dir", metavar="DIR", help="a directory written by 'coprod sweep'")
    parser.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        default=None,
        metavar="NAME",
        help="a metric to plot and discuss (repeatable; default: a headline "
        "selection: " + ", ".join(DEFAULT_METRICS) + ")",
    )
    parser.add_argument(
        "--x",
        metavar="FACTOR",
        help="the varied factor across the figures (default: by effect size)",
    )
    parser.add_argument("--y", metavar="FACTOR", help="the varied factor up the figures (ditto)")
    parser.add_argument(
        "--facet",
        action="append",
        default=None,
        metavar="FACTOR",
        help="a varied factor with a panel per level (repeatable; default: the factors "
        "after x and y by effect size, at most two)",
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="also write DIR/runs.csv: runs.parquet's rows and columns, for spreadsheets and R",
    )
    parser.add_argument(
        "--where",
        metavar="CONDITION",
        help="a condition on the metrics for scenario discovery to locate, besides each "
        "regime: '<metric> <op> <number>' with op one of < <= > >=, at most two joined by "
        "'and' (e.g. \"participation_parity > 0.8\")",
    )
    parser.set_defaults(func=cmd_analyze)
    return parser


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse ``args.dir`` and say what was written; AnalysisError on bad input."""
    report = analysis.analyze(
        args.dir,
        metrics=args.metrics,
        x=args.x,
        y=args.y,
        facet=args.facet,
        where=args.where,
        csv=args.csv,
    )
    figures = set(re.findall(r"\]\((figures/[^)]+\.png)\)", report.read_text(encoding="utf-8")))
    also = f"{store.RUNS_CSV}, " if args.csv else ""
    print(
        f"wrote {report} (with {also}summary.csv, summary.parquet, regimes.csv and "
        f"{len(figures)} figures in {report.parent / 'figures'})"
    )
    return 0
