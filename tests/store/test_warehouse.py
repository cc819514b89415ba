from __future__ import annotations

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
