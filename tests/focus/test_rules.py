"""Every validation rule, one small change to a valid FOCUS 1.2 file at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from costmark.focus.validate import validate_files
from tests.focus.helpers import FIXTURE, add, drop, rename, set_value, variant


def test_fixture_is_valid_with_no_warnings() -> None:
    report = validate_files(FIXTURE)
    assert report.ok, report.to_dict()
    assert report.issues == []
    assert report.files[0].focus_version == "1.2"
    assert report.files[0].rows == 6


Change = Callable[..., object]

# (id, change, severity, rule, column, example rows or None, text in message or None)
CASES: list[tuple[str, Change, str, str, str, tuple[int, ...] | None, str | None]] = [
    ("missing", drop("BilledCost"), "error", "mandatory_column", "BilledCost", None, None),
    ("unknown", add("Id", "7"), "error", "unknown_column", "Id", None, "x_"),
    (
        "legacy",
        rename("ChargeCategory", "ChargeType"),
        "error",
        "legacy_column",
        "ChargeType",
        None,
        "ChargeCategory",
    ),
    (
        "legacy_missing",
        rename("ChargeCategory", "ChargeType"),
        "error",
        "mandatory_column",
        "ChargeCategory",
        None,
        "0.5 name",
    ),
    (
        "header_space",
        rename("BilledCost", " BilledCost"),
        "warning",
        "header_whitespace",
        "BilledCost",
        None,
        None,
    ),
    ("decimal", set_value(2, "BilledCost", "12,5"), "error", "type", "BilledCost", (2,), "12,5"),
    (
        "timestamp",
        set_value(3, "ChargePeriodStart", "09/01/2024"),
        "error",
        "type",
        "ChargePeriodStart",
        (3,),
        None,
    ),
    ("tags_json", set_value(1, "Tags", '{"team": '), "error", "type", "Tags", (1,), None),
    ("tags_object", set_value(1, "Tags", '["team"]'), "error", "type", "Tags", (1,), "object"),
    (
        "sku_json",
        set_value(1, "SkuPriceDetails", "{CoreCount: 2"),
        "error",
        "type",
        "SkuPriceDetails",
        (1,),
        None,
    ),
    (
        "not_null",
        set_value(4, "BillingAccountId", ""),
        "error",
        "not_null",
        "BillingAccountId",
        (4,),
        None,
    ),
    (
        "null_literal",
        set_value(5, "ServiceName", "NULL"),
        "error",
        "not_null",
        "ServiceName",
        (5,),
        None,
    ),
    (
        "charge_category",
        set_value(1, "ChargeCategory", "usage"),
        "error",
        "allowed_values",
        "ChargeCategory",
        (1,),
        "did you mean 'Usage'",
    ),
    (
        "charge_class",
        set_value(1, "ChargeClass", "correction"),
        "error",
        "allowed_values",
        "ChargeClass",
        (1,),
        None,
    ),
    (
        "pricing_category",
        set_value(1, "PricingCategory", "On-Demand"),
        "error",
        "allowed_values",
        "PricingCategory",
        (1,),
        None,
    ),
    (
        "cd_status",
        set_value(2, "CommitmentDiscountStatus", "used"),
        "error",
        "allowed_values",
        "CommitmentDiscountStatus",
        (2,),
        None,
    ),
    (
        "cd_category",
        set_value(2, "CommitmentDiscountCategory", "Commitment"),
        "error",
        "allowed_values",
        "CommitmentDiscountCategory",
        (2,),
        None,
    ),
    (
        "service_category",
        set_value(1, "ServiceCategory", "Computing"),
        "error",
        "allowed_values",
        "ServiceCategory",
        (1,),
        None,
    ),
    (
        "frequency",
        set_value(1, "ChargeFrequency", "Usage-based"),
        "error",
        "allowed_values",
        "ChargeFrequency",
        (1,),
        "did you mean 'Usage-Based'",
    ),
    (
        "pricing_needed",
        set_value(1, "PricingCategory", ""),
        "error",
        "conditional_not_null",
        "PricingCategory",
        (1,),
        None,
    ),
    (
        "charge_order",
        set_value(1, "ChargePeriodEnd", "2024-09-01T00:00:00Z"),
        "error",
        "period_order",
        "ChargePeriodStart",
        (1,),
        None,
    ),
    (
        "billing_order",
        set_value(2, "BillingPeriodEnd", "2024-08-01T00:00:00Z"),
        "error",
        "period_order",
        "BillingPeriodStart",
        (2,),
        None,
    ),
    (
        "outside",
        set_value(1, "ChargePeriodStart", "2024-08-31T23:00:00Z"),
        "error",
        "charge_outside_billing_period",
        "ChargePeriodStart",
        (1,),
        None,
    ),
    (
        "currency",
        set_value(1, "BillingCurrency", "USX"),
        "error",
        "currency_code",
        "BillingCurrency",
        (1,),
        "USX",
    ),
    (
        "pricing_currency",
        set_value(1, "PricingCurrency", "usd"),
        "error",
        "currency_code",
        "PricingCurrency",
        (1,),
        None,
    ),
    (
        "effective_zero",
        set_value(1, "EffectiveCost", "0.000"),
        "warning",
        "effective_cost_zero",
        "EffectiveCost",
        (1,),
        None,
    ),
    (
        "list_missing",
        set_value(1, "ListCost", ""),
        "warning",
        "list_cost_missing",
        "ListCost",
        (1,),
        None,
    ),
    (
        "status_missing",
        set_value(2, "CommitmentDiscountStatus", ""),
        "warning",
        "commitment_status_missing",
        "CommitmentDiscountStatus",
        (2,),
        None,
    ),
    (
        "tag_case",
        set_value(2, "Tags", '{"Team": "search"}'),
        "warning",
        "tag_key_variants",
        "Tags",
        None,
        "'Team'",
    ),
    (
        "tag_space",
        set_value(2, "Tags", '{" team": "search"}'),
        "warning",
        "tag_key_variants",
        "Tags",
        None,
        "' team'",
    ),
]


@pytest.mark.parametrize(
    ("change", "severity", "rule", "column", "examples", "text"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rule_flags_its_problem(
    tmp_path: Path,
    change: Change,
    severity: str,
    rule: str,
    column: str,
    examples: tuple[int, ...] | None,
    text: str | None,
) -> None:
    path = variant(tmp_path / "f.csv", change)  # type: ignore[arg-type]
    report = validate_files(path)
    found = report.find(rule, column)
    assert found, report.to_dict()["issues"]
    issue = found[0]
    assert issue.severity == severity
    assert issue.file == str(path.resolve())
    if examples is not None:
        assert issue.examples == examples
        assert issue.rows == len(examples)
    if text is not None:
        assert text in issue.message
    assert report.ok == (severity == "warning" and not report.errors)


@pytest.mark.parametrize(
    "value",
    ["1.05E1", "-3", "  7.25 ", "0.000000000000000001", "1e-5"],
)
def test_decimals_that_parse(tmp_path: Path, value: str) -> None:
    path = variant(tmp_path / "f.csv", set_value(1, "ContractedCost", value))
    assert not validate_files(path).find("type")


@pytest.mark.parametrize(
    "value",
    [
        "2024-09-01 00:00:00",
        "2024-09-01T00:00:00Z",
        "2024-09-01T00:00Z",
        "2024-09-01T02:00:00+02:00",
        "2024-08-31T19:00:00-05:00",
        "2024-09-01T00:00:00.000Z",
    ],
)
def test_timestamps_that_parse(tmp_path: Path, value: str) -> None:
    path = variant(tmp_path / "f.csv", set_value(1, "ChargePeriodStart", value))
    report = validate_files(path)
    assert not report.find("type"), report.to_dict()
    # all of these are the same instant, so the charge stays inside September
    assert not report.find("charge_outside_billing_period")


def test_custom_x_columns_are_fine(tmp_path: Path) -> None:
    path = variant(tmp_path / "f.csv", add("x_CostCenter", "cc-1"))
    assert validate_files(path).issues == []


def test_purchase_of_commitment_may_have_zero_effective_cost() -> None:
    # row 4 of the fixture is a commitment purchase with EffectiveCost 0, BilledCost 4
    assert not validate_files(FIXTURE).find("effective_cost_zero")


def test_parquet_typed_and_null_literal(tmp_path: Path) -> None:
    con = duckdb.connect()
    src = variant(tmp_path / "f.csv", set_value(3, "ResourceName", "NULL"))
    # CSV reads the literal NULL as null: no issue
    assert validate_files(src).issues == []
    pq = tmp_path / "f.parquet"
    con.execute(
        f"COPY (SELECT * REPLACE (CAST(BilledCost AS DECIMAL(38, 18)) AS BilledCost, "
        f"CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart) "
        f"FROM read_csv('{src}', all_varchar=true)) TO '{pq}' (FORMAT parquet)"
    )
    report = validate_files(pq)
    assert [(i.rule, i.column, i.examples) for i in report.issues] == [
        ("null_literal", "ResourceName", (3,))
    ]
    assert report.ok


def test_gzip_folder_and_glob(tmp_path: Path) -> None:
    import gzip
    import shutil

    (tmp_path / "d").mkdir()
    with FIXTURE.open("rb") as src, gzip.open(tmp_path / "d" / "a.csv.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(FIXTURE, tmp_path / "d" / "b.csv")
    by_folder = validate_files(tmp_path / "d")
    by_glob = validate_files(str(tmp_path / "d" / "*.csv*"))
    assert [f.rows for f in by_folder.files] == [6, 6]
    assert [f.file for f in by_glob.files] == [f.file for f in by_folder.files]
    assert by_folder.ok


def test_bom_header_and_forced_version(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    report = validate_files(path, focus_version="1.0")
    assert report.files[0].focus_version == "1.0"
    assert report.files[0].version_detected is False
    # the BOM is stripped: BillingAccountType etc. are 1.2 columns, unknown to nothing
    assert not report.find("header_whitespace")
    assert not report.find("mandatory_column")


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    from costmark.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        validate_files(tmp_path / "nope.csv")
