"""Hypothesis strategies from the schema, shared by the property and batch tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from simulation.params import LAY_COUNTS, PROFESSIONAL_COUNTS


def from_schema(p: Any, small: Mapping[str, st.SearchStrategy]) -> st.SearchStrategy:
    """Every value the schema allows for ``p`` (``small`` overrides some, to keep runs short)."""
    if p.name in small:
        return small[p.name]
    if p.kind == "int":
        return st.integers(int(p.low), int(p.high))
    if p.kind == "float":
        return st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
    if p.kind == "bool":
        return st.booleans()
    return st.sampled_from(p.choices)


def populated(v: Mapping[str, Any]) -> bool:
    """At least one lay person and one professional: a programme the model accepts."""
    return sum(v[n] for n in LAY_COUNTS) >= 1 and sum(v[n] for n in PROFESSIONAL_COUNTS) >= 1
