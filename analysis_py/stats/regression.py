"""Ordinary least squares with HC3 heteroskedasticity-robust standard errors (statsmodels), with diagnostics.

`ols_hc3(formula, data)` fits a patsy formula (numpy is in scope as `np`, so
`np.log(y) ~ np.log(x) + C(group)` works) and returns coefficients with CIs, R^2 and
residual diagnostics (Jarque-Bera, Breusch-Pagan) in a frozen `OLSFit`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np  # noqa: F401  (patsy evaluates formulas here: `np.log(...)` needs numpy in this module)
import pandas as pd
from statsmodels.regression.linear_model import OLS, RegressionResultsWrapper
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import jarque_bera

from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL

__all__ = ["Coefficient", "OLSFit", "ols_hc3"]


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
class OLSFit:
    """A fitted OLS: formula, n, R^2, coefficients with HC3 SEs and CIs, residual diagnostics.

    `fitted` is the statsmodels results object (it predicts; it is not serialized here).
    """

    formula: str
    n: int
    r_squared: float
    adj_r_squared: float
    coefficients: tuple[Coefficient, ...]
    diagnostics: dict[str, Any]
    cov_type: str
    level: float
    fitted: RegressionResultsWrapper

    def coefficient(self, term: str) -> Coefficient:
        return next(c for c in self.coefficients if c.term == term)


def ols_hc3(formula: str, data: pd.DataFrame, level: float = LEVEL, min_rows: int = 10) -> OLSFit:
    """Fit `formula` on `data` by OLS with HC3 standard errors; coefficients, R^2 and diagnostics."""
    if len(data) < min_rows:
        raise AnalysisError(formula, f"{len(data)} complete rows; at least {min_rows} are needed")
    fitted = OLS.from_formula(formula, data=data).fit(cov_type="HC3")
    intervals = fitted.conf_int(alpha=1 - level)
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
        "jarque_bera": {
            "statistic": float(jb),
            "p_value": float(jb_p),
            "skew": float(skew),
            "kurtosis": float(kurtosis),
            "reads": "H0: residuals normal (small p: they are not; HC3 SEs and large n carry the inference)",
        },
        "breusch_pagan": {
            "statistic": float(bp),
            "p_value": float(bp_p),
            "reads": "H0: constant residual variance (small p: heteroskedastic, hence HC3)",
        },
        "condition_number": float(fitted.condition_number),
        "f_statistic_hc3": float(fitted.fvalue),
        "f_p_value_hc3": float(fitted.f_pvalue),
        "df_model": float(fitted.df_model),
        "df_resid": float(fitted.df_resid),
    }
    return OLSFit(
        formula=formula,
        n=int(fitted.nobs),
        r_squared=float(fitted.rsquared),
        adj_r_squared=float(fitted.rsquared_adj),
        coefficients=coefficients,
        diagnostics=diagnostics,
        cov_type="HC3",
        level=level,
        fitted=fitted,
    )
