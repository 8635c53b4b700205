"""The ``coprod`` command line and the scenario files, end to end on real files.

Bad input goes through the real console script in subprocesses (started all at
once, so the suite stays fast); the rest calls ``experiments.cli.main`` in process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from cli_checks import assert_one_line_error

from experiments import cli
from experiments.assumptions_doc import markdown as assumptions_markdown
from experiments.assumptions_doc import short_source
from simulation.metrics import METRIC_NAMES, WEEK_NAMES
from simulation.params import (
    ASSUMPTION_GROUPS,
    ASSUMPTIONS,
    DEFAULTS,
    EVERY_PARAM,
    GROUPS,
    PARAM_BY_NAME,
    PARAMS,
    ParamError,
    markdown_table,
)
from simulation.scenarios import list_scenarios, load_scenario, read_scenario, scenario_toml
from simulation.text import show

PARAM_NAMES = [p.name for p in EVERY_PARAM]  # levers, then assumptions
SHORT = ["--set", "weeks=8"]
PRESETS = (
    "default",
    "unpaid-fast",
    "tokenistic",
    "slow-benefit-safe",
    "user-led",
    "online-only",
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCRIPT = Path(sys.executable).with_name("coprod")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "experiments.cli"]


MODULE = [sys.executable, "-m", "experiments.cli"]


def _spawn(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The console script with ``args``; arguments after a leading MODULE use ``python -m``."""
    command = args if args[:3] == MODULE else [*COMMAND, *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def _spawn_all(
    cases: dict[str, list[str]], cwd: Path | dict[str, Path]
) -> dict[str, subprocess.CompletedProcess]:
    """Run the console script once per case, all at once; ``cwd`` may differ per case."""
    where = cwd if isinstance(cwd, dict) else dict.fromkeys(cases, cwd)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {key: pool.submit(_spawn, args, where[key]) for key, args in cases.items()}
        return {key: f.result() for key, f in futures.items()}


# --------------------------------------------------------------------------- bad input

# id: (arguments, files to create {name: text}, words the error line must contain)
BAD = {
    "unknown-param": (["run", "--set", "week=8"], {}, ["week", "did you mean 'weeks'"]),
    "out-of-range": (["run", "--set", "pace=1.5"], {}, ["pace", "from 0 to 1", "1.5"]),
    "mistyped-int": (["run", "--set", "weeks=eight"], {}, ["weeks", "whole number", "eight"]),
    "fractional-int": (["run", "--set", "weeks=8.5"], {}, ["weeks", "whole number", "8.5"]),
    "bad-choice": (
        ["run", "--set", "compensation=lots"],
        {},
        ["compensation", "none, expenses, paid", "lots"],
    ),
    "bad-bool": (
        ["run", "--set", "benefit_safe=maybe"],
        {},
        ["benefit_safe", "true or false", "maybe"],
    ),
    "set-without-equals": (["run", "--set", "weeks8"], {}, ["--set", "NAME=VALUE", "weeks8"]),
    "set-without-name": (["run", "--set", "=8"], {}, ["--set", "NAME=VALUE"]),
    "no-lay": (
        ["run", "--set", "n_patients=0", "--set", "n_carers=0"],
        {},
        ["n_patients=0", "n_carers=0"],
    ),
    "no-professional": (
        ["run", "--set", "n_clinicians=0", "--set", "n_managers=0"],
        {},
        ["n_clinicians=0", "n_managers=0"],
    ),
    "seed-word": (["run", "--seed", "abc"], {}, ["--seed", "whole number", "abc"]),
    "seed-negative": (["run", "--seed", "-3"], {}, ["--seed", "whole number", "-3"]),
    "seed-missing": (["run", "--seed"], {}, ["--seed"]),
    "unknown-scenario": (
        ["run", "--scenario", "unpaidfast"],
        {},
        ["unpaidfast", "did you mean 'unpaid-fast'", "tokenistic"],
    ),
    "missing-file": (["run", "--scenario", "nowhere.toml"], {}, ["nowhere.toml", "not exist"]),
    "malformed-toml": (
        ["run", "--scenario", "broken.toml"],
        {"broken.toml": 'description = "x"\npace = = 0.3\n'},
        ["broken.toml", "TOML", "line 2"],
    ),
    "file-unknown-param": (
        ["run", "--scenario", "typo.toml"],
        {"typo.toml": "paec = 0.3\n"},
        ["typo.toml", "paec", "did you mean 'pace'"],
    ),
    "file-bad-value": (
        ["run", "--scenario", "range.toml"],
        {"range.toml": "pace = 3\n"},
        ["range.toml", "pace", "from 0 to 1", "3"],
    ),
    "file-no-lay": (
        ["run", "--scenario", "empty.toml"],
        {"empty.toml": "n_patients = 0\nn_carers = 0\n"},
        ["n_patients", "n_carers"],
    ),
    "out-is-a-file": (
        ["run", "--out", "taken"],
        {"taken": "not a directory\n"},
        ["--out", "taken", "file"],
    ),
    "assumption-out-of-range": (
        ["run", "--set", "weight_time=99"],
        {},
        ["weight_time", f"from {show(PARAM_BY_NAME['weight_time'].low)} to", "99"],
    ),
    "file-assumption-out-of-range": (
        ["run", "--scenario", "tie.toml"],
        {"tie.toml": "tie_decay = -1\n"},
        ["tie.toml", "tie_decay", f"to {show(PARAM_BY_NAME['tie_decay'].high)}", "-1"],
    ),
    "assumption-typo": (["run", "--set", "weight_tme=2"], {}, ["did you mean 'weight_time'"]),
    "params-json-and-markdown": (["params", "--json", "--markdown"], {}, ["not allowed"]),
    "unknown-option": (["run", "--bogus"], {}, ["--bogus"]),
    "unknown-command": (["frobnicate"], {}, ["frobnicate"]),
    "no-command": ([], {}, ["required"]),
}


# The bad inputs of the contract run through the real console script; the other
# cases (same checks) call main() in process, which keeps the file fast.
THROUGH_SCRIPT = (
    "unknown-param",
    "out-of-range",
    "assumption-out-of-range",
    "mistyped-int",
    "set-without-equals",
    "no-lay",
    "seed-word",
    "malformed-toml",
    "missing-file",
    "out-is-a-file",
    "unknown-option",
)
IN_PROCESS = tuple(key for key in BAD if key not in THROUGH_SCRIPT)


def _prepare(key: str, folder: Path) -> list[str]:
    """Create the case's files in ``folder``; its arguments, plus an --out that must not appear."""
    args, files, _ = BAD[key]
    for name, text in files.items():
        (folder / name).write_text(text)
    if args[:1] == ["run"] and "--out" not in args:
        return [args[0], "--out", "never", *args[1:]]
    return args


def _check_bad(key: str, code: int, out: str, err: str, folder: Path) -> None:
    assert_one_line_error(code, out, err, BAD[key][2])
    assert not (folder / "never").exists()
    if key == "out-is-a-file":
        assert (folder / "taken").read_text() == "not a directory\n"


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """The console-script cases, run concurrently, each in its own folder."""
    folders = {key: tmp_path_factory.mktemp(key) for key in THROUGH_SCRIPT}
    cases = {key: _prepare(key, folders[key]) for key in THROUGH_SCRIPT}
    done = _spawn_all(cases, cwd=folders)  # relative paths resolve in the case's folder
    return {key: (done[key], folders[key]) for key in THROUGH_SCRIPT}


@pytest.mark.parametrize("key", THROUGH_SCRIPT)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_bad_input_through_the_script(bad_runs, key):
    done, folder = bad_runs[key]
    _check_bad(key, done.returncode, done.stdout, done.stderr, folder)


@pytest.mark.parametrize("key", IN_PROCESS)
def test_bad_input_in_process(key, tmp_path, monkeypatch, capsys):
    args = _prepare(key, tmp_path)
    monkeypatch.chdir(tmp_path)
    code = cli.main(args)
    captured = capsys.readouterr()
    _check_bad(key, code, captured.out, captured.err, tmp_path)


def test_a_bad_choice_of_kernels_stops_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COPROD_KERNELS", "fast")
    code = cli.main(["run", *SHORT, "--out", str(tmp_path / "never")])
    captured = capsys.readouterr()
    assert_one_line_error(code, captured.out, captured.err, ["COPROD_KERNELS", "numba or numpy"])
    assert not (tmp_path / "never").exists()


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    def broken_figure(frame, path, subtitle):
        Path(path).write_bytes(b"half a png")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "_figure", broken_figure)
    fresh = tmp_path / "fresh" / "out"
    assert cli.main(["run", *SHORT, "--out", str(fresh)]) == 2
    err = capsys.readouterr()
    assert err.out == ""
    assert err.err.startswith("coprod: error: --out") and err.err.count("\n") == 1
    assert not (tmp_path / "fresh").exists()

    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "weekly.csv").write_text("old\n")
    assert cli.main(["run", *SHORT, "--out", str(existing), "--force"]) == 2
    assert [p.name for p in existing.iterdir()] == ["weekly.csv"]
    assert (existing / "weekly.csv").read_text() == "old\n"


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_out_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "runs.parquet").write_text("a sweep's results\n")
    assert cli.main(["run", *SHORT, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coprod: error: --out") and err.count("\n") == 1
    assert "not empty" in err and "--force" in err
    assert [p.name for p in out.iterdir()] == ["runs.parquet"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["run", *SHORT, "--out", str(empty)]) == 0  # an empty folder is fine
    assert cli.main(["run", *SHORT, "--out", str(empty), "--force"]) == 0
    assert cli.main(["run", *SHORT, "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([*cli.OUTPUT_FILES, "runs.parquet"])


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    line = capsys.readouterr().out
    assert line == f"coprod {cli.package_version()}\n"
    assert re.fullmatch(r"coprod \d+\.\d+\.\d+\n", line)


def test_params_are_listed_by_group_in_the_schema_order(capsys):
    assert cli.main(["params"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    groups = [next(p.group for p in PARAMS if row.split()[0] == p.name) for row in rows]
    assert len(rows) == len(PARAMS)
    assert list(dict.fromkeys(groups)) == list(GROUPS)  # each group once, in order
    # travel_cost and permitted_earnings follow group_size in the schema, but are listed
    # with Compensation: the Run group holds only weeks and group_size.
    run_rows = [row.split()[0] for row, group in zip(rows, groups, strict=True) if group == "Run"]
    assert run_rows == ["weeks", "group_size"]


# --------------------------------------------------------------------------- --json


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_json_through_the_console_script_is_reproducible(tmp_path):
    args = ["run", *SHORT, "--seed", "3", "--json"]
    runs = _spawn_all({"script": args, "module": [*MODULE, *args]}, tmp_path)
    for done in runs.values():
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert runs["script"].stdout == runs["module"].stdout  # two processes, one answer
    payload = json.loads(runs["script"].stdout)
    assert set(payload) == {"params", "metrics", "seed", "scenario", "version", "events"}
    assert payload["events"] == []  # default managers do not adapt: no rule changes
    assert payload["seed"] == 3 and payload["scenario"] == "default"
    assert payload["version"] == cli.package_version()
    assert list(payload["params"]) == PARAM_NAMES
    assert set(payload["metrics"]) == set(METRIC_NAMES)
    assert payload["params"]["weeks"] == 8
    assert {k: v for k, v in payload["params"].items() if k != "weeks"} == {
        k: v for k, v in DEFAULTS.items() if k != "weeks"
    }
    assert all(isinstance(v, float) for v in payload["metrics"].values())


def _json_run(capsys, *args: str) -> dict:
    assert cli.main(["run", *args, "--json"]) == 0
    out = capsys.readouterr()
    return json.loads(out.out)


def test_seed_and_overrides(capsys):
    default_seed = _json_run(capsys, *SHORT)
    assert default_seed == _json_run(capsys, *SHORT, "--seed", str(cli.DEFAULT_SEED))
    later_wins = _json_run(
        capsys, "--scenario", "unpaid-fast", *SHORT, "--set", "pace=0.25", "--set", "pace=0.5"
    )
    assert later_wins["params"]["pace"] == 0.5
    assert later_wins["params"]["compensation"] == "none"
    assert later_wins["params"]["benefit_safe"] is False


# --------------------------------------------------------------------------- --out


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_out_writes_series_figure_and_a_reusable_scenario(tmp_path, capsys):
    out = tmp_path / "results" / "run1"
    first = _json_run(
        capsys, "--scenario", "tokenistic", *SHORT, "--set", "pace=0.35", "--out", str(out)
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(cli.OUTPUT_FILES)

    csv = pd.read_csv(out / "weekly.csv")
    parquet = pd.read_parquet(out / "weekly.parquet")
    for frame in (csv, parquet):
        # weeks 1-8 (week 0, the starting state, is left out); summaries, then _week values
        assert list(frame.columns) == ["week", *METRIC_NAMES, *WEEK_NAMES]
        assert frame["week"].tolist() == list(range(1, 9))
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    # the last week's summary is the run's result; a total sums the _week values
    assert parquet[list(METRIC_NAMES)].iloc[-1].to_dict() == first["metrics"]
    assert parquet["insights"].iloc[-1] == parquet["insights_week"].sum()
    assert parquet["insights"].iloc[3] == parquet["insights_week"].iloc[:4].sum()

    assert (out / "weekly.png").read_bytes()[:8] == PNG_MAGIC

    settings = tomllib.loads((out / "params.toml").read_text())
    assert isinstance(settings["description"], str)
    assert load_scenario(out / "params.toml") == first["params"]
    again = _json_run(capsys, "--scenario", str(out / "params.toml"))
    assert again == first | {"scenario": str(out / "params.toml")}


# --------------------------------------------------------------------------- events

SQUEEZE = ["--scenario", "budget-squeeze", "--set", "weeks=30"]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_rule_changes_are_events_in_json_and_events_csv(tmp_path, capsys):
    """budget-squeeze (paid weekly meetings, GBP 45,000 a year, managers who adapt) on
    seed 0 over 30 weeks: two reviews (weeks 13 and 26), each a cut under budget pressure,
    and at week 26 the managers also give way to push-back on power sharing and openness.

    At the defaults (recomputed for issue 11's: Universal Credit, benefits going with
    disability, language and literacy lowering fluency and credibility). The push-back
    comes with the new people: at the neutral values (builders.NEUTRAL) the run has only
    the two cuts; legacy-20 alone gives the same four events (the spending differs).
    """
    out = tmp_path / "squeeze"
    payload = _json_run(capsys, *SQUEEZE, "--out", str(out))
    events = payload["events"]
    assert len(events) == payload["metrics"]["rule_changes"] == 4
    interval = payload["params"]["review_interval"]
    assert interval == 13
    for event in events:
        assert list(event) == list(cli.EVENT_FIELDS)
        assert event["week"] % interval == 0 and 0 < event["week"] < 30
        assert event["reason"].strip()
    # Hand-worked: the first cut is payment, one step down the ladder (paid -> expenses);
    # the second, payment being at its floor, speeds meetings up by pace_step 0.1.
    first, second, power, openness = events
    assert (first["week"], first["rule"], first["old"], first["new"]) == (
        13,
        "compensation",
        "paid",
        "expenses",
    )
    assert (second["week"], second["rule"]) == (26, "pace")
    assert second["new"] == pytest.approx(second["old"] + 0.1)
    # Giving way (manager_adaptation 1): each rule moves d of the way from 0.3 to the
    # managers' ceiling, d the share pushing back and the ceiling as the reason gives them
    # (44% and 0.37: 0.3 + 0.44 x 0.07 = 0.3308, within the reason's rounding of the
    # 0.3295 made).
    assert payload["params"]["manager_adaptation"] == 1.0
    assert [(e["week"], e["rule"], e["old"]) for e in (power, openness)] == [
        (26, "power_sharing", 0.3),
        (26, "agenda_openness", 0.3),
    ]
    assert power["reason"] == openness["reason"] and power["new"] == openness["new"]
    d = int(re.search(r"(\d+)% of active patients and carers", power["reason"])[1]) / 100
    ceiling = float(re.search(r"managers give way up to ([\d.]+),", power["reason"])[1])
    assert (d, ceiling) == (0.44, 0.37)
    rounding = 0.005 * (ceiling - 0.3) + 0.005 * d + 0.005**2
    assert power["new"] == pytest.approx(0.3 + d * (ceiling - 0.3), abs=rounding)
    assert power["new"] > 0.3
    # The reason's numbers: the budget pro rata is 45,000 x 13 / 52 = 11,250 at week 13,
    # and spending over it agrees with the weekly budget_used (spent / pro rata).
    weekly = pd.read_csv(out / "weekly.csv").set_index("week")
    for event in (first, second):
        pro_rata = 45_000 * event["week"] / 52
        spent = float(re.search(r"spent GBP ([\d,]+)", event["reason"])[1].replace(",", ""))
        assert f"(GBP {pro_rata:,.0f})" in event["reason"]
        assert spent / pro_rata == pytest.approx(weekly.loc[event["week"], "budget_used"], abs=1e-4)
        assert f"{100 * (spent / pro_rata - 1):.0f}% above" in event["reason"]
    assert "(GBP 11,250)" in first["reason"]
    assert weekly.loc[13, "rule_changes_week"] == 1 and weekly.loc[26, "rule_changes_week"] == 3
    assert weekly["rule_changes_week"].sum() == len(events)

    # events.csv holds the same rows as the JSON
    table = pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == list(cli.EVENT_FIELDS)
    assert table.to_dict("records") == [{k: str(v) for k, v in e.items()} for e in events]

    # reproducible: the same seed gives the same events; the readable report lists them
    assert _json_run(capsys, *SQUEEZE)["events"] == events
    assert cli.main(["run", *SQUEEZE]) == 0
    text = capsys.readouterr().out
    assert "Rules the managers changed\n  week 13: compensation paid -> expenses (spent GBP" in text
    assert "  week 26: pace 0.70 -> 0.80 (" in text
    assert "  week 26: power_sharing 0.30 -> 0.33 (44% of active patients and carers" in text
    assert "  week 26: agenda_openness 0.30 -> 0.33 (44% of active" in text


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_no_rule_changes_gives_an_events_csv_with_its_header_only(tmp_path, capsys):
    out = tmp_path / "quiet"
    assert cli.main(["run", *SHORT, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Rules the managers changed" not in text
    assert str(out / "events.csv") in text  # listed with the files written
    assert (out / "events.csv").read_text().splitlines() == [",".join(cli.EVENT_FIELDS)]
    # the budget squeeze with managers who do not adapt: the same overspending, no changes
    passive = _json_run(capsys, *SQUEEZE, "--set", "manager_adaptation=0")
    assert passive["metrics"]["budget_used"] > 1 + passive["params"]["overspend_tolerance"]
    assert passive["events"] == [] and passive["metrics"]["rule_changes"] == 0


def test_table_report_groups_metrics_with_units(capsys):
    assert cli.main(["run", "--scenario", "user-led", *SHORT, "--seed", "5"]) == 0
    text = capsys.readouterr().out
    head = text.splitlines()[:2]
    assert "user-led" in head[0] and "seed 5" in head[1] and "weeks=8" in head[1]
    for heading in ("Participation", "Knowledge", "Values", "Social relations"):
        assert any(line.startswith(heading) for line in text.splitlines())
    for name in METRIC_NAMES:
        assert f"  {name} " in text
    for unit in ("GBP", "hours", "share", "insights"):
        assert unit in text


# --------------------------------------------------------------------------- scenarios


def test_every_shipped_scenario_loads_and_runs(capsys):
    presets = list_scenarios()
    assert set(PRESETS) <= set(presets)
    assert next(iter(presets)) == "default"
    assert read_scenario("default").values == {}
    for name, description in presets.items():
        assert description and "\n" not in description
        values = load_scenario(name)
        assert list(values) == PARAM_NAMES
        payload = _json_run(capsys, "--scenario", name, *SHORT)
        assert payload["params"] == {**values, "weeks": 8}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unpaid-fast", {"compensation": "none", "pace": 0.9, "agenda_openness": 0.1}),
        ("tokenistic", {"power_sharing": 0.05, "agenda_openness": 0.1}),
        (
            "slow-benefit-safe",
            {
                "compensation": "paid",
                "benefit_safe": True,
                "travel_support": True,
                "pace": 0.2,
                "agenda_openness": 0.7,
            },
        ),
        (
            "user-led",
            {
                "user_led_funding": 0.5,
                "compensation": "paid",
                "benefit_safe": True,
                "travel_support": True,
            },
        ),
        ("online-only", {"meeting_format": "online"}),
        (
            "budget-squeeze",
            {"meeting_interval": 1, "compensation": "paid", "manager_adaptation": 1.0},
        ),
    ],
)
def test_preset_contents(name, expected):
    assert read_scenario(name).values == expected


def test_scenario_toml_round_trip(tmp_path):
    values = {
        **DEFAULTS,
        "compensation": "paid",
        "benefit_safe": True,
        "pace": 0.123456789,
        "weeks": 12,
        "travel_cost": 15.0,
        "payment_rate": 1e-05,
    }
    description = 'with "quotes", a back\\slash,\na new line and ünïcode ✓'
    for only_changed in (False, True):
        text = scenario_toml(values, description, only_changed=only_changed)
        assert "\nbenefit_safe = true" in text
        assert ("\ntravel_support = false" in text) is not only_changed
        path = tmp_path / f"s{only_changed}.toml"
        path.write_text(text, encoding="utf-8")
        assert load_scenario(path) == values
        assert read_scenario(path).description == " ".join(description.split())
    assert "n_patients" not in scenario_toml(values, "x", only_changed=True)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, ["does not exist"]),
        ("pace = \n", ["not valid TOML", "line 1"]),
        ("powersharing = 0.2\n", ["did you mean 'power_sharing'"]),
        ("weeks = 0\n", ["weeks", "from 1 to 1,040", "0"]),
        ("description = 3\n", ["description", "3"]),
        ("[pacing]\npace = 0.3\n", ["unknown parameter 'pacing'"]),
        (b"pace = 0.5 # \xff\n", ["not valid TOML"]),
    ],
)
def test_load_scenario_errors(tmp_path, text, words):
    path = tmp_path / "s.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    with pytest.raises(ParamError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message and "s.toml" in message
    for word in words:
        assert word in message


def test_unknown_scenario_name_lists_known_ones():
    with pytest.raises(ParamError) as err:
        load_scenario("utopia")
    for name in PRESETS:
        assert name in str(err.value)


# --------------------------------------------------------------------------- listings


def test_params_command_mentions_every_parameter(capsys):
    assert cli.main(["params"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split() == [
        "name",
        "type",
        "allowed",
        "default",
        "unit",
        "group",
        "help",
    ]
    for p in PARAMS:
        line = next(line for line in text.splitlines() if line.startswith(p.name + " "))
        assert p.allowed in line and p.group in line and p.help in line
    assert cli.main(["params", "--markdown"]) == 0
    assert capsys.readouterr().out == markdown_table() + "\n"


def test_params_assumptions_lists_each_rule_with_its_assumptions(capsys):
    assert cli.main(["params", "--assumptions"]) == 0
    text = capsys.readouterr().out
    headings = [line.split(":")[0] for line in text.splitlines() if line and line[0] != " "]
    assert headings[1:] == list(ASSUMPTION_GROUPS)  # after the one-line intro
    for p in ASSUMPTIONS:
        line = next(line for line in text.splitlines() if line.split()[:1] == [p.name])
        cells = line.split()
        assert cells[1] == f"{p.default:g}" and p.basis in cells
        assert f"{p.low:g} to {p.high:g}" in line and (p.unit or "-") in line
        assert line.endswith(short_source(p)) and p.source.startswith(short_source(p)[:20])
        # listed under its own rule: the last heading above it
        above = text[: text.index(line)].rsplit("\n\n", 1)[-1]
        assert above.startswith(p.group + ":")
    assert not any(line.split()[:1] == ["pace"] for line in text.splitlines())  # no levers


def test_params_json_gives_every_field(capsys):
    fields = {
        "name", "kind", "default", "help", "concept", "group", "unit", "low", "high",
        "choices", "source", "basis",
    }  # fmt: skip
    for args, expected in ((["--assumptions"], ASSUMPTIONS), ([], PARAMS)):
        assert cli.main(["params", *args, "--json"]) == 0
        entries = json.loads(capsys.readouterr().out)
        assert [e["name"] for e in entries] == [p.name for p in expected]
        assert all(set(e) == fields for e in entries)
        for entry, p in zip(entries, expected, strict=True):
            assert (entry["low"], entry["high"], entry["default"]) == (p.low, p.high, p.default)
            assert (entry["source"], entry["basis"], entry["group"]) == (p.source, p.basis, p.group)
    assert all(e["source"] and e["basis"] for e in json.loads(_params_json(capsys)))


def _params_json(capsys) -> str:
    assert cli.main(["params", "--assumptions", "--json"]) == 0
    return capsys.readouterr().out


def test_params_assumptions_markdown_is_docs_assumptions(capsys):
    assert cli.main(["params", "--assumptions", "--markdown"]) == 0
    assert capsys.readouterr().out == assumptions_markdown()


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_an_assumption_set_on_the_command_line_is_run_and_recorded(tmp_path, capsys):
    base = _json_run(capsys, *SHORT)
    changed = _json_run(capsys, *SHORT, "--set", "weight_time=4", "--out", str(tmp_path / "r"))
    assert changed["params"]["weight_time"] == 4.0 and base["params"]["weight_time"] != 4.0
    assert changed["metrics"] != base["metrics"]
    text = (tmp_path / "r" / "params.toml").read_text()
    assert "\nweight_time = 4.0" in text
    assert load_scenario(tmp_path / "r" / "params.toml") == changed["params"]
    # only the changed assumption is written, not the other defaults
    assert sum(f"\n{p.name} = " in text for p in ASSUMPTIONS) == 1
    assert all(f"\n{p.name} = " in text for p in PARAMS)
    scenario = tmp_path / "s.toml"
    scenario.write_text('description = "slow to decide"\nweight_time = 4\n')
    from_file = _json_run(capsys, "--scenario", str(scenario), *SHORT)
    assert from_file["metrics"] == changed["metrics"]
    assert cli.main(["run", *SHORT, "--set", "weight_time=4"]) == 0
    assert "settings changed from the defaults: weeks=8, weight_time=4" in capsys.readouterr().out


def test_scenarios_command_mentions_every_preset(capsys):
    assert cli.main(["scenarios"]) == 0
    text = capsys.readouterr().out
    for name, description in list_scenarios().items():
        assert any(
            line.startswith(name + " ") and line.endswith(description) for line in text.splitlines()
        )


def test_help_exits_0(capsys):
    assert cli.main(["--help"]) == 0
    assert cli.main(["run", "--help"]) == 0
    assert "--scenario" in capsys.readouterr().out


# --------------------------------------------------------------------------- structure


def test_bad_input_classes_are_value_errors():
    assert all(issubclass(kind, ValueError) for kind in cli.INPUT_ERRORS)


def test_command_modules_stand_without_the_command_line_and_start_light():
    """The sweep modules do not import ``experiments.cli`` (no cycle), and ``coprod --help``
    loads none of the heavy libraries (they are imported where they are used)."""
    heavy = ("mesa", "distributed", "pandas", "matplotlib", "scipy", "SALib", "solara")
    code = (
        "import sys\n"
        "import experiments.sweep, experiments.manifest, experiments.design\n"
        "import experiments.backends, experiments.store\n"
        "print('experiments.cli' in sys.modules)\n"
        "import experiments.cli\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("\n")[:2] == ["False", "[]"]


# --------------------------------------------------------------------------- weekly.png


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_weekly_figure_is_laid_out_cleanly_and_starts_at_week_1():
    # charts: a function-level import, as the other weekly.png checks (matplotlib-heavy)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dashboards import charts
    from simulation.model import CoProductionModel

    # Paid and benefit-safe: nobody gives unpaid hours, so that axis holds only zeros.
    model = CoProductionModel(rng=2, weeks=12, compensation="paid", benefit_safe=True)
    model.run()
    frame = charts.read_frame(model)
    assert (frame["unpaid_lay_hours"] == 0).all()
    fig = charts.weekly_figure(frame)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # lays the figure out, as saving weekly.png does
    panels = {a.get_title(): a for a in fig.axes if a.get_title()}
    twins = {a.get_ylabel(): a for a in fig.axes if not a.get_title()}
    assert twins["hours (running total)"].get_ylim() == (0.0, 1.0)  # all 0: 0-1, not 0-0.05
    assert panels["Trust and ties across roles"].get_ylim() == (0.0, 1.0)  # trust: 0-1
    assert panels["Who comes to meetings"].get_ylim() == (0.0, 1.0)
    assert twins["ties per participant"].get_ylim()[0] == 0.0  # counts start at 0
    assert panels["New insights, by where they came from"].get_ylim()[0] == 0.0
    for ax in fig.axes:  # week 0 (the starting state) is left out
        for line in ax.get_lines():
            assert line.get_xdata()[0] == 1 and len(line.get_xdata()) == 12
    # no axis label, tick label or legend overlaps another panel's
    renderer = canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        if ax.get_title():
            twin = [t for t in fig.axes if not t.get_title() and t.bbox.bounds == ax.bbox.bounds]
            boxes.append([ax.get_tightbbox(renderer), *(t.get_tightbbox(renderer) for t in twin)])
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not any(a.overlaps(b) for a in one for b in other)
    option = charts.echarts_option(charts.CHART_BY_KEY["money"], frame)
    assert option["series"][0]["data"][0][0] == 1 and option["xAxis"]["min"] == 1
