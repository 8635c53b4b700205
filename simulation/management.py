"""Rule 9, management: managers review the programme and change its rules.

Every ``review_interval`` weeks (week w, before the last week) managers review the
programme against their rationale. Spending against the budget, pro rata:

    overspend o = spent_w / (budget * w / 52) - 1,

spent_w being the money paid out so far (programme cost). A review with
o > overspend_tolerance is under pressure: the managers' resolve grows by
``manager_adaptation`` and, each time it reaches 1, they make one cut (resolve - 1),
the first of these that the user's bounds still allow:

1. cut compensation one step (paid -> expenses -> none), not below ``compensation_floor``;
2. speed meetings up: pace <- min(pace_limit, pace + pace_step);
3. meet less often: interval <- min(interval_limit, interval + interval_step);
4. close the open programme group (not user-led) with the fewest insights per pound so
   far (outputs per cost), keeping ceil(groups_floor x programme groups) open.

The order is the managerial rationale's (outputs per cost): payment is cost with no
output of its own, so it goes first and every meeting goes on; faster, agenda-driven
meetings cost less staff time and decide more agenda items per hour; meeting less
often saves in proportion but loses outputs; closing a group loses all of its outputs
and its members' involvement, so it comes last.

Push-back, at every review: d is the share of active lay participants who are
rights-based (their largest value weight is on rights) and dissatisfied (satisfaction
below ``aspiration``). Managers give way as far as their own value weights allow, up to
c = 1 - (their mean weight on the managerial rationale):

    power_sharing <- power_sharing + a d max(0, c - power_sharing), likewise agenda_openness,

with a = manager_adaptation. With no managers nobody reviews; with a = 0 the rules stay
as set. Every change is an :class:`Event`, with its week and reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Bools, Floats
from .population import MANAGER, MANAGERIAL, RIGHTS

if TYPE_CHECKING:
    from .knowledge import Insights
    from .money import Flows
    from .params import Compensation, RunParams
    from .population import State

# A fact, not a choice: weeks in a year, for the budget pro rata.
WEEKS_PER_YEAR = 52
# Compensation from least to most (the schema's choices), for a cut of one step.
LADDER: tuple[Compensation, ...] = ("none", "expenses", "paid")


@dataclass(frozen=True)
class Event:
    """One change of a rule: when, what, from what to what, and why."""

    week: int
    rule: str  # the parameter changed (``closed_group`` for a group closed)
    old: object
    new: object
    reason: str

    def describe(self) -> str:
        """``week 13: compensation paid -> expenses (spending ...)``."""
        change = f"{self.rule} {_show(self.old)} -> {_show(self.new)}"
        return f"week {self.week}: {change} ({self.reason})"


def _show(x: object) -> str:
    return f"{x:.2f}" if isinstance(x, float) else str(x)


@dataclass
class Management:
    """What managers keep between reviews: resolve, per-group tallies, events."""

    closed: Bools  # per group
    insights: Floats  # per group, so far
    cost: Floats  # per group, GBP committed so far
    resolve: float = 0.0
    events: list[Event] = field(default_factory=list)


def start(s: State) -> Management:
    """Nothing reviewed yet, every group open."""
    return Management(np.zeros(s.n_groups, bool), np.zeros(s.n_groups), np.zeros(s.n_groups))


def tally(m: Management, insights: Insights | None, flows: Flows) -> None:
    """Add this week's insights and committed cost to each group's tally."""
    if insights is not None:
        m.insights += insights.total
    if flows.group_cost is not None:
        m.cost += flows.group_cost


def reviews(p: RunParams, week: int) -> bool:
    """Managers review this week (and are able to change anything)."""
    return p.manager_adaptation > 0 and week % p.review_interval == 0 and week < p.weeks


def review(
    s: State, p: RunParams, m: Management, week: int, spent: float
) -> tuple[RunParams, list[Event]]:
    """The rules after this week's review (``p`` itself when nothing changed) and the
    changes made; ``spent`` is the money paid out by the end of this week."""
    if not reviews(p, week) or not (s.role == MANAGER).any():
        return p, []
    events: list[Event] = []
    pro_rata = p.budget * week / WEEKS_PER_YEAR
    overspend = spent / pro_rata - 1.0
    if overspend > p.overspend_tolerance:
        m.resolve += p.manager_adaptation
        if m.resolve >= 1.0 or math.isclose(m.resolve, 1.0):
            m.resolve -= 1.0
            why = (
                f"spent GBP {spent:,.0f} by week {week}, {100 * overspend:.0f}% above the "
                f"budget pro rata (GBP {pro_rata:,.0f})"
            )
            p = _cut(s, p, m, week, why, events)
    p = _give_way(s, p, week, events)
    m.events += events
    return p, events


def _cut(
    s: State, p: RunParams, m: Management, week: int, why: str, events: list[Event]
) -> RunParams:
    """Make the first cut the bounds allow (module docstring); ``p`` if none is left."""
    step = LADDER.index(p.compensation)
    if step > LADDER.index(p.compensation_floor):
        events.append(Event(week, "compensation", p.compensation, LADDER[step - 1], why))
        return replace(p, compensation=LADDER[step - 1])
    if p.pace < p.pace_limit and not math.isclose(p.pace, p.pace_limit):
        pace = min(p.pace_limit, p.pace + p.pace_step)
        events.append(Event(week, "pace", p.pace, pace, why))
        return replace(p, pace=pace)
    if p.meeting_interval < p.interval_limit:
        interval = min(p.interval_limit, p.meeting_interval + p.interval_step)
        events.append(Event(week, "meeting_interval", p.meeting_interval, interval, why))
        return replace(p, meeting_interval=interval)
    own = ~s.user_led
    may_close = int(np.count_nonzero(own & ~m.closed)) - math.ceil(
        p.groups_floor * np.count_nonzero(own)
    )
    if may_close > 0:
        per_pound = np.divide(m.insights, m.cost, out=np.zeros(m.insights.size), where=m.cost > 0)
        g = int(np.argmin(np.where(own & ~m.closed, per_pound, np.inf)))
        m.closed[g] = True
        reason = f"{why}; fewest insights per pound ({1000 * per_pound[g]:.2f} per GBP 1,000)"
        events.append(Event(week, "closed_group", "open", f"group {g} closed", reason))
    return p


def pushing_back(s: State, p: RunParams, week: int) -> float:
    """Share of active lay participants who are rights-based and dissatisfied."""
    active = s.lay & (s.last_attended > week - p.active_weeks)
    n_active = np.count_nonzero(active)
    if n_active == 0:
        return 0.0
    rights_led = s.values.argmax(axis=1) == RIGHTS
    unhappy = active & rights_led & (s.satisfaction < p.aspiration)
    return np.count_nonzero(unhappy) / n_active


def _give_way(s: State, p: RunParams, week: int, events: list[Event]) -> RunParams:
    """Managers concede power sharing and openness, up to their own non-managerial weight."""
    d = pushing_back(s, p, week)
    if d <= 0:
        return p
    ceiling = 1.0 - float(s.values[s.role == MANAGER, MANAGERIAL].mean())
    why = (
        f"{100 * d:.0f}% of active patients and carers are rights-based and dissatisfied; "
        f"managers give way up to {ceiling:.2f}, their weight on rights and experience"
    )
    changed = {}
    for rule in ("power_sharing", "agenda_openness"):
        old = getattr(p, rule)
        if ceiling > old:
            changed[rule] = old + p.manager_adaptation * d * (ceiling - old)
            events.append(Event(week, rule, old, changed[rule], why))
    return replace(p, **changed) if changed else p


def open_mask(s: State, m: Management) -> Bools | None:
    """Per agent: False for members of a closed group; None while every group is open."""
    return ~m.closed[s.group] if m.closed.any() else None
