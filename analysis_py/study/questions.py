"""The study's questions, each answered by a generic statistic of `stats` on the analysis sample.

Every function takes the sample of `study.sample.analysis_sample` (one release, one area
type, one hierarchy level) and refuses a frame that mixes levels or releases. Groups are
SOC major groups by code (`study.groups`), never title words. Each answer is a
`HypothesisTest`: the statistic with its p, n, groups, effect size, CI, exclusions, and
the words (sample, assumptions) the report and results.json carry.

1. How do states differ?             `state_wage_ranking`, `compare_states`
2. Management vs production pay      `welch_t_management_vs_production`
3. Employment vs wage                `pearson_tot_emp_a_mean`
4. Tech vs non-tech medians          `ztest_tech_vs_nontech_a_median`
5. Spread                            `levene_management_vs_production`, `f_test_management_vs_production`,
                                     `levene_major_groups`
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis_py.errors import AnalysisError
from analysis_py.stats.correlation import pearson, spearman
from analysis_py.stats.multicomp import holm
from analysis_py.stats.parametric import f_test, levene, welch_t, z_test
from analysis_py.stats.results import LEVEL, EffectSize, Interval, Record, z_critical
from analysis_py.stats.survey import EstimateComparison, estimate_difference_z
from analysis_py.study.groups import (
    MANAGEMENT,
    PRODUCTION,
    TECH,
    GroupSummary,
    describe_sample,
    group_values,
    major_groups,
    published_rows,
    top_code_flag,
)

__all__ = [
    "TEST_NAMES",
    "WELCH_T",
    "PEARSON",
    "Z_TEST",
    "LEVENE_TWO_GROUPS",
    "F_TEST",
    "LEVENE_MAJOR_GROUPS",
    "HypothesisTest",
    "StateRank",
    "StateRanking",
    "state_wage_ranking",
    "compare_states",
    "neighbour_comparisons",
    "welch_t_management_vs_production",
    "pearson_tot_emp_a_mean",
    "ztest_tech_vs_nontech_a_median",
    "levene_management_vs_production",
    "f_test_management_vs_production",
    "levene_major_groups",
    "holm_adjusted",
]


#: The name of each test: its function's name, its key in results.json, analysis.test_results and the report.
WELCH_T = "welch_t_management_vs_production"
PEARSON = "pearson_tot_emp_a_mean"
Z_TEST = "ztest_tech_vs_nontech_a_median"
LEVENE_TWO_GROUPS = "levene_management_vs_production"
F_TEST = "f_test_management_vs_production"
LEVENE_MAJOR_GROUPS = "levene_major_groups"
TEST_NAMES: tuple[str, ...] = (
    WELCH_T,
    PEARSON,
    Z_TEST,
    LEVENE_TWO_GROUPS,
    F_TEST,
    LEVENE_MAJOR_GROUPS,
)

_NO_INTERVAL = "no interval: this test has none of its own; see the F-test's variance-ratio CI"


def _plain(value: Any) -> Any:
    """Dataclasses, numpy scalars and mappings as JSON-ready Python values."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class HypothesisTest:
    """One test: statistic, p (and Holm's p once adjusted), n, groups, effect size, CI, sample.

    `df` is the t distribution's degrees of freedom, or the numerator df of an F
    distribution (then `df_denominator` is set). `details` holds extra named results
    (Spearman, top-code scenarios ...), written as top-level keys by `to_dict`.
    """

    name: str
    measure: str
    statistic_name: str
    statistic: float
    p_value: float
    n: int
    groups: Mapping[str, GroupSummary]
    effect_size: EffectSize
    ci: Interval
    n_excluded_suppressed: int
    n_top_coded: int
    assumptions: str
    sample: str
    df: float | None = None
    df_denominator: float | None = None
    p_holm: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plain = {
            name: getattr(self, name)
            for name in (
                "name",
                "measure",
                "statistic_name",
                "statistic",
                "p_value",
                "p_holm",
                "n",
                "df",
                "df_denominator",
                "n_excluded_suppressed",
                "n_top_coded",
                "assumptions",
                "sample",
            )
        }
        return {
            **plain,
            "groups": {key: group.to_dict() for key, group in self.groups.items()},
            "effect_size": self.effect_size.to_dict(),
            "ci": self.ci.to_dict(),
            **{key: _plain(value) for key, value in self.details.items()},
        }


@dataclass(frozen=True)
class StateRank(Record):
    rank: int
    area: str
    area_title: str
    prim_state: str | None
    a_mean: float
    a_mean_se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class StateRanking:
    """States (and DC) ranked by all-occupations mean annual wage, SE from MEAN_PRSE, 95% CI."""

    release_year: int
    rows: tuple[StateRank, ...]
    level: float = LEVEL

    def to_dict(self) -> list[dict[str, Any]]:
        return [row.to_dict() for row in self.rows]

    def by_rank(self, rank: int) -> StateRank:
        """The row at 1-based position `rank` in the ordering (negative counts from the bottom)."""
        return self.rows[rank - 1 if rank > 0 else rank]


def _grouped_test(groups: Mapping[str, GroupSummary], **fields: Any) -> HypothesisTest:
    """A HypothesisTest whose n and exclusion counts are the sums over its groups."""
    return HypothesisTest(
        groups=groups,
        n=sum(group.n for group in groups.values()),
        n_excluded_suppressed=sum(group.n_excluded_suppressed for group in groups.values()),
        n_top_coded=sum(group.n_top_coded for group in groups.values()),
        **fields,
    )


def _sample_text(sample: pd.DataFrame, groups: str) -> str:
    return f"{describe_sample(sample)}; {groups}"


# ---------------------------------------------------------------- 1. states


def state_wage_ranking(totals: pd.DataFrame, level: float = LEVEL) -> StateRanking:
    """Rank states by all-occupations a_mean (1 = highest); CI = a_mean +- z x a_mean_se.

    `totals` is `study.sample.state_totals`. Ties share the better rank; order is then by title.
    """
    rows = totals.dropna(subset=["a_mean", "a_mean_se"])
    if rows.empty:
        raise AnalysisError(
            "fct_occupation_wages", "no state has a published all-occupations a_mean"
        )
    rows = rows.sort_values(["a_mean", "area_title"], ascending=[False, True])
    ranks = rows["a_mean"].rank(method="min", ascending=False).astype(int)
    z = z_critical(level)
    ranked = tuple(
        StateRank(
            rank=int(rank),
            area=str(row.area),
            area_title=str(row.area_title),
            prim_state=None if pd.isna(row.prim_state) else str(row.prim_state),
            a_mean=float(row.a_mean),
            a_mean_se=float(row.a_mean_se),
            ci_low=float(row.a_mean - z * row.a_mean_se),
            ci_high=float(row.a_mean + z * row.a_mean_se),
        )
        for rank, row in zip(ranks, rows.itertuples(index=False))
    )
    return StateRanking(release_year=int(rows["release_year"].iloc[0]), rows=ranked, level=level)


def compare_states(ranking: StateRanking, rank_1: int, rank_2: int) -> EstimateComparison:
    """The z test of two ranked states' mean wages (ranks as in `StateRanking.by_rank`)."""
    first, second = ranking.by_rank(rank_1), ranking.by_rank(rank_2)
    return estimate_difference_z(
        first.a_mean,
        first.a_mean_se,
        second.a_mean,
        second.a_mean_se,
        f"{first.area_title} (rank {first.rank})",
        f"{second.area_title} (rank {second.rank})",
        ranking.level,
    )


def neighbour_comparisons(ranking: StateRanking) -> tuple[EstimateComparison, ...]:
    """Each state against the next one down the ranking (rank 1 vs 2, 2 vs 3, ...): are neighbours distinguishable?"""
    return tuple(compare_states(ranking, rank, rank + 1) for rank in range(1, len(ranking.rows)))


# ---------------------------------------------------------------- 2. management vs production


def _management_and_production(
    sample: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, dict[str, GroupSummary]]:
    x, management = group_values(sample, "management", {MANAGEMENT}, "a_mean")
    y, production = group_values(sample, "production", {PRODUCTION}, "a_mean")
    return x, y, {"management": management, "production": production}


_MGMT_PROD = (
    "management = SOC 11-0000, production = SOC 51-0000; one value per state x detailed occupation"
)


def _top_coded_text(management: int, production: int) -> str:
    """What excluding the top-coded means (`#`, at least the bound) does to the management - production gap."""
    if management == production == 0:
        return "No value in either group is top-coded."
    widen = " (they could only widen the gap)" if management and not production else ""
    return f"Top-coded values are excluded: {management} in management{widen}, {production} in production."


def welch_t_management_vs_production(sample: pd.DataFrame) -> HypothesisTest:
    """Welch's t test of a_mean, management (SOC 11) vs production (SOC 51)."""
    x, y, groups = _management_and_production(sample)
    result = welch_t(x, y)
    return _grouped_test(
        groups,
        name=WELCH_T,
        measure="a_mean",
        statistic_name="t",
        statistic=result.statistic,
        p_value=result.p_value,
        df=result.df,
        effect_size=result.hedges_g,
        ci=replace(
            result.ci,
            of="mean difference management - production, US dollars (Welch-Satterthwaite df)",
        ),
        assumptions=(
            "Independent observations; group means roughly normal (n in the thousands, so the CLT "
            "covers the skew); variances NOT assumed equal (Welch). Each value is an occupation's "
            "estimated mean in one state, unweighted by employment: the test compares occupations, "
            "not workers. "
            + _top_coded_text(groups["management"].n_top_coded, groups["production"].n_top_coded)
        ),
        sample=_sample_text(sample, _MGMT_PROD),
        details={"mean_difference": result.mean_difference},
    )


# ---------------------------------------------------------------- 3. employment vs wage


def _pearson_dict(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    result = pearson(x, y)
    return {
        "r": result.r,
        "p_value": result.p_value,
        "n": result.n,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
    }


def pearson_tot_emp_a_mean(sample: pd.DataFrame) -> HypothesisTest:
    """Pearson's r of tot_emp and a_mean (Fisher-z CI), with Spearman's rho and Pearson on log10 of both."""
    kept, suppressed, top_coded = published_rows(sample, ["tot_emp", "a_mean"])
    if len(kept) < 4:
        raise AnalysisError(
            "analysis sample",
            f"{len(kept)} rows have both tot_emp and a_mean; at least 4 are needed",
        )
    x, y = kept["tot_emp"].to_numpy(dtype=float), kept["a_mean"].to_numpy(dtype=float)
    linear = _pearson_dict(x, y)
    ranks = spearman(x, y)
    positive = (x > 0) & (y > 0)
    log10 = _pearson_dict(np.log10(x[positive]), np.log10(y[positive]))
    return HypothesisTest(
        name=PEARSON,
        measure="tot_emp, a_mean",
        statistic_name="r",
        statistic=linear["r"],
        p_value=linear["p_value"],
        n=len(x),
        df=float(len(x) - 2),
        groups={
            "all": GroupSummary(
                label="all detailed occupations",
                definition="every SOC major group",
                n=len(x),
                mean=float(np.mean(y)),
                sd=float(np.std(y, ddof=1)),
                median=float(np.median(y)),
                n_excluded_suppressed=suppressed,
                n_top_coded=top_coded,
            )
        },
        effect_size=EffectSize(
            name="r",
            value=linear["r"],
            description="Pearson's r; r^2 = share of a_mean variance linear in tot_emp",
            ci_low=linear["ci_low"],
            ci_high=linear["ci_high"],
        ),
        ci=Interval(of="Pearson's r (Fisher z)", low=linear["ci_low"], high=linear["ci_high"]),
        n_excluded_suppressed=suppressed,
        n_top_coded=top_coded,
        assumptions=(
            "Pearson measures a LINEAR association and its p and Fisher-z CI assume roughly bivariate-normal "
            "data; tot_emp and a_mean are both strongly right-skewed, so r is driven by a few huge "
            "occupations. Read Spearman's rho (monotone, rank-based) and Pearson on log10 of both "
            "alongside. Rows are state x occupation cells, not independent draws of one population. "
            "Top-coded a_mean (the best-paid occupations) is excluded."
        ),
        sample=_sample_text(
            sample, "every detailed occupation with both tot_emp and a_mean published"
        ),
        details={
            "r_squared": linear["r"] ** 2,
            "spearman": {"rho": ranks.r, "p_value": ranks.p_value, "n": ranks.n},
            "pearson_log10": {**log10, "n_excluded_nonpositive": int((~positive).sum())},
        },
    )


# ---------------------------------------------------------------- 4. tech vs non-tech


def _with_top_coded_as(sample: pd.DataFrame, column: str, value: pd.Series | float) -> pd.DataFrame:
    """The sample with every top-coded `column` (NULL + flag) set to `value`."""
    return sample.assign(
        **{
            column: sample[column].where(
                ~sample[top_code_flag(column)].fillna(False).astype(bool), value
            )
        }
    )


def _top_code_scenario(
    sample: pd.DataFrame, others: set[str], scenario: str, value: pd.Series | float, n_set: int
) -> dict[str, Any]:
    """The tech vs non-tech z test with every top-coded a_median set to `value`."""
    filled = _with_top_coded_as(sample, "a_median", value)
    x = (
        filled.loc[filled["soc_major_group_code"] == TECH, "a_median"]
        .dropna()
        .to_numpy(dtype=float)
    )
    y = (
        filled.loc[filled["soc_major_group_code"].isin(others), "a_median"]
        .dropna()
        .to_numpy(dtype=float)
    )
    result = z_test(x, y)
    return {
        "scenario": scenario,
        "n_set": n_set,
        "value_set": float(np.max(value)),
        "n": len(x) + len(y),
        "mean_difference": result.mean_difference,
        "ci_low": result.ci.low,
        "ci_high": result.ci.high,
        "statistic": result.statistic,
        "p_value": result.p_value,
    }


def ztest_tech_vs_nontech_a_median(sample: pd.DataFrame) -> HypothesisTest:
    """Two-sample z test of a_median, tech (SOC 15) vs every other major group, with top-code bounds.

    A `#` median is at least the release's bound, and the release publishes medians far above
    the bound as numbers; so the `#` cells are bounded by two runs: set to the bound (the least
    they can be) and set to the largest median the release publishes (a high plausible value).
    """
    others = set(major_groups(sample)) - {TECH}
    x, tech = group_values(sample, "tech", {TECH}, "a_median")
    y, nontech = group_values(
        sample, "non-tech", others, "a_median", definition=f"every SOC major group but {TECH}"
    )
    result = z_test(x, y)
    n_top_coded = tech.n_top_coded + nontech.n_top_coded
    scenarios = [
        _top_code_scenario(
            sample,
            others,
            "top-coded medians set to the bound",
            sample["top_code_annual_bound"],
            n_top_coded,
        ),
        _top_code_scenario(
            sample,
            others,
            "top-coded medians set to the largest published median",
            float(sample["a_median"].max()),
            n_top_coded,
        ),
    ]
    return _grouped_test(
        {"tech": tech, "nontech": nontech},
        name=Z_TEST,
        measure="a_median",
        statistic_name="z",
        statistic=result.statistic,
        p_value=result.p_value,
        effect_size=result.hedges_g,
        ci=replace(
            result.ci,
            of="mean difference of a_median, tech - non-tech, US dollars (normal, unequal variances)",
        ),
        assumptions=(
            "Large-sample z test (statsmodels ztest, usevar='unequal'): each group's mean of occupation "
            "medians is approximately normal by the CLT; variances not assumed equal. It compares "
            "the average of occupations' medians, not the median worker. Top-coded medians (#, at least "
            "the bound) are excluded in the main run; top_code_scenarios set them to the bound (the least "
            "they can be) and to the largest median the release publishes as a number (medians above "
            "the bound are published), which brackets what they can do to the difference."
        ),
        sample=_sample_text(sample, "tech = SOC 15-0000, non-tech = every other SOC major group"),
        details={"mean_difference": result.mean_difference, "top_code_scenarios": scenarios},
    )


# ---------------------------------------------------------------- 5. spread


def levene_management_vs_production(sample: pd.DataFrame) -> HypothesisTest:
    """Levene's test (median-centred, i.e. Brown-Forsythe) of equal a_mean variance, management vs production."""
    x, y, groups = _management_and_production(sample)
    result = levene(x, y)
    return _grouped_test(
        groups,
        name=LEVENE_TWO_GROUPS,
        measure="a_mean",
        statistic_name="W",
        statistic=result.statistic,
        p_value=result.p_value,
        df=result.df,
        df_denominator=result.df_denominator,
        effect_size=EffectSize(
            name="sd_ratio",
            value=groups["management"].sd / groups["production"].sd,
            description="SD of management / SD of production",
        ),
        ci=Interval(of=_NO_INTERVAL, low=None, high=None),
        assumptions=(
            "Independent observations; robust to non-normality because it compares absolute deviations "
            "from each group's median (Brown-Forsythe). H0: equal variances."
        ),
        sample=_sample_text(sample, _MGMT_PROD),
    )


def f_test_management_vs_production(sample: pd.DataFrame) -> HypothesisTest:
    """F test of equal a_mean variances, management / production, two-sided, with the variance ratio's CI."""
    x, y, groups = _management_and_production(sample)
    result = f_test(x, y)
    ci = replace(result.ci, of="variance ratio management / production")
    return _grouped_test(
        groups,
        name=F_TEST,
        measure="a_mean",
        statistic_name="F",
        statistic=result.statistic,
        p_value=result.p_value,
        df=result.df,
        df_denominator=result.df_denominator,
        effect_size=EffectSize(
            name="variance_ratio",
            value=result.statistic,
            description="variance of management / variance of production",
            ci_low=ci.low,
            ci_high=ci.high,
        ),
        ci=ci,
        assumptions=(
            "Both groups normal: the F test is very sensitive to non-normality (wages are right-skewed), "
            "so trust Levene's test for the decision and read F for the size of the ratio."
        ),
        sample=_sample_text(sample, _MGMT_PROD),
    )


def levene_major_groups(sample: pd.DataFrame) -> HypothesisTest:
    """Levene's test (median-centred) of equal a_mean variance across every SOC major group."""
    codes = major_groups(sample)
    if len(codes) < 2:
        raise AnalysisError(
            "analysis sample", f"{len(codes)} SOC major group(s); Levene needs at least 2"
        )
    titles = sample.drop_duplicates("soc_major_group_code").set_index("soc_major_group_code")[
        "soc_major_group_title"
    ]
    arrays, groups = [], {}
    for code in codes:
        title = titles.get(code)
        values, summary = group_values(
            sample, code if pd.isna(title) else str(title), {code}, "a_mean"
        )
        arrays.append(values)
        groups[code] = summary
    result = levene(*arrays)
    sds = [summary.sd for summary in groups.values()]
    return _grouped_test(
        groups,
        name=LEVENE_MAJOR_GROUPS,
        measure="a_mean",
        statistic_name="W",
        statistic=result.statistic,
        p_value=result.p_value,
        df=result.df,
        df_denominator=result.df_denominator,
        effect_size=EffectSize(
            name="max_min_sd_ratio",
            value=max(sds) / min(sds),
            description="largest group SD / smallest group SD",
        ),
        ci=Interval(of=_NO_INTERVAL, low=None, high=None),
        assumptions=(
            "Independent observations; median-centred (Brown-Forsythe), robust to skew. H0: every major "
            "group has the same a_mean variance. Excluding top-coded values shrinks the spread of "
            "the groups that have them (healthcare practitioners)."
        ),
        sample=_sample_text(sample, f"{len(arrays)} SOC major groups by soc_major_group_code"),
    )


# ---------------------------------------------------------------- multiplicity


def holm_adjusted(tests: Sequence[HypothesisTest]) -> list[HypothesisTest]:
    """The tests with p_holm set: Holm's step-down adjustment across the whole family."""
    return [
        replace(test, p_holm=p) for test, p in zip(tests, holm([test.p_value for test in tests]))
    ]
