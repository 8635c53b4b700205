"""The workshop room's routes (``/room``, ``/room/join``, ``/room/projector/CODE``), light
to import.

The room's pages (:mod:`dashboards.views.room`) need the model's code (Mesa, pandas, scipy:
about 3 s to import), which the server loads in a thread while the first page is on its
way (:mod:`dashboards.warmup`). So :mod:`dashboards.app` names these stand-ins, and each
loads the room's pages when it is first shown, then starts the rooms' timer (once).
"""

import importlib

import solara


def _room():
    # Loaded on a room page's first showing: not when the server starts (see above).
    room = importlib.import_module("dashboards.views.room")
    room.start_timer()
    return room


@solara.component
def RoomPage():
    """``/room``: Create room, then the facilitator's page."""
    return _room().FacilitatorPage()


@solara.component
def RoomJoinPage():
    """``/room/join``: a team joins, then its page."""
    return _room().JoinPage()


@solara.component
def RoomProjectorPage(code=""):
    """``/room/projector/CODE``: the room on the projector."""
    return _room().ProjectorPage(code)
