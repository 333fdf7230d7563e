"""Request dependencies: the warehouse, the run's settings, and the check that every query parameter is known."""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from analysis_py.config import Settings
from analysis_py.errors import AnalysisError
from analysis_py.server.database import Warehouse

__all__ = ["known_parameters", "settings", "warehouse"]

#: Accepted by every endpoint: the response format.
COMMON = {"format"}


def warehouse(request: Request) -> Warehouse:
    return request.app.state.warehouse


def settings(request: Request) -> Settings:
    return request.app.state.settings


def known_parameters(request: Request) -> None:
    """400 for a query parameter the endpoint does not take (a typo would otherwise be ignored silently)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = {param.alias for param in route.dependant.query_params} | COMMON
    for dependency in route.dependant.dependencies:
        known |= {param.alias for param in dependency.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise AnalysisError(
            unknown[0],
            f"is not a parameter of {request.url.path} (it takes: {', '.join(sorted(known))})",
        )
    chosen = request.query_params.get("format")
    if chosen not in (None, "json", "csv"):
        raise AnalysisError("format", f"must be json or csv, not {chosen!r}")
