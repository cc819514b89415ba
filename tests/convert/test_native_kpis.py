"""A CUR with Savings Plan rows, converted and loaded, gives the commitment utilization and
effective savings rate worked out by hand from the CUR's own columns; Azure's actual and
amortized views of one bill given together are counted once."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb

from costmark import api
from costmark.convert import convert_files

CUR_HEADER = [
    "identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate", "lineItem/UsageAccountId", "lineItem/LineItemType",
    "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
    "lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedCost",
    "pricing/publicOnDemandCost", "product/ProductName", "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment", "resourceTags/user:team",
]  # fmt: skip
P = ("2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z")
DAY = ("2024-03-05T00:00:00Z", "2024-03-06T00:00:00Z")
ARN = "arn:aws:savingsplans::111:savingsplan/sp-1"
CUR_ROWS = [
    # on demand: 10 at list 10
    ["1", "111", *P, "222", "Usage", *DAY, "AmazonEC2", "10", "USD", "10", "10",
     "Amazon Elastic Compute Cloud", "", "", "", "", "payments"],
    # covered by the Savings Plan: list 20, effective 14
    ["2", "111", *P, "222", "SavingsPlanCoveredUsage", *DAY, "AmazonEC2", "20", "USD", "20",
     "20", "Amazon Elastic Compute Cloud", ARN, "14", "", "", "search"],
    ["3", "111", *P, "222", "SavingsPlanNegation", *DAY, "AmazonEC2", "20", "USD", "-20", "",
     "Amazon Elastic Compute Cloud", ARN, "", "", "", ""],
    # the commitment: 16 for the period, 14 used -> 2 unused
    ["4", "111", *P, "111", "SavingsPlanRecurringFee", *DAY, "ComputeSavingsPlans", "1", "USD",
     "16", "", "Savings Plans for AWS Compute usage", ARN, "", "16", "14", ""],
]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_savings_plan_cur_gives_hand_computed_kpis(tmp_path: Path) -> None:
    cur = _write(tmp_path / "cur.csv", CUR_HEADER, CUR_ROWS)
    ws = api.init_workspace(tmp_path / "ws")
    with ws:
        results, summary = ws.convert_native(cur, source="aws-cur", progress=False)
        (result,) = results
        # unblended 10 + 20 - 20 + 16 = 26 billed; amortized 10 + 14 + 0 + (16 - 14) = 26
        assert result.totals == {"USD": {"BilledCost": Decimal(26), "EffectiveCost": Decimal(26)}}
        assert result.reconciled and summary.rows_quarantined == 0
        util = ws.kpi("commitment_utilization")
        esr = ws.kpi("effective_savings_rate")
    # utilization: used 14 / (used 14 + unused 2)
    assert [Decimal(str(r["value"])) for r in _records(util)] == [Decimal("0.875")]
    # ESR: 1 - (10 + 14 + 2) / (10 + 20)
    (value,) = [Decimal(str(r["value"])) for r in _records(esr)]
    assert abs(value - (1 - Decimal(26) / Decimal(30))) < Decimal("1e-12")
    con = duckdb.connect()
    tags = con.execute(
        f"SELECT Tags FROM '{result.output}' WHERE Tags IS NOT NULL ORDER BY x_NativeRow"
    ).fetchall()
    assert [t[0] for t in tags] == ['{"team":"payments"}', '{"team":"search"}']


def _records(result: object) -> list[dict[str, object]]:
    to_records = getattr(result, "to_records", None)
    if callable(to_records):
        return list(to_records())
    return list(result)  # type: ignore[call-overload]


AZ_HEADER = [
    "BillingAccountId", "BillingAccountName", "BillingPeriodStartDate", "BillingPeriodEndDate",
    "SubscriptionId", "SubscriptionName", "Date", "MeterCategory", "Quantity", "Cost",
    "UnitPrice", "PayGPrice", "BillingCurrency", "ChargeType", "Frequency", "PricingModel",
    "ReservationId", "ReservationName", "Tags",
]  # fmt: skip
AZ_P = ("09/01/2023", "09/30/2023")


def test_azure_actual_and_amortized_views_are_one_bill(tmp_path: Path) -> None:
    actual = _write(tmp_path / "actual.csv", AZ_HEADER, [
        ["1", "Org", *AZ_P, "s1", "Sub", "09/04/2023", "Virtual Machines", "1", "10", "10", "10",
         "USD", "Usage", "UsageBased", "OnDemand", "", "", ""],
        ["1", "Org", *AZ_P, "s1", "Sub", "09/04/2023", "Virtual Machines", "1", "0", "0", "25",
         "USD", "Usage", "UsageBased", "Reservation", "r1", "RI", ""],
        ["1", "Org", *AZ_P, "s1", "Sub", "09/01/2023", "Virtual Machines", "1", "30", "30", "0",
         "USD", "Purchase", "Recurring", "Reservation", "r1", "RI", ""],
    ])  # fmt: skip
    amortized = _write(tmp_path / "amortized.csv", AZ_HEADER, [
        ["1", "Org", *AZ_P, "s1", "Sub", "09/04/2023", "Virtual Machines", "1", "10", "10", "10",
         "USD", "Usage", "UsageBased", "OnDemand", "", "", ""],
        ["1", "Org", *AZ_P, "s1", "Sub", "09/04/2023", "Virtual Machines", "1", "20", "20", "25",
         "USD", "Usage", "UsageBased", "Reservation", "r1", "RI", ""],
        ["1", "Org", *AZ_P, "s1", "Sub", "09/30/2023", "Virtual Machines", "1", "10", "10", "0",
         "USD", "UnusedReservation", "UsageBased", "Reservation", "r1", "RI", ""],
    ])  # fmt: skip
    results = convert_files([actual, amortized], out_dir=tmp_path / "out")
    billed = sum(r.totals["USD"]["BilledCost"] for r in results)
    effective = sum(r.totals["USD"]["EffectiveCost"] for r in results)
    assert billed == Decimal(40)  # the invoice: 10 on demand + 30 reservation purchase
    assert effective == Decimal(40)  # amortized: 10 + 20 covered + 10 unused
    # each alone says what it is
    (alone,) = convert_files([actual], out_dir=tmp_path / "alone")
    assert alone.totals["USD"]["BilledCost"] == Decimal(40)
    assert any("not amortized" in n for n in alone.notes)


def test_cur2_parquet_with_tag_map_and_gzip_csv_convert_alike(tmp_path: Path) -> None:
    """CUR 2.0 ships Parquet with snake_case names and tags as a MAP column; a gzip legacy CUR
    of the same rows converts to the same costs and tags."""
    import gzip

    from costmark.convert.headers import snake

    legacy = _write(tmp_path / "cur.csv", CUR_HEADER, CUR_ROWS)
    with legacy.open("rb") as src, gzip.open(tmp_path / "cur.csv.gz", "wb") as dst:
        dst.write(src.read())
    con = duckdb.connect()
    cols = ", ".join(f'"{h}" AS {snake(h)}' for h in CUR_HEADER if not h.startswith("resourceTags"))
    con.execute(
        f'COPY (SELECT {cols}, CASE WHEN "resourceTags/user:team" IS NULL THEN MAP {{}} '
        "ELSE MAP {'team': \"resourceTags/user:team\"} END AS resource_tags, "
        'CAST("lineItem/UnblendedCost" AS DOUBLE) AS line_item_unblended_cost_d '
        f"FROM read_csv('{legacy}', all_varchar=true)) TO '{tmp_path / 'cur2.parquet'}'"
    )
    results = convert_files(
        [tmp_path / "cur.csv.gz", tmp_path / "cur2.parquet"], out_dir=tmp_path / "out"
    )
    assert [r.label for r in results] == [
        "AWS Cost and Usage Report (legacy CUR)",
        "AWS Cost and Usage Report (CUR 2.0)",
    ]
    assert results[0].totals == results[1].totals
    for r in results:
        tags = con.execute(
            f"SELECT Tags FROM '{r.output}' WHERE Tags IS NOT NULL ORDER BY x_NativeRow"
        ).fetchall()
        assert [t[0] for t in tags] == ['{"team":"payments"}', '{"team":"search"}']
