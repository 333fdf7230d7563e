"""Two-sample tests of means and variances: Welch's t, the z test, the F test, Levene; Hedges' g."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ztest

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL, EffectSize, Interval, Record, z_critical

__all__ = ["TwoSampleTest", "VarianceTest", "f_test", "hedges_g", "levene", "welch_t", "z_test"]


@dataclass(frozen=True)
class TwoSampleTest(Record):
    """A test of mean(x) - mean(y): statistic, df (None for z), p, CI of the difference, Hedges' g."""

    statistic: float
    df: float | None
    p_value: float
    mean_difference: float
    ci: Interval
    hedges_g: EffectSize
    n_x: int
    n_y: int


@dataclass(frozen=True)
class VarianceTest(Record):
    """A test of equal variances: statistic, numerator and denominator df, p; the ratio's CI when the test has one."""

    statistic: float
    df: float
    df_denominator: float
    p_value: float
    ci: Interval


def _values(name: str, data: ArrayLike, at_least: int = 2) -> np.ndarray:
    values = np.asarray(data, dtype=float)
    if values.ndim != 1 or len(values) < at_least:
        raise AnalysisError(name, f"{len(values)} value(s); at least {at_least} are needed")
    return values


def hedges_g(x: ArrayLike, y: ArrayLike, level: float = LEVEL) -> EffectSize:
    """Hedges' g (pooled-SD standardized mean difference, small-sample corrected), normal-approximation CI."""
    x, y = _values("x", x), _values("y", y)
    n1, n2 = len(x), len(y)
    pooled = math.sqrt(
        ((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2)
    )
    g = (np.mean(x) - np.mean(y)) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    z = z_critical(level)
    return EffectSize(
        name="hedges_g",
        value=float(g),
        description="(mean 1 - mean 2) / pooled SD x (1 - 3 / (4 (n1 + n2) - 9)); CI: normal approximation",
        ci_low=float(g - z * se),
        ci_high=float(g + z * se),
    )


def welch_t(x: ArrayLike, y: ArrayLike, level: float = LEVEL) -> TwoSampleTest:
    """Welch's t test of mean(x) = mean(y) (variances not assumed equal); CI with Welch-Satterthwaite df."""
    x, y = _values("x", x), _values("y", y)
    result = stats.ttest_ind(x, y, equal_var=False)
    interval = result.confidence_interval(level)
    return TwoSampleTest(
        statistic=float(result.statistic),
        df=float(result.df),
        p_value=float(result.pvalue),
        mean_difference=float(np.mean(x) - np.mean(y)),
        ci=Interval(
            of="mean difference x - y (Welch-Satterthwaite df)",
            low=float(interval.low),
            high=float(interval.high),
            level=level,
        ),
        hedges_g=hedges_g(x, y, level),
        n_x=len(x),
        n_y=len(y),
    )


def z_test(x: ArrayLike, y: ArrayLike, level: float = LEVEL) -> TwoSampleTest:
    """Two-sample z test of mean(x) = mean(y), unequal variances (statsmodels `ztest`), normal CI."""
    x, y = _values("x", x), _values("y", y)
    z, p = ztest(x, y, usevar="unequal")
    low, high = CompareMeans(DescrStatsW(x), DescrStatsW(y)).zconfint_diff(
        alpha=1 - level, usevar="unequal"
    )
    return TwoSampleTest(
        statistic=float(z),
        df=None,
        p_value=float(p),
        mean_difference=float(np.mean(x) - np.mean(y)),
        ci=Interval(
            of="mean difference x - y (normal, unequal variances)",
            low=float(low),
            high=float(high),
            level=level,
        ),
        hedges_g=hedges_g(x, y, level),
        n_x=len(x),
        n_y=len(y),
    )


def f_test(x: ArrayLike, y: ArrayLike, level: float = LEVEL) -> VarianceTest:
    """Two-sided F test of var(x) = var(y): the ratio var(x) / var(y), its p and its CI."""
    x, y = _values("x", x), _values("y", y)
    df1, df2 = len(x) - 1, len(y) - 1
    ratio = float(np.var(x, ddof=1) / np.var(y, ddof=1))
    p = float(min(1.0, 2 * min(stats.f.cdf(ratio, df1, df2), stats.f.sf(ratio, df1, df2))))
    tail = (1 - level) / 2
    low, high = ratio / stats.f.ppf(1 - tail, df1, df2), ratio / stats.f.ppf(tail, df1, df2)
    return VarianceTest(
        statistic=ratio,
        df=float(df1),
        df_denominator=float(df2),
        p_value=p,
        ci=Interval(of="variance ratio x / y", low=float(low), high=float(high), level=level),
    )


def levene(*groups: ArrayLike, center: str = "median") -> VarianceTest:
    """Levene's test of equal variances across two or more groups (median-centred: Brown-Forsythe)."""
    arrays = [_values(f"group {i + 1}", group) for i, group in enumerate(groups)]
    if len(arrays) < 2:
        raise AnalysisError("levene", f"{len(arrays)} group(s); at least 2 are needed")
    result = stats.levene(*arrays, center=center)
    n = sum(len(values) for values in arrays)
    return VarianceTest(
        statistic=float(result.statistic),
        df=float(len(arrays) - 1),
        df_denominator=float(n - len(arrays)),
        p_value=float(result.pvalue),
        ci=Interval(of="no interval: Levene's test has none of its own", low=None, high=None),
    )
