"""Words for people: one way to show a value, one way to suggest a name.

The command line, the reports, the dashboard and the error messages all use these
two helpers, so a number or a suggestion reads the same everywhere.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

import numpy as np


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or ``""`` if none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def show(value: Any) -> str:
    """A value as people read it.

    Booleans as ``true``/``false`` (as in TOML files), ``None`` as ``n/a``, and
    numbers with about three significant digits: whole numbers and anything from
    100 up with thousands separators and no decimals (``12,345``), smaller ones
    with two or three decimals (``0.372``, ``4.25``).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if not isinstance(value, float):
        return str(value)
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else str(value)
    if value == 0:
        return "0"
    if abs(value) >= 100 or value.is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}" if abs(value) >= 0.001 else f"{value:.2g}"
