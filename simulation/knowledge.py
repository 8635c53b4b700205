"""Rule 3, knowledge: recognised contributions of different people combine into insights.

New knowledge needs different people in the room. Per group g, with b_i, p_i, e_i
person i's recognised biomedical, practice and lived-experience contributions:

    routine insights    ~ Poisson(k_routine    * sqrt(sum_{i != j} d_ij b_i p_j))
    unexpected insights ~ Poisson(k_unexpected * sqrt(sum_{i lay, j prof} d_ij e_i (b_j + p_j)))

where d_ij = 1/2 sum_k |q_ik - q_jk| is how far apart the knowledge profiles of i
and j are (0 for two people who know the same things, 1 for people who share
nothing). A routine insight joins biomedical evidence and practice knowledge
brought by two different people (one person's own two kinds do not combine);
an unexpected one joins lived experience brought by a patient or carer with
professional knowledge brought by a clinician or manager at the same meeting:
the paper's "breathlessness" theme. So a meeting of people who know alike
produces little, whatever its length, and without lay people in the room, or
without their experience recognised, there are no unexpected insights. An
insight's proposer is lay with the lay share of the contributions it combines:
for routine insights the lay share of B + P; for unexpected ones the lay share of
the lived experience and professional knowledge combined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, runs
from .arrays import Floats, Ints, Ties
from .relations import on_grid
from .runs import Draws

if TYPE_CHECKING:
    from .meeting import Talk
    from .params import RunParams
    from .population import State


@dataclass
class Insights:
    """Insights produced this week, per group."""

    total: Ints
    unexpected: Ints
    lay_origin: Ints
    by_kind: Floats  # (groups, 3) recognised contributions
    lay_by_kind: Floats  # (groups, 3) of which by lay people


def by_group_side_and_kind(s: State, counts: Ints) -> Floats:
    """Sum an (N, 3) array within groups, professionals and lay people apart: (groups, 2, 3)."""
    sums = np.bincount(s.group_side_kind, counts.ravel(), minlength=6 * s.n_groups)
    return sums.reshape(-1, 2, 3)


def differences(s: State) -> Ties:
    """(groups, slots, slots) d_ij: how far apart two members' knowledge profiles are.

    Fixed for a run (what people know does not change); 0 on the diagonal and for
    empty slots.
    """
    # Kind by kind: the terms of 1/2 sum_k |q_ik - q_jk| added in numpy's order for a sum
    # over a last axis of three, (k0 + k1) + k2 (tests/test_rule_knowledge.py), without
    # the (groups, slots, slots, kinds) array in between; a block of groups at a time,
    # so that the float64 work stays in cache.
    by_kind = np.zeros((3, s.n_groups * s.n_slots))
    by_kind[:, s.cell] = s.knowledge.T
    q = by_kind.reshape(3, s.n_groups, s.n_slots)
    member = on_grid(s, np.ones(s.n, bool))
    out = np.empty((s.n_groups, s.n_slots, s.n_slots), np.float32)
    block = max(1, _BLOCK_PAIRS // (s.n_slots * s.n_slots))
    for lo in range(0, s.n_groups, block):
        g = slice(lo, lo + block)
        d = np.abs(q[0, g, :, None] - q[0, g, None, :])
        term = np.empty_like(d)
        for k in (1, 2):
            np.subtract(q[k, g, :, None], q[k, g, None, :], out=term)
            d += np.abs(term, out=term)
        d *= 0.5
        d *= member[g, :, None]  # 0 for empty slots (d is finite and at least 0: +0)
        d *= member[g, None, :]
        out[g] = d
    return out


# Pairs of members worked out at a time in differences (not behaviour: 32k float64
# pairs, 256 kB, stay in a core's cache).
_BLOCK_PAIRS = 32_768


def combine(s: State, p: RunParams, talk: Talk | None, apart: Ties, rng: Draws) -> Insights | None:
    """Form this week's insights from what was recognised; ``apart`` is :func:`differences`."""
    if talk is None:
        return None
    rec_i = talk.recognised
    sides = by_group_side_and_kind(s, rec_i)
    lay = sides[:, 1]
    rec = sides[:, 0] + lay
    bio, practice, known, lay_lived = _grids(s, rec_i)
    routine_pairs, unexpected_pairs = both_pair_sums(bio, practice, lay_lived, known, apart)
    # Runs nobody met in form no insights (simulation.runs).
    routine, unexpected = runs.poisson_groups(
        rng,
        "insights",
        [p.k_routine * np.sqrt(routine_pairs), p.k_unexpected * np.sqrt(unexpected_pairs)],
        only=talk.met,
    )
    lay_routine = _share(lay[:, 0] + lay[:, 1], rec[:, 0] + rec[:, 1])
    lay_e, pro_k = lay_lived.sum(axis=1), known.sum(axis=1)
    lay_unexpected = _share(lay_e, lay_e + pro_k)
    routine_lay, unexpected_lay = runs.binomial_groups(
        rng, "lay origin", [(routine, lay_routine), (unexpected, lay_unexpected)], talk.met
    )
    lay_origin = routine_lay + unexpected_lay
    return Insights(routine + unexpected, unexpected, lay_origin, rec, lay)


def _grids(s: State, rec_i: Ints) -> tuple[np.ndarray, ...]:
    """Members' recognised biomedical and practice contributions on the (groups x slots)
    grid; the professionals' (biomedical and practice) knowledge; lay people's lived
    experience. In one compiled pass when the kernels run (simulation.kernels.grids)."""
    loops = compiled.kernels()
    if loops is not None and rec_i.dtype == np.int64:
        out = np.zeros((5, s.n_groups * s.n_slots), np.float32)
        loops.grids(s.cell, rec_i, s.lay, out)
        bio, practice, _lived, known, lay_lived = out.reshape(5, s.n_groups, s.n_slots)
        return bio, practice, known, lay_lived
    bio, practice, lived = (on_grid(s, rec_i[:, k].astype(np.float32)) for k in range(3))
    professional = on_grid(s, ~s.lay).astype(np.float32)
    known = (bio + practice) * professional  # professional knowledge, by professionals
    lay_lived = lived * (1.0 - professional)
    return bio, practice, known, lay_lived


def pair_sums(a: np.ndarray, apart: Ties, b: np.ndarray) -> np.ndarray:
    """Per group, the sum over pairs of members of a_i d_ij b_j: ``np.einsum("gi,gij,gj->g")``,
    in one compiled pass when the kernels run and the arrays are as the rule makes them
    (float32, contiguous, each group's pairs within numpy's buffer): the same sums in the
    same order (simulation.kernels.pair_sums; tests/test_rule_knowledge.py)."""
    loops = compiled.kernels()
    arrays = (a, apart, b)
    if (
        loops is None
        or a.shape[1] * b.shape[1] > np.getbufsize()  # einsum would sum a group in parts
        or any(x.dtype != np.float32 or not x.flags.c_contiguous for x in arrays)
    ):
        return np.einsum("gi,gij,gj->g", a, apart, b)
    out = np.empty(a.shape[0], dtype=np.float32)
    loops.pair_sums(a, apart, b, out)
    return out


def both_pair_sums(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, e: np.ndarray, apart: Ties
) -> tuple[np.ndarray, np.ndarray]:
    """``pair_sums(a, apart, b)`` and ``pair_sums(c, apart, e)``: in one compiled pass over
    ``apart`` when :func:`pair_sums` would make each in one (the same sums, side by side:
    simulation.kernels.pair_sums_two)."""
    loops = compiled.kernels()
    arrays = (a, b, c, e, apart)
    if (
        loops is None
        or a.shape[1] * b.shape[1] > np.getbufsize()
        or any(x.dtype != np.float32 or not x.flags.c_contiguous for x in arrays)
    ):
        return pair_sums(a, apart, b), pair_sums(c, apart, e)
    ab, ce = np.empty(a.shape[0], np.float32), np.empty(a.shape[0], np.float32)
    loops.pair_sums_two(a, b, c, e, apart, ab, ce)
    return ab, ce


def _share(part: Floats, whole: Floats) -> Floats:
    return np.divide(part, whole, out=np.zeros(part.shape), where=whole > 0)
