"""The commands as users run them: exit codes scripts can trust and parseable JSON/CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.focus.helpers import FIXTURE, set_value, variant


def costmark(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from costmark.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_validate_exit_codes_and_formats(tmp_path: Path, shared_data: Path) -> None:
    ok = costmark("validate", str(FIXTURE), "--format", "json", cwd=tmp_path)  # no workspace
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) | {"files": None} == {
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "files": None,
        "issues": [],
    }
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    bad = costmark("validate", str(sample), "-f", "json")
    assert bad.returncode == 1
    doc = json.loads(bad.stdout)
    assert doc["ok"] is False and doc["errors"] == 5 and doc["warnings"] == 2
    assert {"severity", "rule", "file", "column", "rows", "examples", "message"} <= set(
        doc["issues"][0]
    )
    table = costmark("validate", str(sample))
    assert table.returncode == 1 and "Usage-based" in table.stdout
    as_csv = costmark("validate", str(sample), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 7 and rows[0]["severity"] in ("error", "warning")
    assert costmark("validate", str(FIXTURE), "--format", "yaml").returncode == 2
    assert costmark("validate", str(tmp_path / "missing.csv")).returncode == 1
    assert costmark("validate", str(FIXTURE), "--focus-version", "9.9").returncode == 1


def test_ingest_commands(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert costmark("init", str(ws)).returncode == 0
    out = costmark("ingest", "focus", str(FIXTURE), "-w", str(ws), "-f", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for key in ("files", "rows_read", "rows_loaded", "rows_quarantined", "billing_periods"):
        assert key in doc
    assert doc["totals"]["USD"]["BilledCost"] == "13.7"  # exact decimal text, not a float
    assert doc["billing_periods"] == ["2024-09-01"]

    bad = variant(tmp_path / "bad.csv", set_value(3, "EffectiveCost", "x"))
    strict = costmark("ingest", "focus", str(bad), "--strict", "-w", str(ws), "-f", "json")
    assert strict.returncode == 1
    message = " ".join(strict.stderr.split())  # undo the console's line wrapping
    assert "row 3" in message and "EffectiveCost" in message

    loose = costmark("ingest", "focus", str(bad), "-w", str(ws), "-f", "json")
    assert loose.returncode == 0
    assert json.loads(loose.stdout)["rows_quarantined"] == 1

    q = costmark("ingest", "quarantine", "-w", str(ws), "-f", "json")
    assert q.returncode == 0
    rows = json.loads(q.stdout)
    assert rows[0]["source_row"] == 3 and rows[0]["record"]["EffectiveCost"] == "x"

    log = costmark("ingest", "log", "-w", str(ws), "-f", "json")
    entries = json.loads(log.stdout)
    assert [e["status"] for e in entries] == ["ok", "ok"]
    assert entries[0]["rows_read"] == entries[0]["rows_loaded"] + entries[0]["rows_quarantined"]
    assert costmark("ingest", "log", "-w", str(ws)).returncode == 0  # table
    assert costmark("ingest", "--help").returncode == 0
    assert costmark("ingest", "focus", str(FIXTURE), "-w", str(tmp_path / "nows")).returncode == 1
