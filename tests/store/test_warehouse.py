from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import costmark
from costmark.errors import WorkspaceError
from costmark.store import Warehouse
from costmark.store.migrations import MIGRATIONS
from costmark.workspace import warehouse_path


def test_init_creates_config_and_versioned_warehouse(tmp_path: Path) -> None:
    ws = costmark.init_workspace(tmp_path / "w")
    assert (tmp_path / "w" / "costmark.yaml").exists()
    assert ws.warehouse.schema_version == len(MIGRATIONS)
    assert "costs" in [r[0] for r in ws.warehouse.con.execute("SHOW TABLES").fetchall()]
    ws.close()


def test_open_missing_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a costmark workspace"):
        costmark.open(tmp_path)
    with pytest.raises(WorkspaceError, match="does not exist"):
        costmark.open(tmp_path / "nope")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    ws = costmark.init_workspace(tmp_path / "w")
    ws.warehouse.con.execute(
        "INSERT INTO _migrations (seq, id) VALUES (999, '9999_from_the_future')"
    )
    ws.close()
    with pytest.raises(WorkspaceError, match="newer costmark"):
        Warehouse(warehouse_path(tmp_path / "w"))


def test_migrations_run_once_and_forward(tmp_path: Path) -> None:
    ws = costmark.init_workspace(tmp_path / "w")
    ws.close()
    again = costmark.open(tmp_path / "w")
    ids = again.warehouse.applied_migrations()
    assert ids == [m.id for m in MIGRATIONS]
    again.close()


def test_transaction_rolls_back_on_error(workspace: costmark.Workspace) -> None:
    wh = workspace.warehouse
    with pytest.raises(RuntimeError), wh.transaction() as con:
        con.execute("INSERT INTO utilization VALUES ('r', DATE '2024-01-01', 1, 2, 'x')")
        raise RuntimeError("boom")
    assert wh.con.execute("SELECT count(*) FROM utilization").fetchone() == (0,)


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding DuckDB's write lock for a while, like a running ingest."""
    code = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('locked', flush=True); time.sleep(float(sys.argv[2]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_waits_for_another_process_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    costmark.init_workspace(tmp_path / "w").close()
    path = warehouse_path(tmp_path / "w")
    proc = _hold_lock(path, 1.0)
    monkeypatch.setenv("COSTMARK_LOCK_WAIT", "20")
    Warehouse(path).close()  # waits until the other process lets go
    proc.wait()

    proc = _hold_lock(path, 5.0)
    monkeypatch.setenv("COSTMARK_LOCK_WAIT", "0")
    with pytest.raises(WorkspaceError, match="cannot open warehouse"):
        Warehouse(path)
    proc.kill()
    proc.wait()
