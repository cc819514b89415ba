"""Migration 0080: a warehouse made before FOCUS 1.4 gains the 1.4 Cost and Usage columns."""

from __future__ import annotations

from pathlib import Path

import costmark


def test_pre_14_warehouse_gains_the_eligibility_column(tmp_path: Path) -> None:
    ws = costmark.init_workspace(tmp_path / "w")
    con = ws.warehouse.con
    # what a warehouse written before the 1.4 columns looks like
    con.execute('ALTER TABLE costs DROP COLUMN "CommitmentProgramEligibilityDetails"')
    con.execute("DELETE FROM _migrations WHERE id = '0080_focus14_cost_columns'")
    ws.close()
    again = costmark.open(tmp_path / "w")
    columns = again.warehouse.table_columns("costs")
    assert "CommitmentProgramEligibilityDetails" in columns
    assert "0080_focus14_cost_columns" in again.warehouse.applied_migrations()
    again.close()
