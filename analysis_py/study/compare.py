"""Ad-hoc comparisons of two published estimates, with BLS's standard errors: the CLI and a server call these.

* two areas for one occupation        `compare_areas(con, occ_code, area_1, area_2)`
* two occupations in one area         `compare_occupations(con, area, occ_code_1, occ_code_2)`
* one occupation and area, two releases `compare_releases(con, occ_code, area, release_1, release_2)`

Each reads one row per side from `fct_occupation_wages` (cross-industry, all ownerships;
the most detailed level where BLS lists a code twice), compares the mean annual wages by
z = (e1 - e2) / sqrt(se1^2 + se2^2) with se = a_mean x MEAN_PRSE / 100, and says in one
sentence whether the difference is distinguishable from survey error. An area is its
BLS code (`06`, `99`) or, for states, its postal abbreviation (`CA`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from analysis_py.bls import O_GROUP_LEVELS
from analysis_py.errors import AnalysisError
from analysis_py.formatting import money as _dollars
from analysis_py.stats.results import Record
from analysis_py.stats.survey import EstimateComparison, estimate_difference_z
from analysis_py.study.lookup import resolve_area

__all__ = [
    "Comparison",
    "Estimate",
    "compare_areas",
    "compare_occupations",
    "compare_releases",
    "find_estimate",
]

_MEASURE = "a_mean"


@dataclass(frozen=True)
class Estimate(Record):
    """One published row: where, what, when, and its mean annual wage with SE and flags."""

    release_year: int
    area: str
    area_title: str
    occ_code: str
    occ_title: str
    o_group: str
    a_mean: float | None
    a_mean_se: float | None
    mean_prse: float | None
    is_a_mean_top_coded: bool
    tot_emp: int | None

    @property
    def label(self) -> str:
        return f"{self.occ_title} in {self.area_title}, May {self.release_year}"


@dataclass(frozen=True)
class Comparison:
    """Two estimates of the mean annual wage compared with their standard errors, and the verdict in words."""

    kind: str  # "areas", "occupations" or "releases"
    first: Estimate
    second: Estimate
    test: EstimateComparison
    distinguishable: bool
    sentence: str
    caution: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "measure": _MEASURE,
            "first": self.first.to_dict(),
            "second": self.second.to_dict(),
            **self.test.to_dict(),
            "distinguishable": self.distinguishable,
            "sentence": self.sentence,
            "caution": self.caution,
        }


def find_estimate(
    con: duckdb.DuckDBPyConnection, occ_code: str, area: str, release_year: int | None = None
) -> Estimate:
    """The row of `occ_code` in `area` (newest release when None), or AnalysisError naming what is missing."""
    code = resolve_area(con, area)
    rows = con.execute(
        """
        select release_year, area, area_title, occ_code, occ_title, o_group, a_mean, a_mean_se, mean_prse,
            coalesce(is_a_mean_top_coded, false), tot_emp
        from fct_occupation_wages
        where occ_code = $occ and area = $area and is_cross_industry_all_ownerships
            and release_year = coalesce($release,
                (select max(release_year) from fct_occupation_wages where occ_code = $occ and area = $area))
        """,
        {"occ": occ_code.strip(), "area": code, "release": release_year},
    ).fetchall()
    if not rows:
        when = f"release {release_year}" if release_year else "any release"
        raise AnalysisError(
            "occ_code", f"no row for occupation {occ_code!r} in area {area!r} in {when}"
        )
    row = max(rows, key=lambda r: O_GROUP_LEVELS.index(r[5]) if r[5] in O_GROUP_LEVELS else -1)
    return Estimate(
        release_year=int(row[0]),
        area=str(row[1]),
        area_title=str(row[2]),
        occ_code=str(row[3]),
        occ_title=str(row[4]),
        o_group=str(row[5]),
        a_mean=row[6],
        a_mean_se=row[7],
        mean_prse=row[8],
        is_a_mean_top_coded=bool(row[9]),
        tot_emp=row[10],
    )


def _said(kind: str, first: Estimate, second: Estimate, gap: str) -> str:
    """The comparison in words, what the two sides share said once: "In May 2025, Registered Nurses
    earned $X more a year on average in California than in Texas"."""
    if kind == "areas":
        return f"In May {first.release_year}, {first.occ_title} earned {gap} in {first.area_title} than in {second.area_title}"
    if kind == "occupations":
        return f"In {first.area_title} in May {first.release_year}, {first.occ_title} earned {gap} than {second.occ_title}"
    return f"{first.occ_title} in {first.area_title} earned {gap} in May {first.release_year} than in May {second.release_year}"


def _compared(kind: str, first: Estimate, second: Estimate, caution: str) -> Comparison:
    for side in (first, second):
        if side.a_mean is None or side.a_mean_se is None:
            why = (
                "top-coded (at least the release's bound)"
                if side.is_a_mean_top_coded
                else "not published by BLS"
            )
            raise AnalysisError(side.label, f"has no mean annual wage to compare: {why}")
    test = estimate_difference_z(
        first.a_mean, first.a_mean_se, second.a_mean, second.a_mean_se, first.label, second.label
    )
    distinguishable = test.p_value < 1 - test.level
    direction = "more" if test.difference > 0 else "less"
    gap = f"{_dollars(abs(test.difference))} {direction} a year on average"
    numbers = (
        f"{test.level:.0%} CI {_dollars(test.ci_low)} to {_dollars(test.ci_high)}; z = {test.z:.2f}"
    )
    said = _said(kind, first, second, gap)
    if distinguishable:
        sentence = f"{said} ({numbers}): more than survey error explains."
    else:
        sentence = f"{said} ({numbers}): not distinguishable from survey error."
    return Comparison(kind, first, second, test, distinguishable, sentence, caution)


def _refuse_one_estimate_twice(kind: str, first: Estimate, second: Estimate) -> None:
    """AnalysisError naming the parameter when both sides are one published estimate (an area
    by its code and by its postal abbreviation, a release or an occupation given twice): its
    difference with itself is zero by construction, not a finding about two samples."""
    if (first.release_year, first.area, first.occ_code) != (
        second.release_year,
        second.area,
        second.occ_code,
    ):
        return
    parameter, noun, which = {
        "areas": ("area", "area", f"{first.area_title}, BLS code {first.area}"),
        "occupations": ("occ_code", "occupation", f"{first.occ_title}, {first.occ_code}"),
        "releases": ("release", "release", f"May {first.release_year}"),
    }[kind]
    raise AnalysisError(
        parameter,
        f"names the same {noun} twice ({which}): an estimate compared with itself says "
        f"nothing; give two different {noun}s",
    )


def _same_level(first: Estimate, second: Estimate) -> None:
    if first.o_group != second.o_group:
        raise AnalysisError(
            f"{first.occ_code} vs {second.occ_code}",
            f"are at different hierarchy levels ({first.o_group} vs {second.o_group}): compare occupations of one level",
        )


def compare_areas(
    con: duckdb.DuckDBPyConnection,
    occ_code: str,
    area_1: str,
    area_2: str,
    release_year: int | None = None,
) -> Comparison:
    """One occupation's mean annual wage in two areas (same release)."""
    first = find_estimate(con, occ_code, area_1, release_year)
    second = find_estimate(con, occ_code, area_2, release_year or first.release_year)
    _refuse_one_estimate_twice("areas", first, second)
    return _compared(
        "areas",
        first,
        second,
        "The two areas' estimates come from separate samples of establishments, so their standard errors combine as "
        "independent ones.",
    )


def compare_occupations(
    con: duckdb.DuckDBPyConnection,
    area: str,
    occ_code_1: str,
    occ_code_2: str,
    release_year: int | None = None,
) -> Comparison:
    """Two occupations' mean annual wages in one area (same release, same hierarchy level)."""
    first = find_estimate(con, occ_code_1, area, release_year)
    second = find_estimate(con, occ_code_2, area, release_year or first.release_year)
    _refuse_one_estimate_twice("occupations", first, second)
    _same_level(first, second)
    return _compared(
        "occupations",
        first,
        second,
        "Both estimates come from the same establishments, so their errors are positively correlated; "
        "the z from independent standard errors is conservative.",
    )


def compare_releases(
    con: duckdb.DuckDBPyConnection, occ_code: str, area: str, release_1: int, release_2: int
) -> Comparison:
    """One occupation and area in two releases, in nominal dollars."""
    first = find_estimate(con, occ_code, area, release_1)
    second = find_estimate(con, occ_code, area, release_2)
    _refuse_one_estimate_twice("releases", first, second)
    return _compared(
        "releases",
        first,
        second,
        "OEWS is not designed as a time series: each release pools three years of survey panels and nearby "
        "releases share panels, so the z from independent standard errors is conservative; dollars are nominal.",
    )
