"""Rule 2, meeting: participants contribute knowledge; some of it is recognised.

Within each group, present agent i gets a share of the group's discussion turns

    turns_i = T_g * w_i / sum_group(w),
    w_i = fluency_i^(1 + fluency_pace pace) (speak_base + credibility_i)

so fast, formal meetings favour the fluent and the credible. Contributions of
kind k are Poisson(turns_i * q_ik), where q_i is the agent's knowledge profile
with lived experience scaled by the group's surfacing factor and renormalised
(hidden profiles: unshared knowledge surfaces only in long discussions). Each is
recognised with probability

    min(1, heard_base + heard_credibility credibility_i) * relevance_k,

where relevance is 1 for biomedical and practice knowledge, and for lived
experience the group's experiential relevance (pace and agenda) times the mean
recognition of lived experience of the professionals present (1 when none is):
what counts as knowledge depends on who is in the room and what they have
learnt (see relations). By Poisson thinning, recognised contributions of each
kind and the unrecognised ones (of all kinds together) are independent Poisson
counts, drawn at once.
Someone outside the model may scale a person's speaking weight, or a group's
recognition of lived experience (at most all of it recognised): ``simulation.choices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, runs
from .arrays import Bools, Floats, Ints
from .runs import Draws, PerRun

if TYPE_CHECKING:
    from .choices import Choices
    from .params import RunParams
    from .population import State
    from .setting import Setting


@dataclass
class Talk:
    """What was said at this week's meetings, per agent and kind of knowledge."""

    turns: Floats  # (N,)
    recognised: Ints  # (N, 3) recognised contributions by kind
    said: Floats  # (N,) contributions of all kinds, recognised or not
    heard: Floats  # (N,) share of one's contributions recognised (0 if silent or absent)
    # chance a lived-experience contribution was recognised (one per run: simulation.runs)
    lived_chance: PerRun = 0.0
    met: Bools | None = None  # runs side by side: which runs' meetings anybody came to


@dataclass(frozen=True)
class Room:
    """The parts of who-gets-heard that are fixed for a run, per agent."""

    fluent: Floats  # fluency ** (1 + fluency_pace * pace)
    topics: Floats  # (N, 3) share of one's turns spent on each kind of knowledge
    relevant_topics: Floats  # (N, 3) topics times the relevance of each kind in one's group


def prepare(s: State, p: RunParams, setting: Setting) -> Room:
    """Compute the run's fixed speaking weights, topic shares and relevance."""
    topics = s.knowledge.copy()
    topics[:, 2] *= setting.surfacing_a
    topics /= topics.sum(axis=1, keepdims=True)
    relevant = topics.copy()
    relevant[:, 2] *= setting.relevance_experience_a
    return Room(s.fluency ** (1.0 + p.fluency_pace * setting.pace_a), topics, relevant)


def open_to_experience(s: State, idx: Ints, group: Ints) -> Floats:
    """Per group: mean recognition of lived experience among the professionals present.

    What counts as knowledge depends on who is in the room: lay people alone (no
    professional present) recognise each other's experience, 1.
    """
    professional = ~s.lay[idx]
    n_professional = np.bincount(group, professional, minlength=s.n_groups)
    open_to = np.bincount(group, s.recognition[idx] * professional, minlength=s.n_groups)
    np.divide(open_to, n_professional, out=open_to, where=n_professional > 0)
    open_to[n_professional == 0] = 1.0
    return open_to


def hold(
    s: State,
    p: RunParams,
    setting: Setting,
    room: Room,
    rng: Draws,
    choices: Choices | None = None,
) -> Talk | None:
    """Hold this week's meetings; None when nobody came. ``choices`` scale some people's
    speaking weight and some groups' recognition of lived experience."""
    idx = np.flatnonzero(s.attending)
    if idx.size == 0:
        return None
    loops = compiled.kernels()
    if choices is None and loops is not None and _plain(s, setting, room, p):
        # The lines below, in two passes (simulation.kernels.speak).
        rates, turns = np.empty((idx.size, 4)), np.empty(idx.size)
        of = np.array([p.speak_base, p.heard_base, p.heard_credibility], dtype=float)
        people = (s.credibility, room.fluent, setting.turns_a)
        loops.speak(idx, s.group, s.n_groups, *people, room.relevant_topics, s.lay,
                    s.recognition, of, (rates, turns))  # fmt: skip
        return _said(s, room, rng, idx, rates, turns)
    group, cred = s.group[idx], s.credibility[idx]  # credibility changes: see relations
    w = room.fluent[idx] * (p.speak_base + cred)
    if choices is not None:
        w = w * choices.say[idx]
    turns = setting.turns_a[idx] * w / np.bincount(group, w, minlength=s.n_groups)[group]
    # Rates of recognised contributions by kind, then of unrecognised ones (all kinds):
    # topics sum to 1, so all contributions together come at the rate of turns.
    rates = np.empty((idx.size, 4))
    np.multiply(
        room.relevant_topics[idx],
        (turns * np.minimum(1.0, p.heard_base + p.heard_credibility * cred))[:, None],
        out=rates[:, :3],
    )
    rates[:, 2] *= open_to_experience(s, idx, group)[group]
    if choices is not None:  # lived experience heard more or less, at most all of it
        np.minimum(
            rates[:, 2] * choices.listen[group], turns * room.topics[idx, 2], out=rates[:, 2]
        )
    n_heard_rate = rates[:, 0] + rates[:, 1] + rates[:, 2]
    np.subtract(turns, n_heard_rate, out=rates[:, 3])
    np.maximum(rates[:, 3], 0.0, out=rates[:, 3])  # rounding
    return _said(s, room, rng, idx, rates, turns)


def _said(s: State, room: Room, rng: Draws, idx: Ints, rates: Floats, turns: Floats) -> Talk:
    """Draw the contributions of attendees ``idx`` at ``rates`` (recognised by kind, then
    unrecognised; ``turns`` theirs): what was said and heard."""
    # Runs side by side (simulation.runs): run r's attendees are rows bounds[r]:bounds[r + 1].
    bounds = np.searchsorted(idx, runs.equal_bounds(s.runs, s.n))
    counts = runs.poisson(rng, "contributions", rates, bounds)
    talk = Talk(np.zeros(s.n), np.zeros((s.n, 3), np.int64), np.zeros(s.n), np.zeros(s.n))
    loops = compiled.kernels()
    if loops is not None and counts.dtype == np.int64 and counts.flags.c_contiguous:
        loops.said(idx, counts, turns, (talk.turns, talk.recognised, talk.said, talk.heard))
    else:  # (the same, entry by entry)
        recognised = counts[:, :3]
        n_heard = recognised[:, 0] + recognised[:, 1] + recognised[:, 2]
        n_said = n_heard + counts[:, 3]
        talk.turns[idx] = turns
        talk.recognised[idx] = recognised
        talk.said[idx] = n_said
        talk.heard[idx] = n_heard / np.maximum(n_said, 1)
    # Each run's sums over its own attendees (simulation.runs): lengths differ, run by run.
    lived = runs.segments(bounds, turns, "dot", room.topics[idx, 2])
    chance = runs.segments(bounds, rates[:, 2], "sum")
    if s.runs == 1:
        lived_said, heard = float(lived[0]), float(chance[0])
        talk.lived_chance = heard / lived_said if lived_said > 0 else 0.0
        return talk
    talk.lived_chance = np.divide(chance, lived, out=np.zeros(s.runs), where=lived > 0)
    talk.met = np.diff(bounds) > 0
    return talk


def _plain(s: State, setting: Setting, room: Room, p: RunParams) -> bool:
    """Whether the compiled loops take these (as State, Setting and prepare make them)."""
    rates = (p.speak_base, p.heard_base, p.heard_credibility)
    arrays = (s.credibility, s.recognition, room.fluent, setting.turns_a, room.relevant_topics)
    return all(isinstance(r, float) for r in rates) and all(
        a.dtype == np.float64 and a.flags.c_contiguous and a.shape[0] == s.n for a in arrays
    )
