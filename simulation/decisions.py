"""Rule 4, decisions: inputs are weighed by power; lay influence is real or token.

Decision weight of present agent i:

    weight_i = (speak_base + credibility_i) * (power_g if lay else 1)

influence_i = weight_i / sum_group(weight). With L the lay share of the weight and
S the lay share of those present, lay-proposed insights are adopted with
probability min(1, L / S) and professional ones with min(1, (1 - L) / (1 - S)):
each side's ideas go through as far as its influence matches its presence.
Agenda items decided: hours * (items_base + items_pace * pace), since fast,
agenda-driven meetings get through their agenda.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import compiled, runs
from .arrays import Floats, Ints
from .runs import Draws

if TYPE_CHECKING:
    from .knowledge import Insights
    from .meeting import Talk
    from .params import RunParams
    from .population import State
    from .setting import Setting


@dataclass
class Decisions:
    """What was decided this week, per group, and who held influence."""

    adopted: Ints
    adopted_lay: Ints
    items: Floats
    lay_adoption: Floats  # chance a lay idea is taken up, per group
    present: Floats  # people present, per group (a count, held as a float)


def _share(num: Floats, den: Floats, fill: float) -> Floats:
    return np.divide(num, den, out=np.full(num.shape, float(fill)), where=den > 0)


def _plain(s: State, setting: Setting, p: RunParams) -> bool:
    """Whether the compiled loops take these (as State and Setting make them)."""
    power = setting.power_a
    return (
        isinstance(p.speak_base, float)
        and isinstance(power, np.ndarray)
        and power.shape == (s.n,)
        and s.credibility.dtype == power.dtype == np.float64
    )


def decide(
    s: State,
    p: RunParams,
    setting: Setting,
    talk: Talk | None,
    insights: Insights | None,
    rng: Draws,
) -> Decisions | None:
    """Weigh inputs by power and adopt insights; sets ``s.influence``."""
    if talk is None:
        s.influence[:] = 0.0
        return None
    assert insights is not None  # a meeting forms insights, if only none
    present = s.attending
    loops = compiled.kernels()
    if loops is not None and _plain(s, setting, p):  # the lines below, in two passes
        sums = np.zeros((4, s.n_groups))
        loops.weigh(
            present, s.credibility, s.lay, setting.power_a, p.speak_base, s.group, s.influence, sums
        )
        total, lay_weight, n_present, n_lay = sums
    else:
        weight = present * (p.speak_base + s.credibility) * np.where(s.lay, setting.power_a, 1.0)
        total = np.bincount(s.group, weight, minlength=s.n_groups)
        lay_weight = np.bincount(s.group, weight * s.lay, minlength=s.n_groups)
        n_present = np.bincount(s.group, present, minlength=s.n_groups)
        n_lay = np.bincount(s.group, present & s.lay, minlength=s.n_groups)
        s.influence[:] = _share(weight, total[s.group], 0.0)
    lay_share = _share(lay_weight, total, 0.0)
    lay_presence = _share(n_lay, n_present, 0.0)
    lay_adoption = np.minimum(1.0, _share(lay_share, lay_presence, 0.0))
    pro_adoption = np.minimum(1.0, _share(1.0 - lay_share, 1.0 - lay_presence, 1.0))
    adopted_lay, adopted_pro = runs.binomial_groups(
        rng,
        "adoption",
        [
            (insights.lay_origin, lay_adoption),
            (insights.total - insights.lay_origin, pro_adoption),
        ],
        talk.met,
    )
    adopted = adopted_lay + adopted_pro
    per_hour = p.items_base + p.items_pace * setting.pace
    items = np.where(n_present > 0, setting.hours * per_hour, 0.0)
    return Decisions(adopted, adopted_lay, items, lay_adoption, n_present)
