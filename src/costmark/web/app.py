"""``create_app(workspace_path)``: the FastAPI app, composed from its parts.

Pages (``costmark.web.pages``: each served as HTML, JSON and CSV from one definition), session
and docs routes, data feeds (reports, live events, uploads, Prometheus) and admin routes all
share one ``Server`` (gate, page cache, KPI threads, templates)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from costmark import __version__
from costmark.reports import charts
from costmark.web import admin, auth, errors, feeds, metrics, session
from costmark.web.gate import Gate, Opener, default_opener
from costmark.web.live import Live, Watcher
from costmark.web.pages import Ask, cache_name, register
from costmark.web.pages import overview as overview_page
from costmark.web.pages.registry import PAGES
from costmark.web.serving import KPI_THREADS, Server


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
    server = Server(root, gate, live, kpi_threads=kpi_threads,
                    alert_options=dict(alert_options or {}),
                    schedule_options=dict(schedule_options or {}))

    def run_schedules() -> None:
        # Look first (read-only): opening for writing checkpoints the file and would
        # invalidate every cached page once a minute.
        with gate.read() as ws:
            if not any(s["due"] for s in ws.schedules()):
                return
        with gate.write() as ws:
            for run in ws.run_schedules(**server.schedule_options):
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
    app.state.server = server

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """plotly.js from the plotly Python package: charts work offline, no CDN."""
        return FileResponse(
            charts.plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_middleware(auth.AuthMiddleware, gate=gate, key=key)

    def prewarm() -> None:
        """Compute the default overview once after a data change, before anyone asks."""
        page = overview_page.PAGE
        params = page.params()

        def compute() -> Any:  # gives way to a waiting write, then runs again
            return gate.call(lambda ws: page.build(Ask(ws, ws, params)))

        server.cache.get_or_compute(server.cache.key(cache_name(page, {}), [], {}, root), compute)

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

    def prewarm_metrics() -> None:
        """``/metrics`` with the default dimensions, computed before Prometheus asks (the first
        scrape after a data change would outlast its timeout), on a thread of its own so the
        server's start is not delayed; a scrape meanwhile waits for it instead of computing."""

        def work() -> None:
            with contextlib.suppress(Exception):  # only costs speed
                gate.call(lambda ws: metrics.exposition(ws, metrics.default_dimensions(ws)))

        threading.Thread(target=work, name="costmark-metrics-warm", daemon=True).start()

    live.listeners.append(prewarm_metrics)

    errors.install(app, server)
    session.install(app, server, key)
    for page in PAGES:
        register(app, server, page)
    feeds.install(app, server, upload_limit)
    admin.install(app, server)
    return app
