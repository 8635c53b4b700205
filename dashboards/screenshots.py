"""Screenshots of the dashboard's main views for the documentation (docs/img/).

    python -m dashboards.screenshots [--out docs/img]

Starts the dashboard on a free port, drives it in Chromium (offline) and writes
dashboard.png (the run at week 52), network.png (its network of ties),
what-happened.png (the account after the full programme), compare.png (two
presets side by side after the full programme) and export.png; then
room-projector.png, the workshop room's projector after four rounds of three teams
(``harness.projector_screenshot``, a server of its own).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import harness

DEFAULT_OUT = harness.ROOT / "docs" / "img"


def _step_to(page, week: int) -> None:
    """Step until the main run shows ``week`` (Run to the end is used for the last week)."""
    while harness.week_of(page) < week:
        current = harness.week_of(page)
        page.locator(".coprod-step").click()
        page.wait_for_function(
            "(w) => document.querySelector('.coprod-week').innerText.trim() == `Week ${w}`",
            arg=current + 1,
            timeout=10_000,
        )


def take(out: Path) -> list[Path]:
    # Playwright only when screenshots are taken
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    port = harness.free_port()
    base = f"http://127.0.0.1:{port}"
    server = harness.start_server(port)
    written = []
    try:
        harness.wait_until_up(base + "/", server)
        with sync_playwright() as pw:
            browser = harness.launch(pw)
            context = browser.new_context(
                viewport={"width": 1440, "height": 1100}, device_scale_factor=1
            )
            page, _, _ = harness.open_page(context, base)
            # the run, half way through the programme: Play, then Pause near week 52
            page.locator(".coprod-play").click()
            page.wait_for_function(
                "() => +document.querySelector('.coprod-week').innerText.split(' ')[1] >= 48",
                timeout=60_000,
            )
            page.locator(".coprod-pause").click()
            _step_to(page, 52)
            harness.wait_plots_at(page, 52)
            page.wait_for_timeout(300)
            written.append(out / "dashboard.png")
            page.screenshot(path=written[-1])
            written.append(out / "network.png")
            page.locator("[data-card='network']").screenshot(path=written[-1])

            page.locator(".coprod-end").click()
            harness.wait_plots_at(page, 104)
            page.get_by_role("tab", name="What happened").click()
            page.locator(".coprod-story h3").first.wait_for()
            page.wait_for_timeout(300)
            written.append(out / "what-happened.png")
            page.screenshot(path=written[-1])

            page.get_by_role("tab", name="Compare two scenarios").click()
            harness.choose(page, "Scenario A", "unpaid-fast")
            harness.choose(page, "Scenario B", "slow-benefit-safe")
            page.locator(".coprod-compare-end").click()
            harness.wait_plots_at(page, 104, selector=".coprod-compare-chart", count=8)
            page.set_viewport_size({"width": 1440, "height": 1900})
            page.wait_for_timeout(500)
            written.append(out / "compare.png")
            page.screenshot(path=written[-1])
            page.set_viewport_size({"width": 1440, "height": 1100})

            page.get_by_role("tab", name="Save and export").click()
            page.locator(".coprod-csv").wait_for()
            page.wait_for_timeout(300)
            written.append(out / "export.png")
            page.screenshot(path=written[-1])
            browser.close()
    finally:
        harness.stop_server(server)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboards.screenshots", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the PNG files (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    for path in take(args.out):
        print(f"wrote {path}")
    print(f"wrote {harness.projector_screenshot(args.out / 'room-projector.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
