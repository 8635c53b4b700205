"""Rule 5, relations: ties, trust and credibility change as people work together.

- Ties: every week each tie decays, s <- (1 - TIE_DECAY) s. Two members of a group
  who meet strengthen their tie, s <- s + (TIE_FORMAL + TIE_INFORMAL (1 - pace))(1 - s):
  slow, open meetings leave room for informal contact. A tie is strong above STRONG.
- Trust: a present agent's trust moves towards the mean of its recognition rate
  (recognised / contributed) and its mean tie strength to its group,
  t <- t + TRUST_RATE (target - t): recognition builds trust, being ignored erodes it.
- Credibility: a lay agent gains credit for the group's adopted lay insights in
  proportion to its recognised contributions, c <- c + CREDIBILITY_GAIN credit (1 - c):
  adopted lay insights redistribute power.
"""

from __future__ import annotations

import numpy as np

TIE_DECAY = 0.004
TIE_FORMAL, TIE_INFORMAL = 0.015, 0.06
STRONG = 0.5
TRUST_RATE = 0.15
CREDIBILITY_GAIN = 0.05


def recognition_rate(talk) -> np.ndarray:
    """Share of an agent's contributions that were recognised (0 if it said nothing)."""
    said = talk.contributed.sum(axis=1)
    return np.divide(talk.recognised.sum(axis=1), said, out=np.zeros(said.size), where=said > 0)


def update(s, setting, talk, decisions) -> None:
    """Decay and grow ties; update trust and credibility."""
    s.ties *= 1.0 - TIE_DECAY
    if talk is None:
        return
    grid = np.zeros((s.n_groups, s.n_slots))
    grid[s.group, s.slot] = s.attending
    pairs = grid[:, :, None] * grid[:, None, :]
    gain = TIE_FORMAL + TIE_INFORMAL * (1.0 - setting.pace)
    s.ties += pairs * gain[:, None, None] * (1.0 - s.ties)
    idx = np.arange(s.n_slots)
    s.ties[:, idx, idx] = 0.0

    members = np.bincount(s.group, minlength=s.n_groups)[s.group]
    mean_tie = s.ties[s.group, s.slot].sum(axis=1) / np.maximum(members - 1, 1)
    target = 0.5 * recognition_rate(talk) + 0.5 * mean_tie
    present = s.attending
    s.trust += present * TRUST_RATE * (target - s.trust)

    lay_recognised = talk.recognised.sum(axis=1) * s.lay
    by_group = np.bincount(s.group, lay_recognised, minlength=s.n_groups)
    credit = np.divide(decisions.adopted_lay[s.group] * lay_recognised, by_group[s.group],
                       out=np.zeros(s.n), where=by_group[s.group] > 0)
    s.credibility += CREDIBILITY_GAIN * np.minimum(credit, 5.0) * (1.0 - s.credibility)
    np.minimum(s.credibility, 1.0, out=s.credibility)


def strong_cross_role(s, active: np.ndarray) -> int:
    """Number of strong lay-professional ties between active participants."""
    grid = np.zeros((s.n_groups, s.n_slots), bool)
    grid[s.group, s.slot] = active
    both = grid[:, :, None] & grid[:, None, :]
    return int(np.count_nonzero((s.ties > STRONG) & s.cross_role & both)) // 2
