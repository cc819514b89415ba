"""Every route is closed without a token or session, except login, health and static assets."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from tests.web.conftest import bearer

PUBLIC = {"/health", "/login"}
ADMIN_ONLY = {
    ("GET", "/api/tokens"),
    ("POST", "/api/tokens"),
    ("DELETE", "/api/tokens/{token_id}"),
    ("POST", "/api/alerts/evaluate"),
    ("POST", "/api/schedules/run"),
    ("POST", "/api/ingest/remove"),
}
ANALYST_ONLY = {("GET", "/api/schedules"), ("POST", "/api/ingest")}
FILL = {"{kpi_id}": "total_cost", "{token_id}": "nope"}


def all_routes(app: Any) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, APIRoute | Route)
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                out.append((method, route.path))
    return out


def concrete(path: str) -> str:
    for k, v in FILL.items():
        path = path.replace(k, v)
    query = {"/api/events": "?timeout=0", "/report": "?format=md"}
    return path + query.get(path, "")


def test_route_inventory_is_what_the_tests_cover(app: Any) -> None:
    paths = {p for _, p in all_routes(app)}
    for page in (
        "/",
        "/kpi/{kpi_id}",
        "/benchmarks",
        "/anomalies",
        "/maturity",
        "/iterations",
        "/data",
        "/alerts",
        "/docs",
        "/openapi.json",
        "/metrics",
        "/api/events",
    ):
        assert page in paths
    for twin in (
        "/api/overview",
        "/api/kpi/{kpi_id}",
        "/api/benchmarks",
        "/api/anomalies",
        "/api/maturity",
        "/api/iterations",
        "/api/data",
        "/api/alerts",
    ):
        assert twin in paths


def test_every_route_needs_auth(app: Any, client: Any) -> None:
    checked = 0
    for method, path in all_routes(app):
        resp = client.request(method, concrete(path))
        if path in PUBLIC or path.startswith("/static/"):
            assert resp.status_code in (200, 422), (method, path, resp.status_code)
            continue
        checked += 1
        if resp.status_code == 303:
            assert resp.headers["location"].startswith("/login?next="), (method, path)
        else:
            assert resp.status_code == 401, (method, path, resp.status_code)
            assert resp.headers["www-authenticate"].startswith("Bearer")
    assert checked > 20


def test_bad_tokens_are_refused(client: Any, tokens: dict[str, str]) -> None:
    for bad in ("nope", tokens["viewer"] + "x", "cm_zzzz_yyyy", "cm_"):
        assert client.get("/api/overview", headers=bearer(bad)).status_code == 401
        assert client.get("/metrics", headers=bearer(bad)).status_code == 401


def test_public_routes(client: Any) -> None:
    assert client.get("/health").json()["ok"] is True
    assert "Sign in" in client.get("/login").text
    assert client.get("/static/app.js").status_code == 200
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin", "payments"])
def test_roles_on_every_route(app: Any, client: Any, tokens: dict[str, str], role: str) -> None:
    rank = {"viewer": 0, "payments": 0, "analyst": 1, "admin": 2}[role]
    for method, path in all_routes(app):
        if path in PUBLIC or path.startswith("/static/") or (method, path) == ("POST", "/logout"):
            continue
        resp = client.request(method, concrete(path), headers=bearer(tokens[role]))
        needs = 2 if (method, path) in ADMIN_ONLY else 1 if (method, path) in ANALYST_ONLY else 0
        scoped_refused = role == "payments" and needs > 0
        if rank < needs or scoped_refused:
            assert resp.status_code == 403, (role, method, path, resp.status_code)
        else:
            assert resp.status_code not in (401, 403, 500), (role, method, path, resp.text[:300])


def test_session_login_logout_and_revocation(client: Any, tokens: dict[str, str]) -> None:
    resp = client.post("/login", data={"token": "wrong", "next": "/"})
    assert resp.status_code == 401
    resp = client.post("/login", data={"token": tokens["admin"], "next": "//evil.example/"})
    assert resp.status_code == 303 and resp.headers["location"] == "/"
    assert "costmark_session" in resp.cookies
    page = client.get("/")
    assert page.status_code == 200 and "Overview" in page.text
    # state-changing request with a cookie but from another site: refused
    evil = client.post("/api/alerts/evaluate", headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    ok = client.post("/api/alerts/evaluate", headers={"Origin": "http://testserver"})
    assert ok.status_code == 200
    token_id = tokens["admin"].split("_")[1]
    other = client.post(
        "/api/tokens", json={"role": "viewer"}, headers={"Origin": "http://testserver"}
    ).json()
    assert other["token"].startswith("cm_")
    revoked = client.delete(f"/api/tokens/{token_id}", headers={"Origin": "http://testserver"})
    assert revoked.status_code == 200
    assert client.get("/").status_code == 303  # the session died with its token
    assert client.get("/api/me", headers=bearer(other["token"])).json()["role"] == "viewer"


def test_tampered_session_cookie(client: Any) -> None:
    client.cookies.set("costmark_session", "eyJ0aWQiOiAieCIsICJleHAiOiA5OTk5OTk5OTk5fQ.abc")
    assert client.get("/api/me").status_code == 401
