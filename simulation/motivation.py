"""Rule 7, motivation: each agent judges the meeting by its own rationale.

Satisfaction s of a present agent:

- rights-based: real influence, s = (min(1, n_present * influence) + lay adoption chance) / 2;
- managerial: outputs per unit cost, v = (adopted insights + agenda items) /
  (meeting cost / professional hourly pay), s = v / (v + VALUE_REF);
- experience-based: being heard, s = recognised / contributed (0 if not heard at all).

Then satisfaction <- satisfaction + SAT_RATE (s - satisfaction) and

    motivation <- motivation + ETA (s - ASPIRATION)
                  - BURNOUT * unpaid hours / free hours   (lay, unpaid)
                  - BENEFIT_SHOCK                        (benefit cut this week)

Agents who missed the last meeting drift back towards their own baseline at
RETURN_RATE a week, so people who drop out may come back.
"""

from __future__ import annotations

import numpy as np

from .participation import PROFESSIONAL_PAY
from .relations import recognition_rate

SAT_RATE = 0.3
ETA = 0.15
ASPIRATION = 0.5
VALUE_REF = 0.5  # adopted insights and items per paid-hour-equivalent that satisfy half-way
BURNOUT = 0.1
BENEFIT_SHOCK = 0.3
RETURN_RATE = 0.02


def judge(s, setting, talk, decisions, flows) -> np.ndarray:
    """Each agent's satisfaction with this week's meeting, by its own rationale."""
    g = s.group
    rights = 0.5 * (np.minimum(1.0, decisions.present[g] * s.influence)
                    + decisions.lay_adoption[g])
    cost_hours = flows.group_cost / PROFESSIONAL_PAY
    value = np.divide(decisions.adopted + decisions.items, cost_hours,
                      out=np.zeros(s.n_groups), where=cost_hours > 0)
    managerial = (value / (value + VALUE_REF))[g]
    experience = recognition_rate(talk)
    return np.choose(s.rationale, [rights, managerial, experience])  # population.RATIONALES order


def update(s, setting, talk, decisions, flows, week: int, interval: int) -> None:
    """Update satisfaction and motivation after this week."""
    present = s.attending
    if talk is not None:
        sat = judge(s, setting, talk, decisions, flows)
        s.satisfaction += present * SAT_RATE * (sat - s.satisfaction)
        s.motivation += present * ETA * (sat - ASPIRATION)
    if flows.unpaid_hours:
        unpaid = present & s.lay
        s.motivation -= BURNOUT * unpaid * setting.hours_a / s.free_hours
    if flows.cut is not None:
        s.motivation -= BENEFIT_SHOCK * flows.cut
    away = s.last_attended < week - interval
    s.motivation += away * RETURN_RATE * (s.baseline_motivation - s.motivation)
    np.clip(s.motivation, 0.0, 1.0, out=s.motivation)
