"""FOCUS 1.3/1.4 datasets (Contract Commitment, Billing Period, Invoice Detail): detected from
their columns, validated per dataset, loaded into their own tables exactly, idempotently, with
lineage; the known defects of the shared samples become located findings, not crashes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costmark import api
from costmark.focus.datasets import detect_dataset
from costmark.focus.validate import validate_files

SAMPLES = "focus-sample-1.3-1.4"
SPEC = "focus-spec-current/specification/data/contract_commitments"


@pytest.mark.parametrize(
    ("name", "dataset", "version", "rows"),
    [
        (f"{SAMPLES}/FOCUS-1.3/focus_sample_contractcommitment.csv", "Contract Commitment",
         "1.3", 1000),
        (f"{SAMPLES}/FOCUS-1.4/focus_sample_billingperiod.csv", "Billing Period", "1.4", 1000),
        (f"{SAMPLES}/FOCUS-1.4/focus_sample_invoicedetail.csv", "Invoice Detail", "1.4", 1000),
        (f"{SPEC}/contract_commitment_scenario_1.csv", "Contract Commitment", "1.4", 3),
        (f"{SPEC}/contract_commitment_scenario_2.csv", "Contract Commitment", "1.4", 3),
        (f"{SPEC}/contract_commitment_scenario_3.csv", "Contract Commitment", "1.4", 3),
    ],
)  # fmt: skip
def test_each_dataset_is_detected_and_validated(
    name: str, dataset: str, version: str, rows: int, shared_data: Path
) -> None:
    report = validate_files([shared_data / name])
    (info,) = report.files
    assert info.focus_version == f"{version} {dataset}" and info.rows == rows
    assert report.ok, [str(i.to_dict()) for i in report.errors]


def test_invoice_detail_sample_defects_are_located_findings(shared_data: Path) -> None:
    report = validate_files([shared_data / SAMPLES / "FOCUS-1.4/focus_sample_invoicedetail.csv"])
    dup = report.find("duplicate_id", "InvoiceDetailId")
    assert dup and dup[0].rows == 2 and dup[0].severity == "warning"
    credits = report.find("credit_sign", "BilledCost")
    assert credits and credits[0].rows == 213  # every Credit row of the synthetic file


def test_datasets_load_exactly_and_idempotently(shared_data: Path, tmp_path: Path) -> None:
    files = [
        shared_data / SAMPLES / "FOCUS-1.3/focus_sample_contractcommitment.csv",
        shared_data / SAMPLES / "FOCUS-1.4/focus_sample_billingperiod.csv",
        shared_data / SAMPLES / "FOCUS-1.4/focus_sample_invoicedetail.csv",
    ]
    ws = api.init_workspace(tmp_path / "ws")
    with ws:
        first = ws.ingest_focus(files, progress=False)
        assert first.rows_loaded == 3000 and first.rows_quarantined == 0
        con = ws.warehouse.con
        sums = con.execute(
            "SELECT (SELECT sum(ContractCommitmentCost) FROM contract_commitments), "
            "(SELECT sum(BilledCost) FROM invoice_details), "
            "(SELECT count(*) FROM billing_periods WHERE BillingPeriodStatus = 'Closed')"
        ).fetchone()
        # SOURCES.md states 4,992,882.98 (rounded) and 5,051,051.002781; recomputed here exactly
        assert sums == (_column_sum(files[0], "ContractCommitmentCost"),
                        Decimal("5051051.002781"), 506)  # fmt: skip
        assert round(sums[0], 2) == Decimal("4992882.98")
        lineage = con.execute(
            "SELECT x_SourceRow, InvoiceDetailId FROM invoice_details ORDER BY x_SourceRow LIMIT 1"
        ).fetchone()
        assert lineage == (1, "invoicedetail-719176")
        again = ws.ingest_focus(files, progress=False)
        assert again.rows_replaced == 3000
        counts = con.execute(
            "SELECT (SELECT count(*) FROM contract_commitments), "
            "(SELECT count(*) FROM billing_periods), (SELECT count(*) FROM invoice_details)"
        ).fetchone()
        assert counts == (1000, 1000, 1000)
        kinds = {r["kind"] for r in ws.ingest_log()}
        assert {"contract_commitment", "billing_period", "invoice_detail"} <= kinds


def _column_sum(path: Path, column: str) -> Decimal:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return sum((Decimal(r[column]) for r in csv.DictReader(fh) if r[column]), Decimal(0))


def test_bad_rows_are_quarantined_with_their_reasons(tmp_path: Path) -> None:
    path = tmp_path / "cc.csv"
    path.write_text(
        "BillingCurrency,ContractCommitmentCategory,ContractCommitmentCost,ContractCommitmentId,"
        "ContractId,ContractCommitmentPeriodStart\n"
        "USD,Spend,100.50,c-1,k-1,2025-01-01T00:00:00Z\n"
        "USD,Spend,lots,c-2,k-1,2025-01-01T00:00:00Z\n"
        "USD,Usage,7,,k-1,not a date\n",
        encoding="utf-8",
    )
    report = validate_files([path])
    assert {(i.rule, i.column, i.examples) for i in report.errors} == {
        ("type", "ContractCommitmentCost", (2,)),
        ("type", "ContractCommitmentPeriodStart", (3,)),
        ("not_null", "ContractCommitmentId", (3,)),
    }
    ws = api.init_workspace(tmp_path / "ws")
    with ws:
        summary = ws.ingest_focus([path], progress=False)
        assert (summary.rows_loaded, summary.rows_quarantined) == (1, 2)
        rows = ws.quarantine(limit=10)
        assert sorted(r["source_row"] for r in rows) == [2, 3]
        with pytest.raises(Exception, match="--strict"):
            ws.ingest_focus([path], strict=True, progress=False)


def test_null_text_in_spec_examples_means_no_value(shared_data: Path, tmp_path: Path) -> None:
    ws = api.init_workspace(tmp_path / "ws")
    with ws:
        ws.ingest_focus([shared_data / SPEC / "contract_commitment_scenario_2.csv"], progress=False)
        row = ws.warehouse.con.execute(
            "SELECT ContractCommitmentDiscountPercentage FROM contract_commitments "
            "WHERE ContractCommitmentId = 'CMT-SEC-999'"
        ).fetchone()
        assert row == (None,)


def test_cost_and_usage_is_not_mistaken_for_a_dataset(shared_data: Path) -> None:
    import csv

    with (shared_data / "focus-sample-data/FOCUS-1.0_focus_sample.csv").open() as fh:
        header = next(csv.reader(fh))
    assert detect_dataset(set(header)) is None
