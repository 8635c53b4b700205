"""Shared fixtures. Builders of hand-set populations live in ``builders.py``.

The tests directory is on ``sys.path`` (pytest's default import mode puts a test
file's folder there), so test modules import helpers as ``from builders import ...``
and ``from cli_checks import ...``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import NUMPY_TOO, several, tiny

from simulation import compiled


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed."""
    return np.random.default_rng(12345)


@pytest.fixture(params=["numba", NUMPY_TOO])
def both_loops(request, monkeypatch) -> str:
    """A test with the rules' compiled loops (simulation.kernels) and with their numpy
    twins (a rule test module asks for it for every test: ``pytestmark``)."""
    monkeypatch.setenv(compiled.VARIABLE, request.param)
    assert (compiled.kernels() is not None) == (request.param == "numba")
    return request.param


@pytest.fixture
def tiny_run():
    """(p, state, setting) of the one-group population of builders.tiny."""
    return tiny()


@pytest.fixture
def several_run():
    """(p, state, setting) of the several-group population of builders.several."""
    return several()


@pytest.fixture(scope="session")
def chromium():
    """One Playwright and one Chromium for the whole run, shared by every browser test.

    Playwright's sync API runs its own event loop in the main thread, so a second
    ``sync_playwright()`` while the first is open fails: test modules must share this one.
    """
    # Late: only browser tests need the harness and Playwright.
    from playwright.sync_api import sync_playwright

    from dashboards import harness

    if not Path(harness.CHROMIUM).exists():
        pytest.skip(f"no Chromium at {harness.CHROMIUM}")
    with sync_playwright() as pw:
        browser = harness.launch(pw)
        _BROWSERS.append(browser)
        yield browser
        _BROWSERS.clear()
        browser.close()


_BROWSERS: list = []  # the run's Chromium, once a browser test has launched it


@pytest.fixture(autouse=True)
def _close_windows():
    """A browser test's windows close when it ends. Left open, a page whose server has
    stopped keeps trying to reconnect, and every page keeps its renderer busy: a dozen
    of them took a core from the tests that came after."""
    yield
    for browser in _BROWSERS:
        for context in browser.contexts:
            context.close()
