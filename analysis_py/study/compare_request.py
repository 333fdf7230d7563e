"""The one comparison a request names: two areas, two occupations or two releases, checked and resolved.

`wage compare` and `/api/compare` take lists of codes as typed; this module checks that they
name exactly one pair, resolves every code (`study.lookup`), makes sure BLS published a row
for each side, and asks `study.compare` for the comparison.
"""

from __future__ import annotations

import duckdb

from analysis_py.errors import AnalysisError
from analysis_py.study import compare
from analysis_py.study.lookup import UnknownCode, newest_release, resolve_area, resolve_occupation

__all__ = ["PRICES", "comparison"]

#: local: wages as published; national: in U.S.-average prices (wage / RPP x 100)
PRICES = ("local", "national")


def comparison(
    con: duckdb.DuckDBPyConnection,
    occ_codes: list[str],
    areas: list[str],
    releases: list[int],
    dollars: str = "nominal",
    prices: str = "local",
) -> compare.Comparison:
    """The one comparison that two areas, two occupations or two releases ask for (see `study.compare`).

    Exactly one of the three lists has two entries, the others at most one. Unknown codes
    raise UnknownCode; `dollars` is "nominal" (real dollars need the releases' price index);
    `prices` is "local" (as published) or "national" (U.S.-average prices, BEA's RPPs).
    """
    if dollars != "nominal":
        raise AnalysisError(
            "dollars", f"{dollars!r} is not available: comparisons are in nominal dollars"
        )
    if prices not in PRICES:
        raise AnalysisError("prices", f"{prices!r} is not one of {', '.join(PRICES)}")
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
    codes = [resolve_occupation(con, code) for code in occ_codes]
    places = [resolve_area(con, area) for area in areas]
    years = [newest_release(con, year) for year in releases]
    for code in codes:
        for place in places:
            for year in years or [None]:
                _require_row(con, code, place, year)
    if pairs == ["area"]:
        return compare.compare_areas(
            con, codes[0], places[0], places[1], years[0] if years else None, prices
        )
    if pairs == ["occ_code"]:
        return compare.compare_occupations(
            con, places[0], codes[0], codes[1], years[0] if years else None, prices
        )
    return compare.compare_releases(con, codes[0], places[0], years[0], years[1], prices)


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
