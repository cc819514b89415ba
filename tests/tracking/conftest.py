"""Tiny hand-made workspaces for tracking tests: cost rows written straight into ``costs``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import costmark
from costmark.api import Workspace

CONFIG = """
version: 1
name: tracking test
dimensions:
  team:
    tag: team
    allocation: true
  service:
    column: ServiceName
"""


def make_workspace(path: Path, extra: str = "") -> Workspace:
    return costmark.init_workspace(path, config_text=CONFIG + extra)


def load_costs(ws: Workspace, rows: Iterable[tuple[dt.date, str, str, Decimal | float]]) -> None:
    """Insert (day, team, service, cost) rows, USD, one provider and account."""
    values = []
    for day, team, service, cost in rows:
        start = dt.datetime.combine(day, dt.time())
        amount = Decimal(str(cost))
        values.append(
            (
                start,
                start + dt.timedelta(days=1),
                dt.datetime(day.year, day.month, 1),
                amount,
                amount,
                amount,
                amount,
                "USD",
                "USD",
                service,
                "acct-1",
                json.dumps({"team": team}),
                "TestCloud",
                "ba-1",
                "Usage",
                "Usage-Based",
                "Standard",
            )
        )
    ws.warehouse.con.executemany(
        """INSERT INTO costs (ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart,
        EffectiveCost, BilledCost, ListCost, ContractedCost, BillingCurrency, PricingCurrency,
        ServiceName, SubAccountId, Tags, ProviderName, BillingAccountId, ChargeCategory,
        ChargeFrequency, PricingCategory)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        values,
    )
    ensure = getattr(ws, "ensure_tag_columns", None)
    if callable(ensure):
        ensure()  # adds tag_<key> columns when the ingest module is present
    for column in ws.warehouse.table_columns("costs"):
        if column.startswith("tag_"):
            key = column.removeprefix("tag_")
            ws.warehouse.con.execute(
                f"UPDATE costs SET {column} = json_extract_string(Tags, '$.{key}') "
                f"WHERE {column} IS NULL"
            )


def days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


@pytest.fixture
def tws(tmp_path: Path) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path / "ws")
    yield ws
    ws.close()
