"""What an analysis looks at unless told otherwise, and the sizes of its bins and tables.

Kept apart from the modules that load pandas and matplotlib, so that ``coprod --help``
can list the headline metrics without loading them.
"""

from __future__ import annotations

# Headline metrics plotted when --metric is not given: participation and equity,
# knowledge, relations, burden and cost, and each rationale's satisfaction.
DEFAULT_METRICS: tuple[str, ...] = (
    "participation_parity",
    "participation_lay",
    "experiential_share",
    "insights_unexpected",
    "insights_lay_origin",
    "cross_role_ties",
    "mean_trust",
    "unpaid_lay_hours",
    "programme_cost",
    "satisfaction_rights",
    "satisfaction_managerial",
    "satisfaction_experience",
)
CI_LEVEL = 0.95
HEATMAP_BINS = 5  # bins per axis for a continuous parameter in lhs/sobol/morris designs
LINE_BINS = 6  # bins along the x axis of a line plot, ditto
GROUP_BINS = 3  # bins of the second parameter (one line each), ditto
MAX_LEVELS = 8  # a parameter with more distinct values than this is binned (non-grid designs)
MORRIS_LABELS = 5  # parameters named in each Morris panel
MAX_TABLE_POINTS = 40  # the report's per-point table is left to summary.csv beyond this
REQUIRED_COLUMNS = ("run_id", "point_id", "status")
