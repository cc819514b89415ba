"""Null rules and valid ranges of the built-in KPIs, each on the case that broke it.

Found on the demo and on real files (issue #10, section 5): allocation coverage of 1.16 for a
team with an unallocated credit, ESR 1.0 for services whose usage all cost 0, a 681,986% change
from a near-zero day, and spend elasticity of -5.67 ("-566.8%") on a 0.3% volume change.
"""

from __future__ import annotations

import pytest

import costmark
from costmark.kpis import library as lib
from costmark.kpis.catalog import catalog
from tests.kpi_support import load_rows, row, write_config

CONFIG = """\
version: 1
dimensions:
  team:
    allocation: true
    rules:
      - tag: team
      - column: SubAccountId
        values: {acc-s: search}
    default: unallocated
  app:
    allocation: true
    tag: app
business_metrics:
  transactions: {unit: transaction, aggregation: sum}
"""


def _rows(ws: costmark.Workspace, kpi: str, **kw: object) -> list[dict]:
    return ws.kpi(kpi, **kw).rows()


@pytest.fixture
def ws(workspace: costmark.Workspace) -> costmark.Workspace:
    write_config(workspace, CONFIG)
    return workspace


def test_every_built_in_declares_unit_range_and_null_rule(ws: costmark.Workspace) -> None:
    for d in catalog(ws.project):
        if d.kind == "user":
            continue
        assert d.unit and d.null_when, d.id
        if d.unit == "ratio" and d.id not in ("cost_change", "cost_change_yoy",
                                               "budget_variance", "forecast_variance"):
            assert d.valid_min is not None or d.valid_max is not None, d.id
    shares = {d.id for d in catalog(ws.project) if (d.valid_min, d.valid_max) == (0.0, 1.0)}
    assert {"allocation_coverage", "untagged_cost_share", "commitment_utilization",
            "on_demand_share", "waste_share"} <= shares
    assert lib.BY_ID["effective_savings_rate"].definition.range_text == "(-inf, 1]"


def test_unallocated_credit_does_not_push_team_coverage_above_one(ws: costmark.Workspace) -> None:
    """Team search: 1,000 of tagged usage (app shop) + 200 untagged + a -2,000 account credit
    mapped to the team but with no app tag. Before: 1000 / (1200 - 2000) or, with a smaller
    credit, 1000 / 860 = 1.16. Now: charges only, 1000 / 1200, and the credit is named."""
    load_rows(ws, [
        row(SubAccountId="acc-s", Tags='{"app": "shop"}', EffectiveCost=1000),
        row(SubAccountId="acc-s", EffectiveCost=200),
        row(SubAccountId="acc-s", ChargeCategory="Credit", EffectiveCost=-340),
    ])
    (r,) = _rows(ws, "allocation_coverage", by="team")
    assert r["value"] == pytest.approx(1000 / 1200)
    assert "left out of both sides" in r["note"] and "-340.00" in r["note"]
    (u,) = _rows(ws, "untagged_cost_share:app", by="team")
    assert u["value"] == pytest.approx(200 / 1200)


def test_esr_is_null_on_free_usage(ws: costmark.Workspace) -> None:
    load_rows(ws, [row(EffectiveCost=0, ListCost=12, ContractedCost=0),
                   row(ChargePeriodStart="2024-02-01", EffectiveCost=5, ListCost=10)])
    jan, feb = _rows(ws, "effective_savings_rate")
    assert jan["value"] is None and "no paid usage" in jan["note"]
    assert feb["value"] == pytest.approx(0.5)


def test_change_from_a_tiny_base_is_null(ws: costmark.Workspace) -> None:
    days = {"2024-01-01": 100, "2024-01-02": 0.01, "2024-01-03": 68, "2024-01-04": 90,
            "2024-01-05": 100}
    load_rows(ws, [row(ChargePeriodStart=d, EffectiveCost=v) for d, v in days.items()])
    values = {str(r["period_start"]): r for r in _rows(ws, "cost_change", grain="day")}
    tiny = values["2024-01-03"]
    assert tiny["value"] is None and "tiny base" in tiny["note"]
    assert tiny["numerator"] is not None  # the absolute change is still there to read
    assert values["2024-01-05"]["value"] == pytest.approx(10 / 90)


def test_out_of_range_value_is_null_with_the_range(ws: costmark.Workspace) -> None:
    """A correction larger than the paid on-demand cost: on_demand_share would be 1.5."""
    load_rows(ws, [
        row(EffectiveCost=10),
        row(PricingCategory="Dynamic", EffectiveCost=-5, ChargeClass="Correction"),
    ])
    (r,) = _rows(ws, "on_demand_share")
    assert r["value"] is None
    assert "outside the valid range [0, 1]" in r["note"] and "computed 2" in r["note"]


def test_spend_elasticity_needs_the_volume_to_move(ws: costmark.Workspace) -> None:
    load_rows(ws, [row(ChargePeriodStart=f"2024-0{m}-05", EffectiveCost=c)
                   for m, c in ((1, 100), (2, 98.4), (3, 120))])
    ws.warehouse.con.executemany(
        "INSERT INTO business_metrics (metric, date, dimensions, value) VALUES (?, ?, ?, ?)",
        [["transactions", "2024-01-10", "{}", 1000], ["transactions", "2024-02-10", "{}", 1003],
         ["transactions", "2024-03-10", "{}", 1203.6]],
    )
    _, feb, mar = _rows(ws, "spend_elasticity")
    assert feb["value"] is None and "under 1%" in feb["note"]
    assert mar["value"] == pytest.approx((120 / 98.4 - 1) / 0.2)
    assert lib.BY_ID["spend_elasticity"].definition.unit == "factor"
