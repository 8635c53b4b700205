"""Hand-set populations for the rule tests (imported as ``from builders import ...``).

``tiny`` is one group of four: agents 0 and 1 are patients, 2 a carer, 3 a
clinician. ``several`` is three groups of that same make-up, so that a rule can be
seen to act within one group and leave the others alone. Both overwrite the drawn
state with round values, so that the outcome of one rule can be worked out by hand:
everyone holds only its own rationale (one-hot values, see ``believe``) and
professionals start fully recognising lived experience (recognition 1), so that a
test of another rule sees neither; the tests of those mechanisms set them by hand.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulation import compiled, meeting, metrics, population, setting
from simulation.meeting import Talk
from simulation.params import RunParams

# The tiny population: agents 0, 1 are patients, 2 a carer, 3 a clinician.
P0, P1, CARER, CLIN = range(4)
LAY = [P0, P1, CARER]

# The several-group population: GROUPS groups of two patients, a carer and a clinician.
GROUPS = 3


# The rule tests run with the compiled loops and with their numpy twins; the twins in the
# whole suite only (make test-fast runs the compiled loops, the default), unless numpy's
# arrays are asked for (COPROD_KERNELS=numpy: make mutation, which mutates the rules'
# numpy lines and must run them in the fast tier).
NUMPY_TOO: Any = (
    "numpy"
    if os.environ.get(compiled.VARIABLE) == "numpy"
    else pytest.param("numpy", marks=pytest.mark.slow)
)


def params(**over) -> RunParams:
    """The run parameters of the tiny population, with ``over`` overriding them."""
    values = {
        "n_patients": 2,
        "n_carers": 1,
        "n_clinicians": 1,
        "n_managers": 0,
        "group_size": 10,
        "user_led_funding": 0.0,
    }
    values.update(over)
    return RunParams.from_values(values)


# The default assumptions (simulation.assumptions), for rules that read no policy lever.
ASSUMED = params()

# The values that reproduce the model before issue 11's defaults bit for bit: the
# suspension rule, benefits and disability drawn independently, and who the people are
# (language, literacy) leaving their fluency and credibility alone. The defaults since
# then are Universal Credit, a link of 0.3 and effects of 0.5 (fluency, language), 0.3
# and 0.2 (credibility, language and literacy); fluency_effect_literacy was 0 already.
NEUTRAL = {
    "benefit_rules": "legacy-20",
    "benefits_disability_link": 0.0,
    "benefits_illness_link": 0.0,
    "fluency_effect_language": 0.0,
    "fluency_effect_literacy": 0.0,
    "credibility_effect_language": 0.0,
    "credibility_effect_literacy": 0.0,
}


def hand_set(s: population.State) -> population.State:
    """Overwrite the drawn state with round values: lay 0.3 credible, professionals 0.8, ..."""
    s.illness[:] = 0.0  # no flare-ups
    s.on_benefits[:] = False
    s.disabled[:] = False
    s.base_cash[:] = np.where(s.lay, 100.0, 0.0)
    s.cash[:] = s.base_cash
    s.free_hours[:] = np.where(s.lay, 20.0, population.PROFESSIONAL_HOURS)
    s.credibility[:] = np.where(s.lay, 0.3, 0.8)
    s.initial_credibility[:] = s.credibility
    s.recognition[:] = 1.0
    s.fluency[:] = np.where(s.lay, 0.6, 0.9)
    s.motivation[:] = 0.5
    s.baseline_motivation[:] = 0.5
    s.benefit_fear[:] = 0.0
    s.knowledge[:] = np.where(s.lay[:, None], [0.05, 0.15, 0.8], [0.55, 0.4, 0.05])
    s.user_led[:] = False
    return believe(s, s.rationale)


def believe(s: population.State, rationales) -> population.State:
    """Give each agent one rationale, held wholly: one-hot values, also at the start."""
    s.rationale[:] = rationales
    s.values[:] = np.eye(3)[s.rationale]
    s.initial_values[:] = s.values
    return s


def tiny(seed: int = 0, **over):
    """(p, state, setting) for a hand-set population; ``over`` overrides parameters."""
    p = params(**over)
    s = hand_set(population.build(p, np.random.default_rng(seed)))
    return p, s, setting.build(s, p)


def several(seed: int = 0, **over):
    """(p, state, setting) for GROUPS hand-set groups of 2 patients, a carer and a clinician.

    Roles are dealt round-robin, so each group gets the tiny population's make-up.
    ``members(s, g)`` lists a group's agents in role order.
    """
    counts = {"n_patients": 2 * GROUPS, "n_carers": GROUPS, "n_clinicians": GROUPS}
    return tiny(seed, **(counts | {"group_size": 4} | over))


def members(s: population.State, g: int) -> list[int]:
    """The agents of group ``g``, in role order (patient, patient, carer, clinician)."""
    return np.flatnonzero(s.group == g).tolist()


def rebuild(s, **over):
    """A new (p, setting) for the same state under other parameters."""
    p = params(**over)
    return p, setting.build(s, p)


def hold(s, st, rng):
    """meeting.hold with the run-fixed Room prepared from the state as it is now."""
    return meeting.hold(s, ASSUMED, st, meeting.prepare(s, ASSUMED, st), rng)


def hand_talk(n, contributed, recognised, turns=None) -> Talk:
    """A Talk as meeting.hold makes it; heard = recognised / said (0 if silent).

    ``contributed`` is given by kind for readability; a Talk keeps only its total, ``said``.
    """
    contributed = np.asarray(contributed, np.int64).reshape(n, 3)
    recognised = np.asarray(recognised, np.int64).reshape(n, 3)
    said = contributed.sum(axis=1)
    heard = recognised.sum(axis=1) / np.maximum(said, 1)
    return Talk(
        turns=np.zeros(n) if turns is None else np.asarray(turns, float),
        recognised=recognised,
        said=said.astype(float),
        heard=heard,
    )


def some_talk(s) -> Talk:
    """A meeting where everyone said and was heard once on each kind of knowledge."""
    return hand_talk(s.n, np.ones((s.n, 3)), np.ones((s.n, 3)))


class Scripted:
    """A Generator stand-in: returns the given draws in turn and records every call.

    ``calls`` holds ``(method, *arguments)`` with the arguments copied, so a test can
    check the rates and chances a rule asked for, and get draws it chose by hand.
    """

    def __init__(self, *draws):
        self.draws = [np.asarray(d) for d in draws]
        self.calls: list[tuple] = []

    def _draw(self, method, *args):
        self.calls.append((method, *(np.array(a, dtype=float, copy=True) for a in args)))
        return self.draws.pop(0)

    def poisson(self, lam):
        return self._draw("poisson", lam)

    def binomial(self, n, p):
        return self._draw("binomial", n, p)


# The 31 metrics of the model before issue 11, in order (issue 11 appended its own after
# them): the tests that issue 11's neutral values reproduce the old runs compare these.
METRICS_BEFORE_ISSUE_11: tuple[str, ...] = (
    "participation_lay",
    "participation_professional",
    "participation_benefits",
    "participation_disabled",
    "participation_low_money",
    "participation_rights_based",
    "participation_parity",
    "lay_voice_share",
    "experiential_share",
    "recognition_of_experience",
    "insights",
    "insights_lay_origin",
    "insights_unexpected",
    "insights_adopted",
    "influence_gini",
    "cross_role_ties",
    "mean_trust",
    "power_gap",
    "values_shift_professional",
    "values_shift_lay",
    "unpaid_lay_hours",
    "unpaid_hours_per_lay_participant",
    "lay_out_of_pocket",
    "lay_awaiting_refund",
    "benefit_loss_events",
    "programme_cost",
    "cost_per_insight",
    "retention_lay",
    "satisfaction_rights",
    "satisfaction_managerial",
    "satisfaction_experience",
)


# Runs of the model before issue 11 (commit 7cf45df), recorded by
# tests/data/record_before_issue_11.py: per scenario ("defaults": its defaults; "paid":
# paid, not benefit-safe, 52 weeks) and seed 0-2, the weekly history of these metrics.
BEFORE_ISSUE_11 = Path(__file__).parent / "data" / "before_issue_11.npz"
# The metrics sum with the BLAS, whose kernel (and so the order of a sum, and its last
# bit) depends on the CPU: about 1e-16 apart between OpenBLAS's kernels on one machine.
# Runs whose paths parted, by a single draw, differ by more than 1e-3.
LAST_BITS = 1e-12


def assert_as_before_issue_11(
    model: object, scenario: str, seed: int, final: dict[str, float] | None = None
) -> None:
    """The weekly history of ``model`` (already run), and its ``final`` metrics if given,
    are the old model's over the 31 metrics it had, to the last bits that the machine's
    BLAS leaves open."""
    with np.load(BEFORE_ISSUE_11) as before:
        assert tuple(before["names"]) == METRICS_BEFORE_ISSUE_11
        old, old_final = before[f"{scenario}_{seed}_history"], before[f"{scenario}_{seed}_final"]
    columns = [metrics.METRIC_NAMES.index(n) for n in METRICS_BEFORE_ISSUE_11]
    history = model.history[:, columns]  # type: ignore[attr-defined]
    assert history.shape == old.shape
    np.testing.assert_allclose(history, old, rtol=LAST_BITS, atol=LAST_BITS)
    if final is not None:
        values = [final[n] for n in METRICS_BEFORE_ISSUE_11]
        np.testing.assert_allclose(values, old_final, rtol=LAST_BITS, atol=LAST_BITS)
