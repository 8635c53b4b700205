"""The meeting setting of each standing group, fixed for a run.

User-led groups are run by patients and carers. ``user_led_funding`` is the
share of the budget, and so of the standing groups, handed to them (the number
of groups is rounded up or down at random so that its expectation is exact).
They set their own agenda (openness 1) and their own slower pace (at most
``user_led_pace``), lay input weighs as much as professional input (power
sharing 1), and their budget books members' travel up front. Every other group
follows the programme's rules. Rules read the per-agent copies (``*_a``) to stay vectorised.

Meeting format (``meeting_format``): an online meeting lasts ``online_hours_factor`` of
the hours it would take in a room (fewer turns, so less time for lived experience to
surface); a hybrid meeting is held in the room and lasts as long. A pair of whom at
least one joins online gains ``online_tie_factor`` of the tie they would gain in the
room (see relations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arrays import Bools, Floats, Ties

if TYPE_CHECKING:
    from .params import RunParams
    from .population import State


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
    online_gain: Ties  # the same, for a pair of whom at least one joins online


def build(state: State, p: RunParams) -> Setting:
    """Settings for every group of ``state`` under parameters ``p``."""
    ul = state.user_led
    pace = np.where(ul, min(p.pace, p.user_led_pace), p.pace)
    openness = np.where(ul, 1.0, p.agenda_openness)
    power = np.where(ul, 1.0, p.power_sharing)
    hours = p.hours_fast + (p.hours_slow - p.hours_fast) * (1.0 - pace)
    if p.meeting_format == "online":  # online meetings are shorter (a hybrid one is not)
        hours = hours * p.online_hours_factor
    turns = p.turns_per_hour * hours * (1.0 - p.agenda_time * pace)
    surfacing = 1.0 - np.exp(-turns / p.surfacing_turns)
    # Lived experience is on the agenda when participants set it, or when the
    # conversation is open-ended enough to leave the agenda.
    relevance = openness + (1.0 - openness) * (1.0 - pace)
    g = state.group
    # Each group's gain rounded to float32 once, then laid on its pairs (times 1 or 0:
    # exact), rather than every pair's in float64 then rounded: the same floats.
    gain = (p.tie_formal + p.tie_informal * (1.0 - pace)).astype(np.float32)
    off_diagonal = state.off_diagonal.astype(np.float32)
    pair_gain = gain[:, None, None] * off_diagonal
    online_gain = (gain * p.online_tie_factor).astype(np.float32)[:, None, None] * off_diagonal
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
        online_gain,
    )
