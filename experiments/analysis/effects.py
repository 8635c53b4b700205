"""Effects of the varied parameters on each metric: ``effects.csv``.

One ordinary least squares model per metric (statsmodels), fitted to every
successful run, and its type-II ANOVA table:

- grid designs: every varied parameter as a categorical factor, plus every two-way
  interaction (left out when the runs are too few to estimate them);
- lhs, sobol and morris designs: every numeric varied parameter as a standardised
  continuous regressor (z-score), a non-numeric one as categorical; main effects only.

A term's ``effect`` is its partial eta squared, SS_term / (SS_term + SS_residual);
``ci_low``/``ci_high`` its 95% interval by inverting the noncentral F distribution
(Steiger 2004); ``p_value`` the ANOVA's F test. The p-values of the whole table are
corrected together with Holm's method; the ``verdict`` is ``clear`` when a term is
significant after correction **and** its effect is at least :data:`MIN_EFFECT`,
``uncertain`` when only one of the two holds, ``none`` otherwise
(``docs/sweeps.md``, "Effects").
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import optimize, stats
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.multitest import multipletests

from experiments.analysis.load import Sweep
from experiments.analysis.settings import CI_LEVEL
from simulation.text import show

EFFECTS = "effects.csv"  # the file written into the sweep folder
EFFECT_COLUMNS = ("metric", "term", "effect", "ci_low", "ci_high", "p_value", "verdict")
ALPHA = 0.05  # family-wise error rate of the Holm correction
MIN_EFFECT = 0.06  # Cohen's "medium" eta squared: the least effect called clear
VERDICTS = ("clear", "uncertain", "none")
MAX_F = 1e6  # beyond this F statistic the effect has no interval (an exact fit)


def effects_table(sweep: Sweep, metrics: list[str] | None = None) -> pd.DataFrame:
    """The effects of the sweep's varied parameters on ``metrics`` (default: every metric)."""
    return effects_frame(
        sweep.ok,
        sweep.varied,
        list(metrics if metrics is not None else sweep.metrics),
        categorical=sweep.kind == "grid",
    )


def effects_frame(
    runs: pd.DataFrame, factors: list[str], metrics: list[str], *, categorical: bool
) -> pd.DataFrame:
    """:func:`effects_table` on a plain run table: one column per factor and metric."""
    rows: list[tuple] = []
    for metric in metrics:
        rows += _metric_rows(runs, factors, metric, categorical)
    table = pd.DataFrame(rows, columns=list(EFFECT_COLUMNS[:-1]))
    table["verdict"] = verdicts(table["effect"], table["p_value"])
    return table


def verdicts(effect: pd.Series, p_value: pd.Series) -> list[str]:
    """``clear``/``uncertain``/``none`` from Holm-corrected p-values and :data:`MIN_EFFECT`."""
    significant = np.zeros(len(p_value), dtype=bool)
    tested = p_value.notna().to_numpy()
    if tested.any():
        significant[tested] = multipletests(p_value.to_numpy()[tested], alpha=ALPHA, method="holm")[
            0
        ]
    large = (effect.fillna(0) >= MIN_EFFECT).to_numpy()
    return [VERDICTS[2 - int(s) - int(b)] for s, b in zip(significant, large, strict=True)]


def _metric_rows(
    runs: pd.DataFrame, factors: list[str], metric: str, categorical: bool
) -> list[tuple]:
    """One row per term of ``metric``'s model (none when it cannot be fitted)."""
    frame = runs[[*factors, metric]].dropna()
    varied = [f for f in factors if frame[f].nunique() > 1]
    if not varied or frame[metric].nunique() < 2:
        return []
    terms = {f: _term(frame, f, categorical) for f in varied}
    for f in varied:
        if terms[f].startswith("z_"):
            frame[terms[f]] = (frame[f] - frame[f].mean()) / frame[f].std(ddof=0)
    formula_terms = list(terms.values())
    if categorical:
        pairs = [f"{terms[a]}:{terms[b]}" for a, b in combinations(varied, 2)]
        if len(frame) > _parameters(frame, varied, with_pairs=True):
            formula_terms += pairs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a perfect fit warns of division by zero
        fit = smf.ols(f"{metric} ~ " + " + ".join(formula_terms), data=frame).fit()
        table = anova_lm(fit, typ=2)
    names = {v: k for k, v in terms.items()}
    rows = []
    for term, row in table.drop(index="Residual").iterrows():
        label = ":".join(names[part] for part in term.split(":"))
        ss_resid, df_resid = table.loc["Residual", "sum_sq"], table.loc["Residual", "df"]
        effect, low, high = partial_eta_squared(row["sum_sq"], ss_resid, row["df"], df_resid)
        p = float(row["PR(>F)"]) if df_resid > 0 else math.nan
        rows.append((metric, label, effect, low, high, p))
    return rows


def _term(frame: pd.DataFrame, factor: str, categorical: bool) -> str:
    """The formula term of ``factor``: categorical ``C(f)`` or standardised ``z_f``."""
    numeric = pd.api.types.is_numeric_dtype(frame[factor])
    if categorical or not numeric:
        return f"C({factor})"
    return f"z_{factor}"


def _parameters(frame: pd.DataFrame, varied: list[str], *, with_pairs: bool) -> int:
    """The number of coefficients of the categorical model (intercept included)."""
    levels = [frame[f].nunique() - 1 for f in varied]
    count = 1 + sum(levels)
    if with_pairs:
        count += sum(a * b for a, b in combinations(levels, 2))
    return count


def partial_eta_squared(
    ss_term: float, ss_resid: float, df_term: float, df_resid: float, level: float = CI_LEVEL
) -> tuple[float, float, float]:
    """Partial eta squared and its ``level`` interval from the noncentral F distribution.

    The interval's ends are the noncentralities lambda at which the observed F is the
    upper and lower (1 - level)/2 quantile, mapped by eta2 = lambda / (lambda + N)
    with N = df_term + df_resid + 1 (Steiger 2004, "Beyond the F test").
    """
    total = ss_term + ss_resid
    if not total > 0:
        return (math.nan, math.nan, math.nan)
    effect = ss_term / total
    if df_resid <= 0 or ss_resid <= 0:
        return (effect, math.nan, math.nan)
    f_obs = (ss_term / df_term) / (ss_resid / df_resid)
    if not f_obs < MAX_F:  # an (almost) exact fit: the noncentral F cannot be inverted
        return (effect, math.nan, math.nan)
    n = df_term + df_resid + 1
    bounds = []
    for q in (0.5 + level / 2, 0.5 - level / 2):
        lam = _noncentrality(f_obs, df_term, df_resid, q)
        bounds.append(lam / (lam + n))
    return (effect, bounds[0], bounds[1])


def _noncentrality(f_obs: float, df1: float, df2: float, q: float) -> float:
    """The noncentrality at which P(F <= f_obs) = q (0 when even lambda = 0 is below q)."""

    def gap(lam: float) -> float:
        if lam == 0:
            return stats.f.cdf(f_obs, df1, df2) - q
        return stats.ncf.cdf(f_obs, df1, df2, lam) - q

    if gap(0.0) <= 0:
        return 0.0
    high = max(10.0, f_obs * df1 * 2)
    while gap(high) > 0:
        high *= 2
    return float(optimize.brentq(gap, 0.0, high, xtol=1e-10))


def effects_method(kind: str, tests: int) -> str:
    """How the effects were computed, in a sentence, for the report."""
    model = (
        "every varied parameter as a categorical factor, with their two-way interactions"
        if kind == "grid"
        else "every varied parameter as a standardised continuous regressor"
    )
    return (
        f"An effect is a term's partial eta squared in a least-squares model of the runs "
        f"with {model} (type-II ANOVA), with its 95% noncentral-F interval. It is **clear** "
        f"when significant at {show(ALPHA)} after Holm's correction over all "
        f"{tests} tests and at least {show(MIN_EFFECT)} (Cohen's medium); **uncertain** "
        f"when only one of the two holds (`{EFFECTS}`, `docs/sweeps.md`)."
    )


def effect_sentence(table: pd.DataFrame, metric: str) -> str:
    """What ``table`` (:func:`effects_table`) says of ``metric``: clear effects, largest first."""
    part = table[table["metric"] == metric].sort_values("effect", ascending=False)
    if part.empty:
        return "no effect could be estimated (nothing varied)."
    clear = part[part["verdict"] == "clear"]
    unsure = part[part["verdict"] == "uncertain"]
    if clear.empty:
        text = "no parameter has a clear effect in this sweep"
    else:
        text = "clear effects, largest first: " + ", ".join(_term_text(r) for r in _rows(clear))
    if not unsure.empty:
        text += "; uncertain: " + ", ".join(_term_text(r, p=True) for r in _rows(unsure))
    return text + "."


def _rows(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def _term_text(row: dict, p: bool = False) -> str:
    """``**term** (η² 0.12 [0.08, 0.17])``, with the p-value when asked."""
    size = show(row["effect"])
    if math.isfinite(row["ci_low"]) and math.isfinite(row["ci_high"]):
        size += f" [{show(row['ci_low'])}, {show(row['ci_high'])}]"
    if p and math.isfinite(row["p_value"]):
        size += f", p = {show(row['p_value'])}"
    return f"**{row['term']}** (η² {size})"
