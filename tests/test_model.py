"""The Mesa surface of the model: agents, steps, data collection, batch runs, seeds."""

from __future__ import annotations

import inspect
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mesa
import numpy as np
import pytest

from simulation import CoProductionModel, metrics
from simulation.agents import AGENT_CLASSES, Carer, Clinician, Manager, Participant, Patient
from simulation.metrics import METRIC_NAMES
from simulation.params import DEFAULTS, EVERY_PARAM, RunParams
from simulation.population import KINDS, RATIONALES, ROLES

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"n_patients": 6, "n_carers": 3, "n_clinicians": 2, "n_managers": 1, "weeks": 10}
FLOAT_VIEWS = (
    "motivation",
    "satisfaction",
    "credibility",
    "fluency",
    "trust",
    "influence",
    "base_cash",
    "owed",
    "received",
    "out_of_pocket",
    "unpaid_hours",
    "free_hours",
)
BOOL_VIEWS = ("on_benefits", "disabled")


# ------------------------------------------------------------------------------ agents


def test_default_model_has_one_mesa_agent_per_person_of_the_right_class():
    model = CoProductionModel(rng=0)
    s = model.state
    counts = {
        Patient: DEFAULTS["n_patients"],
        Carer: DEFAULTS["n_carers"],
        Clinician: DEFAULTS["n_clinicians"],
        Manager: DEFAULTS["n_managers"],
    }
    assert len(model.agents) == s.n == sum(counts.values())
    assert {cls: len(model.agents_by_type[cls]) for cls in counts} == counts
    assert set(model.agents_by_type) == set(counts)
    assert sorted(a.index for a in model.agents) == list(range(s.n))
    for agent in model.agents:
        assert isinstance(agent, Participant) and isinstance(agent, mesa.Agent)
        assert type(agent) is AGENT_CLASSES[s.role[agent.index]]
        assert agent.role == ROLES[s.role[agent.index]]
        assert agent.lay == bool(s.lay[agent.index])
        assert agent.model is model


@pytest.mark.parametrize(
    "counts",
    [
        {"n_patients": 1, "n_carers": 0, "n_clinicians": 0, "n_managers": 1},
        {"n_patients": 0, "n_carers": 2, "n_clinicians": 3, "n_managers": 0},
    ],
)
def test_agent_classes_follow_the_counts(counts):
    model = CoProductionModel(rng=1, weeks=2, **counts)
    got = {cls.role: len(model.agents_by_type.get(cls, [])) for cls in AGENT_CLASSES}
    assert got == dict(zip(ROLES, counts.values(), strict=True))


def test_agent_views_read_the_state_arrays():
    model = CoProductionModel(rng=2, **SMALL)
    for _ in range(3):
        model.step()
    s = model.state
    for agent in model.agents:
        i = agent.index
        for name in FLOAT_VIEWS:
            value = getattr(agent, name)
            assert type(value) is float and value == getattr(s, name)[i]
        for name in (*BOOL_VIEWS, "attending"):
            value = getattr(agent, name)
            assert type(value) is bool and value == getattr(s, name)[i]
        assert agent.rationale == RATIONALES[s.rationale[i]]
        assert agent.group == s.group[i] and type(agent.group) is int
        assert list(agent.knowledge) == list(KINDS)
        assert list(agent.knowledge.values()) == s.knowledge[i].tolist()
    # a view, not a copy: writing the array changes what the agent reports
    agent = next(iter(model.agents_by_type[Patient]))
    s.motivation[agent.index] = 0.123
    s.attending[agent.index] = True
    s.disabled[agent.index] = False
    s.rationale[agent.index] = RATIONALES.index("experience")
    assert agent.motivation == 0.123 and agent.attending is True and agent.disabled is False
    assert agent.rationale == "experience"
    s.motivation[agent.index] = 0.9
    assert agent.motivation == 0.9


def test_agent_step_is_a_no_op():
    model = CoProductionModel(rng=3, **SMALL)
    before = model.state.motivation.copy()
    model.agents.do("step")
    assert np.array_equal(model.state.motivation, before) and model.steps == 0


# ------------------------------------------------------------------------ steps, running


def test_steps_count_weeks_and_running_stops_exactly_after_weeks():
    weeks = 7
    model = CoProductionModel(rng=4, **(SMALL | {"weeks": weeks}))
    assert model.steps == 0 and model.running
    for week in range(1, weeks + 1):
        assert model.running
        model.step()
        assert model.steps == week
        assert model.running == (week < weeks)
    assert not model.running


def test_run_steps_until_the_programme_ends_and_returns_final_metrics():
    model = CoProductionModel(rng=5, **SMALL)
    final = model.run()
    assert model.steps == SMALL["weeks"] == 10
    weekly = model.datacollector.get_model_vars_dataframe().iloc[1:]  # weeks 1-10
    # 10 weeks: a rate is the mean of the last 10 // 4 = 2 weeks, a total the sum of all 10,
    # a final value that of week 10.
    lay = weekly["participation_lay_week"]
    assert final["participation_lay"] == pytest.approx(lay.iloc[-2:].mean())
    assert final["insights"] == pytest.approx(weekly["insights_week"].sum())
    assert final["retention_lay"] == weekly["retention_lay_week"].iloc[-1]
    # and they agree with what the run left behind
    s = model.state
    assert final["programme_cost"] == pytest.approx(sum(model.ledger.values()))
    # Per lay person who ever came: fares never to be refunded, and (this week) still owed.
    came = np.count_nonzero(s.ever_attended & s.lay)
    assert came > 0
    assert final["lay_out_of_pocket"] == pytest.approx(s.never_refunded[s.lay].sum() / came)
    owed = weekly["lay_awaiting_refund_week"]
    assert owed.iloc[-1] == pytest.approx(s.owed[s.lay].sum() / came)
    assert final["lay_awaiting_refund"] == pytest.approx(owed.iloc[-2:].mean())
    assert s.out_of_pocket[s.lay] == pytest.approx((s.never_refunded + s.owed)[s.lay])
    assert final["lay_awaiting_refund"] > 0  # expenses by default: refunds come late
    assert model.run() == final and model.steps == 10  # not running any more: nothing happens


def test_without_compensation_fares_are_out_of_pocket_for_good():
    model = CoProductionModel(rng=5, **(SMALL | {"compensation": "none"}))
    final = model.run()
    s = model.state
    came = np.count_nonzero(s.ever_attended & s.lay)
    assert final["lay_out_of_pocket"] > 0
    assert final["lay_out_of_pocket"] == pytest.approx(s.out_of_pocket[s.lay].sum() / came)
    assert final["lay_awaiting_refund"] == 0.0 and (s.owed == 0).all()


def _weekly_numbers(model):
    """Overwrite the model's weekly record: every metric's value in week w is w."""
    weeks = model.history.shape[0]
    model.history[:] = np.arange(1.0, weeks + 1)[:, None]


def _by_how(rate, total, end):
    """Every metric's expected value: ``rate``, ``total`` or ``end`` by how it sums up."""
    want = {"rate": rate, "total": total, "final": end}
    return {m.name: want[m.how] for m in metrics.METRICS}


def test_final_metrics_are_plain_floats_for_exactly_the_metric_names():
    model = CoProductionModel(rng=6, **(SMALL | {"weeks": 8}))
    final = model.final_metrics()  # before the first week: nothing to sum up
    assert list(final) == list(METRIC_NAMES)
    assert final == dict.fromkeys(METRIC_NAMES, 0.0)
    model.run()
    _weekly_numbers(model)
    final = model.final_metrics()
    assert list(final) == list(METRIC_NAMES)
    assert all(type(v) is float for v in final.values())
    # 8 weeks valued 1..8: rate = mean of the last 8 // 4 = 2 weeks = (7 + 8) / 2 = 7.5;
    # total = 1 + ... + 8 = 36; final = 8.
    assert final == _by_how(rate=7.5, total=36.0, end=8.0)


def test_stopping_early_aggregates_only_the_weeks_run():
    """batch_run may stop a run at max_steps before the programme ends."""
    model = CoProductionModel(rng=7, **(SMALL | {"weeks": 12}))
    for _ in range(5):
        model.step()
    assert model.running
    assert (model.history[5:] == 0).all()
    _weekly_numbers(model)  # weeks 1..12 valued 1..12, of which 5 were run
    # 5 weeks: rate = the last max(1, 5 // 4) = 1 week = 5; total = 1 + ... + 5 = 15; final = 5.
    assert model.final_metrics() == _by_how(rate=5.0, total=15.0, end=5.0)
    for _ in range(3):  # 8 weeks: rate = (7 + 8) / 2
        model.step()
    _weekly_numbers(model)
    assert model.final_metrics() == _by_how(rate=7.5, total=36.0, end=8.0)


def test_weekly_history_records_meeting_weeks_only_where_they_happen():
    model = CoProductionModel(rng=8, **(SMALL | {"meeting_interval": 3, "weeks": 12}))
    attended = []
    while model.running:
        model.step()
        attended.append(model.state.attending.any())
    meeting_weeks = [w for w in range(1, 13) if (w - 1) % 3 == 0]
    assert [w for w in range(1, 13) if attended[w - 1]] == meeting_weeks
    col = METRIC_NAMES.index("insights")
    assert (model.history[[w - 1 for w in range(1, 13) if w not in meeting_weeks], col] == 0).all()


# ------------------------------------------------------------------------ DataCollector


def test_datacollector_reports_every_metric_every_week():
    weeks = 9
    model = CoProductionModel(rng=9, **(SMALL | {"weeks": weeks}))
    dc = model.datacollector
    assert isinstance(dc, mesa.DataCollector)
    week_names = [name + "_week" for name in METRIC_NAMES]
    assert list(dc.model_reporters) == [*METRIC_NAMES, *week_names]
    initial = dict(model.latest)
    model.run()
    df = dc.get_model_vars_dataframe()
    assert list(df.columns) == [*METRIC_NAMES, *week_names]
    assert len(df) == weeks + 1
    # _week: each week's own value (week 0: the starting state)
    assert df[week_names].iloc[0].tolist() == pytest.approx([initial[n] for n in METRIC_NAMES])
    assert np.array_equal(df[week_names].iloc[1:].to_numpy(dtype=float), model.history)
    # bare names: the summary so far; week 0 has none, the last week is final_metrics()
    assert (df[list(METRIC_NAMES)].iloc[0] == 0).all()
    assert df[list(METRIC_NAMES)].iloc[-1].to_dict() == model.final_metrics()


def test_datacollector_summary_so_far_by_hand():
    # 9 weeks by hand: at week t a total is the sum of weeks 1..t, a rate the mean of the
    # last max(1, t // 4) weeks, a final value that of week t.
    model = CoProductionModel(rng=9, **(SMALL | {"weeks": 9}))
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    ins, cost = df["insights_week"], df["programme_cost_week"]
    assert df["insights"].iloc[5] == ins.iloc[1:6].sum()
    assert df["programme_cost"].iloc[3] == pytest.approx(cost.iloc[1] + cost.iloc[2] + cost.iloc[3])
    trust = df["mean_trust_week"]
    assert df["mean_trust"].iloc[3] == trust.iloc[3]  # 3 // 4 = 0: one week
    assert df["mean_trust"].iloc[8] == pytest.approx((trust.iloc[7] + trust.iloc[8]) / 2)  # 9 // 4
    assert df["retention_lay"].iloc[6] == df["retention_lay_week"].iloc[6]
    # and what the model would report had it stopped at week 5
    stopped = CoProductionModel(rng=9, **(SMALL | {"weeks": 9}))
    for _ in range(5):
        stopped.step()
    assert df[list(METRIC_NAMES)].iloc[5].to_dict() == stopped.final_metrics()


# --------------------------------------------------------------------------- signature


def test_signature_lists_every_parameter_with_its_default_and_rng():
    sig = inspect.signature(CoProductionModel)
    params = sig.parameters
    assert set(params) == {p.name for p in EVERY_PARAM} | {"rng"}
    assert params["rng"].default is None
    for p in EVERY_PARAM:
        assert params[p.name].default == p.default
        assert type(params[p.name].default) is type(p.default)
        assert params[p.name].kind is inspect.Parameter.KEYWORD_ONLY
    # the signature is honest: binding the defaults builds the default model
    bound = sig.bind(**{name: par.default for name, par in params.items()})
    model = CoProductionModel(**bound.arguments)
    assert model.params == RunParams(**DEFAULTS) and model.params.as_dict() == DEFAULTS


# ---------------------------------------------------------------------------- batch_run

BATCH = {
    "parameters": {"weeks": 6, "pace": [0.2, 0.8]},
    "rng": [1, 2],
    "max_steps": 100,
    "display_progress": False,
}


def _direct(pace, seed):
    model = CoProductionModel(weeks=6, pace=pace, rng=seed)
    model.run()
    return model


def run_id(row: dict) -> int:
    return row["RunId"]


def _check_batch_rows(rows):
    assert len(rows) == 4
    runs = {(row["pace"], row["rng"]) for row in rows}
    assert runs == {(0.2, 1), (0.8, 1), (0.2, 2), (0.8, 2)}
    for row in rows:
        assert set(METRIC_NAMES) <= set(row)
        assert row["weeks"] == 6 and row["Step"] == 6
        model = _direct(row["pace"], row["rng"])
        # the bare names are the run's summary, exactly final_metrics(); _week the last week's
        assert {name: row[name] for name in METRIC_NAMES} == model.final_metrics()
        assert [row[name] for name in metrics.WEEK_NAMES] == model.history[-1].tolist()


@pytest.fixture
def restore_start_method():
    """mesa.batch_run forces the 'spawn' start method on the whole process: undo it."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def test_batch_run_drives_the_model(restore_start_method):
    rows = mesa.batch_run(CoProductionModel, number_processes=1, **BATCH)
    _check_batch_rows(rows)


@pytest.mark.slow  # starts two worker processes
def test_batch_run_in_two_processes_gives_the_same_rows(restore_start_method):
    serial = mesa.batch_run(CoProductionModel, number_processes=1, **BATCH)
    parallel = mesa.batch_run(CoProductionModel, number_processes=2, **BATCH)
    assert multiprocessing.get_start_method() == "spawn"
    _check_batch_rows(parallel)
    assert sorted(parallel, key=run_id) == sorted(serial, key=run_id)


# ------------------------------------------------------------------------- determinism


def _history_and_final(seed, **params):
    model = CoProductionModel(rng=seed, **params)
    return model.history, model.run()


def test_same_seed_gives_bit_identical_runs():
    params = SMALL | {"weeks": 30, "compensation": "paid", "user_led_funding": 0.4}
    (h1, f1), (h2, f2) = _history_and_final(11, **params), _history_and_final(11, **params)
    assert np.array_equal(h1, h2) and f1 == f2
    assert h1.tobytes() == h2.tobytes()
    # a numpy Generator works as a seed too (Mesa draws a seed for model.random from it
    # first, so it does not reproduce rng=11; two Generators seeded alike agree)
    h3, f3 = _history_and_final(np.random.default_rng(11), **params)
    h4, f4 = _history_and_final(np.random.default_rng(11), **params)
    assert np.array_equal(h3, h4) and f3 == f4


def test_different_seeds_give_different_runs():
    finals = [_history_and_final(seed, **SMALL)[1] for seed in range(4)]
    assert len({json.dumps(f) for f in finals}) == 4
    histories = [_history_and_final(seed, **SMALL)[0] for seed in (20, 21)]
    assert not np.array_equal(*histories)


SCRIPT = textwrap.dedent("""
    import json
    from simulation import CoProductionModel
    model = CoProductionModel(rng=123, weeks=20, n_patients=15, n_carers=6, n_clinicians=4,
                              n_managers=2, compensation="paid", travel_support=True)
    final = model.run()
    print(json.dumps({"final": final, "history": model.history.tolist()}))
""")


@pytest.mark.slow  # starts fresh Python processes
def test_same_seed_is_bit_identical_across_python_processes():
    outputs = []
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    model = CoProductionModel(
        rng=123,
        weeks=20,
        n_patients=15,
        n_carers=6,
        n_clinicians=4,
        n_managers=2,
        compensation="paid",
        travel_support=True,
    )
    final = model.run()
    here = json.dumps({"final": final, "history": model.history.tolist()})
    assert outputs[0].strip() == here


# ---------------------------------------------------------------------------- known bug


def test_a_meeting_nobody_attends_records_zero_participation():
    model = CoProductionModel(rng=0, **(SMALL | {"meeting_interval": 1}))
    model.step()
    if not model.state.attending.any():
        pytest.fail("precondition: somebody attends week 1")
    model.costs.base_utility[:] = -100.0  # nobody wants to come to week 2's meeting
    model.step()
    if model.state.attending.any():
        pytest.fail("precondition: nobody attends week 2")
    week2 = dict(zip(METRIC_NAMES, model.history[1], strict=True))
    assert week2["participation_lay"] == 0.0
    assert week2["participation_professional"] == 0.0


def test_slow_open_meetings_change_what_counts_as_knowledge_and_fast_closed_ones_do_not():
    # Two years. Slow meetings on an open agenda recognise lived experience, which makes
    # unexpected insights (evidence) and ties to lay members: professionals who came
    # recognise lived experience more (about 0.6 -> 0.8 here) and weigh experience more.
    # Fast meetings on a closed agenda never recognise lived experience (relevance 0): no
    # unexpected insight, no evidence, so no shift in professionals' values at all, and
    # recognition rises only with the few ties formal contact builds.
    gain, shift = {}, {}
    for pace, openness in ((0.0, 1.0), (1.0, 0.0)):
        model = CoProductionModel(
            rng=5, **(SMALL | {"weeks": 104, "pace": pace, "agenda_openness": openness})
        )
        final = model.run()
        s = model.state
        came = ~s.lay & s.ever_attended
        assert came.any()
        gain[pace] = float((s.recognition[came] - model.params.recognition_initial).mean())
        shift[pace] = final["values_shift_professional"]
        if pace == 1.0:
            assert (s.evidence == 0).all() and final["recognition_of_experience"] == 0.0
    assert gain[0.0] > 0.1 and 0.0 < gain[1.0] < 0.05
    assert shift[0.0] > 0.1 and shift[1.0] == 0.0


def test_from_params_runs_a_built_params_as_the_keywords_would():
    params = RunParams.from_values({"weeks": 20, "pace": 0.3})
    built = CoProductionModel.from_params(params, rng=5)
    keyword = CoProductionModel(rng=5, weeks=20, pace=0.3)
    assert built.params is params
    assert built.run() == keyword.run()
    np.testing.assert_array_equal(built.history, keyword.history)


def test_from_params_takes_values_the_keywords_refuse():
    # Imported here: only this test builds params by hand and expects a refusal.
    import dataclasses

    from simulation.schema import ParamError

    with pytest.raises(ParamError):
        CoProductionModel(rng=1, weeks=30, weight_time=0.0)
    # weight_time = 0 (below its range): time no longer costs, so more lay people come.
    base = RunParams.from_values({"weeks": 30})
    off = CoProductionModel.from_params(dataclasses.replace(base, weight_time=0.0), rng=1)
    assert off.params.weight_time == 0.0
    on = CoProductionModel.from_params(base, rng=1)
    assert off.run()["participation_lay"] > on.run()["participation_lay"] + 0.05
