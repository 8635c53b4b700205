"""The debrief after a room's session: its rounds replayed from the log, and a one-page report.

Plain Python, no Solara: the facilitator's page (:mod:`dashboards.views.room`) shows it.

- :func:`rounds` runs the session log again (:func:`dashboards.room.store.replay_room`)
  and gives every round that stands (undone rounds are gone), each with the rules the
  teams played, the league table, the events in words, and each team's outcomes week by
  week *as the room saw them at that round*, so the facilitator can step back through
  the rounds.
- :func:`report` writes the debrief as one page of Markdown, with one figure (each
  team's four outcomes week by week, PNG) beside it; :func:`write` puts both in a
  folder, :func:`zip_bytes` in one zip file for the facilitator's download.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.params import PARAM_BY_NAME
from simulation.text import show

from . import roles
from .log import Entry
from .programme import LABELS, plural
from .store import replay_room

# Outcomes the league table counts as totals so far: drawn as running totals (weekly
# values jump between meeting weeks and empty ones).
TOTALS = frozenset({"knowledge", "cost"})
FIGURE = "outcomes.png"  # the report's figure, beside it (its name starts with the room's)
QUESTIONS = (
    "Which result did the rules make inevitable?",
    "Which team's people stopped coming first, and what would have kept them?",
    "What did the leading team give up to lead on equity: knowledge, relations or money?",
    "Which rule would you change first in a real programme, and who would pay for it?",
)

ROLES_QUESTIONS = (
    QUESTIONS[0],
    "When did your choice differ from what the model's person did, and why?",
    "What stopped people who chose to come: money, illness, or a letter about benefits?",
    "What would the manager or the clinician have to change for you to keep coming?",
)
SHOWN_DIFFERENCES = 3  # per seat and round: the debrief stays one page


@dataclass(frozen=True)
class RoundRecord:
    """One round of the session, as the room saw it when the round ended."""

    number: int
    start: int  # the week before its first week
    week: int  # the week it ended at
    rules: dict[str, dict[str, Any]]  # each team's rules during the round
    table: list[dict[str, Any]]  # the league table after it
    events: list[str]
    series: dict[str, dict[str, list[float]]]  # team -> outcome -> weeks 1..week
    decisions: list[dict[str, Any]]  # roles mode: each seat's choice beside the model's


@dataclass(frozen=True)
class Session:
    """What the log says about the session as a whole."""

    code: str
    mode: str
    created: str
    ended: bool
    teams: tuple[str, ...]  # teams, or in roles mode the seats taken (their titles)
    seats: dict[str, str]  # roles mode: seat key -> title, for the seats taken
    rounds: tuple[RoundRecord, ...]
    choices: tuple[Entry, ...]  # every team's rule changes (and seat's choices), in order


def rounds(entries: list[Entry]) -> list[RoundRecord]:
    """Every round that stands at the end of the log, replayed."""
    room = replay_room(entries)
    return [
        RoundRecord(
            r.number, r.start, r.start + r.weeks, r.rules, r.table, r.events, r.series, r.decisions
        )
        for r in room.rounds
    ]


def session(entries: list[Entry]) -> Session:
    """The session the log describes (rounds replayed)."""
    done = rounds(entries)
    return Session(
        code=str(entries[0].details["code"]),
        mode=str(entries[0].details.get("mode", "programmes")),
        created=entries[0].time,
        ended=any(e.kind == "end" for e in entries),
        teams=tuple(e.actor for e in entries if e.kind == "join"),
        seats={
            e.details["seat"]: e.actor for e in entries if "seat" in e.details and e.kind == "join"
        },
        rounds=tuple(done),
        choices=tuple(e for e in entries if e.kind in ("rules", "choice")),
    )


def rule_words(rules: dict[str, Any]) -> str:
    """A team's rules in words: ``compensation = paid, pace = 0.3`` (or the defaults)."""
    if not rules:
        return "the programme's defaults"
    return ", ".join(f"{name} = {show_rule(name, v)}" for name, v in rules.items())


def show_rule(name: str, value: Any) -> str:
    unit = PARAM_BY_NAME[name].unit if name in PARAM_BY_NAME else ""
    return f"{show(value)}{' ' + unit if unit else ''}"


def table_markdown(table: list[dict[str, Any]]) -> str:
    """A league table as a Markdown table."""
    head = "| Team | " + " | ".join(LABELS.values()) + " |"
    rule = "| --- |" + " ---: |" * len(LABELS)
    rows = [
        f"| {row['team']} | " + " | ".join(show(row[c]) for c in LABELS) + " |" for row in table
    ]
    return "\n".join([head, rule, *rows])


def leaders(table: list[dict[str, Any]]) -> str:
    """Who leads on each outcome (lowest cost leads on cost), in words."""
    if not table:
        return ""
    words = []
    for column, label in LABELS.items():
        pick = min if column == "cost" else max
        best = pick(table, key=lambda row, c=column: row[c])
        words.append(f"{label}: {best['team']} ({show(best[column])})")
    return "; ".join(words)


def figure_png(record: RoundRecord) -> bytes:
    """Each team's four outcomes week by week up to the round, as a 2 x 2 PNG."""
    # Late: the charts module brings matplotlib only when a figure is drawn.
    from ..charts import new_figure, png_bytes

    fig = new_figure(8.0, 5.0)
    axes = fig.subplots(2, 2, sharex=True)
    for ax, (column, label) in zip(axes.flat, LABELS.items(), strict=True):
        for team, lines in record.series.items():
            values = lines.get(column, [])
            if column in TOTALS:
                values = list(itertools.accumulate(values))
            ax.plot(range(1, len(values) + 1), values, label=team, linewidth=1.6)
        ax.set_title(label + (" (total so far)" if column in TOTALS else ""), fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("week")
    axes[0][0].legend(fontsize=8, loc="best")
    return png_bytes(fig, dpi=110)


def report(entries: list[Entry], figure: str = FIGURE) -> tuple[str, dict[str, bytes]]:
    """The debrief as one page of Markdown, and its figures by file name."""
    s = session(entries)
    name = f"room-{s.code}-{figure}"
    lines = [
        f"# Workshop room {s.code}: debrief",
        "",
        f"Session started {s.created[:16].replace('T', ' ')} UTC; "
        + (
            f"{plural(len(s.teams), 'team', 'teams')}"
            if s.mode == "programmes"
            else f"roles mode, {plural(len(s.teams), 'seat', 'seats')} taken"
        )
        + f" ({', '.join(s.teams) or 'none'}); "
        f"{plural(len(s.rounds), 'round', 'rounds')} played"
        + (f", to week {s.rounds[-1].week}" if s.rounds else "")
        + ("; the session was ended." if s.ended else "."),
        "",
    ]
    if not s.rounds:
        lines += ["No round was played: there is nothing to compare yet.", ""]
        return "\n".join(lines), {}
    last = s.rounds[-1]
    lines += [
        f"## Where the teams ended (after round {last.number}, week {last.week})",
        "",
        table_markdown(last.table),
        "",
        *([f"Leading: {leaders(last.table)}.", ""] if len(last.table) > 1 else []),
        f"![Each team's outcomes week by week]({name})",
        "",
        "## Round by round",
        "",
    ]
    for r in s.rounds:
        rules = "; ".join(f"{team}: {rule_words(v)}" for team, v in r.rules.items())
        lines.append(f"- **Round {r.number}** (weeks {r.start + 1}-{r.week}). Rules: {rules}.")
        lines += [f"  - {event}" for event in r.events]
    lines += seats_markdown(s)
    lines += ["", f"## Every choice ({len(s.choices)})", ""]
    lines += [f"- {e.time[11:19]}, before round {e.round + 1}: {e.text}" for e in s.choices] or [
        "- No team changed a rule."
    ]
    asked = QUESTIONS if s.mode == "programmes" else ROLES_QUESTIONS
    lines += ["", "## Questions for the room", ""] + [f"- {q}" for q in asked] + [""]
    return "\n".join(lines), {name: figure_png(last)}


def seats_markdown(s: Session) -> list[str]:
    """Roles mode: for each round, each seat people held: how often they came, and every
    meeting where their choice differed from the model's rule in the same situation."""
    if s.mode != "roles":
        return []
    lines = ["", "## Seats: what people chose, and what the model would have done", ""]
    for r in s.rounds:
        taken = [d for d in r.decisions if d["taken"] and d["seat"] not in roles.MANAGERS]
        for key in dict.fromkeys(d["seat"] for d in taken):
            title = s.seats.get(key, key)
            lines.append(f"- Round {r.number}, {title}: {roles.seat_summary(taken, key)}")
            differ = [d for d in taken if d["seat"] == key and d["chose"] != d["model"]]
            lines += [f"  - {roles.decision_words(d, title)}" for d in differ[:SHOWN_DIFFERENCES]]
            if len(differ) > SHOWN_DIFFERENCES:
                lines.append(f"  - and {len(differ) - SHOWN_DIFFERENCES} more (see the log)")
    if len(lines) == 3:
        lines.append("- Nobody took a seat: the model played every person.")
    return lines


def write(entries: list[Entry], folder: Path) -> Path:
    """The debrief in ``folder``: ``room-CODE-debrief.md`` and its figure; the report's path."""
    text, figures = report(entries)
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in figures.items():
        (folder / name).write_bytes(png)
    path = folder / f"room-{entries[0].details['code']}-debrief.md"
    path.write_text(text, encoding="utf-8")
    return path


def zip_bytes(entries: list[Entry]) -> bytes:
    """The debrief and its figure in one zip file (the facilitator's download)."""
    text, figures = report(entries)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"room-{entries[0].details['code']}-debrief.md", text)
        for name, png in figures.items():
            archive.writestr(name, png)
    return out.getvalue()
