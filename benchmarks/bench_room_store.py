"""How long the workshop room's state takes: a round, an undo, and the alternative to undo.

Run from the repository root::

    .venv/bin/python benchmarks/bench_room_store.py

For one room of 12 teams (each with its own rules), 13 weeks a round, through a
104-week programme (8 rounds), it prints, at each round:

* the round: every team's programme advanced 13 weeks, the table and events made
  (the issue's target: under 1 s on a 2-core laptop);
* undo by rebuilding (what ``Room.undo`` does): 12 models built from the seed and run
  to the week before the round;
* the alternative, a snapshot per round: ``copy.deepcopy`` of the 12 models (paid at
  every round, whether or not anyone undoes) and the snapshot's size (pickled);
* a rule change by every team after the round: 12 models rebuilt to the room's week.

Each figure is the best of a few repeats. The script reports; it does not test.
"""

from __future__ import annotations

import copy
import pickle
import time

from dashboards.room.store import RoomStore

TEAMS = 12  # the room: 12 participants
REPEATS = 3  # best of 3: the machine is shared


def best(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    store = RoomStore()
    code, token = store.create_room()
    tokens = []
    for i in range(TEAMS):
        mine = store.join_team(code, f"Team {i}")
        store.set_rules(code, mine, {"pace": i / (TEAMS - 1), "compensation": "paid"})
        tokens.append(mine)
    room = store._rooms[code]
    print("round  week  round ms  undo (rebuild) ms  deepcopy ms  snapshot KB  rules ms")
    while room.week < room.values["weeks"]:
        began = time.perf_counter()
        store.start_round(code, token)
        took = time.perf_counter() - began

        def undo_and_redo() -> None:
            store.undo(code, token)
            store.start_round(code, token)

        # undo_and_redo includes a round again: take the round's own time off
        undo = max(0.0, best(undo_and_redo) - took)
        models = [t.programme.model for t in room.teams.values()]
        snap = best(lambda models=models: copy.deepcopy(models))
        size = len(pickle.dumps(models)) / 1024
        rules = sum(
            best(lambda t=t: t.programme.catch_up({**t.rules, "pace": 0.5}, room.week), 1)
            for t in room.teams.values()
        )
        print(
            f"{len(room.rounds):>5}  {room.week:>4}  {took * 1000:>8.0f}  {undo * 1000:>17.0f}"
            f"  {snap * 1000:>11.0f}  {size:>11.0f}  {rules * 1000:>8.0f}"
        )
        for t in room.teams.values():  # back to the teams' own rules for the next round
            t.programme.catch_up(t.rules, room.week)


if __name__ == "__main__":
    main()
