"""Rule 2, meeting: participants contribute knowledge; some of it is recognised.

Within each group, present agent i gets a share of the group's discussion turns

    turns_i = T_g * w_i / sum_group(w),   w_i = fluency_i^(1 + 3 pace) (1/2 + credibility_i)

so fast, formal meetings favour the fluent and the credible. Contributions of
kind k are Poisson(turns_i * q_ik), where q_i is the agent's knowledge profile
with lived experience scaled by the group's surfacing factor (hidden profiles:
unshared knowledge surfaces only in long discussions). Each is recognised with
probability (1/4 + 3/4 credibility_i) * relevance_k, where relevance is 1 for
biomedical and practice knowledge and the group's experiential relevance for
lived experience.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Talk:
    """What was said at this week's meetings, per agent and kind of knowledge."""

    turns: np.ndarray  # (N,)
    contributed: np.ndarray  # (N, 3) counts by kind
    recognised: np.ndarray  # (N, 3) counts by kind


def hold(s, setting, rng: np.random.Generator) -> Talk | None:
    """Hold this week's meetings; None when nobody came."""
    present = s.attending
    if not present.any():
        return None
    w = present * s.fluency ** (1.0 + 3.0 * setting.pace_a) * (0.5 + s.credibility)
    wsum = np.bincount(s.group, w, minlength=s.n_groups)[s.group]
    turns = np.divide(setting.turns_a * w, wsum, out=np.zeros(s.n), where=wsum > 0)
    profile = s.knowledge.copy()
    profile[:, 2] *= setting.surfacing_a
    profile /= profile.sum(axis=1, keepdims=True)
    contributed = rng.poisson(turns[:, None] * profile)
    chance = np.empty((s.n, 3))
    chance[:] = (0.25 + 0.75 * s.credibility)[:, None]
    chance[:, 2] *= setting.relevance_experience_a
    recognised = rng.binomial(contributed, chance)
    return Talk(turns, contributed, recognised)
