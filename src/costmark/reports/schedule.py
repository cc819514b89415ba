"""Run report schedules: which are due, render, deliver, and log every run.

A schedule is due when its cron expression fired after its last logged run (or it never ran).
Cron times are UTC. ``costmark schedule run`` calls ``run_due`` once; ``costmark serve`` calls
it every minute.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import httpx
from croniter import croniter

from costmark import progress
from costmark.alerts.deliver import Delivery, SmtpFactory, post_webhook, send_email
from costmark.errors import CostmarkError
from costmark.reports.context import build_context
from costmark.reports.render import render, render_md
from costmark.spec.schedules import Schedule

if TYPE_CHECKING:
    from costmark.engine.context import Context

MIME = {
    "html": "text/html",
    "md": "text/markdown",
    "pdf": "application/pdf",
    "json": "application/json",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def last_fire(schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """The most recent time at or before ``now`` the cron expression fired."""
    it = croniter(schedule.cron, now + dt.timedelta(seconds=1))
    prev: dt.datetime = it.get_prev(dt.datetime)
    return prev


def last_runs(con: duckdb.DuckDBPyConnection) -> dict[str, dt.datetime]:
    rows = con.execute(
        "SELECT schedule, max(started_at) FROM report_runs WHERE schedule IS NOT NULL "
        "GROUP BY schedule"
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def is_due(schedule: Schedule, last_run: dt.datetime | None, now: dt.datetime) -> bool:
    if not schedule.enabled:
        return False
    if last_run is None:
        return True
    return last_fire(schedule, now) > last_run


def listing(
    schedules: tuple[Schedule, ...], con: duckdb.DuckDBPyConnection, now: dt.datetime
) -> list[dict[str, Any]]:
    runs = last_runs(con)
    out = []
    for s in schedules:
        nxt: dt.datetime = croniter(s.cron, now).get_next(dt.datetime)
        out.append(
            {
                "name": s.name,
                "cron": s.cron,
                "cadence": s.cadence,
                "format": s.format,
                "destination": s.destination.describe(),
                "scope": s.scope or None,
                "enabled": s.enabled,
                "last_run": runs.get(s.name),
                "next_run": nxt,
                "due": is_due(s, runs.get(s.name), now),
            }
        )
    return out


def _slack_payload(ctx: dict[str, Any], fmt_name: str) -> dict[str, Any]:
    text = render_md(ctx)
    if len(text) > 3500:
        text = text[:3500] + "\n… (truncated)"
    return {"text": text, "costmark": {"title": ctx["title"], "format": fmt_name}}


def deliver(
    ws: Context,
    schedule: Schedule,
    ctx: dict[str, Any],
    body: bytes,
    *,
    transport: httpx.BaseTransport | None = None,
    smtp_factory: SmtpFactory | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    dest = schedule.destination
    name = f"{schedule.name}-{ctx['period']['label']}.{schedule.format}"
    if dest.folder is not None:
        folder = Path(dest.folder)
        if not folder.is_absolute():
            folder = Path(ws.root) / folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
        return Delivery(True, 1, str(folder / name))
    if dest.webhook is not None:
        return post_webhook(
            dest.webhook, _slack_payload(ctx, schedule.format), transport=transport, sleep=sleep
        )
    assert dest.email is not None
    kwargs: dict[str, Any] = {"smtp_factory": smtp_factory} if smtp_factory else {}
    return send_email(
        dest.email,
        ctx["title"],
        render_md(ctx),
        attachment=(name, body, MIME[schedule.format]),
        **kwargs,
    )


def run_one(
    ws: Context,
    schedule: Schedule,
    *,
    period: str | None = None,
    as_of: dt.date | None = None,
    now: dt.datetime | None = None,
    **delivery: Any,
) -> dict[str, Any]:
    """Render and deliver one schedule now, and log the run (ok or failed) either way.
    ``now`` (tests, catch-up runs) is the run's logged start, which due-ness compares with;
    the report's period comes from the data (or ``as_of``), not from ``now``."""
    started = now or utcnow()
    record: dict[str, Any] = {
        "id": uuid.uuid4().hex[:12],
        "schedule": schedule.name,
        "cadence": schedule.cadence,
        "period": None,
        "format": schedule.format,
        "destination": schedule.destination.describe(),
        "started_at": started,
    }
    try:
        progress.note(f"schedule {schedule.name}")
        ctx = build_context(
            ws.with_scope(schedule.scope), cadence=schedule.cadence, period=period, as_of=as_of
        )
        record["period"] = ctx["period"]["label"]
        progress.note(f"schedule {schedule.name}: rendering {schedule.format}, delivering")
        result = deliver(ws, schedule, ctx, render(ctx, schedule.format), **delivery)
        record["status"] = "ok" if result.ok else "failed"
        record["message"] = result.message
    except CostmarkError as exc:
        record["status"] = "failed"
        record["message"] = str(exc)
    record["finished_at"] = max(utcnow(), started)
    log_run(ws.warehouse.con, record)
    return record


def log_run(con: duckdb.DuckDBPyConnection, r: dict[str, Any]) -> None:
    con.execute(
        "INSERT INTO report_runs (id, schedule, cadence, period, format, destination, "
        "started_at, finished_at, status, message) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            r["id"],
            r.get("schedule"),
            r["cadence"],
            r.get("period"),
            r["format"],
            r.get("destination"),
            r["started_at"],
            r.get("finished_at"),
            r["status"],
            r.get("message"),
        ],
    )


def run_due(
    ws: Context,
    *,
    now: dt.datetime | None = None,
    force: bool = False,
    names: tuple[str, ...] = (),
    **delivery: Any,
) -> list[dict[str, Any]]:
    now = now or utcnow()
    runs = last_runs(ws.warehouse.con)
    out = []
    for s in ws.project.schedules:
        if names and s.name not in names:
            continue
        if force or is_due(s, runs.get(s.name), now):
            out.append(run_one(ws, s, now=now, **delivery))
    return out


def history(con: duckdb.DuckDBPyConnection, limit: int = 100) -> list[dict[str, Any]]:
    cur = con.execute("SELECT * FROM report_runs ORDER BY started_at DESC, id LIMIT ?", [limit])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
