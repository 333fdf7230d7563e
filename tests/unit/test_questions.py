"""The study's questions on small hand-built frames, against scipy/statsmodels run here."""

from __future__ import annotations

import math
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
    compare_states,
    holm_adjusted,
    levene_major_groups,
    neighbour_comparisons,
    pearson_tot_emp_a_mean,
    state_wage_ranking,
    welch_t_management_vs_production,
    ztest_tech_vs_nontech_a_median,
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


def totals(rows: list[tuple[str, float | None, float | None]]) -> pd.DataFrame:
    """state_totals-shaped rows: (area_title, a_mean, mean_prse)."""
    frame = pd.DataFrame(rows, columns=["area_title", "a_mean", "mean_prse"])
    frame["area"] = [f"{i:02d}" for i in range(1, len(rows) + 1)]
    frame["prim_state"] = [title[:2].upper() for title in frame["area_title"]]
    frame["release_year"] = 2025
    frame["tot_emp"] = 1_000_000.0
    frame["a_mean_se"] = frame["a_mean"] * frame["mean_prse"] / 100
    return frame


# ---------------------------------------------------------------- tiny frames (from the old test_stats_tests)


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
        welch_t_management_vs_production(sample)


def test_a_sample_mixing_hierarchy_levels_is_refused() -> None:
    sample = tiny_sample(
        soc_major_group_code=["11-0000"] * 2 + ["51-0000"] * 2, a_mean=[1.0, 2.0, 3.0, 4.0]
    )
    sample.loc[0, "o_group"] = "major"
    with pytest.raises(AnalysisError, match="mixes o_group"):
        welch_t_management_vs_production(sample)


# ---------------------------------------------------------------- the questions on the synthetic sample


def published(sample: pd.DataFrame, code: str, column: str = "a_mean") -> np.ndarray:
    return sample.loc[sample["soc_major_group_code"] == code, column].dropna().to_numpy(dtype=float)


def test_welch_t_matches_scipy_and_counts_the_exclusions(sample: pd.DataFrame) -> None:
    x, y = published(sample, "11-0000"), published(sample, "51-0000")
    expected = stats.ttest_ind(x, y, equal_var=False)
    test = welch_t_management_vs_production(sample)
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
    test = welch_t_management_vs_production(sample)
    for code, group in (("11-0000", "management"), ("51-0000", "production")):
        rows = sample.loc[sample["soc_major_group_code"] == code]
        assert f"{int(rows['is_a_mean_top_coded'].sum())} in {group}" in test.assumptions
    untouched = sample.assign(is_a_mean_top_coded=False, a_mean=sample["a_mean"].fillna(50_000.0))
    assert (
        "No value in either group is top-coded."
        in welch_t_management_vs_production(untouched).assumptions
    )


def test_pearson_matches_scipy_on_rows_with_both_values(sample: pd.DataFrame) -> None:
    both = sample[["tot_emp", "a_mean"]].dropna()
    expected = stats.pearsonr(both["tot_emp"], both["a_mean"])
    test = pearson_tot_emp_a_mean(sample)
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
    test = ztest_tech_vs_nontech_a_median(sample)
    assert (test.statistic, test.p_value) == pytest.approx((z, p), rel=1e-9)


def test_levene_major_groups_names_groups_by_their_title(sample: pd.DataFrame) -> None:
    test = levene_major_groups(sample)
    expected = stats.levene(
        *(published(sample, code) for code in sorted(sample["soc_major_group_code"].unique())),
        center="median",
    )
    assert test.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert test.groups["51-0000"].label == "Production Occupations"


# ---------------------------------------------------------------- state_wage_ranking


def test_state_ranking_orders_by_mean_wage_with_a_normal_ci_from_the_prse() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    assert [(row.rank, row.area_title) for row in ranking.rows] == [
        (1, "Beta"),
        (2, "Gamma"),
        (3, "Alpha"),
    ]
    beta = ranking.rows[0]
    assert beta.a_mean_se == pytest.approx(1_400.0)
    assert (beta.ci_low, beta.ci_high) == pytest.approx(
        stats.norm.interval(0.95, 70_000.0, 1_400.0), rel=1e-12
    )
    assert ranking.release_year == 2025


def test_state_ranking_ties_share_the_better_rank_in_title_order() -> None:
    ranking = state_wage_ranking(
        totals(
            [
                ("Delta", 60_000.0, 1.0),
                ("Bravo", 60_000.0, 1.0),
                ("Alpha", 70_000.0, 1.0),
                ("Echo", 50_000.0, 1.0),
            ]
        )
    )
    assert [(row.rank, row.area_title) for row in ranking.rows] == [
        (1, "Alpha"),
        (2, "Bravo"),
        (2, "Delta"),
        (4, "Echo"),
    ]


def test_state_ranking_leaves_out_states_without_a_published_mean() -> None:
    ranking = state_wage_ranking(totals([("Alpha", 50_000.0, 1.0), ("Beta", None, None)]))
    assert [row.area_title for row in ranking.rows] == ["Alpha"]


def test_state_ranking_of_no_published_mean_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="no state has a published all-occupations a_mean"):
        state_wage_ranking(totals([("Alpha", None, None)]))


def test_state_ranking_with_another_level_widens_the_interval() -> None:
    rows = totals([("Alpha", 50_000.0, 2.0), ("Beta", 40_000.0, 1.0)])
    wide = state_wage_ranking(rows, level=0.99).rows[0]
    assert (wide.ci_low, wide.ci_high) == pytest.approx(
        stats.norm.interval(0.99, 50_000.0, 1_000.0), rel=1e-12
    )


# ---------------------------------------------------------------- compare_states


def test_compare_states_is_the_z_of_two_ranked_states() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    comparison = compare_states(ranking, 1, 2)
    z = (70_000 - 60_000) / math.sqrt(1_400.0**2 + 300.0**2)
    assert comparison.z == pytest.approx(z, rel=1e-12)
    assert comparison.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    assert comparison.difference == pytest.approx(10_000.0)


def test_compare_states_counts_negative_ranks_from_the_bottom() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    comparison = compare_states(ranking, -2, -1)
    assert comparison.z == pytest.approx(
        (60_000 - 50_000) / math.sqrt(300.0**2 + 500.0**2), rel=1e-12
    )
    assert (comparison.label_1, comparison.label_2) == ("Gamma (rank 2)", "Alpha (rank 3)")


def test_neighbour_comparisons_compare_each_state_with_the_next_one_down() -> None:
    ranking = state_wage_ranking(
        totals([("Alpha", 50_000.0, 1.0), ("Beta", 70_000.0, 2.0), ("Gamma", 60_000.0, 0.5)])
    )
    pairs = neighbour_comparisons(ranking)
    assert [(pair.label_1, pair.label_2) for pair in pairs] == [
        ("Beta (rank 1)", "Gamma (rank 2)"),
        ("Gamma (rank 2)", "Alpha (rank 3)"),
    ]
    assert pairs[1].z == pytest.approx(
        (60_000 - 50_000) / math.sqrt(300.0**2 + 500.0**2), rel=1e-12
    )


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
    run = ztest_tech_vs_nontech_a_median(sample).details["top_code_scenarios"][scenario]
    assert flagged.sum() > 0 and run["n_set"] == flagged.sum() and run["value_set"] == value
    assert (run["statistic"], run["p_value"]) == pytest.approx((z, p), rel=1e-9)
    assert run["mean_difference"] == pytest.approx(
        medians[is_tech].mean() - medians[~is_tech].mean(), rel=1e-12
    )


# ---------------------------------------------------------------- holm_adjusted


def test_holm_adjusted_sets_p_holm_as_statsmodels_computes_it(sample: pd.DataFrame) -> None:
    tests = [
        welch_t_management_vs_production(sample),
        pearson_tot_emp_a_mean(sample),
        ztest_tech_vs_nontech_a_median(sample),
    ]
    tests = [replace(test, p_value=p) for test, p in zip(tests, (0.01, 0.04, 0.03))]
    adjusted = holm_adjusted(tests)
    _, expected, _, _ = multipletests([0.01, 0.04, 0.03], method="holm")
    assert [test.p_holm for test in adjusted] == pytest.approx(list(expected), rel=1e-12)


def test_holm_adjusted_changes_nothing_but_p_holm(sample: pd.DataFrame) -> None:
    tests = [welch_t_management_vs_production(sample), pearson_tot_emp_a_mean(sample)]
    adjusted = holm_adjusted(tests)
    assert [replace(test, p_holm=None) for test in adjusted] == tests
    assert all(test.p_holm >= test.p_value for test in adjusted)
