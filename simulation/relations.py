"""Rule 5, relations: ties, trust and credibility change as people work together.

- Ties: every week each tie decays, s <- (1 - tie_decay) s. Two members of a group
  who meet strengthen their tie, s <- s + (tie_formal + tie_informal (1 - pace))(1 - s):
  slow, open meetings leave room for informal contact. A tie is strong above strong_tie.
- Belonging: an agent's mean tie strength to the other members of its group.
- Trust: a present agent's trust moves towards a weighted mean of its recognition
  rate h (recognised / said) and its belonging b,
  target = w h + (1 - w) b with w = trust_weight_recognition, and
  t <- t + trust_rate (target - t): recognition builds trust, being ignored erodes it.
- Credibility: a lay agent gains credit for the group's adopted lay insights in
  proportion to its recognised contributions (at most credit_cap insights a week),
  c <- c + credibility_gain min(credit, credit_cap) (1 - c): adopted lay insights
  redistribute power.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .arrays import Bools

if TYPE_CHECKING:
    from .decisions import Decisions
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
    s: State, p: RunParams, setting: Setting, talk: Talk | None, decisions: Decisions | None
) -> None:
    """Decay and grow ties; update belonging, trust and credibility."""
    # Decay scales every tie, so it scales each agent's mean tie (belonging) alike.
    s.ties *= np.float32(1.0 - p.tie_decay)
    s.belonging *= 1.0 - p.tie_decay
    if talk is None:
        return
    assert decisions is not None  # a meeting decides, if only nothing
    grid = on_grid(s, s.attending.astype(np.float32))
    met = np.einsum("gi,gj->gij", grid, grid)  # 1 for each pair who met
    met *= setting.pair_gain
    met *= 1.0 - s.ties
    s.ties += met

    s.belonging[:] = np.einsum("gij->gi", s.ties).ravel()[s.cell] / s.others
    w = p.trust_weight_recognition
    target = w * talk.heard + (1.0 - w) * s.belonging
    present = s.attending
    s.trust += present * p.trust_rate * (target - s.trust)

    lay_recognised = talk.said * talk.heard * s.lay  # recognised contributions
    by_group = np.bincount(s.group, lay_recognised, minlength=s.n_groups)
    credit = np.divide(
        decisions.adopted_lay[s.group] * lay_recognised,
        by_group[s.group],
        out=np.zeros(s.n),
        where=by_group[s.group] > 0,
    )
    gain = p.credibility_gain * np.minimum(credit, p.credit_cap)
    s.credibility += gain * (1.0 - s.credibility)


def strong_cross_role(s: State, active: Bools, threshold: float) -> int:
    """Number of strong (above ``threshold``) lay-professional ties between active participants."""
    grid = on_grid(s, active.astype(np.float32))
    strong = np.multiply(s.ties > threshold, s.cross_role, dtype=np.float32)
    per_agent = np.einsum("gij,gj->gi", strong, grid)
    return round(float(np.vdot(per_agent, grid))) // 2
