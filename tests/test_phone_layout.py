"""The ordinary dashboard on a phone (issue 13): at 390 x 844 the sidebar starts closed,
so Step can be pressed; it opens from the app bar and closes again with a tap beside it.
On a desktop window the sidebar starts open, as before."""

from __future__ import annotations

import pytest

from dashboards import harness
from tests.test_dashboard import NO_CHROMIUM, needs_chromium

PHONE = {"width": 390, "height": 844}
TIMEOUT = 20_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if NO_CHROMIUM:
        pytest.skip(f"no Chromium at {harness.CHROMIUM}")
    log = tmp_path_factory.mktemp("phone") / "server.log"
    with harness.serving(log=log) as base:
        yield base
    assert "Traceback" not in log.read_text(encoding="utf-8")


def step_to(page, week: int) -> None:
    """Press Step as a finger would (no forcing: nothing may cover it); wait for the week."""
    page.get_by_role("button", name="Step").click(timeout=5_000)
    page.locator(".coprod-week", has_text=f"Week {week}").first.wait_for(timeout=TIMEOUT)


@needs_chromium
def test_on_a_phone_the_sidebar_starts_closed_and_step_can_be_pressed(chromium, server):
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page, blocked, errors = harness.open_page(context, server)
        sidebar = page.locator("[data-param]").first
        assert not sidebar.is_visible()
        step_to(page, 1)

        page.locator("header button").first.click()  # the app bar's menu button
        sidebar.wait_for(state="visible", timeout=5_000)
        drawer = page.locator(".v-navigation-drawer").first.bounding_box()
        assert drawer["width"] < PHONE["width"]  # a strip beside it is left to tap
        page.mouse.click(PHONE["width"] - 10, PHONE["height"] // 2)  # tap beside the drawer
        sidebar.wait_for(state="hidden", timeout=5_000)
        step_to(page, 2)
        assert not blocked and not errors, (blocked, errors)
    finally:
        context.close()


@needs_chromium
def test_on_a_desktop_the_sidebar_starts_open(chromium, server):
    context = chromium.new_context(viewport=harness.VIEWPORT)
    try:
        page, _, _ = harness.open_page(context, server)
        assert page.locator("[data-param]").first.is_visible()
        step_to(page, 1)
    finally:
        context.close()
