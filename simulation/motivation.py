"""Rule 7, motivation: each agent judges the meeting by its own rationale.

Satisfaction s of a present agent:

- rights-based: real influence, s = (min(1, n_present * influence) + lay adoption chance) / 2;
- managerial: outputs per unit cost, v = (adopted insights + agenda items) /
  (meeting cost / professional hourly pay), s = v / (v + VALUE_REF);
- experience-based: being heard, with h = recognised / said (0 if silent),
  s = h / (h + HEARD_REF).

Then satisfaction <- satisfaction + SAT_RATE (s - satisfaction) and

    motivation <- motivation + ETA (s - ASPIRATION)
                  - BURNOUT * unpaid hours / free hours   (lay, unpaid)
                  - BENEFIT_SHOCK                        (benefit cut this week)

Agents who have not attended for more than ``meeting_interval`` weeks drift back
towards their own baseline motivation at RETURN_RATE a week, so people who drop
out may come back. Fear of losing benefits fades towards its initial level at
FEAR_FADE a week: a scheme that cuts nobody's benefits slowly earns trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .arrays import Floats
from .participation import PROFESSIONAL_PAY

if TYPE_CHECKING:
    from .decisions import Decisions
    from .meeting import Talk
    from .money import Flows
    from .population import State

SAT_RATE = 0.3
ETA = 0.15
ASPIRATION = 0.4
VALUE_REF = 0.5  # adopted insights and items per paid-hour-equivalent that satisfy half-way
HEARD_REF = 0.3  # recognition rate that satisfies half-way
BURNOUT = 0.1
BENEFIT_SHOCK = 0.3
RETURN_RATE = 0.02
FEAR_FADE = 0.02


def judge(s: State, talk: Talk, decisions: Decisions, flows: Flows) -> Floats:
    """Each agent's satisfaction with this week's meeting, by its own rationale."""
    g = s.group
    rights = 0.5 * (np.minimum(1.0, decisions.present[g] * s.influence) + decisions.lay_adoption[g])
    # v / (v + VALUE_REF) with v = outputs / cost, written so a tiny cost cannot overflow.
    assert flows.group_cost is not None  # money.settle sets it whenever someone came
    outputs = decisions.adopted + decisions.items
    weighed = outputs + VALUE_REF * flows.group_cost / PROFESSIONAL_PAY
    managerial = np.divide(outputs, weighed, out=np.zeros(s.n_groups), where=weighed > 0)[g]
    experience = talk.heard / (talk.heard + HEARD_REF)
    return np.choose(s.rationale, [rights, managerial, experience])  # population.RATIONALES order


def update(
    s: State,
    talk: Talk | None,
    decisions: Decisions | None,
    flows: Flows,
    week: int,
    interval: int,
) -> None:
    """Update satisfaction and motivation after this week."""
    present = s.attending
    if talk is not None:
        assert decisions is not None  # a meeting decides, if only nothing
        sat = judge(s, talk, decisions, flows)
        s.satisfaction += present * SAT_RATE * (sat - s.satisfaction)
        s.motivation += present * ETA * (sat - ASPIRATION)
    if flows.unpaid is not None:
        s.motivation -= BURNOUT * flows.unpaid / s.free_hours
    if flows.cut is not None:
        s.motivation -= BENEFIT_SHOCK * flows.cut
    away = s.last_attended < week - interval
    s.motivation += away * RETURN_RATE * (s.baseline_motivation - s.motivation)
    np.clip(s.motivation, 0.0, 1.0, out=s.motivation)
    s.benefit_fear += FEAR_FADE * (s.initial_fear - s.benefit_fear)
