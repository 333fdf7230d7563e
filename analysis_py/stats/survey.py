"""Two survey estimates compared with their published standard errors (BLS's advice for OEWS)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL, Record, z_critical

__all__ = ["EstimateComparison", "estimate_difference_z", "se_from_prse"]


@dataclass(frozen=True)
class EstimateComparison(Record):
    """Two survey estimates compared with their standard errors: z = diff / sqrt(se1^2 + se2^2)."""

    label_1: str
    estimate_1: float
    se_1: float
    label_2: str
    estimate_2: float
    se_2: float
    difference: float
    se_difference: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float = LEVEL


def se_from_prse(estimate: float, prse: float) -> float:
    """The standard error of an estimate from its percent relative standard error: estimate x PRSE / 100."""
    return estimate * prse / 100


def estimate_difference_z(
    estimate_1: float,
    se_1: float,
    estimate_2: float,
    se_2: float,
    label_1: str = "estimate 1",
    label_2: str = "estimate 2",
    level: float = LEVEL,
) -> EstimateComparison:
    """Do two survey estimates differ? z = (e1 - e2) / sqrt(se1^2 + se2^2), two-sided normal p, CI of e1 - e2.

    Treats the estimates as independent: right for two areas; for two estimates that
    share sample (two occupations of one area, two releases that pool the same survey
    panels) it ignores their positive covariance, which makes the test conservative.
    """
    se_difference = math.sqrt(se_1**2 + se_2**2)
    if se_difference == 0 or math.isnan(se_difference):
        raise AnalysisError(
            f"{label_1} vs {label_2}", "no standard error to compare them with (both 0 or missing)"
        )
    difference = estimate_1 - estimate_2
    z = difference / se_difference
    half_width = z_critical(level) * se_difference
    return EstimateComparison(
        label_1=label_1,
        estimate_1=float(estimate_1),
        se_1=float(se_1),
        label_2=label_2,
        estimate_2=float(estimate_2),
        se_2=float(se_2),
        difference=float(difference),
        se_difference=float(se_difference),
        z=float(z),
        p_value=float(2 * stats.norm.sf(abs(z))),
        ci_low=float(difference - half_width),
        ci_high=float(difference + half_width),
        level=level,
    )
