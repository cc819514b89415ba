"""Live updates: uploads, CLI ingests in another process and a watched folder all reach open
dashboards as server-sent events, and alerts are evaluated after each."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from costmark.web import create_app
from tests.web.conftest import bearer
from tests.web.fakes import opener

FOCUS = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"
RULE = """
alerts:
  rules:
    - {name: any-spend, kind: kpi_above, kpi: total_cost, threshold: 0, by: [team]}
"""


def events(client: TestClient, token: str, since: int, timeout: float = 0.6) -> str:
    with client.stream(
        "GET", f"/api/events?since={since}&timeout={timeout}", headers=bearer(token)
    ) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        return "".join(resp.iter_text())


def test_upload_ingest_notifies_and_evaluates_alerts(ws_root: Path, tokens: dict[str, str]) -> None:
    cfg = ws_root / "costmark.yaml"
    cfg.write_text(cfg.read_text() + RULE)
    app = create_app(ws_root, opener=opener, background=False)
    with TestClient(app) as client:
        assert "event: ingest" not in events(client, tokens["viewer"], since=0)
        with FOCUS.open("rb") as fh:
            resp = client.post(
                "/api/ingest",
                headers=bearer(tokens["analyst"]),
                files={"files": ("../../evil name.csv", fh, "text/csv")},
            )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["summary"]["rows_loaded"] > 0 and body["version"] == 1
        assert body["alerts"] == 4  # one per team above 0 in the latest month (fakes.DATA)
        stream = events(client, tokens["viewer"], since=0)
        assert "event: hello" in stream and "event: ingest" in stream and "id: 1" in stream
        data = client.get("/api/data", headers=bearer(tokens["viewer"])).json()["sections"]
        assert data["ingest"]["status"] == "ok"
        assert data["activity"]["rows"][0]["source"] == "upload"
        assert [f["file"].rsplit("/", 1)[-1] for f in body["summary"]["files"]] == [
            "evil_name.csv"  # no path traversal
        ]
        assert str(ws_root) not in resp.text  # no absolute server paths
        assert not list((ws_root / ".costmark" / "uploads").rglob("*"))  # deleted after the load
        scoped_alerts = client.get("/api/alerts", headers=bearer(tokens["payments"])).json()
        teams = {a["dimensions"]["team"] for a in scoped_alerts["sections"]["alerts"]["rows"]}
        assert teams == {"payments"}


def test_cli_ingest_in_another_process_is_noticed(ws_root: Path, tokens: dict[str, str]) -> None:
    app = create_app(ws_root, opener=opener, background=False)
    live = app.state.live
    with TestClient(app) as client:
        assert live.check_once() is False  # first look records the current state
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from costmark.cli.main import run; run()",
                "ingest",
                "focus",
                str(FOCUS),
                "--workspace",
                str(ws_root),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert live.check_once() is True and live.version == 1
        assert live.check_once() is False
        assert "event: ingest" in events(client, tokens["viewer"], since=0)


def test_watched_folder_is_ingested_once(
    ws_root: Path, tmp_path: Path, tokens: dict[str, str]
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    app = create_app(ws_root, opener=opener, background=False, watch=drop)
    watcher = app.state.watcher
    with TestClient(app):
        shutil.copy(FOCUS, drop / "export.csv")
        (drop / "notes.txt").write_text("ignored")
        assert watcher.scan() == []  # first sight: wait until the size settles
        assert [p.name for p in watcher.scan()] == ["export.csv"]
        assert watcher.scan() == []  # never twice
        assert app.state.live.version == 1
        with app.state.gate.read() as ws:
            assert len(ws.ingest_log()) == 1


def test_broken_drop_file_is_reported_not_fatal(ws_root: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "bad.csv").write_text("not,a,focus,file\n1,2,3,4\n")
    app = create_app(ws_root, opener=opener, background=False, watch=drop)
    app.state.watcher.scan()
    app.state.watcher.scan()
    notes = [e for e in app.state.live.events if e["source"] == "watch"]
    assert notes and "bad.csv" in notes[-1]["detail"]


@pytest.mark.parametrize("since", [None, 5])
def test_events_stream_shape(client: Any, tokens: dict[str, str], since: int | None) -> None:
    q = f"since={since}&" if since is not None else ""
    with client.stream("GET", f"/api/events?{q}timeout=0", headers=bearer(tokens["payments"])) as r:
        text = "".join(r.iter_text())
    assert text.startswith('retry: 2000\nid: 0\nevent: hello\ndata: {"version": 0}')
    # a client that saw a newer id than the server (restart) is told about the new state
    assert ("event: ingest" in text) is (since == 5)
