"""The study's questions on small hand-built frames, against scipy/statsmodels run here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import ztest

from analysis_py.errors import AnalysisError
from analysis_py.stats.survey import estimate_difference_z
from analysis_py.study.questions import (
    LEVENE_MAJOR_GROUPS,
    PEARSON,
    TEST_NAMES,
    WELCH_T,
    Z_TEST,
    holm_adjusted,
    hypothesis_test,
)


def tiny_sample(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = dict(
        release_year=[2025] * n,
        area_type=[2] * n,
        o_group=["detailed"] * n,
        area=[str(i) for i in range(n)],
        is_a_mean_top_coded=[False] * n,
    )
    return pd.DataFrame({**base, **columns})


# ---------------------------------------------------------------- tiny frames


def test_estimate_difference_z_is_the_difference_over_the_combined_standard_error() -> None:
    comparison = estimate_difference_z(100.0, 3.0, 90.0, 4.0)
    assert (comparison.z, comparison.se_difference) == pytest.approx((2.0, 5.0))
    assert comparison.p_value == pytest.approx(2 * stats.norm.sf(2.0))
    assert (comparison.ci_low, comparison.ci_high) == pytest.approx(
        (10 - 1.959964 * 5, 10 + 1.959964 * 5), rel=1e-6
    )


def test_a_group_without_published_values_is_an_analysis_error() -> None:
    sample = tiny_sample(
        soc_major_group_code=["11-0000", "11-0000", "51-0000"], a_mean=[100.0, 120.0, None]
    )
    with pytest.raises(AnalysisError, match="production has 0 published a_mean"):
        hypothesis_test(WELCH_T, sample)


def test_a_sample_mixing_hierarchy_levels_is_refused() -> None:
    sample = tiny_sample(
        soc_major_group_code=["11-0000"] * 2 + ["51-0000"] * 2, a_mean=[1.0, 2.0, 3.0, 4.0]
    )
    sample.loc[0, "o_group"] = "major"
    with pytest.raises(AnalysisError, match="mixes o_group"):
        hypothesis_test(WELCH_T, sample)


# ---------------------------------------------------------------- the questions on the synthetic sample


@pytest.mark.parametrize("name", TEST_NAMES)
def test_every_row_of_the_table_is_answered_under_its_name(sample: pd.DataFrame, name: str) -> None:
    test = hypothesis_test(name, sample)
    assert test.name == name and 0 <= test.p_value <= 1 and test.n > 0


def test_an_unknown_test_name_is_an_analysis_error(sample: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="unknown test"):
        hypothesis_test("t_test_of_everything", sample)


def published(sample: pd.DataFrame, code: str, column: str = "a_mean") -> np.ndarray:
    return sample.loc[sample["soc_major_group_code"] == code, column].dropna().to_numpy(dtype=float)


def test_welch_t_matches_scipy_and_counts_the_exclusions(sample: pd.DataFrame) -> None:
    x, y = published(sample, "11-0000"), published(sample, "51-0000")
    expected = stats.ttest_ind(x, y, equal_var=False)
    test = hypothesis_test(WELCH_T, sample)
    assert (test.statistic, test.p_value, test.df) == pytest.approx(
        (expected.statistic, expected.pvalue, expected.df), rel=1e-9
    )
    rows = sample.loc[sample["soc_major_group_code"].isin(["11-0000", "51-0000"])]
    assert test.n_top_coded == rows["is_a_mean_top_coded"].sum() > 0
    assert (
        test.n_excluded_suppressed
        == (rows["a_mean"].isna() & ~rows["is_a_mean_top_coded"]).sum()
        > 0
    )
    assert test.n == len(x) + len(y)


def test_welch_t_assumptions_count_the_top_coded_values_of_each_group(sample: pd.DataFrame) -> None:
    test = hypothesis_test(WELCH_T, sample)
    for code, group in (("11-0000", "management"), ("51-0000", "production")):
        rows = sample.loc[sample["soc_major_group_code"] == code]
        assert f"{int(rows['is_a_mean_top_coded'].sum())} in {group}" in test.assumptions
    untouched = sample.assign(is_a_mean_top_coded=False, a_mean=sample["a_mean"].fillna(50_000.0))
    assert (
        "No value in either group is top-coded." in hypothesis_test(WELCH_T, untouched).assumptions
    )


def test_pearson_matches_scipy_on_rows_with_both_values(sample: pd.DataFrame) -> None:
    both = sample[["tot_emp", "a_mean"]].dropna()
    expected = stats.pearsonr(both["tot_emp"], both["a_mean"])
    test = hypothesis_test(PEARSON, sample)
    assert (test.statistic, test.p_value, test.n) == (
        pytest.approx(expected.statistic, rel=1e-9),
        pytest.approx(expected.pvalue, rel=1e-9),
        len(both),
    )


def test_ztest_matches_statsmodels_with_unequal_variances(sample: pd.DataFrame) -> None:
    tech = published(sample, "15-0000", "a_median")
    rest = (
        sample.loc[sample["soc_major_group_code"] != "15-0000", "a_median"]
        .dropna()
        .to_numpy(dtype=float)
    )
    z, p = ztest(tech, rest, usevar="unequal")
    test = hypothesis_test(Z_TEST, sample)
    assert (test.statistic, test.p_value) == pytest.approx((z, p), rel=1e-9)


def test_levene_major_groups_names_groups_by_their_title(sample: pd.DataFrame) -> None:
    test = hypothesis_test(LEVENE_MAJOR_GROUPS, sample)
    expected = stats.levene(
        *(published(sample, code) for code in sorted(sample["soc_major_group_code"].unique())),
        center="median",
    )
    assert test.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert test.groups["51-0000"].label == "Production Occupations"


# ---------------------------------------------------------------- top-code scenarios of the tech z test


@pytest.mark.parametrize("scenario", [0, 1])
def test_ztest_top_code_scenarios_match_statsmodels_with_the_cells_filled(
    sample: pd.DataFrame, scenario: int
) -> None:
    flagged = sample["is_a_median_top_coded"].astype(bool)
    value = (239_200.0, sample["a_median"].max())[
        scenario
    ]  # the synthetic bound; the largest published median
    medians = sample["a_median"].where(~flagged, value)
    is_tech = sample["soc_major_group_code"] == "15-0000"
    z, p = ztest(medians[is_tech].dropna(), medians[~is_tech].dropna(), usevar="unequal")
    run = hypothesis_test(Z_TEST, sample).details["top_code_scenarios"][scenario]
    assert flagged.sum() > 0 and run["n_set"] == flagged.sum() and run["value_set"] == value
    assert (run["statistic"], run["p_value"]) == pytest.approx((z, p), rel=1e-9)
    assert run["mean_difference"] == pytest.approx(
        medians[is_tech].mean() - medians[~is_tech].mean(), rel=1e-12
    )


# ---------------------------------------------------------------- holm_adjusted


def test_holm_adjusted_sets_p_holm_as_statsmodels_computes_it(sample: pd.DataFrame) -> None:
    tests = [
        hypothesis_test(WELCH_T, sample),
        hypothesis_test(PEARSON, sample),
        hypothesis_test(Z_TEST, sample),
    ]
    tests = [replace(test, p_value=p) for test, p in zip(tests, (0.01, 0.04, 0.03), strict=False)]
    adjusted = holm_adjusted(tests)
    _, expected, _, _ = multipletests([0.01, 0.04, 0.03], method="holm")
    assert [test.p_holm for test in adjusted] == pytest.approx(list(expected), rel=1e-12)


def test_holm_adjusted_changes_nothing_but_p_holm(sample: pd.DataFrame) -> None:
    tests = [hypothesis_test(WELCH_T, sample), hypothesis_test(PEARSON, sample)]
    adjusted = holm_adjusted(tests)
    assert [replace(test, p_holm=None) for test in adjusted] == tests
    assert all(test.p_holm >= test.p_value for test in adjusted)
