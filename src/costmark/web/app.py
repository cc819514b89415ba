"""``create_app(workspace_path)``: the FastAPI app (pages, JSON twins, API, live, metrics)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from costmark import __version__
from costmark.access.scope import ScopeUnsupported
from costmark.access.tokens import ROLES
from costmark.cli.output import csv_safe, dumps, to_jsonable
from costmark.errors import (
    CostmarkError,
    InputError,
    NotFoundError,
    UsageError,
    WorkspaceError,
)
from costmark.reports import charts
from costmark.reports.render import FORMATS
from costmark.reports.render import figures as report_figures
from costmark.reports.schedule import MIME
from costmark.web import auth, metrics, removal, uploads, views
from costmark.web.gate import Gate, Opener, WarehouseBusy, default_opener
from costmark.web.live import Live, Watcher
from costmark.web.pagecache import PageCache
from costmark.web.templating import render_page, templates_env

log = logging.getLogger("costmark.web")
Cadence = Annotated[str, Query(pattern="^(daily|weekly|monthly)$")]
STATUS = {
    NotFoundError: 404,
    UsageError: 400,
    InputError: 400,
    ScopeUnsupported: 403,
    WarehouseBusy: 503,
    WorkspaceError: 503,
    uploads.PayloadTooLarge: 413,
}
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


#: Threads for KPI work (see ``kpi_pool`` in ``create_app``).
KPI_THREADS = 4
ADMIN = Depends(auth.needs("admin", unscoped=True))


class TokenRequest(BaseModel):
    role: str
    name: str | None = None
    scope: dict[str, str] = {}


def create_app(
    workspace_path: str | Path,
    *,
    opener: Opener = default_opener,
    watch: str | Path | None = None,
    background: bool = True,
    poll_interval: float = 2.0,
    alert_options: dict[str, Any] | None = None,
    schedule_options: dict[str, Any] | None = None,
    kpi_threads: int = KPI_THREADS,
) -> FastAPI:
    """Build the app. ``background=False`` (tests) starts no threads: call
    ``app.state.live.check_once()`` / ``app.state.watcher.scan()`` by hand."""
    root = Path(workspace_path).expanduser().resolve()
    gate = Gate(root, opener)
    with gate.write() as ws:  # apply pending migrations once, before read-only requests
        upload_limit = int(ws.project.web.upload_limit)  # also: fail fast on a broken yaml
    key = auth.session_key(root)
    live = Live(gate, interval=poll_interval, alert_options=alert_options)
    watcher = Watcher(Path(watch), gate, live) if watch else None
    schedule_opts = schedule_options or {}

    def run_schedules() -> None:
        # Look first (read-only): opening for writing checkpoints the file and would
        # invalidate every cached page once a minute.
        with gate.read() as ws:
            if not any(s["due"] for s in ws.schedules()):
                return
        with gate.write() as ws:
            for run in ws.run_schedules(**schedule_opts):
                live.note("schedule", f"{run['schedule']}: {run['status']} {run['message']}")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if background:
            live.check_once()
            live.start("ingest-poll", live.check_once, poll_interval)
            live.start("schedules", run_schedules, 60.0)
            if watcher is not None:
                live.start("watch", watcher.scan, poll_interval)
        yield
        live.stop()
        gate.close()

    app = FastAPI(
        title="costmark",
        version=__version__,
        description="FinOps KPIs, tracking and benchmarking. Every page has a JSON twin.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.gate = gate
    app.state.live = live
    app.state.watcher = watcher
    app.state.root = root
    env = templates_env()
    static_dir = Path(__file__).parent / "static"

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """plotly.js from the plotly Python package: charts work offline, no CDN."""
        return FileResponse(
            charts.plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    app.add_middleware(auth.AuthMiddleware, gate=gate, key=key)

    # -- helpers -----------------------------------------------------------------------
    cache = PageCache()
    #: KPI work (page data, reports) runs on its own few threads, never on the event loop and
    #: never in the pool light requests use (sessions, /api/me, token checks): those answer at
    #: once however many dashboards wait for KPIs, and at most this many computations share
    #: the CPU and DuckDB at a time (identical ones are also computed once: ``PageCache``).
    kpi_pool = anyio.CapacityLimiter(kpi_threads)

    async def cached_view(request: Request, name: str, fn: Callable[[Any, Any], Any]) -> Any:
        """Page data is reused until the warehouse or costmark.yaml changes (an ingest, an
        edit): the KPI engine and forecasts are slow, the data changes rarely."""
        who = auth.principal(request)
        key = cache.key(name, sorted(request.query_params.multi_items()), who.scope, root)
        hit = cache.get(key)
        if hit is None:

            def compute() -> Any:  # gives way to a waiting write, then runs again
                return gate.call(lambda ws: fn(ws, ws.scoped(who.scope)))

            hit = await anyio.to_thread.run_sync(
                cache.get_or_compute, key, compute, limiter=kpi_pool
            )
        return dict(hit)

    def json_body(request: Request, name: str, data: dict[str, Any]) -> Response:
        """The JSON twin, serialised once per page data (keyed like the data itself)."""
        who = auth.principal(request)
        key = ("json", cache.key(name, sorted(request.query_params.multi_items()), who.scope, root))
        body = cache.get(key)
        if body is None:
            slim = {k: v for k, v in data.items() if k != "figures"}
            body = dumps(slim, indent=None).encode("utf-8")  # money keeps every digit
            cache.put(key, body)
        return Response(body, media_type="application/json")

    def prewarm() -> None:
        """Compute the default overview once after a data change, before anyone asks."""

        def compute() -> Any:
            return gate.call(lambda ws: views.overview(ws, ws, "monthly", None))

        cache.get_or_compute(cache.key("overview", [], {}, root), compute)

    def prewarm_soon() -> None:
        # in the background: the upload that triggered it answers without waiting for the
        # slowest page (under load, behind every dashboard's recomputation: 4.7x idle)
        def run() -> None:
            try:
                prewarm()
            except Exception as exc:  # a failed warm-up only costs speed
                live.note("cache", f"{type(exc).__name__}: {exc}")

        threading.Thread(target=run, name="prewarm", daemon=True).start()

    live.listeners.append(prewarm_soon)

    async def with_view(request: Request, fn: Callable[[Any, Any], Any]) -> Any:
        who = auth.principal(request)

        def work() -> Any:
            return gate.call(lambda ws: fn(ws, ws.scoped(who.scope)))

        return await anyio.to_thread.run_sync(work, limiter=kpi_pool)

    def page(
        request: Request, template: str, data: dict[str, Any], title: str, twin: str
    ) -> HTMLResponse:
        who = auth.principal(request)
        html = render_page(
            env,
            template,
            request=request,
            data=data,
            title=title,
            twin=twin,
            who=who,
            live_version=live.version,
        )
        return HTMLResponse(html)

    def twin_url(request: Request, path: str) -> str:
        return path + (f"?{request.url.query}" if request.url.query else "")

    # -- errors: one handler, JSON or HTML -----------------------------------------------
    def error_response(request: Request, status: int, message: str) -> Response:
        message = uploads.scrub(message, root)
        if auth.wants_json(request):
            return JSONResponse({"ok": False, "status": status, "error": message}, status)
        html = render_page(
            env,
            "error.html.j2",
            request=request,
            data={"status": status, "message": message},
            title=f"Error {status}",
            twin="",
            who=None,
            live_version=live.version,
        )
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(CostmarkError)
    async def costmark_error(request: Request, exc: CostmarkError) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return error_response(request, status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def starlette_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return error_response(request, 422, problems)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, f"internal error ({type(exc).__name__})")

    # -- public ------------------------------------------------------------------------
    @app.get("/health", tags=["public"])
    def health() -> dict[str, Any]:
        """Liveness: no authentication, no data."""
        return {"ok": True, "version": __version__}

    @app.get("/login", response_class=HTMLResponse, tags=["public"])
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        html = render_page(
            env,
            "login.html.j2",
            request=request,
            data={"next": auth.safe_next(next), "error": None},
            title="Sign in",
            twin="",
            who=None,
            live_version=0,
        )
        return HTMLResponse(html)

    @app.post("/login", tags=["public"])
    async def login(
        request: Request, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
    ) -> Response:
        """Sign in with an API token as the password; sets a signed session cookie."""

        def check() -> Any:
            with gate.read() as ws:
                return ws.authenticate(token)

        who = await anyio.to_thread.run_sync(check)
        if who is None:
            html = render_page(
                env,
                "login.html.j2",
                request=request,
                data={"next": auth.safe_next(next), "error": "That token is not valid."},
                title="Sign in",
                twin="",
                who=None,
                live_version=0,
            )
            return HTMLResponse(html, status_code=401)
        resp = RedirectResponse(auth.safe_next(next), status_code=303)
        resp.set_cookie(
            auth.COOKIE,
            auth.sign_session(key, who.id),
            max_age=auth.SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return resp

    @app.post("/logout", tags=["session"])
    def logout() -> Response:
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(auth.COOKIE)
        return resp

    # -- docs (behind auth, offline) ---------------------------------------------------
    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return page(request, "docs.html.j2", {"schema": app.openapi()}, "API", "/openapi.json")

    # -- pages and their JSON twins -------------------------------------------------------
    @app.get("/api/me", tags=["session"])
    def me(request: Request) -> dict[str, Any]:
        return auth.principal(request).to_dict()

    @app.get("/api/overview", tags=["pages"])
    async def overview_json(
        request: Request, cadence: Cadence = "monthly", period: str | None = None,
        as_of: dt.date | None = None,
    ) -> Any:
        data = await cached_view(
            request, "overview", lambda ws, v: views.overview(ws, v, cadence, period, as_of)
        )
        return json_body(request, "overview", data)

    @app.get("/", response_class=HTMLResponse, tags=["pages"])
    async def overview_page(
        request: Request, cadence: Cadence = "monthly", period: str | None = None,
        as_of: dt.date | None = None,
    ) -> HTMLResponse:
        data = await cached_view(
            request, "overview", lambda ws, v: views.overview(ws, v, cadence, period, as_of)
        )
        data["figures"] = report_figures(data)
        return page(
            request, "overview.html.j2", data, "Overview", twin_url(request, "/api/overview")
        )

    @app.get("/api/kpis", tags=["pages"])
    async def kpis_json(request: Request) -> Any:
        from costmark.reports import sources

        data = await cached_view(request, "kpis", lambda ws, v: {"rows": sources.catalog(v)})
        return to_jsonable(data["rows"])

    def kpi_data(
        request: Request,
        kpi_id: str,
        grain: str,
        by: str | None,
        start: dt.date | None,
        end: dt.date | None,
        as_of: dt.date | None = None,
    ) -> Any:
        return cached_view(
            request,
            f"kpi:{kpi_id}",
            lambda ws, v: views.kpi_detail(
                v, kpi_id, grain=grain, by=by or None, start=start, end=end, as_of=as_of
            ),
        )

    @app.get("/api/kpi/{kpi_id}", tags=["pages"])
    async def kpi_json(
        request: Request,
        kpi_id: str,
        grain: str = "month",
        by: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        as_of: dt.date | None = None,
    ) -> Any:
        data = await kpi_data(request, kpi_id, grain, by, start, end, as_of)
        return json_body(request, f"kpi:{kpi_id}", data)

    @app.get("/kpi/{kpi_id}", response_class=HTMLResponse, tags=["pages"])
    async def kpi_page(
        request: Request,
        kpi_id: str,
        grain: str = "month",
        by: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        as_of: dt.date | None = None,
    ) -> HTMLResponse:
        data = await kpi_data(request, kpi_id, grain, by, start, end, as_of)
        return page(
            request,
            "kpi.html.j2",
            data,
            data["kpi"]["title"],
            twin_url(request, f"/api/kpi/{kpi_id}"),
        )

    @app.get("/export/kpi/{kpi_id}.csv", tags=["exports"])
    async def kpi_csv(
        request: Request,
        kpi_id: str,
        grain: str = "month",
        by: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        as_of: dt.date | None = None,
    ) -> Response:
        """The KPI series (or its drill-down when ``by`` is given) as CSV, formula-safe."""
        data = await kpi_data(request, kpi_id, grain, by, start, end, as_of)
        rows = data["drilldown"].get("series") if by else data["series"]
        cols = list(dict.fromkeys(k for r in rows or [] for k in r))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for r in rows or []:
            writer.writerow([csv_safe(r.get(c)) for c in cols])
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", kpi_id)
        return Response(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    simple_pages: dict[str, tuple[str, Callable[[Any, Any, Request], Any]]] = {
        "benchmarks": (
            "Benchmarks",
            lambda ws, v, r: views.report_sections(
                ws,
                v,
                r.query_params.get("cadence", "monthly"),
                r.query_params.get("period"),
                ("peers", "industry"),
                r.query_params.get("as_of"),
            ),
        ),
        "anomalies": (
            "Anomalies and budgets",
            lambda ws, v, r: views.report_sections(
                ws,
                v,
                r.query_params.get("cadence", "monthly"),
                r.query_params.get("period"),
                ("anomalies", "budgets"),
                r.query_params.get("as_of"),
            ),
        ),
        "maturity": ("Maturity", lambda ws, v, r: views.maturity_page(v)),
        "iterations": ("Iterations", lambda ws, v, r: views.iterations_page(v)),
        "data": ("Data", lambda ws, v, r: views.data_page(v, list(live.events))),
        "alerts": ("Alerts and report runs", lambda ws, v, r: views.alerts_page(v)),
    }

    def add_simple(slug: str, title: str, build: Callable[[Any, Any, Request], Any]) -> None:
        # pages computed from the warehouse alone are cached until it changes (goal progress
        # also depends on the day); data and alerts show server activity, and are cheap
        view = cached_view if slug not in ("data", "alerts") else None

        async def load(request: Request) -> Any:
            if view is not None:
                name = f"{slug}:{dt.date.today()}"
                return await view(request, name, lambda ws, v: build(ws, v, request))
            return await with_view(request, lambda ws, v: build(ws, v, request))

        async def as_json(request: Request) -> Any:
            data = await load(request)
            if view is not None:
                return json_body(request, f"{slug}:{dt.date.today()}", data)
            data.pop("figures", None)
            return Response(dumps(data, indent=None), media_type="application/json")

        async def as_html(request: Request) -> HTMLResponse:
            data = await load(request)
            return page(request, "sections.html.j2", data, title, twin_url(request, f"/api/{slug}"))

        app.add_api_route(
            f"/api/{slug}",
            as_json,
            methods=["GET"],
            tags=["pages"],
            name=f"{slug}_json",
            summary=f"{title} (JSON)",
        )
        app.add_api_route(
            f"/{slug}",
            as_html,
            methods=["GET"],
            tags=["pages"],
            response_class=HTMLResponse,
            name=f"{slug}_page",
            summary=title,
        )

    for slug, (title, build) in simple_pages.items():
        add_simple(slug, title, build)

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

        body = await anyio.to_thread.run_sync(work, limiter=kpi_pool)
        return Response(body, media_type=MIME[format])

    # -- live ---------------------------------------------------------------------------
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

    # -- admin ------------------------------------------------------------------------
    @app.get("/api/tokens", tags=["admin"], dependencies=[ADMIN])
    async def list_tokens(request: Request) -> Any:
        auth.require(request, "admin", unscoped=True)
        return to_jsonable(await with_view(request, lambda ws, v: ws.tokens()))

    @app.post("/api/tokens", tags=["admin"], status_code=201, dependencies=[ADMIN])
    async def create_token(request: Request, body: TokenRequest) -> Any:
        auth.require(request, "admin", unscoped=True)
        if body.role not in ROLES:
            raise UsageError(f"role must be one of {', '.join(ROLES)}")

        def work() -> Any:
            with gate.write() as ws:
                return ws.create_token(body.role, scope=body.scope, name=body.name)

        text, info = await anyio.to_thread.run_sync(work)
        return {"token": text, **info}

    @app.delete("/api/tokens/{token_id}", tags=["admin"], dependencies=[ADMIN])
    async def revoke_token(request: Request, token_id: str) -> Any:
        auth.require(request, "admin", unscoped=True)

        def work() -> None:
            with gate.write() as ws:
                ws.revoke_token(token_id)

        await anyio.to_thread.run_sync(work)
        return {"ok": True, "revoked": token_id}

    @app.post("/api/alerts/evaluate", tags=["admin"], dependencies=[ADMIN])
    async def evaluate_alerts(request: Request) -> Any:
        auth.require(request, "admin", unscoped=True)

        def work() -> Any:
            with gate.write() as ws:
                return ws.evaluate_alerts(**(alert_options or {}))

        return to_jsonable(await anyio.to_thread.run_sync(work))

    @app.get(
        "/api/schedules",
        tags=["admin"],
        dependencies=[Depends(auth.needs("analyst", unscoped=True))],
    )
    async def schedules(request: Request) -> Any:
        auth.require(request, "analyst", unscoped=True)
        return to_jsonable(await with_view(request, lambda ws, v: ws.schedules()))

    @app.post("/api/schedules/run", tags=["admin"], dependencies=[ADMIN])
    async def run_schedules_now(request: Request, force: bool = False) -> Any:
        auth.require(request, "admin", unscoped=True)

        def work() -> Any:
            with gate.write() as ws:
                return ws.run_schedules(force=force, **schedule_opts)

        return to_jsonable(await anyio.to_thread.run_sync(work))

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

        data = await cached_view(request, "metrics", lambda ws, v: {"text": build(ws, v)})
        text = data["text"]
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    return app
