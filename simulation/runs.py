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
        self._calls: dict[str, list[Any]] = {}  # each generator's method, by name

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

        numpy's Poisson draw of rate 0 is 0 and takes no number from the generator
        (``tests/test_batch.py`` checks it), so only the other entries are drawn."""
        return self._draw("poisson", (lam,), lam != 0, bounds, only)

    def binomial(self, n: Ints, p: Floats, bounds: Ints, only: Bools | None = None) -> Ints:
        """Binomial counts, rows split by run as in :meth:`poisson`.

        numpy's binomial draw of ``n == 0`` or ``p == 0`` is 0 and takes no number from the
        generator, so only the other entries are drawn.
        """
        return self._draw("binomial", (n, p), (n != 0) & (p != 0), bounds, only)

    def _draw(
        self,
        how: str,
        args: tuple[np.ndarray, ...],
        drawn: Bools,
        bounds: Ints,
        only: Bools | None,
    ) -> Ints:
        """Draws of the generators' method ``how`` over ``args``' entries, each run's rows
        from its own generator; the entries not ``drawn`` (and runs not ``only``) are 0.

        A run's draws are one call over its rows, or, when it has at most
        :data:`ONE_BY_ONE` entries to draw, one call per entry, in the array's order: a
        draw of one entry is the draw that entry gets in an array (the same C function,
        called in C order, ``tests/test_batch.py``), and a call of one number costs a
        twentieth of a call over an array. Either way each run's generator gives the same
        numbers, in the same order, as ``getattr(rng, how)(*args)`` over its rows alone.
        """
        shape = drawn.shape
        out = np.zeros(shape, np.int64)
        if drawn.size == 0:
            return out
        upto = np.zeros(shape[0] + 1, np.int64)  # entries drawn in the rows before each row
        np.cumsum(drawn.reshape(shape[0], -1).sum(axis=1), out=upto[1:])
        n_drawn = upto[bounds[1:]] - upto[bounds[:-1]]  # entries each run draws
        ask = n_drawn > 0
        if only is not None:
            ask &= only
        whole = ask & (n_drawn > ONE_BY_ONE)
        calls = self._calls.get(how)
        if calls is None:
            calls = self._calls[how] = [getattr(rng, how) for rng in self.rngs]
        if whole.any():
            edge = bounds.tolist()
            if len(args) == 1:
                (a,) = args
                for r in np.flatnonzero(whole).tolist():
                    lo, hi = edge[r], edge[r + 1]
                    out[lo:hi] = calls[r](a[lo:hi])
            else:
                for r in np.flatnonzero(whole).tolist():
                    lo, hi = edge[r], edge[r + 1]
                    out[lo:hi] = calls[r](*(x[lo:hi] for x in args))
        few = ask & ~whole
        if few.any():
            self._one_by_one(calls, args, drawn, bounds, few, out)
        return out

    @staticmethod
    def _one_by_one(
        calls: list[Any],
        args: tuple[np.ndarray, ...],
        drawn: Bools,
        bounds: Ints,
        few: Bools,
        out: Ints,
    ) -> None:
        """Into ``out``, the draws of runs ``few``, one call per entry ``drawn``, each
        run's in C order (its array's order), from its method in ``calls``."""
        shape = drawn.shape
        if not few.all():
            drawn = drawn & np.repeat(few, np.diff(bounds)).reshape((-1,) + (1,) * (drawn.ndim - 1))
        entries = np.flatnonzero(drawn)
        run = np.searchsorted(bounds * (drawn.size // shape[0]), entries, side="right") - 1
        values = [
            (x if x.shape == shape else np.broadcast_to(x, shape)).reshape(-1)[entries].tolist()
            for x in args
        ]
        flat = out.reshape(-1)
        if len(args) == 1:
            flat[entries] = [calls[r](v) for r, v in zip(run.tolist(), *values, strict=True)]
        else:
            first, second = values  # poisson draws from one array, binomial from two
            flat[entries] = [
                calls[r](v, w) for r, v, w in zip(run.tolist(), first, second, strict=True)
            ]


# Most entries a run draws one call per entry (Streams._draw) rather than one call over its
# rows: not behaviour (the numbers are the same either way), only speed. A call of one
# number costs about 0.7 us, one over an array about 12 us (numpy checks the array's
# values with a few whole-array reductions first).
ONE_BY_ONE = 16


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


def binomial_groups(
    rng: Any, pairs: Sequence[tuple[Ints, Floats]], only: Bools | None = None
) -> list[Ints]:
    """``[rng.binomial(n, p) for n, p in pairs]`` over groups, the draws one after the
    other. For :class:`Streams`, one draw per run of its groups' entries of every pair in
    turn: the numbers, in the order, of the draws one after the other (as
    :func:`poisson_groups`)."""
    if not isinstance(rng, Streams):
        return [rng.binomial(n, p) for n, p in pairs]
    k = len(pairs)
    n = np.stack([n.reshape(rng.runs, -1) for n, _ in pairs], axis=1)  # (runs, k, G)
    p = np.stack([p.reshape(rng.runs, -1) for _, p in pairs], axis=1)
    counts = rng.binomial(n.reshape(-1), p.reshape(-1), equal_bounds(rng.runs, n.size), only)
    return list(counts.reshape(rng.runs, k, -1).transpose(1, 0, 2).reshape(k, -1))


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
    return mask.reshape(s.runs, -1).sum(axis=1)


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
