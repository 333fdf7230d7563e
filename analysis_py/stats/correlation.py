"""Correlations: Pearson's r with its Fisher-z CI, Spearman's rho, a pairwise-complete matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL, Record

__all__ = ["Correlation", "correlation_matrix", "pearson", "spearman"]


@dataclass(frozen=True)
class Correlation(Record):
    """A correlation coefficient, its two-sided p, n and (Pearson only) a CI."""

    method: str
    r: float
    p_value: float
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    level: float = LEVEL


def _pair(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) != len(y) or len(x) < 4:
        raise AnalysisError(
            "correlation",
            f"{len(x)} and {len(y)} values; two equal-length arrays of at least 4 are needed",
        )
    return x, y


def pearson(x: ArrayLike, y: ArrayLike, level: float = LEVEL) -> Correlation:
    """Pearson's r (scipy), two-sided p, Fisher-z CI."""
    x, y = _pair(x, y)
    result = stats.pearsonr(x, y)
    interval = result.confidence_interval(level)
    return Correlation(
        "pearson",
        float(result.statistic),
        float(result.pvalue),
        len(x),
        float(interval.low),
        float(interval.high),
        level,
    )


def spearman(x: ArrayLike, y: ArrayLike) -> Correlation:
    """Spearman's rank correlation (scipy), two-sided p; no CI."""
    x, y = _pair(x, y)
    result = stats.spearmanr(x, y)
    return Correlation("spearman", float(result.statistic), float(result.pvalue), len(x))


def correlation_matrix(
    frame: pd.DataFrame, measures: Sequence[str], min_periods: int = 3
) -> pd.DataFrame:
    """Pearson and Spearman correlations of `measures`, pairwise complete: one row per method x pair (method, measure_1, measure_2, r, n)."""
    values = frame[list(measures)].astype(float)
    present = values.notna().astype(int)
    counts = present.T @ present
    rows = []
    for method in ("pearson", "spearman"):
        matrix = values.corr(method=method, min_periods=min_periods)
        for first in measures:
            for second in measures:
                value = matrix.loc[first, second]
                rows.append(
                    {
                        "method": method,
                        "measure_1": first,
                        "measure_2": second,
                        "r": None if pd.isna(value) else float(value),
                        "n": int(counts.loc[first, second]),
                    }
                )
    return pd.DataFrame(rows)
