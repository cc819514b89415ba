"""Admin routes: tokens, alert evaluation and report schedules (unscoped roles only)."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

from costmark.access.tokens import ROLES
from costmark.errors import UsageError
from costmark.present.records import to_jsonable
from costmark.web import auth
from costmark.web.serving import Server

ADMIN = Depends(auth.needs("admin", unscoped=True))


class TokenRequest(BaseModel):
    role: str
    name: str | None = None
    scope: dict[str, str] = {}


def install(app: FastAPI, server: Server) -> None:
    gate = server.gate

    @app.get("/api/tokens", tags=["admin"], dependencies=[ADMIN])
    async def list_tokens(request: Request) -> Any:
        auth.require(request, "admin", unscoped=True)
        return to_jsonable(await server.fresh(request, lambda ws, v: ws.tokens()))

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
                return ws.evaluate_alerts(**server.alert_options)

        return to_jsonable(await anyio.to_thread.run_sync(work))

    @app.get(
        "/api/schedules",
        tags=["admin"],
        dependencies=[Depends(auth.needs("analyst", unscoped=True))],
    )
    async def schedules(request: Request) -> Any:
        auth.require(request, "analyst", unscoped=True)
        return to_jsonable(await server.fresh(request, lambda ws, v: ws.schedules()))

    @app.post("/api/schedules/run", tags=["admin"], dependencies=[ADMIN])
    async def run_schedules_now(request: Request, force: bool = False) -> Any:
        auth.require(request, "admin", unscoped=True)

        def work() -> Any:
            with gate.write() as ws:
                return ws.run_schedules(force=force, **server.schedule_options)

        return to_jsonable(await anyio.to_thread.run_sync(work))
