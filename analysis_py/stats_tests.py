"""Tests on the analysis sample -> frozen result dataclasses (scipy and statsmodels do the maths).

Every function takes the sample of `marts.analysis_sample` (one release, one area type,
one hierarchy level) and refuses a frame that mixes levels or releases. Groups are SOC
major groups by code (`soc_major_group_code`), never title words. A NULL value (BLS
printed `*` or `**`) is excluded and counted as suppressed; a top-coded one (`#`, also
NULL, with `is_<column>_top_coded`) is excluded and counted apart, because it is not
missing at random: it is at least the release's bound.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ztest

from analysis_py.errors import AnalysisError

__all__ = [
    "MANAGEMENT",
    "PRODUCTION",
    "TECH",
    "LEVEL",
    "Interval",
    "EffectSize",
    "GroupSummary",
    "HypothesisTest",
    "StateRank",
    "StateRanking",
    "EstimateComparison",
    "state_wage_ranking",
    "estimate_difference_z",
    "compare_states",
    "welch_t_management_vs_production",
    "pearson_tot_emp_a_mean",
    "ztest_tech_vs_nontech_a_median",
    "levene_management_vs_production",
    "f_test_management_vs_production",
    "levene_major_groups",
    "holm_adjusted",
    "correlation_matrix",
]

MANAGEMENT = "11-0000"  #: SOC major group: Management Occupations
PRODUCTION = "51-0000"  #: SOC major group: Production Occupations
TECH = "15-0000"  #: SOC major group: Computer and Mathematical Occupations
LEVEL = 0.95  #: confidence level of every interval

_NO_INTERVAL = "no interval: this test has none of its own; see the F-test's variance-ratio CI"


class _Record:
    """`to_dict` of a dataclass whose fields are plain values."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Interval(_Record):
    """A confidence interval of `of` (low and high are None when the test gives none)."""

    of: str
    low: float | None
    high: float | None
    level: float = LEVEL


@dataclass(frozen=True)
class EffectSize(_Record):
    name: str
    value: float
    description: str
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class GroupSummary(_Record):
    """One group's published values: how many were used, suppressed, top-coded; mean, SD, median."""

    label: str
    definition: str
    n: int
    mean: float
    sd: float
    median: float
    n_excluded_suppressed: int
    n_top_coded: int


@dataclass(frozen=True)
class HypothesisTest:
    """One test: statistic, p (and Holm's p once adjusted), n, groups, effect size, CI, sample.

    `df` is the t distribution's degrees of freedom, or the numerator df of an F
    distribution (then `df_denominator` is set). `details` holds extra named results
    (Spearman, a sensitivity run ...), written as top-level keys by `to_dict`.
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
                "name", "measure", "statistic_name", "statistic", "p_value", "p_holm", "n", "df",
                "df_denominator", "n_excluded_suppressed", "n_top_coded", "assumptions", "sample",
            )
        }  # fmt: skip
        return {
            **plain,
            "groups": {key: group.to_dict() for key, group in self.groups.items()},
            "effect_size": self.effect_size.to_dict(),
            "ci": self.ci.to_dict(),
            **{key: _plain(value) for key, value in self.details.items()},
        }


@dataclass(frozen=True)
class StateRank(_Record):
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


@dataclass(frozen=True)
class EstimateComparison(_Record):
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


# ---------------------------------------------------------------- helpers


def _plain(value: Any) -> Any:
    """Dataclasses, numpy scalars and mappings as JSON-ready Python values."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _z_critical(level: float = LEVEL) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _one_level(sample: pd.DataFrame) -> None:
    """Refuse a frame that mixes hierarchy levels, releases or area types."""
    for column in ("o_group", "release_year", "area_type"):
        values = sample[column].dropna().unique()
        if len(values) > 1:
            raise AnalysisError("analysis sample", f"mixes {column} values {sorted(map(str, values))}: select one first")


def _describe(sample: pd.DataFrame) -> str:
    """Release, area type, level and size of a sample, in words."""
    _one_level(sample)
    first = sample.iloc[0]
    return (
        f"fct_occupation_wages, release {int(first['release_year'])}, area_type {int(first['area_type'])}, "
        f"o_group '{first['o_group']}', cross-industry, all ownerships: {len(sample)} rows, "
        f"{sample['area'].nunique()} areas"
    )


def _published(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int, int]:
    """Rows where every column is published, and the counts excluded as suppressed and as top-coded."""
    present = rows[list(columns)].notna().all(axis=1)
    top_coded = pd.Series(False, index=rows.index)
    for column in columns:
        flag = f"is_{column}_top_coded"
        if flag in rows:
            top_coded |= rows[flag].fillna(False).astype(bool)
    return rows.loc[present], int((~present & ~top_coded).sum()), int((~present & top_coded).sum())


def _group(sample: pd.DataFrame, label: str, codes: set[str], column: str, definition: str | None = None) -> tuple[np.ndarray, GroupSummary]:
    """Published values of `column` in the SOC major groups `codes` (at least 2), with their summary."""
    rows = sample.loc[sample["soc_major_group_code"].isin(codes)]
    kept, suppressed, top_coded = _published(rows, [column])
    values = kept[column].to_numpy(dtype=float)
    if len(values) < 2:
        raise AnalysisError("analysis sample", f"{label} has {len(values)} published {column} value(s); at least 2 are needed")
    return values, GroupSummary(
        label=label,
        definition=definition or "SOC major group " + ", ".join(sorted(codes)),
        n=len(values),
        mean=float(np.mean(values)),
        sd=float(np.std(values, ddof=1)),
        median=float(np.median(values)),
        n_excluded_suppressed=suppressed,
        n_top_coded=top_coded,
    )


def _major_groups(sample: pd.DataFrame) -> list[str]:
    return sorted(sample["soc_major_group_code"].dropna().unique())


def _hedges_g(x: np.ndarray, y: np.ndarray) -> EffectSize:
    """Hedges' g (pooled-SD standardized mean difference, small-sample corrected), normal-approximation CI."""
    n1, n2 = len(x), len(y)
    pooled = math.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
    g = (np.mean(x) - np.mean(y)) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    z = _z_critical()
    return EffectSize(
        name="hedges_g",
        value=float(g),
        description="(mean 1 - mean 2) / pooled SD x (1 - 3 / (4 (n1 + n2) - 9)); CI: normal approximation",
        ci_low=float(g - z * se),
        ci_high=float(g + z * se),
    )


def _grouped_test(groups: Mapping[str, GroupSummary], **fields: Any) -> HypothesisTest:
    """A HypothesisTest whose n and exclusion counts are the sums over its groups."""
    return HypothesisTest(
        groups=groups,
        n=sum(group.n for group in groups.values()),
        n_excluded_suppressed=sum(group.n_excluded_suppressed for group in groups.values()),
        n_top_coded=sum(group.n_top_coded for group in groups.values()),
        **fields,
    )


# ---------------------------------------------------------------- 1. states


def state_wage_ranking(totals: pd.DataFrame, level: float = LEVEL) -> StateRanking:
    """Rank states by all-occupations a_mean (1 = highest); CI = a_mean +- z x a_mean_se.

    `totals` is `marts.state_totals`. Ties share the better rank; order is then by title.
    """
    rows = totals.dropna(subset=["a_mean", "a_mean_se"])
    if rows.empty:
        raise AnalysisError("fct_occupation_wages", "no state has a published all-occupations a_mean")
    rows = rows.sort_values(["a_mean", "area_title"], ascending=[False, True])
    ranks = rows["a_mean"].rank(method="min", ascending=False).astype(int)
    z = _z_critical(level)
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


def estimate_difference_z(
    estimate_1: float,
    se_1: float,
    estimate_2: float,
    se_2: float,
    label_1: str = "estimate 1",
    label_2: str = "estimate 2",
    level: float = LEVEL,
) -> EstimateComparison:
    """Do two survey estimates differ? z = (e1 - e2) / sqrt(se1^2 + se2^2), two-sided normal p.

    BLS's advice for comparing two OEWS estimates. It treats them as independent: right
    for two states; for two occupations of one area it ignores their (positive)
    covariance, which makes the test conservative.
    """
    se_difference = math.sqrt(se_1**2 + se_2**2)
    if se_difference == 0:
        raise AnalysisError("analysis sample", f"{label_1} and {label_2} both have a standard error of 0")
    difference = estimate_1 - estimate_2
    z = difference / se_difference
    half_width = _z_critical(level) * se_difference
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


def compare_states(ranking: StateRanking, rank_1: int, rank_2: int) -> EstimateComparison:
    """The z test of two ranked states' mean wages (ranks as in `StateRanking.by_rank`)."""
    first, second = ranking.by_rank(rank_1), ranking.by_rank(rank_2)
    return estimate_difference_z(
        first.a_mean, first.a_mean_se, second.a_mean, second.a_mean_se,
        f"{first.area_title} (rank {first.rank})", f"{second.area_title} (rank {second.rank})", ranking.level,
    )  # fmt: skip


# ---------------------------------------------------------------- 2. management vs production


def _management_and_production(sample: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, GroupSummary]]:
    x, management = _group(sample, "management", {MANAGEMENT}, "a_mean")
    y, production = _group(sample, "production", {PRODUCTION}, "a_mean")
    return x, y, {"management": management, "production": production}


def _sample_text(sample: pd.DataFrame, groups: str) -> str:
    return f"{_describe(sample)}; {groups}"


_MGMT_PROD = "management = SOC 11-0000, production = SOC 51-0000; one value per state x detailed occupation"


def welch_t_management_vs_production(sample: pd.DataFrame) -> HypothesisTest:
    """Welch's t test of a_mean, management (SOC 11) vs production (SOC 51)."""
    x, y, groups = _management_and_production(sample)
    result = stats.ttest_ind(x, y, equal_var=False)
    interval = result.confidence_interval(LEVEL)
    return _grouped_test(
        groups,
        name="welch_t_management_vs_production",
        measure="a_mean",
        statistic_name="t",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        df=float(result.df),
        effect_size=_hedges_g(x, y),
        ci=Interval(of="mean difference management - production, US dollars (Welch-Satterthwaite df)",
                    low=float(interval.low), high=float(interval.high)),  # fmt: skip
        assumptions=(
            "Independent observations; group means roughly normal (n in the thousands, so the CLT "
            "covers the skew); variances NOT assumed equal (Welch). Each value is an occupation's "
            "estimated mean in one state, unweighted by employment: the test compares occupations, "
            "not workers. Top-coded values (see n_top_coded) are excluded; in management they could only "
            "widen the gap."
        ),
        sample=_sample_text(sample, _MGMT_PROD),
        details={"mean_difference": float(np.mean(x) - np.mean(y))},
    )


# ---------------------------------------------------------------- 3. employment vs wage


def _pearson(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    result = stats.pearsonr(x, y)
    interval = result.confidence_interval(LEVEL)
    return {"r": float(result.statistic), "p_value": float(result.pvalue), "n": len(x),
            "ci_low": float(interval.low), "ci_high": float(interval.high)}  # fmt: skip


def pearson_tot_emp_a_mean(sample: pd.DataFrame) -> HypothesisTest:
    """Pearson's r of tot_emp and a_mean (Fisher-z CI), with Spearman's rho and Pearson on log10 of both."""
    kept, suppressed, top_coded = _published(sample, ["tot_emp", "a_mean"])
    if len(kept) < 4:
        raise AnalysisError("analysis sample", f"{len(kept)} rows have both tot_emp and a_mean; at least 4 are needed")
    x, y = kept["tot_emp"].to_numpy(dtype=float), kept["a_mean"].to_numpy(dtype=float)
    pearson = _pearson(x, y)
    spearman = stats.spearmanr(x, y)
    positive = (x > 0) & (y > 0)
    log10 = _pearson(np.log10(x[positive]), np.log10(y[positive]))
    return HypothesisTest(
        name="pearson_tot_emp_a_mean",
        measure="tot_emp, a_mean",
        statistic_name="r",
        statistic=pearson["r"],
        p_value=pearson["p_value"],
        n=len(x),
        df=float(len(x) - 2),
        groups={"all": GroupSummary(
            label="all detailed occupations", definition="every SOC major group", n=len(x),
            mean=float(np.mean(y)), sd=float(np.std(y, ddof=1)), median=float(np.median(y)),
            n_excluded_suppressed=suppressed, n_top_coded=top_coded,
        )},  # fmt: skip
        effect_size=EffectSize(name="r", value=pearson["r"], description="Pearson's r; r^2 = share of a_mean variance linear in tot_emp",
                               ci_low=pearson["ci_low"], ci_high=pearson["ci_high"]),  # fmt: skip
        ci=Interval(of="Pearson's r (Fisher z)", low=pearson["ci_low"], high=pearson["ci_high"]),
        n_excluded_suppressed=suppressed,
        n_top_coded=top_coded,
        assumptions=(
            "Pearson measures a LINEAR association and its p and Fisher-z CI assume roughly bivariate-normal "
            "data; tot_emp and a_mean are both strongly right-skewed, so r is driven by a few huge "
            "occupations. Read Spearman's rho (monotone, rank-based) and Pearson on log10 of both "
            "alongside. Rows are state x occupation cells, not independent draws of one population. "
            "Top-coded a_mean (the best-paid occupations) is excluded."
        ),
        sample=_sample_text(sample, "every detailed occupation with both tot_emp and a_mean published"),
        details={
            "r_squared": pearson["r"] ** 2,
            "spearman": {"rho": float(spearman.statistic), "p_value": float(spearman.pvalue), "n": len(x)},
            "pearson_log10": {**log10, "n_excluded_nonpositive": int((~positive).sum())},
        },
    )


# ---------------------------------------------------------------- 4. tech vs non-tech


def _ztest_unequal(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """statsmodels' two-sample z test (unequal variances): z, p, CI of the mean difference."""
    z, p = ztest(x, y, usevar="unequal")
    low, high = CompareMeans(DescrStatsW(x), DescrStatsW(y)).zconfint_diff(alpha=1 - LEVEL, usevar="unequal")
    return float(z), float(p), float(low), float(high)


def ztest_tech_vs_nontech_a_median(sample: pd.DataFrame) -> HypothesisTest:
    """Two-sample z test of a_median, tech (SOC 15) vs every other major group, with a top-code sensitivity run."""
    others = set(_major_groups(sample)) - {TECH}
    x, tech = _group(sample, "tech", {TECH}, "a_median")
    y, nontech = _group(sample, "non-tech", others, "a_median", definition=f"every SOC major group but {TECH}")
    z, p, low, high = _ztest_unequal(x, y)

    # Sensitivity: top-coded medians (at least the bound) set to the release's bound.
    at_bound = sample.assign(a_median=sample["a_median"].where(~sample["is_a_median_top_coded"], sample["top_code_annual_bound"]))
    x_bound = at_bound.loc[at_bound["soc_major_group_code"] == TECH, "a_median"].dropna().to_numpy(dtype=float)
    y_bound = at_bound.loc[at_bound["soc_major_group_code"].isin(others), "a_median"].dropna().to_numpy(dtype=float)
    z_bound, p_bound, low_bound, high_bound = _ztest_unequal(x_bound, y_bound)
    return _grouped_test(
        {"tech": tech, "nontech": nontech},
        name="ztest_tech_vs_nontech_a_median",
        measure="a_median",
        statistic_name="z",
        statistic=z,
        p_value=p,
        effect_size=_hedges_g(x, y),
        ci=Interval(of="mean difference of a_median, tech - non-tech, US dollars (normal, unequal variances)", low=low, high=high),
        assumptions=(
            "Large-sample z test (statsmodels ztest, usevar='unequal'): each group's mean of occupation "
            "medians is approximately normal by the CLT; variances not assumed equal. It compares "
            "the average of occupations' medians, not the median worker. Top-coded medians are "
            "excluded in the main run; the sensitivity run sets them to the bound (a lower bound "
            "for the truth), so the true non-tech mean lies at or above the sensitivity's."
        ),
        sample=_sample_text(sample, "tech = SOC 15-0000, non-tech = every other SOC major group"),
        details={
            "mean_difference": float(np.mean(x) - np.mean(y)),
            "sensitivity": {
                "description": "top-coded a_median set to the release's top_code_annual_bound instead of excluded",
                "statistic": z_bound,
                "p_value": p_bound,
                "n": len(x_bound) + len(y_bound),
                "n_set_to_bound": tech.n_top_coded + nontech.n_top_coded,
                "groups": {
                    "tech": {"n": len(x_bound), "mean": float(np.mean(x_bound))},
                    "nontech": {"n": len(y_bound), "mean": float(np.mean(y_bound))},
                },
                "ci": Interval(of="mean difference tech - non-tech, top-coded at bound", low=low_bound, high=high_bound),
            },
        },
    )


# ---------------------------------------------------------------- 5. spread


def levene_management_vs_production(sample: pd.DataFrame) -> HypothesisTest:
    """Levene's test (median-centred, i.e. Brown-Forsythe) of equal a_mean variance, management vs production."""
    x, y, groups = _management_and_production(sample)
    result = stats.levene(x, y, center="median")
    return _grouped_test(
        groups,
        name="levene_management_vs_production",
        measure="a_mean",
        statistic_name="W",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        df=1.0,
        df_denominator=float(len(x) + len(y) - 2),
        effect_size=EffectSize(name="sd_ratio", value=groups["management"].sd / groups["production"].sd,
                               description="SD of management / SD of production"),  # fmt: skip
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
    df1, df2 = len(x) - 1, len(y) - 1
    ratio = float(np.var(x, ddof=1) / np.var(y, ddof=1))
    p = float(min(1.0, 2 * min(stats.f.cdf(ratio, df1, df2), stats.f.sf(ratio, df1, df2))))
    tail = (1 - LEVEL) / 2
    low, high = ratio / stats.f.ppf(1 - tail, df1, df2), ratio / stats.f.ppf(tail, df1, df2)
    return _grouped_test(
        groups,
        name="f_test_management_vs_production",
        measure="a_mean",
        statistic_name="F",
        statistic=ratio,
        p_value=p,
        df=float(df1),
        df_denominator=float(df2),
        effect_size=EffectSize(name="variance_ratio", value=ratio, description="variance of management / variance of production",
                               ci_low=float(low), ci_high=float(high)),  # fmt: skip
        ci=Interval(of="variance ratio management / production", low=float(low), high=float(high)),
        assumptions=(
            "Both groups normal: the F test is very sensitive to non-normality (wages are right-skewed), "
            "so trust Levene's test for the decision and read F for the size of the ratio."
        ),
        sample=_sample_text(sample, _MGMT_PROD),
    )


def levene_major_groups(sample: pd.DataFrame) -> HypothesisTest:
    """Levene's test (median-centred) of equal a_mean variance across every SOC major group."""
    codes = _major_groups(sample)
    titles = sample.drop_duplicates("soc_major_group_code").set_index("soc_major_group_code")["soc_major_group_title"]
    arrays, groups = [], {}
    for code in codes:
        title = titles.get(code)
        values, summary = _group(sample, code if pd.isna(title) else str(title), {code}, "a_mean")
        arrays.append(values)
        groups[code] = summary
    if len(arrays) < 2:
        raise AnalysisError("analysis sample", f"{len(arrays)} SOC major group(s); Levene needs at least 2")
    result = stats.levene(*arrays, center="median")
    n = sum(len(values) for values in arrays)
    sds = [summary.sd for summary in groups.values()]
    return _grouped_test(
        groups,
        name="levene_major_groups",
        measure="a_mean",
        statistic_name="W",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        df=float(len(arrays) - 1),
        df_denominator=float(n - len(arrays)),
        effect_size=EffectSize(name="max_min_sd_ratio", value=max(sds) / min(sds), description="largest group SD / smallest group SD"),
        ci=Interval(of=_NO_INTERVAL, low=None, high=None),
        assumptions=(
            "Independent observations; median-centred (Brown-Forsythe), robust to skew. H0: every major "
            "group has the same a_mean variance. Excluding top-coded values shrinks the spread of "
            "the groups that have them (healthcare practitioners)."
        ),
        sample=_sample_text(sample, f"{len(arrays)} SOC major groups by soc_major_group_code"),
    )


# ---------------------------------------------------------------- 7. multiplicity


def holm_adjusted(tests: Sequence[HypothesisTest]) -> list[HypothesisTest]:
    """The tests with p_holm set: Holm's step-down adjustment across the whole family."""
    _, adjusted, _, _ = multipletests([test.p_value for test in tests], method="holm")
    return [replace(test, p_holm=float(p)) for test, p in zip(tests, adjusted)]


# ---------------------------------------------------------------- correlation matrix


def correlation_matrix(sample: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """Pearson and Spearman correlations of `measures`, pairwise complete: one row per method x pair."""
    _one_level(sample)
    frame = sample[list(measures)].astype(float)
    present = frame.notna().astype(int)
    counts = present.T @ present
    rows = []
    for method in ("pearson", "spearman"):
        matrix = frame.corr(method=method, min_periods=3)
        for first in measures:
            for second in measures:
                value = matrix.loc[first, second]
                rows.append({
                    "method": method, "measure_1": first, "measure_2": second,
                    "r": None if pd.isna(value) else float(value), "n": int(counts.loc[first, second]),
                })  # fmt: skip
    return pd.DataFrame(rows)
