"""Every function of `analysis_py.stats` against scipy/statsmodels (or the textbook formula) on small arrays."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ztest

from analysis_py.errors import AnalysisError
from analysis_py.stats.correlation import correlation_matrix, pearson, spearman
from analysis_py.stats.multicomp import benjamini_hochberg, holm, z_family
from analysis_py.stats.parametric import f_test, hedges_g, levene, welch_t, z_test
from analysis_py.stats.regression import ols_hc3
from analysis_py.stats.results import z_critical
from analysis_py.stats.survey import estimate_difference_z, se_from_prse


@pytest.fixture
def xy() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.lognormal(11, 0.5, 60), rng.lognormal(10.7, 0.3, 45)


def test_welch_t_matches_scipy(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    expected = sps.ttest_ind(x, y, equal_var=False)
    result = welch_t(x, y)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.df == pytest.approx(expected.df, rel=1e-12)
    interval = expected.confidence_interval(0.95)
    assert (result.ci.low, result.ci.high) == pytest.approx(
        (interval.low, interval.high), rel=1e-12
    )
    assert result.mean_difference == pytest.approx(x.mean() - y.mean())
    assert (result.n_x, result.n_y) == (60, 45)


def test_welch_t_statistic_is_the_textbook_formula(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    t = (x.mean() - y.mean()) / math.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
    assert welch_t(x, y).statistic == pytest.approx(t, rel=1e-12)


def test_hedges_g_is_the_pooled_sd_formula_with_small_sample_correction(
    xy: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = xy
    n1, n2 = len(x), len(y)
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    g = (x.mean() - y.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    effect = hedges_g(x, y)
    assert effect.value == pytest.approx(g, rel=1e-12)
    assert (effect.ci_low, effect.ci_high) == pytest.approx(
        (g - 1.959963985 * se, g + 1.959963985 * se), rel=1e-8
    )


def test_z_test_matches_statsmodels(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    z, p = ztest(x, y, usevar="unequal")
    low, high = CompareMeans(DescrStatsW(x), DescrStatsW(y)).zconfint_diff(
        alpha=0.05, usevar="unequal"
    )
    result = z_test(x, y)
    assert (result.statistic, result.p_value) == pytest.approx((z, p), rel=1e-12)
    assert (result.ci.low, result.ci.high) == pytest.approx((low, high), rel=1e-12)
    assert result.df is None


def test_f_test_ratio_p_and_ci_from_the_f_distribution(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    ratio = x.var(ddof=1) / y.var(ddof=1)
    df1, df2 = len(x) - 1, len(y) - 1
    result = f_test(x, y)
    assert result.statistic == pytest.approx(ratio, rel=1e-12)
    assert result.p_value == pytest.approx(
        2 * min(sps.f.cdf(ratio, df1, df2), sps.f.sf(ratio, df1, df2)), rel=1e-9
    )
    assert result.ci.low == pytest.approx(ratio / sps.f.ppf(0.975, df1, df2), rel=1e-12)
    assert result.ci.high == pytest.approx(ratio / sps.f.ppf(0.025, df1, df2), rel=1e-12)
    assert (result.df, result.df_denominator) == (df1, df2)


def test_levene_matches_scipy_for_three_groups(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    z = np.linspace(1, 50, 20) ** 2
    expected = sps.levene(x, y, z, center="median")
    result = levene(x, y, z)
    assert (result.statistic, result.p_value) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=1e-12
    )
    assert (result.df, result.df_denominator) == (2, len(x) + len(y) + len(z) - 3)
    assert result.ci.low is None


def test_levene_refuses_one_group(xy: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(AnalysisError, match="at least 2"):
        levene(xy[0])


def test_welch_t_refuses_a_group_of_one() -> None:
    with pytest.raises(AnalysisError, match="at least 2"):
        welch_t([1.0], [1.0, 2.0, 3.0])


def test_pearson_matches_scipy_with_fisher_z_ci(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x = xy[0][:45]
    y = xy[1] + 0.3 * x
    expected = sps.pearsonr(x, y)
    result = pearson(x, y)
    assert (result.r, result.p_value) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=1e-12
    )
    fisher = math.atanh(expected.statistic)
    half = 1.959963985 / math.sqrt(len(x) - 3)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (math.tanh(fisher - half), math.tanh(fisher + half)), rel=1e-8
    )


def test_spearman_matches_scipy(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy[0][:45], xy[1]
    expected = sps.spearmanr(x, y)
    result = spearman(x, y)
    assert (result.r, result.p_value, result.n) == (
        pytest.approx(expected.statistic),
        pytest.approx(expected.pvalue),
        45,
    )


def test_correlation_matrix_matches_pandas_pairwise(xy: tuple[np.ndarray, np.ndarray]) -> None:
    frame = pd.DataFrame({"a": xy[0][:45], "b": xy[1], "c": np.arange(45.0)})
    frame.loc[3, "b"] = np.nan
    matrix = correlation_matrix(frame, ["a", "b", "c"]).set_index(
        ["method", "measure_1", "measure_2"]
    )
    assert matrix.loc[("pearson", "a", "b"), "r"] == pytest.approx(frame["a"].corr(frame["b"]))
    assert matrix.loc[("spearman", "b", "c"), "r"] == pytest.approx(
        frame["b"].corr(frame["c"], method="spearman")
    )
    assert matrix.loc[("pearson", "a", "b"), "n"] == 44
    assert matrix.loc[("pearson", "a", "c"), "n"] == 45


def test_estimate_difference_z_is_bls_formula() -> None:
    result = estimate_difference_z(
        72_000, se_from_prse(72_000, 0.8), 70_000, se_from_prse(70_000, 1.1), "A", "B"
    )
    se = math.sqrt((72_000 * 0.008) ** 2 + (70_000 * 0.011) ** 2)
    assert result.se_difference == pytest.approx(se)
    assert result.z == pytest.approx(2_000 / se)
    assert result.p_value == pytest.approx(2 * sps.norm.sf(2_000 / se))
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (2_000 - 1.959963985 * se, 2_000 + 1.959963985 * se)
    )


def test_two_exact_estimates_have_an_exact_difference_and_no_z() -> None:
    # MEAN_PRSE 0 on both sides: no sampling error, so a CI of width 0 and no z to divide by 0
    result = estimate_difference_z(61_860.0, 0.0, 62_540.0, 0.0)
    assert (result.difference, result.se_difference, result.z, result.p_value) == (
        -680.0,
        0.0,
        None,
        None,
    )
    assert (result.ci_low, result.ci_high, result.is_exact) == (-680.0, -680.0, True)


def test_z_critical_is_the_normal_quantile() -> None:
    assert z_critical(0.95) == pytest.approx(sps.norm.ppf(0.975))
    assert z_critical(0.90) == pytest.approx(sps.norm.ppf(0.95))


def test_holm_matches_statsmodels() -> None:
    p_values = [0.01, 0.04, 0.03, 0.2, 1e-5]
    assert holm(p_values) == pytest.approx(list(multipletests(p_values, method="holm")[1]))


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p_values = [0.01, 0.04, 0.03, 0.2, 0.001]
    _, expected, _, _ = multipletests(p_values, method="fdr_bh")
    assert benjamini_hochberg(p_values) == pytest.approx(list(expected), rel=1e-12)


def test_z_family_p_values_and_counts_match_scipy_and_statsmodels() -> None:
    """Twelve z's around the 5% line: the counts are statsmodels' rejections, not a re-derivation."""
    z_values = [0.3, -1.5, 1.95, -1.97, 2.2, 2.6, -2.9, 3.1, 3.6, -4.2, 0.0, 1.2]
    p_values = [2 * sps.norm.sf(abs(z)) for z in z_values]
    holm_reject, holm_p, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    bh_reject, bh_p, _, _ = multipletests(p_values, alpha=0.05, method="fdr_bh")
    family = z_family(z_values)
    assert family.p_values == pytest.approx(p_values, rel=1e-12)
    assert family.p_holm == pytest.approx(list(holm_p), rel=1e-12)
    assert family.p_bh == pytest.approx(list(bh_p), rel=1e-12)
    assert (family.n, family.n_exceeding) == (12, sum(p < 0.05 for p in p_values))
    assert (family.n_holm, family.n_bh) == (int(holm_reject.sum()), int(bh_reject.sum()))
    assert family.n_holm < family.n_bh < family.n_exceeding  # these z's tell the three apart
    assert family.expected_by_chance == pytest.approx(0.05 * 12)


def test_z_family_of_no_changes_is_empty() -> None:
    family = z_family([])
    assert (family.n, family.n_exceeding, family.n_holm, family.n_bh) == (0, 0, 0, 0)
    assert family.p_values == family.p_holm == family.p_bh == ()


def test_ols_hc3_matches_statsmodels(xy: tuple[np.ndarray, np.ndarray]) -> None:
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"x": xy[0], "g": rng.choice(["a", "b", "c"], len(xy[0]))})
    data["y"] = 2 + 0.5 * np.log(data["x"]) + rng.normal(0, 0.2, len(data))
    formula = "y ~ np.log(x) + C(g)"
    expected = smf.ols(formula, data=data).fit(cov_type="HC3")
    result = ols_hc3(formula, data)
    slope = result.coefficient("np.log(x)")
    assert slope.estimate == pytest.approx(expected.params["np.log(x)"], rel=1e-12)
    assert slope.std_error == pytest.approx(expected.bse["np.log(x)"], rel=1e-12)
    assert (slope.ci_low, slope.ci_high) == pytest.approx(
        tuple(expected.conf_int().loc["np.log(x)"]), rel=1e-12
    )
    assert result.r_squared == pytest.approx(expected.rsquared)
    assert result.n == len(data)
    assert result.diagnostics["jarque_bera"]["p_value"] == pytest.approx(
        sps.jarque_bera(expected.resid).pvalue, rel=1e-9
    )


def test_ols_hc3_refuses_too_few_rows() -> None:
    with pytest.raises(AnalysisError, match="at least 10"):
        ols_hc3("y ~ x", pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]}))


def test_ols_hc3_p_values_match_statsmodels(xy: tuple[np.ndarray, np.ndarray]) -> None:
    rng = np.random.default_rng(5)
    data = pd.DataFrame({"x": xy[0]})
    data["y"] = 1 + 0.01 * data["x"] + rng.normal(0, 1, len(data))
    expected = smf.ols("y ~ x", data=data).fit(cov_type="HC3").pvalues
    result = ols_hc3("y ~ x", data)
    assert [c.p_value for c in result.coefficients] == pytest.approx(list(expected), rel=1e-12)


def test_ols_hc3_fits_exactly_the_minimum_number_of_rows() -> None:
    x = np.arange(10.0)
    data = pd.DataFrame({"x": x, "y": 3 + 2 * x + np.tile([0.1, -0.1], 5)})
    assert ols_hc3("y ~ x", data).n == 10
