"""Names for the array types of the model's state, for readers and for mypy.

Arrays hold one entry per agent (``N``) unless their comment says otherwise
(per group, or per group and kind of knowledge).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

type Floats = npt.NDArray[np.float64]
type Ints = npt.NDArray[np.int64]
type Bools = npt.NDArray[np.bool_]
type Ties = npt.NDArray[np.float32]  # (groups, slots, slots) tie strengths
