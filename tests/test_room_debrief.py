"""The debrief (dashboards.room.debrief): rounds replayed from the log, stepped back through,
and the one-page report with its figure. Plain Python, no browser."""

from __future__ import annotations

import io
import zipfile

import pytest

from dashboards.room import debrief
from dashboards.room import log as room_log
from dashboards.room.programme import LABELS
from dashboards.room.store import RoomStore

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def played():
    """A session: two teams, a round, a rule change, a round undone and played again."""
    store = RoomStore(clock=Clock())
    code, token = store.create_room(seed=2)
    blue = store.join_team(code, "Blue")
    red = store.join_team(code, "Red")
    store.set_rules(code, blue, {"compensation": "paid", "benefit_safe": True})
    store.set_weeks_per_round(code, token, 10)
    store.start_round(code, token)
    seen_after_1 = store.view(code)
    series_after_1 = store.series(code)
    store.set_rules(code, red, {"compensation": "none"})
    store.start_round(code, token)
    store.undo(code, token)
    store.set_rules(code, red, {"pace": 0.2})
    store.start_round(code, token)
    seen_after_2 = store.view(code)
    store.end(code, token)
    return store.log(code, token), seen_after_1, series_after_1, seen_after_2


def test_stepping_back_shows_each_round_as_the_room_saw_it(played):
    entries, after_1, series_1, after_2 = played
    done = debrief.rounds(entries)
    assert [(r.number, r.start, r.week) for r in done] == [(1, 0, 10), (2, 10, 20)]
    assert done[0].table == list(after_1.table) and done[1].table == list(after_2.table)
    assert done[0].events == list(after_1.events)
    # Round 1 as it was then, though Red's rules changed after it (its programme rebuilt)
    assert done[0].series == series_1
    assert all(len(v) == 10 for team in done[0].series.values() for v in team.values())
    assert done[0].rules == {"Blue": {"compensation": "paid", "benefit_safe": True}, "Red": {}}
    # The undone round is gone; round 2 is the one played with Red's later rules.
    assert done[1].rules["Red"] == {"compensation": "none", "pace": 0.2}
    red_1, red_2 = done[0].series["Red"], done[1].series["Red"]
    assert red_2["equity"][:10] != red_1["equity"]  # rebuilt under the new rules
    assert done[1].series["Blue"]["cost"][:10] == done[0].series["Blue"]["cost"]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_log_read_back_from_its_export_gives_the_same_debrief(played):
    entries = played[0]
    back = room_log.from_json(room_log.to_json(entries))
    assert debrief.report(back)[0] == debrief.report(entries)[0]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_report_is_one_page_with_the_table_every_choice_and_a_figure(played, tmp_path):
    entries, *_, after_2 = played
    text, figures = debrief.report(entries)
    code = entries[0].details["code"]
    assert text.startswith(f"# Workshop room {code}: debrief")
    assert "2 teams (Blue, Red); 2 rounds played, to week 20; the session was ended." in text
    assert "## Where the teams ended (after round 2, week 20)" in text
    header = "| Team | " + " | ".join(LABELS.values()) + " |"
    assert header in text
    for row in after_2.table:
        assert f"| {row['team']} | " in text
    assert text.count(" set compensation = ") == 2  # Blue, then Red (before the undone round)
    assert "Red set pace = 0.2" in text
    assert "Which result did the rules make inevitable?" in text
    assert "**Round 1** (weeks 1-10)" in text and "**Round 2** (weeks 11-20)" in text
    assert len(text.splitlines()) < 60  # one page
    [(name, png)] = figures.items()
    assert name == f"room-{code}-outcomes.png" and f"]({name})" in text
    assert png.startswith(PNG_MAGIC)

    path = debrief.write(entries, tmp_path / "debrief")
    assert path.name == f"room-{code}-debrief.md" and path.read_text("utf-8") == text
    assert (path.parent / name).read_bytes().startswith(PNG_MAGIC)
    with zipfile.ZipFile(io.BytesIO(debrief.zip_bytes(entries))) as archive:
        assert sorted(archive.namelist()) == sorted([path.name, name])
        assert archive.read(path.name).decode("utf-8") == text


def test_a_session_without_rounds_says_so_and_draws_nothing():
    store = RoomStore(clock=Clock())
    code, token = store.create_room()
    store.join_team(code, "Blue")
    text, figures = debrief.report(store.log(code, token))
    assert "0 rounds played." in text and "nothing to compare yet" in text
    assert figures == {}


def test_leaders_are_the_highest_and_the_cheapest():
    table = [
        {"team": "A", "equity": 0.9, "knowledge": 3, "relations": 0.2, "cost": 500},
        {"team": "B", "equity": 0.4, "knowledge": 7, "relations": 0.5, "cost": 100},
    ]
    words = debrief.leaders(table)
    assert words == (
        f"{LABELS['equity']}: A (0.900); {LABELS['knowledge']}: B (7); "
        f"{LABELS['relations']}: B (0.500); {LABELS['cost']}: B (100)"
    )
    assert debrief.rule_words({}) == "the programme's defaults"
