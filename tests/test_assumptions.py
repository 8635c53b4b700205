"""The assumptions registry (simulation.assumptions) is complete, sourced and alive.

Every behavioural constant is an entry with a source and a basis; published and
estimated values cite a dated source; defaults are valid; each entry is read by a
rule; and no number that shapes behaviour is left as a module constant in
simulation/ (issue 9). Static checks only: fast.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from simulation.assumptions import ASSUMPTIONS, RULES
from simulation.params import PARAMS
from simulation.schema import BASES

SIMULATION = Path(__file__).resolve().parents[1] / "simulation"
REGISTRY = SIMULATION / "assumptions.py"
MODULES = sorted(p for p in SIMULATION.glob("*.py") if p != REGISTRY)
MIN_PUBLISHED = 10  # issue 9: "at least 10 entries should rest on a published figure"
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")

# Module-level names that may hold numbers, with the reason. Anything else with a
# number in it is an offender: its number belongs in the registry.
ALLOWED: dict[tuple[str, str], str] = {
    # A fact, not a choice: the NHS Agenda for Change standard working week (never
    # limits professionals, whose meetings are part of the job).
    ("population.py", "PROFESSIONAL_HOURS"): "fact",
    # The policy levers' schema: their defaults and ranges are the levers themselves.
    ("params.py", "PARAMS"): "schema",
    # The metrics' definitions: a share's bounds (0 to 1) and the like, not behaviour.
    ("metrics.py", "METRICS"): "definitions",
    # A fact, not a choice: weeks in a year, for a yearly budget pro rata (issue 11).
    ("management.py", "WEEKS_PER_YEAR"): "fact",
    # The key that names the random stream of issue 11's attributes: a name, not behaviour.
    ("streams.py", "PEOPLE_STREAM"): "stream name",
    # Issue 12: how many agents one pass steps (speed and memory; results are the same
    # whatever it is), and the count of runs side by side in a State (one by default).
    ("batch.py", "BATCH_AGENTS"): "memory bound",
    # Keyed draws (simulation.draws): the counter's bit widths, the numbers that name the
    # rules that draw, the mixing function's published constants, where a count's search
    # starts from its mean (speed and range: both searches give the quantile) and how
    # many entries are stepped one at a time (speed: the same operations; both in
    # tests/test_draws.py).
    ("draws.py", "SITES"): "names",
    ("draws.py", "FROM_THE_MEAN"): "speed only",
    ("draws.py", "ONE_AT_A_TIME"): "speed only",
    ("draws.py", "(_S30, _S27, _S31, _S11)"): "published constant",
    ("draws.py", "_TO_UNIT"): "2^-53: 53-bit floats",
    ("runs.py", "KEY_RANGE"): "2^64: a 64-bit key",
    # Setting runs up faster (issue 12): numpy's SeedSequence, worked out for many runs at
    # once (its pool of four 32-bit words; tests/test_rule_people.py checks the
    # streams against numpy's own), and how many member pairs knowledge.differences takes
    # at a time (speed: the same sums; tests/test_rule_knowledge.py).
    ("streams.py", "_POOL"): "published constant",
    ("streams.py", "_WORD"): "2^32 - 1: a 32-bit word",
    ("streams.py", "_SHORT"): "2^64: a seed of at most two 32-bit words",
    ("knowledge.py", "_BLOCK_PAIRS"): "speed only",
    ("population.py", "runs"): "a count of runs",
}


def _numbers(node: ast.AST) -> list[float]:
    """The numbers in ``node``, except indices (``ROLES[2]``)."""
    indices = {id(n.slice) for n in ast.walk(node) if isinstance(n, ast.Subscript)}
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, int | float)
        and not isinstance(n.value, bool)
        and id(n) not in indices
    ]


def _is_enumeration(node: ast.Assign) -> bool:
    """``A, B, C = range(3)`` or ``A, B = -1, 0``: names for indices or codes."""
    target = node.targets[0]
    if not (len(node.targets) == 1 and isinstance(target, ast.Tuple)):
        return False
    value = node.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id == "range"
    if isinstance(value, ast.Tuple):
        return all(isinstance(n, int) for n in _numbers(value)) and len(value.elts) == len(
            target.elts
        )
    return False


def module_constants(source: str) -> list[tuple[str, int, list[float]]]:
    """(name, line, numbers) of every module- or class-level assignment with a number in
    it, except index enumerations and zero defaults of dataclass fields."""
    out = []
    tree = ast.parse(source)
    bodies = [(tree.body, False)] + [
        (node.body, True) for node in tree.body if isinstance(node, ast.ClassDef)
    ]
    for body, in_class in bodies:
        for node in body:
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            if isinstance(node, ast.Assign) and _is_enumeration(node):
                continue
            numbers = _numbers(node.value)
            if in_class:
                numbers = [x for x in numbers if x != 0]
            if numbers:
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                out.append((ast.unparse(target), node.lineno, numbers))
    return out


def test_module_constants_finds_numbers_and_spares_enumerations():
    source = (
        "A, B = range(2)\nFREE, GO = -1, 1\nRATE = 0.3\nX: float = 2 * 4\nNAMES = ('a',)\n"
        "FIRST = NAMES[0]\n"
        "class C:\n    n: int = 0\n    k: float = 1.5\n"
    )
    assert [(name, numbers) for name, _line, numbers in module_constants(source)] == [
        ("RATE", [0.3]),
        ("X", [2, 4]),
        ("k", [1.5]),
    ]


def test_no_behavioural_constant_is_left_in_the_simulation_modules():
    offenders = [
        f"simulation/{path.name}:{line} {name} = ... {numbers[:4]}"
        for path in MODULES
        for name, line, numbers in module_constants(path.read_text())
        if (path.name, name) not in ALLOWED
    ]
    assert not offenders, (
        "numbers that shape behaviour belong in simulation/assumptions.py (or, for a "
        "fact, in ALLOWED with a reason):\n" + "\n".join(offenders)
    )


def test_every_allowed_constant_still_exists():
    found = {
        (path.name, name) for path in MODULES for name, _l, _n in module_constants(path.read_text())
    }
    assert set(ALLOWED) <= found, f"stale entries in ALLOWED: {set(ALLOWED) - found}"


@pytest.mark.parametrize("p", ASSUMPTIONS, ids=lambda p: p.name)
def test_each_assumption_is_sourced_valid_and_in_range(p):
    assert p.basis in BASES
    assert p.source.strip() and p.help.strip() and p.unit.strip()
    assert p.group in RULES
    if p.basis in ("published", "estimate"):
        assert YEAR.search(p.source), f"{p.name}: a {p.basis} source names its year"
    assert p.low is not None and p.high is not None and p.low < p.high
    assert p.low <= p.default <= p.high
    assert p.coerce(p.default) == p.default
    assert p.coerce(p.low) == p.low and p.coerce(p.high) == p.high


def test_at_least_ten_assumptions_rest_on_a_published_figure():
    bases = Counter(p.basis for p in ASSUMPTIONS)
    assert bases["published"] >= MIN_PUBLISHED, bases


def test_names_are_unique_across_levers_and_assumptions():
    names = Counter(p.name for p in PARAMS + ASSUMPTIONS)
    assert not [n for n, k in names.items() if k > 1]


def _rule_sources() -> str:
    return "\n".join(path.read_text() for path in MODULES)


def _getattr_templates(source: str) -> list[re.Pattern[str]]:
    """``getattr(p, f"{trait}_mean_{role}")`` as a regex with a group per placeholder."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr"):
            continue
        if len(node.args) >= 2 and isinstance(node.args[1], ast.JoinedStr):
            parts = [
                re.escape(v.value) if isinstance(v, ast.Constant) else "([a-z]+)"
                for v in node.args[1].values
            ]
            out.append(re.compile("".join(parts)))
    return out


def read_by_a_rule(name: str, source: str) -> bool:
    """``.name`` appears in ``source``, or a getattr f-string builds ``name`` from words
    that the source spells out as strings (``"credibility"``, ``"patient"``)."""
    if re.search(rf"\.{name}\b", source):
        return True
    words = {
        n.value
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }
    for template in _getattr_templates(source):
        match = template.fullmatch(name)
        if match and all(group in words for group in match.groups()):
            return True
    return False


def test_read_by_a_rule_follows_attributes_and_getattr_templates():
    source = (
        'ROLES = ("patient",)\nx = p.tie_decay\n'
        'def f(p, trait):\n    return [getattr(p, f"{trait}_mean_{r}") for r in ROLES]\n'
        'f(p, "fluency")\n'
    )
    assert read_by_a_rule("tie_decay", source)
    assert read_by_a_rule("fluency_mean_patient", source)
    assert not read_by_a_rule("fluency_mean_carer", source)  # "carer" is never spelt out
    assert not read_by_a_rule("credibility_mean_patient", source)
    assert not read_by_a_rule("tie", source)


@pytest.mark.slow  # seconds: a subprocess, figures, or many runs (not the quick loop)
def test_every_assumption_is_read_by_a_rule():
    source = _rule_sources()
    dead = [p.name for p in ASSUMPTIONS if not read_by_a_rule(p.name, source)]
    assert not dead, f"registry entries no rule in simulation/ reads: {', '.join(dead)}"
