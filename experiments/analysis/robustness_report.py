"""The report of ``coprod robustness``: where each pattern holds across the assumptions.

From ``robustness.parquet`` (one row per design point and pattern) and the run's
manifest, :func:`write_report` writes ``report.md`` and its figures:

- per pattern, the share of points where it holds, with a 95% Wilson interval
  (``holds.png``), and the distribution of its effect size (``effects.png``);
- per pattern, which assumptions decide whether it holds: the rules of a shallow
  classification tree for the points where it *fails* (the scenario-discovery tree
  of :mod:`experiments.analysis.discovery`), and the assumptions whose values differ
  most between the points where it holds and those where it fails (the area under
  the ROC curve of each assumption as a predictor of failure: 0.5 = no difference);
  with ``--design morris``, Morris mu* and sigma (SALib) of its effect and of its
  primary contrast's difference of means;
- a plain-language paragraph per pattern, which says so plainly when a pattern holds
  in less than :data:`ROBUST_SHARE` of the space, and which assumptions break it.

``python -m experiments.analysis.robustness_report DIR [--to FILE.md] [--figures DIR]``
writes the report again from ``DIR`` (e.g. ``--to docs/robustness.md --figures
docs/img/robustness``: the figures' links are made relative to the report).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.analysis.discovery import MIN_LEAF_SHARE, TREE_DEPTH, tree_rules
from experiments.analysis.figures import new_figure
from experiments.patterns import ALPHA, PATTERN_BY_NUMBER, Pattern
from simulation.text import show

ROBUST_SHARE = 0.8  # a pattern that holds in less of the space is called out
CI_LEVEL = 0.95
TOP = 3  # assumptions named per pattern
REPORT, FIGURES = "report.md", "figures"
HOLDS_PNG, EFFECTS_PNG = "holds.png", "effects.png"
ID_COLUMNS = ("point", "pattern", "holds", "effect", "p_value")


def wilson(k: int, n: int, level: float = CI_LEVEL) -> tuple[float, float]:
    """The Wilson score interval of a share ``k`` of ``n`` (NaNs when n is 0)."""
    if n == 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    return (float(ci.low), float(ci.high))


def shares(table: pd.DataFrame) -> pd.DataFrame:
    """Per pattern: points, holds, share, its interval, effect quartiles, share effect > 0."""
    rows = []
    for number, rows_of in table.groupby("pattern", sort=True):
        n, k = len(rows_of), int(rows_of["holds"].sum())
        low, high = wilson(k, n)
        effect = rows_of["effect"].to_numpy(dtype=float)
        q1, median, q3 = np.nanpercentile(effect, [25, 50, 75]) if n else (math.nan,) * 3
        rows.append(
            {
                "pattern": int(number),
                "points": n,
                "holds": k,
                "share": k / n if n else math.nan,
                "ci_low": low,
                "ci_high": high,
                "effect_q1": q1,
                "effect_median": median,
                "effect_q3": q3,
                "right_way": float(np.mean(effect > 0)) if n else math.nan,
            }
        )
    return pd.DataFrame(rows)


def assumption_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in ID_COLUMNS]


def _numbers(x: pd.DataFrame) -> pd.DataFrame:
    """Assumption values as numbers: true/false as 1/0, a choice as its rank."""
    out = {}
    for name in x.columns:
        column = x[name]
        if column.dtype == object:
            column = column.astype("category").cat.codes
        out[name] = column.astype(float)
    return pd.DataFrame(out, index=x.index)


def separation(rows: pd.DataFrame, varied: list[str]) -> pd.DataFrame:
    """Per assumption, AUC of its value as a predictor of failure (> 0.5: higher where the
    pattern fails), its Mann-Whitney p, sorted by |AUC - 0.5|; empty when all agree."""
    fails = ~rows["holds"].to_numpy(dtype=bool)
    if fails.all() or not fails.any():
        return pd.DataFrame(columns=["assumption", "auc", "p"])
    x = _numbers(rows[varied])
    found = []
    for name in varied:
        values = x[name].to_numpy()
        u, p = stats.mannwhitneyu(values[fails], values[~fails], alternative="two-sided")
        found.append((name, u / (fails.sum() * (~fails).sum()), p))
    frame = pd.DataFrame(found, columns=["assumption", "auc", "p"])
    order = (frame["auc"] - 0.5).abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def check_passes(checks: pd.DataFrame | None, pattern: Pattern) -> pd.DataFrame:
    """Per check of ``pattern``: points where it passes, and the medians over the points of
    a contrast's means under its first and second scenario (empty without ``checks``)."""
    columns = ["check", "points", "passes", "low_mean", "high_mean"]
    if checks is None or checks.empty:
        return pd.DataFrame(columns=columns)
    rows = checks[checks["pattern"] == pattern.number]
    grouped = rows.groupby("check", sort=True)
    frame = pd.DataFrame(
        {
            "points": grouped.size(),
            "passes": grouped["passed"].sum(),
            "low_mean": grouped["low_mean"].median(),
            "high_mean": grouped["high_mean"].median(),
        }
    )
    return frame.reset_index()[columns]


def failure_rules(rows: pd.DataFrame, varied: list[str], kinds: dict[str, str]) -> list[tuple]:
    """Tree rules (rule, coverage, density, points) for where the pattern fails."""
    fails = ~rows["holds"].to_numpy(dtype=bool)
    if fails.all() or not fails.any() or len(rows) < 4:
        return []
    x = rows[varied].reset_index(drop=True)
    return tree_rules(x, fails, {n: kinds.get(n, "float") for n in varied})


def morris_table(
    table: pd.DataFrame, manifest: dict[str, Any], number: int, checks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Morris mu* and sigma per assumption (design morris) of the pattern's effect and, with
    ``checks``, of its primary contrast's difference of means (high - low, in the
    statistic's units: the effect often sits at 1, the difference still moves); sorted by
    the difference's mu* when there is one, else the effect's."""
    # SALib and the design: only for a Morris design
    from SALib.analyze import morris

    from experiments.design import Spec

    design = manifest["design"]
    problem = design["salib_problem"]
    x = Spec.from_canonical(_morris_spec(design)).sample_matrix()
    outputs = {"": table.loc[table["pattern"] == number].sort_values("point")["effect"]}
    if checks is not None and not checks.empty:
        first = checks[(checks["pattern"] == number) & (checks["check"] == 1)].sort_values("point")
        outputs["_difference"] = first["high_mean"] - first["low_mean"]
    frame = pd.DataFrame({"assumption": problem["names"]})
    for suffix, y in outputs.items():
        y = y.to_numpy(dtype=float)
        if x is None or len(y) != len(x) or not np.isfinite(y).all():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's notes on levels and zero variance
            si = morris.analyze(problem, x, y, num_levels=design["num_levels"], seed=0)
        frame[f"mu_star{suffix}"], frame[f"sigma{suffix}"] = si["mu_star"], si["sigma"]
    if len(frame.columns) == 1:
        return frame.iloc[:0]
    key = "mu_star_difference" if "mu_star_difference" in frame else "mu_star"
    return frame.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)


def _morris_spec(design: dict[str, Any]) -> dict[str, Any]:
    """Just enough of a sweep spec to rebuild the Morris sample matrix from the manifest."""
    vary = [
        {"name": f["name"], "kind": f["kind"], "min": f.get("min"), "max": f.get("max")}
        | ({"values": f["values"]} if "values" in f else {})
        for f in design["factors"]
    ]
    return {
        "name": "robustness",
        "scenario": "default",
        "design": "morris",
        "samples": design["samples"],
        "levels": design["num_levels"],
        "replicates": 1,
        "seed": design["seed"],
        "weeks": None,
        "timeseries": False,
        "fixed": {},
        "vary": vary,
        "base": {},
    }


# --------------------------------------------------------------------------- figures


def _label(number: int, width: int = 38) -> str:
    pattern = PATTERN_BY_NUMBER[number]
    return "\n".join(textwrap.wrap(f"{number}. {pattern.claim}", width))


def holds_figure(summary: pd.DataFrame, path: Path, footer: str) -> None:
    """Per pattern, the share of points where it holds and its 95% Wilson interval."""
    n = len(summary)
    fig = new_figure(8, 0.55 * n + 1.4)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    share = summary["share"].to_numpy()
    err = np.vstack([share - summary["ci_low"], summary["ci_high"] - share])
    ax.errorbar(share, y, xerr=err, fmt="o", color="black", capsize=3)
    ax.axvline(ROBUST_SHARE, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(y, [_label(p) for p in summary["pattern"]], fontsize=8)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(
        f"share of assumption points where the pattern holds (95% interval; dashed: "
        f"{ROBUST_SHARE:.0%})"
    )
    ax.set_title("Where each pattern holds")
    _save(fig, path, footer)


def effects_figure(table: pd.DataFrame, path: Path, footer: str) -> None:
    """Per pattern, the effect size at each point (dots) and its quartiles (box)."""
    numbers = sorted(table["pattern"].unique())
    fig = new_figure(8, 0.55 * len(numbers) + 1.4)
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # the jitter only: the same figure every time
    for i, number in enumerate(numbers):
        rows = table[table["pattern"] == number]
        y = len(numbers) - 1 - i
        effect = rows["effect"].to_numpy(dtype=float)
        ax.boxplot(
            effect[np.isfinite(effect)],
            positions=[y],
            orientation="horizontal",
            widths=0.5,
            showfliers=False,
        )
        colour = np.where(rows["holds"].to_numpy(dtype=bool), "tab:blue", "tab:red")
        jitter = rng.uniform(-0.18, 0.18, len(effect))
        ax.scatter(effect, y + jitter, s=8, c=colour, alpha=0.6, linewidths=0, zorder=3)
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(range(len(numbers))[::-1], [_label(p) for p in numbers], fontsize=8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel(
        "effect of the primary contrast (rank-biserial; 1 = every seed shows it)\n"
        "a dot per point: blue where the pattern holds, red where it fails"
    )
    ax.set_title("How strong each pattern is across the assumption space")
    _save(fig, path, footer)


def _save(fig, path: Path, footer: str) -> None:
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    fig.text(0.005, 0.005, footer, fontsize=7, color="grey", va="bottom")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fig.savefig(tmp, format="png", dpi=100)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- words


def _pct(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    # A share just under the line must not print as the line (79.7% is not "80%").
    crosses = (x < ROBUST_SHARE) != (round(x, 2) < ROBUST_SHARE)
    return f"{x:.1%}" if crosses else f"{x:.0%}"


def paragraph(pattern: Pattern, row: pd.Series, found: dict[str, Any], seeds: int) -> str:
    """The pattern's result in plain words, for a paper's results section."""
    text = (
        f"Pattern {pattern.number}, *{pattern.claim}*, holds at {int(row['holds'])} of "
        f"{int(row['points'])} points of the assumption space ({_pct(row['share'])}; 95% interval "
        f"{_pct(row['ci_low'])}–{_pct(row['ci_high'])}). The effect of its primary contrast "
        f"({pattern.primary}) has median {row['effect_median']:.2f} (middle half "
        f"{row['effect_q1']:.2f} to {row['effect_q3']:.2f}) and points the pattern's way at "
        f"{_pct(row['right_way'])} of the points."
    )
    if row["holds"] == row["points"]:
        return text + " No assumption within its plausible range breaks it."
    if row["share"] >= ROBUST_SHARE:
        text += f" It is robust: it holds in at least {ROBUST_SHARE:.0%} of the space."
    else:
        text += f" **It holds in less than {ROBUST_SHARE:.0%} of the space.**"
    if seeds < 7:
        text += (
            f" With {seeds} seeds no Wilcoxon test can reach p < {ALPHA}, so it cannot hold "
            "anywhere: rerun with --seeds 10 or more."
        )
        return text
    rules, sep, passes = found["rules"], found["separation"], found.get("checks")
    if passes is not None and len(passes) > 1:
        worst = passes.sort_values(["passes", "check"], kind="stable").iloc[0]
        text += (
            f" The check that fails most often is {pattern.checks[int(worst['check']) - 1]} "
            f"(it fails at {int(worst['points'] - worst['passes'])} points)."
        )
    if rules:
        rule, coverage, density, points = rules[0]
        text += (
            f" It fails mostly where {rule} (it fails at {density:.0%} of the {points} points "
            f"there, which hold {coverage:.0%} of its failures)."
        )
    if len(sep):
        names = [
            f"{r.assumption} ({'higher' if r.auc > 0.5 else 'lower'} where it fails, "
            f"AUC {r.auc:.2f})"
            for r in sep.head(TOP).itertuples()
        ]
        text += (
            " The assumptions that best separate failures from successes: " + "; ".join(names) + "."
        )
    return text


def _header(manifest: dict[str, Any], table: pd.DataFrame) -> list[str]:
    plan, design = manifest["plan"], manifest["design"]
    varied = [n for n, r in plan["ranges"].items() if r["varied"]]
    how = (
        f"{plan['samples']} Latin-hypercube points"
        if plan["design"] == "lhs"
        else f"{plan['samples']} Morris trajectories ({design['n_points']} points)"
    )
    return [
        "# How robust are the ten patterns to the model's assumptions?",
        "",
        f"Made by `{manifest.get('command', 'coprod robustness')}` "
        f"(code {str(manifest.get('git_commit'))[:12]}"
        + (", with uncommitted changes" if manifest.get("git_dirty") else "")
        + f", {manifest.get('started', '')}).",
        "",
        f"- **Design:** {how} over the plausible ranges of {len(varied)} assumptions "
        f"(`simulation.params.ASSUMPTIONS`; design seed {plan['design_seed']}).",
        f"- **At each point:** every scenario of each pattern on seeds 0 to "
        f"{len(plan['seeds']) - 1} ({len(plan['seeds'])} per side, paired), "
        f"{plan['weeks']} weeks unless a scenario sets its own; "
        f"{manifest['runs']['total']} runs in all.",
        f"- **Test:** as `tests/test_patterns.py` (one definition, `experiments/patterns.py`): "
        f"a pattern *holds* at a point when every one of its checks passes (direction, and a "
        f"one-sided Wilcoxon signed-rank test at p < {ALPHA}; Page's trend test, bounds). "
        "The **effect** is the matched-pairs rank-biserial correlation of its primary "
        "contrast: from -1 to 1, positive in the pattern's direction, 1 when every seed "
        "shows it.",
        f"- **Share of the space:** the share of points where it holds, with a "
        f"{CI_LEVEL:.0%} Wilson interval. A pattern below {ROBUST_SHARE:.0%} is called out.",
        "",
    ]


def _summary_table(summary: pd.DataFrame) -> list[str]:
    lines = [
        "| pattern | holds at | share (95% interval) | effect, median (middle half) | effect > 0 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in summary.itertuples():
        claim = PATTERN_BY_NUMBER[r.pattern].claim
        flag = "" if r.share >= ROBUST_SHARE else " **below 80%**"
        lines.append(
            f"| {r.pattern}. {claim} | {r.holds} / {r.points} | {_pct(r.share)} "
            f"({_pct(r.ci_low)}–{_pct(r.ci_high)}){flag} | {r.effect_median:.2f} "
            f"({r.effect_q1:.2f} to {r.effect_q3:.2f}) | {_pct(r.right_way)} |"
        )
    return [*lines, ""]


def _pattern_section(
    pattern: Pattern, row: pd.Series, found: dict[str, Any], seeds: int
) -> list[str]:
    lines = [
        f"## Pattern {pattern.number}: {pattern.claim}",
        "",
        paragraph(pattern, row, found, seeds),
    ]
    lines += ["", *_checks_table(pattern, found["checks"])]
    rules, sep, morris = found["rules"], found["separation"], found["morris"]
    if rules:
        lines += [
            "",
            f"Where it fails (classification tree, depth {TREE_DEPTH}, leaves of at least "
            f"{MIN_LEAF_SHARE:.0%} of the points):",
            "",
            "| region | points | fails there | share of its failures |",
            "| --- | --- | --- | --- |",
        ]
        lines += [f"| {r} | {n} | {d:.0%} | {c:.0%} |" for r, c, d, n in rules]
    if len(sep):
        lines += [
            "",
            "Assumptions that separate failures from successes (AUC of the value as a "
            "predictor of failure; 0.5 = no difference; descriptive, not corrected for the "
            "number of assumptions):",
            "",
            "| assumption | AUC | Mann-Whitney p |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {r.assumption} | {r.auc:.2f} | {r.p:.2g} |" for r in sep.head(5).itertuples()]
    if morris is not None and len(morris):
        lines += ["", *_morris_lines(pattern, morris)]
    return [*lines, ""]


def _morris_lines(pattern: Pattern, morris: pd.DataFrame) -> list[str]:
    both = "mu_star_difference" in morris
    lines = [
        "Morris elementary effects (the five largest mu*"
        + (
            f"; the difference is of {pattern.primary.statistic}, second scenario minus first"
            if both
            else ""
        )
        + "):",
        "",
        "| assumption | mu* of the effect | sigma |"
        + (" mu* of the difference | sigma |" if both else ""),
        "| --- | --- | --- |" + (" --- | --- |" if both else ""),
    ]
    for r in morris.head(5).to_dict("records"):
        cells = [r["assumption"], show(r["mu_star"]), show(r["sigma"])]
        if both:
            cells += [show(r["mu_star_difference"]), show(r["sigma_difference"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _checks_table(pattern: Pattern, passes: pd.DataFrame) -> list[str]:
    if passes.empty:
        return ["Its checks (all must pass at a point):", "", *(f"- {c}" for c in pattern.checks)]
    lines = [
        "Its checks (all must pass at a point), where each passes, and for a contrast the "
        "median over the points of its mean under the first and the second scenario:",
        "",
        "| | check | passes at | first | second |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in passes.itertuples():
        means = (
            f"{show(r.low_mean)} | {show(r.high_mean)}"
            if math.isfinite(r.low_mean) and math.isfinite(r.high_mean)
            else "| "
        )
        lines.append(
            f"| {r.check} | {pattern.checks[r.check - 1]} | {r.passes} / {r.points} | {means} |"
        )
    return lines


def findings(
    table: pd.DataFrame, manifest: dict[str, Any], number: int, checks: pd.DataFrame | None = None
) -> dict[str, Any]:
    """What decides whether pattern ``number`` holds: its checks, tree rules, separation,
    Morris."""
    ranges = manifest["plan"]["ranges"]
    varied = [n for n in assumption_columns(table) if ranges.get(n, {}).get("varied", True)]
    kinds = {n: ranges.get(n, {}).get("kind", "float") for n in varied}
    rows = table[table["pattern"] == number].reset_index(drop=True)
    morris = (
        morris_table(table, manifest, number, checks)
        if manifest["plan"]["design"] == "morris"
        else None
    )
    return {
        "checks": check_passes(checks, PATTERN_BY_NUMBER[number]),
        "rules": failure_rules(rows, varied, kinds),
        "separation": separation(rows, varied),
        "morris": morris,
    }


def report_markdown(
    table: pd.DataFrame,
    manifest: dict[str, Any],
    figures: dict[str, str],
    checks: pd.DataFrame | None = None,
) -> str:
    """The whole report; ``figures``: each figure's file name -> its link from the report."""
    summary = shares(table)
    seeds = len(manifest["plan"]["seeds"])
    lines = _header(manifest, table)
    lines += ["## Summary", "", *_summary_table(summary)]
    weak = summary[summary["share"] < ROBUST_SHARE]
    if len(weak):
        lines += [
            f"Patterns that hold in less than {ROBUST_SHARE:.0%} of the space: "
            + ", ".join(str(n) for n in weak["pattern"])
            + ". Their sections below say which assumptions break them.",
            "",
        ]
    else:
        lines += [f"Every pattern holds in at least {ROBUST_SHARE:.0%} of the space.", ""]
    lines += [
        f"![Share of the assumption space where each pattern holds]({figures[HOLDS_PNG]})",
        "",
        f"![Effect size of each pattern across the assumption space]({figures[EFFECTS_PNG]})",
        "",
    ]
    for row in summary.to_dict("records"):
        pattern = PATTERN_BY_NUMBER[row["pattern"]]
        found = findings(table, manifest, pattern.number, checks)
        lines += _pattern_section(pattern, pd.Series(row), found, seeds)
    lines += [
        "## Files",
        "",
        "- `robustness.parquet`: one row per point and pattern (point, pattern, holds, "
        "effect, p_value, then every assumption's value);",
        "- `runs.parquet`: one row per run, with the statistics the patterns read;",
        "- `checks.parquet`: one row per point, pattern and check (passed, p, effect, and a "
        "contrast's two means);",
        "- `manifest.json`: the command, the design and ranges, seeds, versions, checksums.",
        "",
    ]
    return "\n".join(lines)


def write_report(
    out: Path,
    table: pd.DataFrame,
    manifest: dict[str, Any],
    checks: pd.DataFrame | None = None,
    target: Path | None = None,
    figure_dir: Path | None = None,
) -> list[str]:
    """Write the report (``out/report.md``, or ``target``) and its figures (``out/figures``,
    or ``figure_dir``); return the files written, relative to ``out`` when inside it."""
    target = Path(target) if target is not None else out / REPORT
    figure_dir = Path(figure_dir) if figure_dir is not None else out / FIGURES
    figure_dir.mkdir(parents=True, exist_ok=True)
    plan = manifest["plan"]
    footer = (
        f"coprod robustness: {plan['design']} design, {table['point'].nunique()} points, "
        f"{len(plan['seeds'])} seeds, {plan['weeks']} weeks"
    )
    holds_figure(shares(table), figure_dir / HOLDS_PNG, footer)
    effects_figure(table, figure_dir / EFFECTS_PNG, footer)
    links = {
        name: Path(os.path.relpath(figure_dir / name, target.parent)).as_posix()
        for name in (HOLDS_PNG, EFFECTS_PNG)
    }
    text = report_markdown(table, manifest, links, checks)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    written = [target, figure_dir / HOLDS_PNG, figure_dir / EFFECTS_PNG]
    return [
        p.relative_to(out).as_posix() if p.resolve().is_relative_to(out.resolve()) else str(p)
        for p in written
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the report of a finished ``coprod robustness`` folder again (see module doc)."""
    # the run's folder format: only this entry point reads it
    from experiments.robustness import CHECKS, RESULTS, read_manifest

    parser = argparse.ArgumentParser(prog="python -m experiments.analysis.robustness_report")
    parser.add_argument("folder", type=Path, help="a finished coprod robustness --out folder")
    parser.add_argument("--to", type=Path, help="the report's file (default FOLDER/report.md)")
    parser.add_argument("--figures", type=Path, help="its figures' folder (default FOLDER/figures)")
    args = parser.parse_args(argv)
    manifest = read_manifest(args.folder)
    if manifest is None or manifest.get("status") != "complete":
        print(f"error: '{args.folder}' holds no finished coprod robustness run", file=sys.stderr)
        return 2
    table = pd.read_parquet(args.folder / RESULTS)
    checks_file = args.folder / CHECKS
    checks = pd.read_parquet(checks_file) if checks_file.exists() else None
    written = write_report(args.folder, table, manifest, checks, args.to, args.figures)
    for name in written:
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
