"""The six tests, the state comparison and Holm's p: results.json of the real `wage run`
against scipy/statsmodels run here on the sample read straight from the workbook.
(The question functions on small frames: tests/unit/test_questions.py.)"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ztest

pytestmark = pytest.mark.slow

REL = 1e-6


def result(results: dict, name: str) -> dict:
    [found] = [test for test in results["tests"] if test["name"] == name]
    return found


def published(frame: pd.DataFrame, major: str, column: str = "a_mean") -> np.ndarray:
    return frame.loc[frame["major"] == major, column].dropna().to_numpy(dtype=float)


def test_welch_t_matches_scipy_on_the_workbook_sample(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    management, production = published(workbook_sample, "11"), published(workbook_sample, "51")
    expected = stats.ttest_ind(management, production, equal_var=False)
    interval = expected.confidence_interval(0.95)
    got = result(real_results, "welch_t_management_vs_production")
    assert (got["statistic"], got["df"], got["p_value"]) == pytest.approx(
        (expected.statistic, expected.df, expected.pvalue), rel=REL
    )
    assert (got["ci"]["low"], got["ci"]["high"]) == pytest.approx(
        (interval.low, interval.high), rel=REL
    )
    assert (got["groups"]["management"]["n"], got["groups"]["production"]["n"], got["n"]) == (
        len(management),
        len(production),
        len(management) + len(production),
    )
    assert got["groups"]["management"]["mean"] == pytest.approx(management.mean(), rel=REL)
    assert got["groups"]["production"]["mean"] == pytest.approx(production.mean(), rel=REL)


def test_hedges_g_matches_its_formula_computed_here(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    x, y = published(workbook_sample, "11"), published(workbook_sample, "51")
    n1, n2 = len(x), len(y)
    pooled_sd = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    g = (x.mean() - y.mean()) / pooled_sd * (1 - 3 / (4 * (n1 + n2) - 9))
    effect = result(real_results, "welch_t_management_vs_production")["effect_size"]
    assert (effect["name"], effect["value"]) == ("hedges_g", pytest.approx(g, rel=REL))


def test_pearson_matches_scipy_on_the_workbook_sample(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    both = workbook_sample[["tot_emp", "a_mean"]].dropna()
    expected = stats.pearsonr(both["tot_emp"], both["a_mean"])
    interval = expected.confidence_interval(0.95)
    got = result(real_results, "pearson_tot_emp_a_mean")
    assert got["n"] == len(both)
    assert (got["statistic"], got["p_value"]) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=REL
    )
    assert (got["ci"]["low"], got["ci"]["high"]) == pytest.approx(
        (interval.low, interval.high), rel=REL
    )


def test_spearman_and_log10_pearson_match_scipy(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    both = workbook_sample[["tot_emp", "a_mean"]].dropna()
    rho = stats.spearmanr(both["tot_emp"], both["a_mean"])
    log10 = stats.pearsonr(np.log10(both["tot_emp"]), np.log10(both["a_mean"]))
    got = result(real_results, "pearson_tot_emp_a_mean")
    assert (got["spearman"]["rho"], got["spearman"]["p_value"]) == pytest.approx(
        (rho.statistic, rho.pvalue), rel=REL
    )
    assert (got["pearson_log10"]["r"], got["pearson_log10"]["p_value"]) == pytest.approx(
        (log10.statistic, log10.pvalue), rel=REL
    )
    assert real_results["correlation"]["spearman"] == got["spearman"]


def test_ztest_matches_statsmodels_on_the_workbook_sample(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    is_tech = workbook_sample["major"] == "15"
    tech = workbook_sample.loc[is_tech, "a_median"].dropna().to_numpy()
    rest = workbook_sample.loc[~is_tech, "a_median"].dropna().to_numpy()
    z, p = ztest(tech, rest, usevar="unequal")
    low, high = CompareMeans(DescrStatsW(tech), DescrStatsW(rest)).zconfint_diff(
        alpha=0.05, usevar="unequal"
    )
    got = result(real_results, "ztest_tech_vs_nontech_a_median")
    assert (got["statistic"], got["p_value"]) == pytest.approx((z, p), rel=REL)
    assert (got["ci"]["low"], got["ci"]["high"]) == pytest.approx((low, high), rel=REL)
    assert (got["groups"]["tech"]["n"], got["groups"]["nontech"]["n"]) == (len(tech), len(rest))


@pytest.mark.parametrize("scenario", [0, 1])
def test_ztest_top_code_scenarios_set_top_coded_medians_to_the_bound_and_to_the_largest_median(
    real_results: dict, workbook_sample: pd.DataFrame, scenario: int
) -> None:
    # The bound is stated by the data README for 2022 onwards: $239,200 a year; the largest published median is read here.
    value = (239_200.0, workbook_sample["a_median"].max())[scenario]
    medians = workbook_sample["a_median"].where(workbook_sample["a_median_cell"] != "#", value)
    is_tech = workbook_sample["major"] == "15"
    z, p = ztest(medians[is_tech].dropna(), medians[~is_tech].dropna(), usevar="unequal")
    run = result(real_results, "ztest_tech_vs_nontech_a_median")["top_code_scenarios"][scenario]
    assert (run["statistic"], run["p_value"]) == pytest.approx((z, p), rel=REL)
    assert run["mean_difference"] == pytest.approx(
        medians[is_tech].mean() - medians[~is_tech].mean(), rel=REL
    )
    assert (
        run["value_set"] == value
        and run["n_set"] == (workbook_sample["a_median_cell"] == "#").sum() > 0
    )


def test_sample_counts_published_values_above_the_top_code_bound(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    # The data README: in 2025 hundreds of state medians above $239,200 are published as numbers, the largest $842,800.
    counts = real_results["sample"]["top_coding"]["columns"]["a_median"]
    assert counts["n_published_above_bound"] == (workbook_sample["a_median"] > 239_200).sum() > 0
    assert counts["n_top_coded"] == (workbook_sample["a_median_cell"] == "#").sum()
    assert counts["max_published"] == workbook_sample["a_median"].max() == 842_800


def test_levene_management_vs_production_matches_scipy(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    expected = stats.levene(
        published(workbook_sample, "11"), published(workbook_sample, "51"), center="median"
    )
    got = result(real_results, "levene_management_vs_production")
    assert (got["statistic"], got["p_value"]) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=REL, abs=1e-300
    )


def test_f_test_matches_the_f_distribution_computed_here(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    x, y = published(workbook_sample, "11"), published(workbook_sample, "51")
    ratio, df1, df2 = x.var(ddof=1) / y.var(ddof=1), len(x) - 1, len(y) - 1
    p = 2 * min(stats.f.cdf(ratio, df1, df2), stats.f.sf(ratio, df1, df2))
    got = result(real_results, "f_test_management_vs_production")
    assert (got["statistic"], got["df"], got["df_denominator"]) == pytest.approx(
        (ratio, df1, df2), rel=REL
    )
    assert got["p_value"] == pytest.approx(p, rel=REL, abs=1e-300)
    assert got["ci"]["low"] == pytest.approx(ratio / stats.f.ppf(0.975, df1, df2), rel=REL)
    assert got["ci"]["high"] == pytest.approx(ratio / stats.f.ppf(0.025, df1, df2), rel=REL)


def test_levene_across_major_groups_matches_scipy(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    groups = [
        published(workbook_sample, major) for major in sorted(workbook_sample["major"].unique())
    ]
    expected = stats.levene(*groups, center="median")
    got = result(real_results, "levene_major_groups")
    assert len(got["groups"]) == len(groups) == 22
    assert (got["statistic"], got["n"]) == (
        pytest.approx(expected.statistic, rel=REL),
        sum(map(len, groups)),
    )
    assert got["p_value"] == pytest.approx(expected.pvalue, rel=REL, abs=1e-300)


def test_holm_p_values_match_statsmodels_over_the_six_tests(real_results: dict) -> None:
    tests = real_results["tests"]
    _, expected, _, _ = multipletests([test["p_value"] for test in tests], method="holm")
    assert len(tests) == 6
    assert [test["p_holm"] for test in tests] == pytest.approx(list(expected), rel=REL, abs=1e-300)


@pytest.mark.parametrize(
    ("name", "majors", "column"),
    [
        ("welch_t_management_vs_production", ["11", "51"], "a_mean"),
        ("levene_major_groups", None, "a_mean"),
        ("ztest_tech_vs_nontech_a_median", None, "a_median"),
    ],
)
def test_suppressed_and_top_coded_rows_are_counted_from_the_workbook_symbols(
    real_results: dict,
    workbook_sample: pd.DataFrame,
    name: str,
    majors: list[str] | None,
    column: str,
) -> None:
    rows = (
        workbook_sample
        if majors is None
        else workbook_sample.loc[workbook_sample["major"].isin(majors)]
    )
    got = result(real_results, name)
    assert got["n_excluded_suppressed"] == (rows[f"{column}_cell"] == "*").sum()
    assert got["n_top_coded"] == (rows[f"{column}_cell"] == "#").sum()


def test_state_ranking_matches_the_workbooks_total_rows(
    real_results: dict, workbook_cells: dict
) -> None:
    totals = [
        c
        for c in workbook_cells.values()
        if str(c["area_type"]) == "2" and c["occ_code"] == "00-0000"
    ]
    totals.sort(key=lambda c: -float(c["a_mean"]))
    ranking = real_results["state_ranking"]
    assert [row["area_title"] for row in ranking] == [c["area_title"] for c in totals]
    assert [row["rank"] for row in ranking] == list(range(1, 52))
    first, cells = ranking[0], totals[0]
    se = float(cells["a_mean"]) * float(cells["mean_prse"]) / 100
    assert first["a_mean_se"] == pytest.approx(se, rel=REL)
    assert (first["ci_low"], first["ci_high"]) == pytest.approx(
        stats.norm.interval(0.95, float(cells["a_mean"]), se), rel=REL
    )
