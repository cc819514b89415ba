"""``ingest remove``: by ingest id, file or slice key; atomic, logged, rollups refreshed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import costmark
from costmark.errors import NotFoundError, UsageError
from costmark.ingest import remove as remove_mod
from tests.focus.helpers import FIXTURE, set_value, variant
from tests.ingest.cli_inprocess import TerminalInput, run_cli
from tests.ingest.warehouse_state import differences, snapshot


def cost_rows(ws: costmark.Workspace) -> list[tuple[Any, ...]]:
    cols = [c for c in ws.warehouse.table_columns("costs") if c != "x_IngestId"]
    sql = ", ".join(f'"{c}"' for c in cols)
    return ws.warehouse.con.execute(f"SELECT {sql} FROM costs ORDER BY ALL").fetchall()


def rollup_rows(ws: costmark.Workspace) -> tuple[list[Any], list[Any]]:
    con = ws.warehouse.con
    return (
        con.execute("SELECT * FROM kpi_rollup_daily ORDER BY ALL").fetchall(),
        con.execute("SELECT * FROM kpi_rollup_monthly ORDER BY ALL").fetchall(),
    )


@pytest.fixture
def sample(shared_data: Path) -> Path:
    return shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"


@pytest.fixture
def both(workspace: costmark.Workspace, sample: Path) -> tuple[costmark.Workspace, Any]:
    """The 1.2 fixture and the FOCUS 1.0 sample loaded together (ids <load>-1, <load>-2)."""
    summary = workspace.ingest_focus([FIXTURE, sample], progress=False)
    return workspace, summary


def only(tmp_path: Path, paths: list[Path]) -> list[tuple[Any, ...]]:
    with costmark.init_workspace(tmp_path / "only") as ws:
        ws.ingest_focus(paths, progress=False)
        return cost_rows(ws)


def test_remove_one_file_of_a_load_by_ingest_id(
    both: tuple[costmark.Workspace, Any], tmp_path: Path
) -> None:
    ws, summary = both
    fixture_id, sample_id = (f.ingest_id for f in summary.files)
    version = ws.data_version()
    removed = ws.remove_focus(ingest_ids=[sample_id])
    assert removed.rows_removed == 1000 and removed.ingest_ids == [sample_id]
    assert removed.billing_periods == ["2024-09-01", "2024-10-01"]
    # exactly what loading the fixture alone gives
    assert cost_rows(ws) == only(tmp_path, [FIXTURE])
    # the rollups were refreshed in the same transaction: fresh, and equal to a full rebuild
    assert ws.rollup_status()["fresh"] is True
    refreshed = rollup_rows(ws)
    ws.refresh_rollups()
    assert rollup_rows(ws) == refreshed
    assert "kpi_rollup" in ws.explain("total_cost", grain="month")
    # logged, with the money it took out; dashboards see new data
    log = ws.ingest_log()[0]
    assert log["kind"] == "focus-remove" and log["status"] == "ok"
    assert log["ingest_id"] == removed.removal_id and log["rows_replaced"] == 1000
    assert log["rows_quarantined"] == 0 and "1000" not in log["message"]
    assert log["totals"] == removed.totals and log["totals"]["USD"]["BilledCost"]
    assert sample_id in log["message"]
    assert ws.data_version() != version
    assert {r[0] for r in ws.warehouse.con.execute("SELECT x_IngestId FROM costs").fetchall()} == {
        fixture_id
    }


def test_remove_a_whole_load_and_its_quarantine(workspace: costmark.Workspace,
                                                tmp_path: Path) -> None:
    bad = variant(tmp_path / "bad.csv", set_value(2, "BilledCost", "twelve"))
    summary = workspace.ingest_focus([bad, FIXTURE], progress=False)
    load_id = summary.files[0].ingest_id.rsplit("-", 1)[0]
    assert summary.rows_quarantined == 1 and workspace.quarantine()
    removed = workspace.remove_focus(ingest_ids=load_id)
    assert removed.rows_removed == summary.rows_loaded and removed.rows_unquarantined == 1
    assert workspace.ingest_log()[0]["rows_quarantined"] == 1
    assert cost_rows(workspace) == [] and workspace.quarantine() == []
    daily, monthly = rollup_rows(workspace)
    assert daily == [] and monthly == []
    # a second removal finds nothing (exit 1 for scripts) and changes nothing
    before = snapshot(workspace)
    with pytest.raises(NotFoundError, match="nothing to remove"):
        workspace.remove_focus(ingest_ids=load_id)
    assert snapshot(workspace) == before


def test_remove_by_file_given_by_any_path(both: tuple[costmark.Workspace, Any],
                                          sample: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = both
    monkeypatch.chdir(sample.parent.parent)
    relative = os.path.join("focus-sample-data", sample.name)
    removed = ws.remove_focus(files=[relative])
    assert removed.rows_removed == 1000 and removed.files == [str(sample.resolve())]
    assert cost_rows(ws) == only(tmp_path, [FIXTURE])


def test_slice_criteria_narrow_each_other(both: tuple[costmark.Workspace, Any]) -> None:
    ws, _ = both
    total = len(cost_rows(ws))
    preview = ws.remove_focus(provider="Oracle", billing_period="2024-10", dry_run=True)
    assert preview.rows_removed == 1 and preview.removal_id is None
    assert len(cost_rows(ws)) == total  # dry run: nothing changed
    removed = ws.remove_focus(provider="Oracle", billing_account="20209880",
                              billing_period="2024-09-01")
    assert removed.rows_removed == 6
    assert [s["billing_period"] for s in removed.slices] == ["2024-09-01"]
    left = ws.warehouse.con.execute(
        "SELECT count(*) FROM costs WHERE \"ProviderName\" = 'Oracle'"
    ).fetchone()
    assert left == (1,)
    assert ws.remove_focus(billing_period="2024-09").rows_removed == total - 7


@pytest.mark.parametrize(
    "options",
    [{}, {"billing_period": "2024-13"}, {"billing_period": "Sept"}, {"ingest_ids": [" "]}],
)
def test_bad_criteria_are_usage_errors(both: tuple[costmark.Workspace, Any],
                                       options: dict[str, Any]) -> None:
    ws, _ = both
    before = snapshot(ws)
    with pytest.raises(UsageError):
        ws.remove_focus(**options)
    assert snapshot(ws) == before


def test_removal_is_atomic(both: tuple[costmark.Workspace, Any],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the rows were deleted (here: the rollup refresh) rolls all of it back."""
    ws, summary = both
    before = snapshot(ws)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("refresh failed")

    monkeypatch.setattr("costmark.engine.rollups.refresh_rollups", broken)
    with pytest.raises(RuntimeError):
        ws.remove_focus(ingest_ids=[summary.files[1].ingest_id])
    after = snapshot(ws)
    assert after == before, differences(before, after)


def test_slice_removal_keeps_quarantine(workspace: costmark.Workspace, tmp_path: Path) -> None:
    bad = variant(tmp_path / "bad.csv", set_value(2, "BilledCost", "twelve"))
    workspace.ingest_focus([bad], progress=False)
    removed = workspace.remove_focus(provider="Cloud A")
    assert removed.rows_removed == 4 and removed.rows_unquarantined == 0
    assert len(workspace.quarantine()) == 1
    assert workspace.ingest_log()[0]["kind"] == remove_mod.REMOVE_KIND


# -- the command -------------------------------------------------------------------------
def test_cli_remove_formats_and_exit_codes(both: tuple[costmark.Workspace, Any]) -> None:
    ws, summary = both
    root = str(ws.root)
    sample_id = summary.files[1].ingest_id
    ws.close()  # the command opens the warehouse itself
    code, out, err = run_cli("ingest", "remove", "-w", root, "--provider", "Oracle",
                             "--dry-run", "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == [
        "provider,billing_account,billing_period,rows",
        "Oracle,20209880,2024-09-01,6",
        "Oracle,20209880,2024-10-01,1",
    ]
    code, out, err = run_cli("ingest", "remove", "-w", root, "--ingest-id", sample_id,
                             "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["rows_removed"] == 1000 and doc["dry_run"] is False
    assert doc["removal_id"].startswith("rm-")
    code, out, err = run_cli("ingest", "remove", "-w", root, "--ingest-id", sample_id)
    assert code == 1 and "nothing to remove" in err
    code, _, err = run_cli("ingest", "remove", "-w", root)
    assert code == 2 and "say what to remove" in err
    code, _, err = run_cli("ingest", "remove", "-w", root, "--billing-period", "2024/09")
    assert code == 2 and "YYYY-MM" in err
    code, out, _ = run_cli("ingest", "remove", "--help")
    assert code == 0 and "--billing-period" in out and "--yes" in out


def test_cli_asks_on_a_terminal(both: tuple[costmark.Workspace, Any]) -> None:
    ws, _ = both
    root = str(ws.root)
    ws.close()
    code, out, err = run_cli("ingest", "remove", "-w", root, "--provider", "Oracle",
                             stdin=TerminalInput("n\n"))
    assert code == 1 and "nothing removed" in err and "would remove 7 row(s)" in out
    with costmark.open(root) as ws:
        assert ws.warehouse.con.execute(
            "SELECT count(*) FROM costs WHERE \"ProviderName\" = 'Oracle'"
        ).fetchone() == (7,)
    code, out, err = run_cli("ingest", "remove", "-w", root, "--provider", "Oracle",
                             stdin=TerminalInput("y\n"))
    assert code == 0 and "removed (rm-" in out, err
    code, out, err = run_cli("ingest", "remove", "-w", root, "--provider", "Microsoft",
                             "--yes", stdin=TerminalInput(""))
    assert code == 0 and "removed (rm-" in out, err
