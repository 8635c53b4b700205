"""Upload of a scenario file: a click-or-drop zone (the check of what was uploaded is
:func:`dashboards.state.parse_upload`)."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import solara
from solara.components.file_drop import FileDropZone

from simulation.params import ParamError

from .state import MAX_BYTES


class ScenarioDropZone(FileDropZone):
    """Solara's file drop zone with a file picker too (click to choose, or drop a file)."""

    template_file = (__file__, "upload.vue")


@solara.component
def ScenarioUpload(
    on_file: Callable[[str, bytes | ParamError], None],
    label: str = "Load a scenario file (.toml): click or drop it here",
):
    """A zone to click or drop a file on.

    ``on_file(name, data)`` gets the file's bytes (at most MAX_BYTES + 1 of them), or a
    ParamError when the file could not be read.
    """
    file_info, set_file_info = solara.use_state(None)
    wired, set_wired = solara.use_state(typing.cast(Any, None))
    zone = ScenarioDropZone.element(label=label, on_file_info=set_file_info, multiple=False)

    def wire():
        if not file_info:
            return
        real = typing.cast(FileDropZone, solara.get_widget(zone))
        real.version += 1  # as solara.FileDrop does: re-arm the widget's file reader
        real.reset_stats()
        set_wired(real.get_files())

    solara.use_effect(wire, [file_info])

    def read():
        if not wired:
            return
        info = wired[0]
        try:
            data = info["file_obj"].read(MAX_BYTES + 1)
        except Exception as err:  # the browser went away, or the read timed out
            data = ParamError(f"'{info['name']}' could not be read from the browser ({err})")
        on_file(info["name"], data)

    solara.use_thread(read, [wired], intrusive_cancel=False)
    return zone
