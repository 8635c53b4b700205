"""Upload of a scenario file: a click-or-drop zone, and the check of what was uploaded."""

from __future__ import annotations

import tempfile
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara
from solara.components.file_drop import FileDropZone

from simulation.params import ParamError, validate
from simulation.scenarios import read_scenario

MAX_BYTES = 64 * 1024  # a scenario file is a few lines of text


class ScenarioDropZone(FileDropZone):
    """Solara's file drop zone with a file picker too (click to choose, or drop a file)."""

    template_file = (__file__, "upload.vue")


def parse_upload(name: str, data: bytes) -> tuple[dict[str, Any], str]:
    """Every parameter's value and the description of an uploaded scenario file.

    Raises ParamError naming the problem (and the file as the user called it).
    """
    shown = Path(name).name or "uploaded file"
    if len(data) > MAX_BYTES:
        raise ParamError(
            f"'{shown}' is {len(data):,} bytes: a scenario file is a few lines of "
            f"text (at most {MAX_BYTES // 1024} KB)"
        )
    if not data.strip():
        raise ParamError(
            f"'{shown}' is empty: a scenario file sets parameters, e.g. compensation = \"paid\""
        )
    with tempfile.TemporaryDirectory(prefix="coprod-upload-") as folder:
        path = Path(folder) / "scenario.toml"
        path.write_bytes(data)
        try:
            scenario = read_scenario(path)
            values = validate(scenario.values)
        except ParamError as err:
            message = str(err).replace(f"scenario file '{path}'", f"'{shown}'")
            message = message.replace(str(path), shown)
            if not message.startswith(f"'{shown}'"):
                message = f"'{shown}': {message}"
            raise ParamError(message) from None
    return values, scenario.description


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
