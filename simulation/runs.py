"""Several runs side by side: the per-run draws and sums the rules need (``simulation.batch``).

A state may hold ``s.runs`` runs side by side (``simulation.batch``): run ``r`` is agents
``r n .. (r + 1) n - 1`` and groups ``r G .. (r + 1) G - 1`` of every array (every run has
the same ``n`` agents and ``G`` groups). The rules act on all of them at once, as on more
groups; only two things must be done run by run, so that each run's numbers are the
same, to the last bit, as when it is run alone:

- **Draws.** Each run has its own generator and draws the same numbers, in the same order,
  as alone: :class:`Streams` draws each run's slice from its own generator.
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

if TYPE_CHECKING:
    from .population import State

type PerRun = Any  # a float (one run) or an array of one value per run


class Streams:
    """One generator per run, drawing each run's numbers as that run alone would.

    A draw over an array whose rows belong to runs (agents or groups, run by run) is made
    run by run from each run's own generator, so each run's stream sees the same calls in
    the same order as alone. Runs that ``only`` leaves out draw nothing (as alone, where
    the rule does not run): their entries are 0.
    """

    def __init__(self, rngs: Sequence[np.random.Generator]) -> None:
        self.rngs = list(rngs)

    @property
    def runs(self) -> int:
        """Number of runs."""
        return len(self.rngs)

    def random(self, shape: tuple[int, int]) -> Floats:
        """Uniform draws of ``shape`` (k, all agents): each run draws its (k, n) block."""
        k, total = shape
        n = total // self.runs
        out = np.empty((k, self.runs, n))
        for r, rng in enumerate(self.rngs):
            out[:, r] = rng.random((k, n))
        return out.reshape(k, total)

    def poisson(self, lam: Floats, bounds: Ints, only: Bools | None = None) -> Ints:
        """Poisson counts of rates ``lam`` whose rows ``bounds[r]:bounds[r + 1]`` are run r's.

        A run whose rates are all 0 is not asked: numpy's Poisson draw of rate 0 is 0 and
        takes no number from the generator (``tests/test_batch.py`` checks it)."""
        out = np.zeros(lam.shape, np.int64)
        rows = lam.reshape(lam.shape[0], -1)
        cum = np.concatenate([[0], np.cumsum(rows.any(axis=1))])
        ask = cum[bounds[1:]] > cum[bounds[:-1]]  # some rate not 0 (a bad one raises below)
        if only is not None:
            ask &= only
        for r in np.flatnonzero(ask).tolist():
            lo, hi = bounds[r], bounds[r + 1]
            out[lo:hi] = self.rngs[r].poisson(lam[lo:hi])
        return out

    def binomial(self, n: Ints, p: Floats, bounds: Ints, only: Bools | None = None) -> Ints:
        """Binomial counts, rows split by run as in :meth:`poisson`.

        numpy's binomial draw of ``n == 0`` or ``p == 0`` is 0 and takes no number from the
        generator, so only the other entries are drawn, one by one in each run's order
        (a draw of one entry is the draw that entry gets in an array: the same C function).
        """
        out = np.zeros(np.broadcast_shapes(n.shape, p.shape), np.int64)
        draw = np.flatnonzero((n != 0) & (p != 0))
        run = np.searchsorted(bounds, draw, side="right") - 1
        if only is not None:
            keep = only[run]
            draw, run = draw[keep], run[keep]
        rngs = self.rngs
        got = [
            rngs[r].binomial(k, q)
            for r, k, q in zip(run.tolist(), n[draw].tolist(), p[draw].tolist(), strict=True)
        ]
        out[draw] = got
        return out


# What a rule draws from: one run's generator, or one per run side by side.
type Draws = np.random.Generator | Streams


def equal_bounds(runs: int, size: int) -> Ints:
    """Row bounds of ``runs`` equal blocks of ``size`` rows in all."""
    return np.arange(runs + 1) * (size // runs)


def random(rng: Any, s: State, k: int) -> Floats:
    """(k, N) uniform draws: ``rng.random((k, N))``, run by run for :class:`Streams`."""
    return rng.random((k, s.n))


def poisson(rng: Any, lam: Floats, bounds: Ints | None = None, only: Bools | None = None) -> Ints:
    """``rng.poisson(lam)``; run by run (rows ``bounds``, runs ``only``) for :class:`Streams`."""
    if isinstance(rng, Streams):
        if bounds is None:
            bounds = equal_bounds(rng.runs, lam.shape[0])
        return rng.poisson(lam, bounds, only)
    return rng.poisson(lam)


def poisson_groups(rng: Any, lams: Sequence[Floats], only: Bools | None = None) -> list[Ints]:
    """``[rng.poisson(lam) for lam in lams]`` over per-group rates, the draws one after
    the other. For :class:`Streams`, one draw per run of its groups' rates of every
    ``lam`` in turn: the numbers, in the order, of the draws one after the other."""
    if not isinstance(rng, Streams):
        return [rng.poisson(lam) for lam in lams]
    k = len(lams)
    joined = np.stack([lam.reshape(rng.runs, -1) for lam in lams], axis=1)  # (runs, k, G)
    counts = rng.poisson(joined.reshape(-1), equal_bounds(rng.runs, joined.size), only)
    return list(counts.reshape(rng.runs, k, -1).transpose(1, 0, 2).reshape(k, -1))


def binomial(rng: Any, n: Ints, p: Floats, only: Bools | None = None) -> Ints:
    """``rng.binomial(n, p)`` over groups; run by run for :class:`Streams`."""
    if isinstance(rng, Streams):
        return rng.binomial(n, p, equal_bounds(rng.runs, n.shape[0]), only)
    return rng.binomial(n, p)


def blocks(s: State, x: np.ndarray) -> np.ndarray:
    """``x`` (agents or groups first) as (runs, per run, ...): each run's block."""
    return x.reshape(s.runs, -1, *x.shape[1:])


def total(s: State, x: np.ndarray) -> PerRun:
    """Sum of ``x`` (per agent or per group) over each run: ``float(x.sum())`` for one run."""
    if s.runs == 1:
        return float(x.sum())
    return x.reshape(s.runs, -1).sum(axis=1).astype(float)


def count(s: State, mask: Bools) -> PerRun:
    """How many of each run's entries are True: an ``int`` for one run."""
    if s.runs == 1:
        return int(np.count_nonzero(mask))
    return np.count_nonzero(mask.reshape(s.runs, -1), axis=1)


def dot(s: State, a: Floats, b: Floats) -> PerRun:
    """``a @ b`` over each run's block: ``float(a @ b)`` for one run."""
    if s.runs == 1:
        return float(a @ b)
    return np.matmul(a.reshape(s.runs, 1, -1), b.reshape(s.runs, -1, 1))[:, 0, 0]


def segments(bounds: Ints, x: np.ndarray, how: str, *more: np.ndarray) -> Floats:
    """Per run, ``x[lo:hi].sum()`` (``how="sum"``) or ``x[lo:hi] @ more[0][lo:hi]``
    (``how="dot"``) over rows ``bounds[r]:bounds[r + 1]``, whose lengths differ."""
    out = np.zeros(bounds.size - 1)
    for r in range(out.size):
        lo, hi = bounds[r], bounds[r + 1]
        if hi > lo:
            out[r] = x[lo:hi].sum() if how == "sum" else x[lo:hi] @ more[0][lo:hi]
    return out


def scalar(x: PerRun) -> bool:
    """True for one run's plain number."""
    return np.ndim(x) == 0
