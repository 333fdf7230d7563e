"""What `study.compare` says about the samples behind a pair of estimates, true for the pair at hand.

The z of `stats.survey.estimate_difference_z` combines the two standard errors as independent
ones. Whether that is right, conservative or unknown depends on the pair:

* two areas: disjoint areas (two states, a state and a territory) are separate samples; an
  area inside another (a state in the U.S., a metro area in its state) is part of the larger
  area's sample, so the errors are positively correlated and the z is conservative;
* two occupations of one area: one sample of establishments, so the errors are correlated
  where the occupations share employers, positively or negatively (BLS publishes no covariance);
* two releases: releases less than three years apart pool shared survey panels (positively
  correlated, conservative); releases of different SOC vintages may code the occupation
  differently, which `fct_wage_changes` (or `int_soc_series`) rules on per code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from analysis_py.study.compare import Estimate

__all__ = [
    "SocComparability",
    "area_caution",
    "occupation_caution",
    "release_caution",
    "soc_comparability",
]

#: BLS area types (seeds/area_types.csv)
_NATIONAL, _STATE, _TERRITORY, _METRO, _METRO_DIVISION = 1, 2, 3, 4, 5
#: Territories' postal codes: OEWS's national estimates are the 50 states and DC only (the
#: states' 00-0000 employment sums to the U.S. row's; the territories' comes on top).
_TERRITORIES = frozenset({"PR", "VI", "GU"})
#: A release pools six semiannual panels, three years: releases fewer years apart share panels.
_YEARS_POOLED = 3

_INDEPENDENT = "so their standard errors combine as independent ones"
_CONSERVATIVE = (
    "so the two are not independent samples: their errors are positively correlated, and the z "
    "from independent standard errors is conservative (the difference's true standard error is "
    "smaller)"
)


def _states(estimate: Estimate) -> frozenset[str]:
    """The postal codes an area lies in: its PRIM_STATE and, for a metro area, the states its
    title lists ("New York-Newark-Jersey City, NY-NJ-PA")."""
    listed = re.search(r", ([A-Z]{2}(?:-[A-Z]{2})*)\b[^,]*$", estimate.area_title)
    codes = set(listed.group(1).split("-")) if listed else set()
    return frozenset(codes | ({estimate.prim_state} if estimate.prim_state else set()))


def _within(inner: Estimate, outer: Estimate) -> str | None:
    """How `inner` lies in `outer` ("is part of", "lies partly in"), or None when it does not."""
    if outer.area_type == _NATIONAL and inner.area_type != _NATIONAL:
        return None if _states(inner) <= _TERRITORIES else "is part of"
    if outer.area_type in (_STATE, _TERRITORY) and (inner.area_type or 0) > _TERRITORY:
        states = _states(inner)
        if outer.prim_state not in states:
            return None
        return "is part of" if len(states) == 1 else "lies partly in"
    return None


def area_caution(first: Estimate, second: Estimate) -> str:
    """Whether two areas' samples are separate or one holds (part of) the other's, in words."""
    for inner, outer in ((first, second), (second, first)):
        how = _within(inner, outer)
        if how is not None:
            return (
                f"{inner.area_title} {how} {outer.area_title}: the establishments sampled there "
                f"count in both estimates, {_CONSERVATIVE}."
            )
    shares_a_state = bool(_states(first) & _states(second))
    if {first.area_type, second.area_type} == {_METRO, _METRO_DIVISION} and shares_a_state:
        return (
            "A metropolitan division lies within its metropolitan area: if one of these holds the "
            "other, they are not independent samples and the z from independent standard errors "
            "is conservative; if not, they are separate samples."
        )
    return (
        f"{first.area_title} and {second.area_title} are separate areas: their estimates come from "
        f"separate samples of establishments, {_INDEPENDENT}."
    )


def occupation_caution(first: Estimate, second: Estimate) -> str:
    """Two occupations of one area: one sample, correlated either way where they share employers."""
    return (
        f"Both estimates come from one sample of establishments in {first.area_title}: where the two "
        "occupations share employers their errors may be correlated either way (positively or "
        "negatively; BLS publishes no covariance), and where they do not, hardly at all, so the z "
        "from independent standard errors may be too large or too small."
    )


@dataclass(frozen=True)
class SocComparability:
    """Whether one code means the same occupation in two releases of different SOC vintages."""

    soc_vintage_1: str
    soc_vintage_2: str
    is_soc_comparable: bool | None  # None: no rule for this pair of releases
    rule: str


def soc_comparability(
    con: duckdb.DuckDBPyConnection, first: Estimate, second: Estimate
) -> SocComparability | None:
    """The SOC rule for the code of two releases' rows, None when both releases use one vintage.

    `fct_wage_changes` rules on each code for consecutive releases and for each release against
    the newest; for any other pair, each code's mapping rule in `int_soc_series` is reported and
    comparability is left undecided.
    """
    vintages = dict(
        con.execute(
            "select release_year, soc_vintage from dim_release where release_year in ($1, $2)",
            [first.release_year, second.release_year],
        ).fetchall()
    )
    vintage_1, vintage_2 = vintages.get(first.release_year), vintages.get(second.release_year)
    if vintage_1 is None or vintage_2 is None or vintage_1 == vintage_2:
        return None
    earlier, later = sorted((first, second), key=lambda side: side.release_year)
    ruled = con.execute(
        """
        select changes.is_soc_comparable, changes.soc_comparability_rule
        from fct_wage_changes as changes
        inner join fct_occupation_wages as earlier
            on changes.earlier_occupation_wage_id = earlier.occupation_wage_id
        inner join fct_occupation_wages as later
            on changes.later_occupation_wage_id = later.occupation_wage_id
        where earlier.release_year = $y1 and earlier.area = $area and earlier.occ_code = $occ
            and earlier.o_group = $level and earlier.is_cross_industry_all_ownerships
            and later.release_year = $y2 and later.area = $area and later.occ_code = $occ
            and later.o_group = $level and later.is_cross_industry_all_ownerships
        """,
        {
            "y1": earlier.release_year,
            "y2": later.release_year,
            "area": first.area,
            "occ": first.occ_code,
            "level": first.o_group,
        },
    ).fetchall()
    if ruled:
        comparable, rule = ruled[0]
        return SocComparability(vintage_1, vintage_2, bool(comparable), str(rule))
    mapped = dict(
        con.execute(
            "select soc_vintage, soc_mapping_rule from int_soc_series "
            "where occ_code = $occ and soc_vintage in ($v1, $v2)",
            {"occ": first.occ_code, "v1": vintage_1, "v2": vintage_2},
        ).fetchall()
    )
    rule = "; ".join(
        f"in {vintage}: {mapped.get(vintage) or 'not in BLS crosswalks'}"
        for vintage in (vintages[earlier.release_year], vintages[later.release_year])
    )
    return SocComparability(
        vintage_1, vintage_2, None, f"no ruling for this pair of releases ({rule})"
    )


def release_caution(first: Estimate, second: Estimate, soc: SocComparability | None) -> str:
    """Two releases: shared survey panels or not, nominal dollars, and the code's SOC rule."""
    apart = abs(first.release_year - second.release_year)
    if apart < _YEARS_POOLED:
        panels = (
            "OEWS is not designed as a time series: each release pools three years of survey "
            f"panels, and releases {apart} year{'s' if apart > 1 else ''} apart share panels, "
            f"{_CONSERVATIVE}; dollars are nominal."
        )
    else:
        panels = (
            "OEWS is not designed as a time series: each release pools three years of survey "
            f"panels, and releases {apart} years apart share none, {_INDEPENDENT}; dollars are "
            "nominal."
        )
    if soc is None:
        return panels
    after = {
        True: ": comparable",
        False: ": the two rows may not be the same occupation",
        None: "",
    }[soc.is_soc_comparable]
    return (
        f"{panels} The releases use different SOC vintages (May {first.release_year}: "
        f"{soc.soc_vintage_1}; May {second.release_year}: {soc.soc_vintage_2}): for {first.occ_code}, "
        f"{soc.rule}{after}."
    )
