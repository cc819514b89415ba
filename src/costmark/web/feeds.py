"""Data feeds beside the pages: reports, the KPI catalog, live events, uploads, Prometheus."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from costmark.errors import CostmarkError, InputError, NotFoundError
from costmark.present.records import to_jsonable
from costmark.reports import sources
from costmark.reports.render import FORMATS
from costmark.reports.schedule import MIME
from costmark.web import auth, metrics, removal, uploads
from costmark.web.pages import Cadence
from costmark.web.serving import Server

log = logging.getLogger("costmark.web")
#: The upload's body in the API docs (the route reads it itself, after the role check).
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        },
    }
}


def install(app: FastAPI, server: Server, upload_limit: int) -> None:
    gate, live, root = server.gate, server.live, server.root

    @app.get("/api/kpis", tags=["pages"])
    async def kpis_json(request: Request) -> Any:
        data = await server.cached(request, "kpis",
                                   lambda ws, v: {"rows": sources.catalog(v.context)})
        return to_jsonable(data["rows"])

    @app.get("/report", tags=["reports"])
    async def report(
        request: Request,
        cadence: Cadence = "monthly",
        period: str | None = None,
        format: Annotated[str, Query(pattern="^(html|md|pdf|json)$")] = "html",
    ) -> Response:
        """Render a report now, inside the caller's scope."""
        assert format in FORMATS
        who = auth.principal(request)

        def work() -> bytes:
            body: bytes = gate.call(
                lambda ws: ws.report(
                    cadence=cadence, period=period, format=format, scope=who.scope
                )
            )
            return body

        body = await anyio.to_thread.run_sync(work, limiter=server.kpi_pool)
        return Response(body, media_type=MIME[format])

    @app.get("/api/events", tags=["live"])
    async def events(
        request: Request, since: int | None = None, timeout: float | None = None
    ) -> StreamingResponse:
        """Server-sent events: ``ingest`` whenever new data landed (``since``: last id seen)."""
        last = request.headers.get("last-event-id")
        if since is None and last and last.isdigit():
            since = int(last)
        return StreamingResponse(
            live.stream(request.is_disconnected, since, timeout),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.post(
        "/api/ingest",
        tags=["data"],
        dependencies=[Depends(auth.needs("analyst", unscoped=True))],
        openapi_extra=UPLOAD_BODY,
    )
    async def ingest(request: Request) -> Any:
        """Upload FOCUS files (CSV, CSV.gz, Parquet; multipart field ``files``) and ingest them
        (analyst, unscoped). The role is checked before the body is read; bodies over
        ``web: upload_limit`` (default 1 GB) get 413; the files are deleted after the load."""
        auth.require(request, "analyst", unscoped=True)
        folder, paths = await uploads.receive_files(
            request, upload_limit, root / ".costmark" / "uploads"
        )

        def work() -> Any:
            with gate.write() as ws:
                if not hasattr(ws, "ingest_focus"):
                    raise NotFoundError("ingest is not available in this costmark yet")
                try:
                    return ws.ingest_focus(paths, progress=False)
                except CostmarkError:
                    raise
                except Exception as exc:  # a bad file is the uploader's error, never a 500
                    log.exception("upload ingest failed")
                    first = (str(exc).splitlines() or [""])[0]
                    raise InputError(
                        f"the upload could not be loaded ({type(exc).__name__}: {first})"
                    ) from exc

        try:
            summary = await anyio.to_thread.run_sync(work)
        finally:
            uploads.discard(folder)
        detail = ", ".join(p.name for p in paths)
        alerts = await anyio.to_thread.run_sync(live.after_ingest, "upload", detail)
        result = summary.to_dict() if hasattr(summary, "to_dict") else summary
        body = to_jsonable(
            {"ok": True, "summary": result, "alerts": len(alerts), "version": live.version}
        )
        return json.loads(uploads.scrub(json.dumps(body), root))

    removal.register(app, gate, live)  # POST /api/ingest/remove (admin)

    @app.get("/metrics", response_class=PlainTextResponse, tags=["metrics"])
    async def prometheus(
        request: Request, dimension: list[str] = Query(default=[]), as_of: dt.date | None = None
    ) -> Response:
        """Prometheus text format; ``dimension`` defaults to the allocation dimensions. Values
        are the latest complete month of the data in scope (``as_of``: as of that day)."""

        def build(ws: Any, view: Any) -> str:
            dims = dimension or [d for d, spec in ws.project.dimensions.items() if spec.allocation]
            scope = getattr(view, "scope", {}) or {}
            for d in dims:
                if d not in ws.project.dimensions:
                    raise NotFoundError(f"unknown dimension {d!r}")
            return metrics.exposition(view, [d for d in dims if d not in scope], as_of=as_of)

        data = await server.cached(request, "metrics", lambda ws, v: {"text": build(ws, v)})
        text = data["text"]
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")
