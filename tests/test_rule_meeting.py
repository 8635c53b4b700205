"""Rule 2, meeting: turns, contributions and what gets recognised.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import (
    ASSUMED,
    CARER,
    CLIN,
    GROUPS,
    LAY,
    P0,
    P1,
    Scripted,
    hold,
    members,
    several,
    tiny,
)

from simulation import choices, meeting

# Every test here twice: with the compiled loops and with numpy's arrays (conftest).
pytestmark = pytest.mark.usefixtures("both_loops")


def test_nobody_present_means_no_meeting():
    _p, s, st = tiny()
    s.attending[:] = False
    assert hold(s, st, np.random.default_rng(0)) is None


def test_absent_people_get_no_turns_and_say_nothing():
    _p, s, st = tiny()
    s.attending[:] = [True, False, True, True]
    rng = np.random.default_rng(7)
    for _ in range(200):
        talk = hold(s, st, rng)
        assert talk.turns[P1] == 0.0
        assert talk.said[P1] == 0 and talk.recognised[P1].sum() == 0
        assert (talk.turns[[P0, CARER, CLIN]] > 0).all()


@pytest.mark.parametrize("group_size", [2, 3, 10])
def test_turns_within_a_group_sum_to_the_groups_turns(group_size):
    _p, s, st = tiny(group_size=group_size)
    rng = np.random.default_rng(8)
    for present in ([True] * 4, [True, False, True, True], [False, True, False, True]):
        s.attending[:] = present
        talk = hold(s, st, rng)
        sums = np.bincount(s.group, talk.turns, minlength=s.n_groups)
        has = np.bincount(s.group, s.attending, minlength=s.n_groups) > 0
        assert sums[has] == pytest.approx(st.turns[has])
        assert (sums[~has] == 0).all()
    expected = ASSUMED.turns_per_hour * st.hours * (1 - ASSUMED.agenda_time * st.pace)
    assert st.turns == pytest.approx(expected)


def test_fluency_advantage_is_large_at_fast_pace_and_shrinks_at_slow_pace():
    ratios = {}
    for pace in (1.0, 0.5, 0.0):
        _p, s, st = tiny(pace=pace)
        s.fluency[P0], s.fluency[P1] = 0.9, 0.3
        s.attending[:] = True
        talk = hold(s, st, np.random.default_rng(9))
        ratios[pace] = talk.turns[P0] / talk.turns[P1]
        assert ratios[pace] == pytest.approx(3.0 ** (1 + ASSUMED.fluency_pace * pace))
    assert ratios[1.0] > ratios[0.5] > ratios[0.0] > 1.0


def test_credibility_also_earns_turns():
    _p, s, st = tiny(pace=0.5)
    s.credibility[P0], s.credibility[P1] = 0.9, 0.1
    s.attending[:] = True
    talk = hold(s, st, np.random.default_rng(10))
    assert talk.turns[P0] / talk.turns[P1] == pytest.approx(
        (ASSUMED.speak_base + 0.9) / (ASSUMED.speak_base + 0.1)
    )


def test_what_was_said_and_heard_is_counted_from_the_draws():
    _p, s, st = tiny()
    s.attending[:] = [True, False, True, True]
    # One row of draws for each of the three present (P1 is away): recognised biomedical,
    # practice and lived experience, then unrecognised contributions of any kind.
    rng = Scripted([[1, 0, 2, 3], [0, 0, 0, 0], [4, 1, 0, 5]])
    talk = hold(s, st, rng)
    ((method, rates),) = rng.calls
    assert method == "poisson" and rates.shape == (3, 4)  # rates for those present only
    assert talk.recognised.dtype.kind == "i"
    assert talk.recognised.tolist() == [[1, 0, 2], [0, 0, 0], [0, 0, 0], [4, 1, 0]]
    # said = recognised + unrecognised: 1 + 0 + 2 + 3 = 6; away 0; silent 0; 4 + 1 + 0 + 5 = 10
    assert talk.said.tolist() == [6.0, 0.0, 0.0, 10.0]
    # heard = recognised / said: 3 / 6; away 0; silent 0 (not 0 / 0); 5 / 10
    assert talk.heard.tolist() == [0.5, 0.0, 0.0, 0.5]
    assert talk.turns[P1] == 0.0 and (talk.turns[[P0, CARER, CLIN]] > 0).all()


def test_contributions_average_the_turns_taken():
    _p, s, st = tiny(pace=0.4)
    s.attending[:] = True
    rng = np.random.default_rng(12)
    talks = [hold(s, st, rng) for _ in range(3000)]
    mean_said = np.mean([t.said for t in talks], axis=0)
    turns = talks[0].turns
    assert mean_said == pytest.approx(turns, rel=0.03)


def _lived_recognition(pace, openness, draws=1500):
    _p, s, st = tiny(pace=pace, agenda_openness=openness)
    s.attending[:] = True
    rng = np.random.default_rng(13)
    room = meeting.prepare(s, ASSUMED, st)
    rec = said = 0
    for _ in range(draws):
        talk = meeting.hold(s, ASSUMED, st, room, rng)
        rec += talk.recognised[LAY, 2].sum()
        # lived experience said: expected from the turns and the topic shares
        said += (talk.turns[LAY] * room.topics[LAY, 2]).sum()
    relevance = openness + (1 - openness) * (1 - pace)
    assert st.relevance_experience[0] == pytest.approx(relevance)
    return rec / said, (ASSUMED.heard_base + ASSUMED.heard_credibility * 0.3) * relevance, said


def test_lived_experience_is_recognised_less_at_fast_pace_with_closed_agenda():
    fast, fast_expected, said_fast = _lived_recognition(pace=0.9, openness=0.0)
    slow, slow_expected, said_slow = _lived_recognition(pace=0.1, openness=0.0)
    assert fast < slow
    assert fast == pytest.approx(fast_expected, abs=0.02)
    assert slow == pytest.approx(slow_expected, abs=0.02)
    assert said_fast < said_slow  # and less of it surfaces at all
    never, _, _ = _lived_recognition(pace=1.0, openness=0.0, draws=200)
    assert never == 0.0  # fully fast, closed agenda: lived experience is never recognised


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)


class PoissonRecorder:
    """A Generator stand-in that records the Poisson rates it is asked for."""

    def __init__(self, seed=0):
        self.real = np.random.default_rng(seed)
        self.rates = []

    def poisson(self, lam):
        self.rates.append(np.array(lam, dtype=float, copy=True))
        return self.real.poisson(lam)


@pytest.mark.parametrize(
    ("pace", "turns", "lay_lived_share"),
    [
        # hours = 2 + 2 (1 - pace); turns = 12 hours (1 - 0.6 pace); f = 1 - exp(-turns / 12)
        # lay profile (0.05, 0.15, 0.8): lived share = 0.8 f / (0.2 + 0.8 f)
        (1.0, 9.6, 0.687762),  # f = 1 - e^-0.8 = 0.550671: 0.440537 / 0.640537
        (0.5, 25.2, 0.778279),  # f = 1 - e^-2.1 = 0.877544: 0.702035 / 0.902035
        (0.0, 48.0, 0.797026),  # f = 1 - e^-4 = 0.981684: 0.785347 / 0.985347
    ],
)
def test_hidden_profile_lived_experience_surfaces_with_the_turns_of_discussion(
    pace, turns, lay_lived_share
):
    _p, s, st = tiny(pace=pace)
    assert st.turns[0] == pytest.approx(turns)
    assert st.surfacing[0] == pytest.approx(1 - np.exp(-turns / 12.0))
    room = meeting.prepare(s, ASSUMED, st)
    # Lived experience is held back in short discussions; the other kinds fill the turns.
    assert room.topics[P0] == pytest.approx(
        [
            0.05 / (0.2 + 0.8 * st.surfacing[0]),
            0.15 / (0.2 + 0.8 * st.surfacing[0]),
            lay_lived_share,
        ],
        rel=1e-5,
    )
    assert room.topics.sum(axis=1) == pytest.approx(np.ones(4))


def test_recognition_rates_are_turns_times_topic_times_chance_times_relevance():
    # pace 0.5, closed agenda: hours 3, turns 12 * 3 * 0.7 = 25.2, surfacing 1 - e^-2.1 = 0.877544,
    # relevance of lived experience 0 + 1 * (1 - 0.5) = 0.5.
    # speaking weight fluency^(1 + 2 * 0.5) (0.5 + credibility): lay 0.36 * 0.8 = 0.288,
    # clinician 0.81 * 1.3 = 1.053; sum 3 * 0.288 + 1.053 = 1.917.
    # turns: lay 25.2 * 0.288 / 1.917 = 3.785915, clinician 25.2 * 1.053 / 1.917 = 13.842254.
    # topics: lay (0.05, 0.15, 0.702035) / 0.902035; clinician (0.55, 0.4, 0.043877) / 0.993877.
    # recognised at chance 0.4 + 0.6 c: lay 0.58, clinician 0.88; lived experience times 0.5.
    # lay: 3.785915 * 0.58 * (0.055430, 0.166291, 0.778279 * 0.5) = (0.121715, 0.365146, 0.854485)
    # unrecognised: 3.785915 - 1.341346 = 2.444569; clinician likewise.
    _p, s, st = tiny(pace=0.5, agenda_openness=0.0)
    s.attending[:] = True
    rng = PoissonRecorder()
    talk = meeting.hold(s, ASSUMED, st, meeting.prepare(s, ASSUMED, st), rng)
    assert talk.turns == pytest.approx([3.785915, 3.785915, 3.785915, 13.842254], rel=1e-6)
    (rates,) = rng.rates
    assert rates[P0] == pytest.approx([0.121715, 0.365146, 0.854485, 2.444569], rel=1e-5)
    assert rates[CARER] == pytest.approx(rates[P0])
    assert rates[3] == pytest.approx([6.740924, 4.902490, 0.268884, 1.929955], rel=1e-5)
    # what was said and heard comes from those counts
    counts = np.random.default_rng(0).poisson(rates)
    said = counts.sum(axis=1)
    assert talk.recognised[[P0, P1, CARER, CLIN]].tolist() == counts[:, :3].tolist()
    assert talk.said.tolist() == said.tolist()
    assert talk.heard == pytest.approx(counts[:, :3].sum(axis=1) / np.maximum(said, 1))


def test_only_those_present_share_the_groups_turns():
    # P1 absent: lay weight 0.288 twice, clinician 1.053; sum 1.629.
    # turns: lay 25.2 * 0.288 / 1.629 = 4.455249, clinician 25.2 * 1.053 / 1.629 = 16.289503.
    _p, s, st = tiny(pace=0.5)
    s.attending[:] = [True, False, True, True]
    rng = PoissonRecorder()
    talk = meeting.hold(s, ASSUMED, st, meeting.prepare(s, ASSUMED, st), rng)
    assert talk.turns == pytest.approx([4.455249, 0.0, 4.455249, 16.289503], rel=1e-6)
    assert rng.rates[0].shape == (3, 4)  # rates only for the three present
    assert talk.said[P1] == 0 and talk.heard[P1] == 0.0


def test_fully_credible_people_on_an_open_agenda_are_always_recognised():
    # credibility 1: chance 0.4 + 0.6 = 1; open agenda: relevance 1 for every kind, so every
    # contribution is recognised and the rate of unrecognised ones is 0 (at pace 0.25 the
    # sum of the three rates rounds just above the turns, and must not go negative).
    _p, s, st = tiny(pace=0.25, agenda_openness=1.0)
    s.credibility[:] = 1.0
    s.attending[:] = True
    rng = PoissonRecorder()
    talk = meeting.hold(s, ASSUMED, st, meeting.prepare(s, ASSUMED, st), rng)
    (rates,) = rng.rates
    assert (rates[:, 3] == 0.0).all()
    assert rates[:, :3].sum(axis=1) == pytest.approx(talk.turns)
    assert (talk.said == talk.recognised.sum(axis=1)).all()
    assert talk.heard[talk.said > 0] == pytest.approx(1.0)


def test_the_chance_of_being_recognised_stops_at_one():
    # heard_base 0.6 and heard_credibility 0.8 (the tops of their ranges) with credibility
    # 1: 0.6 + 0.8 = 1.4, so every contribution is recognised, no more: on an open agenda
    # the recognised rates sum to the turns (not 1.4 times them), none unrecognised.
    p, s, st = tiny(pace=0.25, agenda_openness=1.0, heard_base=0.6, heard_credibility=0.8)
    s.credibility[:] = 1.0
    s.attending[:] = True
    rng = PoissonRecorder()
    talk = meeting.hold(s, p, st, meeting.prepare(s, p, st), rng)
    (rates,) = rng.rates
    assert rates[:, :3].sum(axis=1) == pytest.approx(talk.turns)
    assert (rates[:, 3] == 0.0).all()


def test_heard_is_the_share_of_what_one_said_that_was_recognised():
    # counts by agent: recognised (biomedical, practice, lived), then unrecognised
    _p, s, st = tiny()
    s.attending[:] = True
    counts = np.array([[1, 0, 0, 0], [0, 0, 0, 2], [0, 1, 2, 1], [0, 0, 0, 0]])
    rng = Scripted(counts)
    talk = meeting.hold(s, ASSUMED, st, meeting.prepare(s, ASSUMED, st), rng)
    assert talk.said.tolist() == [1, 2, 4, 0]
    assert talk.heard.tolist() == [1.0, 0.0, 0.75, 0.0]
    assert talk.recognised.tolist() == counts[:, :3].tolist()


# -- choices taken from outside the model (simulation.choices: a workshop room's seats)


def test_saying_more_takes_a_bigger_share_of_the_groups_turns():
    # As test_recognition_rates..., with P0's speaking weight doubled: 0.288 * 2 = 0.576;
    # sum 0.576 + 2 * 0.288 + 1.053 = 2.205; turns 25.2 * w / 2.205.
    _p, s, st = tiny(pace=0.5, agenda_openness=0.0)
    s.attending[:] = True
    taken = choices.Choices.free(s)
    taken.say[P0] = 2.0
    room = meeting.prepare(s, ASSUMED, st)
    talk = meeting.hold(s, ASSUMED, st, room, PoissonRecorder(), taken)
    assert talk.turns == pytest.approx([6.582857, 3.291429, 3.291429, 12.034286], rel=1e-6)
    free = meeting.hold(s, ASSUMED, st, room, PoissonRecorder(), choices.Choices.free(s))
    assert free.turns == pytest.approx([3.785915, 3.785915, 3.785915, 13.842254], rel=1e-6)


def test_a_group_that_listens_more_hears_more_lived_experience_up_to_all_of_it():
    _p, s, st = tiny(pace=0.5, agenda_openness=0.0)
    s.attending[:] = True
    room = meeting.prepare(s, ASSUMED, st)
    rates = {}
    for listen in (0.0, 1.0, 1.5, 100.0):
        taken = choices.Choices.free(s)
        taken.listen[:] = listen
        rng = PoissonRecorder()
        talk = meeting.hold(s, ASSUMED, st, room, rng, taken)
        rates[listen] = rng.rates[0]
    # lay lived experience at listen 1: 0.854485 (test_recognition_rates...); 1.5 times it
    assert rates[1.0][P0, 2] == pytest.approx(0.854485, rel=1e-5)
    assert rates[1.5][P0, 2] == pytest.approx(1.5 * 0.854485, rel=1e-5)
    assert (rates[0.0][:, 2] == 0).all()
    # at most every lived-experience contribution heard: turns x its share of topics
    everything = talk.turns * room.topics[:, 2]
    assert rates[100.0][:, 2] == pytest.approx(everything)
    for r in rates.values():  # the other kinds are untouched, and nothing is negative
        assert r[:, :2] == pytest.approx(rates[1.0][:, :2])
        assert (r >= 0).all()
        assert r.sum(axis=1) == pytest.approx(talk.turns)


# -- recognition of lived experience depends on who is in the room (see relations)


def test_groups_are_as_open_to_experience_as_their_professionals_present():
    # Three groups of two patients, a carer and a clinician (builders.several). Group 0's
    # clinician recognises lived experience at 0.5, group 1's at 0.9 but is away, group
    # 2's at 0.2; lay people always at 1. A group with no professional present: 1.
    _p, s, _st = several()
    clinicians = [members(s, g)[-1] for g in range(GROUPS)]
    s.recognition[clinicians] = [0.5, 0.9, 0.2]
    s.attending[:] = True
    s.attending[clinicians[1]] = False
    idx = np.flatnonzero(s.attending)
    assert meeting.open_to_experience(s, idx, s.group[idx]) == pytest.approx([0.5, 1.0, 0.2])
    # Two professionals present: their mean. Give group 2's carer a professional's role.
    s.lay[members(s, 2)[2]] = False
    s.recognition[members(s, 2)[2]] = 0.6
    assert meeting.open_to_experience(s, idx, s.group[idx])[2] == pytest.approx(0.4)


def test_lived_experience_is_recognised_in_proportion_to_the_clinicians_recognition():
    # As test_recognition_rates...: pace 0.5, closed agenda; lay lived experience is
    # recognised at rate 3.785915 * 0.58 * 0.778279 * 0.5 = 0.854485 with the clinician
    # fully recognising it. Recognising it at 0.5 halves it: 0.427243. The clinician's own
    # lived experience (rate 0.268884) halves too: 0.134442. Other kinds are untouched; what
    # is no longer recognised joins the unrecognised contributions: 2.444569 + 0.427243.
    _p, s, st = tiny(pace=0.5, agenda_openness=0.0)
    s.attending[:] = True
    room = meeting.prepare(s, ASSUMED, st)
    open_rng, half_rng = PoissonRecorder(), PoissonRecorder()
    talk_open = meeting.hold(s, ASSUMED, st, room, open_rng)
    s.recognition[CLIN] = 0.5
    talk = meeting.hold(s, ASSUMED, st, room, half_rng)
    (open_rates,), (rates,) = open_rng.rates, half_rng.rates
    assert rates[P0] == pytest.approx([0.121715, 0.365146, 0.427243, 2.444569 + 0.427243], rel=1e-5)
    assert rates[CLIN, 2] == pytest.approx(0.134442, rel=1e-5)
    assert rates[:, :2] == pytest.approx(open_rates[:, :2])
    # The chance a lived-experience contribution was recognised: recognised rate over the
    # lived experience said, sum(turns x lived topic share).
    # Lay: 3 x 3.785915 x 0.778279 = 8.839580 said, 3 x 0.854485 = 2.563455 recognised at
    # full openness; the clinician: 13.842254 x 0.043877 / 0.993877 = 0.611091 said,
    # 0.268884 recognised (0.88 x 0.5 of it). Open: 2.832339 / 9.450671 = 0.299696;
    # at 0.5 exactly half of it: 0.149848.
    assert talk_open.lived_chance == pytest.approx(0.299696, rel=1e-4)
    assert talk.lived_chance == pytest.approx(0.149848, rel=1e-4)
    # A meeting of lay people only recognises its own experience in full: the clinician's
    # recognition no longer counts (relevance 0.5 x chance 0.58 = 0.29).
    s.attending[CLIN] = False
    lay_only = meeting.hold(s, ASSUMED, st, room, PoissonRecorder())
    assert lay_only.lived_chance == pytest.approx(0.5 * 0.58)
