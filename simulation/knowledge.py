"""Rule 3, knowledge: recognised contributions combine into new insights.

Per group g with recognised biomedical, practice and lived-experience
contributions B, P, E:

    routine insights    ~ Poisson(k_routine    * sqrt(B * P))
    unexpected insights ~ Poisson(k_unexpected * sqrt(E * (B + P)))

Lived experience meeting professional knowledge is where unexpected insights
come from (the paper's "breathlessness" theme). An insight's proposer is lay
with the lay share of the contributions it combines: for routine insights the
lay share of B + P; for unexpected ones the mean of the lay shares of E and B + P.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Floats, Ints

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


def combine(s: State, p: RunParams, talk: Talk | None, rng: np.random.Generator) -> Insights | None:
    """Form this week's insights from what was recognised."""
    if talk is None:
        return None
    sides = by_group_side_and_kind(s, talk.recognised)
    lay = sides[:, 1]
    rec = sides[:, 0] + lay
    professional = rec[:, 0] + rec[:, 1]
    routine = rng.poisson(p.k_routine * np.sqrt(rec[:, 0] * rec[:, 1]))
    unexpected = rng.poisson(p.k_unexpected * np.sqrt(rec[:, 2] * professional))
    lay_professional = np.divide(
        lay[:, 0] + lay[:, 1], professional, out=np.zeros(s.n_groups), where=professional > 0
    )
    lay_experience = np.divide(lay[:, 2], rec[:, 2], out=np.zeros(s.n_groups), where=rec[:, 2] > 0)
    lay_origin = rng.binomial(routine, lay_professional) + rng.binomial(
        unexpected, 0.5 * (lay_experience + lay_professional)
    )
    return Insights(routine + unexpected, unexpected, lay_origin, rec, lay)
