"""Emergent regimes: label each run with one kind of co-production, from its metrics.

A regime is a rule on a run's final metrics (and, to put totals on a weekly
footing, its ``weeks``). The rules are checked in :data:`REGIMES` order and the
first that holds wins, so every run gets exactly one label; ``ordinary`` is the
fallback. ``docs/regimes.md`` states each rule and its justification from Filipe,
Renedo & Marston (2017), with the model's own scales that place each threshold
(measured, and checked against the thresholds here, by
``tests/test_regimes_doc.py``; re-measure with
``pytest -m slow tests/test_regimes_doc.py`` after a model change).

Nothing here feeds back into the model: regimes are read off its outcomes.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simulation.params import DEFAULTS


@dataclass(frozen=True)
class Condition:
    """``indicator op threshold``, e.g. ``participation_lay < 0.1``."""

    indicator: str
    op: str  # "<" | ">="
    threshold: float

    def __str__(self) -> str:
        return f"{self.indicator} {self.op} {self.threshold:g}"


@dataclass(frozen=True)
class Regime:
    """A named pattern of outcomes; it holds when every condition holds."""

    name: str
    label: str
    color: str
    meaning: str
    conditions: tuple[Condition, ...]


_OPS = {"<": operator.lt, ">=": operator.ge}

# Derived indicators: metrics made comparable across programme lengths and sizes.
INDICATORS: dict[str, str] = {
    "unexpected_share": "insights_unexpected / insights (0 when there were no insights): "
    "share of insights that join lived experience to professional knowledge",
    "unpaid_hours_per_week": "unpaid_hours_per_lay_participant / weeks: unpaid meeting hours "
    "per programme week, per lay person who ever took part",
    "out_of_pocket_per_lay": "lay_out_of_pocket, as it is: money lay people have fronted and "
    "never got back (fares not refunded) at the end, GBP per lay person who ever took part",
}

# Checked in this order; the first regime whose conditions all hold labels the run.
REGIMES: tuple[Regime, ...] = (
    Regime(
        "collapse",
        "collapse",
        "#4d4d4d",
        "lay people have all but stopped coming",
        (Condition("participation_lay", "<", 0.10),),
    ),
    Regime(
        "precarious_labour",
        "precarious labour",
        "#d62728",
        "the lay people who stay give many unpaid hours and front money they do not get back",
        (
            Condition("unpaid_hours_per_week", ">=", 0.45),
            Condition("out_of_pocket_per_lay", ">=", 50.0),
        ),
    ),
    Regime(
        "elite_capture",
        "elite capture",
        "#ff7f0e",
        "people on benefits or disabled attend at under 60% of the rate of other lay people",
        (Condition("participation_parity", "<", 0.6),),
    ),
    Regime(
        "tokenism",
        "tokenism",
        "#9467bd",
        "lay people attend, but rights-based participants get little real influence",
        (Condition("satisfaction_rights", "<", 0.2),),
    ),
    Regime(
        "generative",
        "generative co-production",
        "#2ca02c",
        "lived experience is heard, unexpected insights come, ties and trust grow across roles",
        (
            Condition("experiential_share", ">=", 0.25),
            Condition("unexpected_share", ">=", 0.6),
            Condition("cross_role_ties", ">=", 1.0),
            Condition("mean_trust", ">=", 0.5),
        ),
    ),
    Regime(
        "ordinary",
        "ordinary involvement",
        "#9ecae1",
        "conventional involvement that neither fails outright nor becomes generative",
        (),
    ),
)

REGIME_NAMES: tuple[str, ...] = tuple(r.name for r in REGIMES)
REGIME_BY_NAME: dict[str, Regime] = {r.name: r for r in REGIMES}
FALLBACK = "ordinary"

# The metrics (and parameters) the rules read.
NEEDED_METRICS: tuple[str, ...] = (
    "participation_lay",
    "participation_parity",
    "satisfaction_rights",
    "experiential_share",
    "cross_role_ties",
    "mean_trust",
    "insights",
    "insights_unexpected",
    "unpaid_hours_per_lay_participant",
    "lay_out_of_pocket",
)
NEEDED_PARAMS: tuple[str, ...] = ("weeks",)


def indicators(row: Mapping[str, Any]) -> dict[str, float]:
    """Every quantity the rules read, for one run (missing parameters take their defaults)."""
    get = {**{k: DEFAULTS[k] for k in NEEDED_PARAMS}, **row}
    out = {name: float(get[name]) for name in NEEDED_METRICS}
    weeks = max(float(get["weeks"]), 1.0)
    out["unexpected_share"] = (
        out["insights_unexpected"] / out["insights"] if out["insights"] > 0 else 0.0
    )
    out["unpaid_hours_per_week"] = out["unpaid_hours_per_lay_participant"] / weeks
    # The metric is already per lay participant (simulation/metrics.py): no second division.
    out["out_of_pocket_per_lay"] = out["lay_out_of_pocket"]
    return out


def holds(regime: Regime, values: Mapping[str, float]) -> bool:
    """Whether every condition of ``regime`` holds for these indicator values."""
    return all(_OPS[c.op](values[c.indicator], c.threshold) for c in regime.conditions)


def classify(row: Mapping[str, Any]) -> str:
    """The regime name of one run: the first in :data:`REGIMES` whose rule holds."""
    values = indicators(row)
    for regime in REGIMES:
        if holds(regime, values):
            return regime.name
    return FALLBACK  # unreachable: the fallback has no conditions


def label_runs(runs: pd.DataFrame) -> pd.Series:
    """One regime name per row of a runs DataFrame (``None`` for failed runs)."""
    ok = runs["status"].eq("ok") if "status" in runs else pd.Series(True, index=runs.index)
    labels = [
        classify(row) if good else None
        for row, good in zip(runs.to_dict("records"), ok, strict=True)
    ]
    return pd.Series(labels, index=runs.index, name="regime", dtype=object)


def rules_markdown() -> str:
    """The rules as a Markdown table, in precedence order (for docs and reports)."""
    rows = ["| order | regime | rule (all must hold) | meaning |", "| --- | --- | --- | --- |"]
    for i, r in enumerate(REGIMES, 1):
        rule = " and ".join(f"`{c}`" for c in r.conditions) or "none of the above"
        rows.append(f"| {i} | {r.label} | {rule} | {r.meaning} |")
    return "\n".join(rows)
