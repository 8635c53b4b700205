"""Which mechanisms each pattern comes from (issue 10, part 5).

A :class:`Mechanism` is one causal link of the rules (docs/odd.md, section 7), named,
with the rule it belongs to and the assumption values that switch it off. Switching a
mechanism off often needs values outside the plausible ranges (``weight_time = 0``),
which validation refuses: the runs here build ``RunParams`` by hand and run them with
:meth:`simulation.model.CoProductionModel.from_params` (or many at once, the same runs
to the bit, with :func:`simulation.batch.run_params`), which do not check ranges. That
is for this analysis only.

:func:`interplay` tests every pattern of :data:`experiments.patterns.PATTERNS` with all
mechanisms on (the baseline) and with each mechanism switched off in turn, on the same
seeds (paired: the population's random draws do not depend on the switch-offs, so a
seed draws the same people whatever is switched off). A mechanism is *necessary* for a pattern
when the pattern holds at the baseline and fails with the mechanism off. A pattern
follows *from one assumption* when exactly one mechanism is necessary, *from the
interplay* of two or more when at least two are, and from *no single mechanism* when
it survives every single switch-off (the policy levers it compares, a mechanism that
cannot be switched off, or mechanisms that stand in for each other).

    python -m experiments.mechanisms --seeds 10 --weeks 104 --workers 2 --out DIR
    python -m experiments.mechanisms --table docs/interplay.csv --odd docs/odd.md

The first writes DIR/interplay.csv (a row per pattern and mechanism, ``(none)`` for
the baseline) and DIR/interplay.md (the summary table and every pair's effect); the
second rewrites the Emergence table of docs/odd.md from a shipped CSV.
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing as mp
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

from experiments.patterns import (
    PATTERNS,
    Pattern,
    Scenario,
    evaluate,
    needs_history,
    scenario_params,
)
from simulation import batch
from simulation.assumptions import RULES
from simulation.model import CoProductionModel
from simulation.params import DEFAULTS, RunParams

BASELINE = "(none)"  # the mechanism column of the rows with everything on
RICH = 1e7  # "never binds": money at hand this many times the default, far above any fare
DEFAULT_WEEKS = int(DEFAULTS["weeks"])  # the bands hold at the defaults' programme length
TINY = 1e-9  # "at once": lived experience surfaces after a vanishing number of turns
NEVER_OVER = 1e7  # "never binds": an overspend (times the budget) no programme reaches
TABLE_START = "<!-- interplay table: python -m experiments.mechanisms (do not edit by hand) -->"
TABLE_END = "<!-- end of interplay table -->"


@dataclass(frozen=True)
class Mechanism:
    """A causal link of the rules and the assumption values that switch it off.

    ``off`` is None when no assumption switches it off; ``why`` then says why.
    """

    name: str
    rule: str  # a key of simulation.assumptions.RULES
    sentence: str
    off: Mapping[str, float] | None
    why: str = ""

    @property
    def switch(self) -> str:
        """``weight_time=0`` (or why it cannot be switched off)."""
        if self.off is None:
            return f"cannot be switched off: {self.why}"
        return ", ".join(f"{k}={v:g}" for k, v in self.off.items())


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "time cost",
        "participation",
        "Lay people weigh the meeting's hours and travel against their free hours.",
        {"weight_time": 0.0},
    ),
    Mechanism(
        "money at hand",
        "participation",
        "The fare is fronted from the money at hand: it binds (no money, no trip) and "
        "weighs against it, as does pay.",
        # Both medians scaled alike, so the same people have the least money.
        {
            "lay_cash_median": RICH * DEFAULTS["lay_cash_median"],
            "benefits_cash_median": RICH * DEFAULTS["benefits_cash_median"],
        },
    ),
    Mechanism(
        "fare felt",
        "participation",
        "The fare to be fronted weighs in the choice to come (the hard limit aside).",
        {"weight_money": 0.0},
    ),
    Mechanism(
        "pay attraction",
        "participation",
        "Pay for one's time draws lay people in.",
        {"weight_pay": 0.0},
    ),
    Mechanism(
        "fear of losing benefits",
        "participation",
        "People on benefits fear that pay will cost them their benefit; a cut (or money "
        "taken back) hurts motivation, and word of it spreads.",
        {
            "weight_benefit_fear": 0.0,
            "initial_benefit_fear": 0.0,
            "word_of_mouth": 0.0,
            "benefit_shock": 0.0,
        },
    ),
    Mechanism(
        "late refunds felt",
        "participation",
        "A refund that comes late is felt as part of the fare.",
        {"refund_felt": 0.0},
    ),
    Mechanism(
        "disabled travel",
        "participation",
        "Disabled people pay more for the trip and take longer over it.",
        {"disabled_travel_factor": 1.0, "disabled_travel_time_factor": 1.0},
    ),
    Mechanism(
        "longer slow meetings",
        "meeting",
        "Slow, open meetings last longer than fast ones (more turns, more staff time).",
        {"hours_slow": 2.0},  # hours_fast's default: every meeting lasts as long
    ),
    Mechanism(
        "agenda time",
        "meeting",
        "Fast, agenda-driven meetings spend part of their time on the agenda, not on talk.",
        {"agenda_time": 0.0},
    ),
    Mechanism(
        "hidden profiles",
        "meeting",
        "Lived experience surfaces only in long discussions.",
        {"surfacing_turns": TINY},
    ),
    Mechanism(
        "fluency in fast meetings",
        "meeting",
        "Fast, formal meetings give the fluent more of the turns.",
        {"fluency_pace": 0.0},
    ),
    Mechanism(
        "credibility in recognition",
        "meeting",
        "The more credible a speaker, the likelier a contribution is recognised.",
        {"heard_credibility": 0.0},
    ),
    Mechanism(
        "different people",
        "knowledge",
        "An insight joins contributions of different people whose knowledge differs "
        "(d_ij); unexpected ones need lay lived experience and professional knowledge.",
        None,
        "d_ij is worked out from the knowledge profiles; no assumption sets it to 1 "
        "(making everyone alike sets it to 0, and then nothing is produced at all)",
    ),
    Mechanism(
        "informal ties",
        "relations",
        "Slow, open meetings leave room for informal contact, which builds ties faster.",
        {"tie_informal": 0.0},
    ),
    Mechanism(
        "trust and belonging pull",
        "participation",
        "Trust in the others and ties to one's group bring people back.",
        {"weight_trust": 0.0, "weight_belonging": 0.0},
    ),
    Mechanism(
        "credibility dynamics",
        "relations",
        "Lay credibility rises with adopted ideas and falls when ignored; professionals' "
        "follows whether the group acts on lay input.",
        {"credibility_gain": 0.0, "credibility_loss": 0.0, "professional_credibility_rate": 0.0},
    ),
    Mechanism(
        "recognition learning",
        "relations",
        "Professionals come to recognise lived experience through ties and evidence.",
        {"recognition_rate": 0.0},
    ),
    Mechanism(
        "motivation feedback",
        "motivation",
        "Meetings that fall short of what one expects sap motivation; good ones raise it.",
        {"motivation_rate": 0.0},
    ),
    Mechanism(
        "burnout",
        "motivation",
        "Unpaid hours, against one's free time, wear motivation down.",
        {"burnout": 0.0},
    ),
    Mechanism(
        "rationales judged apart",
        "motivation",
        "Each person judges a meeting mostly by their own rationale, not their role's mix.",
        {"value_blend": 1.0},
    ),
    Mechanism(
        "values shift",
        "values",
        "What people see co-production produce moves their values (rule 8).",
        {"value_rate": 0.0},
    ),
    # Meeting format (issue 11): what meeting online changes.
    Mechanism(
        "online saves the trip",
        "participation",
        "Joining online costs no fare and no travel time.",
        None,
        "it is what meeting online means; meeting_format=in_person is the contrast",
    ),
    Mechanism(
        "digital exclusion",
        "participation",
        "Online, people without a device, a connection or the confidence cannot take part.",
        {"digital_access_share": 1.0, "digital_access_share_older": 1.0},
    ),
    Mechanism(
        "being in the room",
        "participation",
        "Under hybrid, what being in the room is worth keeps people with cheap trips there.",
        {"in_person_preference": 0.0},
    ),
    Mechanism(
        "shorter online meetings",
        "meeting",
        "Online meetings are shorter: fewer turns, less time for lived experience to surface.",
        {"online_hours_factor": 1.0},
    ),
    Mechanism(
        "ties slower online",
        "relations",
        "Ties build more slowly between people of whom one joins online.",
        {"online_tie_factor": 1.0},
    ),
    # Issue 11, UK benefit rules.
    Mechanism(
        "Universal Credit taper",
        "money",
        "Under Universal Credit, pay above the work allowance is tapered off the monthly "
        "award: claimants keep less of it and money at hand falls when the award is cut.",
        {"uc_taper": 0.0},
    ),
    # Issue 11, item 1: managers who manage a budget (rule 9, simulation.management).
    Mechanism(
        "budget cuts",
        "management",
        "Managers who find spending above the budget pro rata cut the rules: payment first, "
        "then pace, interval and groups.",
        {"overspend_tolerance": NEVER_OVER},
    ),
    Mechanism(
        "push-back",
        "management",
        "Dissatisfied rights-based participants push for power sharing and openness; managers "
        "give way as far as their own value weights allow.",
        None,
        "it rests on who is dissatisfied and on managers' value weights, both set by the other "
        "rules; no assumption of its own scales it (manager_adaptation, a lever, scales the "
        "cuts too)",
    ),
    # Issue 11, who the people are.
    Mechanism(
        "usual suspects",
        "population",
        "The usual channels of recruitment reach seldom-heard people less often than others.",
        {"usual_reach_seldom_heard": 1.0},
    ),
)
MECHANISM_BY_NAME: dict[str, Mechanism] = {m.name: m for m in MECHANISMS}
SWITCHABLE: tuple[Mechanism, ...] = tuple(m for m in MECHANISMS if m.off is not None)
assert all(m.rule in RULES for m in MECHANISMS), "each mechanism belongs to a rule"


def switched_off(values: Mapping[str, Any], off: Mapping[str, float] | None) -> RunParams:
    """``values`` validated, then ``off`` applied without range checks."""
    return replace(RunParams.from_values(values), **dict(off or {}))


def run_switched(
    values: Mapping[str, Any], seed: int, off: Mapping[str, float] | None = None
) -> tuple[dict[str, float], Any]:
    """One run of ``values`` with ``off`` applied: final metrics and weekly history."""
    model = CoProductionModel.from_params(switched_off(values, off), rng=seed)
    return model.run(), model.history


# --------------------------------------------------------------------------- the runs

Key = tuple[str, Scenario, int]  # (mechanism or BASELINE, scenario, seed)


def _history_scenarios(patterns: Iterable[Pattern]) -> set[Scenario]:
    return {s for p in patterns for s, statistic in p.needs if needs_history(statistic)}


# Sets only the order the calls go to the workers (the longest first, so that no worker
# is left with a long one at the end), in units of a run alone: a pass costs about a run
# alone, and each run in it about a 25th more (simulation.batch: ~4 ms against ~100 ms).
BATCHED_RUN_COST = 1 / 25

Call = tuple[bool, list[tuple[RunParams, int]]]  # (keep the history?, (params, seed) a run)


def _call(call: Call) -> list[Any]:
    """One call of the batched engine: each run's (final metrics, history or None)."""
    keep_history, runs = call
    done = batch.run_params(runs, timeseries=keep_history)
    return done if keep_history else [(final, None) for final in done]


def _calls(tasks: Sequence[tuple[Key, dict[str, Any], Any, bool]]) -> list[tuple[list[Key], Call]]:
    """The tasks as calls of :func:`simulation.batch.run_params`, with each call's keys.

    A (mechanism, scenario)'s runs share one RunParams and stay next to each other (set
    up together); the runs that may share a pass (the same :func:`simulation.batch.key`,
    history kept or not) go in as few calls as the pass size allows, of near-equal size,
    each at most one pass; runs that go alone, a call per parameter set.
    """
    params: dict[tuple[str, Scenario], RunParams] = {}
    together: dict[Any, list[tuple[Key, RunParams]]] = {}
    for key, values, off, keep_history in tasks:
        p = params.get(key[:2])
        if p is None:
            p = params[key[:2]] = switched_off(values, off)
        shared = id(p) if batch.goes_alone(p) else batch.key(p)
        together.setdefault((keep_history, shared), []).append((key, p))
    calls = []
    for (keep_history, _), members in together.items():
        count = math.ceil(len(members) / batch.pass_size(members[0][1]))
        for i in range(count):
            piece = members[i * len(members) // count : (i + 1) * len(members) // count]
            calls.append(([k for k, _ in piece], (keep_history, [(p, k[2]) for k, p in piece])))

    def cost(call: tuple[list[Key], Call]) -> float:
        runs = call[1][1]
        passes = len(runs) if batch.goes_alone(runs[0][0]) else 1
        return passes + BATCHED_RUN_COST * len(runs)

    return sorted(calls, key=cost, reverse=True)


def _tasks(
    patterns: Sequence[Pattern], mechanisms: Sequence[Mechanism], seeds: Sequence[int], weeks: int
) -> list:
    scenarios = list(dict.fromkeys(s for p in patterns for s in p.scenarios))
    with_history = _history_scenarios(patterns)
    switches = [(BASELINE, None)] + [(m.name, dict(m.off or {})) for m in mechanisms]
    return [
        ((name, s, seed), scenario_params(s, None, weeks), off, s in with_history)
        for name, off in switches
        for s in scenarios
        for seed in seeds
    ]


def run_all(
    patterns: Sequence[Pattern],
    mechanisms: Sequence[Mechanism],
    seeds: Sequence[int],
    weeks: int,
    workers: int = 1,
) -> dict[Key, Any]:
    """Every run the analysis needs, once each, on ``workers`` processes: many at once
    (:func:`simulation.batch.run_params`), each as :func:`run_switched` makes it alone."""
    tasks = _tasks(patterns, mechanisms, seeds, weeks)
    calls = _calls(tasks)
    if workers <= 1:
        done = list(map(_call, [call for _, call in calls]))
    else:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            done = list(pool.map(_call, [call for _, call in calls]))
    found = {
        k: run
        for (keys, _), runs in zip(calls, done, strict=True)
        for k, run in zip(keys, runs, strict=True)
    }
    return {task[0]: found[task[0]] for task in tasks}  # in the tasks' order


# --------------------------------------------------------------------------- the analysis

COLUMNS = (
    "pattern",
    "name",
    "mechanism",
    "rule",
    "holds",
    "holds_direction",
    "effect",
    "size",
    "p_value",
    "necessary",
    "seeds",
    "weeks",
    "failed",
)


def interplay(
    seeds: Sequence[int],
    weeks: int = DEFAULT_WEEKS,
    workers: int = 1,
    patterns: Sequence[Pattern] = PATTERNS,
    mechanisms: Sequence[Mechanism] = SWITCHABLE,
) -> list[dict[str, Any]]:
    """Rows of :data:`COLUMNS`: each pattern at the baseline, then with each mechanism off
    (seeds 0..n-1 when ``seeds`` is ``range(n)``; ``seeds`` in a row is how many).

    ``holds``: the pattern as its tests state it, direction and size. The size bands are
    drawn around the effects at the model's defaults, and a run with one mechanism off is
    the defaults but for that mechanism: an effect that shrinks by a third or grows by a
    half without it (the bands, :func:`experiments.patterns._band`) came in part from it,
    just as a bug that halves an effect fails the pattern tests. ``holds_direction``: the
    checks without the defaults' bands (claimed sizes such as "a small fraction" are
    always tested). At another programme length than the default's no band is tested.
    """
    runs = run_all(patterns, mechanisms, seeds, weeks, workers)
    bands = weeks == DEFAULT_WEEKS
    rows = []
    for pattern in patterns:
        base = None
        for name in [BASELINE, *(m.name for m in mechanisms)]:
            run = partial(_lookup, runs, name, pattern, weeks=weeks)
            claimed = evaluate(pattern, run, seeds, weeks=weeks, at_defaults=bands)
            direction = evaluate(pattern, run, seeds, weeks=weeks, at_defaults=False)
            base = claimed.holds if base is None else base
            failed = "; ".join(o.note for o in claimed.outcomes if not o.passed)
            rows.append(
                {
                    "pattern": pattern.number,
                    "name": pattern.name,
                    "mechanism": name,
                    "rule": "" if name == BASELINE else MECHANISM_BY_NAME[name].rule,
                    "holds": claimed.holds,
                    "holds_direction": direction.holds,
                    "effect": round(claimed.effect, 4),
                    "size": float(f"{primary_size(pattern, claimed):.4g}"),
                    "p_value": float(f"{claimed.p_value:.4g}"),
                    "necessary": name != BASELINE and base and not claimed.holds,
                    "seeds": len(seeds),
                    "weeks": weeks,
                    "failed": failed,
                }
            )
    return rows


def primary_size(pattern: Pattern, result: Any) -> float:
    """The primary check's size measure (difference or ratio of the means; NaN without one)."""
    check, outcome = pattern.checks[0], result.outcomes[0]
    size = getattr(check, "size", None)
    if size is None:
        return math.nan
    return size.value(outcome.low_mean, outcome.high_mean)


def _lookup(
    runs: Mapping[Key, Any],
    name: str,
    pattern: Pattern,
    values: Mapping[str, Any],
    seed: int,
    *,
    weeks: int,
) -> Any:
    """The run (made by :func:`run_all`) of ``pattern``'s scenario with parameters ``values``."""
    for s in pattern.scenarios:
        if scenario_params(s, None, weeks) == dict(values):
            return runs[(name, s, seed)]
    raise KeyError(f"no run of {dict(values)} in the interplay runs")


# --------------------------------------------------------------------------- tables


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an interplay CSV, typed as :func:`interplay` returns them."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["pattern"] = int(row["pattern"])
        row["holds"] = row["holds"] == "True"
        row["holds_direction"] = row["holds_direction"] == "True"
        row["size"] = float(row["size"])
        row["necessary"] = row["necessary"] == "True"
        row["effect"] = float(row["effect"])
        row["p_value"] = float(row["p_value"])
        row["seeds"], row["weeks"] = int(row["seeds"]), int(row["weeks"])
    return rows


def write_rows(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def verdict(necessary: Sequence[str], holds: bool) -> str:
    """From the number of necessary mechanisms: one assumption, interplay, or none."""
    if not holds:
        return "does not hold with every mechanism on"
    if not necessary:
        return "no single mechanism"
    if len(necessary) == 1:
        return "one assumption"
    return f"interplay of {len(necessary)}"


def summary(
    rows: Sequence[Mapping[str, Any]],
) -> list[tuple[int, str, bool, list[str], list[str], str]]:
    """Per pattern: number, name, holds at baseline, the mechanisms its direction needs,
    those only its size needs, and the verdict (from all the necessary ones)."""
    out = []
    for number in dict.fromkeys(r["pattern"] for r in rows):
        mine = [r for r in rows if r["pattern"] == number]
        base = next(r for r in mine if r["mechanism"] == BASELINE)
        necessary = [r for r in mine if r["necessary"]]
        direction = [r["mechanism"] for r in necessary if not r["holds_direction"]]
        size = [r["mechanism"] for r in necessary if r["holds_direction"]]
        said = verdict(direction + size, base["holds"])
        out.append((number, base["name"], base["holds"], direction, size, said))
    return out


def markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The Emergence table of docs/odd.md: each pattern's necessary mechanisms."""
    lines = [
        "| pattern | holds, all on | without it the direction fails | without it only the size "
        "leaves its band | follows from |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows_by_pattern = summary(rows)
    for number, name, holds, direction, size, said in rows_by_pattern:
        lines.append(
            f"| {number}. {name} | {'yes' if holds else 'no'} | "
            f"{', '.join(direction) or '-'} | {', '.join(size) or '-'} | {said} |"
        )
    count = sum(1 for *_, said in rows_by_pattern if said.startswith("interplay"))
    by_direction = sum(1 for *_, direction, _, said in rows_by_pattern if len(direction) >= 2)
    lines.append("")
    lines.append(
        f"{count} of {len(rows_by_pattern)} patterns follow from the interplay of two "
        f"or more mechanisms ({by_direction} counting only the mechanisms without which "
        "the direction fails)."
    )
    return "\n".join(lines)


def effects_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Every pair: the primary contrast's size with the mechanism off (x: the pattern
    fails, x? only its size leaves the band; its rank-biserial effect where it has no size)."""
    numbers = list(dict.fromkeys(r["pattern"] for r in rows))
    names = list(dict.fromkeys(r["mechanism"] for r in rows))
    cell = {(r["pattern"], r["mechanism"]): r for r in rows}
    lines = [
        "| mechanism off | " + " | ".join(f"P{n}" for n in numbers) + " |",
        "| --- |" + " --- |" * len(numbers),
    ]
    for name in names:
        marks = []
        for n in numbers:
            r = cell[(n, name)]
            shown = r["size"] if math.isfinite(r["size"]) else r["effect"]
            mark = "" if r["holds"] else (" x?" if r["holds_direction"] else " x")
            marks.append(f"{shown:.3g}{mark}")
        lines.append(f"| {name} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def report(rows: Sequence[Mapping[str, Any]], header: str) -> str:
    return (
        f"# Which mechanisms each pattern comes from\n\n{header}\n\n{markdown_table(rows)}\n\n"
        "## Every pattern with each mechanism off\n\nThe primary contrast's size (the "
        "measure its band is on; rank-biserial effect, 1 when every seed shows it, where it "
        "has no band); x: the pattern's direction fails, x?: only its size leaves the "
        "band.\n\n"
        f"{effects_table(rows)}\n\n## The mechanisms and their switch-offs\n\n"
        + "\n".join(f"- **{m.name}** ({m.rule}): {m.sentence} Off: {m.switch}." for m in MECHANISMS)
        + "\n"
    )


def replace_block(text: str, table: str) -> str:
    """``text`` with the block between TABLE_START and TABLE_END replaced by ``table``."""
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    return text[: start + len(TABLE_START)] + "\n\n" + table + "\n\n" + text[end:]


def block(text: str) -> str:
    """The table between TABLE_START and TABLE_END in ``text``."""
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    return text[start + len(TABLE_START) : end].strip()


# --------------------------------------------------------------------------- command

PROG = "python -m experiments.mechanisms"


class _Parser(argparse.ArgumentParser):
    """A usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
        raise SystemExit(2)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number 1 or more, got '{text}'")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog=PROG, description="which mechanisms each pattern comes from")
    parser.add_argument("--seeds", type=_positive, default=20, help="seeds 0..N-1 (20)")
    parser.add_argument("--weeks", type=_positive, default=104, help="programme length (104)")
    parser.add_argument("--workers", type=_positive, default=1, help="processes (1)")
    parser.add_argument("--out", type=Path, help="write interplay.csv and interplay.md here")
    parser.add_argument("--table", type=Path, help="read this interplay CSV instead of running")
    parser.add_argument("--odd", type=Path, help="rewrite the Emergence table of this file")
    args = parser.parse_args(argv)
    if args.table is None and args.out is None:
        parser.error("give --out DIR (run the analysis) or --table CSV (use a finished one)")
    if args.table is not None:
        if not args.table.is_file():
            parser.error(f"--table: no file '{args.table}'")
        rows = read_rows(args.table)
    else:
        started = time.perf_counter()
        rows = interplay(range(args.seeds), args.weeks, args.workers)
        took = time.perf_counter() - started
        args.out.mkdir(parents=True, exist_ok=True)
        write_rows(rows, args.out / "interplay.csv")
        header = (
            f"{len(PATTERNS)} patterns x {len(SWITCHABLE)} mechanisms, seeds 0-{args.seeds - 1}, "
            f"{args.weeks} weeks, {args.workers} worker(s): {took:.0f} s."
        )
        (args.out / "interplay.md").write_text(report(rows, header))
        print(f"wrote {args.out / 'interplay.csv'} and interplay.md ({took:.0f} s)")
    if args.odd is not None:
        if not args.odd.is_file() or TABLE_START not in args.odd.read_text():
            parser.error(f"--odd: '{args.odd}' has no interplay table block")
        args.odd.write_text(replace_block(args.odd.read_text(), markdown_table(rows)))
        print(f"rewrote the interplay table in {args.odd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
