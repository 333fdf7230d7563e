"""The codes a user types, resolved against the published warehouse: a release, an area, an occupation.

The CLI's `wage compare` and the server both take what a person writes (`CA` or `06` for
California, a SOC code, a release year) and need the warehouse's own key for it, or an
`UnknownCode` (the server's 404) naming what is missing.
"""

from __future__ import annotations

import duckdb

from analysis_py.errors import AnalysisError

__all__ = ["UnknownCode", "newest_release", "resolve_area", "resolve_occupation"]


class UnknownCode(AnalysisError):
    """A code (area, occupation, release) that the warehouse does not hold."""


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


def resolve_occupation(con: duckdb.DuckDBPyConnection, occ_code: str) -> str:
    """`occ_code` without surrounding blanks when `dim_occupation` holds it, or UnknownCode."""
    code = occ_code.strip()
    if not con.execute("select 1 from dim_occupation where occ_code = $c", {"c": code}).fetchall():
        raise UnknownCode(
            "occ_code",
            f"no occupation {code!r} in the warehouse (search titles with /api/occupations?q=)",
        )
    return code
