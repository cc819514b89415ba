"""Rollups answer exactly what the raw table answers, stay in step per slice, and are never
read when stale."""

from __future__ import annotations

import pytest

import costmark
from tests.kpi_support import load_rows, row
from tests.kpis.fixture import build

ROLLUP_KPIS = [
    "total_cost", "billed_cost", "list_cost", "contracted_cost", "effective_savings_rate",
    "savings_achieved", "negotiated_savings", "commitment_savings", "commitment_utilization",
    "commitment_waste", "commitment_coverage", "on_demand_share", "spot_share",
    "allocation_coverage", "untagged_cost_share", "cost_change", "cost_variance",
    "compute_share", "list_minus_eff",
]


@pytest.fixture
def ws(workspace: costmark.Workspace) -> costmark.Workspace:
    build(workspace, extras=False)
    workspace.refresh_rollups()
    return workspace


@pytest.mark.parametrize(
    ("grain", "by", "where"),
    [("month", (), None), ("day", ("team",), None), ("week", ("team", "service"), None),
     ("quarter", ("tag:team",), "ServiceCategory = 'Compute' or team = 'beta'")],
)
def test_rollup_equals_raw(ws: costmark.Workspace, grain: str, by: tuple[str, ...],
                           where: str | None) -> None:
    rolled = ws.kpi(ROLLUP_KPIS, grain=grain, by=by, where=where, rollups=True)
    raw = ws.kpi(ROLLUP_KPIS, grain=grain, by=by, where=where, rollups=False)
    assert rolled.source == "rollup" and raw.source == "raw"
    assert rolled.rows() == raw.rows()


def test_auto_uses_rollup_and_falls_back(ws: costmark.Workspace) -> None:
    assert ws.kpi("total_cost").source == "rollup"
    # distinct resources need row-level data
    assert ws.kpi("cost_per_resource").source == "raw"
    # a column the rollup does not keep
    assert ws.kpi("total_cost", where="RegionId = 'x'").source == "raw"


def test_stale_rollup_is_not_read(ws: costmark.Workspace) -> None:
    load_rows(ws, [row(ChargePeriodStart="2024-01-20", SubAccountId="acc-a", EffectiveCost=100,
                       BillingAccountId="acct")])
    result = ws.kpi("total_cost")
    assert result.source == "raw"
    assert result.value("total_cost", period_start="2024-01-01", currency="USD") == 130


def test_slice_refresh_matches_full_rebuild(ws: costmark.Workspace) -> None:
    con = ws.warehouse.con
    # restate the EUR slice: delete it and load a new version, then refresh only that slice
    con.execute("DELETE FROM costs WHERE BillingAccountId = 'eu'").fetchall()
    load_rows(ws, [row(ChargePeriodStart="2024-01-09", SubAccountId="acc-e", EffectiveCost=9,
                       BillingCurrency="EUR", BillingAccountId="eu")])
    slice_key = ("Test", "eu", "2024-01-01 00:00:00")
    with ws.warehouse.transaction():
        info = ws.refresh_rollups([slice_key])
    assert info["rebuilt"] is False
    incremental = ws.kpi(ROLLUP_KPIS, by=["team"], rollups=True).rows()
    ws.refresh_rollups()
    assert ws.kpi(ROLLUP_KPIS, by=["team"], rollups=True).rows() == incremental
    assert ws.kpi("total_cost", by=["team"], rollups=False).rows() == [
        r for r in incremental if r["kpi"] == "total_cost"
    ]


def test_rollup_inside_open_transaction_sees_uncommitted_rows(ws: costmark.Workspace) -> None:
    with ws.warehouse.transaction():
        load_rows(ws, [row(ChargePeriodStart="2024-01-21", SubAccountId="acc-a",
                           EffectiveCost=5, BillingAccountId="acct")])
        ws.refresh_rollups([("Test", "acct", "2024-01-01 00:00:00")])
        assert ws.kpi("total_cost", rollups=True).value(
            "total_cost", period_start="2024-01-01", currency="USD") == 35


def test_business_loads_do_not_stale_the_cost_rollup(ws: costmark.Workspace) -> None:
    """Only cost loads change ``costs``; loading side data must keep answering from rollups."""
    ws.warehouse.con.execute(
        "INSERT INTO ingest_log (ingest_id, kind, file, started_at, status) "
        "VALUES ('b1', 'business', 'metrics.csv', now(), 'ok')"
    )
    assert ws.rollup_status()["fresh"] is True
    assert ws.kpi("total_cost").source == "rollup"


def test_row_level_kpi_does_not_send_the_rest_to_raw(ws: costmark.Workspace) -> None:
    """cost_per_resource needs row-level data; the other KPIs still come from the rollup, and
    the answers equal an all-raw run, in the order asked."""
    ids = ["total_cost", "cost_per_resource", "effective_savings_rate", "cost_variance"]
    mixed = ws.kpi(ids, by=["team"])
    raw = ws.kpi(ids, by=["team"], rollups=False)
    assert mixed.source == "rollup+raw"
    assert mixed.rows() == raw.rows()
