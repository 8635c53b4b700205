"""Checks shared by the command-line tests: bad input is one clear line, exit 2; a stopped
sweep says in one line what it kept and how to go on; processes found by their ids."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

INTERRUPTED = re.compile(
    r"coprod: interrupted(?:; (?P<kept>\d+) of (?P<total>\d+) runs are kept in .+"
    r"| before any run finished, so none are kept); to (?:finish|start again), run: "
    r"(?P<command>coprod sweep .* --resume)"
)


def assert_one_line_error(code: int, out: str, err: str, words=()) -> str:
    """Exit 2, nothing on stdout, one ``coprod: error:`` line naming ``words``; return it."""
    assert "Traceback" not in err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coprod: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert out == ""
    return lines[0]


def assert_interrupted(out: str, err: str) -> tuple[int, list[str]]:
    """Nothing on stdout, one ``coprod: interrupted`` line on stderr: (runs kept, the
    ``--resume`` command as words)."""
    assert "Traceback" not in err and "Exception" not in err, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    found = INTERRUPTED.fullmatch(lines[0])
    assert found, lines[0]
    return int(found["kept"] or 0), shlex.split(found["command"])


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
