"""Speed of the dashboard as a user sees it, measured in a real browser (Chromium, offline).

Run from the repository root::

    .venv/bin/python benchmarks/bench_dashboard.py              # about half a minute
    .venv/bin/python benchmarks/bench_dashboard.py --steps 40 --json out/bench-dashboard.json

What it prints, at the default scenario:

* start-up: seconds from starting the server process until it answers, and until the
  page is usable (``Week 0``, all seven plots drawn, the Step button enabled); with, from
  the browser's Navigation Timing, when the page was asked for and when its scripts had
  run (the rest is the server building the page and the browser drawing it);
* step: milliseconds from a click on Step until ``Week N+1`` and all seven plots show
  the new week and the browser has painted them (two animation frames later); median
  and 90th percentile. Half the ``--steps`` steps are timed inside the page (the
  figure that counts), half through Playwright (its click and polling included: an
  upper bound);
* play: weeks per second on screen while playing at the page's default speed (10
  weeks a second) and at its fastest setting, counted from the ``Week N`` text and
  from the plots' week over a few seconds;
* PASS / MISS against the targets: usable page < 6 s, median step < 400 ms,
  play >= 5 weeks/s. The script always exits 0: it reports, it does not test.

The browser is launched before the server starts, so start-up time is the server's
and the page's, not Chromium's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from dashboards import harness

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {"usable_page_s": 6.0, "step_median_ms": 400.0, "play_weeks_per_s": 5.0}
WEEK_JS = "() => +document.querySelector('.coprod-week').innerText.trim().split(' ')[1]"
PLOT_WEEK_JS = (
    "() => Math.min(...[...document.querySelectorAll('.coprod-chart')].map(e => +e.dataset.week))"
)


# Where the page's time went, from the browser's own clock (Navigation Timing): when it
# asked for the page, had the HTML, and had run the page's scripts (DOMContentLoaded:
# Solara's 2 MB bundle; then the page connects and the server builds it).
NAVIGATION_JS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {origin: performance.timeOrigin, request: n.requestStart, html: n.responseEnd,
          scripts: n.domContentLoadedEventEnd};
}"""


def measure_start(browser, server, base: str, start: float) -> tuple[dict, object, object]:
    """Seconds from ``start`` (the server process's start) to an answer and a usable page."""
    start_epoch = time.time() - (time.perf_counter() - start)
    answered = harness.wait_until_up(base + "/", server, timeout=120)
    context = browser.new_context(viewport=harness.VIEWPORT)
    page, blocked, errors = harness.open_page(context, base, timeout=120_000)
    page.locator(".coprod-step:not([disabled])").wait_for()
    usable = time.perf_counter() - start
    nav = page.evaluate(NAVIGATION_JS)
    at = {
        key: nav["origin"] / 1000 + nav[key] / 1000 - start_epoch
        for key in ("request", "html", "scripts")
    }
    return (
        {
            "server_answers_s": answered,
            "usable_page_s": usable,
            "page_requested_s": at["request"],
            "html_received_s": at["html"],
            "page_scripts_run_s": at["scripts"],
            "blocked": blocked,
            "errors": errors,
        },
        context,
        page,
    )


# In the page: click Step, then wait (frame by frame) until the Week text and all seven
# plots show the next week, then for two more frames so that the browser has painted.
IN_PAGE_STEP_JS = """async (n) => {
  const week = () => +document.querySelector('.coprod-week').innerText.trim().split(' ')[1];
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const target = week() + 1;
  const t0 = performance.now();
  document.querySelector('.coprod-step').click();
  while (!(week() == target &&
           document.querySelectorAll(`.coprod-chart[data-week="${target}"]`).length == n)) {
    if (performance.now() - t0 > 10000) { return -1; }
    await frame();
  }
  await frame(); await frame();
  return performance.now() - t0;
}"""


def measure_steps(page, n: int) -> tuple[list[float], list[float]]:
    """Step latencies: timed in the page, and through Playwright (click and polling)."""
    in_page, driven = [], []
    for i in range(n):
        if i % 2 == 0:
            ms = page.evaluate(IN_PAGE_STEP_JS, harness.N_PLOTS)
            if ms < 0:
                raise TimeoutError("a Step did not reach every plot within 10 s")
            in_page.append(ms)
            page.locator(".coprod-step:not([disabled])").wait_for()
        else:
            week = page.evaluate(WEEK_JS)
            start = time.perf_counter()
            page.locator(".coprod-step").click()
            harness.wait_plots_at(page, week + 1)
            page.wait_for_function(f"() => ({WEEK_JS})() == {week + 1}")
            driven.append(1000.0 * (time.perf_counter() - start))
    return in_page, driven


def _summary(times: list[float]) -> dict:
    return {
        "median": statistics.median(times),
        "p90": (
            statistics.quantiles(times, n=10, method="inclusive")[-1]
            if len(times) >= 2
            else times[0]
        ),
        "min": min(times),
        "max": max(times),
        "n": len(times),
    }


def measure_play(page, speed: int, seconds: float) -> dict:
    page.locator(".coprod-reset").click()
    harness.wait_plots_at(page, 0)
    if speed != 10:
        harness.choose(page, "Weeks per second", str(speed))
    page.locator(".coprod-play").click()
    page.wait_for_function(f"() => ({WEEK_JS})() >= 3", timeout=20_000)  # warmed up
    w0, p0, t0 = page.evaluate(WEEK_JS), page.evaluate(PLOT_WEEK_JS), time.perf_counter()
    page.wait_for_timeout(1000 * seconds)
    w1, p1, t1 = page.evaluate(WEEK_JS), page.evaluate(PLOT_WEEK_JS), time.perf_counter()
    if page.locator(".coprod-pause:not([disabled])").count():
        page.locator(".coprod-pause").click()
    # Paused: Pause is disabled again (Step too, if Play reached the last week).
    page.locator(".coprod-pause[disabled]").wait_for(timeout=30_000)
    if speed != 10:
        harness.choose(page, "Weeks per second", "10")
    return {
        "speed_setting": speed,
        "week_text_per_s": (w1 - w0) / (t1 - t0),
        "plots_per_s": (p1 - p0) / (t1 - t0),
        "weeks_seen": w1 - w0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps",
        type=int,
        default=40,
        help="Step clicks to time, half in the page, half through Playwright (default 40)",
    )
    parser.add_argument(
        "--play-seconds",
        type=float,
        default=3.0,
        help="seconds of Play to count weeks over (default 3; the default "
        "scenario's 104 weeks must not run out meanwhile)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not Path(harness.CHROMIUM).exists():
        print(f"no Chromium at {harness.CHROMIUM}: nothing measured")
        return 0

    from playwright.sync_api import sync_playwright

    results: dict = {}
    with sync_playwright() as pw:
        browser = harness.launch(pw)
        port = harness.free_port()
        start = time.perf_counter()
        server = harness.start_server(port)
        try:
            results["start"], context, page = measure_start(
                browser, server, f"http://127.0.0.1:{port}", start
            )
            in_page, driven = measure_steps(page, args.steps)
            results["step_ms"] = _summary(in_page)
            results["step_ms_playwright"] = _summary(driven)
            results["play"] = [measure_play(page, speed, args.play_seconds) for speed in (10, 20)]
            context.close()
        finally:
            browser.close()
            harness.stop_server(server)

    play_default = results["play"][0]
    on_screen = min(play_default["week_text_per_s"], play_default["plots_per_s"])
    figures = {
        "usable_page_s": results["start"]["usable_page_s"],
        "step_median_ms": results["step_ms"]["median"],
        "play_weeks_per_s": on_screen,
    }
    results["figures"] = figures
    results["pass"] = {
        "usable_page_s": figures["usable_page_s"] < TARGETS["usable_page_s"],
        "step_median_ms": figures["step_median_ms"] < TARGETS["step_median_ms"],
        "play_weeks_per_s": figures["play_weeks_per_s"] >= TARGETS["play_weeks_per_s"],
    }

    def ok(key: str) -> str:
        return "PASS" if results["pass"][key] else "MISS"

    s, st, pw_st = results["start"], results["step_ms"], results["step_ms_playwright"]
    print("Dashboard speed, default scenario, Chromium offline (all requests to 127.0.0.1)")
    print(f"  server answers        {s['server_answers_s']:6.2f} s after start")
    print(
        f"  usable page           {s['usable_page_s']:6.2f} s after start     "
        f"target < {TARGETS['usable_page_s']:g} s      {ok('usable_page_s')}"
    )
    print(
        f"    meanwhile           page asked for at {s['page_requested_s']:.2f} s (Chromium "
        f"opens the tab after the answer), its scripts run by {s['page_scripts_run_s']:.2f} s; "
        f"then the server builds it and the browser draws it"
    )
    print(
        f"  Step to all 7 plots   {st['median']:6.0f} ms median, timed in the page "
        f"(p90 {st['p90']:.0f}, min {st['min']:.0f}, max {st['max']:.0f}, {st['n']} steps)  "
        f"target < {TARGETS['step_median_ms']:g} ms  {ok('step_median_ms')}"
    )
    print(
        f"    through Playwright  {pw_st['median']:6.0f} ms median (p90 {pw_st['p90']:.0f}, "
        f"{pw_st['n']} steps; includes the driver's click and polling)"
    )
    for play in results["play"]:
        print(
            f"  Play at {play['speed_setting']:>2} weeks/s     "
            f"{play['week_text_per_s']:6.1f} weeks/s on the Week text, "
            f"{play['plots_per_s']:.1f} on the plots"
        )
    print(
        f"  Play on screen        {on_screen:6.1f} weeks/s (default speed)   "
        f"target >= {TARGETS['play_weeks_per_s']:g}     {ok('play_weeks_per_s')}"
    )
    if s["blocked"] or s["errors"]:
        print(f"  WARNING: blocked requests {s['blocked']}, console errors {s['errors']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
