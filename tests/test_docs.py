"""The README's tables are generated from the schema and the metric definitions."""

from pathlib import Path

from simulation import metrics, params

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _between(start: str, end: str) -> str:
    return README.split(start, 1)[1].split(end, 1)[0].strip()


def test_readme_parameter_table_matches_the_schema():
    assert _between("<!-- params:start -->", "<!-- params:end -->") == params.markdown_table()


def test_readme_metric_table_matches_the_definitions():
    assert _between("<!-- metrics:start -->", "<!-- metrics:end -->") == metrics.markdown_table()


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_docs_assumptions_md_is_generated_from_the_registry():
    # Generated: the file is the registry's table today, or someone must regenerate it.
    from experiments.assumptions_doc import REWRITE, markdown

    path = Path(__file__).resolve().parents[1] / "docs" / "assumptions.md"
    on_disk = path.read_text(encoding="utf-8") if path.exists() else ""
    assert on_disk == markdown(), (
        f"docs/assumptions.md differs from simulation/assumptions.py; rewrite it with `{REWRITE}`"
    )


def test_docs_assumptions_md_has_a_row_per_assumption_under_its_rule():
    from experiments.assumptions_doc import markdown
    from simulation.params import ASSUMPTION_GROUPS, ASSUMPTIONS

    sections = markdown().split("\n## ")[1:]
    assert [s.split(":", 1)[0] for s in sections] == list(ASSUMPTION_GROUPS)
    for p in ASSUMPTIONS:
        section = next(s for s in sections if s.startswith(p.group + ":"))
        row = next(line for line in section.splitlines() if line.startswith(f"| `{p.name}` |"))
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[2:6] == [f"{p.default:g}", f"{p.low:g} to {p.high:g}", p.unit or "-", p.basis]
        assert cells[6] == " ".join(p.source.split()).replace("|", "\\|")
