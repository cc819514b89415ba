"""``POST /api/ingest/remove``: admin only, same criteria and answers as the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import costmark
from tests.web.conftest import bearer

FOCUS = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"


def cost_count(ws_root: Path) -> int:
    with costmark.open_workspace(ws_root, read_only=True) as ws:
        row = ws.warehouse.con.execute("SELECT count(*) FROM costs").fetchone()
        return int(row[0]) if row else 0


def test_admin_removes_a_slice(client: Any, tokens: dict[str, str], ws_root: Path) -> None:
    with FOCUS.open("rb") as fh:
        up = client.post("/api/ingest", headers=bearer(tokens["analyst"]),
                         files={"files": ("focus.csv", fh, "text/csv")})
    assert up.status_code == 200, up.text
    loaded = up.json()["summary"]["rows_loaded"]
    body = {"provider": "Cloud B"}
    for role in ("viewer", "analyst", "payments"):
        resp = client.post("/api/ingest/remove", headers=bearer(tokens[role]), json=body)
        assert resp.status_code == 403, (role, resp.text)
    assert cost_count(ws_root) == loaded

    dry = client.post("/api/ingest/remove", headers=bearer(tokens["admin"]),
                      json={**body, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["summary"]["rows_removed"] == 1 and cost_count(ws_root) == loaded
    version = dry.json()["version"]

    done = client.post("/api/ingest/remove", headers=bearer(tokens["admin"]), json=body)
    assert done.status_code == 200, done.text
    summary = done.json()["summary"]
    assert summary["rows_removed"] == 1 and summary["removal_id"].startswith("rm-")
    assert done.json()["version"] == version + 1  # dashboards are told
    assert cost_count(ws_root) == loaded - 1

    again = client.post("/api/ingest/remove", headers=bearer(tokens["admin"]), json=body)
    assert again.status_code == 404 and "nothing to remove" in again.json()["error"]
    bad = client.post("/api/ingest/remove", headers=bearer(tokens["admin"]),
                      json={"billing_period": "last month"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["error"]
    empty = client.post("/api/ingest/remove", headers=bearer(tokens["admin"]), json={})
    assert empty.status_code == 400 and "say what to remove" in empty.json()["error"]
    log = client.get("/api/data", headers=bearer(tokens["admin"])).json()
    kinds = [r["kind"] for r in log["sections"]["ingest"]["rows"]]
    assert kinds[0] == "focus-remove"
