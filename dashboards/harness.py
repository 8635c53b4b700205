"""Drive the dashboard in a real browser: shared by its tests, benchmark and screenshots.

Starts the server as a subprocess on 127.0.0.1 (stopped by its own process id,
never by name), launches Debian's Chromium through Playwright with every request
that is not to 127.0.0.1 aborted, and waits for the page's ``Week N`` and plots.
For the workshop room: :func:`create_room`, :func:`join_room`, and
:func:`projector_screenshot` (README's picture of the room, made by ``make screenshots``).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from dashboards.charts import CHARTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[1]
N_PLOTS = len(CHARTS) + 1  # the weekly charts and the network on "The run"
VIEWPORT = {"width": 1440, "height": 1000}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server(port: int, host: str = "127.0.0.1", log: Path | None = None) -> subprocess.Popen:
    """``python -m dashboards.server`` in its own session; output to ``log`` if given."""
    if log is None:
        return subprocess.Popen(
            [sys.executable, "-m", "dashboards.server", "--host", host, "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    with open(log, "wb") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "dashboards.server", "--host", host, "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> float:
    """Seconds until ``url`` answers 200; raises if the server dies or takes too long."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"dashboard did not answer at {url} within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate the server by its process id, then kill it if it does not stop."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


@contextlib.contextmanager
def serving(log: Path | None = None, timeout: float = 60.0) -> Iterator[str]:
    """A dashboard server on a free local port for the ``with`` block; yields its base url.

    The server is stopped by its own process id when the block ends, however it ends.
    """
    port = free_port()
    proc = start_server(port, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", proc, timeout=timeout)
        yield base
    finally:
        stop_server(proc)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def offline(page, base: str) -> list[str]:
    """Abort every request that is not to ``base`` (the local server); returns their urls."""
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return blocked


def watch_console(page) -> list[tuple[str, str]]:
    """Collect console errors, uncaught page errors and failed requests (HTTP 400 and up).

    A failed request matters even to the local server: the server fetches assets
    that solara-assets lacks from the CDN, which fails without internet.
    """
    errors: list[tuple[str, str]] = []
    page.on("console", lambda m: errors.append(("console", m.text)) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(("pageerror", str(e))))
    page.on(
        "response",
        lambda r: errors.append(("http", f"{r.status} {r.url}")) if r.status >= 400 else None,
    )
    return errors


def open_page(context, base: str, timeout: float = 60_000):
    """A new tab on the dashboard, offline, once ``Week N`` and every plot are drawn."""
    page = context.new_page()
    blocked = offline(page, base)
    errors = watch_console(page)
    page.goto(base + "/")
    page.locator(".coprod-week").first.wait_for(timeout=timeout)
    page.wait_for_function(
        f"document.querySelectorAll('.coprod-chart canvas').length >= {N_PLOTS}", timeout=timeout
    )
    return page, blocked, errors


def week_of(page, selector: str = ".coprod-week:not(.coprod-compare-week)") -> int:
    text = page.locator(selector).first.inner_text().strip()
    return int(text.split()[1])


def wait_plots_at(
    page, week: int, timeout: float = 10_000, selector: str = ".coprod-chart", count: int = N_PLOTS
) -> None:
    """Wait until ``count`` plots show ``week`` and the browser has painted them."""
    page.wait_for_function(
        '([sel, w, n]) => document.querySelectorAll(`${sel}[data-week="${w}"]`).length == n',
        arg=[selector, str(week), count],
        timeout=timeout,
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def ensure_sidebar(page) -> None:
    """Open the sidebar when the layout starts with it collapsed (narrow windows)."""
    if page.locator("[data-param]").first.is_visible():
        return
    page.locator("header button").first.click()
    page.locator("[data-param]").first.wait_for(state="visible", timeout=5_000)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    field = page.locator(".v-select", has=page.get_by_text(label, exact=True)).first
    field.locator(".v-select__slot").click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()
    page.locator(".menuable__content__active").wait_for(state="hidden", timeout=5_000)


# --------------------------------------------------------------------------- the room


def create_room(page, base: str, mode: str = "", timeout: float = 60_000) -> str:
    """Create a workshop room from ``page`` (the facilitator's); its code."""
    page.goto(base + "/room")
    if mode:
        page.locator(".coprod-mode").get_by_role("button", name=mode).click()
    page.get_by_role("button", name="Create room").click()
    line = page.locator(".coprod-room-code-line")
    line.wait_for(timeout=timeout)
    return line.inner_text().split()[-1]


def join_room(page, base: str, code: str, team: str, timeout: float = 60_000) -> None:
    """Join room ``code`` as ``team`` from ``page``; returns once the team's page shows."""
    page.goto(base + "/room/join")
    page.get_by_label("Room code").fill(code)
    page.get_by_label("Team name").fill(team)
    page.get_by_role("button", name="Join").click()
    page.locator(".coprod-team", has_text=team).wait_for(timeout=timeout)


PROJECTOR_TEAMS = {"Blue": "none", "Green": "paid", "Red": "expenses"}  # compensation


def projector_screenshot(path: Path, rounds: int = 4) -> Path:
    """The projector's view of a room where three teams chose their compensation and
    ``rounds`` rounds ran (README's picture of the room): a server of its own, Chromium."""
    # Playwright only when a screenshot is taken
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, serving() as base:
        browser = launch(pw)
        try:
            facilitator = browser.new_context(viewport=VIEWPORT).new_page()
            code = create_room(facilitator, base)
            for team, option in PROJECTOR_TEAMS.items():
                phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                join_room(phone, base, code, team)
                phone.locator("[data-param='compensation']").get_by_role(
                    "button", name=option, exact=True
                ).click()
            projector = browser.new_context(
                viewport={"width": 1440, "height": 1400}, device_scale_factor=1
            ).new_page()
            projector.goto(f"{base}/room/projector/{code}")
            for number in range(1, rounds + 1):
                facilitator.get_by_role("button", name="Start round").click()
                projector.locator(".coprod-round", has_text=f"Round {number}").wait_for()
            projector.locator(".coprod-multiples").wait_for()
            projector.wait_for_timeout(500)
            path.parent.mkdir(parents=True, exist_ok=True)
            projector.screenshot(path=path, full_page=True)
        finally:
            browser.close()
    return path
