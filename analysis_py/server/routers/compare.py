"""`/api/compare`: two areas, two occupations or two releases, compared with BLS's standard errors."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field

from analysis_py.server.database import Warehouse
from analysis_py.server.dependencies import known_parameters, warehouse
from analysis_py.server.formats import csv_response, wants_csv
from analysis_py.server.models import CompareResponse
from analysis_py.server.queries.lookups import FIRST_RELEASE, LAST_RELEASE
from analysis_py.study.compare_request import comparison

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["compare"], dependencies=[Depends(known_parameters)])


@router.get("/compare", response_model=CompareResponse, summary="Is the difference real?")
def compare(
    request: Request,
    db: Annotated[Warehouse, Depends(warehouse)],
    occ_code: Annotated[
        list[str],
        Query(
            description="SOC code; give it twice to compare two occupations in one area",
            max_length=2,
        ),
    ] = [],  # noqa: B006
    area: Annotated[
        list[str],
        Query(
            description="area code or state abbreviation; twice to compare two areas", max_length=2
        ),
    ] = [],  # noqa: B006
    release: Annotated[
        list[Annotated[int, Field(ge=FIRST_RELEASE, le=LAST_RELEASE)]],
        Query(
            description="release year; twice to compare one occupation and area in two releases",
            max_length=2,
        ),
    ] = [],  # noqa: B006
    dollars: Annotated[
        Literal["nominal"],
        Query(description="nominal (as published); real dollars need the releases' price index"),
    ] = "nominal",
    prices: Annotated[
        Literal["local", "national"],
        Query(
            description="local (as published) or national: in U.S.-average prices, each wage "
            "divided by its area's BEA regional price parity / 100"
        ),
    ] = "local",
    format: Annotated[
        str | None, Query(description="json (default) or csv", pattern="^(json|csv)$")
    ] = None,
) -> CompareResponse | Response:
    """The mean annual wages of two estimates compared by z = (e1 − e2) / √(se1² + se2²).

    `?occ_code=29-1141&area=CA&area=TX` (two areas), `?area=CA&occ_code=29-1141&occ_code=29-2061`
    (two occupations), `?occ_code=29-1141&area=CA&release=2024&release=2025` (two releases).
    The answer has the difference, its 95% CI, z, p and one sentence saying whether the
    difference is distinguishable from survey error. `&prices=national` compares them in
    U.S.-average prices (BEA's RPPs, which carry no published error: the z is OEWS's alone).
    """
    with db.cursor() as con:
        result = comparison(con, occ_code, area, release, dollars, prices)
    payload = {**result.to_dict(), "dollars": dollars}
    answer = CompareResponse(**payload)
    if wants_csv(request):
        flat = {
            key: value
            for key, value in answer.model_dump().items()
            if key not in ("first", "second")
        }
        for side in ("first", "second"):
            flat |= {f"{side}_{key}": value for key, value in answer.model_dump()[side].items()}
        return csv_response(list(flat), [flat], "compare.csv")
    return answer
