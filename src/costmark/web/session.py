"""Public and session routes: health, sign in and out, who am I, and the offline API docs."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from costmark import __version__
from costmark.web import auth
from costmark.web.serving import Server
from costmark.web.templating import render_page


def install(app: FastAPI, server: Server, key: bytes) -> None:
    def login_page(request: Request, next: str, error: str | None, status: int) -> HTMLResponse:
        html = render_page(server.env, "login.html.j2", request=request,
                           data={"next": auth.safe_next(next), "error": error},
                           title="Sign in", twin="", who=None, live_version=0)
        return HTMLResponse(html, status_code=status)

    @app.get("/health", tags=["public"])
    def health() -> dict[str, Any]:
        """Liveness: no authentication, no data."""
        return {"ok": True, "version": __version__}

    @app.get("/login", response_class=HTMLResponse, tags=["public"])
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return login_page(request, next, None, 200)

    @app.post("/login", tags=["public"])
    async def login(
        request: Request, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
    ) -> Response:
        """Sign in with an API token as the password; sets a signed session cookie."""

        def check() -> Any:
            with server.gate.read() as ws:
                return ws.authenticate(token)

        who = await anyio.to_thread.run_sync(check)
        if who is None:
            return login_page(request, next, "That token is not valid.", 401)
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

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return server.html(request, "docs.html.j2", {"schema": app.openapi()}, "API",
                           "/openapi.json")

    @app.get("/api/me", tags=["session"])
    def me(request: Request) -> dict[str, Any]:
        return auth.principal(request).to_dict()
