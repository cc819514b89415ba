"""A tiny hand-checked organisation: every number in test_library.py is worked out from it.

January 2024 (USD), rows r1..r7; February r8; one EUR row r9. See the comments per row.
"""

from __future__ import annotations

import costmark
from tests.kpi_support import load_rows, row, write_config

CONFIG = """\
version: 1
name: kpi fixture
dimensions:
  team:
    allocation: true
    rules:
      - tag: team
      - column: SubAccountId
        values: {acc-b: beta}
    default: unallocated
  service: {column: ServiceName}
business_metrics:
  transactions: {unit: transaction, aggregation: sum}
  customers: {unit: customer, aggregation: average}
  revenue: {unit: USD, aggregation: sum, currency: USD}
kpis:
  compute_share:
    title: Compute share
    ratio:
      numerator: {sum: EffectiveCost, where: {ServiceCategory: Compute}}
      denominator: {sum: EffectiveCost}
  cost_per_txn_k:
    formula: "cost_per_transactions * 1000"
    unit: currency
  list_minus_eff:
    difference: {left: {sum: ListCost}, right: {sum: EffectiveCost}}
  storage_esr:
    base: effective_savings_rate
    where: "ServiceCategory = 'Storage'"
  txn_per_customer:
    ratio:
      numerator: {metric: transactions}
      denominator: {metric: customers}
"""

TEAM_A = '{"team": "alpha"}'

ROWS = [
    # r1 on-demand compute, tagged alpha
    row(ChargePeriodStart="2024-01-05", SubAccountId="acc-a", Tags=TEAM_A, ResourceId="vm1",
        ListCost=10, ContractedCost=10, EffectiveCost=10, BilledCost=10),
    # r2 covered by a commitment (Used); account acc-b maps to team beta
    row(ChargePeriodStart="2024-01-06", SubAccountId="acc-b", ResourceId="vm2",
        PricingCategory="Committed", CommitmentDiscountStatus="Used",
        CommitmentDiscountCategory="Spend", ListCost=20, ContractedCost=18,
        EffectiveCost=12, BilledCost=0),
    # r3 idle commitment (Unused), unmapped account -> unallocated
    row(ChargePeriodStart="2024-01-07", SubAccountId="acc-c", ResourceId="cd1",
        PricingCategory="Committed", CommitmentDiscountStatus="Unused",
        CommitmentDiscountCategory="Spend", ListCost=5, ContractedCost=5,
        EffectiveCost=3, BilledCost=0),
    # r4 storage with no known list price
    row(ChargePeriodStart="2024-01-07", SubAccountId="acc-a", Tags=TEAM_A, ResourceId="disk1",
        ServiceCategory="Storage", ListCost=0, ContractedCost=0, EffectiveCost=4, BilledCost=4),
    # r5 spot
    row(ChargePeriodStart="2024-01-08", SubAccountId="acc-a", Tags=TEAM_A, ResourceId="vm3",
        PricingCategory="Dynamic", ListCost=8, ContractedCost=8, EffectiveCost=2, BilledCost=2),
    # r6 commitment purchase (amortized into r2/r3, so effective 0)
    row(ChargePeriodStart="2024-01-01", ChargeCategory="Purchase", SubAccountId="acc-a",
        CommitmentDiscountCategory="Spend", ListCost=0, EffectiveCost=0, BilledCost=30),
    # r7 credit
    row(ChargePeriodStart="2024-01-10", ChargeCategory="Credit", SubAccountId="acc-a",
        Tags=TEAM_A, ListCost=0, EffectiveCost=-1, BilledCost=-1),
    # r8 February on-demand
    row(ChargePeriodStart="2024-02-03", SubAccountId="acc-a", Tags=TEAM_A, ResourceId="vm1",
        ListCost=15, ContractedCost=15, EffectiveCost=15, BilledCost=15),
    # r9 a EUR account
    row(ChargePeriodStart="2024-01-05", SubAccountId="acc-e", Tags=TEAM_A, ResourceId="vm9",
        BillingCurrency="EUR", BillingAccountId="eu", ListCost=7, ContractedCost=7,
        EffectiveCost=7, BilledCost=7),
]


def build(ws: costmark.Workspace, config: str = CONFIG, *, extras: bool = True) -> None:
    write_config(ws, config)
    load_rows(ws, ROWS)
    if not extras:
        return
    con = ws.warehouse.con
    con.executemany(
        "INSERT INTO business_metrics (metric, date, dimensions, value) VALUES (?, ?, ?, ?)",
        [
            ["transactions", "2024-01-15", "{}", 100],
            ["transactions", "2024-01-20", "{}", 50],
            ["transactions", "2024-02-10", "{}", 300],
            ["customers", "2024-01-01", "{}", 10],
            ["customers", "2024-01-31", "{}", 20],
            ["revenue", "2024-01-31", "{}", 600],
        ],
    )
    con.executemany(
        "INSERT INTO utilization (resource_id, date, cpu_pct, memory_pct) VALUES (?, ?, ?, ?)",
        [["vm1", "2024-01-05", 2, 10], ["vm2", "2024-01-06", 50, 60],
         ["vm3", "2024-01-08", 80, 20]],
    )
    con.executemany(
        "INSERT INTO recommendations (id, resource_id, category, estimated_monthly_savings, "
        "currency, status, opened, closed, realized_monthly_savings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ["rec1", "vm1", "rightsize", 20, "USD", "open", "2024-01-01", None, None],
            ["rec2", "vm2", "rightsize", 6, "USD", "closed", "2023-12-01", "2024-01-20", 5],
            ["rec3", "vm3", "idle", 100, "USD", "dismissed", "2024-01-01", None, None],
        ],
    )
