"""The study's two OLS models of one state x detailed-occupation row each (HC3 standard errors).

* `ols_a_mean_on_tot_emp`: a_mean ~ tot_emp, the notebook's model, kept to show how
  little employment explains and how badly its assumptions hold;
* `ols_log_wage_on_log_emp_major_group`: log(a_mean) ~ log(tot_emp) + major group, the
  explanatory model: the slope is an elasticity within SOC major groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from statsmodels.regression.linear_model import RegressionResultsWrapper

from analysis_py.stats.regression import Coefficient, OLSFit, ols_hc3

__all__ = [
    "MODEL_NAMES",
    "OLS_LINEAR",
    "OLS_LOG",
    "RegressionResult",
    "ols_a_mean_on_tot_emp",
    "ols_log_wage_on_log_emp_major_group",
]

#: The name of each model: its function's name, its key in results.json and its joblib file.
OLS_LINEAR = "ols_a_mean_on_tot_emp"
OLS_LOG = "ols_log_wage_on_log_emp_major_group"
MODEL_NAMES: tuple[str, ...] = (OLS_LINEAR, OLS_LOG)


@dataclass(frozen=True)
class RegressionResult:
    """One of the study's models: its name, the sample it was fitted on and what it excluded, and the fit.

    `focus_term` is the coefficient the study is about (the slope of employment);
    `term_labels` names each term for people (a group dummy by the group's title).
    `model_path` is set once `outputs` saved the fitted model.
    """

    name: str
    fit: OLSFit
    n_excluded_suppressed: int
    n_top_coded: int
    sample: str
    focus_term: str
    term_labels: Mapping[str, str] = field(default_factory=dict)
    model_path: str | None = None

    @property
    def formula(self) -> str:
        return self.fit.formula

    @property
    def n(self) -> int:
        return self.fit.n

    @property
    def r_squared(self) -> float:
        return self.fit.r_squared

    @property
    def coefficients(self) -> tuple[Coefficient, ...]:
        return self.fit.coefficients

    @property
    def diagnostics(self) -> dict[str, Any]:
        return self.fit.diagnostics

    @property
    def fitted(self) -> RegressionResultsWrapper:
        return self.fit.fitted

    def coefficient(self, term: str) -> Coefficient:
        return self.fit.coefficient(term)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "formula": self.fit.formula,
            "n": self.fit.n,
            "r_squared": self.fit.r_squared,
            "adj_r_squared": self.fit.adj_r_squared,
            "coefficients": [coefficient.to_dict() for coefficient in self.fit.coefficients],
            "focus_term": self.focus_term,
            "term_labels": dict(self.term_labels),
            "diagnostics": self.fit.diagnostics,
            "n_excluded_suppressed": self.n_excluded_suppressed,
            "n_top_coded": self.n_top_coded,
            "cov_type": self.fit.cov_type,
            "ci_level": self.fit.level,
            "sample": self.sample,
            "model_path": self.model_path,
        }


def _model_rows(sample: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int, int]:
    """Rows with every column published, and the excluded counts (suppressed, top-coded a_mean)."""
    present = sample[columns].notna().all(axis=1)
    top_coded = sample["is_a_mean_top_coded"].fillna(False).astype(bool) & ~present
    kept = sample.loc[present, columns].reset_index(drop=True)
    return kept, int((~present & ~top_coded).sum()), int(top_coded.sum())


def ols_a_mean_on_tot_emp(
    sample: pd.DataFrame, description: str = "analysis sample"
) -> RegressionResult:
    """OLS a_mean ~ tot_emp (HC3): the notebook's model."""
    data, suppressed, top_coded = _model_rows(sample, ["a_mean", "tot_emp"])
    labels = {"tot_emp": "tot_emp (dollars per job)", "Intercept": "intercept"}
    return RegressionResult(
        OLS_LINEAR,
        ols_hc3("a_mean ~ tot_emp", data),
        suppressed,
        top_coded,
        description,
        "tot_emp",
        labels,
    )


_GROUP_TERM = "C(soc_major_group_code)[T.{}]"
_LOG_EMP = "np.log(tot_emp)"


def _group_title(sample: pd.DataFrame, code: str) -> str:
    titles = sample.loc[sample["soc_major_group_code"] == code, "soc_major_group_title"].dropna()
    return code if titles.empty else str(titles.iloc[0]).removesuffix(" Occupations")


def ols_log_wage_on_log_emp_major_group(
    sample: pd.DataFrame, description: str = "analysis sample"
) -> RegressionResult:
    """OLS log(a_mean) ~ log(tot_emp) + C(SOC major group) (HC3); natural logs, reference group the first code."""
    data, suppressed, top_coded = _model_rows(sample, ["a_mean", "tot_emp", "soc_major_group_code"])
    positive = (data["a_mean"] > 0) & (data["tot_emp"] > 0)
    data = data.loc[positive].reset_index(drop=True).astype({"soc_major_group_code": str})
    formula = f"np.log(a_mean) ~ {_LOG_EMP} + C(soc_major_group_code)"
    codes = sorted(data["soc_major_group_code"].unique())
    labels = {
        _LOG_EMP: "log(tot_emp): elasticity within major groups",
        "Intercept": f"intercept ({_group_title(sample, codes[0])}, the reference group)",
        **{
            _GROUP_TERM.format(
                code
            ): f"{_group_title(sample, code)} (vs {_group_title(sample, codes[0])})"
            for code in codes[1:]
        },
    }
    return RegressionResult(
        OLS_LOG,
        ols_hc3(formula, data),
        suppressed + int((~positive).sum()),
        top_coded,
        description,
        _LOG_EMP,
        labels,
    )
