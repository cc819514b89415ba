"""costmark demo end to end: workspace, generated files, validation, ingest, re-run."""

from __future__ import annotations

import json
from pathlib import Path

import costmark
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
