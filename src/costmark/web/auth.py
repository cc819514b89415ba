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
import threading
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
from costmark.web.pagecache import stamp

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


class TokenCache:
    """Verified tokens, remembered until the warehouse files change (a revocation writes them,
    so it takes effect on the next request). Keys are hashes; secrets are never kept."""

    def __init__(self, size: int = 256) -> None:
        self._items: dict[tuple[str, str, Any], TokenInfo | None] = {}
        self._last: dict[tuple[str, str], TokenInfo] = {}  # (digest, root) -> latest valid
        self._lock = threading.Lock()
        self.size = size

    def _key(self, gate: Gate, kind: str, value: str) -> tuple[str, str, Any]:
        digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
        return (digest, str(gate.root), stamp(gate.root))

    def peek(self, gate: Gate, kind: str, value: str) -> tuple[bool, TokenInfo | None]:
        """(known, info) without touching the warehouse: safe on the event loop.

        While a write is waiting or running (here or in another process) the warehouse cannot
        be read, so a token verified before it stays good until the write ends: a session or
        ``/api/me`` does not wait for an ingest. The write's end changes the files, and the
        next request looks the token up again (a revocation is itself such a write)."""
        key = self._key(gate, kind, value)
        with self._lock:
            if key in self._items:
                return True, self._items[key]
            last = self._last.get(key[:2])
        if last is not None and gate.writer_active():
            return True, last
        return False, None

    def lookup(self, gate: Gate, kind: str, value: str) -> TokenInfo | None:
        key = self._key(gate, kind, value)
        with self._lock:
            if key in self._items:
                return self._items[key]
        with gate.read() as ws:
            found = ws.authenticate(value) if kind == "bearer" else ws.token_info(value)
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
                self._last.clear()
            self._items[key] = found
            if found is not None:
                self._last[key[:2]] = found
            else:
                self._last.pop(key[:2], None)
        return found


TOKENS = TokenCache()


def credentials(key: bytes, request: Request) -> tuple[str, str] | None:
    """(kind, value) the request authenticates with: a bearer token or a session's token id."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return "bearer", header[7:].strip()
    cookie = request.cookies.get(COOKIE)
    if cookie:
        tid = read_session(key, cookie)
        if tid:
            return "session", tid
    return None


def resolve(gate: Gate, key: bytes, request: Request) -> tuple[TokenInfo | None, str]:
    """(principal, how): from ``Authorization: Bearer`` or the session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return TOKENS.lookup(gate, "bearer", header[7:].strip()), "bearer"
    cookie = request.cookies.get(COOKIE)
    if cookie:
        tid = read_session(key, cookie)
        if tid:
            return TOKENS.lookup(gate, "session", tid), "session"
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
        creds = credentials(self.key, request)
        known, principal = TOKENS.peek(self.gate, *creds) if creds is not None else (True, None)
        how = creds[0] if creds is not None else ""
        try:
            if not known:
                principal, how = await anyio.to_thread.run_sync(
                    resolve, self.gate, self.key, request
                )
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
