"""The numbers: means and t-intervals per design point or cell, regime shares, spreads.

A metric with a finite range (``simulation.metrics.METRIC_BY_NAME``: ``low``,
``high``; shares are 0-1) has its t-intervals clipped to that range, so that an
interval never claims values the metric cannot take (``docs/sweeps.md``).

Every function returns a data frame (or plain numbers); the figures and the report
are drawn and written from these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from experiments.analysis.axes import make_axis
from experiments.analysis.load import Sweep
from experiments.analysis.settings import CI_LEVEL, LINE_BINS
from experiments.regimes import REGIME_NAMES
from simulation.metrics import METRIC_BY_NAME


def metric_bounds(metric: str | None) -> tuple[float, float]:
    """The range ``metric`` can take (-inf, inf for an unknown name or none)."""
    m = METRIC_BY_NAME.get(metric) if metric else None
    return (m.low, m.high) if m is not None else (-math.inf, math.inf)


def mean_ci(
    values: Iterable[float], level: float = CI_LEVEL, metric: str | None = None
) -> tuple[float, float, float]:
    """Mean and two-sided ``level`` t-interval of ``values`` (NaN bounds when n < 2).

    With ``metric``, the interval is clipped to the metric's range (:func:`metric_bounds`).
    """
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    n = x.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    low, high = metric_bounds(metric)
    return (mean, max(mean - half, low), min(mean + half, high))


def group_stats(frame: pd.DataFrame, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per group: n, and for each metric mean, sd, ci_low, ci_high.

    The interval is the t-interval, clipped to the metric's range (:func:`metric_bounds`).
    """
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
        low, high = metric_bounds(m)
        parts[f"{m}_ci_low"] = (mean[m] - half[m]).clip(lower=low)
        parts[f"{m}_ci_high"] = (mean[m] + half[m]).clip(upper=high)
    out = pd.DataFrame(parts)
    out.insert(0, "n", n[metrics[0]] if metrics else grouped.size())
    return out


def summarise(sweep: Sweep, regimes: pd.Series) -> pd.DataFrame:
    """The per-point summary table (one row per design point): ``summary.csv``."""
    ok = sweep.ok.assign(regime=regimes.loc[sweep.ok.index])
    base = sweep.runs.groupby("point_id", sort=True)
    table = base[sweep.varied].first() if sweep.varied else pd.DataFrame(index=base.size().index)
    table["n_runs"] = base.size()
    table["n_ok"] = ok.groupby("point_id").size().reindex(table.index).fillna(0).astype(int)
    table = table.join(group_stats(ok, ["point_id"], sweep.metrics).drop(columns="n"))
    shares = pd.crosstab(ok["point_id"], ok["regime"], normalize="index")
    for name in REGIME_NAMES:
        table[f"share_{name}"] = shares.get(name, 0.0)
        table[f"share_{name}"] = table[f"share_{name}"].fillna(0.0)
    table["regime"] = [
        _dominant(row) if n else None
        for (_, row), n in zip(
            table[[f"share_{r}" for r in REGIME_NAMES]].iterrows(), table["n_ok"], strict=True
        )
    ]
    return table.reset_index()


def _dominant(shares: pd.Series) -> str | None:
    best = max(shares.to_numpy())
    if not best > 0:
        return None  # no labelled run at this point
    return next(n for n in REGIME_NAMES if shares[f"share_{n}"] == best)  # ties: precedence


def regime_shares(ok: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Share of the runs in each regime per cell of ``keys`` (all runs as one cell if none).

    ``ok`` has a ``regime`` column; the result has the key columns (or ``_all``) and
    ``share_<regime>`` for every regime, in precedence order.
    """
    frame = ok.assign(_all=0)
    shares = pd.crosstab([frame[k] for k in (keys or ["_all"])], frame["regime"], normalize="index")
    for name in REGIME_NAMES:
        if name not in shares:
            shares[name] = 0.0
    return shares[list(REGIME_NAMES)].add_prefix("share_").reset_index()


SPREAD_COLUMNS = (
    "param",
    "spread",
    "low_level",
    "high_level",
    "low_mean",
    "low_ci_low",
    "low_ci_high",
    "high_mean",
    "high_ci_low",
    "high_ci_high",
    "clear",
)


def spreads(sweep: Sweep, metric: str) -> pd.DataFrame:
    """For each varied parameter: the spread of ``metric``'s marginal means over its levels.

    One row per parameter with at least two levels (bins) that have runs, largest
    spread first: the levels with the lowest and highest mean, their means and
    t-intervals, and ``clear`` when the two intervals do not overlap.
    """
    rows = []
    for param in sweep.varied:
        axis, index = make_axis(sweep, sweep.ok, param, LINE_BINS)
        st = group_stats(sweep.ok.assign(**{axis.column: index}), [axis.column], [metric])
        st = st[st["n"] > 0].dropna(subset=[f"{metric}_mean"])
        if len(st) < 2:
            continue
        lo, hi = st[f"{metric}_mean"].idxmin(), st[f"{metric}_mean"].idxmax()
        low, high = st.loc[lo], st.loc[hi]
        rows.append(
            (
                param,
                high[f"{metric}_mean"] - low[f"{metric}_mean"],
                axis.labels[int(lo)],
                axis.labels[int(hi)],
                *(low[f"{metric}_{s}"] for s in ("mean", "ci_low", "ci_high")),
                *(high[f"{metric}_{s}"] for s in ("mean", "ci_low", "ci_high")),
                bool(high[f"{metric}_ci_low"] > low[f"{metric}_ci_high"]),
            )
        )
    rows.sort(key=lambda row: -row[1])  # largest spread first; ties keep the spec's order
    return pd.DataFrame(rows, columns=list(SPREAD_COLUMNS))


def pd_unique(series: pd.Series) -> list:
    """The distinct values of ``series`` (NaN left out), sorted when they can be."""
    values = list(pd.unique(series.dropna()))
    try:
        return sorted(values)
    except TypeError:
        return values
