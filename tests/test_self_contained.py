"""The project's documents stand on their own: no path outside the repository, no dead link."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {"out", "mutants", "build", "results", "__pycache__"}  # outputs, not sources
TEXT = {".md", ".py", ".toml", ".cfg", ".txt", ".vue", ".js", ".css", ".cff", ".yml", ""}
# Absolute paths of the machine the project was written on, and the design notes that
# sit beside the repository there: neither travels with a clone.
OUTSIDE = re.compile(r"/work/|\.\./shared|shared/(design|seed)|/root/|/home/\w+")
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def _files() -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(ROOT):
        # Prune hidden folders (.git, .venv, caches) but keep .ci; skip outputs.
        dirs[:] = [d for d in dirs if (d == ".ci" or not d.startswith(".")) and d not in SKIP_DIRS]
        for name in names:
            path = Path(folder) / name
            # Hidden files (.git in a worktree, .gitignore) are tooling, not documents.
            hidden = name.startswith(".")
            if path.suffix in TEXT and not hidden and name != "test_self_contained.py":
                found.append(path)
    return sorted(found)


def _markdown() -> list[Path]:
    return [p for p in _files() if p.suffix == ".md"]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_refers_to_a_path_outside_the_repository(path):
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        assert not OUTSIDE.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


@pytest.mark.parametrize("path", _markdown(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_in_the_docs_resolves_inside_the_repository(path):
    for target in LINK.findall(path.read_text()):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{path.name} links outside: {target}"
        assert resolved.exists(), f"{path.name} links to a missing file: {target}"


def test_the_scanner_sees_what_it_must():
    """Guards against a scanner that silently checks nothing."""
    names = {p.relative_to(ROOT).as_posix() for p in _files()}
    assert {"README.md", "docs/odd.md", "docs/concept.md", "simulation/model.py"} <= names
    assert OUTSIDE.search("see /work/shared/design/concept.md")
    assert OUTSIDE.search("(../shared/seed/paper.md)")
    assert not OUTSIDE.search("see docs/concept.md")
    assert LINK.findall("[odd](odd.md#purpose) and [x](https://a.b)") == ["odd.md", "https://a.b"]
