"""Rule 6, money: the UK benefit rules (``benefit_rules``: legacy-20, esa, uc; issue 11).

Hand-worked values on the populations of ``builders.py``; the rules' figures are read
from the registry by name (``ASSUMED.uc_taper``), and the worked numbers in the
comments use the 2025/26 defaults (taper 0.55, work allowance GBP 411 a month, ESA
limits GBP 20 and GBP 195.50 a week under 16 hours).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import ASSUMED, CARER, NEUTRAL, P0, P1, assert_as_before_issue_11, tiny

from simulation import CoProductionModel, metrics, money, motivation, participation

# ------------------------------------------------ the neutral values reproduce old runs

# The runs before benefit_rules existed (commit 7cf45df, builders.BEFORE_ISSUE_11). The
# suspension rule (legacy-20) with the other neutral values of issue 11 (builders.NEUTRAL:
# no link of benefits with disability or illness, no effect of language or literacy on
# fluency or credibility) reproduces them; the default rule is now Universal Credit.
# "defaults": those before issue 11, which NEUTRAL restores; "paid": paid, not
# benefit-safe, 52 weeks, when benefits are suspended on every seed.
SCENARIOS = {"defaults": {}, "paid": {"compensation": "paid", "weeks": 52}}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_legacy_20_and_the_neutral_values_reproduce_the_runs_before_benefit_rules_existed(
    name, seed
):
    model = CoProductionModel(rng=seed, **NEUTRAL, **SCENARIOS[name])
    assert model.params.benefit_rules == "legacy-20"
    model.run()
    assert_as_before_issue_11(model, name, seed)


def test_at_the_defaults_paid_meetings_are_tapered_by_universal_credit_not_suspended():
    model = CoProductionModel(rng=1, weeks=30, compensation="paid")
    assert model.params.benefit_rules == "uc" and not model.params.benefit_safe
    model.run()
    cuts = model.history[:, metrics.METRIC_NAMES.index("benefit_loss_events")]
    assert (cuts == 0).all() and (model.state.suspended_until == 0).all()
    assert model.state.taken_back.sum() > 0
    safe = CoProductionModel(rng=1, weeks=30, compensation="paid", benefit_safe=True)
    safe.run()
    assert safe.state.taken_back.sum() == 0.0


# --------------------------------------------------------------------------- Universal Credit


def _uc(pay: float = 60.0, **over):
    """P0 on UC without a work allowance, paid ``pay`` a meeting, refunds at once."""
    values = {
        "benefit_rules": "uc",
        "compensation": "paid",
        "benefit_safe": False,
        "refund_delay": 0,
        "travel_cost": 10.0,
    }
    p, s, st = tiny(**(values | over))
    s.on_benefits[[P0, P1]] = True
    costs = participation.prepare(s, p, st)
    return p, s, replace(costs, pay=np.where(np.arange(s.n) == P0, pay, 0.0))


def _settle(p, s, costs, weeks, attends):
    out = []
    for week in range(1, weeks + 1):
        s.attending[:] = [week in attends, False, False, False]
        out.append(money.settle(s, p, costs, week))
    return out


def test_uc_takes_55p_of_each_pound_of_a_months_pay_back_at_the_end_of_the_period():
    # GBP 60 in weeks 1 and 3: GBP 120 in the 4-week assessment period, no work allowance:
    # 0.55 x 120 = GBP 66 taken off the award at the end of the period (week 4), no
    # suspension. Money at hand is GBP 66 lower before it drifts: 66 (1 - r) after it.
    assert ASSUMED.uc_taper == 0.55 and ASSUMED.uc_assessment_weeks == 4
    p, s, costs = _uc()
    assert costs.allowance[P0] == 0.0 and np.isinf(costs.limit[P0])
    flows = _settle(p, s, costs, 8, {1, 3})
    assert [f.taken_back for f in flows] == pytest.approx([0, 0, 0, 66.0, 0, 0, 0, 0])
    assert s.taken_back.tolist() == pytest.approx([66.0, 0, 0, 0])
    assert all(f.benefit_cuts == 0 for f in flows) and (s.suspended_until == 0).all()
    p_safe, s_safe, costs_safe = _uc(benefit_safe=True)
    _settle(p_safe, s_safe, costs_safe, 4, {1, 3})
    s2 = _uc()[1]
    _settle(p, s2, costs, 4, {1, 3})
    r = ASSUMED.cash_recovery
    assert s_safe.cash[P0] - s2.cash[P0] == pytest.approx(66.0 * (1 - r))
    assert s_safe.taken_back.sum() == 0.0


def test_uc_counts_pay_in_the_assessment_period_it_arrives_in():
    # Paid 60 in weeks 4 and 5: week 4 closes the first period (0.55 x 60 = 33), week 5
    # falls in the second, assessed in week 8 (33 again).
    p, s, costs = _uc()
    flows = _settle(p, s, costs, 8, {4, 5})
    assert [f.taken_back for f in flows] == pytest.approx([0, 0, 0, 33.0, 0, 0, 0, 33.0])


@pytest.mark.parametrize(
    ("earned", "limited", "want"),
    [
        (120.0, False, 66.0),  # no work allowance: from the first pound
        (120.0, True, 0.0),  # within the GBP 411 allowance
        (500.0, True, 0.55 * (500.0 - 411.0)),  # 48.95: only the GBP 89 above it
    ],
)
def test_the_work_allowance_goes_to_claimants_with_limited_capability_for_work(
    earned, limited, want
):
    p, s, st = tiny(benefit_rules="uc", compensation="paid", refund_delay=0)
    s.on_benefits[P0] = True
    s.disabled[P0] = limited  # disabled: limited capability for work
    costs = participation.prepare(s, p, st)
    costs = replace(costs, pay=np.where(np.arange(s.n) == P0, earned, 0.0))
    _settle(p, s, costs, 4, {1})
    assert s.taken_back[P0] == pytest.approx(want)


def test_limited_capability_for_work_is_disability_or_a_patients_illness():
    p, s, st = tiny(benefit_rules="uc")
    s.illness[:] = [ASSUMED.uc_lcw_illness, ASSUMED.uc_lcw_illness - 0.01, 0.9, 0.0]
    _limit, allowance = participation.benefit_limits(s, p, st.hours_a)
    # the carer's 0.9 is a caring burden, not their own illness: no allowance
    assert allowance.tolist() == [ASSUMED.uc_work_allowance, 0.0, 0.0, 0.0]
    s.disabled[CARER] = True
    assert participation.benefit_limits(s, p, st.hours_a)[1][CARER] == ASSUMED.uc_work_allowance


def test_money_taken_back_raises_fear_by_its_size_and_word_of_it_spreads():
    # GBP 66 taken back; a suspension would cost the weekly budget (100) for 5 weeks, 500:
    # a loss of 66 / 500 = 0.132 of a suspension. P1 (on benefits, same group) fears
    # 0.2 + 0.3 x 0.132 x 0.8 = 0.23168; P0 that, then 0.132 of the way to 1: 0.33309824.
    assert ASSUMED.word_of_mouth == 0.3 and ASSUMED.suspension_weeks == 5
    p, s, costs = _uc()
    s.benefit_fear[[P0, P1]] = 0.2
    flows = _settle(p, s, costs, 4, {1, 3})
    assert flows[3].loss.tolist() == pytest.approx([0.132, 0, 0, 0])
    assert s.benefit_fear.tolist() == pytest.approx([0.33309824, 0.23168, 0.0, 0.0])
    # ... and saps motivation by benefit_shock x 0.132 (0.3 x 0.132 = 0.0396)
    s.last_attended[:] = 3  # nobody away long enough to drift back to their baseline
    before = s.motivation.copy()
    motivation.update(s, p, None, None, flows[3], 4)
    assert (before - s.motivation).tolist() == pytest.approx([0.0396, 0, 0, 0])


def test_a_loss_as_large_as_a_suspension_frightens_as_a_suspension_does():
    # 0.55 x 1000 = 550 > 500 (100 for 5 weeks): fear 1, as after a suspension.
    p, s, costs = _uc(pay=1000.0)
    s.benefit_fear[[P0, P1]] = 0.2
    _settle(p, s, costs, 4, {1})
    assert s.benefit_fear[P0] == 1.0
    assert s.benefit_fear[P1] == pytest.approx(0.2 + 0.3 * 0.8)


def test_uc_never_suspends_and_a_benefit_safe_scheme_takes_nothing_back():
    p, s, costs = _uc(pay=1000.0, benefit_safe=True)
    flows = _settle(p, s, costs, 8, {1, 2, 3, 5})
    assert sum(f.taken_back for f in flows) == 0.0 and (s.taken_back == 0).all()
    assert all(f.benefit_cuts == 0 and f.loss is None for f in flows)


def test_uc_claimants_weigh_the_pay_they_keep_and_fear_only_if_it_is_tapered():
    # pace 0.5: 3 hours, pay 0.5 x 35 x 3 = 52.5 a meeting, 2 meetings a period. P0 has no
    # allowance: keeps 0.45 x 52.5 = 23.625, weighed against 100 at hand; P1, disabled,
    # has 411 a period, 205.5 a meeting: keeps it all and has nothing to fear.
    over = {"compensation": "paid", "payment_rate": 0.5, "pace": 0.5, "travel_cost": 0.0}
    p, s, st = tiny(benefit_rules="uc", **over)
    s.on_benefits[[P0, P1]] = True
    s.disabled[P1] = True
    uc = participation.prepare(s, p, st)
    p_safe, st_safe = tiny(benefit_rules="uc", benefit_safe=True, **over)[::2]
    safe = participation.prepare(s, p_safe, st_safe)
    w = ASSUMED.weight_pay
    lost = w * (52.5 / 152.5 - 23.625 / 123.625)
    assert (safe.base_utility - uc.base_utility).tolist() == pytest.approx([lost, 0, 0, 0])
    assert uc.risky.tolist() == [True, False, False, False]
    assert not safe.risky.any()


# ------------------------------------------------------------------------------------- ESA


def test_esa_limits_follow_the_hours():
    p, s, _st = tiny(benefit_rules="esa")
    hours = np.array([2.6, 15.9, 16.0, 20.0])
    limit, _ = participation.benefit_limits(s, p, hours)
    # under 16 hours: the higher limit, GBP 195.50; at 16 or more: the lower, GBP 20
    assert limit.tolist() == [195.5, 195.5, 20.0, 20.0]
    # legacy-20: the lever, whatever the hours
    p_old, s_old, _ = tiny(benefit_rules="legacy-20", permitted_earnings=35.0)
    assert participation.benefit_limits(s_old, p_old, hours)[0].tolist() == [35.0] * 4


@pytest.mark.parametrize(
    ("payment_rate", "pace", "cut"),
    [
        (0.5, 0.5, False),  # 0.5 x 35 x 3 = 52.5 a meeting: under 195.50, kept
        (1.5, 0.0, True),  # 1.5 x 35 x 4 = 210 > 195.50: the benefit is suspended
    ],
)
def test_esa_suspends_only_above_the_higher_limit(payment_rate, pace, cut):
    p, s, st = tiny(
        benefit_rules="esa",
        compensation="paid",
        payment_rate=payment_rate,
        pace=pace,
        refund_delay=0,
        benefit_safe=False,
    )
    s.on_benefits[P0] = True
    s.benefit_fear[P0] = 0.2
    costs = participation.prepare(s, p, st)
    assert costs.risky[P0] == cut
    s.attending[:] = [True, False, False, False]
    flows = money.settle(s, p, costs, 1)
    assert flows.benefit_cuts == int(cut) and flows.taken_back == 0.0
    assert s.suspended_until[P0] == (1 + ASSUMED.suspension_weeks if cut else 0)
    assert s.benefit_fear[P0] == (1.0 if cut else 0.2)


def test_the_benefit_taken_back_metric_is_per_claimant_who_took_part():
    p, s, costs = _uc()
    _settle(p, s, costs, 4, {1, 3})  # P0 (on benefits) came; P1 (on benefits) never did
    s.ever_attended[P0] = True  # (participation.take_part marks it in a run)
    v = metrics.weekly(s, p, {}, None, None, money.Flows(), {"cost": 0.0, "insights": 0.0}, 4)
    assert v["benefit_taken_back"] == pytest.approx(66.0)
    s.ever_attended[P1] = True
    v = metrics.weekly(s, p, {}, None, None, money.Flows(), {"cost": 0.0, "insights": 0.0}, 4)
    assert v["benefit_taken_back"] == pytest.approx(33.0)


def test_the_story_tells_what_each_benefit_rule_took():
    from dashboards import story

    uc = CoProductionModel(rng=1, weeks=30, compensation="paid", benefit_rules="uc")
    uc.run()
    text = story.markdown(uc)
    taken = uc.state.taken_back.sum()
    assert taken > 0 and f"Universal Credit took back £{taken:,.0f}" in text
    assert "Nobody's benefit was suspended" in text and "Benefits were cut" not in text
    assert "Nobody has lost benefits" not in text
    esa = CoProductionModel(rng=1, weeks=30, compensation="paid", benefit_rules="esa")
    esa.run()
    assert "Nobody has lost benefits so far." in story.markdown(esa)
    dear = CoProductionModel(
        rng=1, weeks=30, compensation="paid", benefit_rules="esa", payment_rate=2.0, pace=0.0
    )
    dear.run()  # 2 x 35 x 4 = GBP 280 a meeting: above the higher limit
    assert "ESA's permitted-work limit (£195.50 a week under 16 hours, else £20)" in (
        story.markdown(dear)
    )
