"""The study's questions, each answered by a generic statistic of `stats` on the analysis sample.

Every test takes the sample of `study.sample.analysis_sample` (one release, one area
type, one hierarchy level) and refuses a frame that mixes levels or releases. Groups are
SOC major groups by code (`study.groups`), never title words. Each answer is a
`HypothesisTest`: the statistic with its p, n, groups, effect size, CI, exclusions, and
the words (sample, assumptions) the report and results.json carry.

The questions and the names of their tests:

1. How do states differ?             a ranking, not a test: `study.state_ranking`
2. Management vs production pay      `welch_t_management_vs_production`
3. Employment vs wage                `pearson_tot_emp_a_mean`
4. Tech vs non-tech medians          `ztest_tech_vs_nontech_a_median`
5. Spread                            `levene_management_vs_production`, `f_test_management_vs_production`,
                                     `levene_major_groups`

Each test is a row of `QUESTIONS`: the groups it compares, the steps that compute it and its
words. `hypothesis_test(name, sample)` answers any row the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis_py.errors import AnalysisError
from analysis_py.stats.multicomp import holm
from analysis_py.stats.parametric import (
    TwoSampleTest,
    VarianceTest,
    f_test,
    levene,
    welch_t,
    z_test,
)
from analysis_py.stats.results import EffectSize, Interval
from analysis_py.study.correlation_test import PearsonTest, pearson_test
from analysis_py.study.effect_sizes import (
    StatisticResult,
    hedges_g,
    max_min_sd_ratio,
    pearson_r,
    sd_ratio,
    variance_ratio,
)
from analysis_py.study.groups import (
    Groups,
    GroupSummary,
    describe_sample,
    employment_and_wage,
    every_major_group,
    management_and_production,
    tech_and_the_rest,
)
from analysis_py.study.top_coding import top_code_scenarios

__all__ = [
    "F_TEST",
    "LEVENE_MAJOR_GROUPS",
    "LEVENE_TWO_GROUPS",
    "PEARSON",
    "QUESTIONS",
    "TEST_NAMES",
    "WELCH_T",
    "Z_TEST",
    "HypothesisTest",
    "Question",
    "Steps",
    "holm_adjusted",
    "hypothesis_test",
]


#: The name of each test: its key in results.json, analysis.test_results and the report.
WELCH_T = "welch_t_management_vs_production"
PEARSON = "pearson_tot_emp_a_mean"
Z_TEST = "ztest_tech_vs_nontech_a_median"
LEVENE_TWO_GROUPS = "levene_management_vs_production"
F_TEST = "f_test_management_vs_production"
LEVENE_MAJOR_GROUPS = "levene_major_groups"

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


Summaries = Mapping[str, GroupSummary]


# ---------------------------------------------------------------- details


def _no_details(sample: pd.DataFrame, result: StatisticResult, groups: Summaries) -> dict[str, Any]:
    return {}


def _mean_difference(
    sample: pd.DataFrame, result: TwoSampleTest, groups: Summaries
) -> dict[str, Any]:
    return {"mean_difference": result.mean_difference}


def _details_of_result(
    sample: pd.DataFrame, result: PearsonTest, groups: Summaries
) -> dict[str, Any]:
    return result.details


# ---------------------------------------------------------------- words


_MGMT_PROD = (
    "management = SOC 11-0000, production = SOC 51-0000; one value per state x detailed occupation"
)


def _welch_assumptions(groups: Summaries) -> str:
    """Welch's assumptions, and what excluding the top-coded (`#`, at least the bound) does to the gap."""
    management, production = groups["management"].n_top_coded, groups["production"].n_top_coded
    if management == production == 0:
        top_coded = "No value in either group is top-coded."
    else:
        widen = " (they could only widen the gap)" if management and not production else ""
        top_coded = (
            f"Top-coded values are excluded: {management} in management{widen}, "
            f"{production} in production."
        )
    return (
        "Independent observations; group means roughly normal (n in the thousands, so the CLT "
        "covers the skew); variances NOT assumed equal (Welch). Each value is an occupation's "
        "estimated mean in one state, unweighted by employment: the test compares occupations, "
        "not workers. " + top_coded
    )


def _major_groups_text(groups: Summaries) -> str:
    return f"{len(groups)} SOC major groups by soc_major_group_code"


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Steps:
    """What a test runs, in order: the groups it compares, the statistic of their values, the
    effect size and the extra results (`details`) of the statistic's result and the groups."""

    groups: Callable[[pd.DataFrame], Groups]
    statistic: Callable[..., StatisticResult]
    effect_size: Callable[[Any, Summaries], EffectSize]
    details: Callable[[pd.DataFrame, Any, Summaries], dict[str, Any]] = _no_details


@dataclass(frozen=True, kw_only=True)
class Question:
    """One test: what it measures, its steps and its words.

    The test's CI is the statistic's, described by `ci_of`. `assumptions` and `sample` (the
    groups in words) are text, or a function of the groups' summaries where the words depend
    on them.
    """

    measure: str = "a_mean"
    statistic_name: str
    steps: Steps
    assumptions: str | Callable[[Summaries], str]
    ci_of: str
    sample: str | Callable[[Summaries], str]


#: Every test of the study by name, in the order results.json, the tables and the report list them.
QUESTIONS: dict[str, Question] = {
    WELCH_T: Question(
        statistic_name="t",
        steps=Steps(management_and_production, welch_t, hedges_g, _mean_difference),
        assumptions=_welch_assumptions,
        ci_of="mean difference management - production, US dollars (Welch-Satterthwaite df)",
        sample=_MGMT_PROD,
    ),
    PEARSON: Question(
        measure="tot_emp, a_mean",
        statistic_name="r",
        steps=Steps(employment_and_wage, pearson_test, pearson_r, _details_of_result),
        assumptions=(
            "Pearson measures a LINEAR association and its p and Fisher-z CI assume roughly bivariate-normal "
            "data; tot_emp and a_mean are both strongly right-skewed, so r is driven by a few huge "
            "occupations. Read Spearman's rho (monotone, rank-based) and Pearson on log10 of both "
            "alongside. Rows are state x occupation cells, not independent draws of one population. "
            "Top-coded a_mean (the best-paid occupations) is excluded."
        ),
        ci_of="Pearson's r (Fisher z)",
        sample="every detailed occupation with both tot_emp and a_mean published",
    ),
    Z_TEST: Question(
        measure="a_median",
        statistic_name="z",
        steps=Steps(tech_and_the_rest, z_test, hedges_g, top_code_scenarios),
        assumptions=(
            "Large-sample z test (statsmodels ztest, usevar='unequal'): each group's mean of occupation "
            "medians is approximately normal by the CLT; variances not assumed equal. It compares "
            "the average of occupations' medians, not the median worker. Top-coded medians (#, at least "
            "the bound) are excluded in the main run; top_code_scenarios set them to the bound (the least "
            "they can be) and to the largest median the release publishes as a number (medians above "
            "the bound are published), which brackets what they can do to the difference."
        ),
        ci_of="mean difference of a_median, tech - non-tech, US dollars (normal, unequal variances)",
        sample="tech = SOC 15-0000, non-tech = every other SOC major group",
    ),
    LEVENE_TWO_GROUPS: Question(
        statistic_name="W",
        steps=Steps(management_and_production, levene, sd_ratio),
        assumptions=(
            "Independent observations; robust to non-normality because it compares absolute deviations "
            "from each group's median (Brown-Forsythe). H0: equal variances."
        ),
        ci_of=_NO_INTERVAL,
        sample=_MGMT_PROD,
    ),
    F_TEST: Question(
        statistic_name="F",
        steps=Steps(management_and_production, f_test, variance_ratio),
        assumptions=(
            "Both groups normal: the F test is very sensitive to non-normality (wages are right-skewed), "
            "so trust Levene's test for the decision and read F for the size of the ratio."
        ),
        ci_of="variance ratio management / production",
        sample=_MGMT_PROD,
    ),
    LEVENE_MAJOR_GROUPS: Question(
        statistic_name="W",
        steps=Steps(every_major_group, levene, max_min_sd_ratio),
        assumptions=(
            "Independent observations; median-centred (Brown-Forsythe), robust to skew. H0: every major "
            "group has the same a_mean variance. Excluding top-coded values shrinks the spread of "
            "the groups that have them (healthcare practitioners)."
        ),
        ci_of=_NO_INTERVAL,
        sample=_major_groups_text,
    ),
}

TEST_NAMES: tuple[str, ...] = tuple(QUESTIONS)


def _words(text: str | Callable[[Summaries], str], groups: Summaries) -> str:
    return text if isinstance(text, str) else text(groups)


def hypothesis_test(name: str, sample: pd.DataFrame) -> HypothesisTest:
    """The test `name` (one of TEST_NAMES) on the analysis sample, as its row of QUESTIONS says.

    n and the exclusion counts are the sums over the test's groups.
    """
    if name not in QUESTIONS:
        raise AnalysisError("test", f"unknown test {name!r} (one of {', '.join(QUESTIONS)})")
    question = QUESTIONS[name]
    values, groups = question.steps.groups(sample)
    result = question.steps.statistic(*values)
    effect_size = question.steps.effect_size(result, groups)
    assumptions = _words(question.assumptions, groups)
    details = question.steps.details(sample, result, groups)
    return HypothesisTest(
        name=name,
        measure=question.measure,
        statistic_name=question.statistic_name,
        statistic=result.statistic,
        p_value=result.p_value,
        n=sum(group.n for group in groups.values()),
        groups=groups,
        effect_size=effect_size,
        ci=replace(result.ci, of=question.ci_of),
        n_excluded_suppressed=sum(group.n_excluded_suppressed for group in groups.values()),
        n_top_coded=sum(group.n_top_coded for group in groups.values()),
        assumptions=assumptions,
        sample=f"{describe_sample(sample)}; {_words(question.sample, groups)}",
        df=result.df,
        df_denominator=result.df_denominator if isinstance(result, VarianceTest) else None,
        details=details,
    )


# ---------------------------------------------------------------- multiplicity


def holm_adjusted(tests: Sequence[HypothesisTest]) -> list[HypothesisTest]:
    """The tests with p_holm set: Holm's step-down adjustment across the whole family."""
    return [
        replace(test, p_holm=p)
        for test, p in zip(tests, holm([test.p_value for test in tests]), strict=True)
    ]
