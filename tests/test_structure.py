"""House rules a reader relies on: short functions, and every late import says why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulation", "experiments", "dashboards")
MAX_LINES = 60


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def long_functions(source: str) -> list[str]:
    """Functions over MAX_LINES lines with no comment saying why they stay whole."""
    lines = source.splitlines()
    found = []
    for node in _functions(ast.parse(source)):
        body = lines[node.lineno - 1 : node.end_lineno]
        if len(body) > MAX_LINES and not any("#" in x and "whole" in x for x in body):
            found.append(f"{node.name} ({len(body)} lines)")
    return found


def silent_late_imports(source: str) -> list[str]:
    """Imports inside functions with no comment on their line or the three lines above."""
    lines = source.splitlines()
    found = []
    for node in _functions(ast.parse(source)):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import | ast.ImportFrom):
                # Contiguous imports share the comment above the first of them.
                k = sub.lineno - 2
                while k > 0 and lines[k].strip().startswith(("import ", "from ")):
                    k -= 1
                near = lines[max(0, k - 2) : sub.lineno]
                if not any("#" in line for line in near):
                    found.append(f"line {sub.lineno}: {lines[sub.lineno - 1].strip()}")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_functions_are_short_or_say_why_they_stay_whole(path):
    assert long_functions(path.read_text()) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_inside_functions_state_their_reason(path):
    assert silent_late_imports(path.read_text()) == []


def test_the_checks_find_what_they_must():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    assert long_functions(f"def f():\n{body}\n") == [f"f ({MAX_LINES + 1} lines)"]
    assert long_functions(f"def f():\n    # kept whole: one pass\n{body}\n") == []
    short = "\n".join(body.splitlines()[:10])
    assert long_functions(f"def f():\n{short}\n") == []
    assert silent_late_imports("def f():\n    import os\n") == ["line 2: import os"]
    far = "def f():\n    # slow\n    a = 1\n    b = 2\n    c = 3\n    import os\n"
    assert silent_late_imports(far) == ["line 6: import os"]
    assert silent_late_imports("def f():\n    # slow\n    import os\n    import re\n") == []
    assert silent_late_imports("def f():\n    import os  # slow\n") == []
