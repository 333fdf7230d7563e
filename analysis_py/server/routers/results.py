"""`/api/results`: the tests and regressions of the run that built the warehouse."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from analysis_py.config import Settings
from analysis_py.server.database import Warehouse
from analysis_py.server.dependencies import known_parameters, settings, warehouse
from analysis_py.server.formats import csv_response, wants_csv
from analysis_py.server.models import ResultsResponse
from analysis_py.server.queries.results import run_results

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["results"], dependencies=[Depends(known_parameters)])


@router.get("/results", response_model=ResultsResponse, summary="The run's tests and regressions")
def results(
    request: Request,
    db: Annotated[Warehouse, Depends(warehouse)],
    config: Annotated[Settings, Depends(settings)],
    format: Annotated[
        str | None, Query(description="json (default) or csv (the tests)", pattern="^(json|csv)$")
    ] = None,
) -> ResultsResponse | Response:
    """Schema `analysis` of the warehouse (`test_results`, `regression_coefficients`), else artifacts/results.json."""
    with db.cursor() as con:
        found = run_results(con, config.artifacts_dir / "results.json")
    if wants_csv(request):
        columns = list(dict.fromkeys(key for row in found.tests for key in row))
        return csv_response(columns, found.tests, "tests.csv")
    return ResultsResponse(**found.to_dict())
