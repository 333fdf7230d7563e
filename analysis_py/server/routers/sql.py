"""`/api/sql`: one read-only query for power users, with a row cap and a time limit."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

from analysis_py.server.database import Warehouse
from analysis_py.server.dependencies import known_parameters, warehouse
from analysis_py.server.formats import csv_response, wants_csv
from analysis_py.server.models import SqlResponse
from analysis_py.warehouse.query import guarded_query

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["sql"], dependencies=[Depends(known_parameters)])


@router.get("/sql", response_model=SqlResponse, summary="Read-only SQL")
def sql(
    request: Request,
    db: Annotated[Warehouse, Depends(warehouse)],
    q: Annotated[
        str,
        Query(
            description="one SELECT statement, e.g. select area_title, a_mean from fct_occupation_wages limit 5",
            max_length=20_000,
        ),
    ],
    format: Annotated[
        str | None, Query(description="json (default) or csv", pattern="^(json|csv)$")
    ] = None,
) -> SqlResponse | Response:
    """One SELECT on the warehouse, on a connection of its own: file access off (no reading or writing
    files, no ATTACH, INSTALL, LOAD or COPY), configuration locked, only SELECT statements. At most
    `row_cap` rows come back (`truncated` says when there were more); a query is stopped after
    the time limit."""
    options = request.app.state.options
    with db.dedicated_cursor() as cursor:
        result = guarded_query(cursor, q, options.row_cap, options.time_limit)
    if wants_csv(request):
        return csv_response(result.columns, result.rows, "query.csv")
    return SqlResponse(
        columns=result.columns,
        rows=[[_json_value(value) for value in row] for row in result.rows],
        truncated=result.truncated,
        row_cap=result.row_cap,
        time_limit_seconds=options.time_limit,
        elapsed_ms=result.seconds * 1000,
    )


def _json_value(value: Any) -> Any:
    """A cell JSON can carry: NaN and infinities become null, blobs hex, the rest as FastAPI encodes it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return jsonable_encoder(value)
