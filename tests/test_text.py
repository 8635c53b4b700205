"""The one value formatter and the one did-you-mean helper (simulation/text.py).

Every expected string is written out by hand from the rule in ``show``'s docstring.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.params import ParamError, lookup
from simulation.scenarios import load_scenario
from simulation.text import did_you_mean, show


@pytest.mark.parametrize(
    ("value", "text"),
    [
        # whole numbers, and anything from 100 up: thousands separators, no decimals
        (12345.6, "12,346"),
        (-1234.6, "-1,235"),
        (1_234_567, "1,234,567"),
        (0, "0"),
        (7.0, "7"),
        (100.4, "100"),  # the 100 boundary: from 100 up, no decimals
        (99.94, "99.9"),  # just under 100: one decimal
        (10.0, "10"),
        (10.34, "10.3"),  # the 10 boundary: from 10 up, one decimal
        (9.876, "9.88"),  # just under 10: two decimals
        (1.0, "1"),
        (1.5, "1.50"),  # the 1 boundary: from 1 up, two decimals
        (0.9994, "0.999"),  # just under 1: three decimals
        (0.3724, "0.372"),
        (-0.5, "-0.500"),
        (0.001, "0.001"),  # the 0.001 boundary: still three decimals
        (0.00099, "0.00099"),  # under 0.001: two significant digits
        (0.0001234, "0.00012"),
        (0.0, "0"),
    ],
)
def test_show_numbers(value, text):
    assert show(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (None, "n/a"),
        (float("nan"), "n/a"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        ("expenses", "expenses"),
    ],
)
def test_show_words(value, text):
    assert show(value) == text


def test_show_reads_numpy_scalars_as_python_values():
    assert show(np.float64(0.3724)) == "0.372"
    assert show(np.int64(12345)) == "12,345"
    assert show(np.bool_(True)) == "true"  # not "1": a numpy bool is a bool


def test_did_you_mean_suggests_the_closest_option_or_nothing():
    assert did_you_mean("pase", ["pace", "weeks"]) == " (did you mean 'pace'?)"
    assert did_you_mean("weks", iter(["pace", "weeks"])) == " (did you mean 'weeks'?)"
    assert did_you_mean("zzzz", ["pace", "weeks"]) == ""
    assert did_you_mean("pace", []) == ""


def test_parameter_and_scenario_errors_use_the_helpers():
    with pytest.raises(ParamError, match=r"unknown parameter 'pase' \(did you mean 'pace'\?\)"):
        lookup("pase")
    hint = r"\(did you mean 'default'\?\)"
    with pytest.raises(ParamError, match=r"unknown scenario 'defualt' " + hint):
        load_scenario("defualt")
    # bounds in an error message read as show() writes them
    with pytest.raises(ParamError, match=r"weeks: expected a whole number from 1 to 1,040, got 0"):
        lookup("weeks").coerce(0)
