"""`/api/releases`, `/api/areas`, `/api/occupations`: what there is to look up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from analysis_py.server.database import Warehouse
from analysis_py.server.dependencies import known_parameters, warehouse
from analysis_py.server.formats import csv_response, wants_csv
from analysis_py.server.models import AreasResponse, OccupationsResponse, ReleasesResponse
from analysis_py.server.queries import lookups as queries
from analysis_py.study.lookup import newest_release

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["look up"], dependencies=[Depends(known_parameters)])

Release = Annotated[
    int | None,
    Query(
        description="release year, e.g. 2025 (default: the newest)",
        ge=queries.FIRST_RELEASE,
        le=queries.LAST_RELEASE,
    ),
]
Format = Annotated[str | None, Query(description="json (default) or csv", pattern="^(json|csv)$")]


@router.get("/releases", response_model=ReleasesResponse, summary="Releases in the warehouse")
def releases(
    request: Request, db: Annotated[Warehouse, Depends(warehouse)], format: Format = None
) -> ReleasesResponse | Response:
    """Every loaded release (May of each year), newest first, with its row, area and occupation counts."""
    with db.cursor() as con:
        found = queries.list_releases(con)
    if wants_csv(request):
        return csv_response(
            list(queries.Release.__dataclass_fields__), [r.to_dict() for r in found], "releases.csv"
        )
    return ReleasesResponse(releases=found)


@router.get("/areas", response_model=AreasResponse, summary="Areas of a release")
def areas(
    request: Request,
    db: Annotated[Warehouse, Depends(warehouse)],
    release: Release = None,
    area_type: Annotated[
        int | None,
        Query(
            description="1 national, 2 state (50 states and DC), 3 territory, 4 MSA, 6 nonmetro",
            ge=1,
            le=6,
        ),
    ] = None,
    format: Format = None,
) -> AreasResponse | Response:
    """The areas of one release, with BLS code, title, type, state FIPS and Census region."""
    with db.cursor() as con:
        year = newest_release(con, release)
        found = queries.list_areas(con, year, area_type)
    if wants_csv(request):
        return csv_response(
            list(queries.Area.__dataclass_fields__), [a.to_dict() for a in found], "areas.csv"
        )
    return AreasResponse(release_year=year, areas=found)


@router.get("/occupations", response_model=OccupationsResponse, summary="Search occupations")
def occupations(
    request: Request,
    db: Annotated[Warehouse, Depends(warehouse)],
    q: Annotated[
        str,
        Query(
            description="words of the title or a SOC code (prefix), e.g. nurse or 29-1141",
            max_length=200,
        ),
    ] = "",
    o_group: Annotated[str | None, Query(description=queries.O_GROUP_DESCRIPTION)] = None,
    release: Release = None,
    limit: Annotated[int, Query(description="at most this many", ge=1, le=1000)] = 20,
    format: Format = None,
) -> OccupationsResponse | Response:
    """Occupations whose code or title matches `q`, best match first (code, exact title, title start, words)."""
    with db.cursor() as con:
        year = newest_release(con, release)
        found = queries.search_occupations(con, q, o_group, year, limit)
    if wants_csv(request):
        return csv_response(
            list(queries.Occupation.__dataclass_fields__),
            [o.to_dict() for o in found],
            "occupations.csv",
        )
    return OccupationsResponse(release_year=year, q=q, occupations=found)
