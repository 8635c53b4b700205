"""Rule 9, management: managers review spending and outputs, cut, and give way.

Built on the hand-set populations of ``builders.py`` with one manager added (agent 4 in
``tiny``; the last agents in ``several``). The hand-worked tests name the assumption
values they work with (review every 13 weeks, 5% tolerance, pace step 0.1, interval step
1 week), so that they hold whatever the defaults.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import CARER, GROUPS, LAY, NEUTRAL, P0, P1, assert_as_before_issue_11, tiny

from simulation import management, metrics
from simulation.model import CoProductionModel
from simulation.population import EXPERIENCE, MANAGER, RIGHTS

MANAGER_AT = 4  # in tiny(n_managers=1): patients 0, 1, carer 2, clinician 3, manager 4
RULES = {
    "n_managers": 1,
    "review_interval": 13,
    "overspend_tolerance": 0.05,
    "pace_step": 0.1,
    "interval_step": 1,
    "budget": 52_000.0,  # GBP 1,000 a week: GBP 13,000 by week 13
    "manager_adaptation": 1.0,
}


def _setup(**over):
    p, s, _st = tiny(**(RULES | over))
    assert s.role[MANAGER_AT] == MANAGER
    s.values[MANAGER_AT] = [0.0, 1.0, 0.0]  # wholly managerial: no give
    s.satisfaction[:] = 1.0  # nobody dissatisfied: no push-back
    return p, s, management.start(s)


def test_no_review_between_review_weeks_nor_in_the_last_week():
    p, s, m = _setup(compensation="paid", weeks=26)
    for week in (12, 14, 26):  # 26 is the last week: nothing left to manage
        assert management.review(s, p, m, week, 1e9) == (p, [])
    assert m.events == [] and m.resolve == 0.0


def test_a_review_over_budget_cuts_payment_to_expenses_first_with_its_reason():
    # Week 13: GBP 13,000 pro rata. GBP 15,000 spent is 15.4% over, above the 5% tolerance:
    # the first cut, payment (paid -> expenses).
    p, s, m = _setup(compensation="paid")
    rules, events = management.review(s, p, m, 13, 15_000.0)
    assert rules.compensation == "expenses"
    assert rules.pace == p.pace and rules.meeting_interval == p.meeting_interval
    (event,) = events
    assert (event.week, event.rule) == (13, "compensation")
    assert (event.old, event.new) == ("paid", "expenses")
    assert "15% above" in event.reason and "GBP 13,000" in event.reason
    assert m.events == [event]


def test_spending_within_the_tolerance_cuts_nothing():
    # GBP 13,600 is 4.6% over GBP 13,000: within 5%.
    p, s, m = _setup(compensation="paid")
    assert management.review(s, p, m, 13, 13_600.0) == (p, [])


def test_cuts_go_down_the_ladder_within_the_users_bounds():
    # Expenses is the floor: pace 0.7 -> 0.8 -> 0.85 (the limit), then the interval
    # 2 -> 3 (the limit), then a group (tiny has one, and groups_floor keeps it): nothing.
    p, s, m = _setup(
        compensation="expenses", pace=0.7, pace_limit=0.85, meeting_interval=2, interval_limit=3
    )
    seen = []
    for k in range(1, 6):
        p, events = management.review(s, p, m, 13 * k, 1e9)
        seen.append([(e.rule, e.old, e.new) for e in events])
    assert seen[0] == [("pace", 0.7, pytest.approx(0.8))]
    assert seen[1] == [("pace", pytest.approx(0.8), 0.85)]
    assert seen[2] == [("meeting_interval", 2, 3)]
    assert seen[3] == seen[4] == []
    assert (p.compensation, p.pace, p.meeting_interval) == ("expenses", 0.85, 3)


def test_a_floor_of_none_lets_managers_cut_expenses_too():
    p, s, m = _setup(compensation="expenses", compensation_floor="none")
    rules, _ = management.review(s, p, m, 13, 1e9)
    assert rules.compensation == "none"


def test_half_adaptation_cuts_at_every_second_review_over_budget():
    # Resolve 0.5 at week 13 (no cut), 1.0 at week 26 (a cut, back to 0), 0.5 at week 39.
    p, s, m = _setup(compensation="paid", manager_adaptation=0.5)
    counts = []
    for week in (13, 26, 39):
        p, events = management.review(s, p, m, week, 1e9)
        counts.append(len(events))
    assert counts == [0, 1, 0] and p.compensation == "expenses"


def test_the_last_cut_closes_the_group_with_fewest_insights_per_pound():
    # Thirteen people in four groups of at most four, every other cut used up. Insights
    # per GBP 1,000: 10, 2, 6, 4: group 1 closes, then group 3; groups_floor 0.5 keeps
    # ceil(0.5 x 4) = 2 groups open, so a third cut closes nothing.
    p, s, _st = tiny(
        **(
            RULES
            | {"n_patients": 2 * GROUPS, "n_carers": GROUPS, "n_clinicians": GROUPS}
            | {"group_size": 4, "compensation": "expenses", "pace": 0.9, "pace_limit": 0.9}
            | {"meeting_interval": 4, "interval_limit": 4, "groups_floor": 0.5}
        )
    )
    assert s.n_groups == 4 and not s.user_led.any()
    s.values[s.role == MANAGER] = [0.0, 1.0, 0.0]
    s.satisfaction[:] = 1.0
    m = management.start(s)
    m.insights[:], m.cost[:] = [10.0, 2.0, 6.0, 4.0], 1000.0
    news = []
    for week in (13, 26, 39):
        _, events = management.review(s, p, m, week, 1e9)
        news.append([e.new for e in events])
    assert news == [["group 1 closed"], ["group 3 closed"], []]
    assert "fewest insights per pound (2.00 per GBP 1,000)" in m.events[0].reason
    assert m.closed.tolist() == [False, True, False, True]
    assert management.open_mask(s, m).tolist() == (~m.closed[s.group]).tolist()


def _dissatisfied(s, rights_unhappy, week=13):
    """Every lay person active; ``rights_unhappy`` rights-based and below aspiration."""
    s.last_attended[LAY] = week
    s.values[LAY] = np.eye(3)[EXPERIENCE]
    s.values[rights_unhappy] = np.eye(3)[RIGHTS]
    s.satisfaction[rights_unhappy] = 0.1


def test_push_back_moves_power_and_openness_by_the_dissatisfied_share():
    # Manager (0.1, 0.6, 0.3): gives way up to c = 1 - 0.6 = 0.4. One of three active lay
    # people rights-based and dissatisfied: d = 1/3. a = 1: power 0.3 + 1/3 (0.4 - 0.3)
    # = 0.3333; openness alike. Spending on budget: no cut.
    p, s, m = _setup(power_sharing=0.3, agenda_openness=0.3)
    s.values[MANAGER_AT] = [0.1, 0.6, 0.3]
    _dissatisfied(s, [P0])
    assert management.pushing_back(s, p, 13) == pytest.approx(1 / 3)
    rules, events = management.review(s, p, m, 13, 13_000.0)
    assert rules.power_sharing == pytest.approx(0.3 + 0.1 / 3)
    assert rules.agenda_openness == pytest.approx(0.3 + 0.1 / 3)
    assert [e.rule for e in events] == ["power_sharing", "agenda_openness"]
    assert "33% of active patients and carers" in events[0].reason


def test_push_back_restores_power_sharing_up_to_the_managers_weight_and_no_further():
    # Every lay person rights-based and dissatisfied (d = 1), a = 1: power goes to the
    # manager's ceiling 0.4 at once; at the next review nothing moves (already there).
    # Openness 0.5 is above the ceiling: managers give no more.
    p, s, m = _setup(power_sharing=0.1, agenda_openness=0.5)
    s.values[MANAGER_AT] = [0.1, 0.6, 0.3]
    _dissatisfied(s, LAY)
    p, events = management.review(s, p, m, 13, 0.0)
    assert p.power_sharing == pytest.approx(0.4) and p.agenda_openness == 0.5
    assert [e.rule for e in events] == ["power_sharing"]
    _dissatisfied(s, LAY, week=26)
    p, events = management.review(s, p, m, 26, 0.0)
    assert events == [] and p.power_sharing == pytest.approx(0.4)


def test_half_adaptation_gives_half_the_way_and_a_managerial_manager_none():
    p, s, m = _setup(power_sharing=0.1, manager_adaptation=0.5)
    s.values[MANAGER_AT] = [0.1, 0.6, 0.3]
    _dissatisfied(s, LAY)
    rules, _ = management.review(s, p, m, 13, 0.0)
    assert rules.power_sharing == pytest.approx(0.1 + 0.5 * 0.3)
    s.values[MANAGER_AT] = [0.0, 1.0, 0.0]  # wholly managerial: ceiling 0
    assert management.review(s, p, m, 26, 0.0) == (p, [])


def test_satisfied_or_experience_based_lay_people_do_not_push_back():
    p, s, _m = _setup()
    _dissatisfied(s, [P1])
    s.satisfaction[P1] = 0.5  # above aspiration (0.4)
    assert management.pushing_back(s, p, 13) == 0.0
    s.satisfaction[CARER] = 0.1  # dissatisfied, but experience-based
    assert management.pushing_back(s, p, 13) == 0.0
    s.last_attended[LAY] = -100  # nobody active
    assert management.pushing_back(s, p, 13) == 0.0


def test_metrics_budget_used_and_lay_cost_share_by_hand():
    # Budget GBP 52,000 a year, week 26: GBP 26,000 pro rata; GBP 13,000 spent: 0.5.
    # Lay carry: fares never refunded 20 + unpaid hours 10 + 5 valued at 0.5 x GBP 30 =
    # 20 + 225 = 245; full cost 245 + 13,000: share 245 / 13,245.
    p, s, _m = _setup(payment_rate=0.5, professional_pay=30.0)
    s.unpaid_hours[:] = [10.0, 0.0, 5.0, 0.0, 0.0]
    v: dict[str, float] = {}
    metrics._management(v, s, p, 13_000.0, 20.0, 26, 3)
    assert v == {
        "rule_changes": 3.0,
        "budget_used": pytest.approx(0.5),
        "lay_cost_share": pytest.approx(245 / 13_245),
    }
    s.unpaid_hours[:] = 0.0
    metrics._management(v, s, p, 0.0, 0.0, 0, 0)  # week 0: nothing spent, nothing carried
    assert v == {"rule_changes": 0.0, "budget_used": 0.0, "lay_cost_share": 0.0}


# The runs at the defaults before issue 11 (commit 7cf45df, builders.BEFORE_ISSUE_11):
# issue 11's neutral values (builders.NEUTRAL: the suspension rule, no link of benefits
# with disability or illness, no effect of language or literacy) reproduce them, with
# managers who keep the rules as set (manager_adaptation 0, the default).
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_neutral_values_reproduce_the_runs_before_managers(seed):
    model = CoProductionModel(rng=seed, **NEUTRAL)
    model.run()
    assert_as_before_issue_11(model, "defaults", seed)
    assert model.events == [] and model.rules is model.params


def test_a_squeezed_run_records_each_change_in_events_history_and_rules():
    # Weekly paid meetings cost about three times the default's budget: the first review
    # (week 13) cuts payment, and from then on lay meeting hours go unpaid.
    model = CoProductionModel(
        rng=0, weeks=30, meeting_interval=1, compensation="paid", manager_adaptation=1.0
    )
    final = model.run()
    weeks = [e.week for e in model.events]
    assert weeks and set(weeks) <= {13, 26}
    first = model.events[0]
    assert (first.week, first.rule, first.new) == (13, "compensation", "expenses")
    column = model.history[:, metrics.METRIC_NAMES.index("rule_changes")]
    assert column.sum() == len(model.events) == final["rule_changes"]
    assert column[12] >= 1 and column[:12].sum() == 0
    assert model.rules.compensation == "expenses" and model.params.compensation == "paid"
    assert (model.costs.pay == 0).all()
    unpaid = model.history[:, metrics.METRIC_NAMES.index("unpaid_lay_hours")]
    assert unpaid[:13].sum() == 0 and unpaid[13:].sum() > 0
    assert final["budget_used"] > 2 and 0 < final["lay_cost_share"] < 1


def test_members_of_a_closed_group_stop_coming():
    model = CoProductionModel(rng=1, weeks=20, manager_adaptation=1.0)
    for _ in range(5):
        model.step()
    model.management.closed[0] = True
    model.costs = replace(model.costs, open=management.open_mask(model.state, model.management))
    while model.running:
        model.step()
    s = model.state
    assert not (s.last_attended[s.group == 0] > 5).any()
    assert (s.last_attended[s.group != 0] > 5).any()
