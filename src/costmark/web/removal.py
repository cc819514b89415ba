"""``POST /api/ingest/remove``: take loaded FOCUS rows back out from the web (admin, unscoped).

Its own module so the route stays apart from the app's access-control code; ``create_app``
calls :func:`register` once. Removing data is an administrator's decision (it changes every
user's figures), so analysts, who may upload, may not remove. The body names what to remove
exactly as ``costmark ingest remove`` does; ``dry_run`` only reports. Nothing matching answers
404, bad criteria 400 (the app's error mapping), so the web and the CLI tell the same story.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from costmark.present.records import to_jsonable
from costmark.web import auth
from costmark.web.gate import Gate
from costmark.web.live import Live


class RemoveRequest(BaseModel):
    """What to remove; criteria of different kinds narrow each other."""

    ingest_ids: list[str] = Field(default_factory=list, max_length=1000)
    files: list[str] = Field(default_factory=list, max_length=1000)
    provider: str | None = None
    billing_account: str | None = None
    billing_period: str | None = None
    dry_run: bool = False


def register(app: FastAPI, gate: Gate, live: Live) -> None:
    """Add the removal route to ``app``."""

    @app.post(
        "/api/ingest/remove",
        tags=["admin"],
        dependencies=[Depends(auth.needs("admin", unscoped=True))],
    )
    async def remove(request: Request, body: RemoveRequest) -> Any:
        """Remove loaded FOCUS rows by ingest id, file, or provider / billing account /
        billing period, in one transaction (logged; rollups refreshed). Admin only."""
        auth.require(request, "admin", unscoped=True)

        def work() -> Any:
            with gate.write() as ws:
                return ws.remove_focus(
                    ingest_ids=body.ingest_ids,
                    files=body.files,
                    provider=body.provider,
                    billing_account=body.billing_account,
                    billing_period=body.billing_period,
                    dry_run=body.dry_run,
                )

        summary = await anyio.to_thread.run_sync(work)
        doc = summary.to_dict()
        if not body.dry_run:
            detail = f"removed {doc['rows_removed']} row(s) ({doc['removal_id']})"
            await anyio.to_thread.run_sync(live.after_ingest, "remove", detail)
        return to_jsonable({"ok": True, "summary": doc, "version": live.version})
