"""Rule 7, motivation: each agent judges the meeting by its own rationale.

Satisfaction s of a present agent is the mix of three judgements, weighted by
its values v (see values: they start mostly on its own rationale and shift):

- rights-based: real influence, s = (min(1, n_present * influence) + lay adoption chance) / 2;
- managerial: outputs per unit cost, v = (adopted insights + agenda items) /
  (meeting cost / professional hourly pay), s = v / (v + value_ref);
- experience-based: being heard, with h = recognised / said (0 if silent),
  s = h / (h + heard_ref);

s = v_rights s_rights + v_managerial s_managerial + v_experience s_experience.

Then satisfaction <- satisfaction + satisfaction_rate (s - satisfaction) and

    motivation <- motivation + motivation_rate (s - aspiration)
                  - burnout * unpaid hours / free hours   (lay, unpaid)
                  - benefit_shock                        (benefit cut this week)
                  - benefit_shock * loss                 (uc: benefit taken back, see money)

Agents who have not attended for more than ``meeting_interval`` weeks drift back
towards their own baseline motivation at return_rate a week, so people who drop
out may come back. Fear of losing benefits fades towards its initial level at
fear_fade a week: a scheme that cuts nobody's benefits slowly earns trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import compiled
from .arrays import Floats
from .fused import relax

if TYPE_CHECKING:
    from .decisions import Decisions
    from .meeting import Talk
    from .money import Flows
    from .params import RunParams
    from .population import State


def judge(s: State, p: RunParams, talk: Talk, decisions: Decisions, flows: Flows) -> Floats:
    """Each agent's satisfaction with this week's meeting, by its own rationale."""
    g = s.group
    # v / (v + value_ref) with v = outputs / cost, written so a tiny cost cannot overflow.
    assert flows.group_cost is not None  # money.settle sets it whenever someone came
    outputs = decisions.adopted + decisions.items
    weighed = outputs + p.value_ref * flows.group_cost / p.professional_pay
    managerial = np.divide(outputs, weighed, out=np.zeros(s.n_groups), where=weighed > 0)
    loops = compiled.kernels()
    if loops is not None and isinstance(p.heard_ref, float):  # the lines below, in one pass
        judged = np.empty((s.n, 3))
        by_group = np.stack([decisions.present, decisions.lay_adoption, managerial])
        loops.judged(g, s.influence, talk.heard, by_group, p.heard_ref, judged)
    else:
        present, adoption = decisions.present[g], decisions.lay_adoption[g]
        rights = 0.5 * (np.minimum(1.0, present * s.influence) + adoption)
        experience = talk.heard / (talk.heard + p.heard_ref)
        judged = np.column_stack([rights, managerial[g], experience])
    # Judged by the weighted mix of the rationales (population.RATIONALES order): see values.
    return np.einsum("ik,ik->i", s.values, judged)


def update(
    s: State,
    p: RunParams,
    talk: Talk | None,
    decisions: Decisions | None,
    flows: Flows,
    week: int,
) -> None:
    """Update satisfaction and motivation after this week."""
    present = s.attending
    if talk is not None:
        assert decisions is not None  # a meeting decides, if only nothing
        sat = judge(s, p, talk, decisions, flows)
        relax(s.satisfaction, p.satisfaction_rate, sat, present)
        s.motivation += present * p.motivation_rate * (sat - p.aspiration)
    if flows.unpaid is not None:
        s.motivation -= p.burnout * flows.unpaid / s.free_hours
    if flows.cut is not None:
        s.motivation -= p.benefit_shock * flows.cut
    if flows.loss is not None:  # Universal Credit taken back: a shock by its size (money)
        s.motivation -= p.benefit_shock * flows.loss
    away = s.last_attended < week - p.meeting_interval
    relax(s.motivation, p.return_rate, s.baseline_motivation, away)
    np.clip(s.motivation, 0.0, 1.0, out=s.motivation)
    relax(s.benefit_fear, p.fear_fade, s.initial_fear)
