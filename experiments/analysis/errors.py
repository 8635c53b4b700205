"""The one error the analysis raises: bad input, said in one line."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Bad input to the analysis: a missing or malformed sweep folder, an unknown metric.

    ``coprod`` reports it as bad input: one line, exit status 2.
    """
