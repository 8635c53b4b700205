"""Roles mode (dashboards.room.roles and the store): the room is the programme.

Seats are people of the model's own population, in one group; people take them, choose
for the next round's meetings, and the model plays everyone else and every empty seat.
Each round records every seat's choice beside what the model's rule wanted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboards.room import debrief
from dashboards.room import log as room_log
from dashboards.room.roles import SEAT_KINDS, Shared, pick_seats, situation_words
from dashboards.room.store import PROGRAMME, RoomError, RoomStore, replay
from simulation.model import CoProductionModel
from simulation.params import DEFAULTS, validate

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        self.now += 1.0
        return self.now


@pytest.fixture
def store():
    return RoomStore(clock=Clock())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seats_are_people_of_one_group_who_fit_their_kind(seed):
    model = CoProductionModel(rng=seed)
    s = model.state
    seats = pick_seats(s)
    assert list(seats) == [k.key for k in SEAT_KINDS]
    groups = {seat.group for seat in seats.values()}
    assert len(groups) == 1 and all(s.group[seat.index] in groups for seat in seats.values())
    assert len({seat.index for seat in seats.values()}) == len(seats)
    for k in SEAT_KINDS:
        i = seats[k.key].index
        assert s.role[i] == k.role
    benefits = seats["benefits"]
    assert s.on_benefits[benefits.index]  # on every seed tried here
    assert benefits.title.startswith("A patient on benefits")
    assert ("disability" in benefits.title) == bool(s.disabled[benefits.index])
    assert seats["manager"].title == "The programme's manager"


def test_with_every_seat_empty_the_programme_is_the_models_own_run():
    shared = Shared(3, validate({}))
    shared.catch_up({}, 26)
    plain = CoProductionModel(rng=3)
    for _ in range(26):
        plain.step()
    assert np.array_equal(shared.model.history, plain.history)
    decided = shared.decisions
    assert decided and all(not d.taken and d.chose == d.model for d in decided)


def test_a_roles_room_seats_people_who_choose_and_the_model_plays_the_rest(store):
    code, token = store.create_room("roles", seed=1)
    with pytest.raises(RoomError, match="take a seat"):
        store.join_team(code, "Blue")
    view = store.view(code)
    assert view.mode == "roles" and view.teams == (PROGRAMME,)
    assert [s["key"] for s in view.seats] == [k.key for k in SEAT_KINDS]
    assert not any(s["taken"] for s in view.seats)

    patient = store.take_seat(code, "benefits")
    clinician = store.take_seat(code, "clinician")
    with pytest.raises(RoomError, match="is taken"):
        store.take_seat(code, "benefits")
    assert store.seat_of(code, patient) == "benefits"
    state = store.seat_state(code, patient)
    assert state["meetings"] == [1, 3, 5, 7, 9, 11, 13]  # a meeting every 2 weeks
    assert state["situation"]["cash"] > 0 and state["attend"] == {}

    store.choose(code, patient, {1: True, 3: False, 5: True}, say="a lot")
    store.choose(code, clinician, {1: True}, listen="a lot")
    with pytest.raises(RoomError, match="week 2 has no meeting"):
        store.choose(code, patient, {2: True})
    with pytest.raises(RoomError, match="the clinician's"):
        store.choose(code, patient, listen="a lot")
    store.start_round(code, token)

    view = store.view(code)
    mine = [d for d in view.decisions if d["seat"] == "benefits"]
    assert [d["week"] for d in mine] == [1, 3, 5, 7, 9, 11, 13]
    assert [d["chose"] for d in mine[:3]] == [True, False, True]
    assert mine[1]["came"] is False and mine[1]["taken"]
    for d in mine:  # a choice to go holds unless a hard limit stopped it
        assert d["came"] == (d["chose"] and not d["limit"])
    later = mine[3:]  # not chosen: the model decides, and chose what its rule wanted
    assert all(d["chose"] == d["model"] for d in later)
    empty = [d for d in view.decisions if d["seat"] == "carer"]
    assert empty and all(not d["taken"] and d["chose"] == d["model"] for d in empty)
    assert any(e.startswith(f"{state['title']}: came to ") for e in view.events)
    # after the round, the next round's meetings are chosen afresh
    assert store.seat_state(code, patient)["attend"] == {}
    assert store.seat_state(code, patient)["meetings"][0] == 15


def test_the_seats_choices_change_the_programme_and_replay_from_the_log(store):
    code, token = store.create_room("roles", seed=1)
    empty_code, empty_token = store.create_room("roles", seed=1)
    patient = store.take_seat(code, "benefits")
    manager = store.take_seat(code, "manager")
    store.choose(code, patient, {1: False, 3: False, 5: False, 7: False})
    store.set_rules(code, manager, {"compensation": "paid"})
    for room, key in ((code, token), (empty_code, empty_token)):
        store.start_round(room, key)
    mine = store._rooms[code].teams[PROGRAMME.casefold()].programme
    other = store._rooms[empty_code].teams[PROGRAMME.casefold()].programme
    assert not np.array_equal(mine.model.history, other.model.history)
    assert mine.model.params.compensation == "paid"
    entries = store.log(code, token)
    assert [e.actor for e in entries if e.kind == "rules"] == ["The programme's manager"]
    assert [e.kind for e in entries].count("choice") == 1
    # the second round: the manager's rule changed again, the patient's new choices
    store.choose(code, patient, {15: True})
    store.start_round(code, token)
    store.undo(code, token)
    assert store.seat_state(code, patient)["attend"] == {15: True}  # as chosen before undo
    store.start_round(code, token)
    entries = store.log(code, token)
    tables = [r.table for r in store._rooms[code].rounds]
    back = room_log.from_csv(room_log.to_csv(entries))
    assert replay(back) == tables
    done = debrief.rounds(back)
    assert done[0].decisions == store._rooms[code].rounds[0].decisions


def test_the_debrief_sets_the_seats_choices_beside_the_models(store):
    code, token = store.create_room("roles", seed=1)
    patient = store.take_seat(code, "benefits")
    # Going to every meeting: on this seed the model's person (on benefits, disabled, little
    # money) would have stayed home from some, so the choices differ from the model's.
    store.choose(code, patient, dict.fromkeys((1, 3, 5, 7, 9, 11, 13), True))
    store.start_round(code, token)
    text, _ = debrief.report(store.log(code, token))
    assert "## Seats: what people chose, and what the model would have done" in text
    title = store.seat_state(code, patient)["title"]
    mine = [d for d in store._rooms[code].rounds[0].decisions if d["seat"] == "benefits"]
    differ = [d for d in mine if d["chose"] != d["model"]]
    assert len(mine) == 7 and differ and all(d["chose"] for d in mine)
    assert f"{title} chose to go; the model's rule would have chosen to stay home" in text
    came = sum(d["came"] for d in mine)
    assert f"came to {came} of 7 meetings; chose differently from the model {len(differ)} " in text


def test_a_seat_on_universal_credit_sees_the_money_taken_back(store):
    # Seed 0: the benefits seat holds a patient on benefits with little money, not disabled
    # and without limited capability for work, so with no work allowance. The manager pays
    # for meetings (not benefit-safe) and makes them hybrid (in person the seat has no money
    # for the fare); the seat goes to all seven. Each GBP 45.50 arrives 4 weeks later (weeks
    # 5, 7, 9, 11, 13, 15, 17); the assessments of weeks 8 and 12 take 0.55 of each of the
    # four paid by then: 4 x 0.55 x 45.50 = GBP 100.10.
    code, token = store.create_room("roles", seed=0)
    patient = store.take_seat(code, "benefits")
    manager = store.take_seat(code, "manager")
    store.choose(code, patient, dict.fromkeys((1, 3, 5, 7, 9, 11, 13), True))
    store.set_rules(code, manager, {"compensation": "paid", "meeting_format": "hybrid"})
    store.start_round(code, token)
    mine = [d for d in store._rooms[code].rounds[0].decisions if d["seat"] == "benefits"]
    assert [d["came"] for d in mine] == [True] * 7
    facts = store.seat_state(code, patient)["situation"]
    assert facts["on_benefits"] and not facts["disabled"] and facts["allowance"] == 0.0
    assert facts["pay"] == pytest.approx(45.50) and not facts["benefit_stopped"]
    assert facts["taken_back"] == pytest.approx(4 * 0.55 * 45.50) == pytest.approx(100.10)
    lines = situation_words(facts)
    assert "Universal Credit has taken back £100: 55p of each £1 you were paid" in lines
    assert not any("benefit is stopped" in line for line in lines)


def test_the_seat_texts_on_benefits_say_what_the_rule_did():
    facts = {
        "cash": 12.4,
        "fare": 10.0,
        "pay": 45.5,
        "owed": 0.0,
        "on_benefits": True,
        "benefit_stopped": False,
        "taken_back": 0.0,
        "taper": 0.55,
        "allowance": 411.0,
        "assessment_weeks": 4,
        "benefit_fear": 0.2,
        "flare_chance": 0.0,
        "free_hours": 10.0,
    }
    assert "You are on benefits" in situation_words(facts)
    warned = situation_words(facts | {"benefit_fear": 0.6})
    assert "A letter warns that payments may count against your benefit" in warned
    # A work allowance (disabled, or limited capability for work): only pay above it counts.
    taken = situation_words(facts | {"taken_back": 25.025, "benefit_fear": 0.6})
    line = "Universal Credit has taken back £25: 55p of each £1 you were paid above £411 in 4 weeks"
    assert line in taken and not any("letter" in x for x in taken)
    stopped = situation_words(facts | {"benefit_stopped": True})  # legacy-20 and esa
    assert "Your benefit is stopped: a payment was counted as income" in stopped
    assert not any("Universal Credit" in x for x in stopped)
    assert not any("benefit" in x for x in situation_words(facts | {"on_benefits": False}))


def test_the_handout_states_the_benefit_rules_as_the_model_has_them():
    text = " ".join((ROOT / "docs" / "handout.md").read_text(encoding="utf-8").split())
    assert DEFAULTS["benefit_rules"] == "uc"
    assert (
        f"Universal Credit takes back {DEFAULTS['uc_taper'] * 100:.0f}p of each £1 you are "
        f"paid above your work allowance (£{DEFAULTS['uc_work_allowance']:.0f} a month"
    ) in text
    assert f"(ESA's £{DEFAULTS['permitted_earnings']:.0f} a week limit)" in text
    assert "your benefit could be suspended instead" in text
