"""Keyed draws: each weekly random number is a function of its run, week, rule and entry.

A run's weekly draws do not come from a generator stepped in order, but from a counter
and the run's key (a 64-bit number drawn from the run's own generator once its people
are drawn): the uniform of entry ``i`` (an agent, or a group, or one of its columns) of
draw ``j`` of rule ``site`` in week ``week`` is

    u = mix(mix(counter) xor key) / 2^64,   counter = week | site | j | i (bit fields),

``mix`` being SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable
pseudorandom number generators", OOPSLA; the bijection Java's ``SplittableRandom`` and
numpy's ``SeedSequence`` tests use), kept to its top 53 bits as numpy's ``random()``.
Counts are inverse CDFs of such uniforms (:func:`poisson`, :func:`binomial`): one uniform
an entry, however large the count.

Why: a run's numbers then depend on nothing but the run, so many runs side by side draw
all their numbers in a few array operations, and each still gets exactly the numbers it
gets alone (``simulation.batch``), whatever shares its pass and in whatever order. The
numbers are those of a different generator than numpy's: the model's results are the
same in distribution, not run by run, as before keyed draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .arrays import Bools, Floats, Ints
from .compiled import kernels as compiled

# Bit fields of the counter: (week, site, draw, entry). Widths, not behaviour: a run
# draws at most 2^28 numbers in one draw of one rule (a run of 10,000 agents draws 4 x
# 10,000 in its largest), has at most 2^8 rules that draw and draws in each at most 2^8
# times a week, and runs at most 2^20 weeks (params caps weeks far below).
ENTRY_BITS, DRAW_BITS, SITE_BITS, WEEK_BITS = 28, 8, 8, 20

# The rules that draw, each with a number of its own (the counter's site field). Appending
# one keeps the others' numbers; renumbering changes every run.
SITES = {
    "flare and wish": 0,  # rule 1, participation: flare-ups, then the wish to come
    "contributions": 1,  # rule 3, meeting: recognised contributions by kind, unrecognised
    "insights": 2,  # rule 4, knowledge: routine, then unexpected insights
    "lay origin": 3,  # rule 4, knowledge: how many of each came from lay people
    "adoption": 4,  # rule 5, decisions: lay-origin insights adopted, then the others
}

# Counts whose mean is at least this start their search near their quantile (normal
# approximation, :func:`_near`), from the CDF there (scipy), rather than at 0: a few
# steps rather than about the mean's, and never meeting exp(-mean) underflowing. Speed
# and range only: both searches give the quantile.
FROM_THE_MEAN = 30.0

# Counts searched one entry at a time in Python floats when at most this many move, as
# arrays when more: speed only, the same operations either way (tests/test_draws.py).
ONE_AT_A_TIME = 48

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(b) for b in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of 64-bit words: a bijection whose every output bit depends
    on every input bit."""
    z = z ^ (z >> _S30)
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def counter(week: int, site: str, draw: int) -> np.uint64:
    """The counter's (week, site, draw) fields; entries fill the low :data:`ENTRY_BITS`."""
    if not 0 <= week < 1 << WEEK_BITS or not 0 <= draw < 1 << DRAW_BITS:
        raise ValueError(f"week {week} or draw {draw} out of the counter's range")
    fields = (week << SITE_BITS | SITES[site]) << DRAW_BITS | draw
    return np.uint64(fields << ENTRY_BITS)


def uniforms(keys: np.ndarray | np.uint64, counters: np.ndarray) -> Floats:
    """Uniforms on [0, 1) of ``counters`` (uint64) under ``keys`` (uint64, broadcast)."""
    z = mix(mix(counters) ^ keys)
    return (z >> _S11).astype(np.float64) * _TO_UNIT


def poisson(u: Floats, lam: Floats) -> Ints:
    """The Poisson(``lam``) quantile of ``u``: the least k with P(X <= k) >= u."""
    loops = compiled()
    if loops is None:
        return _poisson(u, lam)
    shape = np.shape(lam)
    lam, u = _flat(lam, shape), _flat(u, shape)
    if not loops.poisson_valid(lam):
        raise ValueError("Poisson rates must be finite and non-negative")
    x = np.empty(lam.size, dtype=np.int64)
    if loops.poisson_counts(u, lam, np.exp(-lam), FROM_THE_MEAN, x):
        big = np.flatnonzero(x < 0)  # large means: searched from near their quantile
        x[big] = _poisson(u[big], lam[big])
    return x.reshape(shape)


def _flat(a: Any, shape: tuple[int, ...]) -> Floats:
    """``a`` as contiguous floats of ``shape`` (broadcast), flattened: copied only if need be."""
    a = np.asarray(a, dtype=float)
    if a.shape != shape:
        a = np.broadcast_to(a, shape)
    return np.ascontiguousarray(a).ravel()


def _poisson(u: Floats, lam: Floats) -> Ints:
    """:func:`poisson` in numpy arrays."""
    lam = np.asarray(lam, dtype=float)
    if not ((lam >= 0.0) & (lam < np.inf)).all():  # as numpy's poisson refuses (NaN too)
        raise ValueError("Poisson rates must be finite and non-negative")
    u = np.broadcast_to(u, lam.shape)
    start = np.zeros(lam.shape)
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    big = lam >= FROM_THE_MEAN
    if big.any():
        from scipy import special  # only for large means: not at import (light start-up)

        mean = lam[big]
        m = _near(u[big], mean, np.sqrt(mean), 1.0 / np.sqrt(mean), np.inf)
        start[big] = m
        pmf[big] = np.exp(m * np.log(mean) - mean - special.gammaln(m + 1.0))
        cdf[big] = special.pdtr(m, mean)

    return _search(u, start, pmf, cdf, np.inf, _poisson_up, _poisson_down, (lam,))


def _poisson_up(k, lam):
    """P(k + 1) / P(k): on arrays or on Python floats, the same operations."""
    return lam / (k + 1.0)


def _poisson_down(k, lam):
    """P(k - 1) / P(k)."""
    return k / lam


def binomial(u: Floats, n: np.ndarray, p: np.ndarray | float) -> Ints:
    """A Binomial(``n``, ``p``) count of ``u``: its quantile at ``u`` for p <= 1/2, else
    n less the Binomial(n, 1 - p) quantile at 1 - u (searched from the likelier end)."""
    loops = compiled()
    if loops is None:
        return _binomial(u, n, p)
    shape = np.shape(n)
    n, p, u = _flat(n, shape), _flat(p, shape), _flat(u, shape)
    if not loops.binomial_valid(n, p):
        raise ValueError("binomial counts need n >= 0 and 0 <= p <= 1")
    x = np.empty(n.size, dtype=np.int64)
    # (1 - q)^n as _binomial computes it: q = p, or 1 - p above 1/2 (their minimum)
    pmf = (1.0 - np.minimum(p, 1.0 - p)) ** n
    if loops.binomial_counts(u, n, p, pmf, FROM_THE_MEAN, x):
        big = np.flatnonzero(x < 0)
        x[big] = _binomial(u[big], n[big], p[big])
    return x.reshape(shape)


def _binomial(u: Floats, n: np.ndarray, p: np.ndarray | float) -> Ints:
    """:func:`binomial` in numpy arrays."""
    n = np.asarray(n, dtype=float)
    p = np.broadcast_to(np.asarray(p, dtype=float), n.shape)
    if not ((n >= 0.0) & (p >= 0.0) & (p <= 1.0)).all():  # as numpy's refuses (NaN too)
        raise ValueError("binomial counts need n >= 0 and 0 <= p <= 1")
    flip = p > 0.5
    q = np.where(flip, 1.0 - p, p)
    u = np.where(flip, 1.0 - u, u)
    start = np.zeros(n.shape)
    pmf = (1.0 - q) ** n
    cdf = pmf.copy()
    big = n * q >= FROM_THE_MEAN
    if big.any():
        from scipy import special  # only for large means: not at import (light start-up)

        nb, qb = n[big], q[big]
        sd = np.sqrt(nb * qb * (1.0 - qb))
        m = _near(u[big], nb * qb, sd, (1.0 - 2.0 * qb) / sd, nb)
        start[big] = m
        log_pmf = special.gammaln(nb + 1.0) - special.gammaln(m + 1.0)
        log_pmf += m * np.log(qb) + (nb - m) * np.log1p(-qb) - special.gammaln(nb - m + 1.0)
        pmf[big] = np.exp(log_pmf)
        cdf[big] = special.bdtr(m.astype(np.int64), nb.astype(np.int64), qb)
    odds = q / (1.0 - q)  # q <= 1/2

    x = _search(u, start, pmf, cdf, n, _binomial_up, _binomial_down, (n, odds))
    return np.where(flip, n.astype(np.int64) - x, x)


def _binomial_up(k, n, odds):
    """P(k + 1) / P(k): on arrays or on Python floats, the same operations."""
    return (n - k) / (k + 1.0) * odds


def _binomial_down(k, n, odds):
    """P(k - 1) / P(k)."""
    return k / (n - k + 1.0) / odds


def _near(
    u: np.ndarray, mean: np.ndarray, sd: np.ndarray, skew: np.ndarray, top: np.ndarray | float
) -> Floats:
    """Where a count of ``mean``, ``sd`` and ``skew`` has its ``u`` quantile, nearly: the
    normal quantile with the Cornish-Fisher skew term, floored into [0, top]. The search
    starts there, a step or two from the quantile, however large the mean."""
    from scipy import special  # only for large means: not at import (light start-up)

    z = special.ndtri(np.clip(u, _TO_UNIT, 1.0 - _TO_UNIT))
    return np.clip(np.floor(mean + sd * (z + skew * (z * z - 1.0) / 6.0)), 0.0, top)


def _search(u, start, pmf, cdf, top, up, down, params) -> Ints:
    """The least k with CDF(k) >= u, stepping from ``start`` (CDF ``cdf``, mass ``pmf``
    there) by the mass ratios ``up(k, *params)`` and ``down(k, *params)``, never above
    ``top``. Each entry's steps depend on its own values alone. Up to :data:`ONE_AT_A_TIME`
    moving entries are stepped one by one in Python floats, more as arrays: the same
    correctly rounded operations either way (tests/test_draws.py), so only speed differs.
    """
    k = start.astype(np.int64).ravel().copy()
    u, pmf, cdf, top, *params = (
        np.ravel(a) for a in np.broadcast_arrays(u, pmf, cdf, top, *params)
    )
    loops = compiled()
    if loops is not None:  # one compiled pass: the same steps, entry by entry
        if up is _poisson_up:
            loops.search_poisson(u, k, pmf, cdf, *params)
        else:
            loops.search_binomial(u, k, pmf, cdf, *params)
        return k.reshape(np.shape(start))
    for moving, step in (
        ((k > 0) & (u <= cdf - pmf), _down),  # the mass below k already reaches u
        ((u > cdf) & (k < top), _up),  # the CDF is still below u
    ):
        i = np.flatnonzero(moving)
        if not i.size:
            continue
        how = down if step is _down else up
        if i.size <= ONE_AT_A_TIME:
            values = zip(*(x[i].tolist() for x in (u, pmf, cdf, top, *params)), strict=True)
            k[i] = [step(k0, *v, how) for k0, v in zip(k[i].tolist(), values, strict=True)]
        else:
            k[i] = _steps(step, how, k[i].astype(float), u[i], pmf[i], cdf[i], top[i], params, i)
    return k.reshape(np.shape(start))


def _down(k, u, m, c, top, *rest):
    """Step down while the mass below k reaches u (k > 0, mass not underflowed)."""
    how = rest[-1]
    k = float(k)
    while True:
        c = c - m
        m = m * how(k, *rest[:-1])
        k = k - 1.0
        if not (k > 0 and u <= c - m and m > 0):
            return k


def _up(k, u, m, c, top, *rest):
    """Step up while the CDF is below u (below ``top``; a mass that underflows stops it)."""
    how = rest[-1]
    k = float(k)
    while True:
        m = m * how(k, *rest[:-1])
        k = k + 1.0
        c = c + m
        if not (u > c and m > 0 and k < top):
            return k


def _steps(step, how, kf, u, m, c, top, params, i):
    """:func:`_up` or :func:`_down` over arrays: the entries still moving, a step at a time."""
    k = kf.copy()
    j = np.arange(kf.size)
    p = [x[i] for x in params]
    while j.size:
        if step is _down:
            c = c - m
            m = m * how(kf, *p)
            kf = kf - 1.0
            more = (kf > 0) & (u <= c - m) & (m > 0)
        else:
            m = m * how(kf, *p)
            kf = kf + 1.0
            c = c + m
            more = (u > c) & (m > 0) & (kf < top)
        k[j] = kf
        j, kf, m, c, u, top = j[more], kf[more], m[more], c[more], u[more], top[more]
        p = [x[more] for x in p]
    return k


class Keyed:
    """The weekly draws of runs side by side (one run: a batch of one), keyed by run.

    ``keys``: one uint64 per run. Set :attr:`week` before each week's draws. Every draw
    takes the rule's ``site`` (a name in :data:`SITES`) and, for arrays whose rows are
    split unevenly between runs, ``bounds`` (run r's rows are ``bounds[r]:bounds[r+1]``);
    runs not ``only`` get 0.
    """

    def __init__(self, keys: Sequence[Any] | np.ndarray) -> None:
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.week = 0

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.keys.size

    def _edges(self, rows: int, bounds: Ints | None) -> Ints:
        """Run r's rows ``[r]:[r + 1]`` (every run the same number when None)."""
        if self.runs == 1:
            return np.array([0, rows])
        if bounds is None:
            return np.arange(self.runs + 1) * (rows // self.runs)
        return np.asarray(bounds, dtype=np.int64)

    def _fill(self, site: str, shapes: Sequence[tuple[int, ...]], bounds: Ints | None) -> Floats:
        """The uniforms of draws 0, 1, ... of ``site`` this week, one of each shape, laid
        end to end (each draw's C-ordered entries)."""
        rows = [shape[0] for shape in shapes]
        inner = [math.prod(shape[1:]) for shape in shapes]
        if self.runs == 1:  # (cheaply: a run alone makes many small draws)
            edges = np.array([[0, r] for r in rows])
            most = max(r * size for r, size in zip(rows, inner, strict=True))
        else:
            edges = np.stack([self._edges(r, bounds) for r in rows])
            most = int((np.diff(edges, axis=1).max(axis=1, initial=0) * inner).max())
        if most > 1 << ENTRY_BITS:
            raise ValueError(f"a run draws more than 2^{ENTRY_BITS} numbers at once")
        counter(self.week, site, len(shapes) - 1)  # every draw's number in its field's range
        first = int(counter(self.week, site, 0))
        bases = [first | j << ENTRY_BITS for j in range(len(shapes))]  # draw j's counter
        loops = compiled()
        if loops is not None:  # one compiled pass over every draw's entries
            out = np.empty(sum(r * size for r, size in zip(rows, inner, strict=True)))
            loops.uniforms(self.keys, edges, np.array(inner), np.array(bases, np.uint64), out)
            return out
        parts = []
        for e, size, base in zip(edges, inner, bases, strict=True):
            run = np.repeat(np.arange(self.runs), np.diff(e))
            row_start = (np.arange(e[-1]) - e[run]).astype(np.uint64) * np.uint64(size)
            local = (row_start[:, None] + np.arange(size, dtype=np.uint64)).ravel()
            parts.append(uniforms(np.repeat(self.keys[run], size), local | np.uint64(base)))
        return np.concatenate(parts)

    def random(self, site: str, k: int, n: int) -> Floats:
        """(k, n) uniforms, n being all runs' agents (each run the same number)."""
        return self._fill(site, [(n,)] * k, None).reshape(k, n)

    def counts(
        self,
        site: str,
        how: str,
        args: Sequence[Any],
        bounds: Ints | None = None,
        only: Bools | None = None,
    ) -> list[Ints]:
        """Draw ``j`` of ``site`` for each of ``args`` in turn: Poisson counts of rates
        ``args[j]`` (``how="poisson"``) or binomial counts of pairs ``args[j] = (n, p)``.
        The draws' entries are counted in one search (each entry's count depends on its own
        uniform and parameters alone)."""
        shapes = [np.shape(a if how == "poisson" else a[0]) for a in args]
        u = self._fill(site, shapes, bounds)
        if how == "poisson":
            x = poisson(u, _joined([np.ravel(a) for a in args]))
        else:
            n = _joined([np.ravel(a[0]) for a in args])
            p = _joined([_flat(a[1], sh) for a, sh in zip(args, shapes, strict=True)])
            x = binomial(u, n, p)
        out, at = [], 0
        for sh in shapes:  # each draw's counts, in turn
            size = math.prod(sh)
            out.append(x[at : at + size].reshape(sh))
            at += size
        if only is not None and not only.all():
            for part, sh in zip(out, shapes, strict=True):
                part[~np.repeat(only, np.diff(self._edges(sh[0], bounds)))] = 0
        return out


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
