"""Speed of the workshop room under a room's load, in a real browser (Chromium, offline).

Run from the repository root::

    .venv/bin/python benchmarks/bench_room.py                 # about a minute
    .venv/bin/python benchmarks/bench_room.py --teams 12 --rounds 3 --json out/bench-room.json

One server, one Chromium, and a browser context per person: the facilitator (desktop
window), ``--teams`` teams on phone-sized windows (390 x 844), each of which joins and
chooses its own rules, and the projector. Then ``--rounds`` rounds, each started by a
click on **Start round**. For each round it prints:

* compute: seconds the server took to run the round for every team, from the session
  log's own times (``round start`` to ``round end``, written inside the server while every
  page is connected); target < 1 s;
* every page: seconds from the click until the *last* of the facilitator's, projector's
  and teams' pages shows ``Round N``. Each page records, in its own clock (the browser's
  ``Date.now()``, the same machine's clock as the click's), when the text first appeared
  (a MutationObserver); target < 2 s. Also the median page.

The script always exits 0: it reports, it does not test (the room's browser tests check
that pages update; speed is measured here, never asserted in tests).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

from dashboards import harness

PHONE = {"width": 390, "height": 844}
TIMEOUT = 60_000
TARGETS = {"compute_s": 1.0, "all_pages_s": 2.0}
OPTIONS = ("none", "expenses", "paid")  # compensation: teams choose in turn

# Installed in a page before a round: the page's clock when `Round N` first shows.
WATCH_JS = """(n) => {
  window.__seen = null;
  const want = new RegExp('^Round ' + n + '\\\\b');
  const check = () => {
    const el = document.querySelector('.coprod-round');
    if (window.__seen === null && el && want.test(el.innerText.trim())) {
      window.__seen = Date.now(); obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  check();
}"""


def new_page(browser, base: str, viewport: dict):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    blocked = harness.offline(page, base)
    return page, blocked


def open_room(browser, base: str, teams: int):
    """The facilitator, ``teams`` teams (each with its own rules) and the projector."""
    facilitator, blocked = new_page(browser, base, harness.VIEWPORT)
    code = harness.create_room(facilitator, base, timeout=TIMEOUT)
    phones = []
    for i in range(teams):
        phone, _ = new_page(browser, base, PHONE)
        harness.join_room(phone, base, code, f"Team {i + 1}", timeout=TIMEOUT)
        control = phone.locator("[data-param='compensation']")
        control.get_by_role("button", name=OPTIONS[i % len(OPTIONS)], exact=True).click()
        phones.append(phone)
    projector, _ = new_page(browser, base, harness.VIEWPORT)
    projector.goto(f"{base}/room/projector/{code}")
    projector.get_by_text("Waiting for round 1").wait_for(timeout=TIMEOUT)
    return code, facilitator, phones, projector, blocked


def log_of(facilitator) -> list[dict]:
    with facilitator.expect_download() as download:
        facilitator.locator(".coprod-room-log-json").first.click()
    return json.loads(Path(download.value.path()).read_text(encoding="utf-8"))


def compute_times(entries: list[dict]) -> dict[int, float]:
    """Seconds from each round's start to its end, from the log's times."""
    started = {}
    out = {}
    for e in entries:
        when = datetime.fromisoformat(e["time"]).timestamp()
        if e["kind"] == "round start":
            started[e["details"]["round"]] = when
        elif e["kind"] == "round end":
            out[e["details"]["round"]] = when - started[e["details"]["round"]]
    return out


def run_round(number: int, facilitator, pages) -> list[float]:
    """Click Start round; seconds until each page showed ``Round number``."""
    for page in pages:
        page.evaluate(WATCH_JS, number)
    clicked = time.time()
    facilitator.get_by_role("button", name="Start round").click()
    seen = []
    for page in pages:
        page.wait_for_function("() => window.__seen !== null", timeout=TIMEOUT)
        seen.append(page.evaluate("() => window.__seen") / 1000 - clicked)
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=12, help="teams, one phone each (12)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds to time (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.teams < 1 or args.rounds < 1:
        print("error: --teams and --rounds must be at least 1", file=sys.stderr)
        return 2
    if not Path(harness.CHROMIUM).exists():
        print(f"no Chromium at {harness.CHROMIUM}: nothing measured")
        return 0

    # Late: Playwright only once there is a browser to drive.
    from playwright.sync_api import sync_playwright

    rounds = []
    with sync_playwright() as pw, harness.serving() as base:
        browser = harness.launch(pw)
        try:
            code, facilitator, phones, projector, blocked = open_room(browser, base, args.teams)
            pages = [facilitator, projector, *phones]
            for number in range(1, args.rounds + 1):
                rounds.append({"round": number, "pages_s": run_round(number, facilitator, pages)})
            computed = compute_times(log_of(facilitator))
        finally:
            browser.close()
    for r in rounds:
        r["compute_s"] = computed[r["round"]]
        r["all_pages_s"] = max(r["pages_s"])
        r["median_page_s"] = statistics.median(r["pages_s"])

    def ok(key: str, value: float) -> str:
        return "PASS" if value < TARGETS[key] else "MISS"

    print(
        f"Workshop room {code}: {args.teams} teams on phones (390 x 844), a projector and "
        f"the facilitator; Chromium offline; {len(pages)} pages"
    )
    for r in rounds:
        print(
            f"  round {r['round']}: compute {r['compute_s']:5.2f} s "
            f"(target < {TARGETS['compute_s']:g} s {ok('compute_s', r['compute_s'])}), "
            f"every page {r['all_pages_s']:5.2f} s after the click "
            f"(median page {r['median_page_s']:.2f} s; target < {TARGETS['all_pages_s']:g} s "
            f"{ok('all_pages_s', r['all_pages_s'])})"
        )
    if blocked:
        print(f"  WARNING: requests that left 127.0.0.1: {blocked}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"teams": args.teams, "rounds": rounds}, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
