"""Mesa agents: the face of the model that users, batch_run and the dashboard see.

The model keeps every agent's state in numpy arrays (see ``population.State``)
so that each weekly rule runs over all agents at once. Each Mesa agent is a thin
view on its row of those arrays: reading ``agent.motivation`` reads the array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mesa

from .population import KINDS, RATIONALES, ROLES

if TYPE_CHECKING:
    from .model import CoProductionModel


class Participant(mesa.Agent):
    """A person in the co-production programme (a view on row ``index``)."""

    role = "participant"
    lay = False

    model: CoProductionModel

    def __init__(self, model: CoProductionModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def rationale(self) -> str:
        """Why this person takes part: rights, managerial or experience."""
        return RATIONALES[self.model.state.rationale[self.index]]

    @property
    def attending(self) -> bool:
        """At this week's meeting."""
        return bool(self.model.state.attending[self.index])

    @property
    def knowledge(self) -> dict[str, float]:
        """Shares of biomedical, practice and lived-experience knowledge."""
        return dict(zip(KINDS, map(float, self.model.state.knowledge[self.index]), strict=True))

    @property
    def group(self) -> int:
        """The standing working group this person belongs to."""
        return int(self.model.state.group[self.index])

    def step(self) -> None:
        """Nothing: the model's vectorised rules act for every agent at once."""


def _view(name: str, doc: str, cast: Callable[[Any], Any] = float) -> property:
    return property(lambda self: cast(getattr(self.model.state, name)[self.index]), doc=doc)


for _name, _doc, _cast in (
    ("motivation", "Motivation to take part, 0-1.", float),
    ("satisfaction", "Satisfaction judged by the agent's own rationale, 0-1.", float),
    ("credibility", "How far others listen to this person, 0-1.", float),
    ("fluency", "Fluency in fast, formal meetings, 0-1.", float),
    ("trust", "Trust in the others in the programme, 0-1.", float),
    ("influence", "Share of its group's decision weight this week.", float),
    ("base_cash", "Money at hand in a normal week (GBP).", float),
    ("owed", "Refunds the programme still owes this person (GBP).", float),
    ("cash", "Money at hand now (GBP).", float),
    ("received", "Money received from the programme so far (GBP).", float),
    ("out_of_pocket", "Money spent to take part and not got back (GBP).", float),
    ("unpaid_hours", "Meeting hours given unpaid so far.", float),
    ("free_hours", "Hours a week free for the programme.", float),
    ("on_benefits", "Lives on social-security benefits.", bool),
    ("disabled", "Has a mobility disability.", bool),
):
    setattr(Participant, _name, _view(_name, _doc, _cast))

# Who the people are (issue 11; simulation.population._people).
for _name, _doc in (
    ("older", "Aged 65 or over."),
    ("language_barrier", "Cannot speak English well or at all: needs interpreting."),
    ("low_health_literacy", "Below the text-only health literacy threshold."),
    ("digital_access", "Has a device, a connection and the confidence to use them."),
    ("via_outreach", "Took a lay place through outreach, not the usual channels."),
    ("seldom_heard", "Needs interpreting, has low health literacy or no digital access."),
):
    setattr(Participant, _name, _view(_name, _doc, bool))


class Patient(Participant):
    """A patient: little money, time shaped by illness, lived experience."""

    role, lay = ROLES[0], True


class Carer(Participant):
    """A carer: time squeezed by caring, little money, lived experience."""

    role, lay = ROLES[1], True


class Clinician(Participant):
    """A clinician: paid time, high credibility, biomedical and practice knowledge."""

    role = ROLES[2]


class Manager(Participant):
    """A manager or involvement lead: paid time, controls agenda and budget."""

    role = ROLES[3]


AGENT_CLASSES = (Patient, Carer, Clinician, Manager)
