"""Figures that show every factor: the choice of axes and panels, panels, colour scales.

Sweeps are written by ``test_analyze.write_sweep`` with metrics given by hand (no
model runs), so the factor that moves a metric most is known in advance.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import TwoSlopeNorm
from test_analyze import write_sweep

from experiments import cli, regimes
from experiments.analysis import AnalysisError, figures
from experiments.analysis.axes import choose_factors, factor_spread, rank_factors
from experiments.analysis.load import load_sweep
from experiments.analysis.pipeline import analyze, compute
from simulation.params import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
VARY = {
    "compensation": ["none", "expenses", "paid"],
    "pace": [0.1, 0.9],
    "benefit_safe": [False, True],
}


def _parity(run_id: int, values: dict) -> dict:
    """benefit_safe moves parity by 0.4, paid by 0.1, pace not at all (plus a little noise)."""
    paid = values["compensation"] == "paid"
    value = 0.4 + 0.4 * bool(values["benefit_safe"]) + 0.1 * paid + 0.001 * (run_id % 3)
    return {"participation_parity": value, "participation_lay": 0.2 + 0.1 * paid}


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    """A 3 x 2 x 2 grid, 2 replicates, with parity given by :func:`_parity`."""
    return write_sweep(tmp_path_factory.mktemp("three") / "three", VARY, metrics=_parity)


def test_factor_spread_is_the_range_of_level_means_over_the_sd():
    # m is 0, 0, 1, 1: the means over a are 0 and 1 (range 1), the sd is sqrt(1/3);
    # over b both means are 0.5 (range 0).
    frame = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 0, 1], "m": [0.0, 0.0, 1.0, 1.0]})
    assert factor_spread(frame, "a", ["m"]) == pytest.approx(math.sqrt(3))
    assert factor_spread(frame, "b", ["m"]) == pytest.approx(0.0)
    assert factor_spread(frame, "a", ["m", "m"]) == pytest.approx(2 * math.sqrt(3))


def test_the_strongest_factor_goes_on_x_the_next_on_y_the_rest_in_panels(three):
    sweep = load_sweep(three)
    metrics = ["participation_parity"]
    assert rank_factors(sweep, sweep.ok, metrics) == ["benefit_safe", "compensation", "pace"]
    assert choose_factors(sweep, sweep.ok, metrics) == (
        ["benefit_safe", "compensation"],
        ["pace"],
    )


def test_the_user_chooses_axes_and_panels(three):
    sweep = load_sweep(three)
    metrics = ["participation_parity"]
    chosen = choose_factors(sweep, sweep.ok, metrics, "pace", "compensation", ["benefit_safe"])
    assert chosen == (["pace", "compensation"], ["benefit_safe"])
    # Only x given: y and the panels follow the ranking of the others.
    assert choose_factors(sweep, sweep.ok, metrics, x="pace") == (
        ["pace", "benefit_safe"],
        ["compensation"],
    )
    with pytest.raises(AnalysisError, match="allowed: compensation, pace, benefit_safe"):
        choose_factors(sweep, sweep.ok, metrics, x="speed")
    with pytest.raises(AnalysisError, match="each factor once"):
        choose_factors(sweep, sweep.ok, metrics, x="pace", y="pace")


def test_an_unknown_factor_is_bad_input_in_one_line(three, capsys):
    assert cli.main(["analyze", str(three), "--x", "speed"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "'speed'" in err and "compensation, pace, benefit_safe" in err


def _image_panels(fig) -> list:
    return [ax for ax in fig.axes if ax.images]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_heatmaps_have_a_panel_per_level_and_one_colour_scale(three, tmp_path):
    results = compute(load_sweep(three), ["participation_parity", "participation_lay"])
    x, y = results.axes
    assert [f.param for f in results.facets] == ["pace"]
    for metric in ("participation_parity", "participation_lay"):
        fig = figures.heatmap(
            results.sweep, results.cells, x, y, metric, tmp_path / "h.png", "", results.facets
        )
        panels = _image_panels(fig)
        assert len(panels) == 2  # pace 0.1 and 0.9
        limits = {(ax.images[0].norm.vmin, ax.images[0].norm.vmax) for ax in panels}
        assert len(limits) == 1
    # participation_lay is a share: 0 to 1 whatever the data (here 0.2-0.3).
    assert limits == {(0.0, 1.0)}
    titles = sorted(ax.get_title() for ax in panels)
    assert titles == ["pace = 0.100", "pace = 0.900"]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_two_extra_factors_make_a_grid_of_panels(tmp_path):
    vary = {**VARY, "power_sharing": [0.1, 0.5, 0.9]}
    out = write_sweep(tmp_path / "four", vary, replicates=1, metrics=_parity)
    results = compute(load_sweep(out), ["participation_parity"], "compensation", "pace")
    assert [f.param for f in results.facets] == ["benefit_safe", "power_sharing"]
    x, y = results.axes
    fig = figures.heatmap(
        results.sweep,
        results.cells,
        x,
        y,
        "participation_parity",
        tmp_path / "h.png",
        "",
        results.facets,
    )
    assert len(_image_panels(fig)) == 2 * 3
    fig = figures.regime_map(
        results.sweep, results.shares, x, y, tmp_path / "r.png", "", results.facets
    )
    assert len([ax for ax in fig.axes if ax.images]) == 2 * 3


def test_colour_scales_are_anchored_to_the_metrics_meaning():
    norm, cmap = figures.metric_norm("participation_lay", np.array([0.57, 0.61]))
    assert (norm.vmin, norm.vmax, cmap) == (0.0, 1.0, "viridis")
    # Parity diverges at 1, from 0 to at least 2, even when every value is below 1.
    norm, cmap = figures.metric_norm("participation_parity", np.array([0.3, 0.87]))
    assert isinstance(norm, TwoSlopeNorm) and cmap == "RdBu"
    assert (norm.vmin, norm.vcenter, norm.vmax) == (0.0, 1.0, 2.0)
    assert norm(1.0) == pytest.approx(0.5)
    # A cost has no upper end: from 0 (its low end) to the largest value.
    norm, _ = figures.metric_norm("programme_cost", np.array([200.0, 900.0, np.nan]))
    assert (norm.vmin, norm.vmax) == (0.0, 900.0)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_parity_colour_bar_marks_one(three, tmp_path):
    results = compute(load_sweep(three), ["participation_parity"])
    x, y = results.axes
    fig = figures.heatmap(
        results.sweep,
        results.cells,
        x,
        y,
        "participation_parity",
        tmp_path / "h.png",
        "",
        results.facets,
    )
    bar = next(ax for ax in fig.axes if not ax.images)
    assert "1 = parity" in [t.get_text() for t in bar.get_yticklabels()]


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_categories_are_never_joined_by_lines(three, tmp_path):
    results = compute(load_sweep(three), ["participation_parity"], "compensation", "pace")
    x, y = results.axes
    fig = figures.lines(
        results.sweep, results.cells, x, y, "participation_parity", tmp_path / "l.png", ""
    )
    # The data are the lines with markers (the dashed line at parity 1 has none).
    data = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    assert len(data) == 2  # a series of points per pace level
    assert all(ln.get_linestyle() == "None" for ln in data)
    # Along pace (numbers) the levels are joined.
    results = compute(load_sweep(three), ["participation_parity"], "pace", "compensation")
    x, y = results.axes
    fig = figures.lines(
        results.sweep, results.cells, x, y, "participation_parity", tmp_path / "l.png", ""
    )
    data = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    assert [ln.get_linestyle() for ln in data] == ["-"] * 3  # a line per compensation level


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_sampled_designs_get_scatter_plots_not_heatmaps(tmp_path):
    vary = {"pace": {"min": 0.0, "max": 1.0}, "power_sharing": {"min": 0.0, "max": 1.0}}
    out = write_sweep(tmp_path / "lhs", vary, kind="lhs", samples=30, replicates=1)
    analyze(out, ["participation_parity"])
    drawn = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert "scatter-participation_parity.png" in drawn
    assert not [name for name in drawn if name.startswith("heatmap-")]
    assert "figures/scatter-participation_parity.png" in (out / "report.md").read_text()


def _documents_images() -> set[str]:
    """Every image README.md and docs/*.md show, as a path from the repository root."""
    found = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for ref in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", doc.read_text(encoding="utf-8")):
            found.add((doc.parent / ref).resolve().relative_to(ROOT).as_posix())
    return found


def test_every_documented_image_has_a_producer_that_make_figures_runs():
    made = figures.producers()
    shown = _documents_images()
    assert "docs/img/headline-parity.png" in shown
    assert shown <= set(made), f"no producer in docs/img/figures.toml for {shown - set(made)}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    prerequisites = re.search(r"^figures:(.*)$", makefile, re.M).group(1).split()
    assert "python -m experiments.analysis.figures" in makefile.replace("$(PY)", "python")
    for image in shown:
        assert made[image]["make"] in prerequisites, image
        assert (ROOT / image).is_file(), image


def _reads(values) -> tuple[str, str]:
    """The lowest and highest of ``values`` as README writes them, to two decimals."""
    values = np.asarray(values, dtype=float)
    return f"{values.min():.2f}", f"{values.max():.2f}"


def _threshold(regime: str, indicator: str) -> float:
    """The threshold the rule of ``regime`` puts on ``indicator``."""
    (rule,) = [r for r in regimes.REGIMES if r.name == regime]
    (condition,) = [c for c in rule.conditions if c.indicator == indicator]
    return condition.threshold


@pytest.mark.slow
def test_what_readme_says_of_the_headline_sweep(tmp_path):
    """Every claim of README's 'What the headline sweep shows', from a fresh `make run` sweep.

    Each number README states is checked as README writes it (counts exactly, values to the
    two decimals it prints), so the test fails when any of them changes.
    """
    out = tmp_path / "headline"
    spec = ROOT / "experiments" / "specs" / "compensation-x-pacing.toml"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "2"]) == 0
    analyze(out)  # the default metrics, as make run
    columns = ["compensation", "benefit_safe", "pace", "participation_parity_mean"]
    summary = pd.read_csv(out / "summary.csv")[columns]
    key = summary["compensation"] + "/" + summary["benefit_safe"].astype(str)
    parity = summary.assign(key=key).pivot(
        index="pace", columns="key", values="participation_parity_mean"
    )
    # Pay without the arrangement, now Universal Credit's taper: lower even than no pay (0.48 to
    # 0.51 against 0.52 to 0.60), the worst cell at every pace.
    assert DEFAULTS["benefit_rules"] == "uc" and DEFAULTS["uc_taper"] == 0.55
    unsafe = parity["paid/False"]
    unpaid = parity[["none/False", "none/True"]]
    worst = {0.1: "paid/False", 0.5: "paid/False", 0.9: "paid/False"}
    assert parity.idxmin(axis=1).to_dict() == worst
    assert _reads(unsafe) == ("0.48", "0.51")
    assert _reads(unpaid) == ("0.52", "0.60")
    # Benefit-safe pay at the top at every pace (0.75 to 0.81; narrowly in slow meetings, 0.75
    # against 0.74), ahead of expenses (0.69 to 0.75), ahead of no pay (0.52 to 0.60) at every
    # pace, with or without the arrangement.
    safe = parity["paid/True"]
    expenses = parity[["expenses/False", "expenses/True"]]
    assert _reads(safe) == ("0.75", "0.81")
    assert (parity.idxmax(axis=1) == "paid/True").all()
    assert (f"{safe[0.1]:.2f}", f"{expenses.loc[0.1].max():.2f}") == ("0.75", "0.74")
    assert _reads(expenses) == ("0.69", "0.75")
    assert (expenses.min(axis=1) > unpaid.max(axis=1)).all()
    # Single runs of unpaid and expenses-only schemes: a standard deviation of 0.07 to 0.17.
    runs = pd.read_parquet(out / "runs.parquet")
    middle = runs[runs["compensation"] != "paid"]
    spread = middle.groupby(["compensation", "benefit_safe", "pace"])["participation_parity"]
    assert _reads(spread.std()) == ("0.07", "0.17")

    # The regimes: 3 x 3 x 2 cells of 10 seeds each.
    labelled = pd.read_csv(out / "regimes.csv")
    assert len(labelled) == 180
    values = pd.DataFrame([regimes.indicators(row) for row in runs.to_dict("records")])
    runs = pd.concat([runs.reset_index(drop=True), values.add_prefix("rule_")], axis=1)
    runs = runs.merge(labelled[["run_id", "regime"]], on="run_id", validate="one_to_one")
    cells = runs.groupby(["compensation", "benefit_safe", "pace"])["regime"].value_counts()
    cells = cells.unstack(fill_value=0)
    assert cells.shape[0] == 18 and (cells.sum(axis=1) == 10).all()
    assert set(cells.columns) == {"elite_capture", "generative", "ordinary", "precarious_labour"}
    # Paid without the arrangement: no benefit-loss event in any run (nobody is suspended), but
    # GBP 85 to 368 taken back per claimant who took part (none in any other cell); elite
    # capture on 27 of 30, 9 of 10 at every pace, the other 3 ordinary.
    assert (runs["benefit_loss_events"] == 0).all()
    unsafe_paid = (runs["compensation"] == "paid") & ~runs["benefit_safe"].astype(bool)
    taken = runs.loc[unsafe_paid, "benefit_taken_back"]
    assert [f"{v:.0f}" for v in (taken.min(), taken.max())] == ["85", "368"]
    assert (runs.loc[~unsafe_paid, "benefit_taken_back"] == 0).all()
    unsafe_cells = cells.loc[("paid", False)]
    assert unsafe_cells["elite_capture"].tolist() == [9, 9, 9]
    assert (unsafe_cells["elite_capture"] + unsafe_cells["ordinary"] == 10).all()
    # Under the suspension rule (legacy-20) the same settings are elite capture on all 30 runs,
    # with parity 0.26 to 0.33 a cell.
    suspended = tmp_path / "suspended.toml"
    suspended.write_text(
        spec.read_text(encoding="utf-8").split("[vary]")[0]
        + '[fixed]\nbenefit_rules = "legacy-20"\n\n[vary]\ncompensation = ["paid"]\n'
        + "pace = [0.1, 0.5, 0.9]\nbenefit_safe = [false]\n",
        encoding="utf-8",
    )
    assert cli.main(["sweep", str(suspended), "--out", str(tmp_path / "s"), "--workers", "2"]) == 0
    legacy = pd.read_parquet(tmp_path / "s" / "runs.parquet")
    assert len(legacy) == 30 and (legacy["benefit_rules"] == "legacy-20").all()
    assert all(regimes.classify(row) == "elite_capture" for row in legacy.to_dict("records"))
    assert _reads(legacy.groupby("pace")["participation_parity"].mean()) == ("0.26", "0.33")
    # Benefit-safe pay: ordinary on 26 of 30; the only generative runs, 3 of 10 in slow
    # meetings (ordinary 6, elite capture 1).
    assert cells.loc[("paid", True)]["ordinary"].sum() == 26
    assert cells.loc[("paid", True, 0.1)].to_dict() == {
        "elite_capture": 1,
        "generative": 3,
        "ordinary": 6,
        "precarious_labour": 0,
    }
    assert cells["generative"].sum() == 3
    # Unpaid slow meetings: precarious labour on 9 of 10 with the arrangement and 9 without;
    # the only 18 precarious runs of the 180.
    assert cells.loc[("none", False, 0.1), "precarious_labour"] == 9
    assert cells.loc[("none", True, 0.1), "precarious_labour"] == 9
    assert cells["precarious_labour"].sum() == 18
    # Every unpaid run: GBP 123 to 206 out of pocket a lay participant, over the rule's 50,
    # so the hours decide (precarious exactly when at or over 0.45 a week): slow meetings
    # 0.35 to 0.64, at or over 0.45 on 18 of 20; middle and fast 0.25 to 0.44, all under.
    hours_line = _threshold("precarious_labour", "unpaid_hours_per_week")
    money_line = _threshold("precarious_labour", "out_of_pocket_per_lay")
    assert (hours_line, money_line) == (0.45, 50.0)
    none = runs[runs["compensation"] == "none"]
    slow = none["pace"] == 0.1
    assert [f"{v:.0f}" for v in none["rule_out_of_pocket_per_lay"].agg(["min", "max"])] == [
        "123",
        "206",
    ]
    assert (none["rule_out_of_pocket_per_lay"] >= money_line).all()
    over = none["rule_unpaid_hours_per_week"] >= hours_line
    assert (over == (none["regime"] == "precarious_labour")).all()
    assert _reads(none.loc[slow, "rule_unpaid_hours_per_week"]) == ("0.35", "0.64")
    assert over[slow].sum() == 18
    assert _reads(none.loc[~slow, "rule_unpaid_hours_per_week"]) == ("0.25", "0.44")
    assert not over[~slow].any()
    # Unpaid at a middle or fast pace: 24 of 40 elite capture, in every cell; one slow run
    # short of the hours makes 25 of 60.
    unpaid_cells = cells.loc["none"]
    assert unpaid_cells.loc[(slice(None), [0.5, 0.9]), "elite_capture"].sum() == 24
    assert (unpaid_cells.loc[(slice(None), [0.5, 0.9]), "elite_capture"] > 0).all()
    assert unpaid_cells.loc[(slice(None), 0.1), "elite_capture"].sum() == 1
    short = none[slow & ~over]
    assert (short["regime"] == "elite_capture").sum() == 1
    assert unpaid_cells["elite_capture"].sum() == 25
    # By parity alone, 35: 10 of the 18 precarious runs have parity under 0.6, and precarious
    # labour comes before elite capture in the rules.
    order = [r.name for r in regimes.REGIMES]
    assert order.index("precarious_labour") < order.index("elite_capture")
    parity_line = _threshold("elite_capture", "participation_parity")
    precarious = none[none["regime"] == "precarious_labour"]
    hidden = (precarious["participation_parity"] < parity_line).sum()
    assert hidden == 10
    assert unpaid_cells["elite_capture"].sum() + hidden == 35
    assert (none["participation_parity"] < parity_line).sum() == 35
    # Expenses: 49 of 60 ordinary, the other 11 elite capture, slow meetings included (7 and 9
    # of 10, without and with the arrangement); slow meetings take 0.59 to 0.76 unpaid hours a
    # week, but nothing is left out of pocket.
    refunded = runs[runs["compensation"] == "expenses"]
    assert cells.loc["expenses"]["ordinary"].sum() == 49
    assert cells.loc["expenses"]["elite_capture"].sum() == 11
    assert cells.loc[("expenses", slice(None), 0.1), "ordinary"].tolist() == [7, 9]
    slow_refunded = refunded.loc[refunded["pace"] == 0.1, "rule_unpaid_hours_per_week"]
    assert _reads(slow_refunded) == ("0.59", "0.76")
    assert (refunded["rule_out_of_pocket_per_lay"] == 0).all()
    # Slow, open meetings rarely generative: lived experience reaches a quarter (the rule's
    # threshold) only in the 3 generative runs; under a fifth in unpaid or expenses-only
    # slow meetings.
    assert _threshold("generative", "experiential_share") == 0.25
    heard = runs["rule_experiential_share"] >= 0.25
    assert heard.sum() == 3 and (runs.loc[heard, "regime"] == "generative").all()
    slow_unpaid_or_refunded = (runs["compensation"] != "paid") & (runs["pace"] == 0.1)
    assert (runs.loc[slow_unpaid_or_refunded, "rule_experiential_share"] < 0.2).all()
    # The figures README shows put the third factor in panels.
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "panels: benefit_safe" in report


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_scatter_keeps_the_order_of_choices_and_the_metrics_range(tmp_path):
    vary = {"pace": {"min": 0.0, "max": 1.0}, "compensation": ["paid", "none", "expenses"]}
    out = write_sweep(tmp_path / "lhs", vary, kind="lhs", samples=12, replicates=1)
    sweep = load_sweep(out)
    fig = figures.scatter(
        sweep, sweep.ok, ["pace", "compensation"], "participation_parity", tmp_path / "s.png"
    )
    pace, compensation = fig.axes[:2]
    # The schema's order of choices (none, expenses, paid), not the spec's or the alphabet's.
    assert [t.get_text() for t in compensation.get_xticklabels()] == ["none", "expenses", "paid"]
    # Every value is 0.5 here: parity's range is still 0 to 2 around parity.
    assert pace.get_ylim() == (0.0, 2.0)
    fig = figures.scatter(sweep, sweep.ok, ["pace"], "participation_lay", tmp_path / "s.png")
    assert fig.axes[0].get_ylim() == (0.0, 1.0)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_line_plots_have_the_same_panels_on_one_y_range(three, tmp_path):
    results = compute(load_sweep(three), ["participation_parity"], "pace", "compensation")
    assert [f.param for f in results.facets] == ["benefit_safe"]
    x, g = results.axes
    fig = figures.lines(
        results.sweep,
        results.cells,
        x,
        g,
        "participation_parity",
        tmp_path / "l.png",
        "",
        results.facets,
    )
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert [ax.get_title() for ax in panels] == ["benefit_safe = false", "benefit_safe = true"]
    assert panels[0].get_ylim() == panels[1].get_ylim()
    # Parity 0.4 + 0.1 (paid) without benefit-safe pay, 0.8 + 0.1 with it (plus noise).
    paid = next(ln for ln in panels[1].get_lines() if ln.get_label() == "paid")
    assert paid.get_ydata() == pytest.approx([0.901] * 2, abs=0.001)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_the_command_line_chooses_axes_and_panels(three, tmp_path, capsys):
    args = ["analyze", str(three), "--metric", "participation_parity"]
    args += ["--x", "pace", "--y", "compensation", "--facet", "benefit_safe"]
    assert cli.main(args) == 0
    report = (three / "report.md").read_text(encoding="utf-8")
    assert "x: pace, y: compensation, panels: benefit_safe." in report
    assert "(pooled over" not in report  # parity's own help says "pooled over the last ..."
