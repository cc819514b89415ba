"""Property: on any mix of valid FOCUS rows every built-in KPI is null (with a note) or inside
the valid range its definition declares.

The rows mix what real bills hold and what broke the formulas before: credits and refunds
(negative, untagged, at account level), free-tier usage (ListCost > 0, EffectiveCost 0),
usage without a known price, Used and Unused commitment rows, commitment purchases, taxes,
untagged and partly tagged cost, and a business metric that sometimes barely moves.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costmark
from tests.kpi_support import load_rows, row, write_config

CONFIG = """\
version: 1
dimensions:
  team:
    allocation: true
    rules:
      - tag: team
      - column: SubAccountId
        values: {a1: ops}
    default: unallocated
  app:
    allocation: true
    tag: app
business_metrics:
  transactions:
    unit: transaction
    aggregation: sum
"""

DAYS = ["2024-01-03", "2024-01-04", "2024-01-29", "2024-02-14", "2024-02-15", "2024-03-01"]
amount = st.decimals(min_value=0, max_value=500, places=4, allow_nan=False)
tags = st.sampled_from([None, '{"team": "web"}', '{"team": "web", "app": "shop"}',
                        '{"app": "shop"}', '{"team": ""}'])


@st.composite
def focus_row(draw: st.DrawFn) -> dict[str, Any]:
    """One valid FOCUS row of a randomly chosen kind, with consistent money columns."""
    kind = draw(st.sampled_from(["paid", "paid", "free", "unknown_price", "used", "unused",
                                 "credit", "refund", "purchase", "tax"]))
    eff = draw(amount)
    base: dict[str, Any] = {
        "ChargePeriodStart": draw(st.sampled_from(DAYS)),
        "ChargeCategory": "Usage",
        "PricingCategory": draw(st.sampled_from(["Standard", "Dynamic"])),
        "ServiceCategory": draw(st.sampled_from(["Compute", "Storage"])),
        "SubAccountId": draw(st.sampled_from(["a1", "a2"])),
        "ResourceId": draw(st.sampled_from([None, "r1", "r2", "r3"])),
        "Tags": draw(tags),
        "EffectiveCost": eff, "BilledCost": eff, "ListCost": eff, "ContractedCost": eff,
    }
    if kind == "paid":
        base["ListCost"] = eff + draw(amount)
        base["ContractedCost"] = eff
    elif kind == "free":
        base.update(EffectiveCost=0, BilledCost=0, ListCost=draw(amount), ContractedCost=0)
    elif kind == "unknown_price":
        base.update(ListCost=draw(st.sampled_from([None, 0])), ContractedCost=None)
    elif kind in ("used", "unused"):
        base.update(PricingCategory="Committed", CommitmentDiscountCategory="Usage",
                    CommitmentDiscountStatus=kind.capitalize(), BilledCost=0,
                    ListCost=eff + draw(amount), ContractedCost=eff + draw(amount),
                    CommitmentDiscountQuantity=draw(st.integers(0, 24)),
                    CommitmentDiscountUnit="Hours")
    elif kind == "credit":
        base.update(ChargeCategory="Credit", PricingCategory=None, Tags=None, ResourceId=None,
                    EffectiveCost=-eff * 5, BilledCost=-eff * 5, ListCost=0, ContractedCost=0)
    elif kind == "refund":
        base.update(ChargeClass="Correction", EffectiveCost=-eff, BilledCost=-eff,
                    ListCost=-eff, ContractedCost=-eff)
    elif kind == "purchase":
        base.update(ChargeCategory="Purchase", CommitmentDiscountCategory="Usage",
                    PricingCategory=None, EffectiveCost=0, BilledCost=eff, ListCost=0,
                    ContractedCost=0)
    else:
        base.update(ChargeCategory="Tax", PricingCategory=None, ResourceId=None, Tags=None,
                    ListCost=0, ContractedCost=0)
    return base


volumes = st.lists(st.sampled_from([0, 1000, 1001, 1500, 10]), min_size=6, max_size=6)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> costmark.Workspace:
    workspace = costmark.init_workspace(Path(tmp_path_factory.mktemp("ranges")) / "ws")
    write_config(workspace, CONFIG)
    yield workspace
    workspace.close()


def _check(ws: costmark.Workspace, ids: list[str], grain: str, by: tuple[str, ...]) -> None:
    definitions = {d.id: d for d in ws.kpi_catalog()}
    for r in ws.kpi(ids, grain=grain, by=by).rows():
        value, definition = r["value"], definitions[r["kpi"]]
        if value is None:
            assert r["note"], f"{r['kpi']} is null without a note: {r}"
            continue
        number = float(value) if isinstance(value, Decimal) else value
        assert math.isfinite(number), r
        assert definition.in_range(number), (
            f"{r['kpi']} = {number} outside {definition.range_text}: {r}")


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.lists(focus_row(), min_size=1, max_size=14), volume=volumes,
       grain=st.sampled_from(["day", "month"]),
       by=st.sampled_from([(), ("team",), ("app",)]))
def test_every_kpi_null_or_in_its_declared_range(
    ws: costmark.Workspace, data: list[dict[str, Any]], volume: list[int], grain: str,
    by: tuple[str, ...],
) -> None:
    con = ws.warehouse.con
    con.execute("DELETE FROM costs").fetchall()
    con.execute("DELETE FROM business_metrics").fetchall()
    load_rows(ws, [row(**{k: (None if v is None else str(v)) for k, v in r.items()})
                   for r in data])
    con.executemany(
        "INSERT INTO business_metrics (metric, date, dimensions, value) VALUES (?, ?, ?, ?)",
        [["transactions", d, "{}", v] for d, v in zip(DAYS, volume, strict=True)],
    )
    ws.refresh_rollups()
    ids = [d.id for d in ws.kpi_catalog()]
    _check(ws, ids, grain, by)


def test_property_run_is_bounded(ws: costmark.Workspace) -> None:
    """The property test stays cheap: one example of every KPI well under a second or two."""
    load_rows(ws, [row(ChargePeriodStart="2024-01-03", EffectiveCost="5", ListCost="6")])
    started = time.perf_counter()
    _check(ws, [d.id for d in ws.kpi_catalog()], "month", ("team",))
    assert time.perf_counter() - started < 5
