"""Rule 8, values: what people see co-production produce shifts what they value.

Each agent weighs the three rationales (rights, managerial, experience) with
weights v that sum to 1; they start mostly on its own rationale (see population)
and satisfaction is judged by the weighted mix (see motivation). After a meeting:

- a present professional whose group has seen lived experience produce insights
  (evidence e_g, see relations) gives experience more weight,
  v_exp <- v_exp + value_rate e_g (1 - v_exp);
- a present lay person who spoke and was not heard (h = recognised / said) shifts
  towards rights-based demands, v_rights <- v_rights + value_rate (1 - h) (1 - v_rights);
  one who stays unheard also loses motivation, and may leave (see motivation).

The other two weights shrink in proportion, so the weights still sum to 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import compiled
from .arrays import Bools, Floats
from .population import EXPERIENCE, RIGHTS
from .runs import PerRun, segments

if TYPE_CHECKING:
    from .meeting import Talk
    from .params import RunParams
    from .population import State


def shift(s: State, p: RunParams, talk: Talk | None) -> None:
    """Move present agents' value weights after this week's meeting."""
    if talk is None:
        return
    # Runs side by side: a run nobody came to is left as it was, as alone (_towards would
    # zero the other weights of someone whose weight is exactly 1).
    idle = None if talk.met is None or talk.met.all() else ~np.repeat(talk.met, s.n // s.runs)
    kept = None if idle is None else s.values[idle]
    professional = s.attending & ~s.lay
    _towards(s.values, EXPERIENCE, professional, p.value_rate * s.evidence[s.group])
    unheard = s.attending & s.lay & (talk.said > 0)
    _towards(s.values, RIGHTS, unheard, p.value_rate * (1.0 - talk.heard))
    if idle is not None:
        s.values[idle] = kept


def _towards(values: Floats, k: int, who: Bools, step: Floats) -> None:
    """Raise weight ``k`` of ``who`` by ``step`` of the way to 1; scale the others down."""
    loops = compiled.kernels()
    if loops is not None and values.flags.c_contiguous and values.dtype == np.float64:
        loops.towards(values, k, who, step)  # the lines below, row by row in one pass
        return
    old = values[:, k]
    new = np.where(who, old + step * (1.0 - old), old)
    rest = np.divide(1.0 - new, 1.0 - old, out=np.zeros(old.size), where=old < 1.0)
    values *= rest[:, None]
    values[:, k] = new


def experience_shift(s: State, who: Bools) -> PerRun:
    """Mean change, since the start, of the weight on experience among ``who`` (0 when
    nobody; per run when runs share ``s``, each run's mean over its own members of ``who``:
    simulation.runs)."""
    shift = (s.values[:, EXPERIENCE] - s.initial_values[:, EXPERIENCE])[who]
    if s.runs == 1:  # the same sum as runs side by side, made for one run
        return (
            float(segments(np.array([0, shift.size]), shift, "sum")[0]) / shift.size
            if shift.size
            else 0.0
        )
    size = who.reshape(s.runs, -1).sum(axis=1)
    bounds = np.concatenate([[0], np.cumsum(size)])
    return np.divide(segments(bounds, shift, "sum"), size, out=np.zeros(s.runs), where=size > 0)
