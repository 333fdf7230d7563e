"""What there is to look up: the releases, the areas of a release, occupations by code or title words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from analysis_py.bls import o_group_levels
from analysis_py.errors import AnalysisError
from analysis_py.stats.results import Record
from analysis_py.study.lookup import newest_release

__all__ = [
    "FIRST_RELEASE",
    "LAST_RELEASE",
    "O_GROUP_DESCRIPTION",
    "Area",
    "Occupation",
    "Release",
    "list_areas",
    "list_releases",
    "search_occupations",
]

#: Release years a parameter may name: OEWS's first May estimates (1997) to a bound far ahead.
FIRST_RELEASE = 1997
LAST_RELEASE = 2100
#: The `o_group` parameter, as the API's documentation words it: the levels themselves are the
#: seed's (bls.o_group_levels), read when a request names one, not when the routes are declared.
O_GROUP_DESCRIPTION = (
    "hierarchy level, one of the table o_group_levels (the seed): total (all occupations), "
    "then the SOC levels down to detailed"
)


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
    if o_group is not None and o_group not in (levels := o_group_levels()):
        raise AnalysisError("o_group", f"unknown level {o_group!r} (one of {', '.join(levels)})")
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
