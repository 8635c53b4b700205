"""Properties that hold for every valid parameter set (hypothesis).

Every parameter is drawn from its schema range or choices in
``simulation.params.PARAMS``; only the population counts (0-30 each, at least one
lay person and one professional) and the run length (1-60 weeks) are kept small,
so that each example runs in a few milliseconds.
"""

from __future__ import annotations

import dataclasses
import math
import os
import typing

import numpy as np
import pytest
import strategies
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulation import CoProductionModel
from simulation.metrics import METRIC_BY_NAME, METRIC_NAMES, METRICS
from simulation.params import (
    DEFAULTS,
    EVERY_PARAM,
    LAY_COUNTS,
    PARAM_BY_NAME,
    PARAMS,
    PROFESSIONAL_COUNTS,
    ParamError,
    RunParams,
    validate,
)
from simulation.population import EXPERIENCE, RIGHTS

COUNTS = LAY_COUNTS + PROFESSIONAL_COUNTS
SMALL = {name: st.integers(0, 30) for name in COUNTS} | {"weeks": st.integers(1, 60)}
# PROPERTY_EXAMPLES=N runs N examples of the model-run properties (a deeper search).
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "120"))
RUNS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def from_schema(p):
    return strategies.from_schema(p, SMALL)


VALID = st.fixed_dictionaries({p.name: from_schema(p) for p in PARAMS}).filter(strategies.populated)
SEEDS = st.integers(0, 2**32 - 1)


def close(a, b, rel=1e-6):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


# ---------------------------------------------------------------- runs of the model


@RUNS
@given(values=VALID, seed=SEEDS)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_any_valid_parameters_give_finite_bounded_metrics_and_money_adds_up(values, seed):
    model = CoProductionModel(rng=seed, **values)
    final = model.run()
    assert model.steps == values["weeks"] and not model.running
    assert list(final) == list(METRIC_NAMES)
    for m in METRICS:
        v = final[m.name]
        assert isinstance(v, float) and math.isfinite(v), (m.name, v)
        assert m.low <= v <= m.high, f"{m.name} = {v!r} outside [{m.low}, {m.high}]"
    # every weekly value is finite and in range too
    assert np.isfinite(model.history).all()
    lows = np.array([m.low for m in METRICS])
    highs = np.array([m.high for m in METRICS])
    bad = (model.history < lows) | (model.history > highs)
    assert not bad.any(), [
        (int(w) + 1, METRIC_NAMES[c], model.history[w, c])
        for w, c in zip(*np.nonzero(bad), strict=True)
    ][:5]

    # the money adds up
    ledger, s = model.ledger, model.state
    cost = final["programme_cost"]
    assert close(cost, sum(ledger.values()))
    assert close(cost, float(s.received.sum()) + ledger["travel"] + ledger["staff"])
    assert close(float(s.received.sum()), ledger["refunds"] + ledger["payments"])
    assert final["benefit_loss_events"] == 0.0 or not values["benefit_safe"]
    # Out of pocket is what will never come back plus what is still owed. With nothing
    # refunded, all of it is for good: each fare times the meetings come to (= unpaid
    # hours / meeting hours); with expenses or pay, nothing is for good and it is owed.
    assert np.allclose(s.out_of_pocket, s.never_refunded + s.owed, rtol=1e-9, atol=1e-9)
    # Per meeting, fare and hours are the rules' of the whole run only if managers changed
    # none (a cut to no compensation, a faster pace or a closed group changes them midway).
    if not model.events and values["compensation"] == "none":
        assert (s.owed == 0).all()
        hours, trip = model.setting.hours_a, model.costs.trip
        assert np.allclose(s.never_refunded * hours, trip * s.unpaid_hours, rtol=1e-9)
    elif not model.events:
        assert (s.never_refunded == 0).all()
        assert np.allclose(s.out_of_pocket, s.owed, rtol=1e-9, atol=1e-9)

    # the end-of-run metrics, by their definitions, from the state
    lay_came = np.count_nonzero(s.ever_attended & s.lay)
    never, owed = (
        float(x[s.lay].sum()) / lay_came if lay_came else 0.0 for x in (s.never_refunded, s.owed)
    )
    assert close(final["lay_out_of_pocket"], never)
    assert close(model.history[-1, METRIC_NAMES.index("lay_awaiting_refund")], owed)
    per_lay = float(s.unpaid_hours.sum()) / lay_came if lay_came else 0.0
    assert close(final["unpaid_hours_per_lay_participant"], per_lay)
    first = s.first_weeks & s.lay  # came in the first active_weeks weeks
    # The last window is in meetings under the interval in force at the end: managers may
    # have changed it (model.rules; model.params is the programme as set).
    still = first & (s.last_attended > values["weeks"] - model.rules.active_weeks)
    assert final["retention_lay"] == (still.sum() / first.sum() if first.any() else 0.0)
    assert close(final["cost_per_insight"], cost / max(final["insights"], 1.0))


# The assumptions of issue 10's mechanisms, drawn from their ranges too.
SHIFTING = (
    "recognition_initial",
    "value_blend",
    "recognition_rate",
    "recognition_weight_ties",
    "evidence_rate",
    "credibility_loss",
    "credibility_fade",
    "accountability",
    "professional_credibility_rate",
    "value_rate",
    "active_meetings",
)
SHIFTED = st.fixed_dictionaries({n: from_schema(PARAM_BY_NAME[n]) for n in SHIFTING})


@settings(max_examples=max(EXAMPLES // 2, 1), deadline=None)
@given(values=VALID, assumed=SHIFTED, seed=SEEDS)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_values_recognition_and_credibility_stay_in_their_bounds(values, assumed, seed):
    """Values stay weights summing to 1; recognition between its start and 1; credibility 0-1."""
    model = CoProductionModel(rng=seed, **(values | assumed))
    s, p = model.state, model.params
    start = s.initial_credibility.copy()
    while model.running:
        model.step()
        assert np.allclose(s.values.sum(axis=1), 1.0)
        assert (s.values >= -1e-12).all() and (s.values <= 1.0 + 1e-12).all()
        # Professionals' target is r0 + (1 - r0) x (a mean of shares): never below r0.
        assert (s.recognition[~s.lay] >= p.recognition_initial - 1e-12).all()
        assert (s.recognition <= 1.0 + 1e-12).all() and (s.recognition[s.lay] == 1.0).all()
        assert (s.credibility >= 0.0).all() and (s.credibility <= 1.0).all()
        assert ((s.evidence >= 0.0) & (s.evidence <= 1.0)).all()
        # Professionals only ever move towards experience, lay people only towards rights.
        moved = s.values[:, EXPERIENCE] - s.initial_values[:, EXPERIENCE]
        assert (moved[~s.lay] >= -1e-12).all() and (moved[s.lay] <= 1e-12).all()
        assert (s.values[s.lay, RIGHTS] >= s.initial_values[s.lay, RIGHTS] - 1e-12).all()
    assert (s.initial_credibility == start).all()  # the start is remembered, not moved
    assert np.allclose(s.initial_values.sum(axis=1), 1.0)
    final = model.final_metrics()
    assert final["values_shift_professional"] >= 0.0 >= final["values_shift_lay"]


@settings(max_examples=max(EXAMPLES // 2, 1), deadline=None)
@given(values=VALID, seed=SEEDS)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_prompt_expenses_refund_exactly_the_fares_of_who_came(values, seed):
    """Independent recomputation: refunds = fare x attending lay, disabled at the higher fare
    (people who join online travel nowhere: meeting_format), in the weeks the expenses rule
    is in force (managers under a tight budget may cut it to none: manager_adaptation; then
    in a hybrid programme some who travelled may choose to join online)."""
    values = dict(
        values, compensation="expenses", refund_delay=0, travel_support=False, user_led_funding=0.0
    )
    model = CoProductionModel(rng=seed, **values)
    s = model.state
    refunds = own = 0.0  # fares of the weeks under expenses, and of the weeks under none
    while model.running:
        # the rules and costs the week is settled by (managers change them at its end)
        refunded = model.rules.compensation == "expenses"
        travels = s.lay & ~model.costs.online
        lay_normal, lay_disabled = travels & ~s.disabled, travels & s.disabled
        model.step()
        trips = np.count_nonzero(s.attending & lay_normal) + model.params.disabled_travel_factor * (
            np.count_nonzero(s.attending & lay_disabled)
        )
        refunds += values["travel_cost"] * trips * refunded
        own += values["travel_cost"] * trips * (not refunded)
    assert close(model.ledger["refunds"], refunds)
    assert close(float(s.received.sum()), refunds)
    assert model.ledger["payments"] == 0.0 and model.ledger["travel"] == 0.0
    assert (s.owed == 0).all()
    came = np.count_nonzero(s.ever_attended & s.lay)
    out_of_pocket = model.final_metrics()["lay_out_of_pocket"]
    assert out_of_pocket == pytest.approx(own / came if came else 0.0, rel=1e-9, abs=1e-9)


@settings(max_examples=max(EXAMPLES // 3, 1), deadline=None)
@given(values=VALID, seed=SEEDS)
@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_prompt_payments_pay_exactly_the_hours_of_who_came(values, seed):
    values = dict(
        values,
        compensation="paid",
        refund_delay=0,
        user_led_funding=0.0,
        benefit_safe=True,
        manager_adaptation=0.0,  # the rules as set all run long: pay and pace never change
    )
    model = CoProductionModel(rng=seed, **values)
    s = model.state
    lay_came = pro_came = 0
    while model.running:
        model.step()
        lay_came += np.count_nonzero(s.attending & s.lay)
        pro_came += np.count_nonzero(s.attending & ~s.lay)
    hours = model.setting.hours[0]  # no user-led groups: every group has the same pace
    assert close(
        model.ledger["payments"],
        lay_came * values["payment_rate"] * model.params.professional_pay * hours,
    )
    assert close(model.ledger["staff"], pro_came * model.params.professional_pay * hours)
    # Hours paid nothing (payment_rate 0) are unpaid hours; paid hours are not.
    unpaid = lay_came * hours if values["payment_rate"] == 0 else 0.0
    assert close(model.final_metrics()["unpaid_lay_hours"], unpaid)


@pytest.mark.parametrize(
    "money",
    [
        {"travel_cost": 1e-310, "compensation": "expenses"},
        {"travel_cost": 0.0, "payment_rate": 1e-308, "compensation": "paid", "benefit_safe": True},
    ],
)
def test_tiny_but_valid_money_amounts_keep_the_metrics_finite(money):
    for seed in range(10):
        model = CoProductionModel(
            rng=seed,
            weeks=30,
            n_patients=0,
            n_carers=30,
            n_clinicians=1,
            n_managers=0,
            group_size=2,
            **money,
        )
        with np.errstate(all="ignore"):
            final = model.run()
        assert np.isfinite(model.state.motivation).all()
        assert all(math.isfinite(v) for v in final.values()), final


# ------------------------------------------------------------------------ validation


@settings(max_examples=50, deadline=None)
@given(values=VALID)
def test_valid_values_pass_validation_unchanged(values):
    assert validate(values) == DEFAULTS | values


def test_validation_completes_with_defaults():
    assert validate({}) == DEFAULTS
    assert validate({"pace": 0.2}) == DEFAULTS | {"pace": 0.2}


def test_run_params_have_exactly_the_schemas_names_and_types():
    hints = typing.get_type_hints(RunParams)
    assert [f.name for f in dataclasses.fields(RunParams)] == [p.name for p in EVERY_PARAM]
    python_type = {"int": int, "float": float, "bool": bool, "choice": str}
    for p in EVERY_PARAM:
        hint = hints[p.name]
        if p.kind == "choice":  # a Literal of exactly the schema's choices
            assert typing.get_origin(hint) is typing.Literal, p.name
            assert typing.get_args(hint) == p.choices, p.name
        else:
            assert hint is python_type[p.kind], p.name
        assert type(p.default) is python_type[p.kind], p.name


@settings(max_examples=50, deadline=None)
@given(values=VALID)
def test_run_params_hold_the_validated_values(values):
    params = RunParams.from_values(values)
    assert params.as_dict() == validate(values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.pace = 0.5  # type: ignore[misc]


NUMERIC = [p for p in PARAMS if p.kind in ("int", "float")]


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_out_of_range_numbers_are_rejected(data):
    p = data.draw(st.sampled_from(NUMERIC))
    # infinities for whole-number parameters: see test_infinite_whole_numbers_... below
    finite = p.kind == "int"
    below = st.floats(max_value=p.low, exclude_max=True, allow_nan=False, allow_infinity=not finite)
    above = st.floats(
        min_value=p.high, exclude_min=True, allow_nan=False, allow_infinity=not finite
    )
    value = data.draw(below | above)
    if p.kind == "int" and data.draw(st.booleans()) and math.isfinite(value):
        value = int(value)
        assume(not p.low <= value <= p.high)
    with pytest.raises(ParamError, match=p.name):
        validate({p.name: value})
    with pytest.raises(ParamError, match=p.name):
        CoProductionModel(**{p.name: value})


@pytest.mark.parametrize(
    "name, value", [("weeks", float("inf")), ("group_size", float("-inf")), ("n_patients", "1e400")]
)
def test_infinite_whole_numbers_are_rejected_with_param_error(name, value):
    with pytest.raises(ParamError, match=name):
        validate({name: value})


@pytest.mark.parametrize(
    "name, value",
    [
        ("n_patients", 2.5),
        ("n_patients", "abc"),
        ("n_patients", True),
        ("n_patients", None),
        ("n_patients", [3]),
        ("weeks", "1.5"),
        ("pace", "fast"),
        ("pace", float("nan")),
        ("pace", float("inf")),
        ("pace", "nan"),
        ("pace", False),
        ("pace", {}),
        ("compensation", "paidd"),
        ("compensation", 1),
        ("compensation", None),
        ("benefit_safe", "maybe"),
        ("benefit_safe", 1),
        ("benefit_safe", None),
        ("travel_support", 0.0),
        ("refund_delay", -1),
        ("meeting_interval", 0),
        ("group_size", 1),
        ("travel_cost", -0.01),
    ],
)
def test_mistyped_values_are_rejected_naming_the_parameter(name, value):
    with pytest.raises(ParamError) as err:
        validate({name: value})
    message = str(err.value)
    assert message.startswith(f"{name}: expected ")
    assert PARAM_BY_NAME[name].allowed in message


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("n_patients", "3", 3),
        ("n_patients", 3.0, 3),
        ("pace", "0.25", 0.25),
        ("pace", 1, 1.0),
        ("benefit_safe", "yes", True),
        ("benefit_safe", " OFF ", False),
        ("compensation", "paid", "paid"),
    ],
)
def test_well_formed_strings_and_numbers_are_coerced(name, value, expected):
    out = validate({name: value})[name]
    assert out == expected and type(out) is type(expected)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_unknown_names_are_rejected_with_did_you_mean(data):
    name = data.draw(st.sampled_from([p.name for p in PARAMS]))
    i = data.draw(st.integers(0, len(name) - 2))
    typo = data.draw(
        st.sampled_from(
            [
                name[:i] + name[i + 1 :],  # a letter dropped
                name[:i] + name[i] * 2 + name[i + 1 :],  # doubled
                name[:i] + name[i + 1] + name[i] + name[i + 2 :],  # swapped
                name + "s",
            ]
        )
    )
    assume(typo not in PARAM_BY_NAME)
    with pytest.raises(ParamError) as err:
        validate({typo: 1})
    message = str(err.value)
    assert f"unknown parameter '{typo}'" in message
    assert "did you mean '" in message
    suggested = message.split("did you mean '")[1].split("'")[0]
    assert suggested == name


def test_hopeless_names_get_no_suggestion_but_the_known_list():
    with pytest.raises(ParamError) as err:
        validate({"zzzzzz": 1})
    assert "did you mean" not in str(err.value)
    assert all(p.name in str(err.value) for p in PARAMS)
    assert "coprod params --assumptions" in str(err.value)  # where the others are listed


@pytest.mark.parametrize(
    "counts, word",
    [
        ({"n_patients": 0, "n_carers": 0}, "patient or carer"),
        ({"n_clinicians": 0, "n_managers": 0}, "clinician or manager"),
        ({"n_patients": 0, "n_carers": 0, "n_clinicians": 0, "n_managers": 0}, "patient or carer"),
    ],
)
def test_population_without_lay_or_professional_people_is_rejected(counts, word):
    with pytest.raises(ParamError, match=word):
        validate(counts)
    with pytest.raises(ParamError, match="population"):
        CoProductionModel(**counts)


@settings(max_examples=30, deadline=None)
@given(lay=st.sampled_from(LAY_COUNTS), pro=st.sampled_from(PROFESSIONAL_COUNTS))
def test_a_single_lay_person_and_professional_suffice(lay, pro):
    zero = dict.fromkeys(COUNTS, 0)
    model = CoProductionModel(rng=0, weeks=3, **(zero | {lay: 1, pro: 1}))
    final = model.run()
    assert all(math.isfinite(v) for v in final.values())
    assert len(model.agents) == 2


def test_metric_bounds_are_declared_sensibly():
    for m in METRICS:
        assert m.low < m.high
        assert m.how in ("rate", "total", "final")
    assert METRIC_BY_NAME["lay_out_of_pocket"].low == 0.0
