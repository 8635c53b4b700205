"""Words on figures and in the report for parameters and metrics, read from their definitions.

Parameters: ``simulation.params`` (help, unit; for an assumption also its rule, default and
basis); metrics: ``simulation.metrics``
(label, help, unit). Values are shown with ``simulation.text.show``.
"""

from __future__ import annotations

import textwrap

from simulation.metrics import METRIC_BY_NAME
from simulation.params import ASSUMPTION_NAMES, PARAM_BY_NAME
from simulation.text import show


def param_label(name: str, width: int = 60) -> str:
    """``name: help (unit)``, wrapped to ``width``, for an axis; the bare name if unknown."""
    p = PARAM_BY_NAME.get(name)
    if p is None:
        return name
    unit = f" ({p.unit})" if p.unit else ""
    return "\n".join(textwrap.wrap(f"{name}: {p.help}{unit}", width))


def param_meaning(name: str) -> str:
    """``help (unit)`` of a parameter, or ``""`` if unknown; for a model assumption, also
    the rule that uses it, its default and its basis (docs/assumptions.md)."""
    p = PARAM_BY_NAME.get(name)
    if p is None:
        return ""
    text = p.help + (f" ({p.unit})" if p.unit else "")
    if name in ASSUMPTION_NAMES:
        text += f"; a model assumption of the {p.group} rule, default {show(p.default)} ({p.basis})"
    return text


def short_param(name: str) -> str:
    """``name (unit)``, e.g. for a legend title."""
    p = PARAM_BY_NAME.get(name)
    return f"{name} ({p.unit})" if p is not None and p.unit else name


def metric_title(name: str, width: int = 60) -> str:
    """The metric's label (``Metric.label``), wrapped to ``width``: a figure's title."""
    return "\n".join(textwrap.wrap(METRIC_BY_NAME[name].label, width))


def metric_axis(name: str) -> str:
    """``name (unit)``: an axis that shows a metric's values."""
    return f"{name} ({METRIC_BY_NAME[name].unit})"


def metric_unit(name: str) -> str:
    return METRIC_BY_NAME[name].unit


def metric_heading(name: str) -> str:
    """``name: help (unit)``: the report's heading for a metric."""
    m = METRIC_BY_NAME[name]
    return f"{name}: {m.help} ({m.unit})"


def wrap(text: str, width: int = 70) -> str:
    return "\n".join(textwrap.wrap(text, width))
