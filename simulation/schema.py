"""What a model input is: :class:`Param`, and the error a bad value raises.

Both lists of inputs are made of Params: the policy levers
(:data:`simulation.params.PARAMS`) and the behavioural assumptions
(:data:`simulation.assumptions.ASSUMPTIONS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .text import show

BASES = ("published", "estimate", "assumption")


class ParamError(ValueError):
    """A parameter name or value that the schema does not allow."""


@dataclass(frozen=True)
class Param:
    """One model parameter and everything users need to know about it."""

    name: str
    kind: str  # "int" | "float" | "bool" | "choice"
    default: Any
    help: str
    concept: str
    group: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    # For assumptions: where the default and range come from (a citation, or for a
    # pure assumption one sentence of reasoning), and how firm that is (one of BASES).
    source: str = ""
    basis: str = ""

    @property
    def allowed(self) -> str:
        """What values are allowed, in words."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        word = "a whole number" if self.kind == "int" else "a number"
        return f"{word} from {show(self.low)} to {show(self.high)}"

    def coerce(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ParamError."""
        typed = self._typed(value)
        if typed is _BAD:  # the message is made only for a bad value (a run checks ~160)
            given = repr(value) if not isinstance(value, str) else f"'{value}'"
            raise ParamError(f"{self.name}: expected {self.allowed}, got {given}")
        return typed

    def _typed(self, value: Any) -> Any:
        """``value`` as this parameter's type, or ``_BAD``."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
                return _BOOL_WORDS[value.strip().lower()]
            return _BAD
        if self.kind == "choice":
            if isinstance(value, str) and value.strip() in self.choices:
                return value.strip()
            return _BAD
        if isinstance(value, bool):
            return _BAD
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                return _BAD
        if not isinstance(value, int | float) or not math.isfinite(value):
            return _BAD
        if self.kind == "int":
            if float(value) != int(value):
                return _BAD
            value = int(value)
        else:
            value = float(value)
        assert self.low is not None and self.high is not None  # numbers have a range
        if not (self.low <= value <= self.high):
            return _BAD
        return value


_BAD = object()  # what Param._typed gives for a value the parameter does not allow

_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "1": True,
    "on": True,
    "false": False,
    "no": False,
    "0": False,
    "off": False,
}
