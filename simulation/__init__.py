"""An agent-based model of co-production in health care.

After Filipe, Renedo & Marston (2017), "The co-production of what? Knowledge,
values, and social relations in health care", PLOS Biology 15(5): e2001403.

>>> from simulation import CoProductionModel
>>> model = CoProductionModel(weeks=8, rng=1)
>>> outcomes = model.run()
"""

from .metrics import METRIC_NAMES, METRICS
from .model import CoProductionModel
from .params import DEFAULTS, PARAMS, ParamError, validate

__all__ = ["CoProductionModel", "DEFAULTS", "METRICS", "METRIC_NAMES", "PARAMS", "ParamError",
           "validate"]
