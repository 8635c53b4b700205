"""The workshop room (issue 13): a whole room plays the programme together.

- ``store``: the rooms' shared state, in plain Python (no Solara): :class:`RoomStore`
  (one per server process), codes, tokens, teams, rounds, pause, undo, the timer,
  subscriptions, and :func:`replay`;
- ``programme``: one team's programme (a model on the room's seed and population),
  its league-table row, weekly series and the round's events in words;
- ``log``: the session log's entries and their CSV and JSON export;
- ``roles``: roles mode, the room as one programme: seats drawn from the population,
  their choices applied through ``simulation.choices`` beside the model's own;
- ``debrief``: the rounds replayed from the log, and the one-page debrief report;
- ``address``: the join address phones can reach (the server's network address).
"""

from .log import Entry
from .store import RoomError, RoomStore, RoomView, replay

__all__ = ["Entry", "RoomError", "RoomStore", "RoomView", "replay"]
