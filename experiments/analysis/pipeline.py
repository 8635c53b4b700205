"""The analysis of a sweep folder, from its files to its outputs: compute, draw, write.

:func:`analyze` writes, into the sweep folder (each file staged under a temporary
name, then renamed into place, the report last, so nothing is ever half-written):

- ``summary.csv`` / ``summary.parquet``: per design point, the mean, standard
  deviation and 95% t-interval over replicates of every metric, and the share of
  replicates in each regime (``experiments.regimes``);
- ``regimes.csv``: the regime of every run;
- ``effects.csv``: the effect of every varied parameter (and two-way interaction, in
  grid designs) on every metric, with its interval, p-value and verdict
  (:mod:`experiments.analysis.effects`);
- ``sobol.csv`` / ``morris.csv``: sensitivity indices, for those designs;
- ``figures/*.png``: heatmaps and line plots of the chosen metrics over the two
  main varied parameters (the first two in the spec), a regime map, and Sobol or
  Morris charts;
- ``report.md``: the tables and figures with a short reading computed from the data.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments import store
from experiments.analysis import figures
from experiments.analysis.axes import choose_factors, main_axes, rebin_for_lines
from experiments.analysis.discovery import Clause, analyse_discovery, parse_where
from experiments.analysis.effects import EFFECTS, effects_table
from experiments.analysis.errors import AnalysisError
from experiments.analysis.load import Sweep, check_metrics, load_sweep
from experiments.analysis.report import report_markdown
from experiments.analysis.results import Results
from experiments.analysis.sensitivity import sensitivity_indices
from experiments.analysis.stats import group_stats, regime_shares, summarise
from experiments.analysis.timeseries import analyse_weekly
from experiments.regimes import NEEDED_METRICS, label_runs

REPORT = "report.md"
FIGURES = "figures"
# The figures an analysis draws: an earlier analysis's that this one did not redraw
# (other metrics, another design) are removed, anything else in figures/ is kept.
_OURS = re.compile(
    r"(heatmap|lines|scatter|weekly)-[a-z_-]+\.png|regime-map\.png|sobol\.png|morris\.png"
)


def analyze(
    directory: str | os.PathLike,
    metrics: Sequence[str] | None = None,
    x: str | None = None,
    y: str | None = None,
    facet: Sequence[str] | None = None,
    csv: bool = False,
    where: str | None = None,
) -> Path:
    """Analyse the sweep in ``directory``; return the path of the report it wrote.

    ``where`` (``"<metric> <op> <number> [and ...]"``) adds a condition to scenario
    discovery (:func:`experiments.analysis.discovery.parse_where`).

    ``csv``: also write ``runs.csv``, the rows and columns of ``runs.parquet``.

    ``x``, ``y`` and ``facet`` choose the figures' axes and panels
    (:func:`experiments.analysis.axes.choose_factors`; default: by effect size).

    Raises AnalysisError for bad input; then nothing in ``directory`` has changed.
    """
    clauses = parse_where(where) if where else []
    chosen = check_metrics(metrics)
    sweep = load_sweep(directory)
    absent = [m for m in chosen if m not in sweep.metrics]
    if absent:
        raise AnalysisError(
            f"--metric: '{sweep.path / store.RUNS}' has no column for {', '.join(absent)}"
        )
    stage = sweep.path / f".analyze-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    figures_dir = sweep.path / FIGURES
    made_figures_dir = False
    try:
        stage.mkdir()
        (stage / FIGURES).mkdir()
        written = write_all(compute(sweep, chosen, x, y, facet), stage, clauses)
        if csv:
            written.insert(0, write_runs_csv(sweep, stage))
        if not figures_dir.is_dir():
            figures_dir.mkdir()
            made_figures_dir = True
        # Figures and tables first, the report (which references them) last.
        for rel in sorted(written, key=lambda r: r == REPORT):
            os.replace(stage / rel, sweep.path / rel)
        for stale in figures_dir.glob("*.png"):
            if f"{FIGURES}/{stale.name}" not in written and _OURS.fullmatch(stale.name):
                stale.unlink(missing_ok=True)
    except OSError as err:
        if made_figures_dir and not any(figures_dir.iterdir()):
            figures_dir.rmdir()
        raise AnalysisError(f"cannot write to '{sweep.path}': {err.strerror or err}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return sweep.path / REPORT


def compute(
    sweep: Sweep,
    chosen: list[str],
    x: str | None = None,
    y: str | None = None,
    facet: Sequence[str] | None = None,
) -> Results:
    """Every table the outputs are made of: regimes, summary, cells, shares, sensitivity."""
    notes = list(sweep.notes)
    labelled = all(m in sweep.runs.columns for m in NEEDED_METRICS)
    if labelled:
        regimes = label_runs(sweep.runs)
    else:
        regimes = pd.Series([None] * len(sweep.runs), index=sweep.runs.index, dtype=object)
        notes.append(
            "regimes skipped: the run table lacks "
            + ", ".join(m for m in NEEDED_METRICS if m not in sweep.runs.columns)
        )
    ok = sweep.ok.assign(regime=regimes.loc[sweep.ok.index])
    params, facet_params = choose_factors(sweep, ok, chosen, x, y, facet)
    axes, facets = main_axes(sweep, ok, params, facet_params)
    keys = [a.column for a in axes + facets]
    cells = group_stats(ok, keys, chosen).reset_index() if axes else None
    if not axes:
        notes.append("no varied parameter: heatmaps and line plots skipped")
    if len(axes) == 1:
        notes.append("one varied parameter: heatmaps skipped (they need two)")
    sens = None
    if sweep.kind in ("sobol", "morris"):
        sens, sens_notes = sensitivity_indices(sweep, chosen)
        notes += sens_notes
    return Results(
        sweep=sweep,
        chosen=chosen,
        regimes=regimes,
        summary=summarise(sweep, regimes),
        ok=ok,
        axes=axes,
        facets=facets,
        cells=cells,
        shares=regime_shares(ok, keys) if labelled else None,
        sensitivity=sens,
        effects=effects_table(sweep),
        notes=notes,
    )


def write_all(results: Results, stage: Path, where: list[Clause] | None = None) -> list[str]:
    """Write the tables, figures and report under ``stage``; return the relative paths.

    ``where``: the ``--where`` condition, a target of scenario discovery besides the regimes.
    """
    written = write_tables(results, stage)
    written += analyse_discovery(results, stage, where)
    written += analyse_weekly(results, stage)
    draw(results, stage)
    for group in results.figures.values():
        written += group
    (stage / REPORT).write_text(report_markdown(results, written), encoding="utf-8")
    return [*written, REPORT]


def write_runs_csv(sweep: Sweep, stage: Path) -> str:
    """``runs.csv``: ``runs.parquet`` as it is on disk, every row and column, as CSV
    (floats written in full, so they read back exactly); the name written."""
    pd.read_parquet(sweep.path / store.RUNS).to_csv(stage / store.RUNS_CSV, index=False)
    return store.RUNS_CSV


def write_tables(results: Results, stage: Path) -> list[str]:
    """summary.csv/.parquet, regimes.csv and the sensitivity table; the names written."""
    sweep = results.sweep
    results.summary.to_csv(stage / "summary.csv", index=False)
    results.summary.to_parquet(stage / "summary.parquet", index=False)
    keep = [
        c
        for c in ("run_id", "point_id", "replicate", "seed", *sweep.varied, "status")
        if c in sweep.runs.columns
    ]
    sweep.runs[keep].assign(regime=results.regimes).to_csv(stage / "regimes.csv", index=False)
    written = ["summary.csv", "summary.parquet", "regimes.csv"]
    if results.effects is not None:
        results.effects.to_csv(stage / EFFECTS, index=False)
        written.append(EFFECTS)
    if results.sensitivity is not None:
        results.sensitivity.to_csv(stage / f"{sweep.kind}.csv", index=False)
        written.append(f"{sweep.kind}.csv")
    return written


def draw(results: Results, stage: Path) -> None:
    """Draw every figure under ``stage``, recording each in ``results.figures``."""
    sweep, axes, pooled = results.sweep, results.axes, results.pooled
    drawn = results.figures
    for metric in results.chosen if axes else ():
        if len(axes) == 2 and any(a.binned for a in axes):
            # A sampled continuous space: every run as a dot, not mostly empty bins.
            rel = f"{FIGURES}/scatter-{metric}.png"
            figures.scatter(sweep, results.ok, [a.param for a in axes], metric, stage / rel)
            drawn["scatter"].append(rel)
        elif len(axes) == 2:
            rel = f"{FIGURES}/heatmap-{metric}.png"
            figures.heatmap(
                sweep, results.cells, axes[0], axes[1], metric, stage / rel, pooled, results.facets
            )
            drawn["heatmap"].append(rel)
        _draw_lines(results, metric, stage)
    if results.shares is not None:
        rel = f"{FIGURES}/regime-map.png"
        ax_x = axes[0] if axes else None
        ax_y = axes[1] if len(axes) == 2 else None
        figures.regime_map(sweep, results.shares, ax_x, ax_y, stage / rel, pooled, results.facets)
        drawn["regimes"].append(rel)
    if results.sensitivity is not None:
        rel = f"{FIGURES}/{sweep.kind}.png"
        draw_indices = figures.sobol_figure if sweep.kind == "sobol" else figures.morris_figure
        draw_indices(sweep, results.sensitivity, results.chosen, stage / rel)
        drawn["sensitivity"].append(rel)


def _draw_lines(results: Results, metric: str, stage: Path) -> None:
    """The line plot of ``metric`` along the x axis, a line per level of the y axis.

    A panel per level of each panel factor, as the heatmaps.
    """
    sweep, axes, ok, facets = results.sweep, results.axes, results.ok, results.facets
    if len(axes) == 2 and axes[1].binned:
        lx, lg, levels = rebin_for_lines(sweep, ok, axes)
        keys = [lx.column, lg.column, *(f.column for f in facets)]
        line_cells = group_stats(ok.assign(**levels), keys, [metric])
    else:
        lx, lg = axes[0], (axes[1] if len(axes) == 2 else None)
        line_cells = group_stats(ok, [a.column for a in axes + facets], [metric])
    rel = f"{FIGURES}/lines-{metric}.png"
    figures.lines(
        sweep, line_cells.reset_index(), lx, lg, metric, stage / rel, results.pooled, facets
    )
    results.figures["lines"].append(rel)
