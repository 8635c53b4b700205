"""Scenario files: named presets of parameter values, stored as TOML.

A scenario file has a top-level ``description = "..."`` string and, also at top
level, the parameters that differ from the schema defaults::

    description = "Nothing paid, fast minute-taking meetings"
    compensation = "none"
    pace = 0.9

The shipped presets live in ``simulation/scenarios/*.toml``; a scenario is named
either by a preset's name (``unpaid-fast``) or by a path to a ``.toml`` file.
Every problem (unknown name, missing file, malformed TOML, unknown parameter,
bad value) is raised as one :class:`~simulation.params.ParamError` with a clear
message.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .params import ASSUMPTION_NAMES, DEFAULTS, EVERY_PARAM, ParamError, lookup, validate
from .text import did_you_mean

SCENARIO_DIR = Path(__file__).with_name("scenarios")
DEFAULT_SCENARIO = "default"
_DESCRIPTION = "description"


@dataclass(frozen=True)
class Scenario:
    """A scenario as read from disk, before the defaults are filled in."""

    name: str
    description: str
    path: Path
    values: dict[str, Any] = field(default_factory=dict)  # only the keys the file sets


def list_scenarios() -> dict[str, str]:
    """The shipped presets, ``{name: one-line description}``: ``default`` first, then by name."""
    return {path.stem: read_scenario(path).description for path in _shipped()}


def load_scenario(name_or_path: str | Path) -> dict[str, Any]:
    """Every parameter's value for a preset name or a ``.toml`` path (defaults filled in)."""
    scenario = read_scenario(name_or_path)
    try:
        return validate(scenario.values)
    except ParamError as err:
        raise ParamError(f"{_where(scenario.name, scenario.path)}: {err}") from None


def read_scenario(name_or_path: str | Path) -> Scenario:
    """Read and check a scenario; ``values`` holds only what the file sets, coerced.

    Each value is checked against the schema, but the population check (at least
    one lay and one professional person) is left to :func:`validate`, so that
    overrides can still be applied on top.
    """
    path = _resolve(name_or_path)
    name = path.stem if _is_shipped(path) else str(path)
    where = _where(name, path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ParamError(f"scenario file '{path}' does not exist") from None
    except IsADirectoryError:
        raise ParamError(f"scenario file '{path}' is a directory, not a .toml file") from None
    except tomllib.TOMLDecodeError as err:
        raise ParamError(f"scenario file '{path}' is not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ParamError(
            f"scenario file '{path}' is not valid TOML: not UTF-8 text (byte {err.start})"
        ) from None
    except OSError as err:
        raise ParamError(f"scenario file '{path}' cannot be read: {err.strerror or err}") from None

    description = data.pop(_DESCRIPTION, "")
    if not isinstance(description, str):
        raise ParamError(f"{where}: description: expected a string in quotes, got {description!r}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        try:
            values[key] = lookup(key).coerce(value)
        except ParamError as err:
            raise ParamError(f"{where}: {err}") from None
    return Scenario(name=name, description=" ".join(description.split()), path=path, values=values)


def scenario_toml(
    values: dict[str, Any], description: str, *, only_changed: bool = False, comment: str = ""
) -> str:
    """A scenario file that :func:`load_scenario` reads back as ``values``.

    Writes every policy lever in schema order (so the file does not depend on the
    defaults of the day), or with ``only_changed`` just those that differ from the
    defaults; then the assumptions that differ from their defaults (there are many,
    and a file usually changes none). ``comment`` lines go at the top as TOML comments.
    """
    checked = validate(values)
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines.append(f"{_DESCRIPTION} = {_toml_string(description)}")
    for p in EVERY_PARAM:
        value = checked[p.name]
        if (only_changed or p.name in ASSUMPTION_NAMES) and value == DEFAULTS[p.name]:
            continue
        unit = f" [{p.unit}]" if p.unit else ""
        lines.append(f"{p.name} = {_toml_value(value)}  # {p.help}{unit}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParamError(f"cannot write a non-finite number ({value!r}) to a scenario file")
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    return _toml_string(str(value))


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _shipped() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.toml"), key=lambda p: (p.stem != DEFAULT_SCENARIO, p.stem))


def _is_shipped(path: Path) -> bool:
    try:
        return path.resolve().parent == SCENARIO_DIR.resolve()
    except OSError:
        return False


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or "\\" in text or text.startswith(".")


def _resolve(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path):
        return name_or_path
    text = str(name_or_path).strip()
    if not text:
        raise ParamError(
            f"scenario: expected a preset name ({', '.join(_names())}) "
            "or a path to a .toml file, got ''"
        )
    if _looks_like_path(text):
        return Path(text).expanduser()
    shipped = SCENARIO_DIR / f"{text}.toml"
    if shipped.is_file():
        return shipped
    if Path(text).is_file():
        return Path(text)
    hint = did_you_mean(text, _names())
    raise ParamError(
        f"unknown scenario '{text}'{hint}; known: {', '.join(_names())} "
        "(or give a path to a .toml file)"
    )


def _names() -> list[str]:
    return [p.stem for p in _shipped()]


def _where(name: str, path: Path) -> str:
    return f"scenario '{name}'" if _is_shipped(path) else f"scenario file '{path}'"
