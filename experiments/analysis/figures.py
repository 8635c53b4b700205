"""The figures, each drawn from a table the statistics made and saved as a PNG.

- :func:`heatmap`: a metric's mean per cell of the two main varied parameters;
- :func:`lines`: a metric's mean and 95% band along one parameter, a line per group;
- :func:`regime_map`: the dominant regime per cell (or regime shares as bars);
- :func:`sobol_figure`, :func:`morris_figure`: sensitivity indices.

Titles and axis words come from the metric and parameter definitions
(:mod:`experiments.analysis.labels`), numbers from ``simulation.text.show``. Shares
of runs are written as whole percentages (``62%``): a different format, not a
different precision of the same values. Figures are drawn with matplotlib's
object interface (no pyplot, no global state), so they are safe in any process.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import textwrap
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, TwoSlopeNorm, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from experiments.analysis.axes import Axis
from experiments.analysis.labels import (
    metric_axis,
    metric_title,
    metric_unit,
    param_label,
    short_param,
    wrap,
)
from experiments.analysis.load import Sweep
from experiments.analysis.settings import MORRIS_LABELS
from experiments.regimes import REGIMES
from simulation.metrics import METRIC_BY_NAME
from simulation.params import PARAM_BY_NAME, Param
from simulation.text import show

SMOOTH_BINS = 12  # bins (of equal numbers of runs) of the running median in scatter plots
PARITY = "participation_parity"  # a ratio: 1 is parity, so its colour scale diverges there


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches with its own Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _sign(fig: Figure, text: str) -> None:
    """A small grey source line at the bottom, in a margin kept free of the axes."""
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    fig.text(0.005, 0.005, text, fontsize=7, color="grey", va="bottom")


def _footer(sweep: Sweep, extra: str = "") -> str:
    bits = [f"sweep {sweep.name}", f"{sweep.kind} design", f"{len(sweep.ok)} runs"]
    return ", ".join(bits) + (f"; {extra}" if extra else "")


def _save(fig: Figure, sweep: Sweep, path: Path, extra: str = "") -> None:
    _sign(fig, _footer(sweep, extra))
    fig.savefig(path, format="png", dpi=100)


def _cell_axes(ax: Axes, ax_x: Axis, ax_y: Axis) -> None:
    """Ticks and titles of a cell grid with ``ax_x`` across and ``ax_y`` up."""
    ax.set_xticks(range(len(ax_x.labels)), ax_x.labels, rotation=30 if ax_x.binned else 0)
    ax.set_yticks(range(len(ax_y.labels)), ax_y.labels)
    ax.set_xlabel(param_label(ax_x.param, 45))
    ax.set_ylabel(param_label(ax_y.param, 40))


def metric_norm(metric: str, values: np.ndarray) -> tuple[Normalize, str]:
    """The colour scale of ``metric``: its norm and colour map, anchored to its meaning.

    ``participation_parity``: diverging around 1 (parity), from 0 to at least 2.
    A metric with a finite range (``Metric.low..high``, 0-1 for shares): that range.
    Otherwise from the low end (or the smallest value) to the largest value.
    """
    m = METRIC_BY_NAME[metric]
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    if metric == PARITY:
        return TwoSlopeNorm(vcenter=1.0, vmin=0.0, vmax=max(2.0, min(top, m.high))), "RdBu"
    if math.isfinite(m.low) and math.isfinite(m.high):
        return Normalize(m.low, m.high), "viridis"
    low = m.low if math.isfinite(m.low) else float(finite.min()) if finite.size else 0.0
    return Normalize(low, max(top, low + 1e-9)), "viridis"


def _panel_grid(
    facets: list[Axis], width: float, height: float
) -> tuple[Figure, list[tuple[Axes, dict[str, int], str]]]:
    """A figure with one panel per combination of the facets' levels (columns: the first).

    Each panel comes with its levels (``{column: index}``) and a title.
    """
    cols_axis = facets[0] if facets else None
    rows_axis = facets[1] if len(facets) > 1 else None
    ncols = len(cols_axis.labels) if cols_axis else 1
    nrows = len(rows_axis.labels) if rows_axis else 1
    fig = new_figure(width * ncols + 1.2, height * nrows + 0.8)
    grid = fig.subplots(nrows, ncols, squeeze=False)
    panels = []
    for r in range(nrows):
        for c in range(ncols):
            where, words = {}, []
            for axis, k in ((cols_axis, c), (rows_axis, r)):
                if axis is not None:
                    where[axis.column] = k
                    words.append(f"{axis.param} = {axis.labels[k]}")
            panels.append((grid[r][c], where, ", ".join(words)))
    return fig, panels


def _inner_labels(ax: Axes) -> None:
    """Axis titles on the outer panels only: the left column and the bottom row."""
    spec = ax.get_subplotspec()
    if spec is not None and not spec.is_first_col():
        ax.set_ylabel("")
    if spec is not None and not spec.is_last_row():
        ax.set_xlabel("")


def _select(table: pd.DataFrame, where: dict[str, int]) -> pd.DataFrame:
    for column, k in where.items():
        table = table[table[column] == k]
    return table


def heatmap(
    sweep: Sweep,
    cells: pd.DataFrame,
    ax_x: Axis,
    ax_y: Axis,
    metric: str,
    path: Path,
    pooled: str,
    facets: list[Axis] | None = None,
) -> Figure:
    """Mean of ``metric`` per cell of the two axes, numbers in the cells.

    One panel per level of each facet (small multiples), all on one colour scale
    (:func:`metric_norm`) with one colour bar.
    """
    facets = facets or []
    norm, cmap_name = metric_norm(metric, cells[f"{metric}_mean"].to_numpy(dtype=float))
    cmap = colormaps[cmap_name]
    fig, panels = _panel_grid(
        facets, 1.0 + 1.1 * max(len(ax_x.labels), 2), 1.3 + 0.7 * max(len(ax_y.labels), 2)
    )
    for ax, where, words in panels:
        grid = np.full((len(ax_y.labels), len(ax_x.labels)), np.nan)
        for row in _select(cells, where).to_dict("records"):
            grid[int(row[ax_y.column]), int(row[ax_x.column])] = row[f"{metric}_mean"]
        image = ax.imshow(
            np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto", origin="lower"
        )
        _cell_numbers(ax, grid, norm, cmap)
        _cell_axes(ax, ax_x, ax_y)
        _inner_labels(ax)
        if words:
            ax.set_title(words, fontsize=10)
    bar = fig.colorbar(image, ax=[a for a, _, _ in panels])
    bar.set_label(metric_axis(metric))
    if metric == PARITY:
        bar.ax.axhline(1.0, color="black", linewidth=1.5)
        ticks = [t for t in bar.get_ticks() if norm.vmin <= t <= norm.vmax]
        bar.set_ticks(ticks, labels=["1 = parity" if t == 1 else show(t) for t in ticks])
    fig.suptitle(
        metric_title(metric) + "\n" + wrap(f"mean over runs per cell{pooled}", 90), fontsize=11
    )
    _save(fig, sweep, path)
    return fig


def _cell_numbers(ax: Axes, grid: np.ndarray, norm: Normalize, cmap) -> None:
    """Each cell's value written in it, black on light colours and white on dark."""
    for (i, j), value in np.ndenumerate(grid):
        if np.isfinite(value):
            r, g, b, _ = cmap(norm(value))
            colour = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
            ax.text(j, i, show(value), ha="center", va="center", fontsize=10, color=colour)
        else:
            ax.text(j, i, "no runs", ha="center", va="center", fontsize=8, color="grey")


def lines(
    sweep: Sweep,
    cells: pd.DataFrame,
    ax_x: Axis,
    ax_g: Axis | None,
    metric: str,
    path: Path,
    pooled: str,
    facets: list[Axis] | None = None,
) -> Figure:
    """Mean of ``metric`` along one varied parameter, a line (with 95% CI band) per group.

    Along a categorical parameter (choices, yes/no), points with 95% error bars, side
    by side per group, not joined by lines. One panel per level of each facet, all
    on the same y range.
    """
    facets = facets or []
    fig, panels = _panel_grid(facets, 5.2 if facets else 7.3, 4.0 if facets else 4.4)
    for ax, where, words in panels:
        _line_panel(ax, _select(cells, where), ax_x, ax_g, metric)
        if words:
            ax.set_title(words, fontsize=10)
        _inner_labels(ax)
    low = min(ax.get_ylim()[0] for ax, _, _ in panels)
    high = max(ax.get_ylim()[1] for ax, _, _ in panels)
    for ax, _, _ in panels:
        ax.set_ylim(low, high)
    if ax_g is not None:
        panels[0][0].legend(title=short_param(ax_g.param), fontsize=9, title_fontsize=9)
    kind = "band" if ax_x.numeric else "interval"
    fig.suptitle(
        metric_title(metric) + "\n" + wrap(f"mean and 95% confidence {kind} over runs{pooled}"),
        fontsize=11,
    )
    _save(fig, sweep, path)
    return fig


def _line_panel(ax: Axes, cells: pd.DataFrame, ax_x: Axis, ax_g: Axis | None, metric: str) -> None:
    groups = range(len(ax_g.labels)) if ax_g is not None else [None]
    colours = colormaps["viridis"]
    n_groups = len(ax_g.labels) if ax_g is not None else 1
    for k in groups:
        part = cells if k is None else cells[cells[ax_g.column] == k]
        part = part.sort_values(ax_x.column)
        if part.empty:
            continue
        x = [ax_x.positions[i] for i in part[ax_x.column]]
        low, high = part[f"{metric}_ci_low"].to_numpy(), part[f"{metric}_ci_high"].to_numpy()
        colour = "tab:blue" if k is None else colours(0.1 + 0.8 * k / max(n_groups - 1, 1))
        label = None if k is None else ax_g.labels[k]
        mean = part[f"{metric}_mean"].to_numpy()
        if ax_x.numeric:
            ax.plot(x, mean, marker="o", color=colour, label=label)
            ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
        else:  # unordered levels: points with error bars side by side, never joined
            shift = 0.0 if k is None else 0.5 * (k + 0.5) / n_groups - 0.25
            bars = np.vstack([mean - low, high - mean])
            ax.errorbar(
                np.add(x, shift), mean, yerr=bars, fmt="o", color=colour, capsize=3, label=label
            )
    ax.set_xticks(ax_x.positions, ax_x.labels, rotation=30 if ax_x.binned else 0)
    ax.set_xlabel(param_label(ax_x.param, 45))
    ax.set_ylabel(metric_axis(metric))
    ax.grid(alpha=0.3)
    if metric == PARITY:
        ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")


def scatter(sweep: Sweep, ok: pd.DataFrame, params: list[str], metric: str, path: Path) -> Figure:
    """``metric`` of every run against each of ``params``, with a running median.

    For designs that sample a continuous space (lhs, sobol, morris), where a binned
    heatmap would be mostly empty. The median is taken in ``SMOOTH_BINS`` bins of equal
    numbers of runs along x; categorical parameters get their level medians as bars.
    """
    fig = new_figure(1.0 + 4.2 * max(len(params), 1), 4.6)
    axes = np.atleast_1d(fig.subplots(1, max(len(params), 1), squeeze=False)).ravel()
    for ax, param in zip(axes, params, strict=False):
        y = ok[metric].to_numpy(dtype=float)
        x, ticks = _scatter_x(ok[param], PARAM_BY_NAME.get(param))
        ax.scatter(x, y, s=8, alpha=0.35, color="tab:blue", linewidths=0)
        if ticks is None:
            order = np.argsort(x)
            groups = np.array_split(order, min(SMOOTH_BINS, max(len(order) // 5, 1)))
            mx = [float(np.median(x[g])) for g in groups if len(g)]
            my = [float(np.median(y[g])) for g in groups if len(g)]
            ax.plot(mx, my, color="tab:red", linewidth=2, label="running median")
        else:
            for k in range(len(ticks)):
                ax.hlines(np.median(y[np.round(x) == k]), k - 0.3, k + 0.3, color="tab:red", lw=2)
            ax.set_xticks(range(len(ticks)), ticks)
        _metric_range(ax, metric, y)
        ax.set_xlabel(textwrap.fill(short_param(param), 40))
        ax.set_ylabel(metric_axis(metric))
        ax.grid(alpha=0.3)
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize=8)
    fig.suptitle(metric_title(metric) + "\n" + "every run (dots) and the median (red)", fontsize=11)
    _save(fig, sweep, path)
    return fig


def _metric_range(ax: Axes, metric: str, values: np.ndarray) -> None:
    """The y range of :func:`metric_norm` for a bounded metric or parity (marked at 1)."""
    m = METRIC_BY_NAME[metric]
    if metric == PARITY or (math.isfinite(m.low) and math.isfinite(m.high)):
        norm, _ = metric_norm(metric, values)
        ax.set_ylim(norm.vmin, norm.vmax)
    if metric == PARITY:
        ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")


def _scatter_x(values: pd.Series, param: Param | None) -> tuple[np.ndarray, list[str] | None]:
    """Numeric x positions of a parameter's values; for categories, jittered level indices.

    Categories in the schema's order of choices (then sorted), yes/no as false, true.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float), None
    present = list(pd.unique(values.dropna()))
    order = list(param.choices) if param is not None and param.kind == "choice" else []
    levels = [v for v in order if v in present] + sorted(
        (v for v in present if v not in order), key=str
    )
    index = values.map({v: i for i, v in enumerate(levels)}).to_numpy(dtype=float)
    jitter = np.random.default_rng(0).uniform(-0.2, 0.2, len(index))
    return index + jitter, [show(v) for v in levels]


def regime_map(
    sweep: Sweep,
    shares: pd.DataFrame,
    ax_x: Axis | None,
    ax_y: Axis | None,
    path: Path,
    pooled: str,
    facets: list[Axis] | None = None,
) -> Figure:
    """Where each regime appears: the dominant regime per cell, with the shares written in.

    One panel per level of each facet (small multiples). With fewer than two axes,
    stacked bars of the regime shares per level instead.
    """
    if ax_x is not None and ax_y is not None:
        fig, panels = _panel_grid(
            facets or [], 1.0 + 2.3 * max(len(ax_x.labels), 2), 1.4 + 1.0 * max(len(ax_y.labels), 2)
        )
        for ax, where, words in panels:
            _regime_cells(ax, _select(shares, where), ax_x, ax_y)
            _inner_labels(ax)
            if words:
                ax.set_title(words, fontsize=10)
        fig.suptitle(
            "Regimes: the dominant regime per cell (colour; paler = less dominant)\n"
            + wrap(f"and the share of runs in each{pooled}", 90),
            fontsize=11,
        )
    else:
        fig, ax = _regime_bars(shares, ax_x, pooled)
    present = [r for r in REGIMES if shares[f"share_{r.name}"].sum() > 0]
    handles = [Patch(color=r.color, label=r.label) for r in present]
    fig.legend(handles=handles, title="regime", loc="outside right upper", fontsize=9)
    _save(fig, sweep, path, "rules in docs/regimes.md")
    return fig


def _regime_cells(ax: Axes, shares: pd.DataFrame, ax_x: Axis, ax_y: Axis) -> None:
    share_cols = [f"share_{r.name}" for r in REGIMES]
    image = np.ones((len(ax_y.labels), len(ax_x.labels), 4))
    for row in shares.to_dict("records"):
        i, j = int(row[ax_y.column]), int(row[ax_x.column])
        values = np.array([row[c] for c in share_cols])
        if values.sum() <= 0:
            continue
        top = int(np.argmax(values))
        colour = to_rgba(REGIMES[top].color)
        # Paler when the dominant regime holds in fewer of the runs.
        image[i, j] = (*[1 - (1 - c) * (0.35 + 0.65 * values[top]) for c in colour[:3]], 1)
        ax.text(
            j,
            i + 0.12,
            f"{REGIMES[top].label}\n{values[top]:.0%}",
            ha="center",
            va="center",
            fontsize=8.5,
            fontweight="bold",
        )
        order = np.argsort(-values)
        rest = [f"{REGIMES[t].label} {values[t]:.0%}" for t in order[1:3] if values[t] >= 0.1]
        if rest:
            ax.text(j, i - 0.22, "\n".join(rest), ha="center", va="center", fontsize=7.5)
    ax.imshow(image, aspect="auto", origin="lower")
    for edge in range(len(ax_x.labels) + 1):
        ax.axvline(edge - 0.5, color="white", linewidth=2)
    for edge in range(len(ax_y.labels) + 1):
        ax.axhline(edge - 0.5, color="white", linewidth=2)
    _cell_axes(ax, ax_x, ax_y)


def _regime_bars(shares: pd.DataFrame, ax_x: Axis | None, pooled: str) -> tuple[Figure, Axes]:
    labels = ax_x.labels if ax_x is not None else ["all runs"]
    fig = new_figure(2.5 + 1.1 * max(len(labels), 3), 5.0)
    ax = fig.add_subplot()
    bottom = np.zeros(len(labels))
    ordered = shares.sort_values(ax_x.column) if ax_x is not None else shares
    index = ordered[ax_x.column].to_numpy() if ax_x is not None else np.array([0])
    for r in REGIMES:
        height = np.zeros(len(labels))
        height[index] = ordered[f"share_{r.name}"].to_numpy()
        ax.bar(range(len(labels)), height, bottom=bottom, color=r.color, width=0.7)
        for k, (h, b) in enumerate(zip(height, bottom, strict=True)):
            if h >= 0.08:
                ax.text(k, b + h / 2, f"{h:.0%}", ha="center", va="center", fontsize=8)
        bottom += height
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of runs")
    ax.set_xlabel(ax_x.title if ax_x is not None else "")
    ax.set_title(wrap(f"Regimes: share of runs in each{pooled}", 60), fontsize=11)
    return fig, ax


def _panels(table: pd.DataFrame, metrics: list[str], height: float, per_row: float):
    """A figure with one panel per shown metric (three a row); unused panels switched off."""
    shown = [m for m in metrics if m in set(table["metric"])]
    cols = min(3, len(shown))
    rows = math.ceil(len(shown) / cols)
    fig = new_figure(5.0 * cols, height + per_row * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax in axes[len(shown) :]:
        ax.set_axis_off()
    return fig, list(zip(axes, shown, strict=False)), axes


def _panel_title(ax: Axes, metric: str) -> None:
    ax.set_title(f"{metric}\n" + textwrap.shorten(metric_title(metric), 55), fontsize=9)


def sobol_figure(sweep: Sweep, table: pd.DataFrame, metrics: list[str], path: Path) -> None:
    """First-order and total Sobol indices with 95% intervals, one panel per metric."""
    names = list(dict.fromkeys(table["parameter"]))
    fig, panels, axes = _panels(table, metrics, 0.9, 0.42 * len(names) + 1.0)
    y = np.arange(len(names))
    for ax, metric in panels:
        part = table[table["metric"] == metric].set_index("parameter").reindex(names)
        for shift, key, label, colour in (
            (-0.2, "S1", "first-order (S1)", "tab:blue"),
            (0.2, "ST", "total (ST)", "tab:orange"),
        ):
            ax.barh(
                y + shift,
                part[key],
                0.4,
                xerr=part[f"{key}_conf"],
                label=label,
                color=colour,
                capsize=2,
            )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        _panel_title(ax, metric)
        ax.set_xlabel("share of variance")
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(
        "Sobol sensitivity: share of each metric's variance due to each parameter "
        "(bars: 95% intervals)"
    )
    _save(fig, sweep, path)


def morris_figure(sweep: Sweep, table: pd.DataFrame, metrics: list[str], path: Path) -> None:
    """Morris screening: mu* (overall influence) against sigma (interactions, non-linearity)."""
    fig, panels, _ = _panels(table, metrics, 0.8, 4.0)
    for ax, metric in panels:
        part = table[table["metric"] == metric]
        ax.errorbar(
            part["mu_star"],
            part["sigma"],
            xerr=part["mu_star_conf"],
            fmt="o",
            color="tab:blue",
            ecolor="tab:grey",
            capsize=2,
        )
        # Name the most influential parameters; the rest cluster near the origin.
        for row in part.nlargest(MORRIS_LABELS, "mu_star").itertuples(index=False):
            ax.annotate(
                row.parameter,
                (row.mu_star, row.sigma),
                fontsize=8,
                xytext=(3, 3),
                textcoords="offset points",
            )
        top = float(np.nanmax([part["mu_star"].max(), part["sigma"].max(), 0])) or 1.0
        ax.plot([0, top], [0, top], ":", color="grey", linewidth=0.8)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        unit = metric_unit(metric)
        ax.set_xlabel(f"mu* (mean |elementary effect|, {unit})")
        ax.set_ylabel(f"sigma ({unit})")
        _panel_title(ax, metric)
        ax.grid(alpha=0.3)
    fig.suptitle(
        "Morris screening: influence (mu*, with 95% interval) against interaction "
        f"or non-linearity (sigma); dotted: sigma = mu*; the {MORRIS_LABELS} largest "
        "mu* named (all in morris.csv)"
    )
    _save(fig, sweep, path)


# ------------------------------------------------------------------ make figures

PRODUCERS = Path(__file__).resolve().parents[2] / "docs" / "img" / "figures.toml"


def producers(path: Path = PRODUCERS) -> dict[str, dict[str, str]]:
    """Every image README.md and ``docs/`` show: ``{image: {"make": target, "from": file}}``.

    ``make`` is the make target that draws it; ``from`` (when given) the file that
    target writes, copied to the image by :func:`main` (``{out}``: the sweep folder).
    """
    return tomllib.loads(path.read_text(encoding="utf-8"))["images"]


def main(argv: list[str] | None = None) -> int:
    """``python -m experiments.analysis.figures --out DIR``: copy the drawn figures into docs/.

    Run by ``make figures`` after the targets the images name (docs/img/figures.toml).
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", default="out/headline", help="the analysed headline sweep")
    args = parser.parse_args(argv)
    root = PRODUCERS.parents[2]
    for image, how in producers().items():
        if "from" not in how:
            continue
        source = root / how["from"].format(out=args.out)
        if not source.is_file():
            print(f"error: {source} is missing: run 'make {how['make']}' first", file=sys.stderr)
            return 2
        shutil.copyfile(source, root / image)
        print(f"{image} <- {how['from'].format(out=args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
