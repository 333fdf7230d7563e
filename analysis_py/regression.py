"""OLS on the analysis sample (statsmodels, HC3 standard errors) -> result dataclasses; joblib save/load.

Two models of one state x detailed-occupation row each:

* `ols_a_mean_on_tot_emp`: a_mean ~ tot_emp, the notebook's model, kept to show how
  little employment explains and how badly its assumptions hold;
* `ols_log_wage_on_log_emp_major_group`: log(a_mean) ~ log(tot_emp) + major group, the
  explanatory model: the slope is an elasticity within SOC major groups.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np  # noqa: F401  (the formulas call np.log; patsy evaluates them in this module)
import pandas as pd
from statsmodels.regression.linear_model import OLS, RegressionResultsWrapper
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import jarque_bera

from analysis_py.errors import AnalysisError

__all__ = [
    "Coefficient",
    "RegressionResult",
    "fit_ols",
    "ols_a_mean_on_tot_emp",
    "ols_log_wage_on_log_emp_major_group",
    "save_model",
    "load_model",
]

logger = logging.getLogger(__name__)

LEVEL = 0.95


@dataclass(frozen=True)
class Coefficient:
    term: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RegressionResult:
    """A fitted OLS: formula, n, R^2, coefficients with HC3 SEs and 95% CIs, residual diagnostics.

    `fitted` is the statsmodels results object (not serialized by `to_dict`; `save_model`
    writes it); `model_path` is set once it is saved.
    """

    name: str
    formula: str
    n: int
    r_squared: float
    adj_r_squared: float
    coefficients: tuple[Coefficient, ...]
    diagnostics: dict[str, Any]
    n_excluded_suppressed: int
    n_top_coded: int
    cov_type: str
    sample: str
    fitted: RegressionResultsWrapper
    model_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "formula": self.formula,
            "n": self.n,
            "r_squared": self.r_squared,
            "adj_r_squared": self.adj_r_squared,
            "coefficients": [coefficient.to_dict() for coefficient in self.coefficients],
            "diagnostics": self.diagnostics,
            "n_excluded_suppressed": self.n_excluded_suppressed,
            "n_top_coded": self.n_top_coded,
            "cov_type": self.cov_type,
            "ci_level": LEVEL,
            "sample": self.sample,
            "model_path": self.model_path,
        }

    def coefficient(self, term: str) -> Coefficient:
        return next(c for c in self.coefficients if c.term == term)


def _model_rows(sample: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int, int]:
    """Rows with every column published (positive for the log model), and the excluded counts."""
    present = sample[columns].notna().all(axis=1)
    top_coded = sample["is_a_mean_top_coded"].fillna(False).astype(bool) & ~present
    kept = sample.loc[present, columns].reset_index(drop=True)
    return kept, int((~present & ~top_coded).sum()), int(top_coded.sum())


def fit_ols(name: str, formula: str, data: pd.DataFrame, n_excluded_suppressed: int, n_top_coded: int, sample: str) -> RegressionResult:
    """Fit `formula` on `data` by OLS with HC3 standard errors; coefficients, R^2 and diagnostics."""
    if len(data) < 10:
        raise AnalysisError("analysis sample", f"{name}: {len(data)} complete rows; at least 10 are needed")
    fitted = OLS.from_formula(formula, data=data).fit(cov_type="HC3")
    intervals = fitted.conf_int(alpha=1 - LEVEL)
    coefficients = tuple(
        Coefficient(
            term=str(term),
            estimate=float(fitted.params[term]),
            std_error=float(fitted.bse[term]),
            ci_low=float(intervals.loc[term, 0]),
            ci_high=float(intervals.loc[term, 1]),
            p_value=float(fitted.pvalues[term]),
        )
        for term in fitted.params.index
    )
    jb, jb_p, skew, kurtosis = jarque_bera(fitted.resid)
    bp, bp_p, _, _ = het_breuschpagan(fitted.resid, fitted.model.exog)
    diagnostics = {
        "jarque_bera": {"statistic": float(jb), "p_value": float(jb_p), "skew": float(skew), "kurtosis": float(kurtosis),
                        "reads": "H0: residuals normal (small p: they are not; HC3 SEs and large n carry the inference)"},
        "breusch_pagan": {"statistic": float(bp), "p_value": float(bp_p),
                          "reads": "H0: constant residual variance (small p: heteroskedastic, hence HC3)"},
        "condition_number": float(fitted.condition_number),
        "f_statistic_hc3": float(fitted.fvalue),
        "f_p_value_hc3": float(fitted.f_pvalue),
        "df_model": float(fitted.df_model),
        "df_resid": float(fitted.df_resid),
    }  # fmt: skip
    return RegressionResult(
        name=name,
        formula=formula,
        n=int(fitted.nobs),
        r_squared=float(fitted.rsquared),
        adj_r_squared=float(fitted.rsquared_adj),
        coefficients=coefficients,
        diagnostics=diagnostics,
        n_excluded_suppressed=n_excluded_suppressed,
        n_top_coded=n_top_coded,
        cov_type="HC3",
        sample=sample,
        fitted=fitted,
    )


def ols_a_mean_on_tot_emp(sample: pd.DataFrame, description: str = "analysis sample") -> RegressionResult:
    """OLS a_mean ~ tot_emp (HC3): the notebook's model."""
    data, suppressed, top_coded = _model_rows(sample, ["a_mean", "tot_emp"])
    return fit_ols("ols_a_mean_on_tot_emp", "a_mean ~ tot_emp", data, suppressed, top_coded, description)


def ols_log_wage_on_log_emp_major_group(sample: pd.DataFrame, description: str = "analysis sample") -> RegressionResult:
    """OLS log(a_mean) ~ log(tot_emp) + C(SOC major group) (HC3); natural logs, reference group the first code."""
    data, suppressed, top_coded = _model_rows(sample, ["a_mean", "tot_emp", "soc_major_group_code"])
    positive = (data["a_mean"] > 0) & (data["tot_emp"] > 0)
    data = data.loc[positive].reset_index(drop=True).astype({"soc_major_group_code": str})
    formula = "np.log(a_mean) ~ np.log(tot_emp) + C(soc_major_group_code)"
    return fit_ols("ols_log_wage_on_log_emp_major_group", formula, data, suppressed + int((~positive).sum()), top_coded, description)


def save_model(result: RegressionResult, artifacts_dir: Path) -> RegressionResult:
    """Write the fitted model to `models/<name>.joblib` under `artifacts_dir` (without its copy of the data).

    Returns the result with `model_path` set, relative to `artifacts_dir`.
    """
    relative = Path("models") / f"{result.name}.joblib"
    path = artifacts_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    slim = copy.deepcopy(result.fitted)
    slim.remove_data()
    joblib.dump(slim, path, compress=3)
    logger.debug("saved %s to %s", result.name, path)
    return replace(result, model_path=relative.as_posix())


def load_model(path: Path) -> RegressionResultsWrapper:
    """A model written by `save_model`; `.predict(frame)` takes the original columns (tot_emp, ...)."""
    return joblib.load(path)
