"""`/api/wages`: published estimates with their 95% CIs and flags, filtered, sorted, a page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from analysis_py.server.database import Warehouse
from analysis_py.server.dependencies import known_parameters, warehouse
from analysis_py.server.formats import csv_response, wants_csv
from analysis_py.server.models import WagesResponse
from analysis_py.server.queries import wages as queries
from analysis_py.server.queries.lookups import FIRST_RELEASE, LAST_RELEASE, O_GROUP_DESCRIPTION

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["wages"], dependencies=[Depends(known_parameters)])

CI_METHOD = "mean ± z(0.975) × se, se = mean × MEAN_PRSE / 100 (BLS publishes no SE for medians or percentiles)"


@router.get("/wages", response_model=WagesResponse, summary="Wage estimates with 95% CIs")
def wages(
    request: Request,
    db: Annotated[Warehouse, Depends(warehouse)],
    occ_code: Annotated[
        str | None, Query(description="SOC code, e.g. 29-1141", max_length=20)
    ] = None,
    area: Annotated[
        str | None, Query(description="BLS area code (6) or state abbreviation (CA)", max_length=20)
    ] = None,
    area_type: Annotated[
        int | None,
        Query(description="1 national, 2 state, 3 territory, 4 MSA, 6 nonmetro", ge=1, le=6),
    ] = None,
    release: Annotated[
        int | None,
        Query(
            description="release year (default: the newest)",
            ge=FIRST_RELEASE,
            le=LAST_RELEASE,
        ),
    ] = None,
    o_group: Annotated[str | None, Query(description=O_GROUP_DESCRIPTION)] = None,
    sort: Annotated[
        str,
        Query(description="one of " + ", ".join(queries.SORTABLE) + "; prefix - for descending"),
    ] = "area",
    limit: Annotated[
        int,
        Query(
            description=f"rows per page, at most {queries.MAX_PAGE_SIZE}",
            ge=1,
            le=queries.MAX_PAGE_SIZE,
        ),
    ] = 100,
    offset: Annotated[
        int,
        Query(
            description=f"rows to skip (the `next` link sets it), at most {queries.MAX_OFFSET}",
            ge=0,
            le=queries.MAX_OFFSET,
        ),
    ] = 0,
    format: Annotated[
        str | None, Query(description="json (default) or csv", pattern="^(json|csv)$")
    ] = None,
) -> WagesResponse | Response:
    """Cross-industry, all-ownership estimates: one row per area × occupation of one release.

    Every row has the mean's 95% CI from BLS's percent relative standard error and the names
    of its flags (`a_mean_top_coded`: BLS printed `#`, the wage is at least the release's
    bound; `*_not_available`: BLS printed `*` or `**`). Never mix `o_group` levels in a sum.
    """
    query = queries.WageQuery(occ_code, area, area_type, release, o_group, sort, limit, offset)
    with db.cursor() as con:
        page = queries.wage_rows(con, query)
    if wants_csv(request):
        return csv_response(
            list(queries.WageRow.__dataclass_fields__),
            [r.to_dict() for r in page.rows],
            "wages.csv",
        )
    following = None
    if page.has_more:
        url = request.url.include_query_params(offset=page.offset + len(page.rows))
        following = f"{url.path}?{url.query}"
    return WagesResponse(
        release_year=page.release_year,
        total=page.total,
        offset=page.offset,
        limit=page.limit,
        truncated=page.has_more,
        next=following,
        ci_method=CI_METHOD,
        rows=page.rows,
    )
