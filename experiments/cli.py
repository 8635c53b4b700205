"""The ``coprod`` command line: run the co-production model, list its parameters and
presets, run and analyse sweeps, open the dashboard.

    coprod run [--scenario NAME|FILE.toml] [--set NAME=VALUE ...] [--seed N] [--json] [--out DIR]
    coprod params [--assumptions] [--markdown | --json]
    coprod scenarios
    coprod sweep SPEC.toml ...      (experiments.sweep)
    coprod analyze DIR ...          (experiments.analyze)
    coprod robustness ...           (experiments.robustness)
    coprod dashboard [--host H] [--port P]

Bad input of any kind ends with exit status 2 and a single line on stderr that
starts with ``coprod: error:``: each command raises its own error class, and
:data:`INPUT_ERRORS` lists them. ``main(argv)`` returns the exit status, so tests
can call it directly.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any, NoReturn

from dashboards import charts
from dashboards import server as dashboard
from experiments import analyze, assumptions_doc, robustness, sweep
from experiments.analysis.errors import AnalysisError
from experiments.design import SpecError
from simulation import compiled
from simulation.assumptions import RULES
from simulation.metrics import METRIC_NAMES, METRICS, PRODUCES, WEEK_NAMES
from simulation.params import (
    ASSUMPTION_GROUPS,
    ASSUMPTIONS,
    DEFAULTS,
    GROUPS,
    PARAMS,
    ParamError,
    lookup,
    markdown_table,
    validate,
)
from simulation.scenarios import DEFAULT_SCENARIO, list_scenarios, read_scenario, scenario_toml
from simulation.text import show

# The model (Mesa, about a second to import) and matplotlib are imported inside the
# functions that run or draw it, so that --help and argument errors do not wait for them.

PROG = "coprod"
DEFAULT_SEED = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
OUTPUT_FILES = ("weekly.csv", "weekly.parquet", "params.toml", "weekly.png", "events.csv")
# A rule change by the managers (simulation.management.Event): one JSON object in --json's
# "events" and one row of events.csv, with these fields in this order.
EVENT_FIELDS = ("week", "rule", "old", "new", "reason")

_HOW = {"rate": "mean of last quarter", "total": "total over run", "final": "at the end"}


def package_version() -> str:
    """The installed coprod's version (``0.0.0`` when run from a folder not installed)."""
    try:
        return _package_version(PROG)
    except PackageNotFoundError:
        return "0.0.0"


class CliError(ValueError):
    """Bad input that is not about a parameter value (paths, --set syntax, seed)."""


# Bad input, reported as one "coprod: error: ..." line and exit status 2. Each command
# module raises its own class (a ValueError); a new command adds its class here.
INPUT_ERRORS: tuple[type[Exception], ...] = (
    CliError,
    ParamError,  # simulation.params and simulation.scenarios
    SpecError,  # experiments.design (a ParamError)
    sweep.SweepError,  # and experiments.robustness.RobustnessError, a SweepError
    AnalysisError,  # experiments.analysis
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        _fail(message.removeprefix("argument "))
        raise SystemExit(EXIT_BAD_INPUT)


def _fail(message: str) -> None:
    line = " ".join(str(message).split())
    print(f"{PROG}: error: {line}", file=sys.stderr)


# --------------------------------------------------------------------------- parsing


def _seed(text: str) -> int:
    try:
        value = int(text.strip(), 10)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number 0 or more, got '{text}'")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description="Agent-based model of co-production in health care.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    _add_run(commands)
    _add_params(commands)
    scenarios = commands.add_parser(
        "scenarios", allow_abbrev=False, help="list the shipped scenario presets"
    )
    scenarios.set_defaults(func=cmd_scenarios)
    sweep.add_parser(commands)
    analyze.add_parser(commands)
    robustness.add_parser(commands)
    board = commands.add_parser(
        "dashboard",
        allow_abbrev=False,
        help="open the model in a web browser",
        description="Run the model week by week in a browser, compare scenarios, "
        "export what you find.",
    )
    dashboard.add_arguments(board)  # --host (default 127.0.0.1), --port (default 8765)
    board.set_defaults(
        func=dashboard.run
    )  # 2 and one "coprod: error: ..." line if it cannot listen
    return parser


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run",
        allow_abbrev=False,
        help="run the model once and report its outcomes",
        description="Run the model once: the scenario gives the parameter values, "
        "--set overrides them.",
    )
    run.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        metavar="NAME|FILE.toml",
        help=f"preset name (see 'coprod scenarios') or scenario file (default: {DEFAULT_SCENARIO})",
    )
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one parameter (repeatable; see 'coprod params')",
    )
    run.add_argument(
        "--seed",
        type=_seed,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed, a whole number 0 or more (default: {DEFAULT_SEED})",
    )
    run.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object {"params", "metrics", "seed", "scenario", "version", '
        '"events"} and nothing else ("events": the rules managers changed, each with its '
        "week, rule, old, new and reason)",
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        help="write weekly.csv, weekly.parquet, params.toml, weekly.png and events.csv "
        "(the rules managers changed: week, rule, old, new, reason) to DIR "
        "(a new or empty folder, unless --force)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="let --out write into a folder that is not empty (its files are replaced)",
    )
    run.set_defaults(func=cmd_run)


def _add_params(commands) -> None:
    params = commands.add_parser(
        "params",
        allow_abbrev=False,
        help="list the parameters: type, allowed values, default, unit",
        description="List the policy levers, or with --assumptions the model's "
        "assumptions, grouped by the rule that uses them.",
    )
    params.add_argument(
        "--assumptions",
        action="store_true",
        help="list the assumptions (default, range, unit, basis, source) instead of the levers",
    )
    form = params.add_mutually_exclusive_group()
    form.add_argument(
        "--markdown",
        action="store_true",
        help="print the README's table (with --assumptions: docs/assumptions.md)",
    )
    form.add_argument(
        "--json", action="store_true", help="print every field of every entry as JSON"
    )
    params.set_defaults(func=cmd_params)


def cmd_dashboard(args: argparse.Namespace) -> int:
    return dashboard.run(args)  # 2 and one "coprod: error: ..." line when it cannot listen


def parse_sets(items: Sequence[str]) -> dict[str, Any]:
    """``["weeks=8", ...]`` as ``{"weeks": 8, ...}``, each value checked by the schema."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--set: expected NAME=VALUE (e.g. --set weeks=8), got '{item}'")
        try:
            out[name] = lookup(name).coerce(value)
        except ParamError as err:
            raise ParamError(f"--set: {err}") from None
    return out


# --------------------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    scenario = read_scenario(args.scenario)
    overrides = parse_sets(args.sets)
    values = validate({**scenario.values, **overrides})
    out = None
    if args.out is not None:
        if not args.out.strip():
            raise CliError("--out: expected a directory path, got ''")
        out = Path(args.out).expanduser()
        _check_out(out, args.force)

    from simulation.model import CoProductionModel  # Mesa: after the input is checked

    model = CoProductionModel(rng=args.seed, **values)
    metrics = model.run()

    if out is not None:
        _write_outputs(out, model, values, scenario.name, args.sets, args.seed)
    if args.json:
        payload = {
            "params": values,
            "metrics": {k: _finite(v) for k, v in metrics.items()},
            "seed": args.seed,
            "scenario": scenario.name,
            "version": package_version(),
            "events": event_rows(model.events),
        }
        print(json.dumps(payload, indent=2, allow_nan=False))
    else:
        print(format_report(metrics, values, scenario.name, scenario.description, args.seed))
        if model.events:
            print("\n" + format_events(model.events))
        if out is not None:
            print(f"\nwrote {', '.join(str(out / f) for f in OUTPUT_FILES)}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    chosen = ASSUMPTIONS if args.assumptions else PARAMS
    if args.json:
        print(json.dumps([asdict(p) for p in chosen], indent=2, allow_nan=False))
        return 0
    if args.markdown:
        print(
            assumptions_doc.markdown() if args.assumptions else markdown_table(),
            end="\n" * (not args.assumptions),
        )
        return 0
    if args.assumptions:
        print(_assumption_listing())
        return 0
    header = ("name", "type", "allowed", "default", "unit", "group", "help")
    by_group = sorted(PARAMS, key=lambda p: GROUPS.index(p.group))  # stable: schema order within
    rows = [header] + [
        (p.name, p.kind, p.allowed, show(p.default), p.unit or "-", p.group, p.help)
        for p in by_group
    ]
    print(_columns(rows))
    return 0


def _assumption_listing() -> str:
    """The assumptions by rule: name, default, range, unit, basis and a short source."""
    header = ("name", "default", "range", "unit", "basis", "source")
    blocks = [
        f"{len(ASSUMPTIONS)} assumptions, by the rule that uses them; vary one with "
        "'coprod run --set NAME=VALUE' (docs/assumptions.md has the full sources)"
    ]
    for rule in ASSUMPTION_GROUPS:
        rows = [header] + [
            (
                "  " + p.name,
                assumptions_doc.number(p.default),
                assumptions_doc.allowed_range(p),
                p.unit or "-",
                p.basis,
                assumptions_doc.short_source(p),
            )
            for p in ASSUMPTIONS
            if p.group == rule
        ]
        rows[0] = ("  " + header[0], *header[1:])
        blocks.append(f"{rule}: {RULES[rule]}\n" + _columns(rows))
    return "\n\n".join(blocks)


def cmd_scenarios(args: argparse.Namespace) -> int:
    presets = list_scenarios()
    width = max(map(len, presets), default=0)
    for name, description in presets.items():
        print(f"{name:<{width}}  {description}")
    return 0


# --------------------------------------------------------------------------- output


def format_report(
    metrics: dict[str, float], values: dict[str, Any], scenario: str, description: str, seed: int
) -> str:
    """The readable run report: a header, then the metrics grouped by what they are about."""
    changed = [f"{k}={show(v)}" for k, v in values.items() if v != DEFAULTS[k]]
    lines = [
        f"scenario {scenario}" + (f": {description}" if description else ""),
        f"seed {seed}, {values['weeks']} weeks; "
        + (
            "settings changed from the defaults: " + ", ".join(changed)
            if changed
            else "every setting at its default"
        ),
    ]
    for group, heading in PRODUCES.items():
        rows = [
            ("  " + m.name, show(metrics[m.name]), m.unit, _HOW[m.how], m.help)
            for m in METRICS
            if m.produces == group
        ]
        if rows:
            lines += ["", heading, _columns(rows, right={1})]
    return "\n".join(lines)


def format_events(events: Sequence[Any]) -> str:
    """The rules managers changed, one line each (``Event.describe``), under a heading."""
    return "\n".join(["Rules the managers changed", *(f"  {e.describe()}" for e in events)])


def event_rows(events: Sequence[Any]) -> list[dict[str, Any]]:
    """Each rule change (``simulation.management.Event``) as a plain dict of
    :data:`EVENT_FIELDS`: ``week`` a whole number, ``old`` and ``new`` as the rule holds
    them (a word, a number), ``reason`` in plain words."""
    return [{name: _plain(getattr(e, name)) for name in EVENT_FIELDS} for e in events]


def _plain(x: Any) -> Any:
    """A numpy number as Python's; a non-finite float as None (JSON has no NaN)."""
    x = x.item() if hasattr(x, "item") else x
    return _finite(x) if isinstance(x, float) else x


def _columns(rows: list[tuple[str, ...]], right: frozenset[int] | set[int] = frozenset()) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        cells[-1] = str(r[-1])  # no padding after the last column
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- --out


def _check_out(out: Path, force: bool = False) -> None:
    if out.exists() and not out.is_dir():
        raise CliError(
            f"--out: expected a directory (new or existing), got '{out}', which is an existing file"
        )
    if out.is_dir() and not force and any(out.iterdir()):
        raise CliError(
            f"--out: '{out}' is not empty (an earlier run or a sweep?); "
            "choose a new folder, or add --force to replace its files"
        )
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CliError(
                    f"--out: expected a directory path, got '{out}', but '{parent}' is a file"
                )
            break


def weekly_frame(model):
    """The weekly series: one row per week from week 1, columns ``week``, every metric's
    summary so far (``insights``: as ``final_metrics()`` had the run stopped that week),
    then every metric's value in that week alone (``insights_week``).

    Week 0, the DataCollector's first row, is the starting state before anything
    happened (parity 1.0 with nobody attending), so it is left out.
    """
    frame = model.datacollector.get_model_vars_dataframe()
    frame = frame.rename_axis("week").reset_index()
    return frame[["week", *METRIC_NAMES, *WEEK_NAMES]].iloc[1:].reset_index(drop=True)


def _write_outputs(
    out: Path, model, values: dict[str, Any], scenario: str, sets: Sequence[str], seed: int
) -> None:
    """Write the five files atomically: stage each as a temp file in ``out``, then rename."""
    frame = weekly_frame(model)
    how = f"coprod run --scenario {scenario}" + "".join(f" --set {s}" for s in sets)
    description = f"settings of '{how} --seed {seed}'"
    toml = scenario_toml(
        values,
        description,
        comment=f"Written by coprod. Rerun with:\n  coprod run --scenario "
        f"{out / 'params.toml'} --seed {seed}",
    )
    writers: dict[str, Callable[[Path], None]] = {
        "weekly.csv": lambda path: frame.to_csv(path, index=False),
        "weekly.parquet": lambda path: frame.to_parquet(path, index=False),
        "params.toml": lambda path: path.write_text(toml, encoding="utf-8"),
        "weekly.png": lambda path: _figure(
            charts.read_frame(model), path, f"{scenario}, seed {seed}"
        ),
        "events.csv": lambda path: _events_csv(event_rows(model.events), path),
    }
    created = [p for p in (out, *out.parents) if not p.exists()]
    staged: list[tuple[Path, Path]] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, write in writers.items():
            tmp = out / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            staged.append((tmp, out / name))
            write(tmp)
        for tmp, final in staged:
            os.replace(tmp, final)
    except BaseException as err:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for path in created:  # innermost first
            try:
                path.rmdir()
            except OSError:
                break
        if isinstance(err, OSError):
            raise CliError(f"--out: cannot write to '{out}': {err.strerror or err}") from None
        raise


def _events_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """events.csv: a header of :data:`EVENT_FIELDS`, then one row per rule change (only
    the header when managers changed nothing)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=EVENT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def _figure(frame: charts.Frame, path: Path, subtitle: str) -> None:
    """weekly.png: the dashboard's weekly charts as small multiples (``dashboards.charts``)."""
    path.write_bytes(charts.weekly_png(frame, subtitle))


# --------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2, already reported)
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    try:
        compiled.choice()  # a bad COPROD_KERNELS stops before any work, not mid-sweep
        return args.func(args)
    except INPUT_ERRORS as err:
        _fail(str(err))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `coprod params | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as err:
        if os.environ.get("COPROD_DEBUG"):  # a bug, not bad input: no traceback unless asked
            raise
        _fail(
            f"internal error ({type(err).__name__}: {err}); "
            "rerun with COPROD_DEBUG=1 to see the traceback"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
