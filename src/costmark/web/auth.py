"""Authentication: bearer tokens for scripts, signed session cookies for browsers.

The middleware runs before routing, so every route — including /docs, /openapi.json and
/metrics — is closed unless it is on the short public list (login, health, static assets).
A session cookie carries only the token id, signed with a per-workspace key; the token is
looked up again on every request, so revoking it ends its sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import HTTPException, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from costmark.access.tokens import TokenInfo
from costmark.web.gate import Gate, WarehouseBusy

COOKIE = "costmark_session"
SESSION_SECONDS = 12 * 3600
PUBLIC_PATHS = ("/health", "/login")
PUBLIC_PREFIXES = ("/static/",)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def session_key(root: Path) -> bytes:
    """The workspace's cookie-signing key, created once (0600) in .costmark/."""
    path = root / ".costmark" / "session.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text("utf-8").strip().encode()


def sign_session(key: bytes, token_id: str, now: float | None = None) -> str:
    payload = json.dumps({"tid": token_id, "exp": int((now or time.time()) + SESSION_SECONDS)})
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    sig = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{sig}"


def read_session(key: bytes, value: str, now: float | None = None) -> str | None:
    """The token id of a valid, unexpired session cookie, else None."""
    body, _, sig = value.partition(".")
    good = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    if not sig or not hmac.compare_digest(sig, good):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("exp", 0) < (now or time.time()):
        return None
    tid = data.get("tid")
    return tid if isinstance(tid, str) else None


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/metrics" or path.endswith((".json", ".csv")):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def resolve(gate: Gate, key: bytes, request: Request) -> tuple[TokenInfo | None, str]:
    """(principal, how): from ``Authorization: Bearer`` or the session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with gate.read() as ws:
            return ws.authenticate(header[7:].strip()), "bearer"
    cookie = request.cookies.get(COOKIE)
    if cookie:
        tid = read_session(key, cookie)
        if tid:
            with gate.read() as ws:
                return ws.token_info(tid), "session"
    return None, ""


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin:
        return False
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].split("/", 1)[0] == host


class AuthMiddleware:
    def __init__(self, app: ASGIApp, gate: Gate, key: bytes) -> None:
        self.app = app
        self.gate = gate
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            principal, how = await anyio.to_thread.run_sync(resolve, self.gate, self.key, request)
        except WarehouseBusy as exc:
            await JSONResponse({"ok": False, "status": 503, "error": str(exc)}, 503)(
                scope, receive, send
            )
            return
        if principal is None:
            await unauthorized(request)(scope, receive, send)
            return
        if how == "session" and request.method not in ("GET", "HEAD") and not _same_origin(request):
            body = {"ok": False, "status": 403, "error": "cross-site request refused"}
            await JSONResponse(body, 403)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def unauthorized(request: Request) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"ok": False, "status": 401, "error": "authentication required: send a bearer token"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="costmark"'},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def principal(request: Request) -> TokenInfo:
    found: Any = getattr(request.state, "principal", None)
    if not isinstance(found, TokenInfo):
        raise HTTPException(401, "authentication required")
    return found


def require(request: Request, role: str, *, unscoped: bool = False) -> TokenInfo:
    who = principal(request)
    if not who.allows(role):
        raise HTTPException(403, f"this needs the {role} role; your token is {who.role}")
    if unscoped and who.scope:
        raise HTTPException(403, "this is not available to a scoped token")
    return who


def needs(role: str, *, unscoped: bool = False) -> Callable[[Request], TokenInfo]:
    """A route dependency: checked before the request body is read or validated."""

    def check(request: Request) -> TokenInfo:
        return require(request, role, unscoped=unscoped)

    return check


def safe_next(target: str | None) -> str:
    """Only same-site paths: no open redirects through ?next=."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
