"""Roles mode in a real browser (issue 13): the room is the programme.

The facilitator creates a roles room; two people take seats from phone-sized windows
(the join page offers the seats once the code is typed); one decides to stay away from
the first meeting and to say a lot, the clinician to give lived experience a lot of
weight; a round runs; each seat sees what happened to its person beside what the model
would have done; the projector shows the seats taken and those the model plays; a
reloaded phone keeps its seat; the debrief sets the seats' choices beside the model's.
"""

from __future__ import annotations

import zipfile

import pytest

from dashboards import harness
from tests.test_dashboard import NO_CHROMIUM, needs_chromium
from tests.test_room_pages import PHONE, TIMEOUT, new_page


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if NO_CHROMIUM:
        pytest.skip(f"no Chromium at {harness.CHROMIUM}")
    log = tmp_path_factory.mktemp("room-roles") / "server.log"
    with harness.serving(log=log) as base:
        yield base
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text[-3000:]


def take_seat(page, base: str, code: str, title_start: str) -> str:
    page.goto(base + "/room/join")
    page.get_by_label("Room code").fill(code)
    button = page.locator(".coprod-seat", has_text=f"Take this seat: {title_start}").first
    button.wait_for(timeout=TIMEOUT)
    assert page.get_by_label("Team name").count() == 0  # roles: seats, not team names
    title = button.inner_text().split(": ", 1)[1].strip()
    button.click()
    page.locator(".coprod-seat-title").wait_for(timeout=TIMEOUT)
    return title


@needs_chromium
@pytest.mark.slow
def test_two_people_take_seats_choose_and_see_what_happened(chromium, server):
    facilitator, blocked = new_page(chromium, server)
    facilitator.goto(server + "/room")
    facilitator.locator(".coprod-mode").get_by_role("button", name="roles").click()
    facilitator.get_by_role("button", name="Create room").click()
    line = facilitator.locator(".coprod-room-code-line")
    line.wait_for(timeout=TIMEOUT)
    code = line.inner_text().split()[-1]

    patient, _ = new_page(chromium, server, PHONE)
    title = take_seat(patient, server, code, "A patient on benefits")
    clinician, _ = new_page(chromium, server, PHONE)
    take_seat(clinician, server, code, "The group's clinician")
    assert "Money at hand: £" in patient.inner_text("body")

    first = patient.locator(".coprod-meeting").first
    assert "Week 1 meeting" in first.inner_text()
    first.get_by_role("button", name="stay home").click()
    patient.get_by_role("button", name="a lot").click()
    clinician.get_by_text("Weight you give to lived experience").wait_for(timeout=TIMEOUT)
    clinician.get_by_role("button", name="a lot").last.click()

    projector, _ = new_page(chromium, server)
    projector.goto(f"{server}/room/projector/{code}")
    teams = projector.locator(".coprod-teams")
    teams.wait_for(timeout=TIMEOUT)
    assert f"{title} (taken)" in teams.inner_text()
    assert "The programme's manager (played by the model)" in teams.inner_text()

    facilitator.get_by_role("button", name="Start round").click()
    for page in (facilitator, patient, clinician, projector):
        page.locator(".coprod-round", has_text="Round 1").wait_for(timeout=TIMEOUT)
    happened = patient.locator(".coprod-happened")
    happened.wait_for(timeout=TIMEOUT)
    assert happened.inner_text().startswith("week 1: you chose to stay home; the model's rule")
    assert "did not come" in happened.inner_text().splitlines()[0]
    assert projector.locator(".coprod-league").count() == 1
    for phone in (patient, clinician):  # nothing wider than a phone's screen
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    patient.reload()
    patient.locator(".coprod-seat-title", has_text=title).wait_for(timeout=TIMEOUT)
    assert patient.locator(".coprod-meeting").first.inner_text().startswith("Week 15 meeting")

    with facilitator.expect_download() as download:
        facilitator.locator(".coprod-debrief-zip").first.click()
    with zipfile.ZipFile(download.value.path()) as archive:
        text = archive.read(f"room-{code}-debrief.md").decode("utf-8")
    assert "roles mode, 2 seats taken" in text
    assert f"{title} chose to stay home; the model's rule would have chosen to go" in text or (
        f"Round 1, {title}: came to" in text
    )
    assert not blocked
