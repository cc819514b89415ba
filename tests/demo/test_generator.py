"""The demo generator: deterministic, structurally realistic, FOCUS-valid, exact money."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from costmark import api
from costmark.demo import DemoManifest, generate
from costmark.focus.columns import ColumnType, columns

END = dt.date(2026, 3, 15)  # window: 2026-02-01 .. 2026-03-14 (Feb is a closed month)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate(tmp_path_factory.mktemp("demo") / "data", seed=3, months=2, end=END)


@pytest.fixture(scope="module")
def con(demo: DemoManifest) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    files = ", ".join(f"'{p}'" for p in demo.focus_files)
    c.execute(f"CREATE VIEW costs AS SELECT * FROM read_parquet([{files}])")
    return c


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"  # manifest names its own folder
    }


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=11, months=1, end=END)
    b = generate(tmp_path / "b", seed=11, months=1, end=END)
    c = generate(tmp_path / "c", seed=12, months=1, end=END)
    assert _files(a.out_dir) == _files(b.out_dir)
    assert a.rows == b.rows
    assert _files(a.out_dir) != _files(c.out_dir)


def test_window_is_whole_billing_months_ending_before_end(demo: DemoManifest) -> None:
    assert demo.start == dt.date(2026, 2, 1)
    assert demo.end == END


def test_schema_has_every_focus_12_column_with_exact_decimals(demo: DemoManifest) -> None:
    schema = pq.read_schema(demo.focus_files[0])
    expected = {c.name: c.type for c in columns("1.2")}
    assert set(schema.names) == set(expected)
    for name, kind in expected.items():
        field_type = str(schema.field(name).type)
        if kind is ColumnType.DECIMAL:
            assert field_type == "decimal128(38, 18)", name
        if kind is ColumnType.DATETIME:
            assert field_type.startswith("timestamp"), name


def test_organisation_shape(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "SELECT count(DISTINCT ProviderName) FROM costs") == 3
    assert one(con, "SELECT count(DISTINCT SubAccountId) FROM costs") >= 20
    teams = one(con, "SELECT count(DISTINCT json_extract_string(Tags, '$.team')) FROM costs")
    apps = one(con, "SELECT count(DISTINCT json_extract_string(Tags, '$.app')) FROM costs")
    assert teams >= 6 and apps >= 15
    envs = con.execute(
        "SELECT DISTINCT json_extract_string(Tags, '$.env') e FROM costs WHERE e IS NOT NULL"
    ).fetchall()
    assert {e for (e,) in envs} == {"prod", "staging", "dev"}
    assert set(
        r[0] for r in con.execute("SELECT DISTINCT BillingCurrency FROM costs").fetchall()
    ) == {"USD", "EUR"}


def test_tag_coverage_is_imperfect_about_80_percent(con: duckdb.DuckDBPyConnection) -> None:
    usage = "FROM costs WHERE ChargeCategory = 'Usage' AND CommitmentDiscountStatus IS NULL"
    full = one(con, f"SELECT avg((json_extract_string(Tags, '$.team') IS NOT NULL)::INT) {usage}")
    untagged = one(con, f"SELECT avg((Tags IS NULL)::INT) {usage}")
    partial = one(
        con,
        f"SELECT avg((Tags IS NOT NULL AND json_extract_string(Tags, '$.team') IS NULL)::INT) "
        f"{usage}",
    )
    assert 0.7 <= full <= 0.9
    assert untagged > 0.02 and partial > 0.02


def test_pricing_categories_and_charge_kinds(con: duckdb.DuckDBPyConnection) -> None:
    pricing = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT PricingCategory FROM costs WHERE ChargeCategory = 'Usage'"
        ).fetchall()
    }
    assert pricing == {"Standard", "Dynamic", "Committed"}
    kinds = dict(con.execute("SELECT ChargeCategory, count(*) FROM costs GROUP BY 1").fetchall())
    assert {"Usage", "Purchase", "Credit", "Tax"} <= set(kinds)
    assert one(con, "SELECT max(BilledCost) FROM costs WHERE ChargeCategory = 'Credit'") < 0
    refund = con.execute(
        "SELECT BilledCost, EffectiveCost FROM costs WHERE ChargeClass = 'Correction'"
    ).fetchall()
    assert len(refund) == 1 and refund[0][0] < 0 and refund[0][0] == refund[0][1]
    # Tax only for the closed month (February), on the taxed billing accounts.
    taxed = con.execute(
        "SELECT DISTINCT BillingPeriodStart::DATE FROM costs WHERE ChargeCategory = 'Tax'"
    ).fetchall()
    assert taxed == [(dt.date(2026, 2, 1),)]


def test_commitments_follow_the_focus_examples(con: duckdb.DuckDBPyConnection) -> None:
    status = dict(
        con.execute(
            "SELECT CommitmentDiscountStatus, count(*) FROM costs "
            "WHERE CommitmentDiscountStatus IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    assert status.get("Used", 0) > 0 and status.get("Unused", 0) > 0
    # Used: billed by the purchase, so BilledCost 0; Effective = amortised; List at list price.
    bad_used = one(
        con,
        "SELECT count(*) FROM costs WHERE CommitmentDiscountStatus = 'Used' AND "
        "(BilledCost <> 0 OR EffectiveCost <= 0 OR ListCost < EffectiveCost "
        "OR PricingCategory <> 'Committed')",
    )
    assert bad_used == 0
    # Unused: the commitment itself is the resource; no consumed quantity.
    bad_unused = one(
        con,
        "SELECT count(*) FROM costs WHERE CommitmentDiscountStatus = 'Unused' AND "
        "(ResourceId <> CommitmentDiscountId OR ConsumedQuantity IS NOT NULL "
        "OR EffectiveCost <= 0 OR BilledCost <> 0)",
    )
    assert bad_unused == 0
    assert (
        one(
            con,
            "SELECT count(*) FROM costs WHERE ChargeCategory = 'Purchase' AND "
            "(EffectiveCost <> 0 OR CommitmentDiscountStatus IS NOT NULL "
            "OR ChargeFrequency <> 'Recurring')",
        )
        == 0
    )


def test_purchases_equal_amortised_cost_exactly(con: duckdb.DuckDBPyConnection) -> None:
    """For the closed month, each commitment's purchase equals its Used + Unused cost, to the
    last of 18 decimals: nothing is lost or doubled by amortisation."""
    rows = con.execute(
        """
        WITH bought AS (
            SELECT CommitmentDiscountId id, sum(BilledCost) billed FROM costs
            WHERE ChargeCategory = 'Purchase' AND BillingPeriodStart = '2026-02-01'
            GROUP BY 1),
        used AS (
            SELECT CommitmentDiscountId id, sum(EffectiveCost) amortised FROM costs
            WHERE CommitmentDiscountStatus IN ('Used', 'Unused')
              AND BillingPeriodStart = '2026-02-01' GROUP BY 1)
        SELECT bought.id, billed, amortised FROM bought JOIN used USING (id)
        """
    ).fetchall()
    assert rows
    for _, billed, amortised in rows:
        assert billed == amortised


def test_costs_are_quantity_times_price(con: duckdb.DuckDBPyConnection) -> None:
    """FOCUS: ListCost = PricingQuantity x ListUnitPrice (same for Contracted), exactly."""
    bad = one(
        con,
        "SELECT count(*) FROM costs WHERE ChargeClass IS NULL AND PricingQuantity IS NOT NULL "
        "AND (ListCost <> PricingQuantity::DECIMAL(24, 3) * ListUnitPrice::DECIMAL(14, 8) "
        "OR ContractedCost <> PricingQuantity::DECIMAL(24, 3) "
        "* ContractedUnitPrice::DECIMAL(14, 8))",
    )
    assert bad == 0


def test_anomalies_recorded_and_visible(demo: DemoManifest, con: duckdb.DuckDBPyConnection) -> None:
    docs = json.loads(demo.anomalies_file.read_text())
    assert len(docs) == 2
    for doc in docs:
        assert {"start", "dates", "team", "app", "service", "provider"} <= set(doc)
        daily = dict(
            con.execute(
                "SELECT ChargePeriodStart::DATE d, sum(EffectiveCost) FROM costs "
                "WHERE ServiceName = ? AND SubAccountId = ? GROUP BY 1",
                [doc["service"], doc["sub_account_id"]],
            ).fetchall()
        )
        spike = [daily[dt.date.fromisoformat(d)] for d in doc["dates"]]
        normal = sorted(v for d, v in daily.items() if d.isoformat() not in doc["dates"])
        median = normal[len(normal) // 2]
        assert min(spike) > 3 * median, doc["id"]


def test_side_files(demo: DemoManifest) -> None:
    long, wide = demo.business_files
    head = long.read_text().splitlines()[0]
    assert head.replace('"', "") == "date,metric,app,team,value"
    assert wide.read_text().splitlines()[0].replace('"', "") == "date,app,team,revenue"
    ((lo, hi),) = duckdb.sql(
        f"SELECT min(cpu_pct), max(cpu_pct) FROM '{demo.utilization_file}'"
    ).fetchall()
    assert lo is not None and lo < 5 < hi  # some idle resources
    statuses = duckdb.sql(
        f"SELECT DISTINCT status FROM read_csv('{demo.recommendations_file}')"
    ).fetchall()
    assert {"open", "closed"} <= {s for (s,) in statuses}
    mapping = demo.mapping_file.read_text().splitlines()
    assert mapping[0] == "SubAccountId,team" and len(mapping) > 20


def test_generated_files_validate_clean(demo: DemoManifest) -> None:
    report = api.validate_files([str(p) for p in demo.focus_files])
    assert report.errors == [], [i.to_dict() for i in report.errors[:5]]
    assert report.ok


def test_rows_option_scales_the_data(tmp_path: Path) -> None:
    m = generate(tmp_path / "big", seed=5, months=1, rows=40_000, end=END)
    assert 0.7 * 40_000 <= m.rows <= 1.3 * 40_000
