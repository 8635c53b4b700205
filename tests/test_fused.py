"""The compiled loops of the weekly rules (simulation.fused, simulation.kernels) give the
numbers of their numpy twins to the bit: hand-worked steps with each choice of loops,
and whole runs of every shipped scenario compared across the two."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import CoProductionModel, compiled, scenarios
from simulation.batch import run_batch
from simulation.fused import relax

CHOICES = ["numba", "numpy"]


@pytest.fixture(params=CHOICES)
def loops(request, monkeypatch):
    monkeypatch.setenv(compiled.VARIABLE, request.param)
    assert (compiled.kernels() is not None) == (request.param == "numba")
    return request.param


def test_relax_moves_the_chosen_a_share_of_the_way(loops):
    # rate 0.25: 0.2 -> 0.2 + 0.25 (1 - 0.2) = 0.4; 0.5 -> 0.5 + 0.25 (0 - 0.5) = 0.375;
    # the third is not chosen: it stays at 0.9.
    x = np.array([0.2, 0.5, 0.9])
    relax(x, 0.25, np.array([1.0, 0.0, 1.0]), np.array([True, True, False]))
    assert x.tolist() == [0.4, 0.375, 0.9]
    # Everyone: 0.4 -> 0.4 + 0.5 (0.8 - 0.4) = 0.6; 0.375 -> 0.375 + 0.5 (0 - 0.375)
    # = 0.1875; 0.9 -> 0.9 + 0.5 (0.5 - 0.9) = 0.7.
    relax(x, 0.5, np.array([0.8, 0.0, 0.5]))
    assert x == pytest.approx([0.6, 0.1875, 0.7])
    relax(x, 0.5, 1.0)  # towards one value (the arrays take it, whichever loops run)
    assert x == pytest.approx([0.8, 0.59375, 0.85])


def test_relax_of_a_strided_view_moves_only_that_view(loops):
    # Not contiguous: the numpy arrays take it, whichever loops run.
    x = np.zeros((3, 2))
    relax(x[:, 1], 0.5, 1.0)
    assert x.tolist() == [[0.0, 0.5]] * 3


def test_relax_is_its_numpy_twin_to_the_bit(monkeypatch):
    rng = np.random.default_rng(7)
    x, target, rate = rng.random(1001), rng.random((2, 1001)) * 3 - 1, 0.123456789
    who = rng.random(1001) < 0.5
    out = {}
    for choice in CHOICES:
        monkeypatch.setenv(compiled.VARIABLE, choice)
        masked, everyone = x.copy(), x.copy()
        relax(masked, rate, target[0], who)
        relax(everyone, rate, target[1])
        out[choice] = masked.tobytes() + everyone.tobytes()
    assert out["numba"] == out["numpy"]
    assert out["numba"] != x.tobytes() * 2  # (something moved)


@pytest.mark.slow  # whole runs, twice each
@pytest.mark.parametrize("name", sorted(scenarios.list_scenarios()))
def test_a_run_is_the_same_to_the_bit_whichever_loops_run(name, monkeypatch):
    # Every rule's compiled loops at once (ties in the room and online, values, the
    # relaxations, the draws), in each shipped scenario's rules.
    params = {**scenarios.load_scenario(name), "weeks": 30}
    histories = []
    for choice in CHOICES:
        monkeypatch.setenv(compiled.VARIABLE, choice)
        model = CoProductionModel(rng=11, **params)
        model.run()
        histories.append(np.asarray(model.history).tobytes())
    assert histories[0] == histories[1]


@pytest.mark.slow  # whole runs, twice each
def test_runs_side_by_side_are_the_same_to_the_bit_whichever_loops_run(monkeypatch):
    # Runs of every compensation rule in one pass: trips refunded for some agents and not
    # others (money's per-agent case), meeting in the room and online.
    runs = [
        ({"compensation": compensation, "meeting_format": place, "weeks": 20}, seed)
        for seed, (compensation, place) in enumerate(
            (c, f) for c in ("none", "expenses", "paid") for f in ("in_person", "online")
        )
    ]
    out = []
    for choice in CHOICES:
        monkeypatch.setenv(compiled.VARIABLE, choice)
        out.append([history.tobytes() for _final, history in run_batch(runs, timeseries=True)])
    assert out[0] == out[1]
