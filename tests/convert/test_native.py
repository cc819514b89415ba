"""Native exports -> FOCUS on every real native file in ../shared/data, totals recomputed here
independently (Python's csv and Decimal, not DuckDB) from the provider's own columns."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from costmark.convert import convert_files, describe
from costmark.errors import InputError
from costmark.focus.validate import validate_files

#: file -> (source, provider cost column, currency column or fixed currency)
NATIVE = {
    "focus-converters/provider-native/aws_cur_legacy_sample-anonymous-aws-export-dataset.csv": (
        "aws-cur", "lineItem/UnblendedCost", "lineItem/CurrencyCode"),
    "koku/aws/test_cur.csv": ("aws-cur", "lineItem/UnblendedCost", "lineItem/CurrencyCode"),
    "koku/aws/2022-07-01-alt-columns.csv": (
        "aws-cur", "line_item_unblended_cost", "line_item_currency_code"),
    "koku/aws/empty_frame.csv": ("aws-cur", "lineItem/UnblendedCost", "lineItem/CurrencyCode"),
    "focus-converters/provider-native/azure_ea_sample-anonymous-ea-export-dataset.csv": (
        "azure", "CostInBillingCurrency", "BillingCurrencyCode"),
    "finops-toolkit/test-assets/EA_ActualCost_Small.csv": ("azure", "Cost", "BillingCurrency"),
    "finops-toolkit/test-assets/EA_AmortizedCost_Small.csv": ("azure", "Cost", "BillingCurrency"),
    "finops-toolkit/test-assets/EA_NoRows.csv": ("azure", "Cost", "BillingCurrency"),
    "koku/azure/azure_camelCased.csv": ("azure", "preTaxCost", "currency"),
    "koku/azure/camel_azure_version_2.csv": ("azure", "costInBillingCurrency", "billingCurrency"),
    "koku/azure/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv": (
        "azure", "PreTaxCost", "Currency"),
    "koku/azure/empty_frame.csv": ("azure", "PreTaxCost", "Currency"),
    "opencost-azure/values/Template.csv": ("azure", "costinbillingcurrency", "=USD"),
    "opencost-azure/values/MissingBrackets.csv": ("azure", "costinbillingcurrency", "=USD"),
    "opencost-azure/values/VirtualMachine.csv": ("azure", "costinbillingcurrency", "=USD"),
    "opencost-azure/headersets/German.csv": ("azure", "PreTaxCost (PreTaxCost)", "Currency"),
    "opencost-azure/headersets/PayAsYouGo.csv": ("azure", "PreTaxCost", "Currency"),
    "opencost-azure/headersets/YA.csv": ("azure", "costInBillingCurrency", "Currency"),
    "opencost-azure/headersets/EnterpriseCamel.csv": ("azure", "costInBillingCurrency", None),
    "opencost-azure/headersets/Enterprise.csv": ("azure", "CostInBillingCurrency", None),
    "koku/gcp/tmp_example.csv": ("gcp", "cost", "currency"),
    "koku/gcp/evidence-2019-06-03.csv": ("gcp", "cost", "currency"),
    "koku/gcp/evidence-2020-11-16.csv": ("gcp", "cost", "currency"),
    "koku/gcp/202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv": (
        "gcp", "cost", "currency"),
    "koku/gcp/2022-08-01_5.csv": ("gcp", "cost", "currency"),
    "koku/gcp/2024-03-01_5.csv": ("gcp", "cost", "currency"),
    "focus-converters/provider-native/oci_reports_cost-csv_0000000030000269.csv": (
        "oci", "cost/myCost", "cost/currencyCode"),
    "koku/oci/reports_cost-csv_0001000000603747.csv": ("oci", "cost/myCost", "cost/currencyCode"),
}  # fmt: skip

#: real defects of the source files that the converted FOCUS keeps (and validate reports)
SOURCE_DEFECTS = {
    "koku/gcp/tmp_example.csv": {"period_order"},  # usage_end_time before usage_start_time
    "opencost-azure/headersets/Enterprise.csv": {"charge_outside_billing_period"},
}


def _provider_sums(path: Path, cost_col: str, cur_col: str | None) -> dict[str, Decimal]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        cur = "USD" if cur_col in (None, "=USD") else (row.get(cur_col) or "USD")
        if cur_col and not cur_col.startswith("=") and not row.get(cur_col):
            cur = "USD"
        value = row.get(cost_col) or ""
        if value.strip():
            # DECIMAL(38,18), costmark's money type, keeps 18 decimals (DuckDB rounds half away)
            sums[cur.upper()] += Decimal(value).quantize(Decimal("1e-18"), ROUND_HALF_UP)
    return dict(sums)


@pytest.mark.parametrize("name", sorted(NATIVE))
def test_native_file_converts_validates_and_reconciles(
    name: str, shared_data: Path, tmp_path: Path
) -> None:
    source, cost_col, cur_col = NATIVE[name]
    path = shared_data / name
    detected = describe(path)
    assert detected is not None and detected.source == source
    needs_currency = cur_col is None or cur_col.startswith("=") or "koku/oci" in name
    (result,) = convert_files([path], out_dir=tmp_path, currency="USD" if needs_currency else None)
    assert result.reconciled
    assert result.output is not None
    report = validate_files([result.output])
    assert {i.rule for i in report.errors} == SOURCE_DEFECTS.get(name, set())
    rows = duckdb.connect().execute(f"SELECT count(*) FROM '{result.output}'").fetchone()
    assert rows is not None and rows[0] == result.rows_written
    expected = _provider_sums(path, cost_col, cur_col)
    if "Amortized" in name:
        # the amortized view: EffectiveCost is the export's cost column
        assert {c: t["EffectiveCost"] for c, t in result.totals.items()} == expected
    elif source in ("gcp", "oci") or "aws" not in name or "Savings" not in name:
        got = {
            c: t["BilledCost"] for c, t in result.totals.items() if t["BilledCost"] or c in expected
        }
        assert {c: v for c, v in got.items() if v} == {c: v for c, v in expected.items() if v}


def test_empty_exports_load_as_zero_rows(shared_data: Path, tmp_path: Path) -> None:
    for name in ("koku/aws/empty_frame.csv", "finops-toolkit/test-assets/EA_NoRows.csv"):
        (result,) = convert_files([shared_data / name], out_dir=tmp_path)
        assert result.rows_read == result.rows_written == 0


@pytest.mark.parametrize(
    ("name", "row", "column"),
    [
        ("koku/aws/November-2023-None.csv", 6, "lineItem/UnblendedCost"),  # a row missing fields
        ("koku/azure/azure_version_2.csv", 1, None),  # currency 'MC'
        ("opencost-azure/headersets/BOM.csv", 1, None),  # a row with only a date
    ],
)
def test_malformed_exports_get_a_located_error(
    name: str, row: int, column: str | None, shared_data: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError) as info:
        convert_files([shared_data / name], out_dir=tmp_path, currency=None)
    problems = info.value.problems
    assert problems and problems[0].row == row
    assert problems[0].file and problems[0].file.endswith(name.rsplit("/", 1)[1])
    if column:
        assert problems[0].column == column
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_oci_usage_report_is_named_not_converted(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="usage report: it has no cost"):
        convert_files([shared_data / "koku/oci/reports_usage-csv_0001000000829494.csv"])


def test_validate_names_a_native_export_instead_of_focus_errors(shared_data: Path) -> None:
    path = shared_data / NATIVE_FIRST
    report = validate_files([path])
    assert [i.rule for i in report.issues] == ["native_export"]
    assert "costmark convert" in report.issues[0].message
    assert "--from aws-cur" in report.issues[0].message


NATIVE_FIRST = (
    "focus-converters/provider-native/aws_cur_legacy_sample-anonymous-aws-export-dataset.csv"
)


def test_german_and_bom_headers_map_to_the_same_columns(shared_data: Path, tmp_path: Path) -> None:
    german, payg = (
        convert_files([shared_data / f"opencost-azure/headersets/{n}.csv"], out_dir=tmp_path)[0]
        for n in ("German", "PayAsYouGo")
    )
    con = duckdb.connect()
    a = con.execute(f"SELECT * EXCLUDE (x_NativeFile) FROM '{german.output}'").fetchall()
    b = con.execute(f"SELECT * EXCLUDE (x_NativeFile) FROM '{payg.output}'").fetchall()
    assert a == b


def test_tags_become_focus_tags(shared_data: Path, tmp_path: Path) -> None:
    con = duckdb.connect()
    (azure,) = convert_files(
        [
            shared_data
            / "focus-converters/provider-native/azure_ea_sample-anonymous-ea-export-dataset.csv"
        ],
        out_dir=tmp_path,
    )
    row = con.execute(f"SELECT Tags FROM '{azure.output}' LIMIT 1").fetchone()
    assert row is not None and '"tagA": "valueA"' in row[0] and row[0].startswith("{")
    (gcp,) = convert_files([shared_data / "koku/gcp/tmp_example.csv"], out_dir=tmp_path)
    labelled = con.execute(
        f"SELECT count(*) FROM '{gcp.output}' WHERE Tags LIKE '%vm_key_proj2%'"
    ).fetchone()
    assert labelled is not None and labelled[0] > 0


def test_gcp_json_lines_with_nested_fields_and_credits(tmp_path: Path) -> None:
    import json

    row = {
        "billing_account_id": "A-1",
        "service": {"id": "x", "description": "Compute Engine"},
        "sku": {"id": "s", "description": "N1 core"},
        "usage_start_time": "2024-01-01T00:00:00Z",
        "usage_end_time": "2024-01-01T01:00:00Z",
        "project": {"id": "p", "name": "P"},
        "labels": [{"key": "team", "value": "a"}],
        "cost": 1.25,
        "currency": "USD",
        "usage": {"amount": 1, "unit": "s", "amount_in_pricing_units": 1, "pricing_unit": "h"},
        "credits": [{"name": "free tier", "amount": -0.25}],
        "invoice": {"month": "202401"},
        "cost_type": "regular",
        "location": {"region": "us-central1"},
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (result,) = convert_files([path], source="gcp", out_dir=tmp_path / "out")
    assert result.rows_written == 2  # the usage row and its credit
    assert result.totals == {"USD": {"BilledCost": Decimal(1), "EffectiveCost": Decimal(1)}}
    assert result.output is not None and validate_files([result.output]).ok


def test_header_normalisation_is_linear_on_hostile_headers() -> None:
    """A 128 KB header of "(" once made the localized-header pattern backtrack for minutes."""
    import time

    from costmark.convert.detect import detect_native

    started = time.process_time()
    hostile = ["(" * 130_000 + "x", "a(" * 60_000 + ")", "A" * 130_000 + "a"]
    assert detect_native(hostile) is None
    assert time.process_time() - started < 2
