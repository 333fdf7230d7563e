"""Look-ups over the published warehouse: releases, areas, occupation search, wage rows with CIs, the run's results.

What `wage serve` answers (the server formats, this module reads): every function takes a
read-only connection and returns frozen records. A wage row carries its mean wage's 95% CI
from BLS's percent relative standard error (se = a_mean x MEAN_PRSE / 100, the mart's
`a_mean_se`) and the names of its flags (`a_mean_top_coded`, `a_median_not_available`...).
BLS publishes no standard error for medians and percentiles, so they have no CI.

Unknown codes raise `UnknownCode` (the server's 404); bad arguments `AnalysisError`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analysis_py.bls import O_GROUP_LEVELS
from analysis_py.errors import AnalysisError
from analysis_py.stats.results import LEVEL, Record, z_critical
from analysis_py.study import compare

__all__ = [
    "UnknownCode",
    "Release",
    "Area",
    "Occupation",
    "WageRow",
    "WagePage",
    "WageQuery",
    "RunResults",
    "SORTABLE",
    "MAX_PAGE_SIZE",
    "MAX_OFFSET",
    "FIRST_RELEASE",
    "LAST_RELEASE",
    "list_releases",
    "newest_release",
    "list_areas",
    "resolve_area",
    "search_occupations",
    "wage_rows",
    "run_results",
    "comparison",
]

#: Columns /api/wages may sort by (prefix `-` for descending); ties are broken by area and occupation.
SORTABLE = (
    "a_mean",
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
#: Release years a parameter may name: OEWS's first May estimates (1997) to a bound far ahead.
FIRST_RELEASE = 1997
LAST_RELEASE = 2100

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
)


class UnknownCode(AnalysisError):
    """A code (area, occupation, release) that the warehouse does not hold."""


@dataclass(frozen=True)
class Release(Record):
    """One release loaded in the warehouse."""

    release_year: int
    label: str
    n_rows: int
    n_areas: int
    n_occupations: int
    file_kinds: list[str]
    is_newest: bool


@dataclass(frozen=True)
class Area(Record):
    """One area of a release: BLS code, title, type, state and Census geography."""

    area: str
    area_title: str
    area_type: int
    area_type_name: str | None
    prim_state: str | None
    state_fips: str | None
    census_region: str | None
    census_division: str | None


@dataclass(frozen=True)
class Occupation(Record):
    """One SOC code found by a search, with how well it matched (0 = the code itself, higher = looser)."""

    occ_code: str
    occ_title: str
    o_group: str
    soc_major_group_code: str | None
    soc_major_group_title: str | None
    match_rank: int
    n_areas: int


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


@dataclass(frozen=True)
class RunResults(Record):
    """The statistics of the run that built the warehouse: tests and regression terms."""

    source: str  # "warehouse" (schema analysis) or "results.json"
    release_year: int | None
    tests: list[dict[str, Any]]
    regressions: list[dict[str, Any]]


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def list_releases(con: duckdb.DuckDBPyConnection) -> list[Release]:
    """Every release in `fct_occupation_wages`, newest first."""
    rows = con.execute(
        """
        select release_year, count(*), count(distinct area), count(distinct occ_code), list(distinct file_kind order by file_kind)
        from fct_occupation_wages
        group by release_year
        order by release_year desc
        """
    ).fetchall()
    return [
        Release(
            int(year), f"May {year}", int(n), int(areas), int(occupations), list(kinds), index == 0
        )
        for index, (year, n, areas, occupations, kinds) in enumerate(rows)
    ]


def newest_release(con: duckdb.DuckDBPyConnection, release_year: int | None = None) -> int:
    """`release_year` when loaded (UnknownCode otherwise), else the newest release."""
    years = [
        int(r[0])
        for r in con.execute(
            "select distinct release_year from fct_occupation_wages order by 1 desc"
        ).fetchall()
    ]
    if not years:
        raise UnknownCode("release", "the warehouse holds no rows: run `wage run` with a workbook")
    if release_year is None:
        return years[0]
    if release_year not in years:
        raise UnknownCode(
            "release",
            f"no release {release_year} in the warehouse (loaded: {', '.join(map(str, years))})",
        )
    return release_year


def list_areas(
    con: duckdb.DuckDBPyConnection, release_year: int | None = None, area_type: int | None = None
) -> list[Area]:
    """The areas of a release (newest when None), optionally one area type (2 = states and DC), by code."""
    year = newest_release(con, release_year)
    rows = con.execute(
        """
        with areas_of_release as (
            select distinct area, area_title, area_type, prim_state
            from fct_occupation_wages
            where release_year = $year and ($type is null or area_type = $type)
        )
        select
            areas_of_release.area, areas_of_release.area_title, areas_of_release.area_type,
            dim_area.area_type_name, areas_of_release.prim_state, dim_area.state_fips,
            dim_area.census_region, dim_area.census_division
        from areas_of_release
        left join dim_area on areas_of_release.area = dim_area.area
        order by areas_of_release.area_type, areas_of_release.area_title
        """,
        {"year": year, "type": area_type},
    ).fetchall()
    return [Area(str(r[0]), str(r[1]), int(r[2]), r[3], r[4], r[5], r[6], r[7]) for r in rows]


def resolve_area(con: duckdb.DuckDBPyConnection, area: str) -> str:
    """The BLS code of `area` (a code, or a state's postal abbreviation), or UnknownCode."""
    text = area.strip()
    rows = con.execute(
        """
        select distinct area from fct_occupation_wages
        where area = $a or (ltrim(area, '0') = ltrim($a, '0') and ltrim($a, '0') != '') or (area_type = 2 and prim_state = upper($a))
        order by 1
        """,
        {"a": text},
    ).fetchall()
    if not rows:
        raise UnknownCode(
            "area",
            f"no area {text!r} in the warehouse (use a BLS area code such as 06, or a state abbreviation such as CA)",
        )
    return str(rows[0][0])


def _resolve_occupation(con: duckdb.DuckDBPyConnection, occ_code: str) -> str:
    code = occ_code.strip()
    if not con.execute("select 1 from dim_occupation where occ_code = $c", {"c": code}).fetchall():
        raise UnknownCode(
            "occ_code",
            f"no occupation {code!r} in the warehouse (search titles with /api/occupations?q=)",
        )
    return code


def search_occupations(
    con: duckdb.DuckDBPyConnection,
    q: str = "",
    o_group: str | None = None,
    release_year: int | None = None,
    limit: int = 20,
) -> list[Occupation]:
    """Occupations whose code or title matches `q`, best first.

    Rank: 0 the code itself or a code prefix, 1 the title exactly, 2 a title starting with
    `q`, 3 every word of `q` at the start of a title word, 4 every word anywhere; within a
    rank, detailed before broader levels, then by title. Empty `q` lists every occupation.
    """
    if o_group is not None and o_group not in O_GROUP_LEVELS:
        raise AnalysisError(
            "o_group", f"unknown level {o_group!r} (one of {', '.join(O_GROUP_LEVELS)})"
        )
    year = newest_release(con, release_year)
    text = " ".join(q.lower().split())
    words = re.findall(r"[a-z0-9-]+", text)
    word_starts = (
        " and ".join(f"regexp_matches(lower(o.occ_title), $w{i})" for i in range(len(words)))
        or "true"
    )
    anywhere = (
        " and ".join(f"contains(lower(o.occ_title), $a{i})" for i in range(len(words))) or "true"
    )
    parameters: dict[str, Any] = {"q": text, "year": year, "level": o_group, "limit": limit}
    parameters |= {f"w{i}": rf"\b{re.escape(word)}" for i, word in enumerate(words)}
    parameters |= {f"a{i}": word for i, word in enumerate(words)}
    rows = con.execute(
        f"""
        with occupations_of_release as (
            select occ_code, count(distinct area) as n_areas
            from fct_occupation_wages
            where release_year = $year and ($level is null or o_group = $level)
            group by occ_code
        ),
        occupations_ranked as (
            select
                o.occ_code, o.occ_title, o.o_group, o.soc_major_group_code, o.soc_major_group_title,
                case
                    when $q = '' then 5
                    when o.occ_code = $q or starts_with(o.occ_code, $q) then 0
                    when lower(o.occ_title) = $q then 1
                    when starts_with(lower(o.occ_title), $q) then 2
                    when {word_starts} then 3
                    when {anywhere} then 4
                end as match_rank,
                occupations_of_release.n_areas,
            from dim_occupation as o
            join occupations_of_release on o.occ_code = occupations_of_release.occ_code
        )
        select * from occupations_ranked
        where match_rank is not null
        order by match_rank,
            case o_group when 'detailed' then 0 when 'broad' then 1 when 'minor' then 2 when 'major' then 3 else 4 end,
            occ_title, occ_code
        limit $limit
        """,
        parameters,
    ).fetchall()
    return [
        Occupation(str(r[0]), str(r[1]), str(r[2]), r[3], r[4], int(r[5]), int(r[6])) for r in rows
    ]


def _flag_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The mart's `is_<column>_<state>` flags (not the selection flag), as the mart has them."""
    names = [
        r[0]
        for r in con.execute("select column_name from (describe fct_occupation_wages)").fetchall()
    ]
    return [
        name
        for name in names
        if name.startswith("is_") and name != "is_cross_industry_all_ownerships"
    ]


def _interval(
    estimate: float | None, se: float | None, z: float
) -> tuple[float | None, float | None]:
    if estimate is None or se is None or math.isnan(se):
        return None, None
    return estimate - z * se, estimate + z * se


def wage_rows(con: duckdb.DuckDBPyConnection, query: WageQuery) -> WagePage:
    """One page of cross-industry, all-ownership estimates matching `query`, with 95% CIs and flags."""
    key = query.sort.removeprefix("-")
    if key not in SORTABLE:
        raise AnalysisError(
            "sort",
            f"cannot sort by {query.sort!r} (one of {', '.join(SORTABLE)}, `-` for descending)",
        )
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise AnalysisError("limit", f"must be 1 to {MAX_PAGE_SIZE}, not {query.limit}")
    if not 0 <= query.offset <= MAX_OFFSET:
        raise AnalysisError("offset", f"must be 0 to {MAX_OFFSET}, not {query.offset}")
    if query.o_group is not None and query.o_group not in O_GROUP_LEVELS:
        raise AnalysisError(
            "o_group", f"unknown level {query.o_group!r} (one of {', '.join(O_GROUP_LEVELS)})"
        )
    year = newest_release(con, query.release_year)
    area = resolve_area(con, query.area) if query.area else None
    occupation = _resolve_occupation(con, query.occ_code) if query.occ_code else None
    flags = _flag_columns(con)
    direction = "desc" if query.sort.startswith("-") else "asc"
    rows = con.execute(
        f"""
        select
            release_year, area, area_title, area_type, prim_state, occ_code, occ_title, o_group,
            {", ".join(_MEASURES)},
            [flag for flag in [{", ".join(f"case when {name} then '{name[3:]}' end" for name in flags) or "null"}] if flag is not null] as flags,
            count(*) over () as total,
        from fct_occupation_wages
        where is_cross_industry_all_ownerships
            and release_year = $year
            and ($occ is null or occ_code = $occ)
            and ($area is null or area = $area)
            and ($type is null or area_type = $type)
            and ($level is null or o_group = $level)
        order by {key} {direction} nulls last, area, occ_code, o_group
        limit $limit offset $offset
        """,
        {
            "year": year,
            "occ": occupation,
            "area": area,
            "type": query.area_type,
            "level": query.o_group,
            "limit": query.limit,
            "offset": query.offset,
        },
    ).fetchall()
    z = z_critical(LEVEL)
    page = []
    for row in rows:
        values = dict(zip(_MEASURES, row[8 : 8 + len(_MEASURES)]))
        a_low, a_high = _interval(values["a_mean"], values["a_mean_se"], z)
        h_low, h_high = _interval(values["h_mean"], values["h_mean_se"], z)
        page.append(
            WageRow(
                release_year=int(row[0]),
                area=str(row[1]),
                area_title=str(row[2]),
                area_type=int(row[3]),
                prim_state=row[4],
                occ_code=str(row[5]),
                occ_title=str(row[6]),
                o_group=str(row[7]),
                tot_emp=values["tot_emp"],
                emp_prse=values["emp_prse"],
                jobs_1000=values["jobs_1000"],
                loc_quotient=values["loc_quotient"],
                h_mean=values["h_mean"],
                a_mean=values["a_mean"],
                mean_prse=values["mean_prse"],
                a_mean_se=values["a_mean_se"],
                a_mean_ci_low=a_low,
                a_mean_ci_high=a_high,
                h_mean_se=values["h_mean_se"],
                h_mean_ci_low=h_low,
                h_mean_ci_high=h_high,
                h_median=values["h_median"],
                a_pct10=values["a_pct10"],
                a_pct25=values["a_pct25"],
                a_median=values["a_median"],
                a_pct75=values["a_pct75"],
                a_pct90=values["a_pct90"],
                top_code_annual_bound=values["top_code_annual_bound"],
                ci_level=LEVEL,
                flags=list(row[8 + len(_MEASURES)]),
            )
        )
    total = int(rows[0][-1]) if rows else _count(con, year, occupation, area, query)
    return WagePage(year, total, query.offset, query.limit, page)


def _count(
    con: duckdb.DuckDBPyConnection,
    year: int,
    occupation: str | None,
    area: str | None,
    query: WageQuery,
) -> int:
    """The number of matching rows when the page is empty (an offset past the end)."""
    return int(
        con.execute(
            """
        select count(*) from fct_occupation_wages
        where is_cross_industry_all_ownerships and release_year = $year and ($occ is null or occ_code = $occ)
            and ($area is null or area = $area) and ($type is null or area_type = $type) and ($level is null or o_group = $level)
        """,
            {
                "year": year,
                "occ": occupation,
                "area": area,
                "type": query.area_type,
                "level": query.o_group,
            },
        ).fetchone()[0]
    )


def run_results(con: duckdb.DuckDBPyConnection, results_json: Path | None = None) -> RunResults:
    """The run's tests and regressions: schema `analysis` of the warehouse, else `results_json`.

    AnalysisError when neither holds them (a warehouse built without state rows has none).
    """
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'analysis'"
        ).fetchall()
    }
    if {"test_results", "regression_coefficients"} <= tables:
        tests = _records(con.execute("select * from analysis.test_results order by name"))
        regressions = _records(
            con.execute("select * from analysis.regression_coefficients order by model, term")
        )
        years = {row.get("release_year") for row in tests + regressions}
        return RunResults(
            "warehouse", next(iter(years)) if len(years) == 1 else None, tests, regressions
        )
    if results_json is not None and results_json.exists():
        payload = json.loads(results_json.read_text(encoding="utf-8"))
        regressions = payload.get("regressions", [])
        return RunResults(
            "results.json",
            payload.get("release_year"),
            list(payload.get("tests", [])),
            list(regressions.values()) if isinstance(regressions, dict) else list(regressions),
        )
    raise UnknownCode(
        "results",
        "this warehouse has no analysis results (schema analysis is missing): run `wage analyze`",
    )


def comparison(
    con: duckdb.DuckDBPyConnection,
    occ_codes: list[str],
    areas: list[str],
    releases: list[int],
    dollars: str = "nominal",
) -> compare.Comparison:
    """The one comparison that two areas, two occupations or two releases ask for (see `study.compare`).

    Exactly one of the three lists has two entries, the others at most one. Unknown codes
    raise UnknownCode; `dollars` is "nominal" (real dollars need the releases' price index).
    """
    if dollars != "nominal":
        raise AnalysisError(
            "dollars", f"{dollars!r} is not available: comparisons are in nominal dollars"
        )
    pairs = [
        name
        for name, values in (("occ_code", occ_codes), ("area", areas), ("release", releases))
        if len(values) == 2
    ]
    too_many = [
        name
        for name, values in (("occ_code", occ_codes), ("area", areas), ("release", releases))
        if len(values) > 2
    ]
    if too_many or len(pairs) != 1:
        raise AnalysisError(
            (too_many or pairs or ["area"])[0],
            "give two areas (one occupation), two occupations (one area) or two releases (one occupation and area)",
        )
    if not occ_codes or not areas:
        raise AnalysisError("occ_code" if not occ_codes else "area", "is required")
    codes = [_resolve_occupation(con, code) for code in occ_codes]
    places = [resolve_area(con, area) for area in areas]
    years = [newest_release(con, year) for year in releases]
    for code in codes:
        for place in places:
            for year in years or [None]:
                _require_row(con, code, place, year)
    if pairs == ["area"]:
        return compare.compare_areas(
            con, codes[0], places[0], places[1], years[0] if years else None
        )
    if pairs == ["occ_code"]:
        return compare.compare_occupations(
            con, places[0], codes[0], codes[1], years[0] if years else None
        )
    return compare.compare_releases(con, codes[0], places[0], years[0], years[1])


def _require_row(
    con: duckdb.DuckDBPyConnection, occ_code: str, area: str, release_year: int | None
) -> None:
    found = con.execute(
        """
        select 1 from fct_occupation_wages
        where occ_code = $occ and area = $area and is_cross_industry_all_ownerships
            and ($year is null or release_year = $year)
        limit 1
        """,
        {"occ": occ_code, "area": area, "year": release_year},
    ).fetchall()
    if not found:
        when = f"release {release_year}" if release_year else "any release"
        raise UnknownCode(
            "occ_code", f"BLS published no row for occupation {occ_code} in area {area} in {when}"
        )
