"""Roles mode: the room is the programme. People in the room take seats as some of its people.

Plain Python, no Solara. One shared :class:`Shared` programme (a model on the room's seed
and values) runs for the whole room. :func:`pick_seats` draws the seats from the model's
own population, all in one working group so that the seats meet each other: a patient on
benefits with a disability, a carer with little money, a patient not on benefits, the group's
clinician and the programme's manager (:data:`SEAT_KINDS`). The model's rules play every
other person, and every seat nobody has taken.

Before each round a lay seat decides, for each meeting of the round, whether to go, and
how much to say (:data:`SAY`); the clinician seat how much weight to give to lived
experience in the group (:data:`LISTEN`); the manager seat sets the programme's rules (a
team's rules in programmes mode: they apply as if they had held from week 0, since the
model cannot change its rules mid-run). The choices reach the model through
``simulation.choices`` (the hard limits still hold: a flare-up, no money for the fare).
Every meeting week, for every seat, :class:`Decision` records what the seat chose beside
what the model's own rule wanted for that person in the same situation, and whether they
came: the debrief's side-by-side.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from simulation import choices as hook
from simulation.population import CARER, CLINICIAN, MANAGER, PATIENT, ROLES

from .programme import Programme, plural

LAY, CLINICIAN_SEAT, MANAGER_SEAT = "lay", "clinician", "manager"
# How much a seat says: its speaking weight at meetings, times the model's own.
SAY: dict[str, float] = {"little": 0.5, "as usual": 1.0, "a lot": 2.0}
# How much weight the clinician seat gives to lived experience: its chance of being heard.
LISTEN: dict[str, float] = {"little": 0.5, "as usual": 1.0, "a lot": 1.5}
USUAL = "as usual"
ROLE_NAMES = dict(enumerate(ROLES))


@dataclass(frozen=True)
class SeatKind:
    key: str
    title: str  # what the room reads
    kind: str  # LAY, CLINICIAN_SEAT or MANAGER_SEAT
    role: int
    on_benefits: bool | None = None  # None: either
    disabled: bool | None = None
    low_money: bool | None = None


SEAT_KINDS: tuple[SeatKind, ...] = (
    SeatKind("benefits", "A patient on benefits with a disability", LAY, PATIENT, True, True),
    SeatKind("carer", "A carer with little money", LAY, CARER, low_money=True),
    SeatKind("patient", "A patient not on benefits", LAY, PATIENT, on_benefits=False),
    SeatKind("clinician", "The group's clinician", CLINICIAN_SEAT, CLINICIAN),
    SeatKind("manager", "The programme's manager", MANAGER_SEAT, MANAGER),
)

MANAGERS = frozenset(k.key for k in SEAT_KINDS if k.kind == MANAGER_SEAT)


@dataclass
class Seat:
    key: str
    title: str
    kind: str
    index: int  # the person in the model's state
    group: int
    token: str = ""  # empty: nobody has taken it (the model plays it)

    @property
    def taken(self) -> bool:
        return bool(self.token)


@dataclass
class SeatChoice:
    """A seat's choices for the coming round."""

    attend: dict[int, bool] = field(default_factory=dict)  # meeting week -> go
    say: str = USUAL
    listen: str = USUAL


@dataclass(frozen=True)
class Decision:
    """One seat at one meeting week: the seat's choice beside the model's rule."""

    week: int
    seat: str
    taken: bool  # a person chose (else the model played the seat)
    chose: bool  # went (or would have) by the seat's choice
    model: bool  # what the model's rule wanted for that person, in the same situation
    came: bool
    limit: str  # why they could not come though they chose to ("" if nothing stopped them)


def _matches(s, i: int, k: SeatKind) -> tuple[int, ...] | None:
    """Which of the seat kind's conditions person ``i`` meets, in order (None: wrong role)."""
    if s.role[i] != k.role:
        return None
    wanted = [("on_benefits", k.on_benefits), ("disabled", k.disabled), ("low_money", k.low_money)]
    return tuple(
        int(bool(getattr(s, name)[i]) == value) for name, value in wanted if value is not None
    )


def describe(s, i: int, kind: SeatKind) -> str:
    """The seat's title from the person it holds (the kind's wish may not be met exactly)."""
    if kind.kind != LAY:
        return kind.title
    role = ROLE_NAMES[int(s.role[i])]
    extras = [
        w for w, has in (("a disability", s.disabled[i]), ("little money", s.low_money[i])) if has
    ]
    return (
        f"A {role}"
        + (" on benefits" if s.on_benefits[i] else "")
        + (f" with {' and '.join(extras)}" if extras else "")
    )


def pick_seats(s) -> dict[str, Seat]:
    """One person per seat kind, all in one group: the group whose people match the kinds
    best (the first kinds first; the first such group wins). A seat's title says who its
    person is, in case no one in the group matches its kind exactly."""
    best: tuple[tuple, dict[str, Seat]] | None = None
    for g in range(s.n_groups):
        members = np.flatnonzero(s.group == g).tolist()
        seats: dict[str, Seat] = {}
        score: list[tuple[int, ...]] = []
        for k in SEAT_KINDS:
            used = {seat.index for seat in seats.values()}
            fits = [(_matches(s, i, k), i) for i in members if i not in used]
            fits = [(m, -i) for m, i in fits if m is not None]
            if not fits:
                break
            match, i = max(fits)
            score.append(match)
            seats[k.key] = Seat(k.key, describe(s, -i, k), k.kind, -i, g)
        else:
            if best is None or tuple(score) > best[0]:
                best = (tuple(score), seats)
    if best is None:
        raise ValueError("no working group has a patient, a carer, a clinician and a manager")
    return best[1]


class Shared(Programme):
    """The room's one programme, with the seats' choices applied week by week."""

    def __init__(self, seed: int, values: dict[str, Any]):
        super().__init__(seed, values)
        self.plan: dict[int, dict[str, SeatChoice]] = {}  # a round's start week -> choices
        self.decisions: list[Decision] = []
        self.seats: dict[str, Seat] = {}
        self.catch_up({}, 0)
        assert self.model is not None
        self.seats = pick_seats(self.model.state)

    def catch_up(self, rules: dict[str, Any], week: int) -> None:
        """As :meth:`Programme.catch_up`, the seats' choices replayed week by week."""
        model = self.model
        if (
            model is None
            or model.params.as_dict() != self.params_for(rules)
            or (model.steps != week)
        ):
            self.model, self.decisions = None, []
        super().catch_up(rules, week)

    def meeting_weeks(self, start: int, weeks: int) -> list[int]:
        """The weeks with a meeting among ``start + 1 .. start + weeks``."""
        assert self.model is not None
        every = self.model.params.meeting_interval
        last = min(start + weeks, self.model.params.weeks)
        return [w for w in range(start + 1, last + 1) if (w - 1) % every == 0]

    def choice_for(self, week: int, key: str) -> SeatChoice | None:
        """The choice a seat made for the round that holds ``week`` (None: the model plays)."""
        starts = [start for start in self.plan if start < week]
        return self.plan[max(starts)].get(key) if starts else None

    def step_model(self) -> None:
        assert self.model is not None
        model, week = self.model, self.model.steps + 1
        taken = hook.Choices.free(model.state)
        chosen = {key: self.choice_for(week, key) for key in self.seats}
        for key, c in chosen.items():
            seat = self.seats[key]
            if c is None:
                continue
            if week in c.attend and seat.kind != MANAGER_SEAT:
                taken.attend[seat.index] = hook.GO if c.attend[week] else hook.STAY
            taken.say[seat.index] = SAY[c.say]
            if seat.kind == CLINICIAN_SEAT:
                taken.listen[seat.group] = LISTEN[c.listen]
        model.choices = taken
        s, costs = model.state, model.costs
        afford = s.cash >= costs.trip  # before the week's money moves
        model.step()
        if (week - 1) % model.params.meeting_interval:
            return
        for key, seat in self.seats.items():
            i, c = seat.index, chosen[key]
            chose = bool(c.attend.get(week, taken.wanted[i])) if c else bool(taken.wanted[i])
            came = bool(s.attending[i])
            limit = ""
            if chose and not came:  # a hard limit: no money at hand, else a flare-up
                limit = "no money for the fare" if not afford[i] else "ill"
            self.decisions.append(
                Decision(week, key, c is not None, chose, bool(taken.wanted[i]), came, limit)
            )

    def situation(self, key: str) -> dict[str, Any]:
        """What a seat's person faces now, in numbers (money in pounds)."""
        assert self.model is not None
        s, costs, i = self.model.state, self.model.costs, self.seats[key].index
        p, week = self.model.params, int(self.model.steps)
        return {
            "cash": float(s.cash[i]),
            "fare": float(costs.trip[i]),
            "pay": float(costs.pay[i]),
            "owed": float(s.owed[i]),
            "on_benefits": bool(s.on_benefits[i]),
            "benefit_stopped": bool(s.suspended_until[i] > week),
            # Universal Credit taken back so far (benefit_rules=uc), and the rule that took it:
            # the taper's share of the pay an assessment period brings above the allowance.
            "taken_back": float(s.taken_back[i]),
            "taper": float(p.uc_taper),
            "allowance": float(costs.allowance[i]),
            "assessment_weeks": int(p.uc_assessment_weeks),
            "benefit_fear": float(s.benefit_fear[i]),
            "flare_chance": float(self.model.params.flare_rate * s.illness[i]),
            "free_hours": float(s.free_hours[i]),
            "motivation": float(s.motivation[i]),
            "disabled": bool(s.disabled[i]),
        }

    def round_decisions(self, start: int) -> list[dict[str, Any]]:
        """Every seat's decisions in the round that started after week ``start``."""
        return [asdict(d) for d in self.decisions if d.week > start]


def situation_words(facts: dict[str, Any]) -> list[str]:
    """A lay seat's situation as lines people read on a phone."""
    lines = [f"Money at hand: £{facts['cash']:.0f}"]
    lines.append(
        f"The trip to a meeting: £{facts['fare']:.0f}, paid up front"
        if facts["fare"]
        else "The trip to a meeting: booked and paid by the programme"
    )
    if facts["owed"]:
        lines.append(f"Refunds still owed to you: £{facts['owed']:.0f}")
    if facts["pay"]:
        lines.append(f"Pay for a meeting: £{facts['pay']:.0f}, paid later")
    if facts["on_benefits"]:
        if facts["benefit_stopped"]:
            lines.append("Your benefit is stopped: a payment was counted as income")
        elif facts["taken_back"]:
            above = (
                f" above £{facts['allowance']:.0f} in {facts['assessment_weeks']} weeks"
                if facts["allowance"]
                else ""
            )
            lines.append(
                f"Universal Credit has taken back £{facts['taken_back']:.0f}: "
                f"{facts['taper'] * 100:.0f}p of each £1 you were paid{above}"
            )
        elif facts["benefit_fear"] > 0.5:
            lines.append("A letter warns that payments may count against your benefit")
        else:
            lines.append("You are on benefits")
    if facts["flare_chance"]:
        lines.append(f"Chance your illness flares up on a meeting day: {facts['flare_chance']:.0%}")
    lines.append(f"Free time: {facts['free_hours']:.0f} hours a week")
    return lines


def decision_words(d: dict[str, Any], title: str) -> str:
    """One row of the side-by-side, in words."""
    go = {True: "go", False: "stay home"}
    who = "chose" if d["taken"] else "(played by the model) chose"
    came = "came" if d["came"] else "did not come" + (f" ({d['limit']})" if d["limit"] else "")
    return (
        f"week {d['week']}: {title} {who} to {go[d['chose']]}; the model's rule would have "
        f"chosen to {go[d['model']]}; {came}"
    )


def seat_summary(decisions: list[dict[str, Any]], key: str) -> str:
    """How often a seat came in a round, and how often its choice differed from the model's."""
    mine = [d for d in decisions if d["seat"] == key]
    came = sum(d["came"] for d in mine)
    differ = sum(d["chose"] != d["model"] for d in mine)
    return (
        f"came to {came} of {plural(len(mine), 'meeting', 'meetings')}; "
        f"chose differently from the model {plural(differ, 'time', 'times')}"
    )


def seat_events(shared: Shared, decisions: list[dict[str, Any]]) -> list[str]:
    """The round's events for the seats people hold: how often they came, and when their
    choice differed from what the model would have done."""
    events = []
    for key, seat in shared.seats.items():
        if seat.taken and seat.kind != MANAGER_SEAT:
            events.append(f"{seat.title}: {seat_summary(decisions, key)}")
    return events
