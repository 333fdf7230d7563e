"""The areas a build could not adjust to U.S.-average prices, written to the build's log.

BEA's Regional Price Parities cover the nation, the states, DC and the metropolitan
statistical areas of BEA's delineation; OEWS also publishes territories, metropolitan
divisions and nonmetropolitan areas, and its metropolitan areas may follow another OMB
delineation than BEA's. Such an area keeps its nominal and real wages and has NULL
`*_rpp_adjusted` columns; this module lists each one with the reason the warehouse gives
(`fct_occupation_wages.rpp_missing_reason`), so that none is dropped silently.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

__all__ = ["AreaWithoutRpp", "areas_without_rpp", "log_areas_without_rpp"]

logger = logging.getLogger(__name__)

#: metropolitan areas: the one case where a missing RPP may be a delineation mismatch
_METROPOLITAN = 4


@dataclass(frozen=True)
class AreaWithoutRpp:
    """One area of one release that has no RPP, and why."""

    release_year: int
    area: str
    area_type: int
    area_title: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def areas_without_rpp(con: duckdb.DuckDBPyConnection) -> list[AreaWithoutRpp]:
    """Every release x area of the fact without an RPP, in release, type and code order."""
    rows = con.execute(
        """
        select distinct release_year, area, area_type, area_title, rpp_missing_reason
        from fct_occupation_wages
        where rpp is null
        order by release_year, area_type, area
        """
    ).fetchall()
    return [AreaWithoutRpp(*row) for row in rows]


def log_areas_without_rpp(warehouse: Path) -> list[AreaWithoutRpp]:
    """Log each area of the built `warehouse` without an RPP with its reason; the areas."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        missing = areas_without_rpp(con)
    for reason in sorted({area.reason for area in missing}):
        areas = [area for area in missing if area.reason == reason]
        listed = "; ".join(
            f"{area.area} {area.area_title} (May {area.release_year})" for area in areas
        )
        # a metropolitan area is worth a warning: BLS and BEA may draw it differently
        level = (
            logging.WARNING
            if any(area.area_type == _METROPOLITAN for area in areas)
            else logging.INFO
        )
        logger.log(
            level,
            "prices: %d area(s) without a regional price parity, wages not adjusted (%s): %s",
            len(areas),
            reason,
            listed,
        )
    return missing
