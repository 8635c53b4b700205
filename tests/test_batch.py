"""The batched engine (simulation.batch): each run's numbers are, to the last bit, those of
the same run made alone with CoProductionModel, whatever shares its batch and in
whatever order.

The hypothesis test draws every policy lever from its schema range (small populations,
short runs) for a few parameter sets, and batches of runs of those sets in random order,
with repeated seeds; runs of the same set are stepped together in one pass. The other
tests pin down what the proof rests on: each run's weekly draws are keyed by the run
(``simulation.draws``), the same beside any others as alone, a run's sums over its block
of a stacked array are the sums alone, and the awkward weeks (a run nobody came to while
others met) are really exercised.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import os

import mesa
import numpy as np
import pytest
import strategies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import (
    CoProductionModel,
    decisions,
    knowledge,
    meeting,
    metrics,
    money,
    motivation,
    participation,
    population,
    relations,
    runs,
    values,
)
from simulation.assumptions import ASSUMPTIONS
from simulation.batch import (
    BATCH_AGENTS,
    PER_RUN,
    SHARED,
    Batch,
    _passes,
    generator,
    run_batch,
    run_params,
)
from simulation.metrics import METRIC_NAMES
from simulation.params import (
    PARAMS,
    ParamError,
    RunParams,
)

SMALL = {
    "n_patients": st.integers(0, 6),
    "n_carers": st.integers(0, 3),
    "n_clinicians": st.integers(0, 2),
    "n_managers": st.integers(0, 2),
    "weeks": st.integers(1, 16),
    "group_size": st.integers(2, 6),
    "budget": st.sampled_from([1_000.0, 5_000.0, 45_000.0]),  # low budgets: managers cut
}


def _lever(p):
    return strategies.from_schema(p, SMALL)


# Every lever, and some assumptions (any of them) away from their defaults.
LEVERS = st.fixed_dictionaries(
    {p.name: _lever(p) for p in PARAMS}, optional={a.name: _lever(a) for a in ASSUMPTIONS}
).filter(strategies.populated)
SEEDS = st.integers(0, 2**32 - 1)
# BATCH_EXAMPLES=N tries N batches (a deeper search than the default).
EXAMPLES = int(os.environ.get("BATCH_EXAMPLES", "40"))


def alone(params, seed):
    model = CoProductionModel(rng=seed, **params)
    return model.run(), model.history


def same(got, want):
    (final, history), (final_alone, history_alone) = got, want
    assert list(final) == list(METRIC_NAMES)
    # == on floats, and the bytes: -0.0 and 0.0 are equal floats but not the same bits
    assert final == final_alone
    bits = np.array(list(final.values())).tobytes()
    assert bits == np.array(list(final_alone.values())).tobytes()
    assert history.shape == history_alone.shape
    assert history.tobytes() == history_alone.tobytes()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    sets=st.lists(LEVERS, min_size=1, max_size=3),
    seeds=st.lists(SEEDS, min_size=1, max_size=3),
    picks=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=9),
)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_batch_is_bit_identical_to_each_run_alone(sets, seeds, picks):
    batch = [(sets[i % len(sets)], seeds[j % len(seeds)]) for i, j in picks]
    got = run_batch(batch, timeseries=True)
    finals = run_batch(batch)  # without the series: meetings before the last quarter skipped
    cache = {}
    for (params, seed), result, final in zip(batch, got, finals, strict=True):
        key = (id(params), seed)
        if key not in cache:
            cache[key] = alone(params, seed)
        same(result, cache[key])
        same((final, result[1]), cache[key])


def test_order_and_company_do_not_matter():
    """The same runs in two orders, and each with different batch-mates."""
    small = {"n_patients": 5, "n_carers": 2, "n_clinicians": 2, "n_managers": 1, "weeks": 12}
    paid = small | {"compensation": "paid", "benefit_rules": "uc", "meeting_interval": 2}
    batch = [(small, 1), (paid, 2), (small, 3), (paid, 4), (small, 5), (paid, 6)]
    forward = run_batch(batch, timeseries=True)
    backward = run_batch(batch[::-1], timeseries=True)[::-1]
    pairs = run_batch(batch[:2], timeseries=True)
    for i, (params, seed) in enumerate(batch):
        want = alone(params, seed)
        same(forward[i], want)
        same(backward[i], want)
        if i < 2:
            same(pairs[i], want)


def test_final_metrics_alone_without_timeseries():
    final = run_batch([({"weeks": 6}, 7), ({"weeks": 6}, 8)])
    assert final == [CoProductionModel(rng=s, weeks=6).run() for s in (7, 8)]


def test_without_series_only_meetings_read_in_a_last_quarter_are_measured(monkeypatch):
    """Runs of 16 and 20 weeks meeting every 2 weeks (weeks 1, 3, ..., 19), parity pooled
    over the last 2 meetings: their last quarters begin at weeks 13 (16 - 4 + 1) and 16
    (20 - 5 + 1). Meeting 11 is carried to weeks 11 and 12 only, but pooled into meeting
    13's parity; meeting 9 into neither. So without series the metrics at meetings are
    taken at the start and in weeks 11 to 19 (6 times), and with series at all ten
    meetings (11 times). The final metrics are the same either way."""
    calls = []
    measure = metrics.at_meetings
    monkeypatch.setattr(metrics, "at_meetings", lambda *a: calls.append(a[4]) or measure(*a))
    every_two = {"meeting_interval": 2, "active_meetings": 2}
    batch = [(every_two | {"weeks": 16}, 1), (every_two | {"weeks": 20}, 2)]
    finals = run_batch(batch)
    assert calls == [0, 11, 13, 15, 17, 19]
    calls.clear()
    assert [final for final, _ in run_batch(batch, timeseries=True)] == finals
    assert calls == [0, *range(1, 20, 2)]
    assert finals == [CoProductionModel(rng=seed, **params).run() for params, seed in batch]


def test_the_metrics_carried_between_meetings_are_rates_or_final_values():
    """What lets a batch without series skip meetings before the last quarter: none of the
    metrics taken at meetings is summed over the whole run."""
    model = CoProductionModel(rng=1, weeks=2)
    how = {m.name: m.how for m in metrics.METRICS}
    assert len(model._carried) > 20
    assert {how[name] for name in model._carried} == {"rate", "final"}


def test_built_parameters_run_as_run_batch_runs_them_checked():
    small = {"n_patients": 6, "n_carers": 3, "n_clinicians": 2, "n_managers": 1, "weeks": 12}
    paid = small | {"compensation": "paid", "meeting_interval": 2}
    given = [(small, 1), (paid, 2), (small, 3), (paid, 1)]
    checked = {id(values): RunParams.from_values(values) for values in (small, paid)}
    built = [(checked[id(values)], seed) for values, seed in given]
    assert run_params(built) == run_batch(given)
    for got, want in zip(
        run_params(built, timeseries=True), run_batch(given, timeseries=True), strict=True
    ):
        same(got, want)


def test_built_parameters_are_taken_as_they_are():
    """No range checks (experiments.mechanisms switches mechanisms off so): weight_time=0,
    below its range (the time cost switched off), runs as CoProductionModel.from_params
    runs it, in one pass beside runs of checked parameters (weight_time is not shared)."""
    small = {"n_patients": 6, "n_carers": 3, "n_clinicians": 2, "n_managers": 1, "weeks": 12}
    with pytest.raises(ParamError, match="weight_time"):
        run_batch([(small | {"weight_time": 0.0}, 1)])
    on = RunParams.from_values(small)
    off = dataclasses.replace(on, weight_time=0.0)
    built = [(off, 1), (on, 1), (off, 2), (on, 2)]
    assert len(list(_passes([p for p, _ in built]))) == 1
    got = run_params(built, timeseries=True)
    for (params, seed), result in zip(built, got, strict=True):
        model = CoProductionModel.from_params(params, rng=seed)
        same(result, (model.run(), model.history))
    # The time cost off changes the run: without it more lay people come, on both seeds
    # (over 12 weeks, a share of 0.52 against 0.04 on seed 1, 0.48 against 0.19 on seed 2).
    came = [final["participation_lay"] for final, _ in got]
    assert came[0] - came[1] > 0.25 and came[2] - came[3] > 0.25, came


def test_weeks_sets_every_runs_length():
    got = run_batch([({"weeks": 30}, 3), ({}, 4)], weeks=5, timeseries=True)
    for (_, history), seed in zip(got, (3, 4), strict=True):
        assert history.shape == (5, len(METRIC_NAMES))
        same((got[seed - 3][0], history), alone({"weeks": 5}, seed))


def test_invalid_parameters_raise_before_anything_runs():
    with pytest.raises(ParamError, match="pace"):
        run_batch([({}, 1), ({"pace": 3.0}, 2)])


def test_equal_values_of_another_type_are_checked_again():
    # 1 == True in Python, but the schema allows no true or false for a count: the
    # mapping with True is checked for itself, not taken for the one with 1 before it.
    with pytest.raises(ParamError, match="n_carers: expected a whole number"):
        run_batch([({"n_carers": 1}, 1), ({"n_carers": True}, 2)], weeks=1)


def test_a_generator_as_seed_gives_the_models_run():
    """A seed that is a Generator: Mesa first draws a seed for ``random`` from it; the
    batch's generator is made by Mesa too, so the run draws what the model's draws."""
    got = run_batch([({"weeks": 4}, np.random.default_rng(5))], timeseries=True)
    same(got[0], alone({"weeks": 4}, np.random.default_rng(5)))
    for seed in (9, 2**40):  # made directly, as Mesa makes it
        assert generator(seed).bit_generator.state == mesa.Model(rng=seed).rng.bit_generator.state


def test_an_empty_meeting_beside_full_ones_is_exercised():
    """Tiny, reluctant groups: some weeks nobody comes to one run's meeting while another
    run's meets. Such a run draws nothing and keeps its belonging, as alone."""
    low = {a.name: a.low for a in ASSUMPTIONS if a.kind == "float"}
    high = {a.name: a.high for a in ASSUMPTIONS if a.kind == "float"}
    tiny = (
        {
            "n_patients": 1,
            "n_carers": 0,
            "n_clinicians": 1,
            "n_managers": 0,
            "weeks": 40,
        }
        | {name: high[name] for name in ("weight_time", "flare_rate", "illness_mean")}
        | {
            name: low[name]
            for name in (
                "base_utility_lay",
                "base_utility_professional",
                "motivation_mean_professional",
                "initial_trust_professional",
            )
        }
    )
    seeds = list(range(16))
    batch = Batch(RunParams.from_values(tiny), [generator(s) for s in seeds])
    mixed = 0
    for week in range(1, tiny["weeks"] + 1):
        batch._rules_week(week)
        came = batch.state.attending.reshape(len(seeds), -1).any(axis=1)
        mixed += bool(came.any() and not came.all())
        batch.history[:, week - 1] = np.column_stack([batch.latest[n] for n in METRIC_NAMES])
    assert mixed >= 5
    for r, seed in enumerate(seeds):
        _, history = alone(tiny, seed)
        assert batch.history[r].tobytes() == history.tobytes()


# ------------------------------------------------- what the bit-identity rests on


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 300),
    k=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_a_runs_sums_over_its_block_are_its_sums_alone(n, k, seed, data):
    """numpy sums pairwise, so a sum over several runs is not the runs' sums added; each
    run's block of a (runs, n) array is summed as alone, and a stack of matrix products
    makes each product as alone (the assumptions of simulation.runs)."""
    rng = np.random.default_rng(seed)
    x = rng.random((k, n)) * 10.0 ** rng.uniform(-3, 3, (k, 1))
    y = rng.random((k, n))
    m = rng.random((k, 13, n))
    # metrics' parity window: (meetings, 2 per run), averaged down the columns
    window = rng.random((max(1, n % 9), 2 * k))
    each = [window[:, 2 * r : 2 * r + 2].copy().mean(axis=0) for r in range(k)]
    assert window.mean(axis=0).tobytes() == np.concatenate(each).tobytes()
    for r in range(k):
        assert x.sum(axis=1)[r] == x[r].sum()
        assert np.matmul(x[:, None, :], y[:, :, None])[r, 0, 0] == x[r] @ y[r]
        assert (
            (np.matmul(m, np.stack([x, y], axis=1).transpose(0, 2, 1))[r]).tobytes()
            == (m[r] @ np.vstack([x[r], y[r]]).T).tobytes()
        )
    lay = rng.random((k, n)) < 0.5
    bool_dot = np.matmul(x[:, None, :], lay[:, :, None])[:, 0, 0]
    assert all(bool_dot[r] == x[r] @ lay[r] for r in range(k))
    # and a pooled pairwise sum would differ: the reason the sums are taken run by run
    lengths = data.draw(st.lists(st.integers(0, 40), min_size=k, max_size=k))
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    flat = rng.random(bounds[-1])
    other = rng.random(bounds[-1])
    for how in ("sum", "dot"):
        each = runs.segments(bounds, flat, how, other)
        for r in range(k):
            block = slice(bounds[r], bounds[r + 1])
            alone_ = runs.segments(np.array([0, lengths[r]]), flat[block], how, other[block])
            assert each[r] == alone_[0]  # 0 for a run with no rows


def test_keyed_draws_give_each_run_its_numbers_alone_whatever_its_neighbours():
    """Three runs side by side, rows split unevenly (run 1 has none): each run's uniforms,
    Poisson and binomial counts are those of its key drawn alone; runs not ``only`` get 0."""
    keys = [11, 2**63 + 5, 7]
    many = runs.Keyed(keys)
    many.week = 9
    u = many.random("flare and wish", 2, 12)  # 3 runs x 4 agents
    lam = np.arange(15.0).reshape(5, 3)
    bounds = np.array([0, 2, 2, 5])
    (counts,) = many.counts("contributions", "poisson", [lam], bounds)
    n, p = np.array([3, 4, 5, 6, 7, 8]), np.full(6, 0.5)
    (cut,) = many.counts("adoption", "binomial", [(n, p)], only=np.array([True, True, False]))
    for r, key in enumerate(keys):
        alone = runs.Keyed([key])
        alone.week = 9
        assert u[:, 4 * r : 4 * r + 4].tobytes() == alone.random("flare and wish", 2, 4).tobytes()
        rows = slice(bounds[r], bounds[r + 1])
        (mine,) = alone.counts("contributions", "poisson", [lam[rows]])
        assert counts[rows].tolist() == mine.tolist()
        (theirs,) = alone.counts("adoption", "binomial", [(n[2 * r : 2 * r + 2], p[:2])])
        assert cut[2 * r : 2 * r + 2].tolist() == (theirs.tolist() if r < 2 else [0, 0])
    # another week, rule or draw gives other numbers
    many.week = 10
    assert not np.array_equal(u, many.random("flare and wish", 2, 12))
    assert not np.array_equal(u[1], u[0])


def test_a_rule_called_with_a_generator_draws_from_it():
    """Rules called directly (tests, notebooks) take a numpy Generator and draw from it,
    as they did before keyed draws; the model always keys its runs' draws."""
    rng, twin = np.random.default_rng(4), np.random.default_rng(4)
    got = runs.poisson(rng, "contributions", np.full(6, 2.0))
    assert got.tolist() == twin.poisson(np.full(6, 2.0)).tolist()
    assert isinstance(CoProductionModel(rng=4).draws, runs.Keyed)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(params=LEVERS, seeds=st.lists(SEEDS, min_size=1, max_size=4))
def test_runs_set_up_together_are_each_set_up_alone(params, seeds):
    """population.build_runs makes each run's draws from its own generator and the
    arithmetic between them once for all the runs: every field of their state is the
    runs' own made one at a time, end to end (a run's recruits, its quantile of cash, its
    groups), and each generator ends where it would alone."""
    p = RunParams.from_values(params)
    together, apart = [generator(s) for s in seeds], [generator(s) for s in seeds]
    got = population.build_runs(p, together)
    want = population.stack([population.build(p, rng) for rng in apart])
    assert got.runs == want.runs == len(seeds)
    for field in dataclasses.fields(got):
        a, b = getattr(got, field.name), getattr(want, field.name)
        if isinstance(a, np.ndarray):
            assert (a.dtype, a.shape, a.tobytes()) == (b.dtype, b.shape, b.tobytes()), field.name
        else:
            assert a == b, field.name
    for rng, twin in zip(together, apart, strict=True):
        assert rng.bit_generator.state == twin.bit_generator.state


# ------------------------------------------------ runs of different parameters side by side

FREE = [p for p in PARAMS if p.name not in SHARED]
# The assumptions too, beside the levers: they set each run up (people, settings, costs).
FREE_ASSUMED = [a for a in ASSUMPTIONS if a.name not in SHARED]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    base=LEVERS,
    variants=st.lists(
        st.fixed_dictionaries(
            {}, optional={p.name: _lever(p) for p in FREE + FREE_ASSUMED if p.name != "weeks"}
        )
        | st.fixed_dictionaries({"weeks": SMALL["weeks"]}),
        min_size=1,
        max_size=4,
    ),
    seeds=st.lists(SEEDS, min_size=1, max_size=3),
    picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=2, max_size=9),
)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_runs_of_different_parameters_share_a_pass_bit_identically(base, variants, seeds, picks):
    """Runs that differ in what only sets a run up (compensation, pace, format, budget,
    outreach, length...) are stepped in one pass, and each is as alone."""
    sets = [base | v for v in variants]
    batch = [(sets[i % len(sets)], seeds[j % len(seeds)]) for i, j in picks]
    checked = [RunParams.from_values(params) for params, _ in batch]
    if base["manager_adaptation"] == 0:
        assert len(list(_passes(checked))) == 1  # all of them side by side
    got = run_batch(batch, timeseries=True)
    for (params, seed), result in zip(batch, got, strict=True):
        same(result, alone(params, seed))


# The functions the weekly rules and metrics run (the rest sets a run up).
WEEKLY = {
    participation: ["take_part"],
    meeting: ["hold", "open_to_experience"],
    knowledge: ["combine", "by_group_side_and_kind"],
    decisions: ["decide"],
    relations: ["update", "_ties_and_trust", "_lay_credibility", "_professional_standing"],
    money: ["settle", "_assess", "hear_of_losses"],
    motivation: ["judge", "update"],
    values: ["shift", "_towards", "experience_shift"],
    metrics: ["at_meetings", "_parity", "weekly", "_management", "_representation"],
    population: ["seldom_heard_population_share"],
}


def test_what_runs_side_by_side_share_is_all_the_weekly_rules_read():
    """Every parameter the weekly rules read is shared by runs side by side, or held one
    per run (the metrics' PER_RUN); the test reads the rules' code."""
    read = set()
    for module, names in WEEKLY.items():
        tree = ast.parse(inspect.getsource(module))
        functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for name in names:
            for node in ast.walk(functions[name]):
                name_p = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                if name_p and node.value.id == "p":
                    read.add(node.attr)
    read.discard("active_weeks")  # active_meetings x meeting_interval, both shared
    assert read, "the rules read their parameters as p.<name>"
    assert read <= set(SHARED) | set(PER_RUN), sorted(read - set(SHARED) - set(PER_RUN))
    fields = set(RunParams.__dataclass_fields__)
    assert set(SHARED) <= fields and set(PER_RUN) <= fields


def test_in_person_runs_beside_online_ones_gain_ties_as_alone():
    """In float32, online_gain + (pair_gain - online_gain) need not be pair_gain: here it
    is not (found by search), so an in-person run beside an online one must gain its ties
    by its own rule, not the online one's."""
    odd = {"weeks": 12, "tie_formal": 0.021, "tie_informal": 0.1, "pace": 0.23}
    odd["online_tie_factor"] = 0.28
    gain = np.float32(odd["tie_formal"] + odd["tie_informal"] * (1.0 - odd["pace"]))
    online = (np.array([gain]) * odd["online_tie_factor"]).astype(np.float32)[0]
    assert online + (gain - online) != gain  # the case that needs the care
    batch = [(odd | {"meeting_format": f}, seed) for f, seed in (("in_person", 1), ("online", 2))]
    for (params, seed), result in zip(batch, run_batch(batch, timeseries=True), strict=True):
        same(result, alone(params, seed))


def test_benefit_safe_runs_beside_unsafe_ones_are_as_alone():
    """benefit_safe is held per agent (participation.Costs.safe), so paid runs with and
    without a benefit-safe scheme share a pass; under every benefit rule the unsafe runs
    lose benefits (suspensions, or Universal Credit's taper) and the safe ones lose none,
    each exactly as alone."""
    paid = {"weeks": 26, "compensation": "paid", "share_on_benefits": 0.6}
    for rules in ("legacy-20", "esa", "uc"):
        batch = [
            (paid | {"benefit_rules": rules, "benefit_safe": safe}, seed)
            for safe, seed in ((False, 3), (True, 3), (False, 4), (True, 5))
        ]
        assert len(list(_passes([RunParams.from_values(p) for p, _ in batch]))) == 1
        got = run_batch(batch, timeseries=True)
        for (params, seed), result in zip(batch, got, strict=True):
            same(result, alone(params, seed))
        lost = [final["benefit_loss_events"] + final["benefit_taken_back"] for final, _ in got]
        assert lost[1] == lost[3] == 0.0
        if rules != "esa":  # a meeting's pay stays under ESA's higher limit (pattern 14)
            assert lost[0] > 0 and lost[2] > 0, (rules, lost)


def test_a_run_nobody_came_to_keeps_its_values():
    """values.shift leaves a run whose meeting nobody came to as it was, even where a
    weight is exactly 1 (which shifting would otherwise zero the others of)."""
    p = RunParams.from_values({"value_blend": 1e-18, "weeks": 2})
    batch = Batch(p, [generator(s) for s in (1, 2)])
    s = batch.state
    assert (s.values == 1.0).any() and (s.values[s.values < 1.0] > 0).any()
    s.attending[:] = np.arange(s.n) < s.n // 2  # run 0's people came; nobody in run 1
    talk = meeting.hold(s, p, batch.setting, batch.room, batch.draws)
    assert talk is not None and talk.met.tolist() == [True, False]
    before = s.values[s.n // 2 :].copy()
    values.shift(s, p, talk)
    assert s.values[s.n // 2 :].tobytes() == before.tobytes()
    assert s.values[: s.n // 2].tobytes() != batch.state.initial_values[: s.n // 2].tobytes()


@pytest.mark.parametrize("group_size", [10, 40])
def test_one_large_group_alone_is_one_of_many_in_a_pass(group_size):
    """Alone, a run of one group has per-group arrays of one row (numpy may drop that
    axis); beside others it has many: each group's sums are still the same."""
    p = {"n_patients": 20, "n_carers": 10, "n_clinicians": 6, "n_managers": 4}
    p |= {"group_size": group_size, "weeks": 16, "meeting_interval": 1}
    batch = [(p, seed) for seed in (1, 2, 3)]
    for (params, seed), result in zip(batch, run_batch(batch, timeseries=True), strict=True):
        same(result, alone(params, seed))


def test_a_run_s_key_is_its_generator_s_next_64_bits_as_integers_draws_them():
    """_run_key: PCG64's random_raw, numpy's integers over the whole 64 bits for any
    other bit generator; the same key and the generator left the same, also after an
    odd number of 32-bit draws (numpy keeps half a word for the next)."""
    from simulation.batch import _run_key

    for make in (np.random.PCG64, np.random.MT19937, np.random.Philox):
        for used in range(3):
            a, b = np.random.Generator(make(11)), np.random.Generator(make(11))
            for g in (a, b):
                g.integers(0, 7, size=used, dtype=np.uint32)
            assert int(_run_key(a)) == int(b.integers(runs.KEY_RANGE, dtype=np.uint64))
            after = [  # what each draws next, half words first
                [*g.integers(0, 2**32, size=3, dtype=np.uint32).tolist(), g.random()]
                for g in (a, b)
            ]
            assert after[0] == after[1]


def test_a_sweep_s_design_points_are_drawn_together_and_each_run_is_as_alone():
    """Design points that differ in compensation, pace and benefit_safe (a sweep's
    chunk) draw their people in one build, each run from its generator as alone."""
    from simulation.batch import _drawn_together, _stretches

    points = [
        {"compensation": c, "pace": pace, "benefit_safe": safe, "weeks": 6, "n_patients": 9}
        for c in ("none", "paid")
        for pace in (0.1, 0.9)
        for safe in (False, True)
    ]
    checked = [RunParams.from_values(v) for v in points]
    each = [p for p in checked for _ in range(2)]
    assert len(_drawn_together(_stretches(each))) == 1
    assert len(_drawn_together(_stretches([*each, RunParams.from_values({"weeks": 6})]))) == 2
    got = run_params([(p, 40 + i) for i, p in enumerate(each)], timeseries=True)
    for i, result in enumerate(got):
        same(result, alone(points[i // 2], 40 + i))


def test_runs_too_many_for_one_pass_are_cut_into_equal_passes():
    # 76 agents a run: BATCH_AGENTS (65,536) hold 862 runs a pass. 1024 runs need two
    # passes: 512 and 512, not 862 and 162; 1725 need three: 575 each; 862, one.
    p = RunParams.from_values({})
    agents = p.n_patients + p.n_carers + p.n_clinicians + p.n_managers
    assert BATCH_AGENTS == 65_536 and agents == 76
    for count, sizes in ((1024, [512, 512]), (1725, [575, 575, 575]), (862, [862])):
        passes = list(_passes([p] * count))
        assert [len(members) for members in passes] == sizes
        assert sorted(i for members in passes for i in members) == list(range(count))


def test_where_nobody_came_belonging_only_decays_beside_runs_that_met():
    # The runs of the test above: in a week one run's meeting has nobody and another's
    # has someone, the empty run's belonging is its last week's times 1 - tie_decay,
    # exactly (as alone: no meeting, so no new mean of the ties), not a mean of its
    # decayed ties (the same to float32 precision only).
    low = {a.name: a.low for a in ASSUMPTIONS if a.kind == "float"}
    high = {a.name: a.high for a in ASSUMPTIONS if a.kind == "float"}
    tiny = {"n_patients": 1, "n_carers": 0, "n_clinicians": 1, "n_managers": 0, "weeks": 80}
    tiny |= {name: high[name] for name in ("weight_time", "flare_rate", "illness_mean")}
    reluctant = ("base_utility_lay", "base_utility_professional")
    tiny |= {n: low[n] for n in (*reluctant, "motivation_mean_professional")}
    tiny |= {"initial_trust_professional": low["initial_trust_professional"]}
    params = RunParams.from_values(tiny)
    batch = Batch(params, [generator(s) for s in range(16)])
    checked = 0
    for week in range(1, tiny["weeks"] + 1):
        before = batch.state.belonging.reshape(16, -1).copy()
        batch._rules_week(week)
        came = batch.state.attending.reshape(16, -1).any(axis=1)
        after = batch.state.belonging.reshape(16, -1)
        if came.any() and not came.all() and week > 1:
            empty = ~came & (before > 0).any(axis=1)
            want = before[empty] * (1.0 - params.tie_decay)
            assert after[empty].tobytes() == want.tobytes()
            checked += int(empty.sum())
    assert checked >= 5
