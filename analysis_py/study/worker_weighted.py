"""BLS's worker-weighted figure beside a mean of state x occupation cells.

The study's tests count each state x detailed occupation estimate once, whatever its
employment: they describe occupations, not workers. A headline gap between two groups is then
easy to misquote as "a manager earns $X more than a production worker". BLS's own rows answer
that question: a major group's U.S. row (`11-0000`) is the mean over every worker in it. Where
the warehouse holds no U.S. rows, the states' rows of the group give the same mean per worker,
weighted by employment (payroll a_mean x tot_emp summed, over employment summed). "All other
occupations" is the all-occupations row (`00-0000`) less the group's payroll and employment.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from analysis_py.stats.results import Record

__all__ = ["WorkerWeightedGap", "worker_weighted_gap"]

ALL_OCCUPATIONS = "00-0000"

#: where the figure comes from, most direct first: (area_type, words)
_SOURCES = (
    (1, "BLS's U.S. rows"),
    (2, "the states' rows weighted by employment"),
)


@dataclass(frozen=True)
class WorkerWeightedGap(Record):
    """Mean annual wage per worker of two groups and their difference, from BLS's group rows."""

    release_year: int
    source: str  # e.g. "BLS's U.S. rows 11-0000 and 51-0000"
    occ_code_1: str
    occ_code_2: str  # a code, or "all other occupations"
    mean_1: float
    mean_2: float
    tot_emp_1: int
    tot_emp_2: int
    difference: float  # mean_1 - mean_2


def _payroll(
    con: duckdb.DuckDBPyConnection, release_year: int, area_type: int, occ_code: str
) -> tuple[float, int] | None:
    """(a_mean x tot_emp summed, tot_emp summed) over the group's rows of one area type, or None
    when there is none or one lacks a mean or employment (a gap there would bias the mean)."""
    [(payroll, employment, n_rows, n_complete)] = con.execute(
        """
        select sum(a_mean * tot_emp), sum(tot_emp), count(*), count(a_mean * tot_emp)
        from fct_occupation_wages
        where release_year = $year and area_type = $type and occ_code = $occ
            and o_group in ('major', 'total') and is_cross_industry_all_ownerships
        """,
        {"year": release_year, "type": area_type, "occ": occ_code},
    ).fetchall()
    if n_rows == 0 or n_complete < n_rows or not employment:
        return None
    return float(payroll), int(employment)


def worker_weighted_gap(
    con: duckdb.DuckDBPyConnection, release_year: int, occ_code_1: str, occ_code_2: str | None
) -> WorkerWeightedGap | None:
    """Group `occ_code_1` against group `occ_code_2` (None: every other occupation) per worker, in
    `release_year`: from the U.S. rows when loaded, else the states' rows; None without either."""
    for area_type, words in _SOURCES:
        first = _payroll(con, release_year, area_type, occ_code_1)
        other = occ_code_2 or ALL_OCCUPATIONS
        second = _payroll(con, release_year, area_type, other)
        if first is None or second is None:
            continue
        if occ_code_2 is None:  # all occupations less the group
            second = (second[0] - first[0], second[1] - first[1])
        mean_1, mean_2 = first[0] / first[1], second[0] / second[1]
        codes = (
            f"{occ_code_1} and {occ_code_2}"
            if occ_code_2
            else f"{occ_code_1} and {ALL_OCCUPATIONS} less {occ_code_1}"
        )
        return WorkerWeightedGap(
            release_year=release_year,
            source=f"{words} {codes}",
            occ_code_1=occ_code_1,
            occ_code_2=occ_code_2 or "all other occupations",
            mean_1=mean_1,
            mean_2=mean_2,
            tot_emp_1=first[1],
            tot_emp_2=second[1],
            difference=mean_1 - mean_2,
        )
    return None
