"""Scoping against the real KPI engine on a small demo workspace: what a scoped viewer sees is
exactly the engine's per-team answer, and never another team's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import costmark
from costmark.web import create_app
from tests.web.conftest import bearer
from tests.web.test_cli import cm


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("demo") / "ws"
    made = cm(
        "demo", "--workspace", str(root), "--months", "2", "--rows", "3000", "--end", "2026-11-01"
    )
    assert made.returncode == 0, made.stderr
    with costmark.open_workspace(root) as ws:
        rows = ws.kpi(
            "total_cost",
            grain="month",
            by=("team",),
            start=dt.date(2026, 10, 1),
            end=dt.date(2026, 10, 31),
        ).rows()
        usd = {r["team"]: r["value"] for r in rows if r["currency"] == "USD"}
        team = max(usd, key=lambda t: usd[t])
        tokens = {
            "viewer": ws.create_token("viewer")[0],
            "scoped": ws.create_token("viewer", scope={"team": team})[0],
        }
    app = create_app(root, background=False)
    with TestClient(app) as client:
        yield {"client": client, "team": team, "usd": usd, "tokens": tokens}


def test_scoped_kpi_equals_engine_per_team(demo: dict[str, Any]) -> None:
    client, team = demo["client"], demo["team"]
    h = bearer(demo["tokens"]["scoped"])
    doc = client.get("/api/kpi/total_cost?start=2026-10-01&end=2026-10-31", headers=h).json()
    usd = [r for r in doc["series"] if r["currency"] == "USD"]
    assert len(usd) == 1
    assert abs(usd[0]["value"] - float(demo["usd"][team])) < 1e-6
    # drill-down by app inside the team sums back to the team's total
    drill = client.get(
        "/api/kpi/total_cost?by=app&start=2026-10-01&end=2026-10-31", headers=h
    ).json()["drilldown"]["rows"]
    assert (
        abs(sum(r["value"] for r in drill if r["currency"] == "USD") - float(demo["usd"][team]))
        < 1e-6
    )
    others = [t for t in demo["usd"] if t != team]
    text = client.get("/api/kpi/total_cost?by=team", headers=h).text
    assert others and not any(f'"{t}"' in text for t in others)


def test_scoped_metrics_and_csv(demo: dict[str, Any]) -> None:
    client, team = demo["client"], demo["team"]
    h = bearer(demo["tokens"]["scoped"])
    csv_text = client.get("/export/kpi/total_cost.csv?by=team", headers=h).text
    assert team in csv_text
    assert not any(f",{t}," in csv_text for t in demo["usd"] if t != team)
    unscoped = client.get(
        "/export/kpi/total_cost.csv?by=team", headers=bearer(demo["tokens"]["viewer"])
    ).text
    assert all(t in unscoped for t in demo["usd"])
