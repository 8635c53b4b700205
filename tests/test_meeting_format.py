"""Meeting format (issue 11, item 3): in person, online or hybrid.

Each effect is tested in the rule it belongs to, with values worked out by hand:
participation's costs (no fare, no travel time online), who joins online under
hybrid (each by their own cost and benefit), the shorter online meeting (setting)
and slower tie building online (relations). The default, in person, with issue 11's
neutral values (builders.NEUTRAL) must reproduce the model as it was before the meeting
format existed, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import (
    ASSUMED,
    CARER,
    CLIN,
    LAY,
    NEUTRAL,
    P0,
    P1,
    assert_as_before_issue_11,
    params,
    rebuild,
    some_talk,
    tiny,
)

from simulation import metrics, participation, population, relations, setting
from simulation.decisions import Decisions
from simulation.knowledge import Insights
from simulation.metrics import METRIC_NAMES
from simulation.model import CoProductionModel


# The runs of the branch before the meeting format was added (commit 7cf45df), seeds 0-2
# at its defaults (builders.BEFORE_ISSUE_11): reproduced in person at issue 11's neutral
# values (builders.NEUTRAL), which the defaults no longer are.
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_in_person_at_the_neutral_values_reproduces_the_model_before_meeting_formats(seed):
    model = CoProductionModel(rng=seed, **NEUTRAL)
    assert model.params.meeting_format == "in_person"  # the default
    final = model.run()
    assert_as_before_issue_11(model, "defaults", seed, final)


# --------------------------------------------------------------------------- by hand
# The tiny population (builders): two patients, a carer and a clinician, 100 GBP at hand,
# 20 free hours. At pace 0.5 a meeting in a room lasts 3 hours. Fare 10, 2.5 times that
# for a disabled person, whose 0.77-hour trip takes 1.5 times longer. At the default
# weights (time 3, money 4, motivation 3, trust 1, cushion 10, base 1.5) the utility
# without motivation, trust and belonging is base - time - money - 0.5 (3 + 1).

A = ASSUMED
HALF = 0.5 * (A.weight_motivation + A.weight_trust)


def _money(fare, cash=100.0):
    return A.weight_money * fare / (cash + A.cash_cushion)


def _tiny(**over):
    """``tiny`` at pace 0.5, nothing paid, fare 10; P0 disabled; everyone online-ready."""
    values = {"pace": 0.5, "compensation": "none", "travel_cost": 10.0} | over
    p, s, _st = tiny(**values)
    s.disabled[:] = [True, False, False, False]
    s.digital_access[:] = True
    return p, s, setting.build(s, p)


def test_online_costs_no_fare_and_no_travel_time_for_a_shorter_meeting():
    # Online: 3 * online_hours_factor (0.75) = 2.25 hours, no trip, nothing fronted or
    # booked, disabled or not: U = 1.5 - 3 * 2.25 / 20 - 0 - 2 = -0.8375 for every lay
    # person (in a room P0 had -2.032341, the others -1.429136); the clinician 1.
    hours = 3 * A.online_hours_factor
    lay = A.base_utility_lay - A.weight_time * hours / 20 - HALF
    assert lay == pytest.approx(-0.8375)
    for support in (False, True):  # booked travel or not: online, nobody travels
        p, s, st = _tiny(meeting_format="online", travel_support=support)
        assert st.hours_a == pytest.approx([hours] * 4)
        costs = participation.prepare(s, p, st)
        assert costs.base_utility == pytest.approx([lay, lay, lay, 1.0], rel=1e-6)
        assert costs.trip.tolist() == [0.0] * 4 and costs.booked_fare.tolist() == [0.0] * 4
        assert costs.online.all() and not costs.barred.any()
        # Pay, staff time and unpaid hours follow the shorter meeting.
        assert costs.unpaid[LAY] == pytest.approx([hours] * 3)
        assert costs.staff[CLIN] == pytest.approx(A.professional_pay * hours)


def test_online_meetings_keep_out_people_without_digital_access():
    p, s, st = _tiny(meeting_format="online")
    s.digital_access[P1] = False
    costs = participation.prepare(s, p, st)
    assert costs.barred.tolist() == [False, True, False, False]
    s.motivation[:] = 1e3  # everyone wants to come
    rng = np.random.default_rng(4)
    for week in range(1, 101):
        participation.take_part(s, A, costs, rng, week, True)
        assert not s.attending[P1]
    assert s.ever_attended[[P0, CARER, CLIN]].all()
    # The same person comes to meetings in a room.
    p, st = rebuild(s, pace=0.5, compensation="none", travel_cost=10.0)
    costs = participation.prepare(s, p, st)
    assert not costs.barred.any() and not costs.online.any()
    participation.take_part(s, A, costs, rng, 101, True)
    assert s.attending[P1]


def test_hybrid_each_with_digital_access_weighs_the_trip_against_the_room():
    # in_person_preference 0.4. What joining online would save:
    # P0 (disabled): 3 * 0.77 * 1.5 / 20 + 4 * 25 / 110 = 0.17325 + 0.909091 = 1.082341
    #   > 0.4: joins online, U = 1.5 - 3 * 3 / 20 - 2 = -0.95 (a hybrid meeting lasts as
    #   long as in a room);
    # P1 would save 0.1155 + 40 / 110 = 0.479136 > 0.4, but has no digital access: comes
    #   in, U = -1.429136 as in a room;
    # the carer, 300 at hand: 0.1155 + 40 / 310 = 0.2445323 < 0.4: comes in,
    #   U = 1.5 - 3 * 3.77 / 20 - 40 / 310 - 2 = -1.1945323;
    # the clinician saves nothing it weighs: in the room, U = 1.
    saved_p0 = A.weight_time * A.travel_hours * A.disabled_travel_time_factor / 20 + _money(
        10 * A.disabled_travel_factor
    )
    saved_p1 = A.weight_time * A.travel_hours / 20 + _money(10)
    saved_carer = A.weight_time * A.travel_hours / 20 + _money(10, cash=300.0)
    assert [saved_p0, saved_p1, saved_carer] == pytest.approx([1.082341, 0.479136, 0.2445323])
    want = [
        A.base_utility_lay - A.weight_time * 3 / 20 - HALF,
        A.base_utility_lay - A.weight_time * (3 + A.travel_hours) / 20 - _money(10) - HALF,
        A.base_utility_lay
        - A.weight_time * (3 + A.travel_hours) / 20
        - _money(10, cash=300.0)
        - HALF,
        A.base_utility_professional - HALF,
    ]
    assert want == pytest.approx([-0.95, -1.429136, -1.1945323, 1.0], rel=1e-6)
    p, s, st = _tiny(meeting_format="hybrid", in_person_preference=0.4)
    s.digital_access[P1] = False
    s.base_cash[CARER] = s.cash[CARER] = 300.0
    costs = participation.prepare(s, p, st)
    assert costs.online.tolist() == [True, False, False, False]
    assert not costs.barred.any()
    assert costs.trip.tolist() == [0.0, 10.0, 10.0, 0.0]
    assert costs.base_utility == pytest.approx(want, rel=1e-6)
    assert st.hours_a == pytest.approx([3.0] * 4)
    # With travel booked for disabled people, P0 fronts nothing and travels as anyone:
    # joining online would save 3 * 0.77 / 20 = 0.1155 < 0.4: P0 comes in too.
    p, st = rebuild(
        s,
        pace=0.5,
        compensation="none",
        travel_support=True,
        meeting_format="hybrid",
        in_person_preference=0.4,
    )
    assert not participation.prepare(s, p, st).online.any()


def test_setting_online_meetings_are_shorter_and_ties_build_more_slowly():
    # pace 0.4: 2 + 2 * 0.6 = 3.2 hours in a room, 3.2 * 0.75 = 2.4 online; turns
    # 12 * hours * (1 - 0.6 * 0.4) = 29.184 and 21.888. Tie gain 0.015 + 0.06 * 0.6 = 0.051
    # a meeting in the room, 0.051 * online_tie_factor (0.5) = 0.0255 for pairs online.
    room_hours = A.hours_fast + (A.hours_slow - A.hours_fast) * 0.6
    gain = A.tie_formal + A.tie_informal * 0.6
    assert (room_hours, gain) == pytest.approx((3.2, 0.051))
    turns = A.turns_per_hour * (1 - A.agenda_time * 0.4)
    for fmt, hours in (
        ("in_person", room_hours),
        ("hybrid", room_hours),
        ("online", room_hours * A.online_hours_factor),
    ):
        _p, _s, st = tiny(pace=0.4, meeting_format=fmt)
        assert st.hours[0] == pytest.approx(hours)
        assert st.turns[0] == pytest.approx(turns * hours)
        assert st.pair_gain[0, 0, 1] == pytest.approx(gain)
        assert st.online_gain[0, 0, 1] == pytest.approx(gain * A.online_tie_factor)
        assert st.online_gain.dtype == np.float32 and st.online_gain[0, 1, 1] == 0.0
    assert room_hours * A.online_hours_factor == pytest.approx(2.4)


def _met(s, st, online):
    s.ties[:] = 0.0
    s.attending[:] = True
    s.last_attended[:] = 1
    insights = Insights(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros((1, 3)), np.zeros((1, 3)))
    decided = Decisions(np.zeros(1), np.zeros(1), np.zeros(1), np.full(1, 0.5), np.ones(1))
    relations.update(s, ASSUMED, st, some_talk(s), insights, decided, 1, online)
    return np.array([[s.ties[0, s.slot[i], s.slot[j]] for j in range(4)] for i in range(4)])


def test_relations_pairs_with_someone_online_gain_the_online_share_of_the_tie():
    # From no ties, everyone present at pace 0.4: a pair in the room gains 0.051; a pair of
    # whom at least one joins online (P0 here), 0.0255.
    _p, s, st = tiny(pace=0.4, meeting_format="hybrid")
    gain, online_gain = st.pair_gain[0, 0, 1], st.online_gain[0, 0, 1]
    ties = _met(s, st, np.array([True, False, False, False]))
    want = np.full((4, 4), gain)
    want[P0, :] = want[:, P0] = online_gain
    np.fill_diagonal(want, 0.0)
    assert ties == pytest.approx(want)
    assert ties[P0, P1] == pytest.approx(0.0255) and ties[P1, CLIN] == pytest.approx(0.051)
    # Everyone online: every pair gains the online share.
    ties = _met(s, st, np.ones(4, bool))
    assert ties[~np.eye(4, dtype=bool)] == pytest.approx(np.full(12, online_gain))
    # Nobody online (or no list at all): exactly the room's gain, as before.
    in_room = _met(s, st, np.zeros(4, bool))
    assert np.array_equal(in_room, _met(s, st, None))
    assert in_room[~np.eye(4, dtype=bool)] == pytest.approx(np.full(12, gain))


# --------------------------------------------------------------------------- population


def test_digital_access_comes_from_who_the_people_are_and_professionals_always_have_it():
    """Digital access is drawn with the other attributes of who the people are (its shares
    by age: tests/test_rule_people.py); online meetings read it, and professionals, who
    join from work, always have it. The access shares move no draw of the run's own
    stream. Who is recruited changes (with fewer online, more people are seldom heard,
    whom the usual channels take less often), and so does how credible they are
    (language and literacy, at the default effects), but credibility before that factor
    and disability are drawn alike."""
    values = {"n_patients": 3_000, "n_carers": 1_000, "n_clinicians": 10, "n_managers": 0}
    s = population.build(params(**values), np.random.default_rng(5))
    assert s.digital_access[~s.lay].all()
    assert 0.3 < s.digital_access[s.lay].mean() < 1.0  # some lay people are offline
    again = population.build(params(**values, digital_access_share=0.75), np.random.default_rng(5))

    def drawn(state):  # credibility as drawn, before language and literacy scale it
        who = {
            "language_barrier": state.language_barrier,
            "low_health_literacy": state.low_health_literacy,
        }
        return state.credibility / population.trait_factor(ASSUMED, "credibility", who)

    assert ASSUMED.credibility_effect_language > 0 and ASSUMED.credibility_effect_literacy > 0
    assert not np.array_equal(again.credibility, s.credibility)  # other people, believed less
    np.testing.assert_allclose(drawn(again), drawn(s), rtol=1e-12)
    assert np.array_equal(again.disabled, s.disabled)
    assert again.digital_access[s.lay].mean() < s.digital_access[s.lay].mean()


# --------------------------------------------------------------------------- a whole run


def test_online_runs_keep_everyone_without_digital_access_away_and_hybrid_does_not():
    online = CoProductionModel(rng=0, meeting_format="online", weeks=12)
    online.run()
    s = online.state
    assert not s.ever_attended[~s.digital_access].any()
    assert s.ever_attended[s.digital_access & s.lay].any()
    assert online.final_metrics()["participation_offline"] == 0.0
    assert (online.history[:, METRIC_NAMES.index("participation_offline")] == 0).all()
    hybrid = CoProductionModel(rng=0, meeting_format="hybrid", weeks=12)
    hybrid.run()
    assert hybrid.state.ever_attended[~hybrid.state.digital_access].any()
    assert (hybrid.history[:, METRIC_NAMES.index("participation_offline")] > 0).any()


def test_the_metrics_count_their_subgroups():
    model = CoProductionModel(rng=1, weeks=4)
    s = model.state
    s.attending[:] = s.lay & (np.arange(s.n) % 3 == 0)
    got = metrics.at_meetings(s, model.params, metrics.subgroups(s), None, 4)
    ready = s.disabled & s.digital_access
    offline = s.lay & ~s.digital_access
    assert ready.any() and offline.any()
    assert got["participation_disabled_digital"] == pytest.approx(s.attending[ready].mean())
    assert got["participation_offline"] == pytest.approx(s.attending[offline].mean())


def test_the_story_says_who_met_online_and_who_was_kept_out():
    from dashboards import story  # the dashboard's account: only this test needs it

    online = CoProductionModel(rng=0, meeting_format="online", weeks=8)
    online.run()
    n_offline = int((online.state.lay & ~online.state.digital_access).sum())
    text = story.markdown(online)
    assert "The meetings were online" in text and f"{n_offline} patients and carers" in text
    in_person = CoProductionModel(rng=0, weeks=8)
    in_person.run()
    assert "The meetings were" not in story.markdown(in_person)
