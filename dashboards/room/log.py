"""A room's session log: every join, choice, round and outcome, with its time.

An :class:`Entry` is one thing that happened: when (UTC, ISO 8601), in which round,
who did it (a team's name, ``facilitator`` or ``timer``), what kind of thing it was
(:data:`KINDS`), the details as plain data, and the same in words. The log exports as
CSV (one row per entry; the details as a JSON text in one column) and as JSON (a list
of entries), and reads back from either; ``dashboards.room.store.replay`` runs a log
again and gives the same league tables.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

KINDS = (
    "create",
    "settings",
    "join",
    "rules",
    "choice",
    "round start",
    "round end",
    "undo",
    "pause",
    "resume",
    "end",
)
COLUMNS = ("time", "round", "actor", "kind", "text", "details")


@dataclass(frozen=True)
class Entry:
    """One line of the log."""

    time: str  # UTC, ISO 8601 to the millisecond
    round: int  # rounds run so far when it happened
    actor: str  # a team's name, "facilitator" or "timer"
    kind: str  # one of KINDS
    text: str  # the entry in words, for people reading the export
    details: dict[str, Any] = field(default_factory=dict)  # plain data: replay reads it


def utc(seconds: float) -> str:
    """Seconds since the epoch as a UTC time, ISO 8601 to the millisecond."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def to_json(entries: list[Entry]) -> str:
    """The log as a JSON list of entries."""
    return json.dumps([asdict(e) for e in entries], indent=1, ensure_ascii=False)


def from_json(text: str) -> list[Entry]:
    """A log written by :func:`to_json`."""
    return [Entry(**row) for row in json.loads(text)]


def to_csv(entries: list[Entry]) -> str:
    """The log as CSV: a header row, then one row per entry."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        row = asdict(e)
        row["details"] = json.dumps(e.details, ensure_ascii=False)
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


def from_csv(text: str) -> list[Entry]:
    """A log written by :func:`to_csv`."""
    rows = list(csv.DictReader(io.StringIO(text)))
    names = [f.name for f in fields(Entry)]
    return [
        Entry(
            **{n: row[n] for n in names if n not in ("round", "details")},
            round=int(row["round"]),
            details=json.loads(row["details"]),
        )
        for row in rows
    ]
