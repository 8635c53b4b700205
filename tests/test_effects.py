"""Effects with proper statistics (``effects.csv``), bounded intervals, and sensitivity
indices that say when to trust them.

The numbers are checked against independent computations (SciPy's one-way ANOVA, the
noncentral F distribution, Holm's procedure and t-intervals worked by hand), not
against the code that makes them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_analyze import write_sweep

from experiments import analyze as an
from experiments.analysis import effects as ef
from experiments.analysis import sensitivity as se
from experiments.analysis.stats import group_stats, mean_ci

ROOT = Path(__file__).resolve().parents[1]


def _noisy_pace(run_id: int, params: dict) -> dict:
    """participation_lay = 0.2 + 0.5 pace + noise (sd 0.05); power_sharing does nothing."""
    noise = np.random.default_rng(run_id).normal(0.0, 0.05)
    return {"participation_lay": 0.2 + 0.5 * params["pace"] + noise}


# --------------------------------------------------------------------------- effects


def test_one_factor_effect_is_one_way_anova_eta_squared():
    rng = np.random.default_rng(3)
    groups = [rng.normal(mu, 1.0, 8) for mu in (0.0, 0.5, 1.5)]
    runs = pd.DataFrame(
        {"pace": np.repeat([0.1, 0.5, 0.9], 8), "mean_trust": np.concatenate(groups)}
    )
    table = ef.effects_frame(runs, ["pace"], ["mean_trust"], categorical=True)
    assert list(table.columns) == list(ef.EFFECT_COLUMNS)
    row = table.iloc[0]
    y = runs["mean_trust"].to_numpy()
    between = sum(len(g) * (g.mean() - y.mean()) ** 2 for g in groups)
    assert row["term"] == "pace"
    assert row["effect"] == pytest.approx(between / ((y - y.mean()) ** 2).sum())
    assert row["p_value"] == pytest.approx(stats.f_oneway(*groups).pvalue)


def test_effect_interval_inverts_the_noncentral_f():
    # F(2, 21) = 8.0: the interval's ends are the noncentralities at which 8.0 is the
    # 97.5% and 2.5% quantile; eta2 = lambda / (lambda + 24).
    effect, low, high = ef.partial_eta_squared(16.0, 21.0, 2, 21)
    assert effect == pytest.approx(16 / 37)
    lam_low, lam_high = 24 * low / (1 - low), 24 * high / (1 - high)
    assert stats.ncf.cdf(8.0, 2, 21, lam_low) == pytest.approx(0.975, abs=1e-6)
    assert stats.ncf.cdf(8.0, 2, 21, lam_high) == pytest.approx(0.025, abs=1e-6)
    assert 0 < low < effect < high < 1
    # F = 4.0 is below the central F(2, 21)'s 97.5% quantile (4.42): the lower end is 0.
    assert stats.f.ppf(0.975, 2, 21) > 4.0
    assert ef.partial_eta_squared(8.0, 21.0, 2, 21)[1] == 0.0


def test_verdicts_from_holm_and_the_minimum_size():
    # Holm over 4 tests: 0.001 * 4 and 0.01 * 3 are below 0.05, then 0.03 * 2 is not.
    effect = pd.Series([0.10, 0.10, 0.01, 0.01])
    p = pd.Series([0.01, 0.04, 0.03, 0.001])
    assert ef.verdicts(effect, p) == ["clear", "uncertain", "none", "uncertain"]
    assert ef.MIN_EFFECT == 0.06  # the size docs/sweeps.md states


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_a_parameter_that_moves_the_metric_is_clear_and_one_that_does_not_is_not(tmp_path):
    out = write_sweep(
        tmp_path / "fx",
        {"pace": [0.2, 0.5, 0.8], "power_sharing": [0.2, 0.8]},
        replicates=10,
        metrics=_noisy_pace,
    )
    an.analyze(out, ["participation_lay"])
    table = pd.read_csv(out / ef.EFFECTS)
    assert list(table.columns) == list(ef.EFFECT_COLUMNS)
    mine = table[table["metric"] == "participation_lay"].set_index("term")
    assert set(mine.index) == {"pace", "power_sharing", "pace:power_sharing"}
    assert mine.loc["pace", "verdict"] == "clear"
    assert mine.loc["power_sharing", "verdict"] == "none"
    assert mine.loc["pace", "ci_low"] <= mine.loc["pace", "effect"] <= mine.loc["pace", "ci_high"]
    text = (out / "report.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("- **participation_lay**"))
    assert "clear effects, largest first: **pace**" in line
    assert "power_sharing" not in line and "moves most with" not in line


def test_a_metric_without_clear_effects_says_so():
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"pace": np.repeat([0.2, 0.8], 10), "mean_trust": rng.normal(0, 1, 20)})
    table = ef.effects_frame(runs, ["pace"], ["mean_trust"], categorical=True)
    assert table["verdict"].tolist() != ["clear"]
    assert ef.effect_sentence(table, "mean_trust").startswith("no parameter has a clear effect")


def test_continuous_designs_regress_on_standardised_factors():
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0, 1, 80), rng.uniform(0, 1, 80)
    runs = pd.DataFrame(
        {"pace": a, "power_sharing": b, "mean_trust": 2 * a + rng.normal(0, 0.3, 80)}
    )
    table = ef.effects_frame(runs, ["pace", "power_sharing"], ["mean_trust"], categorical=False)
    assert table["term"].tolist() == ["pace", "power_sharing"]  # main effects only
    # With one regressor, partial eta2 of pace is its squared correlation with y given b;
    # check against the R^2 gain of adding pace to a model with b alone (numpy lstsq).
    y = runs["mean_trust"].to_numpy()

    def rss(columns):
        x = np.column_stack([np.ones(80), *columns])
        return float(np.sum((y - x @ np.linalg.lstsq(x, y, rcond=None)[0]) ** 2))

    full, without = rss([a, b]), rss([b])
    assert table.iloc[0]["effect"] == pytest.approx((without - full) / without)
    assert table["verdict"].tolist() == ["clear", "none"]


# --------------------------------------------------------------------------- bounded intervals


def test_intervals_of_a_share_stay_within_zero_and_one():
    values = [0.0, 0.0, 0.01, 0.02]
    mean, sd = 0.0075, float(np.std(values, ddof=1))
    half = 3.182446305284263 * sd / 2  # t(0.975, 3) * s / sqrt(4)
    assert mean - half < 0  # the plain t-interval goes below zero
    m, low, high = mean_ci(values, metric="participation_lay")
    assert m == pytest.approx(mean) and low == 0.0 and high == pytest.approx(mean + half)
    frame = pd.DataFrame({"g": [0] * 4, "participation_lay": values})
    st = group_stats(frame, ["g"], ["participation_lay"]).iloc[0]
    assert st["participation_lay_ci_low"] == 0.0
    assert st["participation_lay_ci_high"] == pytest.approx(mean + half)
    unbounded = mean_ci(values)  # no metric: the t-interval as it is
    assert unbounded[1] == pytest.approx(mean - half)


# --------------------------------------------------------------------------- sensitivity


def _sobol(rows: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"])
    return table.assign(converged=se.converged(table, "sobol"))


def test_sobol_convergence_and_how_much_to_raise_n():
    table = _sobol(
        [
            ("m", "a", 0.50, 0.05, 0.60, 0.05),  # converged
            ("m", "b", -0.20, 0.05, 0.10, 0.05),  # S1 below 0 beyond its interval
            ("m", "c", 0.20, 0.05, 0.30, 0.30),  # ± 0.3 > 0.1
            ("m", "d", -0.04, 0.05, 1.04, 0.05),  # outside [0, 1] but within its interval
        ]
    )
    assert table["converged"].tolist() == [True, False, False, True]
    # (0.3 / 0.1)^2 = 9, up to the next power of two: 16.
    assert se.raise_factor(table, "sobol") == 16
    text = " ".join(se.convergence_lines(table, "sobol", 64))
    assert "**N = 64 is too small**" in text and "16-fold" in text and "about 1024" in text
    assert se.raise_factor(table.iloc[[0]], "sobol") is None


def test_morris_convergence_is_relative_to_the_largest_mu_star():
    table = pd.DataFrame(
        {
            "metric": ["m", "m"],
            "parameter": ["a", "b"],
            "mu_star": [1.0, 0.5],
            "mu_star_conf": [0.05, 0.25],
        }
    )
    table["converged"] = se.converged(table, "morris")
    assert table["converged"].tolist() == [True, False]
    assert se.raise_factor(table, "morris") == math.ceil((0.25 / 0.1) ** 2)  # 7


def test_overlapping_indices_are_not_ranked():
    tied = _sobol([("m", "pace", 0.2, 0.1, 0.28, 0.11), ("m", "funding", 0.2, 0.1, 0.31, 0.14)])
    text = se.leader_sentence(tied, "m")
    assert "funding has the largest total index (ST = 0.310 ± 0.140)" in text
    assert "pace (0.280 ± 0.110): they cannot be told apart" in text
    assert "have not converged" in text  # ± 0.14 > 0.1
    apart = _sobol([("m", "pace", 0.7, 0.05, 0.8, 0.05), ("m", "funding", 0.0, 0.01, 0.1, 0.05)])
    text = se.leader_sentence(apart, "m")
    assert "pace has the largest total index" in text and "told apart" not in text
    assert "converged" not in text


def test_docs_state_the_thresholds_the_code_uses():
    text = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    assert ef.MIN_EFFECT == 0.06 and "effect is at least **0.06**" in text
    assert (
        se.MAX_CONF == 0.1 and "exceeds\n  **0.1**" in text and "the metric's largest mu*" in text
    )
    assert "Holm" in text and "noncentral F" in text and "**clipped**" in text
