"""Choices made outside the model: people whose decisions someone else takes.

A workshop room's seats (``dashboards/room/roles.py``) let people in the room decide for
some of the model's agents. ``model.choices`` is ``None`` by default (the model decides
everything); set it to :meth:`Choices.free` and change entries to take over:

- ``attend`` (N,): :data:`FREE` the participation rule decides; :data:`STAY` stays away;
  :data:`GO` goes if they can. The hard limits still hold: someone in a flare-up, or
  without the money at hand to front the fare, cannot come (``participation.take_part``).
- ``say`` (N,), positive: scales one's speaking weight at the meeting (1: as the model;
  2: twice the weight). Turns are shared within the group, so the others' turns move.
- ``listen`` (groups,), at least 0: scales the chance that lived experience is recognised
  in the group (a clinician's weight to lived experience; 1: as the model), at most every
  lived-experience contribution recognised (``meeting.hold``).
- ``wanted`` (N,), written by ``take_part`` every meeting week: what the participation
  rule chose before any override, so a debrief can set a person's choice beside the
  model's in the same situation.

The rules take the same random draws with or without choices: a week's participation
draws do not depend on them, and everyone they leave alone decides as in the model's
own run until the choices' effects (who was at the meeting) reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .arrays import Bools, Floats

if TYPE_CHECKING:
    from .population import State

FREE, STAY, GO = -1, 0, 1  # values of Choices.attend


@dataclass
class Choices:
    """Decisions taken for some agents from outside the model (see the module's docstring)."""

    attend: npt.NDArray[np.int8]  # FREE, STAY or GO, per agent
    say: Floats  # speaking weight factor, per agent
    listen: Floats  # lived experience's recognition factor, per group
    wanted: Bools  # what the participation rule chose this week, per agent

    @classmethod
    def free(cls, s: State) -> Choices:
        """No decision taken over: the model's own run (and ``wanted`` filled as it goes)."""
        return cls(
            attend=np.full(s.n, FREE, np.int8),
            say=np.ones(s.n),
            listen=np.ones(s.n_groups),
            wanted=np.zeros(s.n, bool),
        )
