"""Sweep specs and their designs: which parameter values each run of a sweep gets.

A sweep spec is a TOML file::

    [sweep]
    name = "compensation-x-pacing"
    scenario = "default"      # a preset name or a scenario file: the base values
    design = "grid"           # grid | lhs | sobol | morris
    samples = 64              # lhs: points; sobol: base N (Saltelli); morris: trajectories
    replicates = 10           # runs per design point, each with its own seed
    seed = 20170503
    weeks = 104               # optional, overrides the scenario
    timeseries = false        # also keep the weekly series of every run

    [fixed]                   # optional: values for every run
    travel_support = true

    [vary]                    # grid: lists of values
    compensation = ["none", "expenses", "paid"]
    pace = [0.1, 0.5, 0.9]

Only ``[vary]`` is required; ``[sweep]`` keys default to: name = the file's stem,
scenario = the default preset, design = "grid", replicates = 1, seed = 0,
timeseries = false.
``levels`` (morris only, even, default 4) sets the number of grid levels.

The designs:

- ``grid``: every combination of the listed values; the first name in ``[vary]``
  varies slowest. ``samples`` is ignored.
- ``lhs``: ``samples`` points of a Latin hypercube (``scipy.stats.qmc.LatinHypercube``).
- ``sobol``: Saltelli's scheme as in ``SALib.sample.sobol.sample`` with
  ``calc_second_order=False``: ``samples`` (a power of 2) x (D + 2) points.
- ``morris``: ``SALib.sample.morris.sample``: ``samples`` trajectories of D + 1 points.

In lhs, sobol and morris a parameter is varied over a range, ``pace = {min = 0.1,
max = 0.9}``, or over a list of values, ``compensation = ["none", "paid"]``. A
whole-number parameter drawn from a range is rounded to the nearest whole number.
A listed parameter (the only way to vary a true/false or choice parameter there) is
drawn as a number x in [0, 1) that picks value number floor(x * k) of the k listed
values (x = 1, which Morris's grid can reach, picks the last). The SALib problem
(names and bounds: the range, or [0, 1] for a list) is ``Spec.problem()`` and
``Spec.sample_matrix()`` is the sample before this mapping, which is what
``SALib.analyze.morris`` wants as X.

Any parameter can be fixed or varied: a policy lever (``coprod params``) or a model
assumption (``coprod params --assumptions``, e.g. ``weight_time = {min = 1.5, max =
4.5}``), in every design; every run records every one of them.

Every name is checked against the schema (a did-you-mean for a typo), every value by
``Param.coerce``, and every design point by ``simulation.params.validate``, so a spec
that loads runs. Problems raise :class:`SpecError`, a ``ParamError``, with one line.

Seeds: run i gets ``int(SeedSequence(seed).spawn(n_runs)[i].generate_state(1, uint64)[0]
>> 1)``; runs are numbered point by point, ``run_id = point_id * replicates + replicate``.
The design's own randomness (lhs, sobol, morris) comes from ``default_rng([seed, 1])``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from simulation.params import EVERY_PARAM, ParamError, lookup, validate
from simulation.scenarios import DEFAULT_SCENARIO, read_scenario
from simulation.text import did_you_mean

# scipy, SALib and pandas are imported inside the methods that use them: together they
# take about a second to import, which grid specs, --dry-run and errors need not wait for.

DESIGNS = ("grid", "lhs", "sobol", "morris")
SWEEP_KEYS = (
    "name",
    "scenario",
    "design",
    "samples",
    "levels",
    "replicates",
    "seed",
    "weeks",
    "timeseries",
)
TABLES = ("sweep", "fixed", "vary")
PARAM_NAMES = tuple(p.name for p in EVERY_PARAM)  # the policy levers, then the assumptions
MAX_RUNS = 2_000_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class SpecError(ParamError):
    """A sweep spec that cannot run: one line saying what and where."""


@dataclass(frozen=True)
class Factor:
    """One varied parameter: a list of values, or a range ``[low, high]``."""

    name: str
    kind: str  # the parameter's kind: int | float | bool | choice
    values: tuple = ()  # the listed values (empty for a range)
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return not self.values

    @property
    def bounds(self) -> list[float]:
        """The factor's bounds in the SALib problem: the range, or [0, 1] for a list."""
        return [self.low, self.high] if self.is_range else [0.0, 1.0]

    def value(self, x: float) -> Any:
        """The parameter value for ``x``, a number within :attr:`bounds`."""
        if not self.is_range:
            k = len(self.values)
            return self.values[min(max(math.floor(x * k), 0), k - 1)]
        x = min(max(float(x), self.low), self.high)
        return int(np.rint(x)) if self.kind == "int" else x

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.is_range:
            out.update(min=self.low, max=self.high)
        else:
            out["values"] = list(self.values)
        return out

    def describe(self) -> str:
        if self.is_range:
            word = "whole numbers" if self.kind == "int" else "numbers"
            return f"{word} from {self.low:g} to {self.high:g}"
        return ", ".join(toml_literal(v) for v in self.values) + f"  ({len(self.values)} values)"


@dataclass(frozen=True)
class Spec:
    """A parsed, checked sweep spec. ``points()`` and ``runs()`` give its design."""

    name: str
    scenario: str
    design: str
    samples: int | None
    levels: int | None
    replicates: int
    seed: int
    weeks: int | None
    timeseries: bool
    fixed: dict[str, Any]
    vary: tuple[Factor, ...]
    base: dict[str, Any]  # every parameter's value before the varied ones are applied
    text: str = field(default="", compare=False)  # the raw TOML, when read from a file
    source: str = field(default="", compare=False)

    # ------------------------------------------------------------------ the design

    @property
    def varied(self) -> list[str]:
        return [f.name for f in self.vary]

    def problem(self) -> dict[str, Any] | None:
        """The SALib problem (num_vars, names, bounds) for lhs, sobol and morris."""
        if self.design == "grid":
            return None
        return {
            "num_vars": len(self.vary),
            "names": self.varied,
            "bounds": [f.bounds for f in self.vary],
        }

    @cached_property
    def _matrix(self) -> np.ndarray | None:
        problem = self.problem()
        if problem is None:
            return None
        rng = np.random.default_rng([self.seed, 1])
        if self.design == "lhs":
            # heavy; only the designs that need it load it
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=len(self.vary), rng=rng).random(self.samples)
            low, high = np.array(problem["bounds"], dtype=float).T
            return low + unit * (high - low)
        if self.design == "sobol":
            # heavy; only the designs that need it load it
            from SALib.sample import sobol

            return sobol.sample(problem, self.samples, calc_second_order=False, seed=rng)
        # heavy; only the designs that need it load it
        from SALib.sample import morris

        return morris.sample(problem, self.samples, num_levels=self.levels, seed=rng)

    def sample_matrix(self) -> np.ndarray | None:
        """The raw sample (points x varied) in the problem's units; None for a grid."""
        return None if self._matrix is None else self._matrix.copy()

    @cached_property
    def _values(self) -> list[dict[str, Any]]:
        if self.design == "grid":
            combos = itertools.product(*(f.values for f in self.vary))
            return [dict(zip(self.varied, combo, strict=True)) for combo in combos]
        return [
            {f.name: f.value(x) for f, x in zip(self.vary, row, strict=True)}
            for row in self._matrix
        ]

    @cached_property
    def _params(self) -> list[dict[str, Any]]:
        out = []
        for point_id, values in enumerate(self._values):
            try:
                out.append(validate({**self.base, **values}))
            except ParamError as err:
                shown = ", ".join(f"{k}={toml_literal(v)}" for k, v in values.items())
                raise SpecError(f"design point {point_id} ({shown}): {err}") from None
        return out

    @property
    def n_points(self) -> int:
        if self.design == "grid":
            return math.prod(len(f.values) for f in self.vary)
        d = len(self.vary)
        return self.samples * {"lhs": 1, "sobol": d + 2, "morris": d + 1}[self.design]

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    def check_points(self) -> None:
        """Check every design point with ``validate`` now (SpecError), not at its run."""
        for point_id in range(self.n_points):
            self.point_params(point_id)

    def point_params(self, point_id: int) -> dict[str, Any]:
        """Every parameter's value at design point ``point_id`` (checked by ``validate``)."""
        return self._params[point_id]

    def points(self):
        """The design points: a DataFrame with ``point_id`` and one column per varied name."""
        # heavy; only the designs that need it load it
        import pandas as pd

        frame = pd.DataFrame(self._values, columns=self.varied)
        frame.insert(0, "point_id", np.arange(len(frame), dtype=np.int64))
        return frame

    @cached_property
    def _seeds(self) -> np.ndarray:
        children = np.random.SeedSequence(self.seed).spawn(self.n_runs)
        return np.array(
            [int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in children], dtype=np.int64
        )

    def seeds(self) -> np.ndarray:
        """One seed per run (int64, below 2**63), indexed by run_id."""
        return self._seeds.copy()

    def run_seed(self, run_id: int) -> int:
        return int(self._seeds[run_id])

    def runs(self):
        """Every run: run_id, point_id, replicate, seed and all parameters (schema order)."""
        # heavy; only the designs that need it load it
        import pandas as pd

        run_id = np.arange(self.n_runs, dtype=np.int64)
        point_id = run_id // self.replicates
        frame = pd.DataFrame(
            {
                "run_id": run_id,
                "point_id": point_id,
                "replicate": run_id % self.replicates,
                "seed": self._seeds,
            }
        )
        params = pd.DataFrame(self._params, columns=list(PARAM_NAMES))
        return pd.concat([frame, params.iloc[point_id].reset_index(drop=True)], axis=1)

    # ------------------------------------------------------------------ records

    def canonical(self) -> dict[str, Any]:
        """The spec as parsed, as plain JSON data (what the fingerprint covers)."""
        return {
            "name": self.name,
            "scenario": self.scenario,
            "design": self.design,
            "samples": self.samples,
            "levels": self.levels,
            "replicates": self.replicates,
            "seed": self.seed,
            "weeks": self.weeks,
            "timeseries": self.timeseries,
            "fixed": dict(self.fixed),
            "vary": [f.as_dict() for f in self.vary],
            "base": dict(self.base),
        }

    def fingerprint(self) -> str:
        """sha256 of the canonical spec: equal fingerprints mean equal sweeps."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def summary(self) -> dict[str, Any]:
        """The design in brief, for the manifest: what analysis needs to rebuild it."""
        out = {
            "design": self.design,
            "varied": self.varied,
            "factors": [f.as_dict() for f in self.vary],
            "n_points": self.n_points,
            "replicates": self.replicates,
            "n_runs": self.n_runs,
            "seed": self.seed,
            "salib_problem": self.problem(),
        }
        if self.design == "sobol":
            out.update(samples=self.samples, calc_second_order=False)
        elif self.design == "morris":
            out.update(samples=self.samples, num_levels=self.levels)
        elif self.design == "lhs":
            out["samples"] = self.samples
        return out

    def describe(self) -> str:
        """The design in words (what ``coprod sweep --dry-run`` prints)."""
        how = {
            "grid": "every combination of",
            "lhs": f"{self.samples} Latin-hypercube points over",
            "sobol": f"Saltelli/Sobol' sample, N = {self.samples}, over",
            "morris": f"{self.samples} Morris trajectories ({self.levels} levels) over",
        }
        lines = [
            f"sweep {self.name}: {self.design} design on scenario '{self.scenario}', "
            f"{self.base['weeks']} weeks" + (", weekly series kept" if self.timeseries else "")
        ]
        if self.fixed:
            lines.append(
                "fixed:  " + ", ".join(f"{k} = {toml_literal(v)}" for k, v in self.fixed.items())
            )
        lines.append(f"varied ({how[self.design]}):")
        width = max(len(n) for n in self.varied)
        lines += [f"  {f.name:<{width}}  {f.describe()}" for f in self.vary]
        lines.append(
            f"{self.n_points} points x {self.replicates} "
            f"replicate{'s' if self.replicates != 1 else ''} = "
            f"{self.n_runs} runs, seed {self.seed}"
        )
        return "\n".join(lines)

    @classmethod
    def from_canonical(cls, data: dict[str, Any]) -> Spec:
        """Rebuild a Spec from :meth:`canonical` (e.g. ``manifest["spec"]``)."""
        vary = tuple(
            Factor(d["name"], d["kind"], tuple(d.get("values", ())), d.get("min"), d.get("max"))
            for d in data["vary"]
        )
        keys = (*SWEEP_KEYS, "fixed", "base")
        return cls(
            vary=vary,
            text=data.get("text", ""),
            source=data.get("source", ""),
            **{k: data[k] for k in keys},
        )


# --------------------------------------------------------------------------- parsing


def load_spec(path: str | Path) -> Spec:
    """Read, parse and check the sweep spec at ``path``; raise SpecError if it cannot run."""
    path = Path(path).expanduser()
    where = f"sweep spec '{path}'"
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise SpecError(f"{where} does not exist") from None
    except IsADirectoryError:
        raise SpecError(f"{where} is a directory, not a .toml file") from None
    except UnicodeDecodeError as err:
        raise SpecError(f"{where} is not valid TOML: not UTF-8 text (byte {err.start})") from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{where} is not valid TOML: {err}") from None
    except OSError as err:
        raise SpecError(f"{where} cannot be read: {err.strerror or err}") from None
    try:
        return parse_spec(
            data, default_name=path.stem, base_dir=path.parent, text=text, source=str(path)
        )
    except ParamError as err:
        raise SpecError(f"{where}: {err}") from None


def parse_spec(
    data: dict[str, Any],
    *,
    default_name: str = "sweep",
    base_dir: Path | None = None,
    text: str = "",
    source: str = "",
) -> Spec:
    """Check parsed TOML ``data`` and build its Spec; a relative scenario path is
    taken from ``base_dir`` (the spec file's folder)."""
    sweep, fixed_in, vary_in = _tables(data)
    settings = _settings(sweep, default_name)
    fixed, vary = _factors(settings, fixed_in, vary_in)
    base = _base(settings["scenario"], base_dir, settings["weeks"], fixed)
    spec = Spec(**settings, fixed=fixed, vary=vary, base=base, text=text, source=source)
    if spec.n_runs > MAX_RUNS:
        raise SpecError(
            f"the design has {spec.n_runs:,} runs, more than the {MAX_RUNS:,} "
            "a sweep may hold; vary fewer values or split it"
        )
    spec.check_points()
    return spec


def _tables(data: dict[str, Any]) -> tuple[dict, dict, dict]:
    """The [sweep], [fixed] and [vary] tables, after checking every table and [sweep] key."""
    for key in data:
        if key not in TABLES:
            hint = (
                " (parameters go in [fixed] or [vary])"
                if key in PARAM_NAMES
                else did_you_mean(key, TABLES)
            )
            raise SpecError(f"unknown table '{key}'{hint}; known: [sweep], [fixed], [vary]")
    sweep, fixed, vary = (_table(data, t) for t in TABLES)
    for key in sweep:
        if key not in SWEEP_KEYS:
            hint = (
                " (parameters go in [fixed] or [vary])"
                if key in PARAM_NAMES
                else did_you_mean(key, SWEEP_KEYS)
            )
            raise SpecError(f"[sweep]: unknown key '{key}'{hint}; known: {', '.join(SWEEP_KEYS)}")
    return sweep, fixed, vary


def _settings(sweep: dict[str, Any], default_name: str) -> dict[str, Any]:
    """The checked [sweep] values, with their defaults, as Spec fields."""
    name = _get(sweep, "name", str, default_name)
    if not _NAME.fullmatch(name):
        raise SpecError(
            f"[sweep] name: expected letters, digits, '.', '_' or '-' (it names "
            f"the output folder), got '{name}'"
        )
    design = _get(sweep, "design", str, "grid")
    if design not in DESIGNS:
        raise SpecError(
            f"[sweep] design: expected one of {', '.join(DESIGNS)}, got '{design}'"
            + did_you_mean(design, DESIGNS)
        )
    samples = _get(sweep, "samples", int, None)
    levels = _get(sweep, "levels", int, None)
    replicates = _get(sweep, "replicates", int, 1)
    seed = _get(sweep, "seed", int, 0)
    timeseries = _get(sweep, "timeseries", bool, False)
    scenario = _get(sweep, "scenario", str, DEFAULT_SCENARIO)
    weeks = _param("[sweep]", "weeks", sweep["weeks"]) if "weeks" in sweep else None
    _check_counts(design, samples, levels, replicates, seed)
    if design == "grid":
        samples = levels = None
    elif design != "morris":
        levels = None
    elif levels is None:
        levels = 4
    return {
        "name": name,
        "scenario": scenario,
        "design": design,
        "samples": samples,
        "levels": levels,
        "replicates": replicates,
        "seed": seed,
        "weeks": weeks,
        "timeseries": timeseries,
    }


def _factors(
    settings: dict[str, Any], fixed_in: dict[str, Any], vary_in: dict[str, Any]
) -> tuple[dict[str, Any], tuple[Factor, ...]]:
    """The checked [fixed] values and [vary] factors."""
    design, samples = settings["design"], settings["samples"]
    fixed = {name: _param("[fixed]", name, v) for name, v in fixed_in.items()}
    if not vary_in:
        raise SpecError(
            "[vary]: nothing to vary; list at least one parameter, e.g. pace = [0.1, 0.9]"
        )
    vary = tuple(_factor(design, n, v) for n, v in vary_in.items())
    for f in vary:
        if f.name in fixed:
            raise SpecError(f"'{f.name}' is both in [fixed] and in [vary]; keep one")
    if settings["weeks"] is not None and ("weeks" in fixed or "weeks" in vary_in):
        raise SpecError("weeks is set in [sweep] and in [fixed] or [vary]; keep one")
    if design == "sobol" and samples & (samples - 1):
        raise SpecError(
            f"[sweep] samples: the sobol design needs a power of 2 "
            f"(e.g. {1 << samples.bit_length() - 1} or "
            f"{1 << samples.bit_length()}), got {samples}"
        )
    return fixed, vary


def _table(data: dict, name: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise SpecError(f"'{name}' must be a table, [{name}], got {toml_literal(value)}")
    return value


def _get(table: dict, key: str, kind: type, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        word = {str: "a string in quotes", int: "a whole number", bool: "true or false"}[kind]
        raise SpecError(f"[sweep] {key}: expected {word}, got {toml_literal(value)}")
    return value


def _check_counts(design: str, samples, levels, replicates: int, seed: int) -> None:
    if replicates < 1:
        raise SpecError(f"[sweep] replicates: expected a whole number 1 or more, got {replicates}")
    if seed < 0:
        raise SpecError(f"[sweep] seed: expected a whole number 0 or more, got {seed}")
    if design == "grid":
        return
    if samples is None:
        word = {"lhs": "points", "sobol": "the base N, a power of 2", "morris": "trajectories"}[
            design
        ]
        raise SpecError(f"[sweep] samples: the {design} design needs samples ({word})")
    least = 2 if design == "morris" else 1
    if samples < least:
        raise SpecError(
            f"[sweep] samples: expected a whole number {least} or more for {design}, got {samples}"
        )
    if design == "morris" and levels is not None and (levels < 2 or levels % 2):
        raise SpecError(f"[sweep] levels: expected an even whole number 2 or more, got {levels}")


def _param(where: str, name: str, value: Any) -> Any:
    try:
        return lookup(name).coerce(value)
    except ParamError as err:
        raise SpecError(f"{where} {err}") from None


def _factor(design: str, name: str, value: Any) -> Factor:
    try:
        param = lookup(name)
    except ParamError as err:
        raise SpecError(f"[vary] {err}") from None
    if isinstance(value, list):
        if not value:
            raise SpecError(f"[vary] {name}: empty list, nothing to vary")
        values = tuple(_param("[vary]", name, v) for v in value)
        if len(set(values)) < len(values):
            raise SpecError(
                f"[vary] {name}: a value is listed twice in {toml_literal(list(values))}"
            )
        return Factor(name, param.kind, values)
    example = f"{name} = {toml_literal(_example(param))}"
    if design == "grid":
        raise SpecError(
            f"[vary] {name}: the grid design needs a list of values, e.g. "
            f"{name} = {toml_literal(_grid_example(param))}; got {toml_literal(value)}"
        )
    if param.kind in ("bool", "choice"):
        raise SpecError(
            f"[vary] {name}: a {param.kind} parameter is varied by listing its "
            f"values, e.g. {example}; got {toml_literal(value)}"
        )
    if not isinstance(value, dict):
        raise SpecError(
            f"[vary] {name}: expected {{min = ..., max = ...}} or a list of "
            f"values, got {toml_literal(value)}"
        )
    for key in value:
        if key not in ("min", "max"):
            raise SpecError(
                f"[vary] {name}: unknown key '{key}'"
                f"{did_you_mean(key, ('min', 'max'))}; expected min and max"
            )
    if set(value) != {"min", "max"}:
        raise SpecError(f"[vary] {name}: a range needs both min and max, got {toml_literal(value)}")
    low, high = (_param(f"[vary] {key}:", name, value[key]) for key in ("min", "max"))
    if not low < high:
        raise SpecError(
            f"[vary] {name}: min ({toml_literal(low)}) must be below max ({toml_literal(high)})"
        )
    return Factor(name, param.kind, (), float(low), float(high))


def _grid_example(param) -> list:
    """A list of values to vary ``param`` over in a grid: its choices; else half, once and
    twice its default when they are allowed, or three values evenly inside its range."""
    if param.kind in ("bool", "choice"):
        return _example(param)
    default = param.default
    if default > 0 and param.low <= default / 2 and default * 2 <= param.high:
        values = [default / 2, default, default * 2]
    else:
        values = [param.low + f * (param.high - param.low) for f in (0.25, 0.5, 0.75)]
    values = [float(f"{v:.3g}") for v in values]
    return [int(v) for v in values] if param.kind == "int" else values


def _example(param) -> Any:
    if param.kind == "choice":
        return list(param.choices[:2])
    if param.kind == "bool":
        return [False, True]
    return {"min": param.low, "max": param.high}


def _base(
    scenario: str, base_dir: Path | None, weeks: int | None, fixed: dict[str, Any]
) -> dict[str, Any]:
    ref: str | Path = scenario
    if base_dir is not None and (scenario.endswith(".toml") or "/" in scenario):
        path = Path(scenario).expanduser()
        ref = path if path.is_absolute() else base_dir / path
    try:
        values = dict(read_scenario(ref).values)
    except ParamError as err:
        raise SpecError(f"[sweep] scenario: {err}") from None
    if weeks is not None:
        values["weeks"] = weeks
    values.update(fixed)
    try:
        return validate(values)
    except ParamError as err:
        raise SpecError(f"scenario '{scenario}' with [fixed]: {err}") from None


def toml_literal(value: Any) -> str:
    """``value`` as it is written in a spec file: ``"paid"``, ``true``, ``[0.1, 0.9]``,
    ``{min = 0, max = 1}``; for quoting a spec back to its author, exactly."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
