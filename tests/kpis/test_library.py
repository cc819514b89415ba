"""Every built-in KPI against numbers worked out by hand on tests/kpis/fixture.py.

January USD rows: usage r1..r5 (effective 10, 12, 3, 4, 2), purchase r6 (0), credit r7 (-1).
"""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

import costmark
from costmark.kpis.library import NO_COMMITMENT_COST
from tests.kpis.fixture import CONFIG, build

JAN = {"period_start": "2024-01-01", "currency": "USD"}
FEB = {"period_start": "2024-02-01", "currency": "USD"}


@pytest.fixture
def ws(workspace: costmark.Workspace) -> costmark.Workspace:
    build(workspace)
    return workspace


EXACT = [
    ("total_cost", Decimal(30)),
    ("billed_cost", Decimal(45)),
    ("list_cost", Decimal(43)),
    ("contracted_cost", Decimal(41)),
    ("savings_achieved", Decimal(11)),  # (38 - 24) - 3
    ("negotiated_savings", Decimal(2)),  # 38 - 36
    ("commitment_savings", Decimal(5)),  # (36 - 28) - 3
    ("list_minus_eff", Decimal(13)),
    ("cost_per_resource", Decimal(6)),  # 30 / 5 distinct resources: money per resource
    ("cost_per_txn_k", Decimal(200)),  # formula KPI with unit currency
]

RATIOS = [
    ("effective_savings_rate", 1 - 27 / 38),
    # the Foundation's form: rows with a known ContractedCost (r1..r5; r6, r7 have none)
    ("effective_savings_rate_contracted", 1 - 31 / 41),
    ("commitment_utilization", 12 / 15),
    ("commitment_waste", 3 / 15),
    ("commitment_coverage", 18 / 36),
    ("on_demand_share", 14 / 31),
    ("spot_share", 2 / 31),
    # shares of spend are over charges (r1..r6 = 31): the credit r7 is left out of both sides
    ("allocation_coverage", 28 / 31),
    ("untagged_cost_share", 15 / 31),
    ("untagged_cost_share:team", 15 / 31),
    ("resource_utilization", (0.02 * 10 + 0.5 * 12 + 0.8 * 2) / 24),
    ("memory_utilization", (0.1 * 10 + 0.6 * 12 + 0.2 * 2) / 24),
    ("waste_share", (3 + 10) / 30),
    ("optimization_rate", 5 / 25),
    ("cost_optimization_index", 1 - 20 / 30),
    ("cost_per_transactions", 30 / 150),
    ("cost_per_customers", 30 / 15),
    ("cost_to_revenue", 30 / 600),
    ("compute_share", 26 / 30),
    ("cost_variance", statistics.pstdev([0, 10, 12, 7, 2, -1]) / 5),
]


@pytest.mark.parametrize(("kpi", "expected"), EXACT, ids=[e[0] for e in EXACT])
def test_money_kpis_exact(ws: costmark.Workspace, engine: str, kpi: str,
                          expected: Decimal) -> None:
    value = ws.kpi(kpi, engine=engine).value(kpi, **JAN)
    assert isinstance(value, Decimal)
    assert value == expected


@pytest.mark.parametrize(("kpi", "expected"), RATIOS, ids=[e[0] for e in RATIOS])
def test_ratio_kpis(ws: costmark.Workspace, engine: str, kpi: str, expected: float) -> None:
    value = ws.kpi(kpi, engine=engine).value(kpi, **JAN)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-12)


def test_esr_contracted_parts(ws: costmark.Workspace, engine: str) -> None:
    """1 − Σ EffectiveCost / Σ ContractedCost over rows with a known ContractedCost: r1..r5
    give 10 + 12 + 3 + 4 + 2 = 31 over 10 + 18 + 5 + 0 + 8 = 41. The purchase r6 (effective 0)
    and the credit r7 have no ContractedCost: left out of both sums; coverage of charges stays
    1 (r6 adds 0), so no note. ListCost plays no part (effective_savings_rate: 1 − 27/38)."""
    rows = ws.kpi(["effective_savings_rate_contracted", "effective_savings_rate"],
                  engine=engine).rows()
    jan = {r["kpi"]: r for r in rows if str(r["period_start"]) == "2024-01-01"
           and r["currency"] == "USD"}
    row = jan["effective_savings_rate_contracted"]
    assert (row["numerator"], row["denominator"]) == (Decimal(31), Decimal(41))
    assert row["coverage"] == 1.0 and row["note"] is None
    assert row["value"] != jan["effective_savings_rate"]["value"]


def test_esr_reports_coverage_and_parts(ws: costmark.Workspace, engine: str) -> None:
    row = next(r for r in ws.kpi("effective_savings_rate", engine=engine).rows()
               if r["period_start"].isoformat() == "2024-01-01" and r["currency"] == "USD")
    assert row["numerator"] == Decimal(27) and row["denominator"] == Decimal(38)
    assert row["coverage"] == pytest.approx(27 / 31)
    assert "computed on 87%" in row["note"]


def test_all_kpis_in_one_request_share_the_answers(ws: costmark.Workspace, engine: str) -> None:
    ids = [k for k, _ in EXACT + RATIOS]
    result = ws.kpi(ids, engine=engine)
    for kpi, expected in EXACT + RATIOS:
        assert result.value(kpi, **JAN) == pytest.approx(expected, rel=1e-12), kpi


def test_cost_change(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi("cost_change", engine=engine)
    assert result.value("cost_change", **FEB) == pytest.approx(-0.5)
    feb = next(r for r in result.rows() if r["period_start"].month == 2)
    assert feb["numerator"] == Decimal(-15) and feb["denominator"] == Decimal(30)
    assert result.value("cost_change", **JAN) is None
    # a range starting in February still compares with January
    ranged = ws.kpi("cost_change", start="2024-02-01", engine=engine)
    assert [r["period_start"].isoformat() for r in ranged.rows()] == ["2024-02-01"]
    assert ranged.value("cost_change", **FEB) == pytest.approx(-0.5)


def test_spend_elasticity(ws: costmark.Workspace, engine: str) -> None:
    # cost -50%, transactions +100%
    result = ws.kpi("spend_elasticity", engine=engine)
    assert result.value("spend_elasticity", **FEB) == pytest.approx(-0.5)


def test_by_team_splits_by_rules(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi("total_cost", by=["team"], engine=engine)
    assert result.value("total_cost", team="alpha", **JAN) == Decimal(15)
    assert result.value("total_cost", team="beta", **JAN) == Decimal(12)
    assert result.value("total_cost", team="unallocated", **JAN) == Decimal(3)
    assert result.value("total_cost", team="alpha", period_start="2024-01-01",
                        currency="EUR") == Decimal(7)


def test_currencies_never_summed(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi("total_cost", engine=engine)
    assert result.value("total_cost", period_start="2024-01-01", currency="EUR") == Decimal(7)
    assert result.value("total_cost", **JAN) == Decimal(30)


def test_rates_convert_to_reporting_currency(workspace: costmark.Workspace,
                                             engine: str) -> None:
    build(workspace, CONFIG + "currency:\n  reporting: USD\n  rates: {EUR: 1.1}\n")
    result = workspace.kpi(["total_cost", "commitment_utilization"], engine=engine)
    assert {r["currency"] for r in result.rows()} == {"USD"}
    assert result.value("total_cost", **JAN) == Decimal("37.7")
    assert result.value("commitment_utilization", **JAN) == pytest.approx(0.8)


def test_zero_denominators_are_null_with_reason(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi(["commitment_utilization", "commitment_utilization_quantity",
                     "storage_esr"], engine=engine)
    rows = {r["kpi"]: r for r in result.rows()
            if r["period_start"].month == 2 and r["currency"] == "USD"}
    assert rows["commitment_utilization"]["value"] is None
    assert rows["commitment_utilization"]["note"] == NO_COMMITMENT_COST
    jan = {r["kpi"]: r for r in result.rows()
           if r["period_start"].month == 1 and r["currency"] == "USD"}
    assert jan["commitment_utilization_quantity"]["value"] is None
    assert jan["storage_esr"]["value"] is None  # storage has no known list price
    assert jan["storage_esr"]["note"] == "no usage with a known list price"


def test_planning_without_budgets_or_forecasts(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi(["budget_variance", "budget_burn", "forecast_accuracy",
                     "forecast_variance"], engine=engine)
    for r in result.rows():
        assert r["value"] is None and r["note"]
    notes = {r["kpi"]: r["note"] for r in result.rows()}
    assert notes["budget_variance"] == "no budgets configured"


def test_budget_source_plugs_in(ws: costmark.Workspace) -> None:
    from costmark.kpis import planning

    def source(ctx):  # type: ignore[no-untyped-def]
        return {k: Decimal(40) for k in ctx.frame_keys() if k[2] == "USD"}

    planning.register_budget_source(source)
    try:
        result = ws.kpi("budget_variance")
        assert result.value("budget_variance", **JAN) == pytest.approx((30 - 40) / 40)
    finally:
        planning._BUDGET_SOURCES.remove(source)


def test_business_only_user_kpi(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi("txn_per_customer", engine=engine)
    assert result.value("txn_per_customer", period_start="2024-01-01") == pytest.approx(10.0)


def test_grains(ws: costmark.Workspace, engine: str) -> None:
    for grain, first in [("day", "2024-01-01"), ("week", "2024-01-01"),
                         ("quarter", "2024-01-01"), ("year", "2024-01-01")]:
        result = ws.kpi("total_cost", grain=grain, engine=engine)
        usd = [r for r in result.rows() if r["currency"] == "USD"]
        assert sum(r["value"] for r in usd) == Decimal(45)
        assert usd[0]["period_start"].isoformat() == first
    week = ws.kpi("total_cost", grain="week", engine=engine)
    # 2024-01-08 is a Monday: r5 (2) and r7 (-1) fall in that ISO week
    assert week.value("total_cost", period_start="2024-01-08", currency="USD") == Decimal(1)


def test_where_and_range(ws: costmark.Workspace, engine: str) -> None:
    result = ws.kpi("total_cost", where="ServiceCategory = 'Compute' and tag:team in ('alpha')",
                    engine=engine)
    assert result.value("total_cost", **JAN) == Decimal(11)  # r1 10 + r5 2 + r7 -1
    structured = ws.kpi("total_cost", where={"team": ["beta", "unallocated"]}, engine=engine)
    assert structured.value("total_cost", **JAN) == Decimal(15)
    ranged = ws.kpi("total_cost", start="2024-01-06", end="2024-01-07", engine=engine)
    assert ranged.value("total_cost", **JAN) == Decimal(19)  # 12 + 3 + 4


def test_result_views(ws: costmark.Workspace) -> None:
    result = costmark.open(ws.root).kpi("effective_savings_rate", grain="month", by=["team"])
    frame = result.to_pandas()
    assert list(frame.columns) == ["kpi", "period_start", "grain", "team", "currency", "value",
                                   "numerator", "denominator", "coverage", "note"]
    assert result.to_polars().height == len(result)
    assert result.to_arrow().num_rows == len(result)
    daily = ws.daily_cost(by=["team"])
    assert set(daily.columns) == {"date", "team", "currency", "cost"}


def test_unknown_names_suggest(ws: costmark.Workspace) -> None:
    with pytest.raises(costmark.errors.NotFoundError, match="did you mean 'total_cost'"):
        ws.kpi("total_cots")
    with pytest.raises(costmark.errors.NotFoundError, match="did you mean 'team'"):
        ws.kpi("total_cost", by=["teams"])
    with pytest.raises(costmark.errors.NotFoundError, match="did you mean 'ServiceCategory'"):
        ws.kpi("total_cost", where="ServiceCategori = 'Compute'")


def test_catalog_has_every_contract_id(ws: costmark.Workspace) -> None:
    ids = {d.id for d in ws.kpi_catalog()}
    contract = """total_cost billed_cost list_cost contracted_cost cost_change cost_variance
    cost_per_resource effective_savings_rate savings_achieved negotiated_savings
    commitment_savings commitment_utilization commitment_waste commitment_coverage
    on_demand_share spot_share allocation_coverage untagged_cost_share waste_share
    resource_utilization optimization_rate cost_optimization_index cost_per_transactions
    cost_to_revenue spend_elasticity budget_variance budget_burn forecast_accuracy
    forecast_variance"""
    contract_ids = contract.split()
    assert set(contract_ids) <= ids
    assert all(d.direction in ("higher", "lower", "none") for d in ws.kpi_catalog())


def test_explain_prints_sql(ws: costmark.Workspace) -> None:
    sql = ws.explain("effective_savings_rate", by=["team"])
    assert "SELECT" in sql and "FILTER" in sql and "GROUP BY" in sql


def test_budgets_from_costmark_yaml(workspace: costmark.Workspace) -> None:
    build(workspace, CONFIG + """budgets:
  total: {amount: 40, period: month, currency: USD}
  beta: {amount: 10, period: month, scope: {team: beta}}
  quarterly: {amount: 100, period: quarter}
""")
    total = workspace.kpi("budget_variance")
    assert total.value("budget_variance", **JAN) == pytest.approx((30 - 40) / 40)
    assert total.value("budget_variance", period_start="2024-01-01", currency="EUR") is None
    by_team = workspace.kpi("budget_variance", by=["team"])
    assert by_team.value("budget_variance", team="beta", **JAN) == pytest.approx(0.2)
    assert by_team.value("budget_variance", team="alpha", **JAN) is None
    burn = workspace.kpi("budget_burn", grain="quarter")
    # the data ends on 3 February 2024: Q1 is running (34 of 91 days) whatever the calendar
    # says today, so burn = actual / (budget x elapsed share)
    row = next(r for r in burn.rows() if r["currency"] == "USD")
    assert row["value"] == pytest.approx(45 / (100 * 34 / 91))
    assert "partial: 34 of 91 days" in row["note"]


def test_forecast_kpis_use_snapshot_made_before_period(ws: costmark.Workspace) -> None:
    con = ws.warehouse.con
    con.executemany(
        "INSERT INTO forecast_snapshots (snapshot_id, created_at, kpi, grain, scope, filter, "
        "currency, period_start, forecast, method) VALUES (?, ?, 'total_cost', 'month', ?, NULL, "
        "'USD', ?, ?, 'test')",
        [
            ["old", "2023-12-01 00:00:00", "{}", "2024-01-01", 20.0],
            ["new", "2023-12-20 00:00:00", "{}", "2024-01-01", 24.0],  # latest before January
            ["late", "2024-01-15 00:00:00", "{}", "2024-01-01", 29.0],  # made inside: ignored
        ],
    )
    result = ws.kpi(["forecast_accuracy", "forecast_variance"])
    assert result.value("forecast_accuracy", **JAN) == pytest.approx(1 - 6 / 30)
    assert result.value("forecast_variance", **JAN) == pytest.approx(6 / 24)
    assert result.value("forecast_accuracy", **FEB) is None


def test_forecast_kpis_match_the_snapshot_filter(ws: costmark.Workspace) -> None:
    """With --where, only forecasts made for the same filter count, however it was written
    (text or mapping); unfiltered forecasts are not compared with filtered actuals."""
    con = ws.warehouse.con
    con.executemany(
        "INSERT INTO forecast_snapshots (snapshot_id, created_at, kpi, grain, scope, filter, "
        "currency, period_start, forecast, method) VALUES (?, '2023-12-20 00:00:00', "
        "'total_cost', 'month', '{}', ?, 'USD', '2024-01-01', ?, 'test')",
        [
            ["all", None, 24.0],
            ["compute", "ServiceCategory = 'Compute'", 25.0],
            ["storage", '{"ServiceCategory": "Storage"}', 5.0],
        ],
    )
    compute = ws.kpi("forecast_accuracy", where="ServiceCategory='Compute'")
    # January compute: r1 10 + r2 12 + r3 3 + r5 2 + r7 credit -1 = 26 against 25
    assert compute.value("forecast_accuracy", **JAN) == pytest.approx(1 - 1 / 26)
    storage = ws.kpi("forecast_variance", where={"ServiceCategory": "Storage"})
    assert storage.value("forecast_variance", **JAN) == pytest.approx((4 - 5) / 5)
    other = ws.kpi("forecast_accuracy", where="team = 'alpha'")
    assert [r["value"] for r in other.rows()] and all(r["value"] is None for r in other.rows())


def test_cost_change_year_over_year(ws: costmark.Workspace) -> None:
    from tests.kpi_support import load_rows, row

    load_rows(ws, [row(ChargePeriodStart="2023-01-20", EffectiveCost=20, SubAccountId="acc-a")])
    result = ws.kpi("cost_change_yoy", start="2024-01-01")
    assert result.value("cost_change_yoy", **JAN) == pytest.approx((30 - 20) / 20)
    assert [r["period_start"].year for r in result.rows()] == [2024, 2024, 2024]


def test_last_aggregation_and_metric_by_dimension(workspace: costmark.Workspace) -> None:
    build(workspace, CONFIG.replace("customers: {unit: customer, aggregation: average}",
                                    "customers: {unit: customer, aggregation: last}"))
    con = workspace.warehouse.con
    con.executemany(
        "INSERT INTO business_metrics (metric, date, dimensions, value) VALUES (?, ?, ?, ?)",
        [["transactions", "2024-01-03", '{"team": "alpha"}', 30],
         ["transactions", "2024-01-04", '{"team": "beta"}', 6]],
    )
    result = workspace.kpi(["cost_per_customers", "cost_per_transactions"], by=["team"])
    # last value of January is 20 customers, recorded for the total only: no split by team
    assert result.value("cost_per_customers", team="alpha", **JAN) is None
    assert result.value("cost_per_transactions", team="alpha", **JAN) == pytest.approx(15 / 30)
    assert result.value("cost_per_transactions", team="beta", **JAN) == pytest.approx(12 / 6)
    total = workspace.kpi("cost_per_customers")
    assert total.value("cost_per_customers", **JAN) == pytest.approx(30 / 20)


def test_unit_cost_split_across_currencies_says_so(ws: costmark.Workspace) -> None:
    """January is billed in USD and EUR while transactions are not split by currency: the USD
    unit cost covers only the USD share, and the row must say so."""
    rows = [r for r in ws.kpi("cost_per_transactions").rows()
            if str(r["period_start"]).startswith("2024-01") and r["currency"] == "USD"]
    assert rows and "also billed in EUR" in (rows[0]["note"] or "")
    feb = [r for r in ws.kpi("cost_per_transactions").rows()
           if str(r["period_start"]).startswith("2024-02")]
    assert all("also billed" not in (r["note"] or "") for r in feb)


def test_distinct_resources_are_counted_once_across_converted_currencies(
        workspace: costmark.Workspace, engine: str) -> None:
    """vm1 is billed in USD (r1) and, here, in EUR too: with EUR converted to USD it is one
    resource. January: 6 distinct resources (vm1, vm2, cd1, disk1, vm3, vm9); cost 30 USD +
    (7 + 3) EUR x 1.1 = 41 USD."""
    from tests.kpi_support import load_rows, row

    build(workspace, CONFIG + "currency:\n  reporting: USD\n  rates: {EUR: 1.1}\n")
    load_rows(workspace, [row(ChargePeriodStart="2024-01-09", SubAccountId="acc-e",
                             Tags='{"team": "alpha"}', ResourceId="vm1", BillingCurrency="EUR",
                             BillingAccountId="eu", ListCost=3, ContractedCost=3,
                             EffectiveCost=3, BilledCost=3)])
    result = workspace.kpi(["cost_per_resource", "total_cost"], engine=engine)
    assert result.value("total_cost", **JAN) == Decimal("41.0")
    # money quotients are given at the warehouse's 18 decimals (DECIMAL(38,18)), rounded
    assert result.value("cost_per_resource", **JAN) == Decimal("6.833333333333333333")
    by_team = workspace.kpi("cost_per_resource", by=["team"], engine=engine)
    # alpha: 10 + 4 + 2 - 1 (credit) USD + (7 + 3) EUR x 1.1 = 26 over vm1, disk1, vm3, vm9
    assert by_team.value("cost_per_resource", team="alpha", **JAN) == Decimal("6.5")


def test_business_metrics_read_once_per_request(
    ws: costmark.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scorecard asks for every unit-cost, revenue and elasticity KPI in one request: the
    business_metrics table is read once for all of them, with the numbers of one-KPI asks."""
    from costmark.engine.backends import DuckDbBackend

    ids = ["cost_per_transactions", "cost_per_customers", "spend_elasticity", "cost_to_revenue"]
    alone = {k: ws.kpi(k, by=["team"]).rows() for k in ids}
    reads: list[str] = []
    real = DuckDbBackend.table

    def table(self: DuckDbBackend, name: str) -> object:
        if name == "business_metrics":
            reads.append(name)
        return real(self, name)

    monkeypatch.setattr(DuckDbBackend, "table", table)
    together = ws.kpi(ids, by=["team"]).rows()
    assert len(reads) == 1
    assert together == [r for k in ids for r in alone[k]]
