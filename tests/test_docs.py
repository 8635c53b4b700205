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
