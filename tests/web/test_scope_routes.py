"""Every route, walked with a token scoped to team=payments: each number it shows is one the
team's own rows give, and nothing names another team or an organisation-wide document.

"The team's own rows" is a second workspace holding payments' rows alone (and the maturity
documents made for payments), read with an unscoped token. Routes come from ``app.routes``, so
a route added later is walked too (a path parameter this test cannot fill fails it loudly).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

import costmark
from costmark.web import create_app
from tests.web.conftest import CONFIG, bearer
from tests.web.fakes import FORMULA, XSS, opener, opener_for

NOW = dt.datetime(2026, 11, 23, 9, 0)
ORG_NOTE = "organisation-wide review 9731"  # a number only the org documents carry
TEAM = "team=payments"
PATH_VALUES = {"kpi_id": "total_cost", "token_id": "tok-0", "path": "app.js"}
#: Query variants tried on every GET route (routes ignore what they do not take).
QUERIES = (
    {"period": "2026-10", "start": "2026-09-01"},
    {"period": "2026-10", "start": "2026-09-01", "by": "team"},
)
REPORT_FORMATS = ("json", "md", "html", "pdf")
#: Values that differ between any two workspaces or calls, not data: left out of the compare.
VOLATILE_KEYS = {"generated_at", "version", "live_version", "id", "created", "created_at",
                 "last_used", "name", "at"}  # fmt: skip
OTHER_MARKERS = ("search", "1062", "1,062", "HYPERLINK", "alert(", "9731", "org-assessor")


def answers() -> dict[str, Any]:
    level = {"knowledge": 2, "process": {"current": 1, "target": 3}, "metrics": 2,
             "adoption": 1, "automation": 0}  # fmt: skip
    return {"capabilities": {"Cost allocation": level}}


def goal(target: float, group: str) -> dict[str, Any]:
    return {"capability": "Allocation", "lens": "metrics", "kpi": "savings_rate",
            "target": target, "owner": "finops", "actions": ["commit"], "group": group}  # fmt: skip


def plan(group: str, target: float) -> dict[str, Any]:
    return {"capabilities": ["Allocation", "Forecasting", "Budget management"],
            "goals": [goal(target, group)], "end": "2027-02-28", "group": group}  # fmt: skip


def seed_team_documents(ws: Any) -> None:
    """What payments would record about itself: an assessment and a reviewed iteration."""
    ws.assess(answers(), group=TEAM, now=NOW)
    ws.plan_iteration(plan(TEAM, 0.35), now=NOW)
    ws.review_iteration(now=NOW, early=True)


def make_root(tmp: Path, name: str) -> Path:
    costmark.init_workspace(tmp / name, config_text=CONFIG).close()
    return tmp / name


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("scope-routes")
    full, own = make_root(tmp, "full"), make_root(tmp, "own")
    with opener(full, False) as ws:
        seed_team_documents(ws)
        ws.assess({**answers(), "assessor": "org-assessor", "notes": ORG_NOTE}, now=NOW)
        ws.plan_iteration(plan("org", 0.9731), now=NOW)  # current iteration: org-wide
        scoped = ws.create_token("viewer", scope={"team": "payments"}, name="pay")[0]
    with opener_for(("payments",))(own, False) as ws:
        seed_team_documents(ws)
        alone = ws.create_token("viewer", name="pay")[0]
    full_app = create_app(full, opener=opener, background=False)
    own_app = create_app(own, opener=opener_for(("payments",)), background=False)
    with TestClient(full_app) as a, TestClient(own_app) as b:
        yield {"app": full_app, "scoped": (a, bearer(scoped)), "own": (b, bearer(alone))}


def numbers(value: Any, key: str = "") -> set[str]:
    """Every number in a response: numeric leaves, and numbers written inside strings."""
    if key in VOLATILE_KEYS:
        return set()
    if isinstance(value, dict):
        return set().union(*(numbers(v, str(k)) for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(numbers(v, key) for v in value)) if value else set()
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float):
        return {f"{float(value):.6g}"}
    return text_numbers(str(value))


def text_numbers(text: str) -> set[str]:
    text = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?", "", text)  # timestamps
    return {f"{float(n.replace(',', '')):.6g}" for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def body_numbers(resp: Any) -> set[str]:
    kind = resp.headers.get("content-type", "")
    if "json" in kind:
        return numbers(resp.json())
    text = resp.text.split("</head>")[-1]  # past inlined scripts and styles
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", text, flags=re.S)
    return text_numbers(text)


def get_urls(app: Any) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        if isinstance(route, Mount):
            yield "GET", route.path + "/app.js"
            continue
        if not isinstance(route, APIRoute) and not hasattr(route, "methods"):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        missing = [n for n in names if n not in PATH_VALUES]
        assert not missing, f"give {route.path} a value for {missing} in PATH_VALUES"
        path = re.sub(r"{(\w+)(?::\w+)?}", lambda m: PATH_VALUES[m.group(1)], route.path)
        for method in sorted(route.methods or ()):
            yield method, path


def test_every_route_shows_a_scoped_viewer_only_its_own_teams_values(pair: dict) -> None:
    app = pair["app"]
    client, h = pair["scoped"]
    own, oh = pair["own"]
    walked = 0
    for method, path in get_urls(app):
        if method == "HEAD":
            continue
        if method != "GET":
            resp = client.request(method, path, headers=h, follow_redirects=False)
            assert resp.status_code in (303, 401, 403, 422), (method, path, resp.status_code)
            assert not any(m in resp.text for m in OTHER_MARKERS), (method, path)
            walked += 1
            continue
        variants: list[dict[str, str]] = [dict(q) for q in QUERIES]
        if path == "/report":
            variants = [{**q, "format": f} for q in QUERIES[:1] for f in REPORT_FORMATS]
        if path == "/api/events":
            variants = [{"timeout": "0"}]
        for query in variants:
            resp = client.get(path, params=query, headers=h)
            mine = own.get(path, params=query, headers=oh)
            where = f"{path}?{query}"
            assert resp.status_code < 500, (where, resp.status_code, resp.text[:300])
            assert resp.status_code == mine.status_code or resp.status_code == 403, where
            walked += 1
            if path.startswith("/static/"):
                continue  # the same files for everyone, no data
            if resp.headers.get("content-type", "").startswith("application/pdf"):
                assert resp.content.startswith(b"%PDF") or resp.status_code != 200
                continue
            text = resp.text.split("</head>")[-1]
            for marker in (*OTHER_MARKERS, XSS, FORMULA, "0.9731", "0.112994"):
                assert marker not in text, (where, marker)
            if resp.status_code == 200 and mine.status_code == 200:
                extra = body_numbers(resp) - body_numbers(mine)
                assert not extra, (where, sorted(extra)[:20])
    assert walked > 40


def test_maturity_and_iterations_show_the_teams_own_documents(pair: dict) -> None:
    client, h = pair["scoped"]
    own, oh = pair["own"]
    mat = client.get("/api/maturity", headers=h).json()["sections"]
    assert mat["maturity"]["status"] == "ok"
    assert (
        mat["maturity"]["axes"]
        == own.get("/api/maturity", headers=oh).json()["sections"]["maturity"]["axes"]
    )
    assert {r["group"] for r in mat["history"]["rows"]} == {TEAM}
    its = client.get("/api/iterations", headers=h).json()["sections"]
    goals = its["iteration"]["goals"]
    assert [g["target"] for g in goals] == [0.35]
    assert goals == own.get("/api/iterations", headers=oh).json()["sections"]["iteration"]["goals"]
    assert abs(goals[0]["now"] - 30 / 150) < 1e-9  # payments' own October savings rate
    report = client.get("/report?format=json&period=2026-10", headers=h).json()["sections"]
    # the page shows the report's goals, with names and notes added for people
    shown = report["iteration"]["goals"]
    assert [{k: g[k] for k in r} for r, g in zip(shown, goals, strict=True)] == shown


def test_org_documents_are_withheld_with_a_note_when_the_team_has_none(
    tmp_path: Path,
) -> None:
    root = make_root(tmp_path, "org-only")
    with opener(root, False) as ws:
        ws.assess({**answers(), "notes": ORG_NOTE}, now=NOW)
        ws.plan_iteration(plan("org", 0.9731), now=NOW)
        token = ws.create_token("viewer", scope={"team": "payments"})[0]
    with TestClient(create_app(root, opener=opener, background=False)) as client:
        for url in ("/api/maturity", "/api/iterations", "/report?format=json&period=2026-10"):
            body = client.get(url, headers=bearer(token)).json()
            sections = body["sections"]
            for key in ("maturity", "history", "iteration", "iterations"):
                if key in sections:
                    assert sections[key]["status"] == "unavailable", (url, key)
                    assert "not shown to a scoped token" in sections[key]["note"]
            assert "9731" not in json.dumps(body)
