"""Shared fixtures. Builders of hand-set populations live in ``builders.py``.

The tests directory is on ``sys.path`` (pytest's default import mode puts a test
file's folder there), so test modules import helpers as ``from builders import ...``
and ``from cli_checks import ...``.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import several, tiny


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed."""
    return np.random.default_rng(12345)


@pytest.fixture
def tiny_run():
    """(p, state, setting) of the one-group population of builders.tiny."""
    return tiny()


@pytest.fixture
def several_run():
    """(p, state, setting) of the several-group population of builders.several."""
    return several()
