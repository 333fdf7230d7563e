"""Results and samples -> matplotlib Figures (the caller saves them), one module per family of charts.

Each function draws on `ax` when given, else on a new Figure, and returns the Figure; what
they share (tick formats, colours, literal text) is in `style`.
"""

from analysis_py.outputs.charts.groups import (
    management_vs_production_chart,
    spread_by_major_group_chart,
    tech_vs_nontech_chart,
)
from analysis_py.outputs.charts.releases import real_wage_by_release_chart
from analysis_py.outputs.charts.states import state_ranking_chart
from analysis_py.outputs.charts.wages import employment_vs_wage_chart, wage_distribution_chart

__all__ = [
    "employment_vs_wage_chart",
    "management_vs_production_chart",
    "real_wage_by_release_chart",
    "spread_by_major_group_chart",
    "state_ranking_chart",
    "tech_vs_nontech_chart",
    "wage_distribution_chart",
]
