"""The facilitator's controls in a real browser (issue 13): countdown, pause, undo, end.

One server, one browser, three contexts: the facilitator (desktop), one team on a
phone-sized window and the projector. The facilitator sets a time limit: every page
shows the countdown, and it counts down. Pause freezes it on every page, Resume lets it
run again. A round, then Undo: every page is back to waiting for round 1. Two rounds and
End session: every page says the session has ended, and the facilitator's round buttons
are gone; the debrief steps back to round 1 and downloads as Markdown with its figure.
"""

from __future__ import annotations

import re
import time
import zipfile

import pytest

from dashboards import harness
from tests.test_dashboard import NO_CHROMIUM, needs_chromium
from tests.test_room_pages import PHONE, TIMEOUT, join, new_page

COUNTDOWN = re.compile(r"next round in (\d+) s")
LIMIT = 300  # seconds: long enough that the timer never starts a round during the test


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if NO_CHROMIUM:
        pytest.skip(f"no Chromium at {harness.CHROMIUM}")
    log = tmp_path_factory.mktemp("room-controls") / "server.log"
    with harness.serving(log=log) as base:
        yield base
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text[-3000:]


def seconds_left(page) -> int:
    """The countdown a page shows now."""
    found = COUNTDOWN.search(page.locator(".coprod-round").first.inner_text())
    assert found, page.locator(".coprod-round").first.inner_text()
    return int(found.group(1))


def all_show(pages, text: str) -> None:
    for page in pages:
        page.locator(".coprod-round", has_text=text).wait_for(timeout=TIMEOUT)


@needs_chromium
@pytest.mark.slow
def test_countdown_pause_undo_and_end(chromium, server):
    facilitator, blocked = new_page(chromium, server)
    facilitator.goto(server + "/room")
    facilitator.get_by_role("button", name="Create room").click()
    line = facilitator.locator(".coprod-room-code-line")
    line.wait_for(timeout=TIMEOUT)
    code = line.inner_text().split()[-1]

    phone, _ = new_page(chromium, server, PHONE)
    join(phone, server, code, "Blue")
    phone.locator(".coprod-team", has_text="Blue").wait_for(timeout=TIMEOUT)
    projector, _ = new_page(chromium, server)
    projector.goto(f"{server}/room/projector/{code}")
    pages = [facilitator, phone, projector]
    all_show(pages, "Waiting for round 1")

    # The countdown: on every page, and it counts down.
    harness.choose(facilitator, "Time limit per round (seconds)", str(LIMIT))
    all_show(pages, "next round in")
    first = [seconds_left(p) for p in pages]
    assert all(LIMIT - 5 <= s <= LIMIT for s in first), first
    time.sleep(2.5)
    later = [seconds_left(p) for p in pages]
    assert all(b < a for a, b in zip(first, later, strict=True)), (first, later)

    # Pause: every page says so and the countdown stops; Resume starts it again.
    facilitator.get_by_role("button", name="Pause").click()
    all_show(pages, "paused")
    for page in pages:
        assert not COUNTDOWN.search(page.locator(".coprod-round").first.inner_text())
    time.sleep(1.5)
    facilitator.get_by_role("button", name="Resume").click()
    all_show(pages, "next round in")
    resumed = seconds_left(projector)
    assert resumed >= later[2] - 2, (later, resumed)  # the paused seconds were not spent

    # A round, then Undo: every page is back before round 1.
    facilitator.get_by_role("button", name="Start round").click()
    all_show(pages, "Round 1")
    projector.locator(".coprod-league").wait_for(timeout=TIMEOUT)
    facilitator.get_by_role("button", name="Undo last round").click()
    all_show(pages, "Waiting for round 1")
    projector.locator(".coprod-league").wait_for(state="detached", timeout=TIMEOUT)
    assert "week 0 of" in phone.locator(".coprod-round").inner_text()

    # Two rounds again, then End: every page says the session has ended.
    for number in (1, 2):
        facilitator.get_by_role("button", name="Start round").click()
        all_show(pages, f"Round {number}")
    facilitator.get_by_role("button", name="End session").click()
    all_show(pages, "The session has ended after 2 rounds")
    assert facilitator.get_by_role("button", name="Start round").count() == 0
    assert phone.locator("[data-param]").count() == 0  # no rules to change any more

    # The debrief steps back through the rounds, replayed from the log, and downloads.
    facilitator.get_by_role("button", name="Debrief: step through the rounds").click()
    shown = facilitator.locator(".coprod-debrief-round")
    shown.filter(has_text="Round 2 of 2 · weeks 14-26").wait_for(timeout=TIMEOUT)
    facilitator.get_by_role("button", name="Previous round").click()
    shown.filter(has_text="Round 1 of 2 · weeks 1-13").wait_for(timeout=TIMEOUT)
    debrief = facilitator.locator(".coprod-debrief")
    assert "Blue" in debrief.locator(".coprod-league").inner_text()
    assert debrief.locator(".coprod-multiples polyline").count() == 4
    with facilitator.expect_download() as download:
        facilitator.locator(".coprod-debrief-zip").first.click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = sorted(archive.namelist())
        assert names == [f"room-{code}-debrief.md", f"room-{code}-outcomes.png"]
        text = archive.read(names[0]).decode("utf-8")
    assert "2 rounds played, to week 26; the session was ended." in text
    assert not blocked
