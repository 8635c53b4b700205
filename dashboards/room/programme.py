"""One team's programme in a room: a model on the room's seed and population.

Every team's :class:`Programme` is a ``CoProductionModel`` built with the room's
seed and the room's values, with the team's rules on top. The population is drawn
first, from the seed, and reads only the levers in :data:`FIXED` (the counts of
people, the shares on benefits and disabled, the group size); so teams that differ
only in the other levers meet the very same people, and differences in outcomes come
from the rules alone. Two levers still touch the population's arrays without
changing who the people are: ``user_led_funding`` picks which groups are user-led
(the draw it uses is made whatever its value), and ``refund_delay`` sizes the
(empty) queue of refunds owed. ``tests/test_room_store.py`` checks this.

A programme is always the team's *current* rules run from week 0 to the room's week
(:meth:`Programme.catch_up`): a rule changed between rounds applies as if it had held
from the start. The model has no way to change its rules mid-run (its costs and
meeting setting are worked out once, from the parameters, when it is built).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation import metrics
from simulation.model import CoProductionModel
from simulation.params import GROUPS, PARAMS, validate
from simulation.text import show

# Levers that shape the population (who the people are, and their groups): the room
# sets them once for every team, so they are never a team's to change. ``weeks`` is
# the programme's length, the same for every team so that rounds line up.
FIXED: frozenset[str] = frozenset(
    [p.name for p in PARAMS if p.group == "Population"] + ["group_size", "weeks"]
)
# Levers a facilitator may hand to teams: every other parameter.
ALLOWABLE: tuple[str, ...] = tuple(p.name for p in PARAMS if p.name not in FIXED)
# Facts of the world rather than a programme's rules (the bus fare, the benefits
# system's earnings limit): allowable, but not offered unless the facilitator says so.
WORLD: frozenset[str] = frozenset({"travel_cost", "permitted_earnings"})
DEFAULT_LEVERS: tuple[str, ...] = tuple(n for n in ALLOWABLE if n not in WORLD)
assert set(GROUPS) >= {"Population", "Compensation", "Pacing"}  # the schema's groups

# The league table's four columns: what a room compares teams on, and the metric each is.
LEAGUE: dict[str, str] = {
    "equity": "participation_parity",
    "knowledge": "insights",
    # Trust, not ties across roles: strong ties take a year to form (none at weeks 13-52 on
    # seed 0 whatever the rules), so early rounds would all tie at 0.
    "relations": "mean_trust",
    "cost": "programme_cost",
}
LABELS: dict[str, str] = {
    column: metrics.METRIC_BY_NAME[name].label for column, name in LEAGUE.items()
}
_COLUMN = {name: i for i, name in enumerate(metrics.METRIC_NAMES)}


def plural(count: int, one: str, many: str) -> str:
    """``1 person``, ``3 people``: a count with its noun."""
    return f"{show(count)} {one if count == 1 else many}"


class Programme:
    """One team's model, kept at the room's week with the team's current rules."""

    def __init__(self, seed: int, values: dict[str, Any]):
        self.seed = seed
        self.values = dict(values)  # the room's values, validated
        self.model: CoProductionModel | None = None
        # Week -> Universal Credit taken back from each person that week (benefit_rules=uc),
        # for the weeks that took some: the room's events tell of it round by round.
        self.taken: dict[int, np.ndarray] = {}

    def params_for(self, rules: dict[str, Any]) -> dict[str, Any]:
        """Every parameter's value for a team with these rules."""
        return validate({**self.values, **rules})

    def catch_up(self, rules: dict[str, Any], week: int) -> None:
        """Make the model the team's rules run from week 0 to ``week`` (rebuilt if need be)."""
        wanted = self.params_for(rules)
        model = self.model
        if model is not None and model.params.as_dict() == wanted and model.steps == week:
            return
        self.model = CoProductionModel(rng=self.seed, **wanted)
        self.taken = {}
        self.advance(week)

    @property
    def week(self) -> int:
        return 0 if self.model is None else int(self.model.steps)

    def advance(self, weeks: int) -> None:
        """Run ``weeks`` more weeks (fewer if the programme ends first)."""
        assert self.model is not None
        for _ in range(weeks):
            if not self.model.running:
                break
            before = self.model.state.taken_back.copy()
            self.step_model()
            taken = self.model.state.taken_back - before
            if taken.any():
                self.taken[int(self.model.steps)] = taken

    def step_model(self) -> None:
        """One week of the model (roles mode adds the seats' choices: ``roles.Shared``)."""
        assert self.model is not None
        self.model.step()

    def active_on_benefits(self) -> np.ndarray:
        """Indices of people on benefits who came to a meeting in the last active weeks."""
        assert self.model is not None
        s = self.model.state
        recent = s.last_attended > self.model.steps - self.model.params.active_weeks
        return np.flatnonzero(s.on_benefits & s.ever_attended & recent)

    def standing(self, team: str) -> dict[str, Any]:
        """The team's row of the league table: its outcomes so far."""
        assert self.model is not None
        final = self.model.final_metrics()
        return {"team": team, "week": self.week} | {c: final[n] for c, n in LEAGUE.items()}

    def series(self) -> dict[str, list[float]]:
        """Each league metric's weekly value, weeks 1 to now (for small multiples)."""
        assert self.model is not None
        done = min(self.week, self.model.params.weeks)
        return {c: self.model.history[:done, _COLUMN[n]].tolist() for c, n in LEAGUE.items()}

    def taken_back(self, start: int) -> dict[int, np.ndarray]:
        """Universal Credit taken back since ``start``: week -> each person's amount (GBP),
        for the weeks (ends of assessment periods) that took some."""
        return {w: taken for w, taken in self.taken.items() if w > start}

    def in_round(self, name: str, start: int) -> float:
        """The total of one metric's weekly values over the weeks since ``start``."""
        assert self.model is not None
        return float(self.model.history[start : self.week, _COLUMN[name]].sum())


def weeks_words(weeks: list[int]) -> str:
    """``week 8``, ``weeks 8 and 12``, ``weeks 4, 8 and 12``."""
    if len(weeks) == 1:
        return f"week {weeks[0]}"
    return f"weeks {', '.join(map(str, weeks[:-1]))} and {weeks[-1]}"


def round_events(team: str, before: np.ndarray, programme: Programme, start: int) -> list[str]:
    """What happened to a team in a round, in plain words.

    ``before``: the people on benefits who were coming when the round started
    (:meth:`Programme.active_on_benefits`); ``start``: the round's first week minus one.
    """
    after = programme.active_on_benefits()
    stopped = np.setdiff1d(before, after).size
    started = np.setdiff1d(after, before).size
    cuts = round(programme.in_round("benefit_loss_events", start))
    insights = round(programme.in_round("insights", start))
    cost = programme.in_round("programme_cost", start)
    events = []
    if stopped:
        events.append(f"{team}: {plural(stopped, 'person', 'people')} on benefits stopped coming")
    if started:
        events.append(f"{team}: {plural(started, 'person', 'people')} on benefits started coming")
    if cuts:
        events.append(
            f"{team}: payments were counted as income and cut someone's benefits "
            f"{plural(cuts, 'time', 'times')}"
        )
    taken = programme.taken_back(start)
    if taken:  # Universal Credit suspends nobody: it takes part of the pay back
        each = sum(taken.values())
        events.append(
            f"{team}: Universal Credit took back £{each.sum():,.0f} from "
            f"{plural(int(np.count_nonzero(each)), 'person', 'people')} on benefits who were "
            f"paid ({weeks_words(sorted(taken))})"
        )
    events.append(f"{team}: {plural(insights, 'new insight', 'new insights')}, £{show(cost)} spent")
    return events
