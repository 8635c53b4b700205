"""Meeting format (issue 11, item 3): in person, online or hybrid.

Each effect is tested in the rule it belongs to, with values worked out by hand:
participation's costs (no fare, no travel time online), who joins online under
hybrid (each by their own cost and benefit), the shorter online meeting (setting)
and slower tie building online (relations). The default, in person, must reproduce
the model as it was before the meeting format existed, bit for bit.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from simulation.model import CoProductionModel

# The metrics before issue 11 (new metrics are appended after them), and the sha-256 of
# their final values (json of the list, in this order) for seeds 0-2 at the defaults,
# recorded on the branch before the meeting format was added (commit 7cf45df).
OLD_METRICS = (
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
FINAL_SHA = {
    0: "bd71f79c139357a0cede5012e433164b5d549bc7ebc4e3e8b1fdfc6124deb617",
    1: "b20a259dade07783157f1f1b5d0ffe3dab21d769b680bc27f9f14e9bfd8d5e7e",
    2: "c6c71eeb904185fb9a4d4fd2049b0853723a760d140d2451e0d097a4054e64f3",
}
# The sha-256 of the weekly history (weeks x the metrics above, float64 bytes), likewise.
HISTORY_SHA = {
    0: "876b4e770d78f773c26cd25158428095a1fbe68d68c03ed6ffeb5e1c1007c594",
    1: "695499cc865af696af1431b914977164b29abf4c2b76bc8a98df222f76777733",
    2: "089dd891e417e6f580a12e3c65c1e64ae68b9675c10f079b2d93871a43009850",
}


@pytest.mark.parametrize("seed", sorted(FINAL_SHA))
def test_in_person_default_reproduces_the_model_before_meeting_formats(seed):
    model = CoProductionModel(rng=seed)
    final = model.run()
    values = json.dumps([final[name] for name in OLD_METRICS]).encode()
    assert hashlib.sha256(values).hexdigest() == FINAL_SHA[seed]
    from simulation.metrics import METRIC_NAMES

    columns = [METRIC_NAMES.index(name) for name in OLD_METRICS]
    history = np.ascontiguousarray(model.history[:, columns])
    assert hashlib.sha256(history.tobytes()).hexdigest() == HISTORY_SHA[seed]
