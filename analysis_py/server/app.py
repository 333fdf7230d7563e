"""The FastAPI app of `wage serve`: routers, the Host and cross-site checks, optional CORS, JSON errors, static files."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from analysis_py.config import Settings
from analysis_py.errors import AnalysisError, WageError
from analysis_py.server.cache import AnswerCache
from analysis_py.server.database import NoWarehouse, Warehouse
from analysis_py.server.options import LOCAL_HOSTS, ServerOptions
from analysis_py.server.routers import compare, lookups, pages, results, sql, wages
from analysis_py.server.sql_pool import SqlBusy, SqlWorkers
from analysis_py.study.lookup import UnknownCode

__all__ = ["LOCAL_HOSTS", "ServerOptions", "create_app"]

logger = logging.getLogger(__name__)

DESCRIPTION = """\
BLS OEWS wage estimates from the published `wage.duckdb`, read-only, with 95% CIs from
BLS's percent relative standard errors. JSON by default; `?format=csv` (or `Accept: text/csv`)
for CSV. Errors are JSON `{"error": ..., "parameter": ...}`: 400 for a bad parameter, 403 for a
request a page of another site made (and for /api/sql without its `X-Wage-Client` header), 404
for an unknown code, 429 when the SQL slots are taken, 503 when there is no warehouse yet.
"""


class HostCheck:
    """Answer only requests whose Host header names this machine (DNS-rebinding defence): else 400 JSON."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope["headers"])
            host = _host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.hosts:
                response = JSONResponse(
                    {"error": f"Host header {host!r} is not served here", "parameter": "Host"},
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class CrossSiteCheck:
    """Refuse (403 JSON) an /api/ request a browser made for a page of another site.

    Browsers say where a request comes from: `Sec-Fetch-Site` (anything but same-origin, or none
    for an address typed by the user) and `Origin` (when it is not this server's). An <img> or
    <form> on any site the user opens could otherwise make the browser call this API. Clients
    that are not browsers send neither header and pass. With `--cors` the API is meant to be
    read from other sites, and only the Host check stays.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            headers = dict(scope["headers"])
            site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
            origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
            host = headers.get(b"host", b"").decode("latin-1").strip().lower()
            own = {f"http://{host}", f"https://{host}"}
            if site not in ("", "same-origin", "none") or (origin and origin not in own):
                response = JSONResponse(
                    {
                        "error": "a request from a page of another site is not answered here",
                        "parameter": "Origin" if origin and origin not in own else "Sec-Fetch-Site",
                    },
                    status_code=403,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _host_name(header: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`; `[::1]:8000` -> `::1`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _error(status: int, message: str, parameter: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "parameter": parameter}, status_code=status)


def _retry_later(status: int, exc: WageError, seconds: int) -> JSONResponse:
    return JSONResponse(
        {"error": f"{exc.path}: {exc.problem}", "parameter": None},
        status_code=status,
        headers={"Retry-After": str(seconds)},
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
        problem = exc.errors()[0]
        location = [
            str(part)
            for part in problem.get("loc", ())
            if part not in ("query", "header", "path", "body")
        ]
        parameter = location[0] if location else None
        given = request.query_params.getlist(parameter) if parameter else []
        message = f"{parameter}: {problem.get('msg', 'invalid')}" + (
            f" (got {given[0]!r})" if given else ""
        )
        return _error(400, message, parameter)

    @app.exception_handler(UnknownCode)
    async def unknown_code(request: Request, exc: UnknownCode) -> JSONResponse:
        return _error(404, f"{exc.path}: {exc.problem}", exc.path)

    @app.exception_handler(AnalysisError)
    async def bad_request(request: Request, exc: AnalysisError) -> JSONResponse:
        parameter = exc.path if exc.path.isidentifier() else None
        return _error(400, f"{exc.path}: {exc.problem}", parameter)

    @app.exception_handler(SqlBusy)
    async def busy(request: Request, exc: SqlBusy) -> JSONResponse:
        return _retry_later(429, exc, seconds=1)

    @app.exception_handler(NoWarehouse)
    async def no_warehouse(request: Request, exc: NoWarehouse) -> JSONResponse:
        return _retry_later(503, exc, seconds=5)

    @app.exception_handler(WageError)
    async def wage_error(request: Request, exc: WageError) -> JSONResponse:
        return _error(400, f"{exc.path}: {exc.problem}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = (
            "no such page: see /docs for the API" if exc.status_code == 404 else str(exc.detail)
        )
        return JSONResponse(
            {"error": message, "parameter": None},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("%s %s failed", request.method, request.url.path)
        return _error(500, "internal error: the server log has the details")


def create_app(settings: Settings, options: ServerOptions | None = None) -> FastAPI:
    """The app over `settings.warehouse` (opened on the first request; 503 until there is one)."""
    options = options or ServerOptions()
    database = Warehouse(settings.warehouse, threads=options.threads)
    sql_workers = SqlWorkers(settings.warehouse, options.sql_workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        database.warm()
        yield
        sql_workers.close()
        database.close()

    app = FastAPI(
        lifespan=lifespan,
        title="wage-warehouse",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.options = options
    app.state.warehouse = database
    app.state.sql_workers = sql_workers
    _install_error_handlers(app)
    for module in (lookups, wages, compare, results, sql, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    if options.cache_entries:
        app.add_middleware(AnswerCache, warehouse=database, entries=options.cache_entries)
    if options.cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET"],
            allow_headers=["Accept", sql.CLIENT_HEADER],
        )
    else:
        app.add_middleware(CrossSiteCheck)
    hosts = options.hosts
    if hosts is not None:
        app.add_middleware(HostCheck, hosts=hosts)
    return app
