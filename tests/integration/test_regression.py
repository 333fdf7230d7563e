"""OLS models: results.json of the real `wage run` against statsmodels fitted here, without
formulas, on the workbook's rows; the joblib files predict what the fit predicts."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import het_breuschpagan

from analysis_py.config import Settings
from analysis_py.outputs.artifacts import load_model
from analysis_py.study.regressions import ols_a_mean_on_tot_emp, ols_log_wage_on_log_emp_major_group
from analysis_py.study.sample import analysis_sample

pytestmark = pytest.mark.slow

REL = 1e-6


def complete(workbook_sample: pd.DataFrame) -> pd.DataFrame:
    return workbook_sample.dropna(subset=["tot_emp", "a_mean"]).reset_index(drop=True)


def linear_fit(workbook_sample: pd.DataFrame):
    rows = complete(workbook_sample)
    return sm.OLS(rows["a_mean"], sm.add_constant(rows["tot_emp"])).fit(cov_type="HC3")


def log_fit(workbook_sample: pd.DataFrame):
    """log(a_mean) on log(tot_emp) and one dummy per major group but the first (11), built here."""
    rows = complete(workbook_sample)
    dummies = pd.get_dummies(rows["major"], prefix="major", drop_first=True, dtype=float)
    exog = sm.add_constant(
        pd.concat([np.log(rows["tot_emp"]).rename("log_tot_emp"), dummies], axis=1)
    )
    return sm.OLS(np.log(rows["a_mean"]), exog).fit(cov_type="HC3")


def coefficients(model: dict) -> dict[str, dict]:
    return {row["term"]: row for row in model["coefficients"]}


def test_linear_model_matches_statsmodels_on_the_workbook_sample(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    expected = linear_fit(workbook_sample)
    model = real_results["regressions"]["ols_a_mean_on_tot_emp"]
    got = coefficients(model)
    intervals = expected.conf_int(0.05)
    assert (model["n"], model["r_squared"]) == (
        expected.nobs,
        pytest.approx(expected.rsquared, rel=REL),
    )
    for ours, theirs in (("Intercept", "const"), ("tot_emp", "tot_emp")):
        assert got[ours]["estimate"] == pytest.approx(expected.params[theirs], rel=REL)
        assert got[ours]["std_error"] == pytest.approx(expected.bse[theirs], rel=REL)
        assert (got[ours]["ci_low"], got[ours]["ci_high"]) == pytest.approx(
            tuple(intervals.loc[theirs]), rel=REL
        )


def test_log_model_matches_statsmodels_with_dummies_built_in_the_test(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    expected = log_fit(workbook_sample)
    model = real_results["regressions"]["ols_log_wage_on_log_emp_major_group"]
    got = coefficients(model)
    names = {"Intercept": "const", "np.log(tot_emp)": "log_tot_emp"}
    names |= {
        term: f"major_{match[1]}"
        for term in got
        if (match := re.fullmatch(r"C\(soc_major_group_code\)\[T\.(\d\d)-0000\]", term))
    }
    assert len(got) == len(expected.params) == 23
    assert model["r_squared"] == pytest.approx(expected.rsquared, rel=REL)
    for ours, theirs in names.items():
        assert got[ours]["estimate"] == pytest.approx(expected.params[theirs], rel=REL)
        assert got[ours]["std_error"] == pytest.approx(expected.bse[theirs], rel=REL)
        assert got[ours]["p_value"] == pytest.approx(expected.pvalues[theirs], rel=REL, abs=1e-300)


def test_diagnostics_match_scipy_jarque_bera_and_statsmodels_breusch_pagan(
    real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    expected = log_fit(workbook_sample)
    jarque_bera = stats.jarque_bera(expected.resid)
    breusch_pagan, bp_p, _, _ = het_breuschpagan(expected.resid, expected.model.exog)
    diagnostics = real_results["regressions"]["ols_log_wage_on_log_emp_major_group"]["diagnostics"]
    assert diagnostics["jarque_bera"]["statistic"] == pytest.approx(jarque_bera.statistic, rel=REL)
    assert (
        diagnostics["breusch_pagan"]["statistic"],
        diagnostics["breusch_pagan"]["p_value"],
    ) == pytest.approx((breusch_pagan, bp_p), rel=REL, abs=1e-300)


@pytest.mark.parametrize("fit", [ols_a_mean_on_tot_emp, ols_log_wage_on_log_emp_major_group])
def test_saved_model_loads_back_and_predicts_the_same_numbers(
    real_warehouse: Settings, real_results: dict, fit
) -> None:
    with duckdb.connect(str(real_warehouse.warehouse), read_only=True) as con:
        sample = analysis_sample(con)
    fresh = fit(sample)
    path = real_warehouse.artifacts_dir / real_results["regressions"][fresh.name]["model_path"]
    loaded = load_model(path)
    rows = sample.dropna(subset=["tot_emp", "a_mean"])
    np.testing.assert_allclose(loaded.predict(rows), fresh.fitted.predict(rows), rtol=1e-12)
    np.testing.assert_allclose(loaded.params, fresh.fitted.params, rtol=1e-12)


def test_saved_linear_model_predicts_what_statsmodels_fitted_here_predicts(
    real_warehouse: Settings, real_results: dict, workbook_sample: pd.DataFrame
) -> None:
    loaded = load_model(
        real_warehouse.artifacts_dir
        / real_results["regressions"]["ols_a_mean_on_tot_emp"]["model_path"]
    )
    new_rows = pd.DataFrame({"tot_emp": [30.0, 1_000.0, 250_000.0]})
    expected = linear_fit(workbook_sample).predict(
        sm.add_constant(new_rows["tot_emp"], has_constant="add")
    )
    np.testing.assert_allclose(loaded.predict(new_rows), expected, rtol=REL)
