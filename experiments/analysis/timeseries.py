"""Weekly series of a sweep (``timeseries.parquet``): bands over weeks and settled regimes.

The stored series holds each run's weekly (instantaneous) values, one row per run
and week (week 1 on). A column ``<metric>_week`` is read when present, else
``<metric>``.

- :func:`bands`: per week and per level of the main factor, the median and the 90%
  band (5th to 95th percentile, linear interpolation) of a metric over runs. The main
  factor is the varied parameter with the largest main effect in ``effects.csv`` on
  the metrics discussed (:func:`largest_effect`); without that table, the one whose
  level means differ most (:func:`main_factor`).
- :func:`running_regimes`: the regime each run would have had had it ended at
  week ``w``: the run's summary metrics are worked out from weeks 1..w exactly as
  :func:`simulation.metrics.aggregate` does at the end (rates: mean of the last
  quarter of those weeks; totals: their sum; finals: week w's value), with
  ``weeks = w``, and labelled by :func:`experiments.regimes.classify`.
- :func:`settled_weeks`: a run *settles* at the first week ``s`` from which its
  running regime no longer changes (equals its regime at the last week at every
  week ``w ≥ s``). The week by which a regime is settled is the first week by
  which at least :data:`SETTLED_SHARE` (90%) of the runs that end in it have
  settled.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboards.charts import new_figure
from experiments import store
from experiments.regimes import NEEDED_PARAMS, REGIME_BY_NAME, REGIME_NAMES, label_runs
from simulation.metrics import METRIC_BY_NAME, METRIC_NAMES, PRODUCES
from simulation.params import DEFAULTS
from simulation.text import show

BAND = (0.05, 0.95)  # the 90% band
SETTLED_SHARE = 0.9
MAX_SETTLE_RUNS = 2000  # runs whose running regimes are worked out (a fixed sample above)


def weekly_column(series: pd.DataFrame, metric: str) -> str | None:
    """The column holding ``metric``'s weekly values: ``<metric>_week``, else ``<metric>``."""
    for name in (f"{metric}_week", metric):
        if name in series.columns:
            return name
    return None


def bands(series: pd.DataFrame, level: pd.Series, metric: str) -> pd.DataFrame:
    """Median and 90% band of ``metric`` per (level, week): columns level, week, median, low, high.

    ``level`` maps ``run_id`` to the run's level of the main factor.
    """
    column = weekly_column(series, metric)
    frame = pd.DataFrame(
        {
            "level": series["run_id"].map(level),
            "week": series["week"],
            "value": series[column].astype(float),
        }
    ).dropna(subset=["level"])
    grouped = frame.groupby(["level", "week"])["value"]
    return pd.DataFrame(
        {
            "median": grouped.median(),
            "low": grouped.quantile(BAND[0]),
            "high": grouped.quantile(BAND[1]),
        }
    ).reset_index()


def running_summary(history: np.ndarray) -> np.ndarray:
    """(weeks x metrics) summaries as if the run ended at each week (see the module docstring)."""
    weeks = history.shape[0]
    how = np.array([METRIC_BY_NAME[m].how for m in METRIC_NAMES])
    cum = np.vstack([np.zeros((1, history.shape[1])), np.cumsum(history, axis=0)])
    w = np.arange(1, weeks + 1)
    k = np.maximum(1, w // 4)
    rate = (cum[w] - cum[w - k]) / k[:, None]
    return np.where(how == "rate", rate, np.where(how == "total", cum[w], history))


def running_regimes(series: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The running regime of every run at every week: columns run_id, week, regime.

    ``runs`` (indexed by run_id) gives the parameters the rules read besides ``weeks``
    (``NEEDED_PARAMS``; defaults when absent; none since the money indicator is
    ``lay_out_of_pocket`` as it is). Returns an empty table when a metric's series is missing.
    """
    columns = [weekly_column(series, m) for m in METRIC_NAMES]
    if None in columns:
        return pd.DataFrame(columns=["run_id", "week", "regime"])
    blocks = []
    for run_id, rows in series.sort_values(["run_id", "week"]).groupby("run_id"):
        summary = pd.DataFrame(
            running_summary(rows[columns].to_numpy(dtype=float)), columns=list(METRIC_NAMES)
        )
        summary["weeks"] = rows["week"].to_numpy()
        for name in NEEDED_PARAMS[1:]:
            given = runs[name] if name in runs else pd.Series(dtype=float)
            summary[name] = given.get(run_id, DEFAULTS[name])
        summary["run_id"] = run_id
        summary["regime"] = label_runs(summary).to_numpy()
        blocks.append(summary[["run_id", "weeks", "regime"]].rename(columns={"weeks": "week"}))
    return pd.concat(blocks, ignore_index=True)


def settle_week(regimes: pd.Series) -> int:
    """The first week from which a run's regime (a Series indexed by week) stays its last."""
    values = regimes.sort_index()
    changed = values.to_numpy() != values.iloc[-1]
    if not changed.any():
        return int(values.index[0])
    return int(values.index[np.flatnonzero(changed)[-1] + 1])


def settled_weeks(running: pd.DataFrame) -> pd.DataFrame:
    """Per final regime: runs, the week by which 90% of them have settled, the last week.

    Columns ``regime``, ``n_runs``, ``settled_week``, ``weeks``, in REGIMES order.
    """
    rows = []
    per_run = {
        run_id: (settle_week(g.set_index("week")["regime"]), g["regime"].iloc[-1], g["week"].max())
        for run_id, g in running.sort_values("week").groupby("run_id")
    }
    table = pd.DataFrame(per_run.values(), columns=["settle", "regime", "last"])
    for regime in REGIME_NAMES:
        mine = table[table["regime"] == regime]
        if mine.empty:
            continue
        weeks = np.sort(mine["settle"].to_numpy())
        index = math.ceil(SETTLED_SHARE * len(weeks)) - 1
        rows.append(
            {
                "regime": regime,
                "n_runs": len(mine),
                "settled_week": int(weeks[index]),
                "weeks": int(mine["last"].max()),
            }
        )
    return pd.DataFrame(rows, columns=["regime", "n_runs", "settled_week", "weeks"])


MAX_LEVELS = 6  # a numeric factor with more distinct values is cut into BINS quantile bins
BINS = 3


def levels_of(ok: pd.DataFrame, factor: str) -> pd.Series:
    """Each run's level of ``factor``: its value, or its quantile bin when there are many."""
    values = ok[factor]
    if values.dtype.kind in "fi" and values.nunique() > MAX_LEVELS:
        bins = pd.qcut(values, BINS, duplicates="drop")
        return bins.map(lambda b: f"{show(b.left)}–{show(b.right)}").astype(str)
    return values.map(show)


def main_factor(ok: pd.DataFrame, varied: list[str], metrics: list[str]) -> str | None:
    """The varied factor whose level means spread most, in standard deviations of a metric.

    For each factor and metric: (largest level mean - smallest) / the metric's
    standard deviation over runs; the factor with the largest value over metrics.
    """
    best, best_size = None, -1.0
    for factor in varied:
        level = levels_of(ok, factor)
        for metric in metrics:
            sd = float(ok[metric].std())
            if not sd > 0:
                continue
            means = ok[metric].groupby(level).mean()
            size = float(means.max() - means.min()) / sd
            if size > best_size:
                best, best_size = factor, size
    return best if best is not None else (varied[0] if varied else None)


def largest_effect(
    effects: pd.DataFrame | None, varied: list[str], metrics: list[str]
) -> str | None:
    """The varied factor with the largest main effect (``effects.csv``) on any of ``metrics``."""
    if effects is None or effects.empty:
        return None
    rows = effects[effects["term"].isin(varied) & effects["metric"].isin(metrics)]
    rows = rows[rows["effect"].notna()]
    return None if rows.empty else str(rows.loc[rows["effect"].idxmax(), "term"])


def band_figure(tables: dict[str, pd.DataFrame], factor: str | None, path) -> None:
    """One panel per metric: median line and 90% band over weeks, one colour per level."""
    fig = new_figure(width=7.5, height=2.6 * len(tables))
    axes = fig.subplots(len(tables), 1, squeeze=False)[:, 0]
    for ax, (metric, table) in zip(axes, tables.items(), strict=True):
        for level, rows in table.groupby("level", sort=False):
            label = f"{factor} = {level}" if factor else str(level)
            (line,) = ax.plot(rows["week"], rows["median"], label=label)
            ax.fill_between(
                rows["week"],
                rows["low"],
                rows["high"],
                alpha=0.2,
                color=line.get_color(),
                linewidth=0,
            )
        info = METRIC_BY_NAME[metric]
        ax.set_title(f"{info.label} ({info.unit}), weekly value", fontsize=9, loc="left")
        ax.set_xlabel("week")
        ax.legend(fontsize=7, loc="best")
    fig.savefig(path, dpi=150)


def analyse_weekly(results, stage) -> list[str]:
    """Bands, figures and settled weeks when the sweep stored its series; the figures written.

    Fills ``results.weekly`` (``factor``, ``settled``, ``sampled``); nothing without
    ``timeseries.parquet``.
    """
    path = results.sweep.path / store.TIMESERIES
    if not path.is_file():
        return []
    ok = results.ok.set_index("run_id") if "run_id" in results.ok else results.ok
    series = pd.read_parquet(path)
    series = series[series["run_id"].isin(ok.index)]
    if series.empty:
        return []
    varied, chosen = results.sweep.varied, results.chosen
    factor = largest_effect(getattr(results, "effects", None), varied, chosen)
    by_effect = factor is not None
    factor = factor or main_factor(results.ok, varied, chosen)
    level = levels_of(ok, factor) if factor else pd.Series("all runs", index=ok.index)
    groups: dict[str, list[str]] = {key: [] for key in PRODUCES}
    for metric in results.chosen:
        if weekly_column(series, metric):
            groups[METRIC_BY_NAME[metric].produces].append(metric)
    written = []
    for group, metrics in ((g, ms) for g, ms in groups.items() if ms):
        rel = f"figures/weekly-{group.replace(' ', '-')}.png"
        band_figure({m: bands(series, level, m) for m in metrics}, factor, stage / rel)
        written.append(rel)
    ids = np.sort(series["run_id"].unique())
    sampled = len(ids) > MAX_SETTLE_RUNS
    if sampled:
        ids = np.random.default_rng(0).choice(ids, MAX_SETTLE_RUNS, replace=False)
    running = running_regimes(series[series["run_id"].isin(ids)], ok)
    results.weekly = {
        "factor": factor,
        "by_effect": by_effect,
        "settled": settled_weeks(running) if len(running) else None,
        "sampled": sampled,
        "figures": written,
    }
    return written


def weekly_section(results) -> list[str]:
    """The report's "Weekly series" section (empty without stored series)."""
    weekly = getattr(results, "weekly", None)
    if not weekly:
        return []
    factor = weekly["factor"]
    lines = [
        "## Weekly series",
        "",
        "Each line is the median over runs of a metric's weekly value, the shaded band "
        "the 90% band (5th to 95th percentile), "
        + (
            f"one colour per level of `{factor}`, "
            + (
                "the factor with the largest effect (partial eta squared, `effects.csv`) "
                "on the metrics discussed."
                if weekly["by_effect"]
                else "the factor whose level means differ most (in standard deviations "
                "of the metrics discussed)."
            )
            if factor
            else "over all runs."
        ),
        "",
    ]
    lines += [f"![weekly series]({rel})" for rel in weekly["figures"]] + [""]
    settled = weekly["settled"]
    if settled is None or settled.empty:
        return [*lines, "Regimes per week need every metric's series; not all are stored.", ""]
    lines += [
        "**When regimes settle.** A run's *running regime* at week w is the regime its "
        "summary metrics would give had it ended at week w. A run *settles* at the first "
        "week from which its running regime stays the one it ends in; a regime is settled "
        f"by the first week by which {SETTLED_SHARE:.0%} of the runs ending in it have settled"
        + (f" (a sample of {MAX_SETTLE_RUNS} runs)." if weekly["sampled"] else "."),
        "",
        "| regime | runs | settled by week | of weeks |",
        "| --- | --- | --- | --- |",
    ]
    for row in settled.itertuples():
        label = REGIME_BY_NAME[row.regime].label
        lines.append(f"| {label} | {row.n_runs} | {row.settled_week} | {row.weeks} |")
    return [*lines, ""]
