"""Licence and citation metadata agree with the package."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_licence_file_is_the_licence_pyproject_declares():
    assert PROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_citation_names_this_version_licence_and_the_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == PROJECT["version"]
    assert cff["license"] == PROJECT["license"]
    paper = cff["references"][0]
    assert paper["doi"] == "10.1371/journal.pbio.2001403"
    assert [a["family-names"] for a in paper["authors"]] == ["Filipe", "Renedo", "Marston"]
