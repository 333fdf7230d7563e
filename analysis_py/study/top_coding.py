"""What the top-coded medians can do to the tech vs non-tech z test: the test rerun with them filled in.

A `#` median is at least the release's bound, and the release publishes medians far above
the bound as numbers; so the `#` cells are bounded by two runs: set to the bound (the least
they can be) and set to the largest median the release publishes (a high plausible value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis_py.stats.parametric import TwoSampleTest, z_test
from analysis_py.study.groups import TECH, GroupSummary, major_groups, top_code_flag

__all__ = ["top_code_scenarios"]


def _with_top_coded_as(sample: pd.DataFrame, column: str, value: pd.Series | float) -> pd.DataFrame:
    """The sample with every top-coded `column` (NULL + flag) set to `value`."""
    return sample.assign(
        **{
            column: sample[column].where(
                ~sample[top_code_flag(column)].fillna(False).astype(bool), value
            )
        }
    )


def _top_code_scenario(
    sample: pd.DataFrame, others: set[str], scenario: str, value: pd.Series | float, n_set: int
) -> dict[str, Any]:
    """The tech vs non-tech z test with every top-coded a_median set to `value`."""
    filled = _with_top_coded_as(sample, "a_median", value)
    x = (
        filled.loc[filled["soc_major_group_code"] == TECH, "a_median"]
        .dropna()
        .to_numpy(dtype=float)
    )
    y = (
        filled.loc[filled["soc_major_group_code"].isin(others), "a_median"]
        .dropna()
        .to_numpy(dtype=float)
    )
    result = z_test(x, y)
    return {
        "scenario": scenario,
        "n_set": n_set,
        "value_set": float(np.max(value)),
        "n": len(x) + len(y),
        "mean_difference": result.mean_difference,
        "ci_low": result.ci.low,
        "ci_high": result.ci.high,
        "statistic": result.statistic,
        "p_value": result.p_value,
    }


def top_code_scenarios(
    sample: pd.DataFrame, result: TwoSampleTest, groups: Mapping[str, GroupSummary]
) -> dict[str, Any]:
    """The z test's mean difference, and its two reruns with the top-coded medians of `groups` filled in."""
    others = set(major_groups(sample)) - {TECH}
    n_top_coded = sum(group.n_top_coded for group in groups.values())
    scenarios = [
        _top_code_scenario(
            sample,
            others,
            "top-coded medians set to the bound",
            sample["top_code_annual_bound"],
            n_top_coded,
        ),
        _top_code_scenario(
            sample,
            others,
            "top-coded medians set to the largest published median",
            float(sample["a_median"].max()),
            n_top_coded,
        ),
    ]
    return {"mean_difference": result.mean_difference, "top_code_scenarios": scenarios}
