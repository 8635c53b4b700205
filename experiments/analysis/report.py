"""``report.md``: the analysis in words, every number read from the computed tables.

One function per section, each given the :class:`~experiments.analysis.results.Results`
and returning its lines; :func:`report_markdown` puts them in order. Numbers are
shown with ``simulation.text.show``; shares of runs as whole percentages.
"""

from __future__ import annotations

import math

import pandas as pd

from experiments import store
from experiments.analysis.discovery import discovery_section
from experiments.analysis.effects import effect_sentence, effects_method
from experiments.analysis.labels import metric_heading, param_meaning
from experiments.analysis.results import Results
from experiments.analysis.sensitivity import convergence_lines, leader_sentence
from experiments.analysis.settings import MAX_TABLE_POINTS
from experiments.analysis.stats import mean_ci, spreads
from experiments.analysis.timeseries import weekly_section
from experiments.regimes import REGIMES, rules_markdown
from simulation.metrics import METRIC_BY_NAME
from simulation.text import show

MAX_CELLS_LISTED = 8  # cells named per regime in the regimes section


def report_markdown(results: Results, written: list[str]) -> str:
    """The whole report; ``written`` lists the files written with it (relative paths)."""
    sections = (
        _header(results),
        _design(results),
        _reading(results),
        _regimes(results),
        discovery_section(results),
        _sensitivity(results),
        _figures(results),
        weekly_section(results),
        _point_table(results),
        _files(results, written),
    )
    return "\n".join(line for section in sections for line in section) + "\n"


def with_ci(mean: float, low: float, high: float) -> str:
    """``mean [low, high]``, or the mean alone when the interval is unknown."""
    if math.isfinite(low) and math.isfinite(high):
        return f"{show(mean)} [{show(low)}, {show(high)}]"
    return show(mean)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _header(results: Results) -> list[str]:
    sweep = results.sweep
    n_runs, n_ok = len(sweep.runs), len(sweep.ok)
    sizes = sweep.runs.groupby("point_id").size()
    fewest, most = int(sizes.min()), int(sizes.max())
    facts = [
        f"{sweep.kind} design",
        _plural(sweep.runs["point_id"].nunique(), "design point"),
        (
            f"{_plural(fewest, 'replicate')} each"
            if fewest == most
            else f"{fewest}–{most} replicates per point"
        ),
        f"{n_ok} of {n_runs} runs succeeded",
    ]
    if sweep.scenario:
        facts.insert(1, f"scenario `{sweep.scenario}`")
    if "weeks" in sweep.ok.columns:
        weeks = sorted(sweep.ok["weeks"].unique())
        facts.append(f"{', '.join(map(str, weeks))} weeks per run")
    return [
        f"# Sweep analysis: {sweep.name}",
        "",
        f"Written by `coprod analyze` from `{store.RUNS}` and `{store.MANIFEST}`: "
        + "; ".join(facts)
        + ".",
        "",
    ]


def _design(results: Results) -> list[str]:
    """The varied and fixed parameters, and the failed runs."""
    sweep = results.sweep
    out = ["Varied parameters:", ""]
    for p in sweep.varied:
        factor = sweep.factors[p]
        if "values" in factor:
            span = ", ".join(show(v) for v in factor["values"])
        else:
            span = f"{show(factor['min'])} to {show(factor['max'])}"
        out.append(f"- `{p}`: {param_meaning(p)}; values {span}")
    out.append("")
    if results.axes:
        where = ["x: " + results.axes[0].param] + [f"y: {a.param}" for a in results.axes[1:]]
        where += [f"panels: {a.param}" for a in results.facets]
        out += ["Figures (chosen by effect size unless given): " + ", ".join(where) + ".", ""]
    if sweep.fixed:
        shown = ", ".join(f"`{k} = {show(v)}`" for k, v in sweep.fixed.items())
        out += [f"Fixed: {shown}.", ""]
    failed = sweep.runs[sweep.runs["status"].astype(str) != "ok"]
    if len(failed):
        first = ""
        if "error" in failed.columns and failed["error"].notna().any():
            error = " ".join(str(failed["error"].dropna().iloc[0]).split())[:200]
            first = f" First error: `{error}`."
        out += [
            f"**{len(failed)} run(s) failed** and are left out of every figure and table.{first}",
            "",
        ]
    return out


def _reading(results: Results) -> list[str]:
    """What the data say: each chosen metric's effects (``effects.csv``), and parity's extremes."""
    sweep = results.sweep
    tests = int(results.effects["p_value"].notna().sum()) if results.effects is not None else 0
    out = ["## What the data say", "", effects_method(sweep.kind, tests), ""]
    out += [_effect_sentence(results, metric) for metric in results.chosen]
    out.append("")
    summary = results.summary
    parity = "participation_parity"
    if parity in sweep.metrics and summary["n_ok"].gt(0).any():
        valid = summary[summary["n_ok"] > 0]
        lo = valid.loc[valid[f"{parity}_mean"].idxmin()]
        hi = valid.loc[valid[f"{parity}_mean"].idxmax()]
        out += [
            f"{METRIC_BY_NAME[parity].label} (1 = disadvantaged lay people attend as often as "
            f"others) is lowest at {_point_name(lo, sweep.varied)}: {_row_ci(lo, parity)}, "
            f"and highest at {_point_name(hi, sweep.varied)}: {_row_ci(hi, parity)}.",
            "",
        ]
    return out


def _row_ci(row: pd.Series, metric: str) -> str:
    return with_ci(row[f"{metric}_mean"], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"])


def _point_name(row: pd.Series, varied: list[str]) -> str:
    return ", ".join(f"{p} = {show(row[p])}" for p in varied)


def _effect_sentence(results: Results, metric: str) -> str:
    """The metric's mean, its effects as ``effects.csv`` has them, and the Sobol/Morris leader."""
    sweep = results.sweep
    m = METRIC_BY_NAME[metric]
    head = f"- **{metric}** ({m.help}; {m.unit}): "
    overall = with_ci(*mean_ci(sweep.ok[metric], metric=metric))
    if results.effects is None or not sweep.varied:
        return head + f"{overall} over all runs (no varied parameter to compare)."
    text = f"{overall} over all runs; " + effect_sentence(results.effects, metric)
    table = results.effects
    clear = table[(table["metric"] == metric) & (table["verdict"] == "clear")]
    top = clear.sort_values("effect", ascending=False)["term"].head(1).tolist()
    spread = spreads(sweep, metric).set_index("param")
    if top and top[0] in spread.index:
        row = spread.loc[top[0]]
        low = with_ci(row["low_mean"], row["low_ci_low"], row["low_ci_high"])
        high = with_ci(row["high_mean"], row["high_ci_low"], row["high_ci_high"])
        text += (
            f" Along {top[0]}, the mean is lowest at {row['low_level']} ({low}) "
            f"and highest at {row['high_level']} ({high})."
        )
    return head + text + leader_sentence(results.sensitivity, metric)


def _regimes(results: Results) -> list[str]:
    out = ["## Regimes", ""]
    if results.shares is None:
        return [*out, "Not computed (see the notes below).", ""]
    sweep = results.sweep
    n_ok = len(sweep.ok)
    counts = results.regimes.loc[sweep.ok.index].value_counts()
    parts = [f"{r.label} {counts[r.name] / n_ok:.0%}" for r in REGIMES if r.name in counts]
    out += [
        f"Each run is labelled with one regime by rules on its metrics, checked in "
        f"order (see `docs/regimes.md`). Of the {n_ok} successful runs: " + ", ".join(parts) + ".",
        "",
    ]
    if results.axes:
        out += [*_dominant_cells(results), ""]
    out += [rules_markdown(), ""]
    for rel in results.figures["regimes"]:
        out += [f"![Regime map]({rel})", ""]
    return out


def _dominant_cells(results: Results) -> list[str]:
    """For each regime, the cells where it is the most common, with its share there."""
    shares, axes = results.shares, results.axes + results.facets
    dom = shares[[f"share_{r.name}" for r in REGIMES]].idxmax(axis=1).str.removeprefix("share_")
    out = []
    for r in REGIMES:
        where = shares[dom == r.name]
        if where.empty:
            continue
        cells = [
            ", ".join(f"{a.param} = {a.labels[int(row[a.column])]}" for a in axes)
            + f" ({row['share_' + r.name]:.0%})"
            for _, row in where.iterrows()
        ]
        more = f" and {len(cells) - MAX_CELLS_LISTED} more" if len(cells) > MAX_CELLS_LISTED else ""
        out.append(
            f"- **{r.label}** dominates in {len(cells)} of {len(shares)} "
            f"cells: " + "; ".join(cells[:MAX_CELLS_LISTED]) + more + "."
        )
    return out


def _sensitivity(results: Results) -> list[str]:
    kind = results.sweep.kind
    if kind not in ("sobol", "morris"):
        return []
    if results.sensitivity is None:
        return ["## Sensitivity", "", "Not computed (see the notes below).", ""]
    out = ["## Sensitivity", ""]
    out += convergence_lines(results.sensitivity, kind, results.sweep.spec.samples)
    out += [sensitivity_table(results.sensitivity, kind), ""]
    for rel in results.figures["sensitivity"]:
        out += [f"![{kind} indices]({rel})", ""]
    return out


def sensitivity_table(sens: pd.DataFrame, kind: str) -> str:
    """The Sobol or Morris indices as a Markdown table."""
    columns = ("S1", "S1_conf", "ST", "ST_conf")
    head = "| metric | parameter | S1 | ± | ST | ± | converged |"
    if kind != "sobol":
        columns = ("mu_star", "mu_star_conf", "sigma", "mu")
        head = "| metric | parameter | mu* | ± | sigma | mu | converged |"
    rows = [
        "| "
        + " | ".join(
            [
                r["metric"],
                r["parameter"],
                *(show(r[c]) for c in columns),
                "yes" if r.get("converged", True) else "**no**",
            ]
        )
        + " |"
        for r in sens.to_dict("records")
    ]
    return "\n".join([head, "|" + " --- |" * 7, *rows])


def _figures(results: Results) -> list[str]:
    figures = results.figures
    if not (figures["heatmap"] or figures["scatter"] or figures["lines"]):
        return []
    out = ["## Figures", ""]
    for metric in results.chosen:
        out += [f"### {metric_heading(metric)}", ""]
        for kind in ("heatmap", "scatter", "lines"):
            rel = f"figures/{kind}-{metric}.png"
            if rel in figures[kind]:
                out += [f"![{metric} {kind}]({rel})", ""]
    return out


def _point_table(results: Results) -> list[str]:
    summary, varied, chosen = results.summary, results.sweep.varied, results.chosen
    out = ["## Means and 95% confidence intervals per design point", ""]
    if len(summary) > MAX_TABLE_POINTS:
        return [*out, f"{len(summary)} design points: see `summary.csv`."]
    head = ["point", *varied, "runs", *chosen]
    out += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for _, row in summary.iterrows():
        cells = [str(row["point_id"]), *(show(row[p]) for p in varied), str(int(row["n_ok"]))]
        cells += [_row_ci(row, m) for m in chosen]
        out.append("| " + " | ".join(cells) + " |")
    return [*out, "", "Each cell: mean [95% t-interval over replicates]."]


def _files(results: Results, written: list[str]) -> list[str]:
    out = ["", "## Files", ""]
    out += [f"- `{rel}`" for rel in written if not rel.startswith("figures/")]
    out.append("- `report.md`")
    if (results.sweep.path / store.TIMESERIES).exists():
        seen = "analysed under Weekly series" if results.weekly else "not analysed here"
        out.append(f"- `{store.TIMESERIES}` (weekly series; {seen})")
    if results.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in results.notes]
    return out
