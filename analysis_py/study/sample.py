"""Marts -> pandas DataFrames: the clean data every analysis, notebook or API starts from.

`analysis_sample` is the one call: rows of `fct_occupation_wages` for one release, one
area type and ONE hierarchy level (levels are never mixed), cross-industry and all
ownerships (`is_cross_industry_all_ownerships`), with the SOC major group's title from
`dim_occupation`. Only marts and dims are read. Symbols stay NULL with their flags
(`is_<column>_not_available`, `is_<column>_top_coded`), so each analysis decides, and
reports, what it excludes.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from analysis_py.bls import o_group_levels
from analysis_py.errors import AnalysisError

__all__ = [
    "analysis_sample",
    "newest_release",
    "state_totals",
    "wage_rows",
]


def newest_release(con: duckdb.DuckDBPyConnection, area_type: int | None = None) -> int:
    """The newest release_year in the fact (with rows of `area_type`, when given)."""
    row = con.execute(
        "select max(release_year) from fct_occupation_wages where $area_type is null or area_type = $area_type",
        {"area_type": area_type},
    ).fetchone()
    if row is None or row[0] is None:
        where = "" if area_type is None else f" with area_type {area_type}"
        raise AnalysisError(
            "fct_occupation_wages", f"no rows{where}: ingest a workbook and build first"
        )
    return int(row[0])


def wage_rows(
    con: duckdb.DuckDBPyConnection,
    release_year: int | None = None,
    area_type: int | None = 2,
    o_group: str | None = "detailed",
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Fact rows of one release (default newest), area type and level; None means any.

    `columns`: only these fact columns (default: every one but `loaded_at`, and the major
    group's title). Passing `o_group=None` mixes hierarchy levels: only for showing what that
    does (the naive comparison), never for a statistic. Use `analysis_sample` instead.
    """
    if o_group is not None and o_group not in (levels := o_group_levels()):
        raise AnalysisError(
            "fct_occupation_wages", f"o_group {o_group!r} is not one of {', '.join(levels)}"
        )
    release_year = newest_release(con, area_type) if release_year is None else release_year
    selected = (
        "f.* exclude (loaded_at, is_cross_industry_all_ownerships), o.soc_major_group_title"
        if columns is None
        else ", ".join(f'f."{column}"' for column in columns)
    )
    return con.execute(
        f"""
        select {selected}
        from fct_occupation_wages as f
        left join dim_occupation as o
            on f.occ_code = o.occ_code
        where f.release_year = $release_year
            and ($area_type is null or f.area_type = $area_type)
            and ($o_group is null or f.o_group = $o_group)
            and f.is_cross_industry_all_ownerships
        order by f.area_type, f.area, f.occ_code, f.o_group
        """,
        {"release_year": release_year, "area_type": area_type, "o_group": o_group},
    ).df()


def analysis_sample(
    con: duckdb.DuckDBPyConnection,
    release_year: int | None = None,
    area_type: int = 2,
    o_group: str = "detailed",
) -> pd.DataFrame:
    """The analysis sample: one release (default newest), area type 2 (states and DC), detailed rows.

    One row per area x occupation, every fact column but `loaded_at` (so the same input
    gives the same frame), plus `soc_major_group_title`. Symbols are NULL with flags.
    Raises AnalysisError when nothing matches.
    """
    sample = wage_rows(con, release_year, area_type, o_group)
    if sample.empty:
        raise AnalysisError(
            "fct_occupation_wages",
            f"no {o_group} rows of area_type {area_type} for release {release_year or 'newest'}",
        )
    return sample


def state_totals(con: duckdb.DuckDBPyConnection, release_year: int | None = None) -> pd.DataFrame:
    """Each state's (and DC's) all-occupations row (`00-0000`): a_mean, mean_prse, a_mean_se, tot_emp."""
    totals = wage_rows(con, release_year, area_type=2, o_group="total")
    totals = totals.loc[totals["occ_code"] == "00-0000"]
    columns = [
        "release_year",
        "area",
        "area_title",
        "prim_state",
        "tot_emp",
        "a_mean",
        "mean_prse",
        "a_mean_se",
    ]
    return totals[columns].reset_index(drop=True)
