"""The validator on real public files: the FOCUS 1.0 sample and focus-validator's bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from costmark.focus.validate import validate_files


def test_focus_10_sample_reports_exactly_its_real_problems(shared_data: Path) -> None:
    path = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    report = validate_files(path)
    assert report.files[0].focus_version == "1.0"
    assert report.files[0].rows == 1000
    got = {(i.severity, i.rule, i.column): i for i in report.issues}
    expected = {
        ("error", "unknown_column", "Id"),  # extra non-FOCUS column without x_ prefix
        ("error", "not_null", "ContractedCost"),  # the 7 Oracle rows
        ("error", "conditional_not_null", "PricingCategory"),  # Oracle usage rows
        ("error", "allowed_values", "ChargeFrequency"),  # Oracle's 'Usage-based'
        ("error", "charge_outside_billing_period", "ChargePeriodStart"),  # the Oracle row
        ("warning", "effective_cost_zero", "EffectiveCost"),
        ("warning", "tag_key_variants", "Tags"),  # "org" and " org"
    }
    assert set(got) == expected, report.to_dict()["issues"]
    assert got[("error", "not_null", "ContractedCost")].rows == 7
    assert got[("error", "allowed_values", "ChargeFrequency")].rows == 7
    assert "'Usage-based'" in got[("error", "allowed_values", "ChargeFrequency")].message
    assert "'Usage-Based'" in got[("error", "allowed_values", "ChargeFrequency")].message
    assert got[("error", "conditional_not_null", "PricingCategory")].rows == 5  # usage rows
    outside = got[("error", "charge_outside_billing_period", "ChargePeriodStart")]
    assert outside.rows == 1
    assert "2024-10-01" in outside.message
    # 604 AWS rows + 6 Oracle rows (the 7th Oracle row has BilledCost 0 too)
    assert got[("warning", "effective_cost_zero", "EffectiveCost")].rows == 610
    assert "' org'" in got[("warning", "tag_key_variants", "Tags")].message
    # every located issue names real 1-based data rows
    for issue in report.issues:
        assert all(1 <= r <= 1000 for r in issue.examples)
    assert not report.ok


BAD = "focus-validator/bad-inputs"

# file -> issues (rule, column) it must be flagged with: the failure it was made for
CORPUS: dict[str, set[tuple[str, str]]] = {
    "all_fail.csv": {("mandatory_column", "BilledCost"), ("mandatory_column", "ChargeCategory")},
    "all_pass_0.5.csv": {
        ("legacy_column", "ChargeType"),
        ("legacy_column", "AmortizedCost"),
        ("legacy_column", "BilledCurrency"),
        ("legacy_column", "ResourceID"),
        ("legacy_column", "Provider"),
        ("legacy_column", "InvoiceIssuer"),
        ("legacy_column", "Region"),
        ("period_order", "BillingPeriodStart"),
        ("currency_conflict", "BillingCurrency"),
    },
    "billedCostTest.csv": {
        ("header_whitespace", "ProviderName"),
        ("header_whitespace", "InvoiceIssuerName"),
        ("not_null", "ProviderName"),
        ("not_null", "InvoiceIssuerName"),
    },
    "fail_charge_type_bad_value.csv": {
        ("legacy_column", "ChargeType"),
        ("allowed_values", "ChargeType"),
    },
    "fail_invoice_issuer.csv": {
        ("legacy_column", "ResourceID"),
        ("mandatory_column", "ChargeCategory"),
    },
    "listUnitPriceTest.csv": {("unknown_column", "")},
    "multiple_failure_examples.csv": {
        ("allowed_values", "ChargeType"),
        ("not_null", "InvoiceIssuer"),
    },
    "multiple_failure_example_namespaced.csv": {
        ("unknown_column", "F:ChargeType"),
        ("unknown_column", "F:InvoiceIssuer"),
    },
    "sample.parquet": {
        ("legacy_column", "ChargeType"),
        ("legacy_column", "InvoiceIssuer"),
        ("legacy_column", "ResourceID"),
    },
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_input_corpus(shared_data: Path, name: str) -> None:
    report = validate_files(shared_data / BAD / name)
    got = {(i.rule, i.column) for i in report.issues}
    missing = CORPUS[name] - got
    assert not missing, report.to_dict()["issues"]
    assert not report.ok


def test_corpus_is_covered(shared_data: Path) -> None:
    files = {p.name for p in (shared_data / BAD).iterdir()}
    assert files == set(CORPUS)


def test_whole_corpus_in_one_call(shared_data: Path) -> None:
    report = validate_files(shared_data / BAD)
    assert len(report.files) == len(CORPUS)
    assert {Path(i.file).name for i in report.issues if i.file} == set(CORPUS)


def test_invalid_values_get_examples(shared_data: Path) -> None:
    report = validate_files(shared_data / BAD / "multiple_failure_examples.csv")
    bad = report.find("allowed_values", "ChargeType")[0]
    assert bad.rows == 3 and bad.examples == (1, 2, 3)
    assert "'a', 'b', 'c'" in bad.message
    empty = report.find("not_null", "InvoiceIssuer")[0]
    assert empty.examples == (1,)
