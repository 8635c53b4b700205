"""The workshop room's shared state: rooms, teams, rounds, the log, and one lock.

Plain Python, no Solara. One :class:`RoomStore` per server process holds every room;
the room's pages (facilitator, participants, projector) call its methods, and
:meth:`RoomStore.subscribe` tells them when to read the room again.

- A room is found by its **code** (:data:`CODE_LENGTH` characters of :data:`ALPHABET`,
  read case-insensitively, spaces and dashes ignored). A wrong code raises
  :class:`RoomError` and changes nothing.
- The **facilitator token** (from :meth:`RoomStore.create_room`) is needed for the
  settings, the rounds, pause, undo, end and the log; a **participant token** (from
  :meth:`RoomStore.join_team`) for a team's rules, and it brings a reloaded phone
  back to its team (:meth:`RoomStore.rejoin`).
- A round advances every team's programme (:mod:`dashboards.room.programme`) by the
  same weeks; it starts on :meth:`RoomStore.start_round`, or when the round's time
  limit has run out (:meth:`RoomStore.tick`, which a timer thread calls every second).
- Every change is logged (:mod:`dashboards.room.log`); :func:`replay` runs a log again.

Every change runs under the one lock, rooms included: a round of 12 teams takes tens
of milliseconds (``benchmarks/bench_room_store.py``), so other rooms wait no longer.
Subscribers are called after the lock is released, with the room's version (one more
per change); a page re-reads the room with :meth:`RoomStore.view` and can skip a
version older than one it has shown (two changes may notify in either order).

Undoing a round rebuilds every programme from the seed with the rules of the round
before (:meth:`Programme.catch_up`), rather than keeping a ``copy.deepcopy`` of the
models at every round. Measured for 12 teams (``benchmarks/bench_room_store.py``, 2
busy cores): the rebuild grows with the week, from 0.07 s at week 13 to 0.3 s at
week 91; a snapshot costs 15-35 ms and 1.0-1.3 MB at *every* round, undone or not.
Undo is rare and stays under the 1 s target, and the same path serves late joiners,
rule changes and replay; keep a snapshot per round if undo ever needs to be instant.

Roles mode (:mod:`dashboards.room.roles`): the room plays one programme together. It is
held as the room's one team, :data:`PROGRAMME`, whose programme is a ``roles.Shared``;
people take **seats** (:meth:`RoomStore.take_seat`, a token per seat as for a team, so a
reloaded phone returns to its seat), the manager seat sets the programme's rules (the
team's rules), the others choose for the next round's meetings (:meth:`RoomStore.choose`).
The model plays every other person and every empty seat; each round records every seat's
choice beside what the model's rule wanted in the same situation (``Round.decisions``).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from simulation.params import PARAM_BY_NAME, ParamError, validate
from simulation.text import did_you_mean

from .log import Entry, utc
from .programme import ALLOWABLE, DEFAULT_LEVERS, FIXED, LABELS, Programme, round_events
from .roles import (
    CLINICIAN_SEAT,
    LAY,
    LISTEN,
    MANAGER_SEAT,
    SAY,
    SeatChoice,
    Shared,
    seat_events,
)

logger = logging.getLogger("coprod.room")

# No 0/O and no 1/I/L: a code is read aloud and typed on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 31**4, about 920,000 codes: short to say, and a fresh draw almost never meets a live room.
CODE_LENGTH = 4
ACCEPTED_LENGTHS = range(4, 7)  # what the join page lets through (codes may grow to 6)
CODE_TRIES = 100  # draws before giving up: with a few rooms live, one or two suffice
TOKEN_BYTES = 16  # 128 random bits: nobody guesses a token
MAX_TEAM_NAME = 24  # fits a phone's screen and a projector's table column
DEFAULT_WEEKS_PER_ROUND = 13  # a quarter of a year
MIN_TIME_LIMIT = 10.0  # seconds: time to read the table before the next round
MAX_TIME_LIMIT = 3600.0  # an hour: longer than any round of a workshop
MODES = ("programmes", "roles")
FACILITATOR = "facilitator"
TIMER = "timer"
PROGRAMME = "The programme"  # roles mode's one team: the programme the room plays
RESERVED = frozenset({FACILITATOR, TIMER})  # actors of the log, not team names

Callback = Callable[[int], None]


class RoomError(ValueError):
    """Something a room does not allow, in one line people can read."""


@dataclass
class Team:
    name: str
    token: str
    rules: dict[str, Any]
    programme: Programme


@dataclass
class Round:
    number: int
    start: int  # the room's week when it started
    weeks: int
    rules: dict[str, dict[str, Any]]  # each team's rules when it started
    table: list[dict[str, Any]]  # the league table after it
    events: list[str]
    # each team's weekly league metrics, weeks 1 to the round's end (as shown then)
    series: dict[str, dict[str, list[float]]]
    # roles mode: every seat at every meeting, its choice beside the model's (roles.Decision)
    decisions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RoomView:
    """What a page shows of a room, read at one moment."""

    code: str
    mode: str
    version: int
    round: int  # rounds run (and not undone)
    week: int
    weeks: int  # the programme's length
    levers: tuple[str, ...]
    weeks_per_round: int
    time_limit: float | None
    remaining: float | None  # seconds until the timer starts the next round
    paused: bool
    ended: bool
    teams: tuple[str, ...]  # in the order they joined
    rules: dict[str, dict[str, Any]]
    table: tuple[dict[str, Any], ...]  # the last round's league table
    events: tuple[str, ...]  # the last round's events in words
    labels: dict[str, str]  # the table's columns as people read them
    # roles mode: each seat (key, title, kind, taken) and the last round's decisions
    seats: tuple[dict[str, Any], ...] = ()
    decisions: tuple[dict[str, Any], ...] = ()


def normalise(code: str) -> str:
    """A code as typed (any case, spaces, dashes) as the room knows it."""
    return re.sub(r"[\s\-]+", "", str(code)).upper()


def team_name(name: str) -> str:
    """A team's name trimmed, with single spaces; RoomError if empty or too long."""
    clean = " ".join(str(name).split())
    if not clean:
        raise RoomError("a team needs a name")
    if len(clean) > MAX_TEAM_NAME:
        raise RoomError(
            f"a team name has at most {MAX_TEAM_NAME} characters; '{clean}' has {len(clean)}"
        )
    if clean.casefold() in RESERVED:
        raise RoomError(f"'{clean}' is kept for the log: choose another team name")
    return clean


def check_levers(names: Iterable[str]) -> tuple[str, ...]:
    """The levers a facilitator hands to teams, checked, in the schema's order."""
    wanted = set()
    for name in names:
        if name in FIXED:
            raise RoomError(
                f"'{name}' shapes the population or the programme's length that every "
                "team shares, so teams cannot change it"
            )
        if name not in PARAM_BY_NAME:
            raise RoomError(f"unknown lever '{name}'{did_you_mean(name, ALLOWABLE)}")
        wanted.add(name)
    return tuple(n for n in ALLOWABLE if n in wanted)


class Room:
    """One room's state. Not locked itself: :class:`RoomStore` calls it under its lock.

    Its methods make a change and log it; they do not check who asks (the store
    checks tokens), so :func:`replay` drives them too.
    """

    def __init__(
        self,
        code: str,
        seed: int,
        values: dict[str, Any],
        clock: Callable[[], float],
        mode: str = "programmes",
    ):
        self.code, self.mode, self.seed = code, mode, seed
        self.values = validate(values)
        self.clock = clock
        self.facilitator = ""
        self.levers = DEFAULT_LEVERS
        self.weeks_per_round = DEFAULT_WEEKS_PER_ROUND
        self.time_limit: float | None = None
        self.deadline: float | None = None  # when the timer starts the next round
        self.left: float | None = None  # seconds the timer had left when paused
        self.paused = self.ended = False
        self.teams: dict[str, Team] = {}  # by name folded to lower case
        self.tokens: dict[str, str] = {}  # participant token -> folded name
        self.seat_tokens: dict[str, str] = {}  # roles mode: participant token -> seat key
        self.pending: dict[str, SeatChoice] = {}  # roles mode: choices for the next round
        if mode == "roles":
            shared = Shared(seed, self.values)
            self.teams[PROGRAMME.casefold()] = Team(PROGRAMME, "", {}, shared)
        self.rounds: list[Round] = []
        self.week = 0
        self.log: list[Entry] = []
        self.version = 0
        self.subscribers: list[Callback] = []
        self.record(
            FACILITATOR,
            "create",
            f"room {code} created",
            code=code,
            mode=self.mode,
            seed=seed,
            values=self.values,
        )

    def record(self, actor: str, kind: str, text: str, **details: Any) -> None:
        self.log.append(Entry(utc(self.clock()), len(self.rounds), actor, kind, text, details))

    def open(self) -> None:
        if self.ended:
            raise RoomError("this session has ended: the room only shows its results now")

    def restart_timer(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        self.deadline = None if self.time_limit is None else now + self.time_limit
        self.left = self.time_limit if self.paused else None

    # -- settings

    def settings(self, actor: str, **changes: Any) -> None:
        """Apply checked settings (``levers``, ``weeks_per_round``, ``time_limit``)."""
        self.open()
        if "levers" in changes:
            self.levers = tuple(changes["levers"])
        if "weeks_per_round" in changes:
            self.weeks_per_round = int(changes["weeks_per_round"])
        if "time_limit" in changes:
            self.time_limit = changes["time_limit"]
            self.restart_timer()
        words = "; ".join(f"{k} = {v}" for k, v in changes.items())
        self.record(actor, "settings", f"settings: {words}", **changes)

    def pause(self, actor: str, paused: bool) -> None:
        self.open()
        if paused == self.paused:
            return
        if paused and self.deadline is not None:
            self.left = max(0.0, self.deadline - self.clock())
        if not paused and self.left is not None:
            self.deadline = self.clock() + self.left
            self.left = None
        self.paused = paused
        word = "pause" if paused else "resume"
        self.record(actor, word, "paused" if paused else "resumed")

    def end(self, actor: str) -> None:
        self.open()
        self.ended, self.deadline = True, None
        self.record(actor, "end", f"session ended after {len(self.rounds)} rounds")

    # -- teams

    def join(self, name: str, token: str) -> Team:
        self.open()
        if self.mode == "roles":
            raise RoomError("this room plays roles: take a seat instead of naming a team")
        name = team_name(name)
        if name.casefold() in self.teams:
            raise RoomError(f"the team name '{name}' is taken in this room: choose another")
        team = Team(name, token, {}, Programme(self.seed, self.values))
        self.teams[name.casefold()] = team
        if token:
            self.tokens[token] = name.casefold()
        self.record(name, "join", f"{name} joined")
        return team

    def check_rules(self, rules: dict[str, Any]) -> dict[str, Any]:
        """A team's rule changes, each an allowed lever with a value the schema accepts."""
        out = {}
        for name, value in rules.items():
            if name not in self.levers:
                allowed = ", ".join(self.levers) or "none"
                raise RoomError(
                    f"'{name}' is not a lever teams may change in this room"
                    f"{did_you_mean(name, self.levers)}; allowed: {allowed}"
                )
            try:
                out[name] = PARAM_BY_NAME[name].coerce(value)
            except ParamError as err:
                raise RoomError(str(err)) from None
        return out

    def set_rules(self, team: Team, rules: dict[str, Any], actor: str = "") -> None:
        """Record checked rules for the team; its programme takes them at the next round."""
        self.open()
        team.rules = {**team.rules, **rules}
        words = ", ".join(f"{k} = {v}" for k, v in rules.items())
        actor = actor or team.name
        self.record(actor, "rules", f"{actor} set {words}", rules=rules, team=team.name)

    # -- seats (roles mode)

    @property
    def shared(self) -> Shared | None:
        team = self.teams.get(PROGRAMME.casefold())
        return team.programme if self.mode == "roles" and team else None  # type: ignore[return-value]

    def seat(self, key: str):
        shared = self.shared
        if shared is None:
            raise RoomError("this room plays programmes: join with a team name")
        if key not in shared.seats:
            raise RoomError(f"no seat '{key}'{did_you_mean(key, list(shared.seats))}")
        return shared.seats[key]

    def take_seat(self, key: str, token: str) -> None:
        """A person takes the seat (``token`` brings their phone back to it)."""
        self.open()
        seat = self.seat(key)
        if seat.taken:
            raise RoomError(f"'{seat.title}' is taken: choose another seat")
        seat.token = token or f"replayed-{key}"
        self.seat_tokens[seat.token] = key
        if seat.kind == MANAGER_SEAT:  # the manager sets the programme's rules
            self.tokens[seat.token] = PROGRAMME.casefold()
        self.pending[key] = SeatChoice()
        self.record(seat.title, "join", f"{seat.title}: seat taken", seat=key)

    def choose(self, key: str, attend: dict[int, bool], say: str = "", listen: str = "") -> None:
        """A seat's choices for the next round: go or not to each of its meetings (by week),
        how much to say, and (the clinician) how much weight to give to lived experience."""
        self.open()
        seat, shared = self.seat(key), self.shared
        assert shared is not None
        weeks = shared.meeting_weeks(self.week, self.weeks_per_round)
        if seat.kind == MANAGER_SEAT:
            raise RoomError("the manager sets the programme's rules, not meetings")
        for week in attend:
            if week not in weeks:
                raise RoomError(f"week {week} has no meeting in the next round: {weeks}")
        if say and say not in SAY:
            raise RoomError(f"how much to say: one of {', '.join(SAY)}, got '{say}'")
        if listen and (seat.kind != CLINICIAN_SEAT or listen not in LISTEN):
            raise RoomError(f"weight to lived experience: the clinician's, one of {list(LISTEN)}")
        choice = self.pending.setdefault(key, SeatChoice())
        choice.attend.update({int(w): bool(go) for w, go in attend.items()})
        choice.say, choice.listen = say or choice.say, listen or choice.listen
        words = ", ".join(f"week {w}: {'go' if go else 'stay home'}" for w, go in attend.items())
        self.record(
            seat.title,
            "choice",
            f"{seat.title} chose {words or 'nothing new'}; say {choice.say}"
            + (f"; lived experience {choice.listen}" if seat.kind == CLINICIAN_SEAT else ""),
            seat=key,
            attend={str(w): bool(go) for w, go in attend.items()},
            say=say,
            listen=listen,
        )

    def seats_view(self) -> tuple[dict[str, Any], ...]:
        shared = self.shared
        if shared is None:
            return ()
        return tuple(
            {"key": k, "title": s.title, "kind": s.kind, "taken": s.taken}
            for k, s in shared.seats.items()
        )

    # -- rounds

    def run_round(self, actor: str, weeks: int | None = None) -> Round:
        """Advance every team's programme by the round's weeks; log the outcomes."""
        self.open()
        if not self.teams:
            raise RoomError("no team has joined yet: a round needs at least one team")
        left = self.values["weeks"] - self.week
        weeks = min(self.weeks_per_round if weeks is None else weeks, left)
        if weeks <= 0:
            raise RoomError(f"the programme has run all its {left + self.week} weeks")
        number, start = len(self.rounds) + 1, self.week
        self.record(
            actor,
            "round start",
            f"round {number} started: weeks {start + 1}-{start + weeks}",
            round=number,
            weeks=weeks,
            start=start,
        )
        events = []
        shared = self.shared
        if shared is not None:  # the seats' choices for this round's weeks
            shared.plan[start] = copy.deepcopy(self.pending)
        for team in self.teams.values():
            team.programme.catch_up(team.rules, start)
            before = team.programme.active_on_benefits()
            team.programme.advance(weeks)
            events += round_events(team.name, before, team.programme, start)
        self.week = start + weeks
        rules = {t.name: dict(t.rules) for t in self.teams.values()}
        table = [t.programme.standing(t.name) for t in self.teams.values()]
        series = {t.name: t.programme.series() for t in self.teams.values()}
        decisions = [] if shared is None else shared.round_decisions(start)
        events += seat_events(shared, decisions) if shared is not None else []
        for choice in self.pending.values():  # the next round's meetings are chosen afresh
            choice.attend = {}
        done = Round(number, start, weeks, rules, table, events, series, decisions)
        self.rounds.append(done)
        self.restart_timer()
        self.record(
            actor,
            "round end",
            f"round {number} ended at week {self.week}",
            round=number,
            week=self.week,
            table=table,
            events=events,
            decisions=decisions,
        )
        return done

    def undo(self, actor: str) -> None:
        """Back to just before the last round started: the previous round's outcomes, and
        the rules each team had chosen for the undone round (changes since are dropped)."""
        self.open()
        if not self.rounds:
            raise RoomError("no round has run yet: there is nothing to undo")
        last = self.rounds.pop()
        self.week = last.start
        # The programmes as the round before left them; the rules as chosen for this one.
        before = self.rounds[-1].rules if self.rounds else {}
        for team in self.teams.values():
            team.rules = dict(last.rules.get(team.name, team.rules))
            team.programme.catch_up(before.get(team.name, team.rules), self.week)
        if self.shared is not None:  # the seats' choices as made for the undone round
            self.pending.update(copy.deepcopy(self.shared.plan.pop(last.start, {})))
        self.restart_timer()
        self.record(
            actor,
            "undo",
            f"round {last.number} undone: back to week {self.week}",
            round=last.number,
        )

    def due(self, now: float) -> bool:
        """Whether the timer should start a round now."""
        return (
            not (self.paused or self.ended)
            and self.deadline is not None
            and now >= self.deadline
            and self.week < self.values["weeks"]
        )

    def remaining(self) -> float | None:
        if self.paused or self.deadline is None:
            return self.left
        return max(0.0, self.deadline - self.clock())

    def view(self) -> RoomView:
        last = self.rounds[-1] if self.rounds else None
        teams = list(self.teams.values())
        return RoomView(
            code=self.code,
            mode=self.mode,
            version=self.version,
            round=len(self.rounds),
            week=self.week,
            weeks=self.values["weeks"],
            levers=self.levers,
            weeks_per_round=self.weeks_per_round,
            time_limit=self.time_limit,
            remaining=self.remaining(),
            paused=self.paused,
            ended=self.ended,
            teams=tuple(t.name for t in teams),
            rules={t.name: dict(t.rules) for t in teams},
            table=tuple(dict(r) for r in last.table) if last else (),
            events=tuple(last.events) if last else (),
            labels=dict(LABELS),
            seats=self.seats_view(),
            decisions=tuple(last.decisions) if last else (),
        )


def replay(entries: list[Entry]) -> list[list[dict[str, Any]]]:
    """Run a room's log again: the league table of every round that stands at its end."""
    return [r.table for r in replay_room(entries).rounds]


def replay_room(entries: list[Entry]) -> Room:
    """Run a room's log again: the room as the log leaves it (its rounds that stand, with
    their rules, tables, events and weekly series; :mod:`dashboards.room.debrief`)."""
    if not entries or entries[0].kind != "create":
        raise RoomError("a room's log starts with the room's creation")
    first = entries[0].details
    mode = first.get("mode", "programmes")
    room = Room(first["code"], first["seed"], first["values"], lambda: 0.0, mode)
    for e in entries[1:]:
        if e.kind == "settings":
            room.settings(e.actor, **e.details)
        elif e.kind == "join" and "seat" in e.details:
            room.take_seat(e.details["seat"], "")
        elif e.kind == "join":
            room.join(e.actor, "")
        elif e.kind == "choice":
            d = e.details
            attend = {int(w): go for w, go in d["attend"].items()}
            room.choose(d["seat"], attend, d["say"], d["listen"])
        elif e.kind == "rules":
            team = room.teams[e.details.get("team", e.actor).casefold()]
            room.set_rules(team, e.details["rules"], e.actor)
        elif e.kind == "round start":
            room.run_round(e.actor, e.details["weeks"])
        elif e.kind == "undo":
            room.undo(e.actor)
    return room


class RoomStore:
    """Every room of one server process, behind one lock.

    ``clock`` gives seconds since the epoch (tests pass their own); ``choose`` picks
    one character of a code (tests pass their own to force a collision).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        choose: Callable[[str], str] = secrets.choice,
    ):
        self._lock = threading.Lock()
        self._rooms: dict[str, Room] = {}
        self._clock = clock
        self._choose = choose

    # -- finding rooms and checking tokens (under the lock)

    def _new_code(self) -> str:
        for _ in range(CODE_TRIES):
            code = "".join(self._choose(ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._rooms:
                return code
        raise RoomError("could not find a free room code: try again")

    def _find(self, code: str) -> Room:
        key = normalise(code)
        room = self._rooms.get(key) if len(key) in ACCEPTED_LENGTHS else None
        if room is None:
            shown = key[: max(ACCEPTED_LENGTHS)] + ("..." if len(key) > 6 else "")
            raise RoomError(
                f"no room has the code '{shown}': check the code on the projector "
                f"({CODE_LENGTH} letters and digits, with no 0, O, 1, I or L)"
            )
        return room

    def _facilitated(self, code: str, token: str) -> Room:
        room = self._find(code)
        if not secrets.compare_digest(str(token), room.facilitator):
            raise RoomError("only the facilitator can do this (their link holds the token)")
        return room

    def _team(self, room: Room, token: str) -> Team:
        key = room.tokens.get(str(token))
        if key is None:
            raise RoomError(f"this phone has not joined a team in room {room.code}: join first")
        return room.teams[key]

    def _change(self, action: Callable[[], tuple[Room, Any]]) -> Any:
        """Run ``action`` under the lock; if it changed a room, tell its subscribers."""
        with self._lock:
            room, result = action()
            room.version += 1
            version, callbacks = room.version, list(room.subscribers)
        _notify(callbacks, version)
        return result

    # -- the facilitator

    def create_room(
        self, mode: str = "programmes", *, seed: int = 0, values: dict[str, Any] | None = None
    ) -> tuple[str, str]:
        """A new room: its code and the facilitator's token."""
        if mode not in MODES:
            raise RoomError(
                f"unknown mode '{mode}'{did_you_mean(mode, MODES)}; modes: " + ", ".join(MODES)
            )
        try:
            checked = validate(values or {})
        except ParamError as err:
            raise RoomError(str(err)) from None
        with self._lock:
            code = self._new_code()
            room = Room(code, int(seed), checked, self._clock, mode)
            room.facilitator = secrets.token_urlsafe(TOKEN_BYTES)
            self._rooms[code] = room
            return code, room.facilitator

    def set_levers(self, code: str, token: str, levers: Iterable[str]) -> None:
        """Which levers teams may change (rules already set on other levers stay set)."""
        checked = list(check_levers(levers))

        def action():
            room = self._facilitated(code, token)
            room.settings(FACILITATOR, levers=checked)
            return room, None

        self._change(action)

    def set_weeks_per_round(self, code: str, token: str, weeks: int) -> None:
        """How many weeks a round advances every programme."""

        def action():
            room = self._facilitated(code, token)
            if isinstance(weeks, bool) or not isinstance(weeks, int):
                raise RoomError(f"weeks per round: a whole number, got {weeks!r}")
            if not 1 <= weeks <= room.values["weeks"]:
                raise RoomError(f"weeks per round: from 1 to {room.values['weeks']}, got {weeks}")
            room.settings(FACILITATOR, weeks_per_round=weeks)
            return room, None

        self._change(action)

    def set_time_limit(self, code: str, token: str, seconds: float | None) -> None:
        """A time limit per round (the timer starts the next round), or None for none."""
        if seconds is not None and not MIN_TIME_LIMIT <= float(seconds) <= MAX_TIME_LIMIT:
            raise RoomError(
                f"a round's time limit is from {MIN_TIME_LIMIT:.0f} to {MAX_TIME_LIMIT:.0f} "
                f"seconds, got {seconds}"
            )
        limit = None if seconds is None else float(seconds)

        def action():
            room = self._facilitated(code, token)
            room.settings(FACILITATOR, time_limit=limit)
            return room, None

        self._change(action)

    def _facilitator_action(self, code: str, token: str, method: str, *args: Any) -> Any:
        def action():
            room = self._facilitated(code, token)
            return room, getattr(room, method)(FACILITATOR, *args)

        return self._change(action)

    def start_round(self, code: str, token: str) -> int:
        """Run the next round now; its number."""
        done = self._facilitator_action(code, token, "run_round")
        return done.number

    def undo(self, code: str, token: str) -> None:
        """Undo the last round."""
        self._facilitator_action(code, token, "undo")

    def pause(self, code: str, token: str) -> None:
        self._facilitator_action(code, token, "pause", True)

    def resume(self, code: str, token: str) -> None:
        self._facilitator_action(code, token, "pause", False)

    def end(self, code: str, token: str) -> None:
        self._facilitator_action(code, token, "end")

    def log(self, code: str, token: str) -> list[Entry]:
        """The session log (facilitator only): export it with ``dashboards.room.log``."""
        with self._lock:
            return list(self._facilitated(code, token).log)

    def tick(self, now: float | None = None) -> list[str]:
        """Start the round of every room whose timer has run out; their codes."""
        now = self._clock() if now is None else now
        started, calls = [], []
        with self._lock:
            for room in self._rooms.values():
                if not room.due(now):
                    continue
                try:
                    room.run_round(TIMER)
                except RoomError:  # e.g. no team yet: wait another time limit
                    continue
                finally:
                    room.restart_timer(now)  # the next time limit counts from now
                room.version += 1
                started.append(room.code)
                calls.append((list(room.subscribers), room.version))
        for callbacks, version in calls:
            _notify(callbacks, version)
        return started

    # -- participants

    def join_team(self, code: str, name: str) -> str:
        """Join a room as a new team; the participant's token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)

        def action():
            room = self._find(code)
            room.join(name, token)
            return room, token

        return self._change(action)

    def rejoin(self, code: str, token: str) -> str:
        """The team a participant token belongs to (a reloaded phone returns to it)."""
        with self._lock:
            room = self._find(code)
            return self._team(room, token).name

    def set_rules(self, code: str, token: str, rules: dict[str, Any]) -> dict[str, Any]:
        """Change some of a team's rules; all the rules it has set, checked.

        They take effect at the next round, as if they had held from week 0 (see
        :mod:`dashboards.room.programme`: the model cannot change its rules mid-run).
        """

        def action():
            room = self._find(code)
            team = self._team(room, token)
            seat = room.seat_tokens.get(str(token))
            actor = room.seat(seat).title if seat else ""  # roles mode: the manager seat
            room.set_rules(team, room.check_rules(rules), actor)
            return room, dict(team.rules)

        return self._change(action)

    # -- seats (roles mode)

    def take_seat(self, code: str, key: str) -> str:
        """Take a free seat in a roles room; the participant's token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)

        def action():
            room = self._find(code)
            room.take_seat(key, token)
            return room, token

        return self._change(action)

    def seat_of(self, code: str, token: str) -> str:
        """The seat a participant token holds (a reloaded phone returns to it)."""
        with self._lock:
            room = self._find(code)
            key = room.seat_tokens.get(str(token))
            if key is None:
                raise RoomError(f"this phone has no seat in room {room.code}: take one first")
            return key

    def choose(
        self,
        code: str,
        token: str,
        attend: dict[int, bool] | None = None,
        say: str = "",
        listen: str = "",
    ) -> None:
        """A seat's choices for the next round (see :meth:`Room.choose`)."""

        def action():
            room = self._find(code)
            key = room.seat_tokens.get(str(token))
            if key is None:
                raise RoomError(f"this phone has no seat in room {room.code}: take one first")
            room.choose(key, attend or {}, say, listen)
            return room, None

        self._change(action)

    def seat_state(self, code: str, token: str) -> dict[str, Any]:
        """What a seat's page shows: the seat, its person's situation now, its choices for
        the next round and that round's meeting weeks."""
        with self._lock:
            room = self._find(code)
            key = room.seat_tokens.get(str(token))
            shared = room.shared
            if key is None or shared is None:
                raise RoomError(f"this phone has no seat in room {room.code}: take one first")
            seat = shared.seats[key]
            choice = room.pending.get(key, SeatChoice())
            return {
                "key": key,
                "title": seat.title,
                "kind": seat.kind,
                "situation": shared.situation(key) if seat.kind == LAY else {},
                "attend": dict(choice.attend),
                "say": choice.say,
                "listen": choice.listen,
                "meetings": shared.meeting_weeks(room.week, room.weeks_per_round),
            }

    # -- everyone

    def view(self, code: str) -> RoomView:
        with self._lock:
            return self._find(code).view()

    def series(self, code: str) -> dict[str, dict[str, list[float]]]:
        """Each team's weekly league metrics so far, for small multiples."""
        with self._lock:
            room = self._find(code)
            return {
                t.name: t.programme.series() if t.programme.model else {}
                for t in room.teams.values()
            }

    def subscribe(self, code: str, callback: Callback) -> Callable[[], None]:
        """Call ``callback(version)`` after every change to the room; returns unsubscribe."""
        with self._lock:
            room = self._find(code)
            room.subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):  # unsubscribed twice
                room.subscribers.remove(callback)

        return unsubscribe


def _notify(callbacks: list[Callback], version: int) -> None:
    for callback in callbacks:
        try:
            callback(version)
        except Exception:  # a closed page must not stop the room
            logger.exception("room: a subscriber failed")
