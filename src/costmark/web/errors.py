"""One error handler for the whole app: JSON for API callers, a page for browsers.

Costmark's own errors map to statuses here; anything unexpected is logged and answered as a
500 naming only the exception's type, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from costmark.errors import (
    CostmarkError,
    InputError,
    NotFoundError,
    ScopeUnsupported,
    UsageError,
    WorkspaceError,
)
from costmark.web import uploads
from costmark.web.gate import WarehouseBusy
from costmark.web.serving import Server

log = logging.getLogger("costmark.web")
STATUS = {
    NotFoundError: 404,
    UsageError: 400,
    InputError: 400,
    ScopeUnsupported: 403,
    WarehouseBusy: 503,
    WorkspaceError: 503,
    uploads.PayloadTooLarge: 413,
}


def install(app: FastAPI, server: Server) -> None:
    @app.exception_handler(CostmarkError)
    async def costmark_error(request: Request, exc: CostmarkError) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return server.error(request, status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def starlette_error(request: Request, exc: StarletteHTTPException) -> Response:
        return server.error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return server.error(request, 422, problems)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return server.error(request, 500, f"internal error ({type(exc).__name__})")
