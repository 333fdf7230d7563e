"""Employment vs wage as a test: Pearson's r, with the companions its skewed measures need.

tot_emp and a_mean are both strongly right-skewed, so r alone is driven by a few huge
occupations: the test carries Spearman's rho (rank-based) and Pearson's r of log10 of both
in its `details`, beside r, its p and its Fisher-z CI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis_py.stats.correlation import pearson, spearman
from analysis_py.stats.results import Interval

__all__ = ["PearsonTest", "pearson_test"]


@dataclass(frozen=True)
class PearsonTest:
    """Pearson's r as a test, with Spearman's rho and Pearson's r of log10 of both in `details`."""

    details: dict[str, Any]
    statistic: float
    p_value: float
    df: float
    ci: Interval


def pearson_test(x: np.ndarray, y: np.ndarray) -> PearsonTest:
    """Pearson's r of x and y with its Fisher-z CI, Spearman's rho and Pearson's r of log10 of both."""
    linear, ranks = pearson(x, y), spearman(x, y)
    positive = (x > 0) & (y > 0)
    log10 = pearson(np.log10(x[positive]), np.log10(y[positive]))
    return PearsonTest(
        statistic=linear.r,
        p_value=linear.p_value,
        df=float(linear.n - 2),
        ci=Interval(of="Pearson's r (Fisher z)", low=linear.ci_low, high=linear.ci_high),
        details={
            "r_squared": linear.r**2,
            "spearman": {"rho": ranks.r, "p_value": ranks.p_value, "n": ranks.n},
            "pearson_log10": {
                "r": log10.r,
                "p_value": log10.p_value,
                "n": log10.n,
                "ci_low": log10.ci_low,
                "ci_high": log10.ci_high,
                "n_excluded_nonpositive": int((~positive).sum()),
            },
        },
    )
