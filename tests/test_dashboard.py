"""The dashboard in a real browser (Debian's Chromium through Playwright), offline.

One server for the whole file (a subprocess on a free 127.0.0.1 port, stopped by
its process id), one browser, and a fresh browser context (its own session, so its
own model) per test. Every request that is not to the local server is aborted, so
the page is shown to work with no internet. A few checks of the page's logic run
without a browser at the end.
"""

from __future__ import annotations

import io
import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboards import compare, harness, network, story
from dashboards.app import nice_step, show_value
from dashboards.state import parse_upload
from simulation.metrics import METRIC_NAMES
from simulation.model import CoProductionModel
from simulation.params import (
    ASSUMPTION_GROUPS,
    ASSUMPTIONS,
    DEFAULTS,
    GROUPS,
    PARAM_BY_NAME,
    PARAMS,
    Param,
    ParamError,
)
from simulation.scenarios import load_scenario
from simulation.text import show

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CHART_KEYS = ("participation", "voice", "insights", "relations", "money", "satisfaction", "network")

# Without Chromium the browser tests skip on a developer's machine; in CI (.ci/run installs
# Chromium, and sets CI=true) a missing browser is a failure, never a silent skip.
NO_CHROMIUM = not Path(harness.CHROMIUM).exists() and not os.environ.get("CI")


def needs_chromium(test):
    """A test in the browser: marked ``browser`` (make test-fast skips it), skipped without
    Chromium outside CI."""
    skip = pytest.mark.skipif(NO_CHROMIUM, reason=f"no Chromium at {harness.CHROMIUM}")
    return pytest.mark.browser(skip(test))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The dashboard server as a subprocess; its base url."""
    if NO_CHROMIUM:
        pytest.skip(f"no Chromium at {harness.CHROMIUM}")
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with harness.serving(log=log) as base:
        yield base


@pytest.fixture
def browser(server, chromium):
    """The run's one Chromium (see conftest.chromium), once the server is up."""
    return chromium


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=harness.VIEWPORT, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server):
    """A fresh session on the dashboard, with its blocked requests and console errors."""
    page, blocked, errors = harness.open_page(context, server)
    page.blocked, page.errors = blocked, errors
    harness.ensure_sidebar(page)
    yield page
    page.wait_for_timeout(200)  # let late console messages arrive
    problems = page.locator(".coprod-plot-error, .coprod-story .v-alert").all_inner_texts()
    assert problems == [], f"plots that could not be drawn: {problems}"
    assert page.blocked == [], f"requests leaving the machine: {page.blocked}"
    assert page.errors == [], f"console errors: {page.errors}"


# --------------------------------------------------------------------------- helpers


def shown_value(page, name: str) -> str:
    return page.locator(f"[data-param='{name}'] .coprod-value").inner_text().strip()


def expected_value(name: str, value) -> str:
    p = PARAM_BY_NAME[name]
    unit = f" {p.unit}" if p.unit and p.kind in ("int", "float") else ""
    return show_value(p, value) + unit


def wait_week(page, week: int, selector: str = ".coprod-week") -> None:
    page.wait_for_function(
        "([sel, w]) => document.querySelector(sel).innerText.trim() == w",
        arg=[selector, f"Week {week}"],
        timeout=10_000,
    )


def step(page, times: int = 1) -> int:
    for _ in range(times):
        week = harness.week_of(page)
        page.locator(".coprod-step").click()
        harness.wait_plots_at(page, week + 1)
    return harness.week_of(page)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def download(page, button: str) -> bytes:
    with page.expect_download(timeout=15_000) as info:
        page.locator(button).first.click()
    return Path(info.value.path()).read_bytes()


def upload(page, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    page.locator(".coprod-upload input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": data}]
    )


# --------------------------------------------------------------------------- in the browser


@needs_chromium
def test_page_loads_offline_with_controls_from_the_schema(page):
    assert harness.week_of(page) == 0
    assert page.locator(".coprod-week").first.inner_text() == "Week 0"
    assert page.locator(".coprod-chart").count() == harness.N_PLOTS
    # one control per parameter, inside its group's card, with its help text and unit
    assert page.locator("[data-param]").count() == len(PARAMS)
    for group in GROUPS:
        card = page.locator(".coprod-group", has=page.get_by_text(group, exact=True))
        names = [p.name for p in PARAMS if p.group == group]
        assert card.locator("[data-param]").count() == len(names), group
        for name in names:
            control = card.locator(f"[data-param='{name}']")
            assert PARAM_BY_NAME[name].help in control.inner_text()
            assert shown_value(page, name) == expected_value(name, DEFAULTS[name])


@needs_chromium
def test_moving_controls_changes_the_models_parameters(page):
    step(page, 2)
    # a choice: compensation
    page.locator("[data-param='compensation'] button", has_text="paid").click()
    page.wait_for_function(
        "() => document.querySelector(\"[data-param='compensation'] "
        ".coprod-value\").innerText.trim() == 'paid'"
    )
    wait_week(page, 0)  # a new setting starts the run again
    # a slider: drag pace to about a fifth of its range
    track = page.locator("[data-param='pace'] .v-slider").first
    track.scroll_into_view_if_needed()
    box = track.bounding_box()
    page.mouse.click(box["x"] + 0.2 * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector(\"[data-param='pace'] .coprod-value\")"
        ".innerText.trim() != '0.70 0-1'"
    )
    pace = float(shown_value(page, "pace").split()[0])
    assert 0.1 <= pace <= 0.3
    # a number box: patients
    box = page.locator("[data-param='n_patients'] input")
    box.fill("30")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector(\"[data-param='n_patients'] "
        ".coprod-value\").innerText.trim() == '30 people'"
    )
    # the exported scenario file carries the new values, and the run uses them
    open_tab(page, "Save and export")
    values = tomllib.loads(download(page, ".coprod-toml").decode())
    assert values["compensation"] == "paid"
    assert values["pace"] == pytest.approx(pace)
    assert values["n_patients"] == 30
    open_tab(page, "The run")
    step(page)
    open_tab(page, "What happened")
    assert "30 patients" in page.locator(".coprod-story").inner_text()


def _story_after(page, weeks: int) -> str:
    step(page, weeks)
    open_tab(page, "What happened")
    text = page.locator(".coprod-story").inner_text()
    open_tab(page, "The run")
    return text


@pytest.mark.slow
@needs_chromium
def test_the_assumptions_panel_opens_and_an_assumption_changes_the_run(page):
    panel = page.locator(".coprod-assumptions")
    assert panel.count() == 1 and "Model assumptions" in panel.inner_text()
    assert panel.locator("[data-param]").count() == 0  # collapsed: no controls made yet
    default_story = _story_after(page, 4)

    panel.locator(".coprod-assumptions-header").click()
    p = PARAM_BY_NAME["weight_time"]
    control = panel.locator(f"[data-param='{p.name}']")
    control.wait_for(timeout=10_000)
    assert panel.locator("[data-param]").count() == len(ASSUMPTIONS)
    for rule in ASSUMPTION_GROUPS:  # grouped by the rule that uses them
        group = panel.locator(f"[data-rule='{rule}']")
        assert group.locator("[data-param]").count() == sum(a.group == rule for a in ASSUMPTIONS)
    assert panel.locator(f"[data-rule='{p.group}'] [data-param='{p.name}']").count() == 1
    assert shown_value(page, p.name) == expected_value(p.name, p.default)  # value and unit
    source = control.locator(".coprod-source")
    assert source.get_attribute("title") == p.source  # the whole source on hover
    assert p.basis in source.inner_text() and p.help in control.inner_text()

    thumb = control.locator("[role=slider]")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    thumb.press("End")  # the high end of the range
    high = expected_value(p.name, p.high)
    page.wait_for_function(
        "([name, want]) => document.querySelector(`[data-param='${name}'] .coprod-value`)"
        ".innerText.trim() == want",
        arg=[p.name, high],
    )
    wait_week(page, 0)  # a new assumption starts the run again, as a lever does
    assert "with 1 change" in page.locator(".coprod-origin").inner_text()
    assert "(1 changed)" in panel.locator(".coprod-assumptions-header").inner_text()
    assert _story_after(page, 4) != default_story  # heavier time costs: another programme

    open_tab(page, "Save and export")  # the exported scenario keeps the assumption
    assert tomllib.loads(download(page, ".coprod-toml").decode())[p.name] == p.high
    open_tab(page, "The run")
    page.get_by_role("button", name="Undo my changes").click()
    page.wait_for_function(
        "([name, want]) => document.querySelector(`[data-param='${name}'] .coprod-value`)"
        ".innerText.trim() == want",
        arg=[p.name, expected_value(p.name, p.default)],
    )
    wait_week(page, 0)
    assert _story_after(page, 4) == default_story  # undone: the default run again


@needs_chromium
def test_step_updates_the_week_and_every_plot(page):
    before = {k: page.locator(f".coprod-chart[data-chart='{k}']").screenshot() for k in CHART_KEYS}
    assert step(page) == 1
    assert page.locator(".coprod-week").first.inner_text() == "Week 1"
    for key in CHART_KEYS:
        after = page.locator(f".coprod-chart[data-chart='{key}']").screenshot()
        assert after != before[key], f"plot {key} did not change after Step"
    # Play moves on by itself, Pause stops it, Reset goes back to week 0
    page.locator(".coprod-play").click()
    page.wait_for_function(
        "() => +document.querySelector('.coprod-week').innerText.split(' ')[1] >= 6", timeout=15_000
    )
    page.locator(".coprod-pause").click()
    # Step comes back once the week in progress ends: 10 s, as the other waits, for a loaded machine
    page.locator(".coprod-step:not([disabled])").wait_for(timeout=10_000)
    paused = harness.week_of(page)
    page.wait_for_timeout(600)
    assert harness.week_of(page) == paused
    page.locator(".coprod-reset").click()
    harness.wait_plots_at(page, 0)
    assert page.locator(".coprod-week").first.inner_text() == "Week 0"


@needs_chromium
def test_a_preset_switches_every_value(page):
    preset = "slow-benefit-safe"
    harness.choose(page, "Start from a preset", preset)
    expected = load_scenario(preset)
    page.wait_for_function(
        "() => document.querySelector(\"[data-param='compensation'] "
        ".coprod-value\").innerText.trim() == 'paid'"
    )
    for p in PARAMS:
        assert shown_value(page, p.name) == expected_value(p.name, expected[p.name]), p.name
    assert f"preset '{preset}'" in page.locator(".coprod-origin").inner_text()
    assert harness.week_of(page) == 0


@needs_chromium
def test_compare_mode_runs_two_models_with_the_same_seed(page):
    open_tab(page, "Compare two scenarios")
    harness.choose(page, "Scenario A", "unpaid-fast")
    harness.choose(page, "Scenario B", "user-led")
    for week in (1, 2):
        page.locator(".coprod-compare-step").click()
        harness.wait_plots_at(
            page, week, selector=".coprod-compare-chart", count=len(compare.PANELS)
        )
    assert page.locator(".coprod-compare-week").inner_text() == "Week 2"
    page.locator(".coprod-compare-end").click()
    harness.wait_plots_at(page, 104, selector=".coprod-compare-chart", count=len(compare.PANELS))
    # the table holds both runs' final outcomes: the same as running each with seed 0
    a = CoProductionModel(rng=0, **load_scenario("unpaid-fast")).run()
    b = CoProductionModel(rng=0, **load_scenario("user-led")).run()
    rows = page.locator(".coprod-diff tr[data-metric]")
    assert rows.count() == len(METRIC_NAMES)
    for name in ("participation_lay", "insights_lay_origin", "programme_cost"):
        cells = page.locator(f".coprod-diff tr[data-metric='{name}'] td.num").all_inner_texts()
        assert cells[:2] == [show(a[name]), show(b[name])], name
    assert page.locator(".coprod-diff td.large").count() > 0
    # the main run was not touched
    assert harness.week_of(page) == 0


@needs_chromium
def test_two_sessions_have_their_own_models(browser, server):
    ctx_a = browser.new_context(viewport=harness.VIEWPORT)
    ctx_b = browser.new_context(viewport=harness.VIEWPORT)
    try:
        a, _, errors_a = harness.open_page(ctx_a, server)
        b, _, errors_b = harness.open_page(ctx_b, server)
        assert step(a, 3) == 3
        b.wait_for_timeout(300)
        assert harness.week_of(b) == 0
        assert step(b) == 1
        assert harness.week_of(a) == 3
        assert errors_a == [] and errors_b == []
    finally:
        ctx_a.close()
        ctx_b.close()


@needs_chromium
def test_a_bad_scenario_file_shows_its_problem_and_changes_nothing(page):
    step(page)
    for name, text, words in (
        ("too-fast.toml", 'description = "x"\npace = 7\n', ["pace", "0 to 1", "7"]),
        ("typo.toml", "compensaton = 'paid'\n", ["compensaton", "did you mean 'compensation'"]),
        ("broken.toml", "pace = = 0.5\n", ["not valid TOML"]),
    ):
        upload(page, name, text)
        error = page.locator(".coprod-notice-error", has_text=name)
        error.wait_for(timeout=10_000)
        message = error.inner_text()
        assert name in message and "Nothing was changed" in message, message
        for word in words:
            assert word in message, (word, message)
        assert shown_value(page, "pace") == expected_value("pace", DEFAULTS["pace"])
        assert harness.week_of(page) == 1
    # a good file is taken: every value from it, the run restarts
    upload(page, "mine.toml", 'description = "Paid, slow"\ncompensation = "paid"\npace = 0.2\n')
    page.locator(".coprod-notice-success").wait_for(timeout=10_000)
    assert shown_value(page, "compensation") == "paid"
    assert shown_value(page, "pace") == expected_value("pace", 0.2)
    assert harness.week_of(page) == 0
    assert "file 'mine.toml'" in page.locator(".coprod-origin").inner_text()


@needs_chromium
def test_exports_download_and_parse(page, tmp_path):
    page.locator("[data-param='agenda_openness'] .v-slider").first.click()  # the middle: 0.5
    page.wait_for_function(
        "() => document.querySelector(\"[data-param='agenda_openness'] "
        ".coprod-value\").innerText.trim() == '0.50 0-1'"
    )
    week = step(page, 3)
    open_tab(page, "Save and export")
    weekly = pd.read_csv(io.BytesIO(download(page, ".coprod-csv")), index_col="week")
    # each metric's summary so far, then its value in the week; week 0 (the start) left out
    assert list(weekly.columns) == [*METRIC_NAMES, *(f"{name}_week" for name in METRIC_NAMES)]
    assert list(weekly.index) == list(range(1, week + 1))
    assert np.isfinite(weekly.to_numpy()).all()

    scenario = tmp_path / "saved.toml"
    scenario.write_bytes(download(page, ".coprod-toml"))
    assert tomllib.loads(scenario.read_text())["agenda_openness"] == 0.5
    assert load_scenario(str(scenario)) == {**DEFAULTS, "agenda_openness": 0.5}

    for key in CHART_KEYS:
        assert download(page, f".coprod-png-{key}").startswith(PNG_MAGIC), key
    account = download(page, ".coprod-story-md").decode()
    assert f"After {week} weeks" in account


# --------------------------------------------------------------------------- without a browser


def test_upload_check_names_the_problem():
    with pytest.raises(ParamError, match=r"'x.toml'.*pace.*0 to 1"):
        parse_upload("x.toml", b"pace = 3\n")
    with pytest.raises(ParamError, match="not valid TOML"):
        parse_upload("x.toml", b"[[[")
    with pytest.raises(ParamError, match="empty"):
        parse_upload("x.toml", b"  \n")
    with pytest.raises(ParamError, match="KB"):
        parse_upload("x.toml", b"#" * 70_000)
    values, description = parse_upload("ok.toml", b'description = "d"\npace = 0.25\n')
    assert values == {**DEFAULTS, "pace": 0.25} and description == "d"


def test_layout_is_computed_once_per_model_and_story_adds_up():
    model = CoProductionModel(rng=3, weeks=30)
    before = network.layout_computations
    for _ in range(30):
        model.step()
        network.echarts_option(model)
    assert network.layout_computations == before + 1
    text = story.markdown(model)
    assert f"£{sum(model.ledger.values()):,.0f}" in text
    frame_total = sum(model.datacollector.model_vars["insights_week"])
    assert f"{frame_total:,.0f} new insight" in text


def test_plots_use_metrics_the_model_reports():
    from dashboards import charts

    assert charts.unknown_metrics() == []
    assert {p.metric for p in compare.PANELS} <= set(METRIC_NAMES)


def test_slider_steps_come_from_the_ranges():
    assert nice_step(PARAM_BY_NAME["pace"]) == pytest.approx(0.01)
    assert nice_step(PARAM_BY_NAME["travel_cost"]) == pytest.approx(2.0)
    assert nice_step(PARAM_BY_NAME["permitted_earnings"]) == pytest.approx(5.0)
    # a default off the slider's grid would be moved onto it (a change nobody made)
    odd = Param("x", "float", 0.77, "", "", "", low=0.5, high=2.0)
    assert nice_step(odd) == pytest.approx(0.01)  # 0.02 from the range, halved to fit 0.77
    for p in PARAMS + ASSUMPTIONS:
        if p.kind == "float":
            steps = (p.default - p.low) / nice_step(p)
            assert steps == pytest.approx(round(steps), abs=1e-6), p.name


def test_state_drives_a_run_and_a_pair_without_solara():
    from dashboards.state import MINE, Box, ComparePair, Session

    values = {**DEFAULTS, "weeks": 6}
    lock = __import__("threading").RLock()
    pair = ComparePair(
        a=Box(MINE),
        b=Box("user-led"),
        models=Box(None),
        tick=Box(0),
        playing=Box(False),
        error=Box(None),
        settings=lambda: session.values.value,
        seed=lambda: session.seed.value,
        lock=lock,
    )
    session = Session(
        values=Box(values),
        base=Box(values),
        origin=Box(("preset", "default")),
        description=Box(""),
        seed=Box(4),
        model=Box(None),
        ready=Box(False),
        tick=Box(0),
        playing=Box(False),
        speed=Box(10),
        notice=Box(None),
        tab=Box(0),
        compare=pair,
        lock=lock,
    )
    session.reset()
    session.step()
    model, tick = session.watch()
    assert int(model.steps) == 1 and tick == 2 and session.ready.value
    session.play()
    session.to_end()
    assert int(model.steps) == 6 and not session.running and not session.playing.value
    assert "pace" in session.set_param("pace", 7)  # refused: the run goes on
    assert session.model.value is model
    session.set_param("pace", 0.25)
    assert session.changed() == ["pace"] and session.origin_text().endswith("with 1 change")
    assert "weight_time" in session.set_param("weight_time", 99)  # an assumption's range
    session.set_param("weight_time", PARAM_BY_NAME["weight_time"].high)
    assert session.changed() == ["pace", "weight_time"]
    assert session.model.value.params.weight_time == PARAM_BY_NAME["weight_time"].high
    session.undo_changes()
    assert (
        session.changed() == []
        and session.model.value.params.weight_time == DEFAULTS["weight_time"]
    )
    session.set_param("pace", 0.25)
    assert int(session.model.value.steps) == 0
    pair.step(2)
    a, b = pair.models.value
    assert (int(a.steps), int(b.steps)) == (2, 2) and a.params.pace == 0.25
    assert b.params.weeks == load_scenario("user-led")["weeks"]


def test_charts_read_labels_and_units_from_the_metrics():
    # weekly.png (charts.weekly_png) is checked by tests/test_cli.py, through coprod run --out
    from dashboards import charts
    from simulation.metrics import METRIC_BY_NAME

    model = CoProductionModel(rng=1, weeks=5)
    for _ in range(5):
        model.step()
    frame = charts.read_frame(model)
    money = charts.CHART_BY_KEY["money"]
    option = charts.echarts_option(money, frame)
    assert [s["name"] for s in option["series"]] == [
        METRIC_BY_NAME[line.metric].label for line in money.lines
    ]
    # Both axes of the money chart are running totals (out of pocket moved to the burden chart).
    assert [a["name"] for a in option["yAxis"]] == ["GBP (running total)", "hours (running total)"]
    burden = charts.echarts_option(charts.CHART_BY_KEY["burden"], frame)
    assert [a["name"] for a in burden["yAxis"]] == ["GBP per participant", "hours"]
    assert charts.echarts_option(charts.CHART_BY_KEY["voice"], frame)["yAxis"][0]["max"] == 1
    assert [p.title for p in compare.PANELS] == [
        METRIC_BY_NAME[p.metric].label for p in compare.PANELS
    ]


def test_the_command_line_and_the_state_load_no_solara():
    import subprocess
    import sys

    code = (
        "import sys, experiments.cli, dashboards.charts, dashboards.state; "
        "print(sorted(m for m in ('solara', 'reacton', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_charts_read_the_week_columns_from_week_1():
    # charts: a function-level import, as the other chart checks here
    from dashboards import charts

    model = CoProductionModel(rng=4, weeks=6)
    model.run()
    frame = charts.read_frame(model)
    assert frame.weeks.tolist() == [1, 2, 3, 4, 5, 6]  # week 0, the starting state, left out
    collected = model.datacollector.model_vars
    assert frame["insights"].tolist() == collected["insights_week"][1:]
    assert frame.cumulative("insights")[-1] == collected["insights"][-1]  # total so far
    table = pd.read_csv(io.StringIO(charts.weekly_csv(model)))
    assert table["week"].tolist() == [1, 2, 3, 4, 5, 6]
    assert list(table.columns) == ["week", *METRIC_NAMES, *(n + "_week" for n in METRIC_NAMES)]
    assert table["insights"].iloc[-1] == model.final_metrics()["insights"]
    assert table["insights"].iloc[2] == table["insights_week"].iloc[:3].sum()
    option = charts.echarts_option(charts.CHART_BY_KEY["insights"], frame)
    assert [w for w, _ in option["series"][0]["data"]] == [1, 2, 3, 4, 5, 6]
