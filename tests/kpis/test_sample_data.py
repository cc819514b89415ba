"""The real FOCUS 1.0 sample: totals equal the file's own sums, through ingest and rollups."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import costmark


def test_sample_totals(workspace: costmark.Workspace, shared_data: Path, engine: str) -> None:
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    workspace.ingest_focus([sample], progress=False)
    result = workspace.kpi(["total_cost", "billed_cost"], grain="year", engine=engine)
    usd = [r for r in result.rows() if r["currency"] == "USD"]
    assert {r["currency"] for r in result.rows()} == {"USD"}
    total = sum((r["value"] for r in usd if r["kpi"] == "total_cost"), Decimal(0))
    billed = sum((r["value"] for r in usd if r["kpi"] == "billed_cost"), Decimal(0))
    assert round(total, 6) == Decimal("14.976514")
    assert round(billed, 6) == Decimal("20.520227")
    if engine == "duckdb":
        # ingest refreshed the rollup for the slices it loaded, inside its transaction
        assert workspace.kpi("total_cost").source == "rollup"
        workspace.ingest_focus([sample], progress=False)  # a restatement replaces the slices
        assert workspace.kpi("total_cost").source == "rollup"
        rolled = workspace.kpi(["total_cost", "billed_cost", "effective_savings_rate"],
                               grain="month", by=["service"], rollups=True)
        raw = workspace.kpi(["total_cost", "billed_cost", "effective_savings_rate"],
                            grain="month", by=["service"], rollups=False)
        assert rolled.rows() == raw.rows()
