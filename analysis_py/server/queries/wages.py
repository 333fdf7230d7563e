"""One page of published estimates: filters, sort order and paging, each mean with its 95% CI and flags.

A row's mean wage has a CI from BLS's percent relative standard error (se = a_mean x
MEAN_PRSE / 100, the mart's `a_mean_se`) and lists the names of its flags
(`a_mean_top_coded`, `a_median_not_available`...); its means and median are also given in
U.S.-average prices (`*_rpp_adjusted`: / the area's RPP x 100), beside the RPP and its year. BLS publishes no standard error for
medians and percentiles, so they have no CI.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from analysis_py.bls import o_group_levels
from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL, Record, z_critical
from analysis_py.study.lookup import newest_release, resolve_area, resolve_occupation

__all__ = [
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "SORTABLE",
    "WagePage",
    "WageQuery",
    "WageRow",
    "wage_rows",
]

#: Columns /api/wages may sort by (prefix `-` for descending); ties are broken by area and occupation.
SORTABLE = (
    "a_mean",
    "a_mean_rpp_adjusted",
    "a_median",
    "h_mean",
    "h_median",
    "tot_emp",
    "mean_prse",
    "loc_quotient",
    "jobs_1000",
    "area",
    "area_title",
    "occ_code",
    "occ_title",
)
MAX_PAGE_SIZE = 1000
#: Rows a page may skip: far past every OEWS release together (under 500,000 rows a year),
#: and far inside DuckDB's BIGINT, which a larger number given as a parameter would overflow.
MAX_OFFSET = 1_000_000_000

#: The columns before the measures in the select of `wage_rows`, each with how a WageRow holds it.
_KEYS: dict[str, Callable[[Any], Any]] = {
    "release_year": int,
    "area": str,
    "area_title": str,
    "area_type": int,
    "prim_state": lambda state: state,  # None where the row has no state
    "occ_code": str,
    "occ_title": str,
    "o_group": str,
}

_MEASURES = (
    "tot_emp",
    "emp_prse",
    "jobs_1000",
    "loc_quotient",
    "h_mean",
    "a_mean",
    "mean_prse",
    "a_mean_se",
    "h_mean_se",
    "h_median",
    "a_pct10",
    "a_pct25",
    "a_median",
    "a_pct75",
    "a_pct90",
    "top_code_annual_bound",
    # in U.S.-average prices: what the wage would buy at the national average price level
    "rpp",
    "rpp_year",
    "a_mean_rpp_adjusted",
    "h_mean_rpp_adjusted",
    "a_median_rpp_adjusted",
)
#: `is_` columns of the mart that are not a cell's flag: the row's selection, its RPP's year
_NOT_FLAGS = ("is_cross_industry_all_ownerships", "is_rpp_of_earlier_year")


@dataclass(frozen=True)
class WageRow(Record):
    """One published estimate with the 95% CIs of its means and the names of its flags."""

    release_year: int
    area: str
    area_title: str
    area_type: int
    prim_state: str | None
    occ_code: str
    occ_title: str
    o_group: str
    tot_emp: float | None
    emp_prse: float | None
    jobs_1000: float | None
    loc_quotient: float | None
    h_mean: float | None
    a_mean: float | None
    mean_prse: float | None
    a_mean_se: float | None
    a_mean_ci_low: float | None
    a_mean_ci_high: float | None
    h_mean_se: float | None
    h_mean_ci_low: float | None
    h_mean_ci_high: float | None
    h_median: float | None
    a_pct10: float | None
    a_pct25: float | None
    a_median: float | None
    a_pct75: float | None
    a_pct90: float | None
    top_code_annual_bound: float | None
    rpp: float | None  # BEA's all-items RPP of the area (U.S. = 100); None where BEA has none
    rpp_year: int | None
    a_mean_rpp_adjusted: float | None
    h_mean_rpp_adjusted: float | None
    a_median_rpp_adjusted: float | None
    ci_level: float
    flags: list[str]


@dataclass(frozen=True)
class WageQuery:
    """Filters, order and page of `wage_rows`. `area` is a code or a state abbreviation; release None = newest."""

    occ_code: str | None = None
    area: str | None = None
    area_type: int | None = None
    release_year: int | None = None
    o_group: str | None = None
    sort: str = "area"
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class WagePage:
    """One page of wage rows: `total` rows match; more follow when offset + len(rows) < total."""

    release_year: int
    total: int
    offset: int
    limit: int
    rows: list[WageRow] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total


def _flag_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The mart's `is_<column>_<state>` flags (not the selection flag), as the mart has them."""
    names = [
        r[0]
        for r in con.execute("select column_name from (describe fct_occupation_wages)").fetchall()
    ]
    return [name for name in names if name.startswith("is_") and name not in _NOT_FLAGS]


def _interval(
    estimate: float | None, se: float | None, z: float
) -> tuple[float | None, float | None]:
    if estimate is None or se is None or math.isnan(se):
        return None, None
    return estimate - z * se, estimate + z * se


#: The rows a query matches; `$occ`, `$area`, `$type` and `$level` are NULL when not filtered on.
_MATCHING = """
    is_cross_industry_all_ownerships
    and release_year = $year
    and ($occ is null or occ_code = $occ)
    and ($area is null or area = $area)
    and ($type is null or area_type = $type)
    and ($level is null or o_group = $level)
"""


def _checked(query: WageQuery) -> WageQuery:
    """`query` when its sort column, page and level are allowed, else AnalysisError naming the parameter."""
    if query.sort.removeprefix("-") not in SORTABLE:
        raise AnalysisError(
            "sort",
            f"cannot sort by {query.sort!r} (one of {', '.join(SORTABLE)}, `-` for descending)",
        )
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise AnalysisError("limit", f"must be 1 to {MAX_PAGE_SIZE}, not {query.limit}")
    if not 0 <= query.offset <= MAX_OFFSET:
        raise AnalysisError("offset", f"must be 0 to {MAX_OFFSET}, not {query.offset}")
    if query.o_group is not None and query.o_group not in (levels := o_group_levels()):
        raise AnalysisError(
            "o_group", f"unknown level {query.o_group!r} (one of {', '.join(levels)})"
        )
    return query


def _filter_values(con: duckdb.DuckDBPyConnection, query: WageQuery) -> dict[str, Any]:
    """The parameters of `_MATCHING`: the release, area and occupation resolved to the warehouse's keys."""
    return {
        "year": newest_release(con, query.release_year),
        "area": resolve_area(con, query.area) if query.area else None,
        "occ": resolve_occupation(con, query.occ_code) if query.occ_code else None,
        "type": query.area_type,
        "level": query.o_group,
    }


def _wage_row(row: tuple[Any, ...], z: float) -> WageRow:
    """A fetched row (keys, measures, flags) as a WageRow with the CIs of its means."""
    values = dict(zip(_MEASURES, row[len(_KEYS) : len(_KEYS) + len(_MEASURES)], strict=True))
    a_low, a_high = _interval(values["a_mean"], values["a_mean_se"], z)
    h_low, h_high = _interval(values["h_mean"], values["h_mean_se"], z)
    keys = {
        name: read(value)
        for (name, read), value in zip(_KEYS.items(), row[: len(_KEYS)], strict=True)
    }
    return WageRow(
        **keys,
        **values,
        a_mean_ci_low=a_low,
        a_mean_ci_high=a_high,
        h_mean_ci_low=h_low,
        h_mean_ci_high=h_high,
        ci_level=LEVEL,
        flags=list(row[len(_KEYS) + len(_MEASURES)]),
    )


def wage_rows(con: duckdb.DuckDBPyConnection, query: WageQuery) -> WagePage:
    """One page of cross-industry, all-ownership estimates matching `query`, with 95% CIs and flags."""
    query = _checked(query)
    filters = _filter_values(con, query)
    flags = _flag_columns(con)
    key = query.sort.removeprefix("-")
    direction = "desc" if query.sort.startswith("-") else "asc"
    rows = con.execute(
        f"""
        select
            {", ".join(_KEYS)},
            {", ".join(_MEASURES)},
            [flag for flag in [{", ".join(f"case when {name} then '{name[3:]}' end" for name in flags) or "null"}] if flag is not null] as flags,
            count(*) over () as total,
        from fct_occupation_wages
        where {_MATCHING}
        order by {key} {direction} nulls last, area, occ_code, o_group
        limit $limit offset $offset
        """,
        {**filters, "limit": query.limit, "offset": query.offset},
    ).fetchall()
    z = z_critical(LEVEL)
    page = [_wage_row(row, z) for row in rows]
    total = int(rows[0][-1]) if rows else _count(con, filters)
    return WagePage(filters["year"], total, query.offset, query.limit, page)


def _count(con: duckdb.DuckDBPyConnection, filters: dict[str, Any]) -> int:
    """The number of matching rows, for an empty page (an offset past the end)."""
    found = con.execute(f"select count(*) from fct_occupation_wages where {_MATCHING}", filters)
    return int(found.fetchone()[0])
