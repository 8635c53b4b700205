"""Keyed draws (simulation.draws): the mixing function, the counter, and the counts.

Values worked out by hand where they can be (the Poisson and binomial CDFs below), the
published SplitMix64 output, and, over many keyed draws, goodness-of-fit and
independence tests whose failure would mean biased or correlated randomness.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulation import compiled, draws

# SplitMix64 seeded with 0: its first output is the finaliser of the golden-ratio
# increment (Steele, Lea & Flood 2014; the reference C code's first number).
GOLDEN = 0x9E3779B97F4A7C15
FIRST_OUTPUT = 0xE220A8397B1DCDAF
MANY = 200_000  # draws for the goodness-of-fit tests


@pytest.fixture(autouse=True, params=["numba", "numpy"])
def loops(request, monkeypatch):
    """Every test here twice: with the draws' compiled loops (simulation.kernels) and with
    their numpy arrays."""
    monkeypatch.setenv(compiled.VARIABLE, request.param)
    assert (compiled.kernels() is not None) == (request.param == "numba")
    return request.param


def test_mix_is_splitmix64s_finaliser():
    assert int(draws.mix(np.array([GOLDEN], dtype=np.uint64))[0]) == FIRST_OUTPUT


def test_the_counter_packs_week_site_and_draw_above_the_entries():
    # week 3, site "contributions" (1), draw 2: ((3 << 8 | 1) << 8 | 2) << 28
    assert int(draws.counter(3, "contributions", 2)) == 0x301020000000
    with pytest.raises(ValueError):
        draws.counter(1 << draws.WEEK_BITS, "insights", 0)


def test_poisson_counts_are_the_quantiles_worked_out_by_hand():
    # Poisson(2): P(X <= k) = 0.1353, 0.4060, 0.6767, 0.8571, 0.9473, 0.9834 for k = 0..5
    u = np.array([0.1, 0.2, 0.5, 0.9, 0.95, 0.1353, 0.1354])
    assert draws.poisson(u, np.full(u.size, 2.0)).tolist() == [0, 1, 2, 4, 5, 0, 1]
    assert draws.poisson(np.array([0.0, 0.999999]), np.zeros(2)).tolist() == [0, 0]


def test_binomial_counts_are_the_quantiles_worked_out_by_hand():
    # Binomial(4, 1/4): P(X <= k) = 0.3164, 0.7383, 0.9492, 0.9961, 1 for k = 0..4
    u = np.array([0.3, 0.5, 0.9, 0.99, 0.999])
    assert draws.binomial(u, np.full(5, 4), np.full(5, 0.25)).tolist() == [0, 1, 2, 3, 4]
    # p = 3/4 is 4 less the Binomial(4, 1/4) quantile of 1 - u: u = 0.3 -> 4 - 1 = 3,
    # u = 0.05 -> 4 - 3 = 1 (0.95 is above P(X <= 2) = 0.9492)
    assert draws.binomial(np.array([0.3, 0.05]), np.full(2, 4), np.full(2, 0.75)).tolist() == [3, 1]
    # no trials, no chance, a sure thing
    n, p = np.array([0, 5, 5]), np.array([0.4, 0.0, 1.0])
    assert draws.binomial(np.full(3, 0.7), n, p).tolist() == [0, 0, 5]
    # Never more than n: Binomial(2, 0.037)'s CDF summed in floats is 0.9999999999999998
    # at 2, below the largest uniform (1 - 2^-53), which still gives 2.
    largest = np.array([1.0 - 2.0**-53])
    assert draws.binomial(largest, np.array([2]), np.array([0.037])).tolist() == [2]


EITHER_SIDE = (draws.FROM_THE_MEAN - 0.1, draws.FROM_THE_MEAN)


@pytest.mark.parametrize("mean", [0.3, 7.5, *EITHER_SIDE, 250.0, 5e4, 1e9])
def test_poisson_counts_are_scipys_quantiles_from_either_start(mean):
    u = np.linspace(0.0005, 0.9995, 400)
    ours = draws.poisson(u, np.full(u.size, mean))
    assert ours.tolist() == stats.poisson.ppf(u, mean).astype(int).tolist()


@pytest.mark.parametrize(
    ("n", "p"), [(6, 0.3), (80, 0.45), (400, 0.2), (10_000, 0.01), (3000, 0.5)]
)
def test_binomial_counts_are_scipys_quantiles_from_either_start(n, p):
    u = np.linspace(0.0005, 0.9995, 400)
    ours = draws.binomial(u, np.full(u.size, n), np.full(u.size, p))
    assert ours.tolist() == stats.binom.ppf(u, n, p).astype(int).tolist()


def test_counts_stepped_one_at_a_time_are_the_counts_stepped_as_arrays():
    """Few moving entries are stepped in Python floats, many as arrays (ONE_AT_A_TIME):
    the same operations, so the same counts, whichever way an entry goes."""
    rng = np.random.default_rng(3)
    size = 4 * draws.ONE_AT_A_TIME
    u = rng.random(size)
    lam = rng.random(size) * np.repeat([0.5, 5.0, 60.0, 900.0], draws.ONE_AT_A_TIME)
    n = rng.integers(0, 400, size)
    p = rng.random(size)
    together = draws.poisson(u, lam), draws.binomial(u, n, p)
    alone = (
        [draws.poisson(u[i : i + 1], lam[i : i + 1])[0] for i in range(size)],
        [draws.binomial(u[i : i + 1], n[i : i + 1], p[i : i + 1])[0] for i in range(size)],
    )
    assert together[0].tolist() == alone[0] and together[1].tolist() == alone[1]


def test_counts_of_impossible_rates_are_refused_as_numpys_are():
    u = np.full(2, 0.5)
    for lam in ([1.0, -0.5], [np.nan, 1.0], [np.inf, 1.0]):
        with pytest.raises(ValueError, match="Poisson"):
            draws.poisson(u, np.array(lam))
    for n, p in (([2, -1], [0.5, 0.5]), ([2, 2], [0.5, 1.5]), ([2, 2], [np.nan, 0.5])):
        with pytest.raises(ValueError, match="binomial"):
            draws.binomial(u, np.array(n), np.array(p))


def _keyed_uniforms(size: int, key: int = 12345) -> np.ndarray:
    counters = np.arange(size, dtype=np.uint64) | draws.counter(5, "insights", 1)
    return draws.uniforms(np.uint64(key), counters)


def test_keyed_uniforms_are_uniform_and_neighbours_independent():
    u = _keyed_uniforms(MANY)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / math.sqrt(MANY)
    # the same entries of the next draw, of another key, of the next week: uncorrelated
    others = [
        draws.uniforms(np.uint64(12345), np.arange(MANY, dtype=np.uint64) | c)
        for c in (draws.counter(5, "insights", 2), draws.counter(6, "insights", 1))
    ] + [_keyed_uniforms(MANY, key=12346)]
    for v in others:
        assert abs(np.corrcoef(u, v)[0, 1]) < 4 / math.sqrt(MANY)


@pytest.mark.parametrize("mean", [0.8, 3.3, 45.0])
def test_keyed_poisson_counts_fit_the_poisson_distribution(mean):
    x = draws.poisson(_keyed_uniforms(MANY), np.full(MANY, mean))
    assert abs(x.mean() - mean) < 4 * math.sqrt(mean / MANY)
    values, observed = np.unique(x, return_counts=True)
    expected = MANY * stats.poisson.pmf(values, mean)
    keep = expected >= 5  # the chi-square approximation's usual floor
    chi2 = (((observed - expected) ** 2) / expected)[keep].sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3


@pytest.mark.parametrize(("n", "p"), [(10, 0.7), (3, 0.2), (200, 0.4)])
def test_keyed_binomial_counts_fit_the_binomial_distribution(n, p):
    x = draws.binomial(_keyed_uniforms(MANY), np.full(MANY, n), np.full(MANY, p))
    assert abs(x.mean() - n * p) < 4 * math.sqrt(n * p * (1 - p) / MANY)
    values, observed = np.unique(x, return_counts=True)
    expected = MANY * stats.binom.pmf(values, n, p)
    keep = expected >= 5
    chi2 = (((observed - expected) ** 2) / expected)[keep].sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3


def test_a_higher_rate_never_gives_a_smaller_count_on_the_same_draw():
    """Counts are quantiles of one uniform each: two runs of one seed that differ only in
    a rate get counts that move with the rate (common random numbers across scenarios)."""
    u = _keyed_uniforms(5000)
    low, high = draws.poisson(u, np.full(u.size, 2.0)), draws.poisson(u, np.full(u.size, 2.5))
    assert (high >= low).all() and (high > low).mean() > 0.1


def _both(make):
    """``make()`` with the compiled loops and with the arrays."""
    out = []
    for choice in ("numba", "numpy"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(compiled.VARIABLE, choice)
            out.append(make())
    return out


def test_the_compiled_loops_draw_the_arrays_numbers_to_the_bit(loops):
    """Keyed uniforms of runs side by side (uneven rows, 2-D draws) and counts on both
    sides of FROM_THE_MEAN, p on both sides of 1/2 and at 0, 1/2 and 1, no trials: the
    same numbers from simulation.kernels as from the arrays."""
    if loops == "numpy":
        pytest.skip("one comparison of both is enough")
    rng = np.random.default_rng(11)
    size = 3000
    lam = rng.choice([0.0, 0.4, 3.0, 29.9, 30.0, 75.0, 4000.0], size) * rng.random(size) * 1.2
    n = rng.choice([0, 1, 7, 60, 500, 20_000], size).astype(float)
    p = rng.choice([0.0, 0.5, 1.0, 0.02, 0.3, 0.7, 0.97], size)
    p = np.where(rng.random(size) < 0.5, p, rng.random(size))

    def keyed():
        k = draws.Keyed([7, 2**63 + 5, 12345])
        k.week = 9
        bounds = np.array([0, 5, 5, 12])  # the middle run has no rows
        together = k.counts("insights", "poisson", [lam[:12], rng_lam.reshape(12, 3)], bounds)
        paired = k.counts("adoption", "binomial", [(n[:12].astype(int), p[:12])], bounds)
        return [k.random("flare and wish", 4, 9), *together, *paired]

    rng_lam = lam[12:48]
    u = _keyed_uniforms(size)
    compiled, arrays = _both(
        lambda: [draws.poisson(u, lam), draws.binomial(u, n, p), draws.binomial(u, n, 0.5)]
    )
    compiled_keyed, arrays_keyed = _both(keyed)
    for a, b in zip(compiled + compiled_keyed, arrays + arrays_keyed, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and (a == b).all()
    assert (compiled[0] > 0).mean() > 0.5 and compiled[1].max() > 1000  # not all zeros
