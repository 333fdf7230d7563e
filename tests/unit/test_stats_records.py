"""What `analysis_py.stats` hands on: each result's exact keys and values, the levels it passes
through, the edges of its refusals and the parameter each refusal names.

`test_stats.py` checks the headline numbers; these tests pin the rest of each record (the report
and the API serialize `to_dict` as it is, so a renamed key or a dropped level is a visible bug),
with every number computed here again by scipy, statsmodels or the textbook formula.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as sps
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from analysis_py.errors import AnalysisError
from analysis_py.stats.correlation import correlation_matrix, pearson, spearman
from analysis_py.stats.parametric import f_test, hedges_g, levene, welch_t, z_test
from analysis_py.stats.regression import ols_hc3
from analysis_py.stats.results import LEVEL, EffectSize, Interval
from analysis_py.stats.survey import estimate_difference_z, se_from_prse

HEDGES_DESCRIPTION = (
    "(mean 1 - mean 2) / pooled SD x (1 - 3 / (4 (n1 + n2) - 9)); CI: normal approximation"
)


@pytest.fixture
def xy() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return rng.lognormal(11, 0.5, 30), rng.lognormal(10.8, 0.3, 25)


def _hedges(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float]:
    """Hedges' g and its normal CI by the textbook formula (Hedges & Olkin 1985)."""
    n1, n2 = len(x), len(y)
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    g = (x.mean() - y.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    z = sps.norm.ppf(0.5 + level / 2)
    return g, g - z * se, g + z * se


def test_the_default_level_is_95_percent() -> None:
    # every interval's default: a changed constant would move all of them at once
    assert LEVEL == 0.95
    assert Interval("x", 1.0, 2.0).level == 0.95
    assert EffectSize("e", 1.0, "d").to_dict() == {
        "name": "e",
        "value": 1.0,
        "description": "d",
        "ci_low": None,
        "ci_high": None,
    }


def test_welch_t_record_at_90_percent(xy: tuple[np.ndarray, np.ndarray]) -> None:
    # a non-default level: each place that passes `level` on (the CI, Hedges' g, the record) is seen
    x, y = xy
    expected = sps.ttest_ind(x, y, equal_var=False)
    interval = expected.confidence_interval(0.90)
    g, g_low, g_high = _hedges(x, y, 0.90)
    record = welch_t(x, y, level=0.90).to_dict()
    assert record == {
        "statistic": pytest.approx(expected.statistic, rel=1e-12),
        "df": pytest.approx(expected.df, rel=1e-12),
        "p_value": pytest.approx(expected.pvalue, rel=1e-9),
        "mean_difference": pytest.approx(x.mean() - y.mean(), rel=1e-12),
        "ci": {
            "of": "mean difference x - y (Welch-Satterthwaite df)",
            "low": pytest.approx(interval.low, rel=1e-12),
            "high": pytest.approx(interval.high, rel=1e-12),
            "level": 0.90,
        },
        "hedges_g": {
            "name": "hedges_g",
            "value": pytest.approx(g, rel=1e-12),
            "description": HEDGES_DESCRIPTION,
            "ci_low": pytest.approx(g_low, rel=1e-9),
            "ci_high": pytest.approx(g_high, rel=1e-9),
        },
        "n_x": 30,
        "n_y": 25,
    }


def test_z_test_record_at_90_percent(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    se = math.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
    z = (x.mean() - y.mean()) / se
    low, high = CompareMeans(DescrStatsW(x), DescrStatsW(y)).zconfint_diff(
        alpha=0.10, usevar="unequal"
    )
    g, g_low, g_high = _hedges(x, y, 0.90)
    record = z_test(x, y, level=0.90).to_dict()
    assert record == {
        "statistic": pytest.approx(z, rel=1e-12),
        "df": None,
        "p_value": pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-9),
        "mean_difference": pytest.approx(x.mean() - y.mean(), rel=1e-12),
        "ci": {
            "of": "mean difference x - y (normal, unequal variances)",
            "low": pytest.approx(low, rel=1e-12),
            "high": pytest.approx(high, rel=1e-12),
            "level": 0.90,
        },
        "hedges_g": {
            "name": "hedges_g",
            "value": pytest.approx(g, rel=1e-12),
            "description": HEDGES_DESCRIPTION,
            "ci_low": pytest.approx(g_low, rel=1e-9),
            "ci_high": pytest.approx(g_high, rel=1e-9),
        },
        "n_x": 30,
        "n_y": 25,
    }
    # the CI is the normal one: difference +- z(0.95) x se
    assert high - low == pytest.approx(2 * sps.norm.ppf(0.95) * se, rel=1e-9)


def test_hedges_g_at_90_percent_and_its_record(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    g, g_low, g_high = _hedges(x, y, 0.90)
    assert hedges_g(x, y, level=0.90).to_dict() == {
        "name": "hedges_g",
        "value": pytest.approx(g, rel=1e-12),
        "description": HEDGES_DESCRIPTION,
        "ci_low": pytest.approx(g_low, rel=1e-9),
        "ci_high": pytest.approx(g_high, rel=1e-9),
    }


def test_hedges_g_by_hand_on_two_tiny_groups() -> None:
    # x: mean 2, var 1; y: mean 5, var 1 -> pooled SD 1, d = -3, J = 1 - 3 / (4 * 6 - 9) = 0.8
    effect = hedges_g([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert effect.value == pytest.approx(-2.4, rel=1e-12)
    se = math.sqrt(6 / 9 + 2.4**2 / 12)
    assert (effect.ci_low, effect.ci_high) == pytest.approx(
        (-2.4 - 1.959963984540054 * se, -2.4 + 1.959963984540054 * se), rel=1e-12
    )


def test_f_test_record_at_90_percent(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    ratio = x.var(ddof=1) / y.var(ddof=1)
    df1, df2 = len(x) - 1, len(y) - 1
    record = f_test(x, y, level=0.90).to_dict()
    assert record == {
        "statistic": pytest.approx(ratio, rel=1e-12),
        "df": 29.0,
        "df_denominator": 24.0,
        "p_value": pytest.approx(
            2 * min(sps.f.cdf(ratio, df1, df2), sps.f.sf(ratio, df1, df2)), rel=1e-9
        ),
        "ci": {
            "of": "variance ratio x / y",
            "low": pytest.approx(ratio / sps.f.ppf(0.95, df1, df2), rel=1e-12),
            "high": pytest.approx(ratio / sps.f.ppf(0.05, df1, df2), rel=1e-12),
            "level": 0.90,
        },
    }


def test_f_test_p_is_one_for_equal_variances() -> None:
    # ratio 1 with equal df: both tails are 0.5, the two-sided p is exactly 1
    result = f_test([1.0, 2.0, 3.0], [5.0, 6.0, 7.0])
    assert result.statistic == 1.0
    assert result.p_value == pytest.approx(1.0, rel=1e-12)


def test_levene_record_and_centre(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy
    median = sps.levene(x, y, center="median")
    assert levene(x, y).to_dict() == {
        "statistic": pytest.approx(median.statistic, rel=1e-12),
        "df": 1.0,
        "df_denominator": 53.0,
        "p_value": pytest.approx(median.pvalue, rel=1e-12),
        "ci": {
            "of": "no interval: Levene's test has none of its own",
            "low": None,
            "high": None,
            "level": 0.95,
        },
    }
    # `center` reaches scipy: the mean-centred statistic differs from the median-centred one
    mean = sps.levene(x, y, center="mean")
    assert mean.statistic != pytest.approx(median.statistic)
    assert levene(x, y, center="mean").statistic == pytest.approx(mean.statistic, rel=1e-12)


def test_levene_names_the_group_too_small_and_itself() -> None:
    with pytest.raises(AnalysisError) as caught:
        levene([1.0, 2.0, 3.0], [4.0])
    assert caught.value.path == "group 2"
    assert caught.value.problem == "1 value(s); at least 2 are needed"
    with pytest.raises(AnalysisError) as caught:
        levene([1.0, 2.0, 3.0])
    assert caught.value.path == "levene"
    assert caught.value.problem == "1 group(s); at least 2 are needed"


@pytest.mark.parametrize("test", [welch_t, z_test, f_test, hedges_g])
def test_two_sample_tests_name_the_short_sample(test) -> None:
    with pytest.raises(AnalysisError) as caught:
        test([1.0], [1.0, 2.0, 3.0])
    assert caught.value.path == "x"
    assert caught.value.problem == "1 value(s); at least 2 are needed"
    with pytest.raises(AnalysisError) as caught:
        test([1.0, 2.0, 3.0], [1.0])
    assert caught.value.path == "y"


def test_two_values_per_sample_are_enough() -> None:
    # the minimum is 2: one variance each, df 1 and 1
    result = f_test([1.0, 3.0], [2.0, 6.0])
    assert result.statistic == pytest.approx(2.0 / 8.0)
    assert (result.df, result.df_denominator) == (1.0, 1.0)
    assert welch_t([1.0, 3.0], [2.0, 6.0]).n_x == 2


def test_a_table_is_not_a_sample() -> None:
    # a 2-D array (here 2 x 3) is refused rather than flattened or read as rows
    with pytest.raises(AnalysisError) as caught:
        welch_t([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1.0, 2.0, 3.0])
    assert caught.value.path == "x"


def test_pearson_record_at_90_percent(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy[0][:25], xy[1] + 0.2 * xy[0][:25]
    r = float(np.corrcoef(x, y)[0, 1])
    half = sps.norm.ppf(0.95) / math.sqrt(len(x) - 3)
    t = r * math.sqrt((len(x) - 2) / (1 - r**2))
    assert pearson(x, y, level=0.90).to_dict() == {
        "method": "pearson",
        "r": pytest.approx(r, rel=1e-12),
        "p_value": pytest.approx(2 * sps.t.sf(abs(t), len(x) - 2), rel=1e-9),
        "n": 25,
        "ci_low": pytest.approx(math.tanh(math.atanh(r) - half), rel=1e-9),
        "ci_high": pytest.approx(math.tanh(math.atanh(r) + half), rel=1e-9),
        "level": 0.90,
    }


def test_spearman_record(xy: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = xy[0][:25], xy[1]
    rho = float(np.corrcoef(sps.rankdata(x), sps.rankdata(y))[0, 1])
    assert spearman(x, y).to_dict() == {
        "method": "spearman",
        "r": pytest.approx(rho, rel=1e-12),
        "p_value": pytest.approx(sps.spearmanr(x, y).pvalue, rel=1e-12),
        "n": 25,
        "ci_low": None,
        "ci_high": None,
        "level": 0.95,
    }


def test_correlations_need_four_paired_values() -> None:
    four = [1.0, 2.0, 3.0, 5.0]
    assert pearson(four, [2.0, 1.0, 4.0, 3.0]).n == 4
    assert spearman(four, [2.0, 1.0, 4.0, 3.0]).r == pytest.approx(0.6)
    for x, y in ([four[:3], [1.0, 2.0, 3.0]], [four, [*four, 6.0]], [[*four, 6.0], four]):
        with pytest.raises(AnalysisError) as caught:
            pearson(x, y)
        assert caught.value.path == "correlation"
        assert caught.value.problem == (
            f"{len(x)} and {len(y)} values; two equal-length arrays of at least 4 are needed"
        )


def test_correlation_matrix_rows_and_min_periods() -> None:
    # b has 3 values beside a, c only 2: with the default min_periods=3 a-b gets an r, a-c none
    frame = pd.DataFrame(
        {
            "a": [1.0, 2.0, 3.0, 4.0, 5.0],
            "b": [2.0, 1.0, 4.0, np.nan, np.nan],
            "c": [np.nan, np.nan, np.nan, 1.0, 3.0],
        }
    )
    table = correlation_matrix(frame, ["a", "b", "c"])
    assert list(table.columns) == ["method", "measure_1", "measure_2", "r", "n"]
    assert len(table) == 18
    rows = table.set_index(["method", "measure_1", "measure_2"])
    assert rows.loc[("pearson", "a", "b"), "r"] == pytest.approx(
        np.corrcoef([1.0, 2.0, 3.0], [2.0, 1.0, 4.0])[0, 1]
    )
    assert rows.loc[("spearman", "a", "b"), "r"] == pytest.approx(0.5)
    assert rows.loc[("pearson", "a", "b"), "n"] == 3
    assert pd.isna(rows.loc[("pearson", "a", "c"), "r"])
    assert rows.loc[("spearman", "c", "a"), "n"] == 2
    assert rows.loc[("pearson", "a", "a"), "r"] == pytest.approx(1.0)
    # a lower min_periods gives the two-value pair its (perfect) r
    lower = correlation_matrix(frame, ["a", "c"], min_periods=2)
    assert lower.set_index(["method", "measure_1", "measure_2"]).loc[
        ("pearson", "a", "c"), "r"
    ] == pytest.approx(1.0)


def test_estimate_difference_record_at_90_percent() -> None:
    se_1, se_2 = se_from_prse(50_000, 2.0), se_from_prse(48_000, 2.5)
    assert (se_1, se_2) == (1_000.0, 1_200.0)
    se = math.sqrt(1_000.0**2 + 1_200.0**2)
    half = sps.norm.ppf(0.95) * se
    record = estimate_difference_z(50_000, se_1, 48_000, se_2, "Ohio", "Iowa", level=0.90)
    assert record.to_dict() == {
        "label_1": "Ohio",
        "estimate_1": 50_000.0,
        "se_1": 1_000.0,
        "label_2": "Iowa",
        "estimate_2": 48_000.0,
        "se_2": 1_200.0,
        "difference": 2_000.0,
        "se_difference": pytest.approx(se, rel=1e-12),
        "z": pytest.approx(2_000 / se, rel=1e-12),
        "p_value": pytest.approx(2 * sps.norm.sf(2_000 / se), rel=1e-12),
        "ci_low": pytest.approx(2_000 - half, rel=1e-12),
        "ci_high": pytest.approx(2_000 + half, rel=1e-12),
        "level": 0.90,
    }


def test_estimate_difference_p_is_two_sided_for_a_negative_z() -> None:
    result = estimate_difference_z(10.0, 3.0, 14.0, 4.0)
    assert result.z == pytest.approx(-0.8)
    assert result.p_value == pytest.approx(2 * sps.norm.sf(0.8), rel=1e-12)
    assert (result.label_1, result.label_2) == ("estimate 1", "estimate 2")


@pytest.mark.parametrize("se", [(math.nan, 1.0), (0.0, math.nan)])
def test_estimate_difference_names_the_pair_it_cannot_compare(se: tuple[float, float]) -> None:
    # a missing (NaN) standard error is refused; two zero ones are exact figures (test_stats)
    with pytest.raises(AnalysisError) as caught:
        estimate_difference_z(1.0, se[0], 2.0, se[1], "Ohio", "Iowa")
    assert caught.value.path == "Ohio vs Iowa"
    assert caught.value.problem == "no standard error to compare them with (one is missing)"


def test_one_standard_error_of_zero_is_enough() -> None:
    result = estimate_difference_z(5.0, 0.0, 2.0, 1.5)
    assert (result.se_difference, result.z) == (1.5, 2.0)


@pytest.fixture
def wages() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"x": rng.lognormal(10, 0.4, 40), "g": rng.choice(["a", "b"], 40)})
    # heteroskedastic noise: Breusch-Pagan has something to find
    data["y"] = 1 + 0.4 * np.log(data["x"]) + rng.normal(0, 0.05, 40) * (data["x"] / 2e4) ** 2
    return data


def test_ols_record_at_90_percent_matches_statsmodels(wages: pd.DataFrame) -> None:
    formula = "y ~ np.log(x) + C(g)"
    expected = smf.ols(formula, data=wages).fit(cov_type="HC3")
    fit = ols_hc3(formula, wages, level=0.90)
    assert (fit.formula, fit.n, fit.cov_type, fit.level) == (formula, 40, "HC3", 0.90)
    assert fit.r_squared == pytest.approx(expected.rsquared, rel=1e-12)
    assert fit.adj_r_squared == pytest.approx(expected.rsquared_adj, rel=1e-12)
    assert fit.adj_r_squared < fit.r_squared
    intervals = expected.conf_int(alpha=0.10)
    assert [c.to_dict() for c in fit.coefficients] == [
        {
            "term": term,
            "estimate": pytest.approx(expected.params[term], rel=1e-12),
            "std_error": pytest.approx(expected.bse[term], rel=1e-12),
            "ci_low": pytest.approx(intervals.loc[term, 0], rel=1e-12),
            "ci_high": pytest.approx(intervals.loc[term, 1], rel=1e-12),
            "p_value": pytest.approx(expected.pvalues[term], rel=1e-9),
        }
        for term in ["Intercept", "C(g)[T.b]", "np.log(x)"]
    ]
    assert fit.coefficient("C(g)[T.b]").term == "C(g)[T.b]"
    assert fit.fitted.nobs == 40


def test_ols_diagnostics_keys_and_values(wages: pd.DataFrame) -> None:
    expected = smf.ols("y ~ x", data=wages).fit(cov_type="HC3")
    jb = sps.jarque_bera(expected.resid)
    bp, bp_p, _, _ = het_breuschpagan(expected.resid, expected.model.exog)
    resid = expected.resid - expected.resid.mean()
    fit = ols_hc3("y ~ x", wages)
    assert fit.diagnostics == {
        "jarque_bera": {
            "statistic": pytest.approx(jb.statistic, rel=1e-9),
            "p_value": pytest.approx(jb.pvalue, rel=1e-9),
            "skew": pytest.approx(sps.skew(resid), rel=1e-9),
            # statsmodels reports the plain (not excess) kurtosis
            "kurtosis": pytest.approx(sps.kurtosis(resid, fisher=False), rel=1e-9),
            "reads": "H0: residuals normal (small p: they are not; HC3 SEs and large n carry the inference)",
        },
        "breusch_pagan": {
            "statistic": pytest.approx(bp, rel=1e-9),
            "p_value": pytest.approx(bp_p, rel=1e-9),
            "reads": "H0: constant residual variance (small p: heteroskedastic, hence HC3)",
        },
        "condition_number": pytest.approx(np.linalg.cond(expected.model.exog), rel=1e-9),
        # the HC3 (robust) Wald F of the slope is its squared robust t
        "f_statistic_hc3": pytest.approx(expected.tvalues["x"] ** 2, rel=1e-9),
        "f_p_value_hc3": pytest.approx(sps.f.sf(expected.tvalues["x"] ** 2, 1, 38), rel=1e-9),
        "df_model": 1.0,
        "df_resid": 38.0,
    }
    # the noise grows with x: Breusch-Pagan sees it
    assert fit.diagnostics["breusch_pagan"]["p_value"] < 0.05


def test_ols_refusal_names_the_formula_and_min_rows() -> None:
    data = pd.DataFrame({"x": np.arange(6.0), "y": [1.0, 3.0, 2.0, 5.0, 4.0, 6.0]})
    with pytest.raises(AnalysisError) as caught:
        ols_hc3("y ~ x", data)
    assert caught.value.path == "y ~ x"
    assert caught.value.problem == "6 complete rows; at least 10 are needed"
    # a smaller minimum lets the six rows through
    assert ols_hc3("y ~ x", data, min_rows=6).n == 6
    with pytest.raises(AnalysisError):
        ols_hc3("y ~ x", data, min_rows=7)


def test_decimal_values_from_the_warehouse_are_read_as_floats() -> None:
    # DuckDB hands DECIMAL columns over as decimal.Decimal: scipy cannot take an object array,
    # so each side must be made float first (x and y each, in turn)
    x = [1.5, 2.25, 3.0, 5.0, 4.0]
    y = [2.0, 1.0, 4.0, 3.5, 6.0]
    as_decimals = [Decimal(str(value)) for value in x]
    expected = sps.pearsonr(x, y)
    assert pearson(as_decimals, y).r == pytest.approx(expected.statistic, rel=1e-12)
    assert pearson(y, as_decimals).r == pytest.approx(expected.statistic, rel=1e-12)
    welch = sps.ttest_ind(x, y, equal_var=False)
    assert welch_t(as_decimals, y).statistic == pytest.approx(welch.statistic, rel=1e-12)
    assert welch_t(y, as_decimals).statistic == pytest.approx(-welch.statistic, rel=1e-12)


def test_a_frame_too_short_for_any_correlation_gives_nulls_not_nans() -> None:
    # r is None (JSON null) where pandas has no value; NaN would not serialize as JSON
    table = correlation_matrix(pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}), ["a", "b"])
    assert table["r"].tolist() == [None] * 8
    assert table["n"].tolist() == [2] * 8
