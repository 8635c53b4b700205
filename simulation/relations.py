"""Rule 5, relations: ties, trust and credibility change as people work together.

- Ties: every week each tie decays, s <- (1 - tie_decay) s. Two members of a group
  who meet strengthen their tie, s <- s + (tie_formal + tie_informal (1 - pace))(1 - s):
  slow, open meetings leave room for informal contact. A tie is strong above strong_tie.
  When at least one of the two joins online (see participation, meeting_format) the gain
  is online_tie_factor times as large: ties build more slowly through a screen.
- Belonging: an agent's mean tie strength to the other members of its group.
- Trust: a present agent's trust moves towards a weighted mean of its recognition
  rate h (recognised / said) and its belonging b,
  target = w h + (1 - w) b with w = trust_weight_recognition, and
  t <- t + trust_rate (target - t): recognition builds trust, being ignored erodes it.
- Lay credibility rises and falls: a present lay agent gains credit for the
  group's adopted lay insights in proportion to its recognised contributions (at
  most credit_cap insights a week) and loses standing for contributions ignored,

      c <- c + credibility_gain min(credit, credit_cap) (1 - c)
             - credibility_loss (1 - h) c          (if it said anything),

  and, away for longer than active_weeks, fades back to its starting value c0 at
  credibility_fade a week: adopted lay insights redistribute power, ignored ones
  and absence take it back.
- Professional credibility follows whether the group acts on lay input: with A_g
  the group's chance of adopting a lay idea (see decisions), a present
  professional's credibility moves at professional_credibility_rate towards
  min(1, c0 (1 + accountability (A_g - 1/2))), at meetings that lay people came to.
- Recognition of lived experience: a group's evidence e_g, the recent share of its
  insights that were unexpected, follows each meeting that produced insights at
  evidence_rate. A present
  professional's recognition r moves at recognition_rate towards

      r0 + (1 - r0) (w tie_lay + (1 - w) e_g),   w = recognition_weight_ties,

  where tie_lay is its mean tie strength to the lay members of its group and r0 is
  recognition_initial: relations change what counts as knowledge (see meeting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from . import compiled
from .arrays import Bools
from .fused import relax
from .runs import PerRun

if TYPE_CHECKING:
    from .decisions import Decisions
    from .knowledge import Insights
    from .meeting import Talk
    from .params import RunParams
    from .population import State
    from .setting import Setting


def on_grid[T: np.generic](s: State, values: npt.NDArray[T]) -> npt.NDArray[T]:
    """Per-agent values laid out on the (groups x slots) grid of standing groups."""
    grid = np.zeros(s.n_groups * s.n_slots, values.dtype)
    grid[s.cell] = values
    return grid.reshape(s.n_groups, s.n_slots)


def update(
    s: State,
    p: RunParams,
    setting: Setting,
    talk: Talk | None,
    insights: Insights | None,
    decisions: Decisions | None,
    week: int,
    online: Bools | None = None,
) -> None:
    """Decay and grow ties; update belonging, trust, credibility and recognition.

    ``online``: who joins online when present (``participation.Costs.online``); None
    when everyone meets in the room.
    """
    # Decay scales every tie, so it scales each agent's mean tie (belonging) alike.
    s.ties *= np.float32(1.0 - p.tie_decay)
    s.belonging *= 1.0 - p.tie_decay
    # Long away, a lay person's standing fades back to where it started.
    away = s.lay & (s.last_attended <= week - p.active_weeks)
    relax(s.credibility, p.credibility_fade, s.initial_credibility, away)
    if talk is None:
        return
    assert insights is not None and decisions is not None  # a meeting decides, if only nothing
    _ties_and_trust(s, p, setting, talk, online)
    _lay_credibility(s, p, talk, decisions)
    _professional_standing(s, p, insights, decisions)


def _ties_and_trust(
    s: State, p: RunParams, setting: Setting, talk: Talk, online: Bools | None = None
) -> None:
    grid = on_grid(s, s.attending.astype(np.float32))
    loops = compiled.kernels()
    everyone_in_the_room = online is None or not online.any()
    if everyone_in_the_room and loops is not None and _plain(s.ties, setting.pair_gain):
        loops.meet(s.ties, grid, setting.pair_gain)  # the lines below, in one pass
        _belonging_and_trust(s, p, talk)
        return
    met = np.einsum("gi,gj->gij", grid, grid)  # 1 for each pair who met
    if online is None or everyone_in_the_room:
        met *= setting.pair_gain
    else:  # pairs both in the room gain pair_gain; any other pair who met, online_gain
        room = on_grid(s, (s.attending & ~online).astype(np.float32))
        in_room = np.einsum("gi,gj->gij", room, room)
        mixed = met * setting.online_gain + in_room * (setting.pair_gain - setting.online_gain)
        # Runs side by side: a run nobody in which joins online gains as alone, by the
        # first rule (in float32 the second need not give pair_gain to the last bit).
        some = online.reshape(s.runs, -1).any(axis=1)
        if some.all():
            met = mixed
        else:
            groups = np.repeat(some, s.n_groups // s.runs)[:, None, None]
            met = np.where(groups, mixed, met * setting.pair_gain)
    met *= 1.0 - s.ties
    s.ties += met
    _belonging_and_trust(s, p, talk)


def _plain(*arrays: np.ndarray) -> bool:
    """Whether the compiled loops take these: float32 and C-contiguous (as State and
    Setting make them)."""
    return all(a.dtype == np.float32 and a.flags.c_contiguous for a in arrays)


def _belonging_and_trust(s: State, p: RunParams, talk: Talk) -> None:
    """Belonging from the ties just met; present agents' trust after the meeting."""
    rows = np.einsum("gij->gi", s.ties).ravel()
    loops = compiled.kernels()
    w, rate = p.trust_weight_recognition, p.trust_rate
    if loops is not None and isinstance(w, float) and isinstance(rate, float):
        met = np.ones(1, bool) if talk.met is None else talk.met
        out = (s.belonging, s.trust)  # the lines below, in one pass
        loops.belong_and_trust(rows, s.cell, s.others, met, talk.heard, s.attending, (w, rate), out)
        return
    belonging = rows[s.cell] / s.others
    if talk.met is None:
        s.belonging[:] = belonging
    else:  # runs side by side: where nobody met, belonging only decays, as alone
        np.copyto(s.belonging, belonging, where=np.repeat(talk.met, s.n // s.runs))
    target = w * talk.heard + (1.0 - w) * s.belonging
    relax(s.trust, rate, target, s.attending)


def _lay_credibility(s: State, p: RunParams, talk: Talk, decisions: Decisions) -> None:
    """Adopted ideas raise a lay person's credibility; ignored contributions lower it."""
    loops = compiled.kernels()
    if loops is not None and s.credibility.flags.c_contiguous:  # the lines below, fused
        rates = np.array([p.credibility_gain, p.credit_cap, p.credibility_loss], dtype=float)
        loops.lay_credibility(
            s.credibility, talk.said, talk.heard, s.lay, s.group, decisions.adopted_lay, rates
        )
        return
    lay_recognised = talk.said * talk.heard * s.lay  # recognised contributions
    by_group = np.bincount(s.group, lay_recognised, minlength=s.n_groups)
    credit = np.divide(
        decisions.adopted_lay[s.group] * lay_recognised,
        by_group[s.group],
        out=np.zeros(s.n),
        where=by_group[s.group] > 0,
    )
    gain = p.credibility_gain * np.minimum(credit, p.credit_cap)
    ignored = s.lay * (talk.said > 0) * (1.0 - talk.heard)
    s.credibility += gain * (1.0 - s.credibility) - p.credibility_loss * ignored * s.credibility


def _professional_standing(
    s: State, p: RunParams, insights: Insights, decisions: Decisions
) -> None:
    """Professionals' credibility and recognition of lived experience, after a meeting.

    Credibility with lay people follows whether the group acts on lay input;
    recognition of lived experience follows one's ties to lay members and what
    lived experience has produced in the group (its recent share of unexpected insights).
    """
    # Only a meeting that produced insights says where they come from.
    made = insights.total > 0
    produced = np.divide(insights.unexpected, insights.total, out=np.zeros(s.n_groups), where=made)
    s.evidence += made * p.evidence_rate * (produced - s.evidence)
    loops = compiled.kernels()
    if loops is not None and _standing_plain(s, p):
        lay_grid = on_grid(s, s.lay.astype(np.float32))
        to_lay = np.einsum("gij,gj->gi", s.ties, lay_grid).ravel()[s.cell]
        of = _standing_rates(p)
        out = (s.initial_credibility, s.credibility, s.recognition)
        loops.standing(  # the lines below, in two passes
            (s.attending, s.lay), s.group, decisions.lay_adoption, s.evidence, to_lay, of, out
        )
        return
    here = s.attending & ~s.lay
    g = s.group
    # Only where lay people came is there lay input to act on, or not.
    lay_came = np.bincount(g, s.attending & s.lay, minlength=s.n_groups)[g] > 0
    swing = p.accountability * (decisions.lay_adoption[g] - 0.5)  # within +- half of it
    target = np.minimum(1.0, s.initial_credibility * (1.0 + swing))
    judged = here & lay_came
    relax(s.credibility, p.professional_credibility_rate, target, judged)
    lay_grid = on_grid(s, s.lay.astype(np.float32))
    n_lay = lay_grid.sum(axis=1)
    to_lay = np.einsum("gij,gj->gi", s.ties, lay_grid).ravel()[s.cell]
    tie_lay = np.divide(to_lay, n_lay[g], out=np.zeros(s.n), where=n_lay[g] > 0)
    w, start = p.recognition_weight_ties, p.recognition_initial
    aim = start + (1.0 - start) * (w * tie_lay + (1.0 - w) * s.evidence[g])
    relax(s.recognition, p.recognition_rate, aim, here)


def _standing_rates(p: RunParams) -> tuple[float, ...]:
    """The rates simulation.kernels.standing takes, in its order."""
    return (
        *(p.accountability, p.professional_credibility_rate, p.recognition_weight_ties),
        *(p.recognition_initial, p.recognition_rate),
    )


def _standing_plain(s: State, p: RunParams) -> bool:
    """Whether the compiled loops take these (as State makes them)."""
    arrays = (s.initial_credibility, s.credibility, s.recognition)
    return all(isinstance(r, float) for r in _standing_rates(p)) and all(
        a.dtype == np.float64 and a.flags.c_contiguous for a in arrays
    )


def strong_cross_role(s: State, active: Bools, threshold: float) -> PerRun:
    """Number of strong (above ``threshold``) lay-professional ties between active
    participants (an int, or one per run).

    Found among the strong ties alone, few of a group's pairs: the cells (group, i, j)
    of the (groups, slots, slots) ties, each pair counted from both ends. A count is a
    whole number, the same however it is found.
    """
    loops = compiled.kernels()
    if loops is not None and s.ties.flags.c_contiguous and s.cross_role.flags.c_contiguous:
        ends = np.zeros(s.runs, np.int64)  # the lines below, in one pass
        limit = np.result_type(s.ties, threshold).type(threshold)  # as numpy compares
        loops.strong_cross_role(s.ties, limit, s.cross_role, s.cell, active, ends)
        return int(ends[0]) // 2 if s.runs == 1 else ends // 2
    slots = s.n_slots
    cell = np.flatnonzero(s.ties > threshold)  # group * slots^2 + i * slots + j
    group = cell // (slots * slots)
    on = on_grid(s, active).ravel()  # the active, by group * slots + slot
    ends = s.cross_role.ravel()[cell] & on[cell // slots] & on[group * slots + cell % slots]
    if s.runs == 1:
        return int(np.count_nonzero(ends)) // 2
    return np.bincount(group[ends] // (s.n_groups // s.runs), minlength=s.runs) // 2
