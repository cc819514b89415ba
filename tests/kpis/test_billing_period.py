"""billed_cost cuts periods by BillingPeriodStart (its declared time_column), on every path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import costmark
from costmark.kpis.library import BY_ID
from tests.kpi_support import load_rows, row, write_config

FEB = "2024-02-01 00:00:00"


def _load(ws: costmark.Workspace) -> None:
    load_rows(ws, [
        row(ChargePeriodStart="2024-01-10 00:00:00", EffectiveCost=10, BilledCost=10),
        row(ChargePeriodStart="2024-01-31 23:00:00", BillingPeriodStart=FEB, EffectiveCost=4,
            BilledCost=4),
        row(ChargePeriodStart="2024-02-05 00:00:00", BillingPeriodStart=FEB, EffectiveCost=2,
            BilledCost=2),
    ], refresh=True)


def test_time_column_is_declared() -> None:
    assert BY_ID["billed_cost"].definition.time_column == "BillingPeriodStart"
    assert BY_ID["total_cost"].definition.time_column == "ChargePeriodStart"


def test_rollups_raw_and_dates(workspace: costmark.Workspace) -> None:
    _load(workspace)
    ids = ["billed_cost", "total_cost"]
    for grain in ("month", "day", "quarter"):
        rolled = workspace.kpi(ids, grain=grain, rollups=True)
        assert rolled.source == "rollup"
        assert rolled.rows() == workspace.kpi(ids, grain=grain, rollups=False).rows()
    month = workspace.kpi(ids)
    assert [(r["kpi"], r["period_start"], r["value"]) for r in month] == [
        ("billed_cost", dt.date(2024, 1, 1), Decimal(10)),
        ("billed_cost", dt.date(2024, 2, 1), Decimal(6)),
        ("total_cost", dt.date(2024, 1, 1), Decimal(14)),
        ("total_cost", dt.date(2024, 2, 1), Decimal(2)),
    ]
    # --from/--to select billing periods for billed_cost (a part-month range too)
    feb = workspace.kpi(ids, start="2024-02-01", end="2024-02-29")
    assert {(r["kpi"], r["value"]) for r in feb} == {("billed_cost", 6), ("total_cost", 2)}
    mid = workspace.kpi("billed_cost", start="2024-01-15", end="2024-01-31")
    assert mid.rows() == []  # no billing period starts in that range
    assert "periods by BillingPeriodStart" in workspace.explain(ids)


def test_formula_mixing_invoice_and_charge_views(workspace: costmark.Workspace) -> None:
    write_config(workspace, "version: 1\nkpis:\n  unbilled:\n    formula: total_cost - "
                            "billed_cost\n    unit: currency\n")
    _load(workspace)
    result = workspace.kpi("unbilled")
    assert [r["value"] for r in result] == [Decimal(4), Decimal(-4)]
