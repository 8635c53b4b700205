"""``coprod analyze DIR``: tables, figures, regimes and a plain report for a finished sweep.

Input is a directory written by ``coprod sweep SPEC.toml --out DIR``:

- ``runs.parquet``: one row per run (``run_id``, ``point_id``, ``replicate``, ``seed``,
  every parameter, every final metric, ``status``, ``error``);
- ``manifest.json``: ``spec`` (the parsed spec) and ``design`` (``design``, ``varied``
  and, for Sobol and Morris designs, SALib's ``problem``);
- ``timeseries.parquet`` (optional; not read here).

Output, in the same directory (each file staged under a temporary name, then
renamed into place, the report last, so nothing is ever half-written):

- ``summary.csv`` / ``summary.parquet``: per design point, the mean, standard
  deviation and 95% t-interval over replicates of every metric, and the share of
  replicates in each regime (``experiments.regimes``);
- ``regimes.csv``: the regime of every run;
- ``sobol.csv`` / ``morris.csv``: sensitivity indices, for those designs;
- ``figures/*.png``: heatmaps and line plots of the chosen metrics over the two
  main varied parameters (the first two in the spec), a regime map, and Sobol or
  Morris charts;
- ``report.md``: the tables and figures with a short reading computed from the data.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import math
import os
import re
import secrets
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Headline metrics plotted when --metric is not given: participation and equity,
# knowledge, relations, burden and cost, and each rationale's satisfaction.
DEFAULT_METRICS: tuple[str, ...] = (
    "participation_parity",
    "participation_lay",
    "experiential_share",
    "insights_unexpected",
    "insights_lay_origin",
    "cross_role_ties",
    "mean_trust",
    "unpaid_lay_hours",
    "programme_cost",
    "satisfaction_rights",
    "satisfaction_managerial",
    "satisfaction_experience",
)
CI_LEVEL = 0.95
HEATMAP_BINS = 5  # bins per axis for a continuous parameter in lhs/sobol/morris designs
LINE_BINS = 6  # bins along the x axis of a line plot, ditto
GROUP_BINS = 3  # bins of the second parameter (one line each), ditto
MAX_LEVELS = 8  # a parameter with more distinct values than this is binned (non-grid designs)
MORRIS_LABELS = 5  # parameters named in each Morris panel
MAX_TABLE_POINTS = 40  # the report's per-point table is left to summary.csv beyond this
REQUIRED_COLUMNS = ("run_id", "point_id", "status")
_OURS = re.compile(r"(heatmap|lines)-[a-z_]+\.png|regime-map\.png|sobol\.png|morris\.png")


class AnalyzeError(ValueError):
    """Bad input to the analysis: a missing or malformed sweep directory, an unknown metric."""


# --------------------------------------------------------------------------- command line


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
    parser.set_defaults(func=cmd_analyze)
    return parser


def cmd_analyze(args: argparse.Namespace) -> int:
    from experiments.cli import CliError

    try:
        report = analyze(args.dir, metrics=args.metrics)
    except AnalyzeError as err:
        raise CliError(str(err)) from None
    figures = set(re.findall(r"\]\((figures/[^)]+\.png)\)", report.read_text(encoding="utf-8")))
    print(
        f"wrote {report} (with summary.csv, summary.parquet, regimes.csv and "
        f"{len(figures)} figures in {report.parent / 'figures'})"
    )
    return 0


# --------------------------------------------------------------------------- loading


@dataclass
class Sweep:
    """A sweep directory, read and checked."""

    path: Path
    runs: Any  # pandas.DataFrame: every run
    ok: Any  # pandas.DataFrame: the runs with status "ok"
    manifest: dict
    design: dict  # manifest["design"]
    kind: str  # grid | lhs | sobol | morris
    name: str
    scenario: str | None
    fixed: dict[str, Any]
    factors: dict[str, dict]  # varied name -> {"values": [...]} or {"min": .., "max": ..}
    varied: list[str]
    metrics: list[str]  # every metric column present
    notes: list[str] = field(default_factory=list)  # what the loader had to assume


def check_metrics(names: Sequence[str] | None) -> list[str]:
    """The chosen metrics, each checked against ``simulation.metrics`` (did-you-mean)."""
    from simulation.metrics import METRIC_NAMES

    if not names:
        return list(DEFAULT_METRICS)
    out: list[str] = []
    for name in names:
        name = name.strip()
        if name not in METRIC_NAMES:
            close = difflib.get_close_matches(name, METRIC_NAMES, n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise AnalyzeError(
                f"--metric: unknown metric '{name}'{hint}; known: " + ", ".join(METRIC_NAMES)
            )
        if name not in out:
            out.append(name)
    return out


def load_sweep(directory: str | os.PathLike) -> Sweep:
    """Read and check ``runs.parquet`` and ``manifest.json``; AnalyzeError when unusable."""
    import pandas as pd

    from simulation.metrics import METRIC_NAMES
    from simulation.params import PARAM_BY_NAME

    text = str(directory)
    if not text.strip():
        raise AnalyzeError("DIR: expected a sweep directory, got ''")
    path = Path(text).expanduser()
    if not path.exists():
        raise AnalyzeError(
            f"'{path}' does not exist: expected a directory written by "
            "'coprod sweep SPEC.toml --out DIR'"
        )
    if not path.is_dir():
        raise AnalyzeError(f"'{path}' is a file, not a sweep directory")
    missing = [f for f in ("runs.parquet", "manifest.json") if not (path / f).is_file()]
    if missing == ["runs.parquet"] and (path / "parts").is_dir():
        raise AnalyzeError(
            f"the sweep in '{path}' has not finished (no runs.parquet yet); "
            "finish it with 'coprod sweep SPEC.toml --out DIR --resume'"
        )
    if missing:
        raise AnalyzeError(
            f"'{path}' is not a sweep directory: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (write one with "
            "'coprod sweep SPEC.toml --out DIR')"
        )
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AnalyzeError(f"'{path / 'manifest.json'}' is not valid JSON: {err}") from None
    except OSError as err:
        raise AnalyzeError(
            f"'{path / 'manifest.json'}' cannot be read: {err.strerror or err}"
        ) from None
    if not isinstance(manifest, dict):
        raise AnalyzeError(
            f"'{path / 'manifest.json'}': expected a JSON object, got {type(manifest).__name__}"
        )
    try:
        runs = pd.read_parquet(path / "runs.parquet")
    except Exception as err:  # pyarrow raises several types for a damaged file
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        raise AnalyzeError(
            f"'{path / 'runs.parquet'}' cannot be read as Parquet: {reason}"
        ) from None
    lacking = [c for c in REQUIRED_COLUMNS if c not in runs.columns]
    if lacking:
        raise AnalyzeError(
            f"'{path / 'runs.parquet'}' is not a sweep's run table: "
            f"column(s) {', '.join(lacking)} missing"
        )
    if runs.empty:
        raise AnalyzeError(f"'{path / 'runs.parquet'}' has no runs")
    metrics = [m for m in METRIC_NAMES if m in runs.columns]
    if not metrics:
        raise AnalyzeError(f"'{path / 'runs.parquet'}' has no metric columns")

    spec = _dict(manifest.get("spec"))
    design = _dict(manifest.get("design"))
    notes: list[str] = []
    table = _dict(spec.get("sweep"))  # a spec as TOML tables; coprod sweep flattens it
    kind = design.get("design") or spec.get("design") or table.get("design")
    if not kind:
        kind = "grid"
        notes.append("the manifest names no design; read as a grid")
    factors = _factors(design.get("factors")) or _factors(spec.get("vary"))
    varied = design.get("varied")
    if not isinstance(varied, list):
        if factors:
            varied = list(factors)
            notes.append("varied parameters taken from the spec (manifest 'design.varied' missing)")
        else:
            varied = [
                c for c in runs.columns if c in PARAM_BY_NAME and runs[c].nunique(dropna=True) > 1
            ]
            notes.append("varied parameters inferred from the run table (the manifest names none)")
    varied = [v for v in varied if v in runs.columns]
    name = spec.get("name") or table.get("name") or path.name
    scenario = spec.get("scenario") or table.get("scenario")
    fixed = _dict(spec.get("fixed"))
    ok = runs[runs["status"].astype(str) == "ok"].copy()
    if ok.empty:
        first = ""
        if "error" in runs.columns:
            errors = runs["error"].dropna().astype(str)
            first = (
                f" (first error: {' '.join(errors.iloc[0].split())[:160]})" if len(errors) else ""
            )
        raise AnalyzeError(
            f"none of the {len(runs)} runs in '{path / 'runs.parquet'}' "
            f"succeeded; nothing to analyse{first}"
        )
    return Sweep(
        path,
        runs,
        ok,
        manifest,
        design,
        str(kind),
        str(name),
        scenario,
        fixed,
        factors,
        list(varied),
        metrics,
        notes,
    )


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _factors(vary) -> dict[str, dict]:
    """Varied factors as ``{name: {"values": [...]} | {"min", "max"}}``, from either the
    manifest's list of factor records or a spec's ``[vary]`` table."""
    out: dict[str, dict] = {}
    if isinstance(vary, list):
        for f in vary:
            if isinstance(f, dict) and isinstance(f.get("name"), str):
                out[f["name"]] = {k: f[k] for k in ("values", "min", "max") if k in f}
    elif isinstance(vary, dict):
        for name, f in vary.items():
            out[name] = {"values": list(f)} if isinstance(f, list) else _dict(f)
    return out


# --------------------------------------------------------------------------- statistics


def mean_ci(values: Iterable[float], level: float = CI_LEVEL) -> tuple[float, float, float]:
    """Mean and two-sided ``level`` t-interval of ``values`` (NaN bounds when n < 2)."""
    import numpy as np
    from scipy import stats

    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    n = x.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return (mean, mean - half, mean + half)


def _group_stats(frame, keys: list[str], metrics: list[str]):
    """Per group: n, and for each metric mean, sd, ci_low, ci_high (t-interval)."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    grouped = frame.groupby(keys, sort=False, dropna=False)[metrics]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    tcrit = pd.DataFrame(
        stats.t.ppf(0.5 + CI_LEVEL / 2, np.maximum(n.to_numpy() - 1, 1)),
        index=n.index,
        columns=n.columns,
    )
    half = (tcrit * sd / np.sqrt(n)).where(n >= 2)
    parts = {}
    for m in metrics:
        parts[f"{m}_mean"] = mean[m]
        parts[f"{m}_sd"] = sd[m]
        parts[f"{m}_ci_low"] = mean[m] - half[m]
        parts[f"{m}_ci_high"] = mean[m] + half[m]
    out = pd.DataFrame(parts)
    out.insert(0, "n", n[metrics[0]] if metrics else grouped.size())
    return out


def summarise(sweep: Sweep, regimes):
    """The per-point summary table (one row per design point)."""
    import pandas as pd

    from experiments.regimes import REGIME_NAMES

    ok = sweep.ok.assign(regime=regimes.loc[sweep.ok.index])
    base = sweep.runs.groupby("point_id", sort=True)
    table = base[sweep.varied].first() if sweep.varied else pd.DataFrame(index=base.size().index)
    table["n_runs"] = base.size()
    table["n_ok"] = ok.groupby("point_id").size().reindex(table.index).fillna(0).astype(int)
    stats_ = _group_stats(ok, ["point_id"], sweep.metrics).drop(columns="n")
    table = table.join(stats_)
    shares = pd.crosstab(ok["point_id"], ok["regime"], normalize="index")
    for name in REGIME_NAMES:
        table[f"share_{name}"] = shares.get(name, 0.0)
        table[f"share_{name}"] = table[f"share_{name}"].fillna(0.0)
    table["regime"] = [
        _dominant(row, REGIME_NAMES) if n else None
        for (_, row), n in zip(
            table[[f"share_{r}" for r in REGIME_NAMES]].iterrows(), table["n_ok"], strict=True
        )
    ]
    return table.reset_index()


def _dominant(shares, names) -> str | None:
    best = max(shares.to_numpy())
    if not best > 0:
        return None  # no labelled run at this point
    return next(n for n in names if shares[f"share_{n}"] == best)  # ties: precedence order


# --------------------------------------------------------------------------- axes and cells


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


def _spec_levels(sweep: Sweep, name: str) -> list | None:
    levels = sweep.factors.get(name, {}).get("values")
    return list(levels) if isinstance(levels, list) else None


def _fmt_level(value) -> str:
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | type(None)):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def make_axis(sweep: Sweep, frame, param: str, bins: int) -> tuple[Axis, Any]:
    """Lay ``param`` out as levels (grid, categories, few values) or equal-width bins.

    Returns the Axis and a Series of level indices aligned with ``frame``.
    """
    import numpy as np
    import pandas as pd

    from simulation.params import PARAM_BY_NAME

    p = PARAM_BY_NAME.get(param)
    values = frame[param]
    numeric = p is not None and p.kind in ("int", "float")
    distinct = list(pd.unique(values.dropna()))
    ranged = {"min", "max"} <= sweep.factors.get(param, {}).keys()
    continuous = (p is not None and p.kind == "float" and ranged) or len(distinct) > MAX_LEVELS
    if sweep.kind != "grid" and numeric and continuous and len(distinct) > 1:
        x = values.astype(float)
        lo, hi = float(x.min()), float(x.max())
        spec_range = sweep.factors.get(param, {})
        if {"min", "max"} <= spec_range.keys():
            lo, hi = min(lo, float(spec_range["min"])), max(hi, float(spec_range["max"]))
        edges = np.linspace(lo, hi, bins + 1)
        index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
        if p.kind == "int":  # whole numbers in [edge i, edge i+1); the last bin is closed
            firsts = [math.ceil(edges[i]) for i in range(bins)]
            lasts = [math.ceil(edges[i + 1]) - 1 for i in range(bins - 1)] + [math.floor(hi)]
            labels = [
                str(a) if a == b else f"{a}–{b}" if a < b else "none"
                for a, b in zip(firsts, lasts, strict=True)
            ]
        else:
            labels = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(bins)]
        centres = [(edges[i] + edges[i + 1]) / 2 for i in range(bins)]
        axis = Axis(param, f"level_{param}", labels, centres, True, True)
        return axis, pd.Series(index, index=frame.index)
    order = _spec_levels(sweep, param) or []
    if p is not None and p.kind == "choice":
        order = order + [c for c in p.choices if c not in order]
    present = [v for v in order if v in distinct]
    rest = [v for v in distinct if v not in present]
    with contextlib.suppress(TypeError):
        rest = sorted(rest)
    levels = present + rest
    lookup = {_key(v): i for i, v in enumerate(levels)}
    index = values.map(lambda v: lookup.get(_key(v), -1))
    labels = [_fmt_level(v) for v in levels]
    positions = [float(v) for v in levels] if numeric else [float(i) for i in range(len(levels))]
    return Axis(param, f"level_{param}", labels, positions, numeric, False), index


def _key(value):
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------- labels


def param_label(name: str, width: int = 60) -> str:
    from simulation.params import PARAM_BY_NAME

    p = PARAM_BY_NAME.get(name)
    if p is None:
        return name
    unit = f" ({p.unit})" if p.unit else ""
    return "\n".join(textwrap.wrap(f"{name}: {p.help}{unit}", width))


def _wrap(text: str, width: int = 70) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _short_param(name: str) -> str:
    from simulation.params import PARAM_BY_NAME

    p = PARAM_BY_NAME.get(name)
    return f"{name} ({p.unit})" if p is not None and p.unit else name


def metric_title(name: str, width: int = 60) -> str:
    from simulation.metrics import METRIC_BY_NAME

    m = METRIC_BY_NAME[name]
    text = m.help[0].upper() + m.help[1:]
    return "\n".join(textwrap.wrap(text, width))


def metric_axis(name: str) -> str:
    from simulation.metrics import METRIC_BY_NAME

    return f"{name} ({METRIC_BY_NAME[name].unit})"


def _num(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 0.1 or x == 0 else f"{x:.3f}"


def _with_ci(mean: float, low: float, high: float) -> str:
    if math.isfinite(low) and math.isfinite(high):
        return f"{_num(mean)} [{_num(low)}, {_num(high)}]"
    return _num(mean)


# --------------------------------------------------------------------------- figures


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _sign(fig, text: str) -> None:
    """A small grey source line at the bottom, in a margin kept free of the axes."""
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    fig.text(0.005, 0.005, text, fontsize=7, color="grey", va="bottom")


def _footer(sweep: Sweep, extra: str = "") -> str:
    bits = [f"sweep {sweep.name}", f"{sweep.kind} design", f"{len(sweep.ok)} runs"]
    return ", ".join(bits) + (f"; {extra}" if extra else "")


def heatmap(
    sweep: Sweep, cells, ax_x: Axis, ax_y: Axis, metric: str, path: Path, pooled: str
) -> None:
    """Mean of ``metric`` per cell of the two main varied parameters, numbers in the cells."""
    import numpy as np

    grid = np.full((len(ax_y.labels), len(ax_x.labels)), np.nan)
    for row in cells.to_dict("records"):
        i, j = int(row[ax_y.column]), int(row[ax_x.column])
        grid[i, j] = row[f"{metric}_mean"]
    fig = _figure(1.4 + 1.25 * max(len(ax_x.labels), 3), 1.9 + 0.75 * max(len(ax_y.labels), 3))
    ax = fig.add_subplot()
    masked = np.ma.masked_invalid(grid)
    image = ax.imshow(masked, cmap="viridis", aspect="auto", origin="lower")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(metric_axis(metric))
    finite = grid[np.isfinite(grid)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if np.isfinite(grid[i, j]):
                ax.text(
                    j,
                    i,
                    _num(grid[i, j]),
                    ha="center",
                    va="center",
                    fontsize=10,
                    color="black" if grid[i, j] > mid else "white",
                )
            else:
                ax.text(j, i, "no runs", ha="center", va="center", fontsize=8, color="grey")
    ax.set_xticks(range(len(ax_x.labels)), ax_x.labels, rotation=30 if ax_x.binned else 0)
    ax.set_yticks(range(len(ax_y.labels)), ax_y.labels)
    ax.set_xlabel(ax_x.title)
    ax.set_ylabel(textwrap.fill(ax_y.title.replace("\n", " "), 40))
    ax.set_title(
        metric_title(metric) + "\n" + _wrap(f"mean over runs per cell{pooled}"), fontsize=11
    )
    _sign(fig, _footer(sweep))
    fig.savefig(path, format="png", dpi=100)


def lines(
    sweep: Sweep, cells, ax_x: Axis, ax_g: Axis | None, metric: str, path: Path, pooled: str
) -> None:
    """Mean of ``metric`` along one varied parameter, a line (with 95% CI band) per group."""
    from matplotlib import colormaps

    fig = _figure(8.5, 5.2)
    ax = fig.add_subplot()
    groups = range(len(ax_g.labels)) if ax_g is not None else [None]
    colours = colormaps["viridis"]
    n_groups = len(ax_g.labels) if ax_g is not None else 1
    for k in groups:
        part = cells if k is None else cells[cells[ax_g.column] == k]
        part = part.sort_values(ax_x.column)
        if part.empty:
            continue
        x = [ax_x.positions[i] for i in part[ax_x.column]]
        mean = part[f"{metric}_mean"].to_numpy()
        low, high = part[f"{metric}_ci_low"].to_numpy(), part[f"{metric}_ci_high"].to_numpy()
        colour = "tab:blue" if k is None else colours(0.1 + 0.8 * k / max(n_groups - 1, 1))
        label = None if k is None else ax_g.labels[k]
        ax.plot(x, mean, marker="o", color=colour, label=label)
        ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
    ax.set_xticks(ax_x.positions, ax_x.labels, rotation=30 if ax_x.binned else 0)
    ax.set_xlabel(ax_x.title)
    ax.set_ylabel(metric_axis(metric))
    ax.set_title(
        metric_title(metric) + "\n" + _wrap(f"mean and 95% confidence band over runs{pooled}"),
        fontsize=11,
    )
    ax.grid(alpha=0.3)
    if ax_g is not None:
        ax.legend(title=_short_param(ax_g.param), fontsize=9, title_fontsize=9)
    _sign(fig, _footer(sweep))
    fig.savefig(path, format="png", dpi=100)


def regime_map(
    sweep: Sweep, shares, ax_x: Axis | None, ax_y: Axis | None, path: Path, pooled: str
) -> None:
    """Where each regime appears: the dominant regime per cell, with the shares written in."""
    import numpy as np
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    from experiments.regimes import REGIME_BY_NAME, REGIMES

    share_cols = [f"share_{r.name}" for r in REGIMES]
    present = [r for r in REGIMES if shares[f"share_{r.name}"].sum() > 0]
    if ax_x is not None and ax_y is not None:
        fig = _figure(3.0 + 2.1 * max(len(ax_x.labels), 3), 2.4 + 1.0 * max(len(ax_y.labels), 2))
        ax = fig.add_subplot()
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
            order = np.argsort(-values)
            ax.text(
                j,
                i + 0.12,
                f"{REGIMES[top].label}\n{values[top]:.0%}",
                ha="center",
                va="center",
                fontsize=8.5,
                fontweight="bold",
            )
            rest = [f"{REGIMES[t].label} {values[t]:.0%}" for t in order[1:3] if values[t] >= 0.1]
            if rest:
                ax.text(j, i - 0.22, "\n".join(rest), ha="center", va="center", fontsize=7.5)
        ax.imshow(image, aspect="auto", origin="lower")
        for edge in range(len(ax_x.labels) + 1):
            ax.axvline(edge - 0.5, color="white", linewidth=2)
        for edge in range(len(ax_y.labels) + 1):
            ax.axhline(edge - 0.5, color="white", linewidth=2)
        ax.set_xticks(range(len(ax_x.labels)), ax_x.labels, rotation=30 if ax_x.binned else 0)
        ax.set_yticks(range(len(ax_y.labels)), ax_y.labels)
        ax.set_xlabel(ax_x.title)
        ax.set_ylabel(textwrap.fill(ax_y.title.replace("\n", " "), 40))
        ax.set_title(
            "Regimes: the dominant regime per cell (colour; paler = less dominant)\n"
            + _wrap(f"and the share of runs in each{pooled}", 80),
            fontsize=11,
        )
    else:
        labels = ax_x.labels if ax_x is not None else ["all runs"]
        fig = _figure(2.5 + 1.1 * max(len(labels), 3), 5.0)
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
        ax.set_title(_wrap(f"Regimes: share of runs in each{pooled}", 60), fontsize=11)
    handles = [Patch(color=REGIME_BY_NAME[r.name].color, label=r.label) for r in present]
    ax.legend(
        handles=handles, title="regime", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9
    )
    _sign(fig, _footer(sweep, "rules in docs/regimes.md"))
    fig.savefig(path, format="png", dpi=100)


def sobol_figure(sweep: Sweep, table, metrics: list[str], path: Path) -> None:
    """First-order and total Sobol indices with 95% intervals, one panel per metric."""
    import numpy as np

    shown = [m for m in metrics if m in set(table["metric"])]
    cols = min(3, len(shown))
    rows = math.ceil(len(shown) / cols)
    names = list(dict.fromkeys(table["parameter"]))
    fig = _figure(5.0 * cols, 0.9 + (0.42 * len(names) + 1.0) * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    y = np.arange(len(names))
    for ax, metric in zip(axes, shown, strict=False):
        part = table[table["metric"] == metric].set_index("parameter").reindex(names)
        ax.barh(
            y - 0.2,
            part["S1"],
            0.4,
            xerr=part["S1_conf"],
            label="first-order (S1)",
            color="tab:blue",
            capsize=2,
        )
        ax.barh(
            y + 0.2,
            part["ST"],
            0.4,
            xerr=part["ST_conf"],
            label="total (ST)",
            color="tab:orange",
            capsize=2,
        )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_title(
            f"{metric}\n" + textwrap.shorten(metric_title(metric).replace("\n", " "), 55),
            fontsize=9,
        )
        ax.set_xlabel("share of variance")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(shown) :]:
        ax.set_axis_off()
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(
        "Sobol sensitivity: share of each metric's variance due to each parameter "
        "(bars: 95% intervals)"
    )
    _sign(fig, _footer(sweep))
    fig.savefig(path, format="png", dpi=100)


def morris_figure(sweep: Sweep, table, metrics: list[str], path: Path) -> None:
    """Morris screening: mu* (overall influence) against sigma (interactions, non-linearity)."""
    import numpy as np

    shown = [m for m in metrics if m in set(table["metric"])]
    cols = min(3, len(shown))
    rows = math.ceil(len(shown) / cols)
    fig = _figure(5.0 * cols, 0.8 + 4.0 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, metric in zip(axes, shown, strict=False):
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
        unit = metric_axis(metric).split(" (", 1)[1].rstrip(")")
        ax.set_xlabel(f"mu* (mean |elementary effect|, {unit})")
        ax.set_ylabel(f"sigma ({unit})")
        ax.set_title(
            f"{metric}\n" + textwrap.shorten(metric_title(metric).replace("\n", " "), 55),
            fontsize=9,
        )
        ax.grid(alpha=0.3)
    for ax in axes[len(shown) :]:
        ax.set_axis_off()
    fig.suptitle(
        "Morris screening: influence (mu*, with 95% interval) against interaction "
        f"or non-linearity (sigma); dotted: sigma = mu*; the {MORRIS_LABELS} largest "
        "mu* named (all in morris.csv)"
    )
    _sign(fig, _footer(sweep))
    fig.savefig(path, format="png", dpi=100)


# --------------------------------------------------------------------------- sensitivity


def salib_problem(sweep: Sweep) -> tuple[dict | None, str]:
    """SALib's ``problem`` from the manifest (``design.salib_problem``), else rebuilt from the
    factors: a range gives its bounds, a list of values [0, 1] (as ``coprod sweep`` maps it)."""
    for key in ("salib_problem", "problem"):
        problem = _dict(sweep.design.get(key))
        if problem.get("names") and problem.get("bounds"):
            names = list(problem["names"])
            return (
                {
                    "num_vars": len(names),
                    "names": names,
                    "bounds": [list(map(float, b)) for b in problem["bounds"]],
                },
                f"manifest's design.{key}",
            )
    names, bounds = [], []
    for name in sweep.varied:
        f = sweep.factors.get(name, {})
        if "min" in f and "max" in f:
            bounds.append([float(f["min"]), float(f["max"])])
        elif f.get("values"):
            bounds.append([0.0, 1.0])
        else:
            return None, f"no range or values for '{name}' in the manifest"
        names.append(name)
    if not names:
        return None, "no varied parameters"
    return {"num_vars": len(names), "names": names, "bounds": bounds}, "spec's factors"


def morris_inputs(sweep: Sweep, problem: dict, n_points: int) -> tuple[Any, str]:
    """The Morris sample matrix X (points x factors), or None and the reason.

    First choice: the design's own matrix, rebuilt from the manifest's spec with
    ``experiments.design.Spec.sample_matrix()`` and checked against the run table's
    values; else the run table's values, when every factor is a numeric range.
    """
    import numpy as np

    first = sweep.runs.groupby("point_id")[problem["names"]].first().sort_index()
    try:
        from experiments.design import Spec

        x = np.asarray(Spec.from_canonical(sweep.manifest["spec"]).sample_matrix(), float)
        if x.shape == (n_points, problem["num_vars"]) and _matches(sweep, problem, x, first):
            return x, "the design's sample matrix (experiments.design.Spec.sample_matrix)"
    except Exception:
        pass
    if all(
        {"min", "max"} <= sweep.factors.get(n, {"min": 0, "max": 1}).keys()
        for n in problem["names"]
    ):
        try:
            return first.astype(float).to_numpy(), "the run table's parameter values"
        except (TypeError, ValueError):
            pass
    return None, "no sample matrix: the manifest cannot rebuild it and a factor is not numeric"


def _matches(sweep: Sweep, problem: dict, x, first) -> bool:
    """Whether the range factors of sample ``x`` agree with the values that were run."""
    import numpy as np

    from simulation.params import PARAM_BY_NAME

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


def _point_means(sweep: Sweep, metrics: list[str]):
    points = sorted(sweep.runs["point_id"].unique())
    means = sweep.ok.groupby("point_id")[metrics].mean().reindex(points)
    return points, means


def sensitivity(sweep: Sweep, metrics: list[str]) -> tuple[Any, list[str]]:
    """Sobol or Morris indices of ``metrics`` (a long table), and notes on what was skipped."""
    import warnings

    import numpy as np
    import pandas as pd

    kind = sweep.kind
    notes: list[str] = []
    problem, source = salib_problem(sweep)
    if problem is None:
        return None, [f"{kind} indices skipped: {source}"]
    notes.append(f"SALib problem from the {source}")
    points, means = _point_means(sweep, metrics)
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
    rows = []
    if kind == "morris":
        from SALib.analyze import morris

        missing = [n for n in problem["names"] if n not in sweep.runs.columns]
        if missing:
            return None, [f"morris indices skipped: run table lacks {', '.join(missing)}"]
        x, x_source = morris_inputs(sweep, problem, p)
        if x is None:
            return None, [f"morris indices skipped: {x_source}"]
        spec = _dict(sweep.manifest.get("spec"))
        levels = int(
            sweep.design.get("num_levels")
            or spec.get("levels")
            or _dict(spec.get("sweep")).get("levels")
            or 4
        )
        notes.append(f"Morris inputs X from {x_source}; num_levels = {levels}")
    else:
        from SALib.analyze import sobol
    for metric in metrics:
        y = means[metric].to_numpy(dtype=float)
        if np.isnan(y).any():
            notes.append(f"{metric}: skipped (missing values)")
            continue
        if np.ptp(y) == 0:
            notes.append(f"{metric}: skipped (the same value at every point)")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "morris":
                si = morris.analyze(
                    problem, x, y, num_levels=levels, conf_level=CI_LEVEL, num_resamples=200, seed=0
                )
                for i, name in enumerate(problem["names"]):
                    rows.append(
                        {
                            "metric": metric,
                            "parameter": name,
                            "mu": si["mu"][i],
                            "mu_star": si["mu_star"][i],
                            "mu_star_conf": si["mu_star_conf"][i],
                            "sigma": si["sigma"][i],
                        }
                    )
            else:
                si = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=False,
                    conf_level=CI_LEVEL,
                    num_resamples=200,
                    seed=0,
                )
                for i, name in enumerate(problem["names"]):
                    rows.append(
                        {
                            "metric": metric,
                            "parameter": name,
                            "S1": si["S1"][i],
                            "S1_conf": si["S1_conf"][i],
                            "ST": si["ST"][i],
                            "ST_conf": si["ST_conf"][i],
                        }
                    )
    if not rows:
        return None, [*notes, f"{kind} indices skipped: no metric varied"]
    return pd.DataFrame(rows), notes


# --------------------------------------------------------------------------- reading


def _effects(sweep: Sweep, metric: str) -> list[dict]:
    """For each varied parameter: the spread of ``metric``'s marginal means over its levels."""
    out = []
    for param in sweep.varied:
        axis, index = make_axis(sweep, sweep.ok, param, LINE_BINS)
        frame = sweep.ok.assign(**{axis.column: index})
        st = _group_stats(frame, [axis.column], [metric])
        st = st[st["n"] > 0].dropna(subset=[f"{metric}_mean"])
        if len(st) < 2:
            continue
        lo, hi = st[f"{metric}_mean"].idxmin(), st[f"{metric}_mean"].idxmax()
        low_row, high_row = st.loc[lo], st.loc[hi]
        clear = high_row[f"{metric}_ci_low"] > low_row[f"{metric}_ci_high"]
        out.append(
            {
                "param": param,
                "spread": high_row[f"{metric}_mean"] - low_row[f"{metric}_mean"],
                "low_level": axis.labels[int(lo)],
                "high_level": axis.labels[int(hi)],
                "low": (
                    low_row[f"{metric}_mean"],
                    low_row[f"{metric}_ci_low"],
                    low_row[f"{metric}_ci_high"],
                ),
                "high": (
                    high_row[f"{metric}_mean"],
                    high_row[f"{metric}_ci_low"],
                    high_row[f"{metric}_ci_high"],
                ),
                "clear": bool(clear),
            }
        )
    return sorted(out, key=lambda e: -e["spread"])


def _effect_sentence(sweep: Sweep, metric: str, sens) -> str:
    from simulation.metrics import METRIC_BY_NAME

    m = METRIC_BY_NAME[metric]
    head = f"- **{metric}** ({m.help}; {m.unit}): "
    effects = _effects(sweep, metric)
    if not effects:
        overall = mean_ci(sweep.ok[metric])
        return head + f"{_with_ci(*overall)} over all runs (no varied parameter to compare)."
    top = effects[0]
    text = (
        f"moves most with **{top['param']}**: lowest at {top['param']} = "
        f"{top['low_level']} ({_with_ci(*top['low'])}), highest at {top['high_level']} "
        f"({_with_ci(*top['high'])})"
    )
    if top["clear"]:
        text += "; the 95% intervals do not overlap."
    else:
        text += "; but the 95% intervals overlap, so this sweep shows no clear effect."
    if len(effects) > 1:
        rest = ", ".join(f"{e['param']} {_num(e['spread'])}" for e in effects[1:4])
        text += f" Spread of the means for the other parameters: {rest}."
    if sens is not None:
        part = sens[sens["metric"] == metric]
        if not part.empty:
            if "ST" in part:
                best = part.loc[part["ST"].idxmax()]
                text += (
                    f" Sobol: {best['parameter']} has the largest total index "
                    f"(ST = {best['ST']:.2f} ± {best['ST_conf']:.2f})"
                )
                text += (
                    ", but the interval is wider than the index: more samples needed."
                    if best["ST_conf"] >= best["ST"]
                    else "."
                )
            else:
                best = part.loc[part["mu_star"].idxmax()]
                text += (
                    f" Morris: {best['parameter']} has the largest mu* "
                    f"({_num(best['mu_star'])} ± {_num(best['mu_star_conf'])})."
                )
    return head + text


def _point_name(row, varied: list[str]) -> str:
    if not varied:
        return "the only design point"
    return ", ".join(f"{p} = {_fmt_level(row[p])}" for p in varied)


# --------------------------------------------------------------------------- the analysis


def analyze(directory: str | os.PathLike, metrics: Sequence[str] | None = None) -> Path:
    """Analyse the sweep in ``directory``; return the path of the report it wrote.

    Raises AnalyzeError for bad input; then nothing in ``directory`` has changed.
    """
    chosen = check_metrics(metrics)
    sweep = load_sweep(directory)
    absent = [m for m in chosen if m not in sweep.metrics]
    if absent:
        raise AnalyzeError(
            f"--metric: '{sweep.path / 'runs.parquet'}' has no column for {', '.join(absent)}"
        )
    stage = sweep.path / f".analyze-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    figures_dir = sweep.path / "figures"
    made_figures_dir = False
    try:
        stage.mkdir()
        (stage / "figures").mkdir()
        written = _write_all(sweep, chosen, stage)
        if not figures_dir.is_dir():
            figures_dir.mkdir()
            made_figures_dir = True
        # Figures and tables first, the report (which references them) last.
        for rel in sorted(written, key=lambda r: r == "report.md"):
            os.replace(stage / rel, sweep.path / rel)
        # Figures an earlier analysis wrote (other metrics, another design) would mislead.
        for stale in figures_dir.glob("*.png"):
            if f"figures/{stale.name}" not in written and _OURS.fullmatch(stale.name):
                stale.unlink(missing_ok=True)
    except OSError as err:
        if made_figures_dir and not any(figures_dir.iterdir()):
            figures_dir.rmdir()
        raise AnalyzeError(f"cannot write to '{sweep.path}': {err.strerror or err}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return sweep.path / "report.md"


def _write_all(sweep: Sweep, chosen: list[str], stage: Path) -> list[str]:
    """Compute everything and write it under ``stage``; return the relative paths written."""
    import pandas as pd

    from experiments.regimes import NEEDED_METRICS, REGIME_NAMES, label_runs

    written: list[str] = []
    notes = list(sweep.notes)

    can_label = all(m in sweep.runs.columns for m in NEEDED_METRICS)
    if can_label:
        regimes = label_runs(sweep.runs)
    else:
        regimes = pd.Series([None] * len(sweep.runs), index=sweep.runs.index, dtype=object)
        notes.append(
            "regimes skipped: the run table lacks "
            + ", ".join(m for m in NEEDED_METRICS if m not in sweep.runs.columns)
        )
    summary = summarise(sweep, regimes)
    summary.to_csv(stage / "summary.csv", index=False)
    summary.to_parquet(stage / "summary.parquet", index=False)
    written += ["summary.csv", "summary.parquet"]
    keep = [
        c
        for c in ("run_id", "point_id", "replicate", "seed", *sweep.varied, "status")
        if c in sweep.runs.columns
    ]
    sweep.runs[keep].assign(regime=regimes).to_csv(stage / "regimes.csv", index=False)
    written.append("regimes.csv")

    # The two main varied parameters: the first two in the spec.
    main = sweep.varied[:2]
    ok = sweep.ok.assign(regime=regimes.loc[sweep.ok.index])
    axes: list[Axis] = []
    for _k, param in enumerate(main):
        axis, index = make_axis(sweep, ok, param, HEATMAP_BINS if len(main) == 2 else LINE_BINS)
        ok[axis.column] = index
        axes.append(axis)
    others = sweep.varied[2:]
    pooled = f" (pooled over {', '.join(others)})" if others else ""
    keys = [a.column for a in axes]
    figures: dict[str, list[str]] = {"heatmap": [], "lines": [], "regimes": [], "sensitivity": []}

    if axes:
        cells = _group_stats(ok, keys, chosen).reset_index()
        for metric in chosen:
            if len(axes) == 2:
                rel = f"figures/heatmap-{metric}.png"
                heatmap(sweep, cells, axes[0], axes[1], metric, stage / rel, pooled)
                figures["heatmap"].append(rel)
            if len(axes) == 2 and axes[1].binned:
                line_axes = _rebin_for_lines(sweep, ok, axes)
                line_cells = _group_stats(
                    ok.assign(**line_axes[2]), [a.column for a in line_axes[:2]], [metric]
                ).reset_index()
                lx, lg = line_axes[0], line_axes[1]
            else:
                line_cells, lx = cells, axes[0]
                lg = axes[1] if len(axes) == 2 else None
            rel = f"figures/lines-{metric}.png"
            lines(sweep, line_cells, lx, lg, metric, stage / rel, pooled)
            figures["lines"].append(rel)
    else:
        notes.append("no varied parameter: heatmaps and line plots skipped")
    if len(axes) == 1:
        notes.append("one varied parameter: heatmaps skipped (they need two)")

    shares = None
    if can_label:
        group = keys if keys else None
        frame = ok.assign(_all=0)
        shares = pd.crosstab(
            [frame[k] for k in (group or ["_all"])], frame["regime"], normalize="index"
        )
        for name in REGIME_NAMES:
            if name not in shares:
                shares[name] = 0.0
        shares = shares[list(REGIME_NAMES)].add_prefix("share_").reset_index()
        rel = "figures/regime-map.png"
        regime_map(
            sweep,
            shares,
            axes[0] if axes else None,
            axes[1] if len(axes) == 2 else None,
            stage / rel,
            pooled,
        )
        figures["regimes"].append(rel)

    sens = None
    if sweep.kind in ("sobol", "morris"):
        sens, sens_notes = sensitivity(sweep, chosen)
        notes += sens_notes
        if sens is not None:
            sens.to_csv(stage / f"{sweep.kind}.csv", index=False)
            written.append(f"{sweep.kind}.csv")
            rel = f"figures/{sweep.kind}.png"
            (sobol_figure if sweep.kind == "sobol" else morris_figure)(
                sweep, sens, chosen, stage / rel
            )
            figures["sensitivity"].append(rel)

    for group in figures.values():
        written += group
    report = _report(sweep, chosen, summary, shares, axes, regimes, sens, figures, notes, written)
    (stage / "report.md").write_text(report, encoding="utf-8")
    written.append("report.md")
    return written


def _rebin_for_lines(sweep: Sweep, ok, axes: list[Axis]):
    """Line plots of binned designs: finer bins along x, a few bins (a line each) for the group."""
    ax_x, ix = make_axis(sweep, ok, axes[0].param, LINE_BINS)
    ax_g, ig = make_axis(sweep, ok, axes[1].param, GROUP_BINS)
    ax_x.column, ax_g.column = "level_line_x", "level_line_g"
    return ax_x, ax_g, {"level_line_x": ix, "level_line_g": ig}


# --------------------------------------------------------------------------- report.md


def _report(
    sweep: Sweep, chosen, summary, shares, axes, regimes, sens, figures, notes, written
) -> str:
    from experiments.regimes import REGIME_BY_NAME, REGIMES, rules_markdown
    from simulation.metrics import METRIC_BY_NAME
    from simulation.params import PARAM_BY_NAME

    name = sweep.name
    n_runs, n_ok = len(sweep.runs), len(sweep.ok)
    n_points = sweep.runs["point_id"].nunique()
    sizes = sweep.runs.groupby("point_id").size()
    reps = range(int(sizes.min()), int(sizes.max()) + 1)
    lines_: list[str] = [f"# Sweep analysis: {name}", ""]
    facts = [
        f"{sweep.kind} design",
        f"{n_points} design point{'s' * int(n_points != 1)}",
        (
            f"{reps[0]} replicate{'s' * (reps[0] != 1)} each"
            if len(reps) == 1
            else f"{reps[0]}–{reps[-1]} replicates per point"
        ),
        f"{n_ok} of {n_runs} runs succeeded",
    ]
    if sweep.scenario:
        facts.insert(1, f"scenario `{sweep.scenario}`")
    if "weeks" in sweep.ok.columns:
        weeks = sorted(sweep.ok["weeks"].unique())
        facts.append(f"{', '.join(map(str, weeks))} weeks per run")
    lines_ += [
        "Written by `coprod analyze` from `runs.parquet` and `manifest.json`: "
        + "; ".join(facts)
        + ".",
        "",
    ]
    if sweep.varied:
        lines_ += ["Varied parameters (the first two are the figures' axes):", ""]
        for p in sweep.varied:
            info = PARAM_BY_NAME.get(p)
            factor = sweep.factors.get(p, {})
            if {"min", "max"} <= factor.keys():
                span = f"{_fmt_level(factor['min'])} to {_fmt_level(factor['max'])}"
            elif isinstance(factor.get("values"), list):
                span = ", ".join(_fmt_level(v) for v in factor["values"])
            else:
                span = ", ".join(_fmt_level(v) for v in pd_unique(sweep.runs[p]))
            meaning = (
                f"{info.help}" + (f" ({info.unit})" if info and info.unit else "") if info else ""
            )
            lines_.append(f"- `{p}`: {meaning}; values {span}")
        lines_.append("")
    fixed = sweep.fixed
    if fixed:
        lines_ += [
            "Fixed: " + ", ".join(f"`{k} = {_fmt_level(v)}`" for k, v in fixed.items()) + ".",
            "",
        ]
    failed = sweep.runs[sweep.runs["status"].astype(str) != "ok"]
    if len(failed):
        first = ""
        if "error" in failed.columns and failed["error"].notna().any():
            first = (
                " First error: `"
                + " ".join(str(failed["error"].dropna().iloc[0]).split())[:200]
                + "`."
            )
        lines_ += [
            f"**{len(failed)} run(s) failed** and are left out of every figure and table.{first}",
            "",
        ]

    # ---- the reading
    lines_ += [
        "## What the data say",
        "",
        "Computed from this sweep's runs; a parameter's effect is the spread between "
        "the lowest and highest mean over its levels"
        + (" (bins)" if any(a.binned for a in axes) else "")
        + ", pooling everything else.",
        "",
    ]
    for metric in chosen:
        lines_.append(_effect_sentence(sweep, metric, sens))
    lines_.append("")
    if "participation_parity" in sweep.metrics and summary["n_ok"].gt(0).any():
        valid = summary[summary["n_ok"] > 0]
        lo = valid.loc[valid["participation_parity_mean"].idxmin()]
        hi = valid.loc[valid["participation_parity_mean"].idxmax()]
        col = "participation_parity"
        lines_ += [
            f"Participation parity (1 = disadvantaged lay people attend as often as "
            f"others) is lowest at {_point_name(lo, sweep.varied)}: "
            f"{_with_ci(lo[col + '_mean'], lo[col + '_ci_low'], lo[col + '_ci_high'])}, "
            f"and highest at {_point_name(hi, sweep.varied)}: "
            f"{_with_ci(hi[col + '_mean'], hi[col + '_ci_low'], hi[col + '_ci_high'])}.",
            "",
        ]

    # ---- regimes
    lines_ += ["## Regimes", ""]
    if shares is None:
        lines_ += ["Not computed (see the notes below).", ""]
    else:
        counts = regimes.loc[sweep.ok.index].value_counts()
        parts = [
            f"{REGIME_BY_NAME[r].label} {counts[r] / n_ok:.0%}"
            for r in [x.name for x in REGIMES]
            if r in counts
        ]
        lines_ += [
            f"Each run is labelled with one regime by rules on its metrics, checked in "
            f"order (see `docs/regimes.md`). Of the {n_ok} successful runs: "
            + ", ".join(parts)
            + ".",
            "",
        ]
        if axes:
            share_cols = [f"share_{r.name}" for r in REGIMES]
            dom = shares[share_cols].idxmax(axis=1).str.removeprefix("share_")
            for r in REGIMES:
                where = shares[dom == r.name]
                if where.empty:
                    continue
                cells = [
                    ", ".join(f"{a.param} = {a.labels[int(row[a.column])]}" for a in axes)
                    + f" ({row['share_' + r.name]:.0%})"
                    for _, row in where.iterrows()
                ]
                more = f" and {len(cells) - 8} more" if len(cells) > 8 else ""
                lines_.append(
                    f"- **{r.label}** dominates in {len(cells)} of {len(shares)} "
                    f"cells: " + "; ".join(cells[:8]) + more + "."
                )
            lines_.append("")
        lines_ += [rules_markdown(), ""]
        for rel in figures["regimes"]:
            lines_ += [f"![Regime map]({rel})", ""]

    # ---- sensitivity
    if figures["sensitivity"] or sweep.kind in ("sobol", "morris"):
        lines_ += ["## Sensitivity", ""]
        if sens is not None:
            lines_ += [_sensitivity_table(sens, sweep.kind), ""]
            for rel in figures["sensitivity"]:
                lines_ += [f"![{sweep.kind} indices]({rel})", ""]
        else:
            lines_ += ["Not computed (see the notes below).", ""]

    # ---- figures
    if figures["heatmap"] or figures["lines"]:
        lines_ += ["## Figures", ""]
        for metric in chosen:
            m = METRIC_BY_NAME[metric]
            lines_ += [f"### {metric}: {m.help} ({m.unit})", ""]
            for kind in ("heatmap", "lines"):
                rel = f"figures/{kind}-{metric}.png"
                if rel in figures[kind]:
                    lines_ += [f"![{metric} {kind}]({rel})", ""]

    # ---- per-point table
    lines_ += ["## Means and 95% confidence intervals per design point", ""]
    if len(summary) <= MAX_TABLE_POINTS:
        head = ["point", *sweep.varied, "runs", *chosen]
        lines_ += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for _, row in summary.iterrows():
            cells = [
                str(row["point_id"]),
                *(_fmt_level(row[p]) for p in sweep.varied),
                str(int(row["n_ok"])),
            ]
            cells += [
                _with_ci(row[f"{m}_mean"], row[f"{m}_ci_low"], row[f"{m}_ci_high"]) for m in chosen
            ]
            lines_.append("| " + " | ".join(cells) + " |")
        lines_ += ["", "Each cell: mean [95% t-interval over replicates]."]
    else:
        lines_.append(f"{len(summary)} design points: see `summary.csv`.")
    lines_ += ["", "## Files", ""]
    lines_ += [f"- `{rel}`" for rel in written if not rel.startswith("figures/")]
    lines_.append("- `report.md`")
    if (sweep.path / "timeseries.parquet").exists():
        lines_.append("- `timeseries.parquet` (weekly series; not analysed here)")
    if notes:
        lines_ += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines_) + "\n"


def _sensitivity_table(sens, kind: str) -> str:
    if kind == "sobol":
        head = "| metric | parameter | S1 | ± | ST | ± |\n| --- | --- | --- | --- | --- | --- |"
        rows = [
            f"| {r.metric} | {r.parameter} | {r.S1:.2f} | {r.S1_conf:.2f} | {r.ST:.2f} | "
            f"{r.ST_conf:.2f} |"
            for r in sens.itertuples(index=False)
        ]
    else:
        head = (
            "| metric | parameter | mu* | ± | sigma | mu |\n| --- | --- | --- | --- | --- | --- |"
        )
        rows = [
            f"| {r.metric} | {r.parameter} | {_num(r.mu_star)} | {_num(r.mu_star_conf)} | "
            f"{_num(r.sigma)} | {_num(r.mu)} |"
            for r in sens.itertuples(index=False)
        ]
    return "\n".join([head, *rows])


def pd_unique(series) -> list:
    import pandas as pd

    values = list(pd.unique(series.dropna()))
    try:
        return sorted(values)
    except TypeError:
        return values
