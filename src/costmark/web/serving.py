"""What every route shares: the gate, the page cache, the KPI thread pool and page rendering.

One ``Server`` per app replaces the helpers ``create_app`` used to close over, so the route
modules (pages, session, admin, feeds) are plain functions of it and can live apart.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment

from costmark.present.records import dumps
from costmark.web import auth, uploads
from costmark.web.gate import Gate
from costmark.web.live import Live
from costmark.web.pagecache import PageCache
from costmark.web.templating import render_page, templates_env

#: Threads for KPI work (see ``Server.kpi_pool``).
KPI_THREADS = 4


@dataclass
class Server:
    """The app's shared state and the few ways a route reads data and answers."""

    root: Path
    gate: Gate
    live: Live
    kpi_threads: int = KPI_THREADS
    alert_options: dict[str, Any] = field(default_factory=dict)
    schedule_options: dict[str, Any] = field(default_factory=dict)
    env: Environment = field(default_factory=templates_env)
    cache: PageCache = field(default_factory=PageCache)

    def __post_init__(self) -> None:
        #: KPI work (page data, reports) runs on its own few threads, never on the event loop
        #: and never in the pool light requests use (sessions, /api/me, token checks): those
        #: answer at once however many dashboards wait for KPIs, and at most this many
        #: computations share the CPU and DuckDB at a time (identical ones are also computed
        #: once: ``PageCache``).
        self.kpi_pool = anyio.CapacityLimiter(self.kpi_threads)

    # -- data ------------------------------------------------------------------------------
    def cache_key(self, request: Request, name: str) -> Hashable:
        who = auth.principal(request)
        return self.cache.key(name, sorted(request.query_params.multi_items()), who.scope,
                              self.root)

    async def cached(self, request: Request, name: str, fn: Callable[[Any, Any], Any]) -> Any:
        """Page data, reused until the warehouse or costmark.yaml changes (an ingest, an edit):
        the KPI engine and forecasts are slow, the data changes rarely. ``fn(ws, view)`` gets
        the workspace and the caller's scoped view of it."""
        who = auth.principal(request)
        key = self.cache_key(request, name)
        hit = self.cache.get(key)
        if hit is None:

            def compute() -> Any:  # gives way to a waiting write, then runs again
                return self.gate.call(lambda ws: fn(ws, ws.scoped(who.scope)))

            hit = await anyio.to_thread.run_sync(
                self.cache.get_or_compute, key, compute, limiter=self.kpi_pool
            )
        return dict(hit)

    async def fresh(self, request: Request, fn: Callable[[Any, Any], Any]) -> Any:
        """Like ``cached`` but computed on every call (server activity, cheap pages)."""
        who = auth.principal(request)

        def work() -> Any:
            return self.gate.call(lambda ws: fn(ws, ws.scoped(who.scope)))

        return await anyio.to_thread.run_sync(work, limiter=self.kpi_pool)

    # -- answers ---------------------------------------------------------------------------
    def json(self, request: Request, name: str | None, data: dict[str, Any]) -> Response:
        """A page's JSON twin: its data without the figures, serialised once per page data
        when ``name`` keys a cached computation. Money keeps every digit."""
        key = ("json", self.cache_key(request, name)) if name else None
        body = self.cache.get(key) if key else None
        if body is None:
            slim = {k: v for k, v in data.items() if k != "figures"}
            body = dumps(slim, indent=None).encode("utf-8")
            if key:
                self.cache.put(key, body)
        return Response(body, media_type="application/json")

    def html(
        self, request: Request, template: str | list[str], data: dict[str, Any], title: str,
        twin: str,
    ) -> HTMLResponse:
        """A page in the site's frame; ``template`` may list candidates, the first that exists
        is used (a page without its own template falls back to the generic sections one)."""
        who = auth.principal(request)
        return HTMLResponse(
            render_page(self.env, template, request=request, data=data, title=title, twin=twin,
                        who=who, live_version=self.live.version)
        )

    def error(self, request: Request, status: int, message: str) -> Response:
        """One error answer, JSON for API callers, a page for browsers; paths scrubbed."""
        message = uploads.scrub(message, self.root)
        if auth.wants_json(request):
            return JSONResponse({"ok": False, "status": status, "error": message}, status)
        html = render_page(self.env, "error.html.j2", request=request,
                           data={"status": status, "message": message}, title=f"Error {status}",
                           twin="", who=None, live_version=self.live.version)
        return HTMLResponse(html, status_code=status)


def twin_url(request: Request, path: str) -> str:
    """``path`` with the request's query: the JSON (or CSV) twin of the page shown."""
    return path + (f"?{request.url.query}" if request.url.query else "")
