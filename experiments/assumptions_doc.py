"""docs/assumptions.md, generated from the assumptions registry (``simulation.assumptions``).

``coprod params --assumptions --markdown`` prints :func:`markdown`; ``make assumptions-doc``
writes it to docs/assumptions.md, and tests/test_docs.py checks that the file matches.
"""

from __future__ import annotations

from collections import Counter

from simulation.assumptions import ASSUMPTIONS, RULES
from simulation.params import ASSUMPTION_GROUPS, PARAMS
from simulation.schema import BASES, Param

EXAMPLE = "weight_time"  # the assumption the intro's examples vary
REWRITE = "make assumptions-doc"  # or: coprod params --assumptions --markdown > docs/assumptions.md
BASIS_MEANING = {
    "published": "the default is a figure from the cited source",
    "estimate": "the default is worked out from published figures, as the source says",
    "assumption": "no published figure: the source gives the reasoning behind the value",
}


def short_source(p: Param, width: int = 60) -> str:
    """The first sentence of ``p.source``, cut to ``width`` characters with '...'."""
    text = " ".join(p.source.split())
    first = text.split(". ", 1)[0]
    first += "." if first != text else ""
    return first if len(first) <= width else first[: width - 3].rstrip() + "..."


def number(value: object) -> str:
    """A value as a spec or scenario file writes it: ``0.45``, ``8``, ``paid``, ``true``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def allowed_range(p: Param) -> str:
    """``low to high`` (a number's range) or the choices."""
    if p.kind == "choice":
        return ", ".join(p.choices)
    if p.kind == "bool":
        return "true/false"
    return f"{number(p.low)} to {number(p.high)}"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _intro() -> list[str]:
    counts = Counter(p.basis for p in ASSUMPTIONS)
    bases = ", ".join(f"{counts.get(b, 0)} {b}" for b in BASES)
    example = next((p for p in ASSUMPTIONS if p.name == EXAMPLE), ASSUMPTIONS[0])
    at, span = (
        number(example.high),
        f"{{min = {number(example.low)}, max = {number(example.high)}}}",
    )
    return [
        "# Model assumptions",
        "",
        f"<!-- Generated from simulation/assumptions.py by `{REWRITE}`: "
        "edit the registry, not this file. -->",
        "",
        f"The {len(PARAMS)} policy levers (`coprod params`) are what a programme chooses. "
        f"The {len(ASSUMPTIONS)} assumptions below are what the modeller had to choose: how "
        "heavily people weigh time against money, how fast ties decay, what people know. "
        "Each has a default, a plausible range that a careful modeller would defend, a unit, "
        "and a source. Every rule reads the run's value, so any of them can be varied like a "
        "lever. They are listed by the rule that uses them (the rules of "
        "[the ODD description](odd.md), one module each in `simulation/`).",
        "",
        f"Basis ({bases}):",
        "",
        *[f"- **{b}**: {BASIS_MEANING[b]}." for b in BASES],
        "",
        "To vary an assumption:",
        "",
        f"- one run: `coprod run --set {example.name}={at}`; a value outside the range stops "
        "with exit status 2 and one line giving the range. A scenario file takes it like a "
        f"lever (`{example.name} = {at}`).",
        "- a sweep: put it in `[fixed]` or `[vary]` of the spec, as any parameter, in every "
        f"design (`{example.name} = {span}`); `runs.parquet` has a column for every "
        "assumption ([sweeps](sweeps.md)).",
        '- the dashboard: open the "Model assumptions" panel under the levers.',
        "",
        "Where the patterns of the paper hold across these ranges is the subject of "
        "`coprod robustness` and its report, [robustness.md](robustness.md).",
        "",
        "`coprod params --assumptions` lists the same table in a terminal, and "
        "`coprod params --assumptions --json` gives every field for programs.",
    ]


def _table(rule: str) -> list[str]:
    rows = [
        f"## {rule}: {RULES[rule]}",
        "",
        f"Used by `simulation/{rule}.py`.",
        "",
        "| name | meaning | default | range | unit | basis | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in ASSUMPTIONS:
        if p.group == rule:
            cells = (
                f"`{p.name}`",
                _cell(p.help),
                number(p.default),
                allowed_range(p),
                _cell(p.unit or "-"),
                p.basis,
                _cell(p.source),
            )
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def markdown() -> str:
    """The whole of docs/assumptions.md."""
    lines = _intro()
    for rule in ASSUMPTION_GROUPS:
        lines += ["", *_table(rule)]
    return "\n".join(lines) + "\n"
