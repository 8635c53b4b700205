"""An agent-based model of co-production in health care.

After Filipe, Renedo & Marston (2017), "The co-production of what? Knowledge,
values, and social relations in health care", PLOS Biology 15(5): e2001403.

>>> from simulation import CoProductionModel
>>> model = CoProductionModel(weeks=8, rng=1)
>>> outcomes = model.run()
"""

from .metrics import METRIC_NAMES, METRICS
from .params import DEFAULTS, PARAMS, ParamError, validate

__all__ = [
    "DEFAULTS",
    "METRICS",
    "METRIC_NAMES",
    "PARAMS",
    "CoProductionModel",
    "ParamError",
    "validate",
]


def __getattr__(name: str):
    # The model imports Mesa (and with it pandas and networkx): load it only when
    # asked for, so that the schema and the command line's checks start fast.
    if name == "CoProductionModel":
        from .model import CoProductionModel

        return CoProductionModel
    raise AttributeError(f"module 'simulation' has no attribute '{name}'")
