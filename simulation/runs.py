"""Several runs side by side: the per-run draws and sums the rules need (``simulation.batch``).

A state may hold ``s.runs`` runs side by side (``simulation.batch``): run ``r`` is agents
``r n .. (r + 1) n - 1`` and groups ``r G .. (r + 1) G - 1`` of every array (every run has
the same ``n`` agents and ``G`` groups). The rules act on all of them at once, as on more
groups; only two things must be done run by run, so that each run's numbers are the
same, to the last bit, as when it is run alone:

- **Draws.** Each number a run draws is keyed by the run, the week, the rule and the
  entry (``simulation.draws``), so it is the same whatever else is drawn beside it.
- **Sums over a run's agents or groups.** numpy's sum is pairwise, so a sum over two runs'
  values is not the sum of the two sums; a sum over each run's block of a
  ``(runs, n)`` array is the same as the sum alone (the block is summed the same way),
  and so is a matrix product over each of a stack of matrices (one BLAS call each).

With one run (``s.runs == 1``) every helper here is the expression the rules used before
there were batches, and gives a plain Python number: a single run is a batch of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import Bools, Floats, Ints
from .draws import Keyed

if TYPE_CHECKING:
    from .population import State

type PerRun = Any  # a float (one run) or an array of one value per run

# A run's key is drawn from its generator, uniform on [0, 2^64).
KEY_RANGE = 2**64


# What a rule draws from: the weekly keyed draws of its runs (one run: a batch of one), or,
# for a rule called directly (tests, notebooks), anything with numpy's Generator methods
# ``random``, ``poisson`` and ``binomial``, drawn from as a generator is.
type Draws = Keyed | np.random.Generator


def equal_bounds(runs: int, size: int) -> Ints:
    """Row bounds of ``runs`` equal blocks of ``size`` rows in all."""
    return np.arange(runs + 1) * (size // runs)


def random(rng: Draws, s: State, k: int, site: str) -> Floats:
    """(k, N) uniforms of rule ``site``: row j is each agent's draw j."""
    if isinstance(rng, Keyed):
        return rng.random(site, k, s.n)
    return rng.random((k, s.n))


def poisson(
    rng: Draws, site: str, lam: Floats, bounds: Ints | None = None, only: Bools | None = None
) -> Ints:
    """Poisson counts of rates ``lam`` (rows ``bounds[r]:bounds[r + 1]`` are run r's;
    equal blocks when None); runs not ``only`` get 0."""
    if isinstance(rng, Keyed):
        return rng.counts(site, "poisson", [lam], bounds, only)[0]
    return rng.poisson(lam)


def poisson_groups(
    rng: Draws, site: str, lams: Sequence[Floats], only: Bools | None = None
) -> list[Ints]:
    """Poisson counts of each of ``lams`` (per-group rates) in turn, draws 0, 1, ..."""
    if isinstance(rng, Keyed):
        return rng.counts(site, "poisson", lams, None, only)
    return [rng.poisson(lam) for lam in lams]


def binomial_groups(
    rng: Draws, site: str, pairs: Sequence[tuple[Ints, Floats]], only: Bools | None = None
) -> list[Ints]:
    """Binomial counts of each ``(n, p)`` of ``pairs`` (per group) in turn, draws 0, 1, ..."""
    if isinstance(rng, Keyed):
        return rng.counts(site, "binomial", pairs, None, only)
    return [rng.binomial(n, p) for n, p in pairs]


def blocks(s: State, x: np.ndarray) -> np.ndarray:
    """``x`` (agents or groups first) as (runs, per run, ...): each run's block."""
    return x.reshape(s.runs, -1, *x.shape[1:])


def total(s: State, x: np.ndarray) -> PerRun:
    """Sum of ``x`` (per agent or per group) over each run: ``float(x.sum())`` for one run."""
    if s.runs == 1:
        return float(x.sum())
    return x.reshape(s.runs, -1).sum(axis=1).astype(float)


# Integers a count may be added in, each with the most it holds (the last holds any count).
_COUNTERS = tuple((t, np.iinfo(t).max) for t in (np.uint8, np.uint16, np.int64))


def count(s: State, mask: Bools) -> PerRun:
    """How many of each run's entries are True: an ``int`` for one run (int64 per run).

    Counts are whole numbers, the same whatever the order of the adds: each run's
    entries are added as bytes in the smallest integer that holds its count (a sum of
    bools in int64 converts every entry first, at twice the time).
    """
    if s.runs == 1:
        return int(np.count_nonzero(mask))
    each = mask.reshape(s.runs, -1)
    if mask.dtype != np.bool_:
        return each.sum(axis=1)
    holds = next(t for t, most in _COUNTERS if each.shape[1] <= most)
    return each.view(np.uint8).sum(axis=1, dtype=holds).astype(np.int64)


def dot(s: State, a: Floats, b: Floats) -> PerRun:
    """``a @ b`` over each run's block: ``float(a @ b)`` for one run."""
    if s.runs == 1:
        return float(a @ b)
    return np.matmul(a.reshape(s.runs, 1, -1), b.reshape(s.runs, -1, 1))[:, 0, 0]


def segments(bounds: Ints, x: np.ndarray, how: str, *more: np.ndarray) -> Floats:
    """Per run, the sum of ``x[lo:hi]`` (``how="sum"``) or of ``x[lo:hi] * more[0][lo:hi]``
    (``how="dot"``) over rows ``lo, hi = bounds[r], bounds[r + 1]``, whose lengths differ;
    0 for a run with no rows.

    One ``np.add.reduceat`` over all runs: it adds each run's rows on their own, so a
    run's sum is the same whatever rows come before or after it, and the same as alone,
    where this is called with one run (``bounds`` ``[0, len(x)]``). It is not numpy's
    pairwise ``sum``: a run alone must call this too, not ``x.sum()``.
    """
    terms = np.ascontiguousarray(x if how == "sum" else x * more[0], dtype=float)
    if bounds.size == 2:  # one run
        return np.add.reduceat(terms, [0]) if terms.size else np.zeros(1)
    out = np.zeros(bounds.size - 1)
    some = bounds[1:] > bounds[:-1]
    if some.any():
        out[some] = np.add.reduceat(terms, bounds[:-1][some])
    return out


def scalar(x: PerRun) -> bool:
    """True for one run's plain number."""
    return not isinstance(x, np.ndarray) or x.ndim == 0
