"""The step several rules share, in one pass when the compiled loops run.

Trust, credibility, recognition, satisfaction, motivation, fear and cash all move part of
the way towards a target each week (docs/odd.md): x <- x + a r (target - x), a being 1
for those the rule moves and 0 for the others. In numpy arrays that is four whole-array
operations and their temporaries; :func:`simulation.kernels.relax` makes the same
operations entry by entry, in the same order, so the numbers are the same to the bit
(``tests/test_fused.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import compiled

if TYPE_CHECKING:
    from .arrays import Bools, Floats


def relax(x: Floats, rate: float, target: Floats | float, who: Bools | None = None) -> None:
    """Move ``x`` (in place) ``rate`` of the way to ``target``, only where ``who`` if given:
    ``x += who * rate * (target - x)``."""
    loops = compiled.kernels()
    if loops is not None and _plain(x, target, who) and isinstance(rate, float):
        if who is None:
            loops.relax_all(x, rate, target)
        else:
            loops.relax(x, who, rate, target)
    elif who is None:
        x += rate * (target - x)
    else:
        x += who * rate * (target - x)


def _plain(x: Floats, target: Floats | float, who: Bools | None) -> bool:
    """Whether the compiled loops take these: float64 arrays of the same size, ``x``
    contiguous (as State makes them), ``who`` None or flags."""
    return (
        (who is None or who.dtype == np.bool_)
        and x.dtype == np.float64
        and x.flags.c_contiguous
        and isinstance(target, np.ndarray)
        and target.dtype == np.float64
        and target.shape == x.shape
    )
