"""commitment_utilization_quantity through the rollups gives what the raw table gives."""

from __future__ import annotations

import costmark
from tests.kpi_support import load_rows, row


def test_quantity_per_unit_from_rollups(workspace: costmark.Workspace) -> None:
    def q(unit: str, status: str, qty: int, month: int = 1) -> dict[str, object]:
        day = f"2024-0{month}-01 00:00:00"
        return row(CommitmentDiscountCategory="Usage", CommitmentDiscountUnit=unit,
                   CommitmentDiscountStatus=status, CommitmentDiscountQuantity=str(qty),
                   EffectiveCost="1", ChargePeriodStart=day, BillingPeriodStart=day)

    load_rows(workspace, [q("Hours", "Used", 3), q("Hours", "Unused", 1),
                          q("Hours", "Used", 2, 2), q("Normalized Hours", "Used", 8, 2)],
              refresh=True)
    for by in ((), ("CommitmentDiscountUnit",)):
        rolled = workspace.kpi("commitment_utilization_quantity", by=by, rollups=True)
        raw = workspace.kpi("commitment_utilization_quantity", by=by, rollups=False)
        assert rolled.source == "rollup"
        assert rolled.rows() == raw.rows()
    values = [r["value"] for r in rolled.rows()]
    assert values == [0.75, 1.0, 1.0]  # January Hours; February Hours, Normalized Hours
