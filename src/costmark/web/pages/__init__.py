"""Dashboard pages: each is one definition served as HTML, JSON and (when tabular) CSV.

A ``Page`` names its URLs, its query parameters (a FastAPI dependency, so bad values are a 422
and the API docs list them) and one ``build`` function computing its data from the workspace
and the caller's scoped view. ``register`` turns it into routes: ``/x`` renders the data,
``/api/x`` serves the same data as JSON (as datasette serves ``.json`` from the same view) and
``/export/x.csv`` the page's main table — so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from costmark.present.records import to_csv
from costmark.web.serving import Server, twin_url

Cadence = Annotated[str, Query(pattern="^(daily|weekly|monthly)$")]


@dataclass(frozen=True)
class Ask:
    """What a page's ``build`` reads: the workspace, the caller's view of it (scoped for a
    scoped token), the validated query and path parameters, and the server's recent activity."""

    ws: Any
    view: Any
    params: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def context(self) -> Any:
        """The caller's context (scope included): what report sources and the KPI engine
        take. ``view`` is the facade over it."""
        return self.view.context


Build = Callable[[Ask], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    """One page. ``path``/``api``/``csv`` may hold path parameters (``{kpi_id}``) that
    ``params`` also receives. ``cache``: ``data`` (until the data changes), ``daily`` (also
    the day: goal progress) or ``None`` (server activity, computed every time)."""

    slug: str
    title: str
    path: str
    api: str
    params: Callable[..., dict[str, Any]]
    build: Build
    template: str | None = None
    figures: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    table: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None
    csv: str | None = None
    cache: str | None = "data"
    heading: Callable[[dict[str, Any]], str] | None = None

    def templates(self) -> list[str]:
        """The page's own template, else the generic one listing its sections."""
        return [self.template or f"{self.slug}.html.j2", "sections.html.j2"]


def period_params(
    cadence: Cadence = "monthly", period: str | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The report period a page judges: cadence, an explicit period, or ``as_of`` a day."""
    return {"cadence": cadence, "period": period, "as_of": as_of}


def no_params() -> dict[str, Any]:
    return {}


def csv_response(rows: list[dict[str, Any]], name: str) -> Response:
    """Rows as CSV: every column any row has, cells made formula-safe for spreadsheets."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
    )


def register(app: FastAPI, server: Server, page: Page) -> None:
    """Add the page's HTML, JSON and CSV routes to ``app``."""
    wanted = Depends(page.params)

    def name(request: Request) -> str:
        return cache_name(page, request.path_params)

    async def load(request: Request, params: dict[str, Any]) -> dict[str, Any]:
        def build(ws: Any, view: Any) -> dict[str, Any]:
            return page.build(Ask(ws, view, params, list(server.live.events)))

        if page.cache is None:
            data: dict[str, Any] = await server.fresh(request, build)
            return data
        cached: dict[str, Any] = await server.cached(request, name(request), build)
        return cached

    async def as_json(request: Request, params: dict[str, Any] = wanted) -> Response:
        data = await load(request, params)
        return server.json(request, name(request) if page.cache else None, data)

    async def as_html(request: Request, params: dict[str, Any] = wanted) -> HTMLResponse:
        data = await load(request, params)
        if page.figures is not None:
            data["figures"] = page.figures(data)
        api = page.api.format(**request.path_params)
        title = page.heading(data) if page.heading else page.title
        return server.html(request, page.templates(), data, title, twin_url(request, api))

    async def as_csv(request: Request, params: dict[str, Any] = wanted) -> Response:
        data = await load(request, params)
        assert page.table is not None
        return csv_response(page.table(data), _csv_name(page, request))

    app.add_api_route(page.api, as_json, methods=["GET"], tags=["pages"],
                      name=f"{page.slug}_json", summary=f"{page.title} (JSON)")
    app.add_api_route(page.path, as_html, methods=["GET"], tags=["pages"],
                      response_class=HTMLResponse, name=f"{page.slug}_page", summary=page.title)
    if page.csv and page.table is not None:
        app.add_api_route(page.csv, as_csv, methods=["GET"], tags=["exports"],
                          name=f"{page.slug}_csv", summary=f"{page.title} (CSV)")


def cache_name(page: Page, path_params: dict[str, Any]) -> str:
    """The page's data in the cache: the page, its path parameters and, for ``daily``
    pages, the day (the query and the caller's scope are added by the cache key)."""
    where = ",".join(f"{k}={v}" for k, v in sorted(path_params.items()))
    day = f":{dt.date.today()}" if page.cache == "daily" else ""
    return f"{page.slug}:{where}{day}"


def _csv_name(page: Page, request: Request) -> str:
    values = list(request.path_params.values())
    return str(values[0]) if values else page.slug
