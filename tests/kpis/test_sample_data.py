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


def test_null_contracted_cost_is_no_saving(workspace: costmark.Workspace, shared_data: Path,
                                           engine: str) -> None:
    """Oracle's usage rows in the sample have ListCost 0.26507392473 and ContractedCost null:
    their negotiated savings are unknown, so 0 over the rows that remain, with a coverage note
    (counting ListCost − 0 as saved gave 0.265)."""
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    workspace.ingest_focus([sample], progress=False)
    kpis = ["negotiated_savings", "commitment_savings"]
    result = workspace.kpi(kpis, grain="year", by=["ProviderName"], engine=engine)
    oracle = {r["kpi"]: r for r in result.rows() if r["ProviderName"] == "Oracle"}
    assert oracle["negotiated_savings"]["value"] == 0
    assert oracle["negotiated_savings"]["coverage"] == 0.0
    assert oracle["negotiated_savings"]["note"] == (
        "computed on 0% of usage list cost (rows without a known ContractedCost or list price)"
    )
    assert oracle["commitment_savings"]["value"] == 0
    # Microsoft has a ContractedCost on every row: Σ ListCost − Σ ContractedCost, all covered
    microsoft = {r["kpi"]: r for r in result.rows() if r["ProviderName"] == "Microsoft"}
    assert microsoft["negotiated_savings"]["value"] == Decimal("1.97651418586") - Decimal(
        "1.97626039326")
    assert microsoft["negotiated_savings"]["coverage"] == 1.0
    assert microsoft["negotiated_savings"]["note"] is None
    if engine == "duckdb":
        rolled = workspace.kpi(kpis, grain="month", by=["ProviderName"], rollups=True)
        assert rolled.rows() == workspace.kpi(kpis, grain="month", by=["ProviderName"],
                                              rollups=False).rows()
