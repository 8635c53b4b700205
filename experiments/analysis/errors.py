"""The one error the analysis raises: bad input, said in one line."""

from __future__ import annotations

from simulation.params import ParamError


class AnalysisError(ParamError):
    """Bad input to the analysis: a missing or malformed sweep folder, an unknown metric.

    A ValueError. It derives from ``ParamError`` only so that ``coprod`` already
    reports it as bad input (one line, exit status 2), as it does the sweep spec's
    ``SpecError``; once ``experiments.cli`` maps AnalysisError itself, its base can
    be ``ValueError``.
    """
