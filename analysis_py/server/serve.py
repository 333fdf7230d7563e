"""`wage serve`: the app on uvicorn, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import logging

import uvicorn

from analysis_py.config import Settings
from analysis_py.server.app import ServerOptions, create_app

__all__ = ["serve"]

logger = logging.getLogger(__name__)


def serve(settings: Settings, options: ServerOptions) -> None:
    """Serve until interrupted (Ctrl+C). Port 0 picks a free port; the log line says which."""
    app = create_app(settings, options)
    if not settings.warehouse.exists():
        logger.warning(
            "no warehouse at %s yet: the API answers 503 until `wage run` publishes one",
            settings.warehouse,
        )
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        log_level="info",
        access_log=False,
        server_header=False,
    )
    uvicorn.Server(config).run()
