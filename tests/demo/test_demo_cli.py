"""costmark demo end to end: workspace, generated files, validation, ingest, re-run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import costmark
import costmark.api
from tests.cli.test_main import costmark as run

ARGS = ("--months", "1", "--end", "2026-03-15", "--seed", "4", "--format", "json")


def test_demo_builds_an_ingested_workspace_and_reruns_idempotently(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    out = run("demo", "--workspace", str(root), *ARGS)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["validation"]["errors"] == 0
    assert doc["ingest"]["rows_quarantined"] == 0
    assert doc["ingest"]["rows_loaded"] == doc["cost_rows"]
    assert doc["ingest"]["recommendations"] > 0 and doc["ingest"]["utilization_samples"] > 0
    assert len(doc["anomalies"]) == 2
    assert (root / "demo-data" / "ANOMALIES.json").exists()
    assert (root / "mappings" / "team_by_account.csv").exists()

    with costmark.open_workspace(root) as ws:
        project = ws.project
        assert {"team", "app", "env", "service", "provider", "account"} <= set(project.dimensions)
        assert project.dimensions["team"].allocation
        assert set(project.business_metrics) == {"transactions", "customers", "revenue"}
        con = ws.warehouse.con
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()
            for t in ("costs", "business_metrics", "utilization", "recommendations")
        ]

    again = run("demo", "--workspace", str(root), *ARGS)
    assert again.returncode == 0, again.stderr
    with costmark.open_workspace(root, read_only=True) as ws:
        con = ws.warehouse.con
        assert counts == [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()
            for t in ("costs", "business_metrics", "utilization", "recommendations")
        ]
        # Tag columns were materialised for the demo's tag dimensions.
        assert con.execute("SELECT count(tag_team) FROM costs").fetchone()[0] > 0


def test_demo_refuses_to_overwrite_a_real_project(tmp_path: Path) -> None:
    root = tmp_path / "mine"
    costmark.init_workspace(root).close()
    out = run("demo", "--workspace", str(root), *ARGS)
    assert out.returncode == 2
    assert "--force" in out.stderr
    bad = run("demo", "--workspace", str(tmp_path / "x"), "--end", "someday")
    assert bad.returncode == 2


def test_changed_window_replaces_the_previous_demo_rows(tmp_path: Path) -> None:
    root = tmp_path / "w"
    first = costmark.api.create_demo(root, seed=2, months=1, end=dt.date(2026, 3, 15))
    assert first["replaced_previous_demo_rows"] == 0
    second = costmark.api.create_demo(root, seed=2, months=1, end=dt.date(2026, 5, 10))
    assert second["replaced_previous_demo_rows"] > 0
    with costmark.open_workspace(root, read_only=True) as ws:
        con = ws.warehouse.con
        (lo,) = con.execute("SELECT min(ChargePeriodStart)::DATE FROM costs").fetchone() or (None,)
        assert lo == dt.date(2026, 5, 1)
        (n,) = con.execute("SELECT count(*) FROM costs").fetchone() or (0,)
        assert n == second["cost_rows"]
        (b,) = con.execute("SELECT min(date) FROM business_metrics").fetchone() or (None,)
        assert b == dt.date(2026, 5, 1)
