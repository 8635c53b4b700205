"""Outcome metrics on hand-set cases (simulation/metrics.py).

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from builders import ASSUMED, CARER, CLIN, GROUPS, P0, P1, hand_talk, members, several, tiny

from simulation import metrics, population, runs
from simulation.decisions import Decisions
from simulation.knowledge import Insights
from simulation.money import Flows
from simulation.population import EXPERIENCE, MANAGERIAL, RIGHTS


def test_aggregate_takes_rates_from_the_last_quarter_totals_and_finals():
    weeks = 10
    history = np.arange(weeks * len(metrics.METRIC_NAMES), dtype=float).reshape(weeks, -1)
    out = metrics.aggregate(history)
    tail = history[weeks - weeks // 4 :]
    for j, m in enumerate(metrics.METRICS):
        want = {"rate": tail[:, j].mean(), "total": history[:, j].sum(), "final": history[-1, j]}[
            m.how
        ]
        assert out[m.name] == pytest.approx(want)
    short = metrics.aggregate(history[:3])  # under 4 weeks: the last week is the tail
    rate = next(j for j, m in enumerate(metrics.METRICS) if m.how == "rate")
    assert short[metrics.METRIC_NAMES[rate]] == history[2, rate]
    assert metrics.aggregate(history[:0]) == dict.fromkeys(metrics.METRIC_NAMES, 0.0)


def test_aggregate_runs_sums_each_runs_own_weeks_as_aggregate_does():
    # Runs of 8, 3 and 0 weeks in one (runs, 8, metrics) array; run 1's last 5 weeks
    # are not its own (set to 1e300: read, they would swamp its sums).
    m = len(metrics.METRIC_NAMES)
    history = np.zeros((3, 8, m))
    history[0] = np.arange(8.0)[:, None]  # weeks 0..7: rate (6+7)/2, total 28, final 7
    history[1, :3] = [[0.1], [0.2], [0.7]]  # rate 0.7 (one week), total 0.1+0.2+0.7
    history[1, 3:] = 1e300
    got = metrics.aggregate_runs(history, [8, 3, 0])
    want = {"rate": (6.5, 0.7), "total": (28.0, 0.1 + 0.2 + 0.7), "final": (7.0, 0.7)}
    for m_ in metrics.METRICS:
        assert (got[0][m_.name], got[1][m_.name]) == want[m_.how]
    assert got[2] == dict.fromkeys(metrics.METRIC_NAMES, 0.0)
    # Noisy values of every magnitude: each run's numbers to the bit, as aggregate's alone.
    rng = np.random.default_rng(1)
    noisy = rng.standard_normal((5, 40, m)) * np.exp(8 * rng.standard_normal((5, 40, m)))
    lengths = [40, 13, 40, 1, 13]
    for r, final in enumerate(metrics.aggregate_runs(noisy, lengths)):
        alone = metrics.aggregate(noisy[r, : lengths[r]])
        assert np.array(list(final.values())).tobytes() == np.array(list(alone.values())).tobytes()


def test_gini_of_known_distributions():
    assert metrics.gini(np.ones(5)) == 0.0
    assert metrics.gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    assert metrics.gini(np.array([1.0, 3.0])) == pytest.approx(0.25)
    assert metrics.gini(np.array([])) == 0.0 and metrics.gini(np.zeros(3)) == 0.0


def test_meeting_metrics_count_who_came():
    _p, s, _st = tiny(group_size=10)
    s.on_benefits[:] = [True, False, False, False]
    s.disabled[:] = [False, False, True, False]
    s.attending[:] = [True, False, False, True]
    s.ever_attended[:] = s.attending
    s.last_attended[:] = np.where(s.attending, 5, -(10**6))
    s.influence[:] = [0.25, 0.0, 0.0, 0.75]
    talk = hand_talk(
        4,
        [[0, 1, 3], [0, 0, 0], [0, 0, 0], [4, 2, 0]],
        [[0, 1, 1], [0, 0, 0], [0, 0, 0], [3, 2, 0]],
    )
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), talk, 5)
    assert v["participation_lay"] == pytest.approx(1 / 3)
    assert v["participation_professional"] == 1.0
    assert v["participation_benefits"] == 1.0 and v["participation_disabled"] == 0.0
    eps = ASSUMED.parity_eps
    assert v["participation_parity"] == pytest.approx((0.5 + eps) / (0.0 + eps))
    assert v["lay_voice_share"] == pytest.approx(4 / 10)
    assert v["experiential_share"] == pytest.approx(1 / 7)
    assert v["influence_gini"] == pytest.approx(metrics.gini(np.array([0.25, 0.75])))
    assert v["mean_trust"] == pytest.approx(s.trust[[P0, CLIN]].mean())
    assert v["power_gap"] == pytest.approx(0.8 - 0.3)


def test_parity_is_not_a_disparity_when_nobody_is_disadvantaged():
    _p, s, _st = tiny()
    s.attending[:] = True  # everyone came: there is no disparity of any kind
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 1)
    if v["participation_lay"] != 1.0:
        pytest.fail("precondition: all lay people attend")
    assert v["participation_parity"] == pytest.approx(1.0)


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


def _weekly(s, week, flows=None, insights=None, decisions=None, totals=None):
    totals = {"cost": 0.0, "insights": 0.0} if totals is None else totals
    return metrics.weekly(s, ASSUMED, {}, insights, decisions, flows or Flows(), totals, week)


def test_retention_counts_lay_people_of_the_first_weeks_who_came_in_the_last_eight():
    # week 50: "the last 8 weeks" are 43-50. Of the lay people who came in weeks 1-8
    # (P0, P1), P0 last came in week 43 (retained) and P1 in week 42 (lost): 1 / 2.
    # The carer came lately but not at first; the clinician is not lay: neither counts.
    _p, s, _st = tiny()
    s.first_weeks[:] = [True, True, False, True]
    s.last_attended[:] = [43, 42, 50, 50]
    assert _weekly(s, 50)["retention_lay"] == 0.5
    s.last_attended[P1] = 43
    assert _weekly(s, 50)["retention_lay"] == 1.0
    s.first_weeks[:] = False  # nobody came at first: nothing to retain
    assert _weekly(s, 50)["retention_lay"] == 0.0


def test_cross_role_ties_count_both_ends_per_active_participant(both_loops):
    # Strong ties P0-clinician and P1-clinician: 2 ties, each with 2 ends, among 4 active
    # people: 2 * 2 / 4 = 1.0. With P1 inactive (last came 8 weeks ago): 2 * 1 / 3.
    _p, s, _st = tiny()
    for lay in (P0, P1):
        for a, b in ((lay, CLIN), (CLIN, lay)):
            s.ties[0, s.slot[a], s.slot[b]] = ASSUMED.strong_tie + 0.1
    s.ties[0, s.slot[CARER], s.slot[CLIN]] = s.ties[0, s.slot[CLIN], s.slot[CARER]] = 0.5  # not >
    s.last_attended[:] = 10
    assert metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 10)["cross_role_ties"] == 1.0
    s.last_attended[P1] = 2  # 10 - 8: not active
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 10)
    assert v["cross_role_ties"] == pytest.approx(2 / 3)


def test_weekly_outputs_money_and_running_cost_per_insight_by_hand():
    _p, s, _st = tiny()
    s.unpaid_hours[:] = [6.0, 3.0, 0.0, 0.0]
    s.ever_attended[:] = [True, True, False, True]  # two lay people ever came
    # Spent and never to be refunded: P0 10, P1 5; fronted and still owed: P0 4, P1 6.
    s.never_refunded[:] = [10.0, 5.0, 0.0, 0.0]
    s.owed[:] = [4.0, 6.0, 0.0, 0.0]
    s.out_of_pocket[:] = s.never_refunded + s.owed
    totals = {"cost": 0.0, "insights": 0.0}
    # week 1: no meeting, 90 spent, no insights yet: 90 / max(0, 1) = 90
    v = _weekly(s, 1, Flows(staff=90.0, unpaid_hours=2.0, benefit_cuts=1), totals=totals)
    assert v["programme_cost"] == 90.0 and v["cost_per_insight"] == 90.0
    assert v["insights"] == v["insights_adopted"] == 0.0
    assert v["insights_lay_origin"] == v["insights_unexpected"] == 0.0
    assert v["unpaid_lay_hours"] == 2.0 and v["benefit_loss_events"] == 1.0
    assert v["unpaid_hours_per_lay_participant"] == 4.5  # (6 + 3) / 2
    assert v["lay_out_of_pocket"] == 7.5  # (10 + 5) / 2, never refunded
    assert v["lay_awaiting_refund"] == 5.0  # (4 + 6) / 2, still to come
    # week 2: 60 spent (45 pay + 15 refunds), 4 insights: (90 + 60) / 4 = 37.5
    ins = Insights(np.array([4]), np.array([1]), np.array([3]), np.zeros((1, 3)), np.zeros((1, 3)))
    dec = Decisions(np.array([2]), np.array([1]), np.zeros(1), np.zeros(1), np.array([4]))
    v = _weekly(s, 2, Flows(payments=45.0, refunds=15.0), ins, dec, totals)
    assert v["programme_cost"] == 60.0 and v["cost_per_insight"] == 37.5
    assert v["insights"] == 4.0 and v["insights_unexpected"] == 1.0
    assert v["insights_lay_origin"] == 3.0 and v["insights_adopted"] == 2.0
    assert totals == {"cost": 150.0, "insights": 4.0}
    # week 3: 30 more spent, 2 more insights: (150 + 30) / (4 + 2) = 30
    ins = Insights(np.array([2]), np.array([0]), np.array([0]), np.zeros((1, 3)), np.zeros((1, 3)))
    v = _weekly(s, 3, Flows(staff=30.0), ins, dec, totals)
    assert v["cost_per_insight"] == 30.0 and totals == {"cost": 180.0, "insights": 6.0}


def test_participation_and_satisfaction_by_rationale_by_hand():
    _p, s, _st = tiny()
    s.rationale[:] = [RIGHTS, EXPERIENCE, RIGHTS, MANAGERIAL]
    s.low_money[:] = [False, True, False, False]
    s.attending[:] = [True, False, False, True]
    s.ever_attended[:] = [True, True, False, True]
    s.satisfaction[:] = [0.2, 0.6, 0.9, 0.7]
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 5)
    # rights-based lay people: P0 (came) and the carer (did not): 1 / 2
    assert v["participation_rights_based"] == 0.5
    assert v["participation_low_money"] == 0.0  # P1, the one with least money, stayed away
    # satisfaction of those of each rationale who ever came: rights P0 0.2 (the carer never
    # came); experience P1 0.6; managerial the clinician 0.7
    assert v["satisfaction_rights"] == pytest.approx(0.2)
    assert v["satisfaction_experience"] == pytest.approx(0.6)
    assert v["satisfaction_managerial"] == pytest.approx(0.7)
    s.ever_attended[:] = False  # nobody ever came: satisfaction is neutral, 0.5
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 5)
    assert [v[f"satisfaction_{r}"] for r in ("rights", "managerial", "experience")] == [0.5] * 3


def test_the_readme_metric_table_by_hand():
    lines = metrics.markdown_table().split("\n")
    assert lines[:2] == [
        "| metric | produces | unit | how a run sums it up | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    assert len(lines) == 2 + len(metrics.METRICS)
    assert (
        "| `insights` | knowledge | insights | sum over the run | new insights produced |" in lines
    )
    assert (
        "| `mean_trust` | social relations | 0-1 | mean of the last quarter "
        "| mean trust of active participants in the others |"
    ) in lines
    assert any(
        line.startswith("| `retention_lay` |") and "| value at the end |" in line for line in lines
    )


def test_ratio_divides_by_any_positive_denominator():
    assert metrics.ratio(1.0, 0.5) == 2.0
    assert metrics.ratio(3.0, 1.0) == 3.0
    assert metrics.ratio(3.0, 0.0) == 0.0 and metrics.ratio(3.0, 0.0, empty=1.0) == 1.0


def test_power_gap_and_trust_average_over_each_side_of_the_active():
    # All four active, nobody on benefits. Credibility lay 0.2, 0.4, 0.3 (mean 0.3),
    # clinician 0.8: gap 0.8 - 0.3 = 0.5. Trust lay 0.4 (three), clinician 0.5:
    # (1.2 + 0.5) / 4 = 0.425. No meeting this week: nothing said, so no shares.
    _p, s, _st = tiny()
    s.credibility[:] = [0.2, 0.4, 0.3, 0.8]
    s.last_attended[:] = 7
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 7)
    assert v["power_gap"] == pytest.approx(0.5)
    assert v["mean_trust"] == pytest.approx(0.425)
    assert v["lay_voice_share"] == 0.0 and v["experiential_share"] == 0.0
    # nobody on benefits or disabled: their participation is 0, not undefined
    assert v["participation_benefits"] == 0.0 and v["participation_disabled"] == 0.0
    s.last_attended[:] = -100  # nobody active: no trust to average
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 7)
    assert v["mean_trust"] == 0.0 and v["power_gap"] == 0.0


def test_parity_with_one_disadvantaged_person_and_with_no_one_to_compare():
    eps = ASSUMED.parity_eps
    _p, s, _st = tiny()
    s.rationale[:] = RIGHTS  # rights-based, all of them
    s.on_benefits[P0] = True
    s.attending[:] = [True, True, False, True]
    # disadvantaged: P0 (came) 1 / 1; other lay: P1 (came), carer (not) 1 / 2
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 3)
    assert v["participation_parity"] == pytest.approx((1.0 + eps) / (0.5 + eps))
    s.on_benefits[[P1, CARER]] = True  # every lay person disadvantaged: no one to compare with
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 3)
    assert v["participation_parity"] == 1.0


def test_influence_gini_is_within_each_meeting_weighted_by_attendance(both_loops):
    # Group 0, all four present with influence 0.1, 0.2, 0.3, 0.4: sum over pairs i < j
    # of |x_i - x_j| = 0.1 + 0.2 + 0.3 + 0.1 + 0.2 + 0.1 = 1.0; Gini = 2 * 1.0 / (2 * 4 * 1)
    # = 0.25. Group 1, two present at 0.2 and 0.8: 2 * 0.6 / (2 * 2 * 1) = 0.3. Group 2,
    # one present (a meeting of one holds all of it): 0. Weighted by attendance 4, 2, 1:
    # (0.25 * 4 + 0.3 * 2 + 0) / 7 = 1.6 / 7 = 0.228571. Pooled across meetings, the
    # seven shares (0.1, 0.2, 0.3, 0.4, 0.2, 0.8, 1.0) would read otherwise.
    _p, s, _st = several()
    assert GROUPS == 3
    g0, g1, g2 = (members(s, g) for g in range(GROUPS))
    s.attending[:] = False
    s.attending[g0] = True
    s.attending[[g1[0], g1[3]]] = True
    s.attending[g2[2]] = True
    s.influence[:] = 0.0
    s.influence[g0] = [0.1, 0.2, 0.3, 0.4]
    s.influence[[g1[0], g1[3]]] = [0.2, 0.8]
    s.influence[g2[2]] = 1.0
    assert metrics.gini_within_meetings(s) == pytest.approx(1.6 / 7)
    pooled = metrics.gini(s.influence[s.attending])
    assert abs(pooled - 1.6 / 7) > 0.05
    # Absent members' stale influence does not count; a group that did not meet has no weight.
    s.influence[g1[1]] = 0.5
    s.attending[g2[2]] = False
    assert metrics.gini_within_meetings(s) == pytest.approx(1.6 / 6)
    # A present member holding -0.0 (numpy orders it among the zeros its own way; the
    # compiled sort leaves such meetings to numpy): group 1's three present (0.2, 0.8, 0)
    # read 2 * (0.6 + 0.2 + 0.8) / (2 * 3 * 1) with weight 3, to the bit as with +0.0.
    s.attending[g1[2]] = True
    plus = metrics.gini_within_meetings(s)
    s.influence[g1[2]] = -0.0
    assert metrics.gini_within_meetings(s) == plus == pytest.approx((1.0 + 1.6) / 7)
    s.attending[:] = False
    assert metrics.gini_within_meetings(s) == 0.0


def test_parity_pools_the_last_active_meetings_meetings():
    # Meetings every 2 weeks (weeks 1, 3, 5, 7, 9), a window of 4 meetings, eps 0.01.
    # Disadvantaged P0 (on benefits) came 1, 0, 0, 1, 0; of the others (P1, the carer)
    # 1, 2, 0, 1, 2 came: rates 0.5, 1, 0, 0.5, 1. Pooled (mean rate over the window):
    # week 1: 1 / 0.5; week 3: 0.5 / 0.75; week 5: (1/3) / 0.5; week 7: 0.5 / 0.5 = 1,
    # where week 7 alone would read (1 + eps) / (0.5 + eps) = 1.98; week 9, meeting 1
    # leaves the window: 0.25 / 0.625.
    p, s, _st = tiny(meeting_interval=2, active_meetings=4, parity_eps=0.01)
    s.on_benefits[P0] = True
    came = {1: [P0, P1], 3: [P1, CARER], 5: [], 7: [P0, CARER], 9: [P1, CARER]}
    want = {1: (1, 0.5), 3: (0.5, 0.75), 5: (1 / 3, 0.5), 7: (0.5, 0.5), 9: (0.25, 0.625)}
    who = metrics.subgroups(s)
    assert metrics.at_meetings(s, p, who, None, 0)["participation_parity"] == 1.0
    for week, present in came.items():
        s.attending[:] = False
        s.attending[[*present, CLIN]] = True
        d, o = want[week]
        v = metrics.at_meetings(s, p, who, None, week)
        assert v["participation_parity"] == pytest.approx((d + 0.01) / (o + 0.01)), week


def test_recognition_of_experience_is_the_meetings_chance_and_values_shift_among_the_active():
    # Week 10, active window 8 weeks: P0, P1 and the clinician came in week 10, the carer
    # in week 2 (not active). Weight on experience moved since the start: P0 +0.1, P1
    # -0.3, the carer +0.5 (inactive: not counted), the clinician +0.2.
    _p, s, _st = tiny()
    s.last_attended[:] = [10, 10, 2, 10]
    s.initial_values[:] = [[0.1, 0.0, 0.9], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    s.values[:] = [[0.0, 0.0, 1.0], [0.3, 0.0, 0.7], [0.5, 0.0, 0.5], [0.0, 0.8, 0.2]]
    talk = hand_talk(4, np.ones((4, 3)), np.ones((4, 3)))
    talk.lived_chance = 0.35
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), talk, 10)
    assert v["recognition_of_experience"] == 0.35
    assert v["values_shift_lay"] == pytest.approx((0.1 - 0.3) / 2)  # P0 and P1
    assert v["values_shift_professional"] == pytest.approx(0.2)
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 10)
    assert v["recognition_of_experience"] == 0.0  # no meeting: nothing to recognise
    s.last_attended[:] = -100  # nobody active: no shift to average
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 10)
    assert v["values_shift_lay"] == 0.0 and v["values_shift_professional"] == 0.0


# ------------------------------------------------------------- runs side by side (batch)


def test_runs_count_each_runs_entries_whatever_their_number():
    # Bytes are added in the smallest integer that holds a run's count: 255 entries fit a
    # byte, 256 do not. Each run counts its own block, as an int64.
    two = SimpleNamespace(runs=2)
    got = runs.count(two, np.array([True, False, True, True, False, False, False, True]))
    assert got.tolist() == [3, 1] and got.dtype == np.int64
    for per_run in (255, 256, 300):
        mask = np.zeros((2, per_run), bool)
        mask[0] = True  # run 0: all of them
        mask[1, -1] = True  # run 1: its last entry only
        got = runs.count(two, mask.ravel())
        assert got.tolist() == [per_run, 1] and got.dtype == np.int64, per_run
    assert runs.count(SimpleNamespace(runs=1), np.array([True, False, True])) == 2


def _runs_side_by_side():
    """Two tiny runs as one state (agents 0-3, 4-7), and each run alone, set the same.

    Run 0: the first patient and the clinician came this week (the others never did),
    with influence 0.25 and 0.75; a strong tie joins them; the first patient is seldom
    heard. Run 1: all four came; influence 0.5, 0.5, 0, 0; strong ties join each lay
    person to the clinician; credibility 0.2, 0.4, 0.3 (lay) and 0.6; the second
    patient is seldom heard.
    """
    states = [tiny(seed)[1] for seed in (0, 1)]
    together = population.stack(states)
    alone = [tiny(seed)[1] for seed in (0, 1)]
    came = [[True, False, False, True], [True] * 4]
    influence = [[0.25, 0.0, 0.0, 0.75], [0.5, 0.5, 0.0, 0.0]]
    credibility = [[0.3, 0.3, 0.3, 0.8], [0.2, 0.4, 0.3, 0.6]]
    seldom = [[True, False, False, False], [False, True, False, False]]
    strong = [[(P0, CLIN)], [(P0, CLIN), (P1, CLIN), (CARER, CLIN)]]
    for r, s in enumerate(alone):
        rows = slice(4 * r, 4 * r + 4)
        for state, at in ((s, slice(None)), (together, rows)):
            state.attending[at] = came[r]
            state.ever_attended[at] = came[r]
            state.last_attended[at] = np.where(came[r], 5, -(10**6))
            state.influence[at] = influence[r]
            state.credibility[at] = credibility[r]
            state.seldom_heard[at] = seldom[r]
        for a, b in strong[r]:
            for i, j in ((a, b), (b, a)):
                s.ties[0, s.slot[i], s.slot[j]] = ASSUMED.strong_tie + 0.1
                together.ties[r, together.slot[4 * r + i], together.slot[4 * r + j]] = (
                    ASSUMED.strong_tie + 0.1
                )
    # Said by kind (run 0: 4 of 10 by the first patient; run 1: 3 of 4 by lay people);
    # recognised (run 0: 1 of 7 lived experience; run 1: 2 of 3).
    said = [[[0, 1, 3], [0] * 3, [0] * 3, [4, 2, 0]], [[0] * 3, [0, 0, 2], [0, 0, 1], [1, 0, 0]]]
    heard = [[[0, 1, 1], [0] * 3, [0] * 3, [3, 2, 0]], [[0] * 3, [0, 0, 2], [0] * 3, [1, 0, 0]]]
    talks = [hand_talk(4, said[r], heard[r]) for r in (0, 1)]
    return together, hand_talk(8, said[0] + said[1], heard[0] + heard[1]), alone, talks


def test_meeting_metrics_of_runs_side_by_side_are_each_runs_alone(both_loops):
    # Run 0: one strong cross-role tie between its two active people: 2 * 1 / 2 = 1;
    # run 1: three among four: 2 * 3 / 4 = 1.5. Lay share of what was said 4 / 10 and
    # 3 / 4; lived experience's share of what was recognised 1 / 7 and 2 / 3. Gini within
    # the meeting: run 0 2 * 0.5 / (2 * 2 * 1) = 0.25 between its two present; run 1
    # pairs (0.5, 0) four times: 2 * 2 / (2 * 4 * 1) = 0.5. Power gap among the active
    # 0.8 - 0.3 = 0.5 and 0.6 - 0.3 = 0.3. Seldom heard among the active lay: 1 of 1 and
    # 1 of 3.
    together, talk, alone, talks = _runs_side_by_side()
    v = metrics.at_meetings(together, ASSUMED, metrics.subgroups(together), talk, 5)
    want = {
        "cross_role_ties": [1.0, 1.5],
        "lay_voice_share": [0.4, 0.75],
        "experiential_share": [1 / 7, 2 / 3],
        "influence_gini": [0.25, 0.5],
        "power_gap": [0.5, 0.3],
        "seldom_heard_share": [1.0, 1 / 3],
    }
    for name, values in want.items():
        assert v[name] == pytest.approx(values), name
    for r, s in enumerate(alone):
        assert (metrics.subgroups(together)[r] == metrics.subgroups(s)).all()
        one = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), talks[r], 5)
        # to the last bit (a run alone sums its quantities with numpy's loops)
        assert {name: x[r] for name, x in v.items()} == one


def test_weekly_totals_only_measures_the_sums_of_the_weeks_alone():
    # A week of 90 spent, 2 unpaid hours, a benefit cut and 4 insights (3 of lay origin, 1
    # unexpected, 2 adopted): the metrics summed over a run's weeks are the week's, as in
    # full, and so are the running totals; every other metric weekly measures is NaN.
    _p, s, _st = tiny()
    s.ever_attended[:] = True
    ins = Insights(np.array([4]), np.array([1]), np.array([3]), np.zeros((1, 3)), np.zeros((1, 3)))
    dec = Decisions(np.array([2]), np.array([1]), np.zeros(1), np.zeros(1), np.array([4]))
    flows = Flows(staff=90.0, unpaid_hours=2.0, benefit_cuts=1)
    full, sums = {"cost": 10.0, "insights": 1.0}, {"cost": 10.0, "insights": 1.0}
    want = metrics.weekly(s, ASSUMED, {}, ins, dec, flows, full, 3, changes=1)
    got = metrics.weekly(s, ASSUMED, {}, ins, dec, flows, sums, 3, changes=1, totals_only=True)
    assert sums == full == {"cost": 100.0, "insights": 5.0}
    summed = {m.name for m in metrics.METRICS if m.how == "total"}
    assert got.keys() == want.keys() and summed < want.keys()
    assert {k: got[k] for k in summed} == {k: want[k] for k in summed}
    assert want["insights"] == 4.0 and want["programme_cost"] == 90.0
    assert want["rule_changes"] == 1.0 and want["benefit_loss_events"] == 1.0
    others = want.keys() - summed
    assert set(metrics.NOT_SUMMED_WEEKLY) == others
    assert all(np.isnan(got[k]) for k in others)
    assert not any(np.isnan(want[k]) for k in others)


def test_weekly_metrics_of_runs_side_by_side_are_each_runs_alone(both_loops):
    # Run 0: one lay person ever came (the first patient; the clinician is not lay), run 1
    # three. Unpaid hours 6 and 3 + 3 + 3: per lay participant 6 / 1 and 9 / 3. Never
    # refunded 10 and 4 + 2: 10 / 1 and 6 / 3. The lay people who came in the first weeks
    # all came this week: retention 1 in both runs.
    together, _talk, alone, _talks = _runs_side_by_side()
    hours = [[6.0, 0.0, 0.0, 0.0], [3.0, 3.0, 3.0, 0.0]]
    never = [[10.0, 0.0, 0.0, 0.0], [4.0, 2.0, 0.0, 0.0]]
    for r, s in enumerate(alone):
        for state, at in ((s, slice(None)), (together, slice(4 * r, 4 * r + 4))):
            state.unpaid_hours[at] = hours[r]
            state.never_refunded[at] = never[r]
            state.first_weeks[at] = state.ever_attended[at]
    totals = {"cost": np.zeros(2), "insights": np.zeros(2)}
    v = metrics.weekly(together, ASSUMED, {}, None, None, Flows(), totals, 5)
    assert v["unpaid_hours_per_lay_participant"].tolist() == [6.0, 3.0]
    assert v["lay_out_of_pocket"].tolist() == [10.0, 2.0]
    assert v["retention_lay"].tolist() == [1.0, 1.0]
    for r, s in enumerate(alone):
        one = metrics.weekly(s, ASSUMED, {}, None, None, Flows(), {"cost": 0.0, "insights": 0.0}, 5)
        assert {name: x[r] for name, x in v.items()} == one  # to the last bit
    v = metrics.weekly(together, ASSUMED, {}, None, None, Flows(), totals, 5, totals_only=True)
    assert np.isnan(v["retention_lay"]).all() and v["retention_lay"].shape == (2,)
    assert v["programme_cost"].tolist() == [0.0, 0.0]
    # Insights per group (one group a run): 4 (3 of lay origin, 1 unexpected, 2 adopted)
    # and 1 (of lay origin, adopted). The running total of insights adds them.
    ins = Insights(np.array([4, 1]), np.array([1, 0]), np.array([3, 1]), *np.zeros((2, 2, 3)))
    dec = Decisions(np.array([2, 1]), np.array([1, 1]), *np.zeros((2, 2)), np.array([2, 4]))
    v = metrics.weekly(together, ASSUMED, {}, ins, dec, Flows(), totals, 5)
    for name, want in (
        ("insights", [4.0, 1.0]),
        ("insights_lay_origin", [3.0, 1.0]),
        ("insights_unexpected", [1.0, 0.0]),
        ("insights_adopted", [2.0, 1.0]),
    ):
        assert v[name].tolist() == want and v[name].dtype == float, name
    assert totals["insights"].tolist() == [4.0, 1.0]


@pytest.mark.parametrize("side_by_side", [False, True])
def test_meetings_taken_for_parity_only_pool_as_in_full(side_by_side):
    # The meetings of test_parity_pools_the_last_active_meetings_meetings (weeks 1 to 9,
    # a window of 4): weeks 1 to 5 taken for parity only (every value NaN) and weeks 7
    # and 9 in full read 1 and 0.25 / 0.625, as when all of them are taken in full. Side
    # by side, a second run where everyone came every time reads (1 + eps) / (1 + eps).
    eps = 0.01
    came = {1: [P0, P1], 3: [P1, CARER], 5: [], 7: [P0, CARER], 9: [P1, CARER]}
    got = {}
    for parity_only in (False, True):
        states = [tiny(meeting_interval=2, active_meetings=4, parity_eps=eps) for _ in (0, 1)]
        p = states[0][0]
        s = population.stack([st[1] for st in states]) if side_by_side else states[0][1]
        s.on_benefits[P0] = True
        if side_by_side:
            s.on_benefits[4 + P0] = True  # the second run's first patient
        who = metrics.subgroups(s)
        for week, present in came.items():
            s.attending[:] = False
            s.attending[[*present, CLIN]] = True
            s.attending[4:] = True
            v = metrics.at_meetings(s, p, who, None, week, parity_only and week <= 5)
            if parity_only and week <= 5:
                assert v.keys() == set(metrics.AT_MEETINGS)
                assert all(np.isnan(x).all() for x in v.values())
            else:
                got[parity_only, week] = v
    for week, want in ((7, 1.0), (9, (0.25 + eps) / (0.625 + eps))):
        full, pooled = got[False, week], got[True, week]
        assert full.keys() == pooled.keys() == set(metrics.AT_MEETINGS)
        assert all(np.array_equal(full[k], pooled[k]) for k in full)  # to the last bit
        parity = np.atleast_1d(full["participation_parity"])
        assert parity[0] == pytest.approx(want)
        assert parity[1:].tolist() == ([1.0] if side_by_side else [])
