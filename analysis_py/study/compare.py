"""Ad-hoc comparisons of two published estimates, with BLS's standard errors: the CLI and a server call these.

* two areas for one occupation        `compare_areas(con, occ_code, area_1, area_2)`
* two occupations in one area         `compare_occupations(con, area, occ_code_1, occ_code_2)`
* one occupation and area, two releases `compare_releases(con, occ_code, area, release_1, release_2)`

Each reads one row per side from `fct_occupation_wages` (cross-industry, all ownerships;
the most detailed level where BLS lists a code twice), compares the mean annual wages by
z = (e1 - e2) / sqrt(se1^2 + se2^2) with se = a_mean x MEAN_PRSE / 100, and says in one
sentence whether the difference is distinguishable from survey error. An occupation BLS
publishes hourly wages only for (HOURLY = TRUE: actors, dancers ...) is compared on the hourly
mean, and says so. A MEAN_PRSE of 0 (postal occupations, counted in full) is an exact figure:
se 0; two exact figures have an exact difference and no z. What the pair's samples share is
said by `compare_caution`. At U.S.-average prices (`prices="national"`) each side's mean and SE
are divided by its area's RPP / 100 (`fct_occupation_wages.rpp`); BEA publishes no error for an
RPP, so the z carries OEWS's sampling error only, and the caution says so. An area is its BLS code (`06`, `99`) or, for states, its postal
abbreviation (`CA`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from analysis_py.bls import o_group_levels
from analysis_py.errors import AnalysisError
from analysis_py.formatting import money as _dollars
from analysis_py.stats.results import Record
from analysis_py.stats.survey import EstimateComparison, estimate_difference_z
from analysis_py.study.compare_caution import (
    SocComparability,
    area_caution,
    occupation_caution,
    release_caution,
    soc_comparability,
)
from analysis_py.study.lookup import resolve_area

__all__ = [
    "Comparison",
    "Estimate",
    "compare_areas",
    "compare_occupations",
    "compare_releases",
    "find_estimate",
]

#: measure -> what its sentence says per unit and how it prints a dollar amount
_UNITS = {"a_mean": ("a year", 0), "h_mean": ("an hour", 2)}


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
    area_type: int | None = None
    prim_state: str | None = None
    h_mean: float | None = None
    h_mean_se: float | None = None
    is_hourly_only: bool = False  # BLS's HOURLY flag: no annual wage is published
    rpp: float | None = None  # BEA's all-items regional price parity, U.S. = 100
    rpp_year: int | None = None
    rpp_missing_reason: str | None = None

    @property
    def is_exact(self) -> bool:
        """MEAN_PRSE 0: BLS counted every worker, so the mean has no sampling error."""
        return self.mean_prse == 0

    @property
    def label(self) -> str:
        return f"{self.occ_title} in {self.area_title}, May {self.release_year}"


@dataclass(frozen=True)
class Comparison:
    """Two estimates of a mean wage compared with their standard errors, and the verdict in words.

    `measure` is `a_mean`, or `h_mean` when either side is an hourly-only occupation; `soc`
    is set for two releases of different SOC vintages.
    """

    kind: str  # "areas", "occupations" or "releases"
    first: Estimate
    second: Estimate
    test: EstimateComparison
    distinguishable: bool
    sentence: str
    caution: str
    measure: str = "a_mean"
    soc: SocComparability | None = None
    prices: str = "local"  # or "national": both sides divided by their RPP / 100

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "measure": self.measure,
            "prices": self.prices,
            "first": self.first.to_dict(),
            "second": self.second.to_dict(),
            **self.test.to_dict(),
            "is_exact": self.test.is_exact,
            "distinguishable": self.distinguishable,
            "sentence": self.sentence,
            "caution": self.caution,
            "is_soc_comparable": None if self.soc is None else self.soc.is_soc_comparable,
            "soc_comparability_rule": None if self.soc is None else self.soc.rule,
        }


def find_estimate(
    con: duckdb.DuckDBPyConnection, occ_code: str, area: str, release_year: int | None = None
) -> Estimate:
    """The row of `occ_code` in `area` (newest release when None), or AnalysisError naming what is missing."""
    code = resolve_area(con, area)
    rows = con.execute(
        """
        select release_year, area, area_title, occ_code, occ_title, o_group, a_mean, a_mean_se, mean_prse,
            coalesce(is_a_mean_top_coded, false), tot_emp, area_type, prim_state, h_mean, h_mean_se,
            coalesce(hourly, false), rpp, rpp_year, rpp_missing_reason
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
    levels = o_group_levels()
    row = max(rows, key=lambda r: levels.index(r[5]) if r[5] in levels else -1)
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
        area_type=row[11],
        prim_state=row[12],
        h_mean=row[13],
        h_mean_se=row[14],
        is_hourly_only=bool(row[15]),
        rpp=row[16],
        rpp_year=row[17],
        rpp_missing_reason=row[18],
    )


def _said(kind: str, first: Estimate, second: Estimate, gap: str) -> str:
    """The comparison in words, what the two sides share said once: "In May 2025, Registered Nurses
    earned $X more a year on average in California than in Texas"."""
    if kind == "areas":
        return f"In May {first.release_year}, {first.occ_title} earned {gap} in {first.area_title} than in {second.area_title}"
    if kind == "occupations":
        return f"In {first.area_title} in May {first.release_year}, {first.occ_title} earned {gap} than {second.occ_title}"
    return f"{first.occ_title} in {first.area_title} earned {gap} in May {first.release_year} than in May {second.release_year}"


def _measure(first: Estimate, second: Estimate) -> str:
    """`h_mean` when BLS publishes only hourly wages for either side (then both compare hourly),
    else `a_mean`; AnalysisError naming the side without a mean of that measure."""
    measure = "h_mean" if first.is_hourly_only or second.is_hourly_only else "a_mean"
    for side in (first, second):
        if getattr(side, measure) is None or getattr(side, f"{measure}_se") is None:
            why = (
                "top-coded (at least the release's bound)"
                if measure == "a_mean" and side.is_a_mean_top_coded
                else "not published by BLS"
            )
            what = "mean annual wage" if measure == "a_mean" else "hourly mean wage"
            raise AnalysisError(side.label, f"has no {what} to compare: {why}")
    return measure


def _money(value: float, measure: str) -> str:
    """Whole dollars for annual wages, cents for hourly ones ($58.29 an hour)."""
    if _UNITS[measure][1] == 0:
        return _dollars(value)
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def _price_scale(side: Estimate, prices: str) -> float:
    """What `side`'s wage and SE are multiplied by: 1 at local prices, 100 / RPP at U.S.-average
    prices (an SE scales with its estimate, since BEA publishes no error for the RPP); AnalysisError
    naming `prices` for an area BEA has no RPP for."""
    if prices == "local":
        return 1.0
    if side.rpp is None:
        why = side.rpp_missing_reason or "BEA publishes none for it"
        raise AnalysisError(
            "prices", f"national: {side.label} has no regional price parity ({why})"
        )
    return 100 / side.rpp


def _prices_said(first: Estimate, second: Estimate) -> str:
    """Which RPPs adjusted the pair, and what they leave out of the CI and z."""
    rpps = " and ".join(
        f"{side.area_title} {side.rpp:.3f} (of {side.rpp_year})"
        for side in (first, second)
        if side is first or (side.area, side.rpp_year) != (first.area, first.rpp_year)
    )
    return (
        f" In U.S.-average prices (what the wage would buy at the national average price level): "
        f"divided by BEA's regional price parities / 100, {rpps}. BEA publishes no standard errors "
        "for RPPs, so the CI and z carry OEWS's sampling error only."
    )


def _compared(
    kind: str,
    first: Estimate,
    second: Estimate,
    caution: str,
    soc: SocComparability | None = None,
    prices: str = "local",
) -> Comparison:
    measure = _measure(first, second)
    scale_1, scale_2 = _price_scale(first, prices), _price_scale(second, prices)
    test = estimate_difference_z(
        getattr(first, measure) * scale_1,
        getattr(first, f"{measure}_se") * scale_1,
        getattr(second, measure) * scale_2,
        getattr(second, f"{measure}_se") * scale_2,
        first.label,
        second.label,
    )
    direction = "more" if test.difference > 0 else "less"
    unit = _UNITS[measure][0]
    gap = f"{_money(abs(test.difference), measure)} {direction} {unit} on average"
    said = _said(kind, first, second, gap)
    if prices == "national":
        said += " at U.S.-average prices"
        caution += _prices_said(first, second)
        if kind == "releases":
            # an RPP is relative to its own year's U.S. average: it takes out no inflation
            caution += (
                " Each release's RPP is relative to the U.S. average of its year, so the "
                "difference is not adjusted for inflation (the warehouse's *_real columns are)."
            )
    if measure == "h_mean":
        hourly = " and ".join(
            sorted({side.occ_title for side in (first, second) if side.is_hourly_only})
        )
        said += f" (hourly means: BLS publishes only hourly wages for {hourly})"
    if test.is_exact:
        # MEAN_PRSE 0 on both sides: no sampling error, so no z to refer to a normal curve
        distinguishable = test.difference != 0
        sentence = f"{said} (exact on both sides: the difference is exact)."
    else:
        distinguishable = test.p_value < 1 - test.level
        numbers = (
            f"{test.level:.0%} CI {_money(test.ci_low, measure)} to "
            f"{_money(test.ci_high, measure)}; z = {test.z:.2f}"
        )
        verdict = (
            "more than survey error explains"
            if distinguishable
            else "not distinguishable from survey error"
        )
        sentence = f"{said} ({numbers}): {verdict}."
    exact = [side.label for side in (first, second) if side.is_exact]
    if len(exact) == 1:
        caution += f" {exact[0]} has a MEAN_PRSE of 0: BLS counts every worker, an exact figure."
    if soc is not None and soc.is_soc_comparable is False:
        sentence = sentence[:-1] + f"; but for {first.occ_code}, {soc.rule}."
    return Comparison(
        kind, first, second, test, distinguishable, sentence, caution, measure, soc, prices
    )


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
    prices: str = "local",
) -> Comparison:
    """One occupation's mean annual wage in two areas (same release), at local or U.S.-average prices."""
    first = find_estimate(con, occ_code, area_1, release_year)
    second = find_estimate(con, occ_code, area_2, release_year or first.release_year)
    _refuse_one_estimate_twice("areas", first, second)
    return _compared("areas", first, second, area_caution(first, second), prices=prices)


def compare_occupations(
    con: duckdb.DuckDBPyConnection,
    area: str,
    occ_code_1: str,
    occ_code_2: str,
    release_year: int | None = None,
    prices: str = "local",
) -> Comparison:
    """Two occupations' mean annual wages in one area (same release, same hierarchy level)."""
    first = find_estimate(con, occ_code_1, area, release_year)
    second = find_estimate(con, occ_code_2, area, release_year or first.release_year)
    _refuse_one_estimate_twice("occupations", first, second)
    _same_level(first, second)
    return _compared("occupations", first, second, occupation_caution(first, second), prices=prices)


def compare_releases(
    con: duckdb.DuckDBPyConnection,
    occ_code: str,
    area: str,
    release_1: int,
    release_2: int,
    prices: str = "local",
) -> Comparison:
    """One occupation and area in two releases, in nominal dollars (each at its release's RPP when
    `prices` is national)."""
    first = find_estimate(con, occ_code, area, release_1)
    second = find_estimate(con, occ_code, area, release_2)
    _refuse_one_estimate_twice("releases", first, second)
    soc = soc_comparability(con, first, second)
    return _compared("releases", first, second, release_caution(first, second, soc), soc, prices)
