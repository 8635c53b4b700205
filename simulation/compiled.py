"""Which inner loops run: numba's compiled kernels (``simulation.kernels``) or numpy arrays.

Both give the same numbers to the bit (each kernel does its numpy twin's operations in
the same order; tests/test_draws.py, tests/test_rule_knowledge.py, tests/test_fused.py and
the rule tests check them against each other), so the choice is one
of speed only: ``COPROD_KERNELS=numpy`` lets a benchmark measure the compiled loops
against the pure-numpy version, and runs where numba is missing use the arrays.
"""

from __future__ import annotations

import os
from types import ModuleType

from .schema import ParamError

VARIABLE = "COPROD_KERNELS"
CHOICES = ("numba", "numpy")
_loaded: dict[str, ModuleType | None] = {}


def choice() -> str:
    """The loops chosen (``COPROD_KERNELS``, default numba); a ParamError names what is
    allowed otherwise. Cheap: the command line checks it before any work."""
    chosen = os.environ.get(VARIABLE, CHOICES[0])
    if chosen not in CHOICES:
        raise ParamError(f"{VARIABLE}: expected {' or '.join(CHOICES)}, got {chosen!r}")
    return chosen


def kernels() -> ModuleType | None:
    """simulation.kernels when the compiled loops run, else None (numpy's arrays).
    Imported at the first call, not at ``import simulation``."""
    chosen = choice()
    if chosen not in _loaded:
        _loaded[chosen] = _import() if chosen == "numba" else None
    return _loaded[chosen]


def _import() -> ModuleType | None:
    try:
        from . import kernels  # numba's import takes half a second: only at a first use
    except ImportError:  # numba missing: the arrays give the same numbers
        return None
    return kernels
