"""The meeting setting of each standing group, fixed for a run.

User-led groups are run by patients and carers. ``user_led_funding`` is the
share of the budget, and so of the standing groups, handed to them (the number
of groups is rounded up or down at random so that its expectation is exact).
They set their own agenda (openness 1) and their own slower pace (at most
``USER_LED_PACE``), lay input weighs as much as professional input (power
sharing 1), and their budget books members' travel up front. Every other group
follows the programme's rules. Rules read the per-agent copies (``*_a``) to stay vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Bools, Floats, Ties
from .relations import TIE_FORMAL, TIE_INFORMAL

if TYPE_CHECKING:
    from .params import RunParams
    from .population import State

HOURS_FAST, HOURS_SLOW = 2.0, 4.0  # meeting length at pace 1 and at pace 0
TURNS_PER_HOUR = 12.0  # contributions a group can hear in an hour of open discussion
AGENDA_TIME = 0.6  # share of a fully fast meeting spent running through agenda items
SURFACING_TURNS = 12.0  # hidden profile: turns of discussion before unshared experience surfaces
USER_LED_PACE = 0.3


@dataclass(frozen=True)
class Setting:
    """Per-group settings and their per-agent copies."""

    pace: Floats
    openness: Floats
    power: Floats
    hours: Floats
    turns: Floats
    surfacing: Floats
    relevance_experience: Floats
    pace_a: Floats
    power_a: Floats
    hours_a: Floats
    turns_a: Floats
    surfacing_a: Floats
    relevance_experience_a: Floats
    user_led_a: Bools
    pair_gain: Ties  # (groups, slots, slots) tie gain per meeting, see relations


def build(state: State, p: RunParams) -> Setting:
    """Settings for every group of ``state`` under parameters ``p``."""
    ul = state.user_led
    pace = np.where(ul, min(p.pace, USER_LED_PACE), p.pace)
    openness = np.where(ul, 1.0, p.agenda_openness)
    power = np.where(ul, 1.0, p.power_sharing)
    hours = HOURS_FAST + (HOURS_SLOW - HOURS_FAST) * (1.0 - pace)
    turns = TURNS_PER_HOUR * hours * (1.0 - AGENDA_TIME * pace)
    surfacing = 1.0 - np.exp(-turns / SURFACING_TURNS)
    # Lived experience is on the agenda when participants set it, or when the
    # conversation is open-ended enough to leave the agenda.
    relevance = openness + (1.0 - openness) * (1.0 - pace)
    g = state.group
    pair_gain = (
        (TIE_FORMAL + TIE_INFORMAL * (1.0 - pace))[:, None, None] * state.off_diagonal
    ).astype(np.float32)
    return Setting(
        pace,
        openness,
        power,
        hours,
        turns,
        surfacing,
        relevance,
        pace[g],
        power[g],
        hours[g],
        turns[g],
        surfacing[g],
        relevance[g],
        ul[g],
        pair_gain,
    )
