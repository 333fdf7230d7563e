"""The effect size each of the study's tests reports, from its statistic's result and its groups.

Each function takes the result of the test's statistic and the summaries of the groups it
compared (`study.groups`), so that `study.questions` can name one per test in its table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from analysis_py.stats.parametric import TwoSampleTest
from analysis_py.stats.results import EffectSize, Interval
from analysis_py.study.groups import GroupSummary

__all__ = [
    "StatisticResult",
    "hedges_g",
    "max_min_sd_ratio",
    "pearson_r",
    "sd_ratio",
    "variance_ratio",
]


class StatisticResult(Protocol):
    """What a test's statistic gives: `stats`' TwoSampleTest or VarianceTest, or a PearsonTest."""

    @property
    def statistic(self) -> float: ...
    @property
    def p_value(self) -> float: ...
    @property
    def df(self) -> float | None: ...
    @property
    def ci(self) -> Interval: ...


def hedges_g(result: TwoSampleTest, groups: Mapping[str, GroupSummary]) -> EffectSize:
    """Hedges' g of the two groups' means, as `stats` computed it with the test."""
    return result.hedges_g


def sd_ratio(result: StatisticResult, groups: Mapping[str, GroupSummary]) -> EffectSize:
    """The SD of management over the SD of production."""
    return EffectSize(
        name="sd_ratio",
        value=groups["management"].sd / groups["production"].sd,
        description="SD of management / SD of production",
    )


def _the_statistic(result: StatisticResult, name: str, description: str) -> EffectSize:
    """The statistic itself as the effect size, with its CI."""
    return EffectSize(
        name=name,
        value=result.statistic,
        description=description,
        ci_low=result.ci.low,
        ci_high=result.ci.high,
    )


def pearson_r(result: StatisticResult, groups: Mapping[str, GroupSummary]) -> EffectSize:
    """Pearson's r with its Fisher-z CI."""
    description = "Pearson's r; r^2 = share of a_mean variance linear in tot_emp"
    return _the_statistic(result, "r", description)


def variance_ratio(result: StatisticResult, groups: Mapping[str, GroupSummary]) -> EffectSize:
    """The F test's ratio of variances with its CI."""
    description = "variance of management / variance of production"
    return _the_statistic(result, "variance_ratio", description)


def max_min_sd_ratio(result: StatisticResult, groups: Mapping[str, GroupSummary]) -> EffectSize:
    """The largest group SD over the smallest."""
    sds = [summary.sd for summary in groups.values()]
    return EffectSize(
        name="max_min_sd_ratio",
        value=max(sds) / min(sds),
        description="largest group SD / smallest group SD",
    )
