"""`/api/sql`: one read-only query for power users, in a worker process, with row, byte and time caps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import Response

from analysis_py.server.dependencies import known_parameters
from analysis_py.server.formats import csv_response, wants_csv
from analysis_py.server.models import SqlResponse

__all__ = ["CLIENT_HEADER", "router"]

#: A header a plain cross-site <img>, <form> or link cannot send, and a cross-site script cannot
#: send without a CORS preflight this server does not grant: its presence shows the request was
#: made on purpose (curl, a script, the API docs page).
CLIENT_HEADER = "X-Wage-Client"

router = APIRouter(prefix="/api", tags=["sql"], dependencies=[Depends(known_parameters)])


@router.get("/sql", response_model=SqlResponse, summary="Read-only SQL")
def sql(
    request: Request,
    q: Annotated[
        str,
        Query(
            description="one SELECT statement, e.g. select area_title, a_mean from fct_occupation_wages limit 5",
            max_length=20_000,
        ),
    ],
    client: Annotated[
        str | None,
        Header(
            alias=CLIENT_HEADER,
            description="required, any value (e.g. `curl -H 'X-Wage-Client: me'`): a web page "
            "on another site cannot send it, so it cannot make your browser run queries",
        ),
    ] = None,
    format: Annotated[
        str | None, Query(description="json (default) or csv", pattern="^(json|csv)$")
    ] = None,
) -> SqlResponse | Response:
    """One SELECT on the warehouse, in a worker process of its own: no file access of any kind,
    configuration locked, only SELECT and EXPLAIN (never EXPLAIN ANALYZE). At most `row_cap` rows
    and `byte_cap` bytes of values come back (`truncated_by` says which cap cut the answer); the
    query, its fetch and its conversion are stopped at the time limit; a few queries run at once
    and more are refused with 429."""
    if not (client or "").strip():
        raise HTTPException(
            403,
            f"{CLIENT_HEADER} header missing: send `{CLIENT_HEADER}: <any value>` with /api/sql "
            "(a page on another site cannot, so it cannot run queries through your browser)",
        )
    options = request.app.state.options
    answer = request.app.state.sql_workers.run(
        q, options.row_cap, options.byte_cap, options.time_limit
    )
    if wants_csv(request):
        return csv_response(answer.columns, answer.rows, "query.csv")
    return SqlResponse(
        columns=answer.columns,
        rows=answer.rows,
        truncated=answer.truncated_by is not None,
        truncated_by=answer.truncated_by,
        row_cap=options.row_cap,
        byte_cap=options.byte_cap,
        time_limit_seconds=options.time_limit,
        elapsed_ms=answer.seconds * 1000,
    )
