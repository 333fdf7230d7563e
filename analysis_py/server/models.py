"""Response models: what `/openapi.json` documents for each endpoint.

Their rows are the records of `server.queries` and `study.compare`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from analysis_py.server.queries.lookups import Area, Occupation, Release
from analysis_py.server.queries.wages import WageRow
from analysis_py.study.compare import Estimate

__all__ = [
    "AreasResponse",
    "CompareResponse",
    "ErrorResponse",
    "OccupationsResponse",
    "ReleasesResponse",
    "ResultsResponse",
    "SqlResponse",
    "WagesResponse",
]


class ErrorResponse(BaseModel):
    """Every 4xx/5xx answer."""

    error: str = Field(description="what is wrong, in words")
    parameter: str | None = Field(None, description="the query parameter at fault, when one is")


class ReleasesResponse(BaseModel):
    releases: list[Release] = Field(description="loaded releases, newest first")


class AreasResponse(BaseModel):
    release_year: int
    areas: list[Area]


class OccupationsResponse(BaseModel):
    release_year: int
    q: str = Field(description="the search as given")
    occupations: list[Occupation] = Field(description="best match first (match_rank 0 = the code)")


class WagesResponse(BaseModel):
    release_year: int
    total: int = Field(description="rows matching the filters, on every page")
    offset: int
    limit: int
    truncated: bool = Field(description="true when more rows follow this page")
    next: str | None = Field(None, description="URL of the next page (null on the last)")
    ci_method: str = Field(description="how the CIs are computed")
    rows: list[WageRow]


class CompareResponse(BaseModel):
    kind: str = Field(description="areas, occupations or releases")
    measure: str = Field(
        description="the compared column: a_mean (mean annual wage), or h_mean (hourly mean) when "
        "BLS publishes only hourly wages for either occupation"
    )
    dollars: str = Field(description="nominal: as published")
    prices: str = Field(
        "local",
        description="local: as published; national: in U.S.-average prices (what the wage would "
        "buy at the national average price level), each side divided by its area's RPP / 100, "
        "its SE too: BEA publishes no error for RPPs, so the z carries OEWS's sampling error only",
    )
    first: Estimate
    second: Estimate
    estimate_1: float | None = Field(
        None,
        description="the first side's compared mean (in U.S.-average prices when prices is national)",
    )
    se_1: float | None = Field(None, description="its standard error, scaled like the mean")
    estimate_2: float | None = Field(None, description="the second side's compared mean")
    se_2: float | None = Field(None, description="its standard error, scaled like the mean")
    difference: float = Field(description="first minus second, dollars a year (an hour for h_mean)")
    se_difference: float = Field(description="sqrt(se_1^2 + se_2^2); 0 when both are exact")
    z: float | None = Field(description="difference / se_difference; null when both are exact")
    p_value: float | None = Field(description="two-sided, normal; null when both are exact")
    ci_low: float
    ci_high: float
    level: float = Field(description="confidence level of the CI")
    is_exact: bool = Field(
        description="both MEAN_PRSE 0 (BLS counts every worker): the difference is exact"
    )
    distinguishable: bool = Field(
        description="p < 1 - level: more than survey error explains (exact: difference is not 0)"
    )
    sentence: str = Field(description="the verdict in one plain-English sentence")
    caution: str = Field(
        description="what the two estimates' samples share, and what that does to the z"
    )
    is_soc_comparable: bool | None = Field(
        description="two releases of different SOC vintages: whether BLS's crosswalks link the "
        "code one to one (null: same vintage, not two releases, or no ruling for the pair)"
    )
    soc_comparability_rule: str | None = Field(
        description="the rule behind is_soc_comparable (fct_wage_changes.soc_comparability_rule)"
    )


class TestRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    statistic_name: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    p_holm: float | None = None
    n: int | None = None


class RegressionRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str | None = None
    term: str | None = None
    estimate: float | None = None
    std_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None


class ResultsResponse(BaseModel):
    source: str = Field(description="warehouse (schema analysis) or results.json")
    release_year: int | None
    tests: list[TestRow]
    regressions: list[RegressionRow]


class SqlResponse(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = Field(
        description="true when the answer was cut: at row_cap rows or byte_cap bytes of values"
    )
    truncated_by: str | None = Field(
        description='"rows" or "bytes": the cap that cut the answer; null when it is whole'
    )
    row_cap: int
    byte_cap: int
    time_limit_seconds: float
    elapsed_ms: float
