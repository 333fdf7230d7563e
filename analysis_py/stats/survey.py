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
    """Two survey estimates compared with their standard errors: z = diff / sqrt(se1^2 + se2^2).

    Two exact figures (both standard errors 0, e.g. a PRSE of 0 for a count of every worker)
    have an exact difference: its CI has width 0 and z and p are None, since no sampling
    distribution exists to refer a z to.
    """

    label_1: str
    estimate_1: float
    se_1: float
    label_2: str
    estimate_2: float
    se_2: float
    difference: float
    se_difference: float
    z: float | None
    p_value: float | None
    ci_low: float
    ci_high: float
    level: float = LEVEL

    @property
    def is_exact(self) -> bool:
        """True when both estimates are exact (standard errors 0): the difference is exact too."""
        return self.se_difference == 0


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

    Treats the estimates as independent, which is right for disjoint samples; for estimates
    that share sample it ignores their covariance (the caller says which way that cuts).
    Both standard errors 0 (two exact figures): the difference is exact, z and p are None
    rather than a division by zero. A missing (NaN) standard error is an AnalysisError.
    """
    se_difference = math.sqrt(se_1**2 + se_2**2)
    if math.isnan(se_difference):
        raise AnalysisError(
            f"{label_1} vs {label_2}", "no standard error to compare them with (one is missing)"
        )
    difference = estimate_1 - estimate_2
    exact = se_difference == 0
    z = None if exact else difference / se_difference
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
        z=None if z is None else float(z),
        p_value=None if z is None else float(2 * stats.norm.sf(abs(z))),
        ci_low=float(difference - half_width),
        ci_high=float(difference + half_width),
        level=level,
    )
