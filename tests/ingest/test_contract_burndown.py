"""Contract commitment burn-down on the FOCUS spec's contract commitment scenario 1 and cost
rows that draw it down through ContractApplied, numbers worked by hand."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from costmark import api
from tests.cli.test_main import costmark

SCENARIO = (
    "focus-spec-current/specification/data/contract_commitments/contract_commitment_scenario_1.csv"
)
HEADER = [
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
    "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "PricingQuantity", "PricingUnit", "ServiceCategory", "ServiceName", "ServiceProviderName",
    "HostProviderName", "ContractApplied",
]  # fmt: skip


def _cost_file(path: Path) -> Path:
    rows = []
    for i in range(10):  # 2025-12-01 .. 2025-12-10: 1,000.00 EUR a day against CMT-SPEND-001
        day = dt.date(2025, 12, 1) + dt.timedelta(days=i)
        element = {
            "ContractId": "AGR-99-BETA",
            "ContractCommitmentId": "CMT-SPEND-001",
            "ContractCommitmentAppliedCost": 1000.00,
        }
        applied = {"Elements": [element]}
        end = day + dt.timedelta(1)
        rows.append(["1000.00", "acct", "Acct", "EUR", "2026-01-01T00:00:00Z",
                     "2025-12-01T00:00:00Z", "Usage", "", "compute", f"{end}T00:00:00Z",
                     f"{day}T00:00:00Z", "1000.00", "1000.00", "Aura Web", "1000.00", "1",
                     "Hours", "Compute", "Compute", "Aura Web", "Aura Web",
                     json.dumps(applied)])  # fmt: skip
    # the 1.3 draft's shape: 4 of the 10 committed instance-hours
    element = {
        "ContractCommitmentID": "CMT-RR-002",
        "ContractCommitmentAppliedCost": None,
        "ContractCommitmentAppliedQuantity": 4,
        "ContractCommitmentAppliedUnit": "Instance-Hours",
    }
    draft = {"ContractApplied": [element]}
    rows.append(["0", "acct", "Acct", "EUR", "2026-01-01T00:00:00Z", "2025-12-01T00:00:00Z",
                 "Usage", "", "reserved", "2025-12-06T00:00:00Z", "2025-12-05T00:00:00Z", "0", "0",
                 "Aura Web", "0", "40", "Hours", "Compute", "Compute", "Aura Web", "Aura Web",
                 json.dumps(draft)])  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_burndown_worked_by_hand(shared_data: Path, tmp_path: Path) -> None:
    costs = _cost_file(tmp_path / "costs.csv")
    ws = api.init_workspace(tmp_path / "ws")
    with ws:
        ws.ingest_focus([shared_data / SCENARIO, costs], progress=False)
        rows = {r.commitment_id: r for r in ws.contract_burndown()}
    spend = rows["CMT-SPEND-001"]
    # as of the data's last day (2025-12-10), not today's date
    assert spend.as_of == dt.date(2025, 12, 10)
    assert (spend.committed, spend.consumed, spend.remaining) == (
        Decimal("925000"), Decimal("10000"), Decimal("915000"))  # fmt: skip
    # 2025-12-01 .. 2028-12-01 is 1,096 days; 10 elapsed at 1,000/day -> 10,000 + 1,086,000
    assert (spend.term_days, spend.elapsed_days, spend.daily_rate) == (1096, 10, Decimal(1000))
    assert spend.projected == Decimal("1096000") and spend.projected_shortfall == Decimal(0)
    assert spend.status == "on track" and spend.currency == "EUR"
    reserved = rows["CMT-RR-002"]
    assert (reserved.consumed, reserved.remaining, reserved.unit) == (
        Decimal(4), Decimal(6), "Instance-Hours")  # fmt: skip
    saas = rows["CMT-SaaS-003"]
    assert saas.consumed == Decimal(0)
    # judged later: the same consumption leaves the spend commitment short
    with api.open_workspace(tmp_path / "ws", read_only=True) as again:
        later = {r.commitment_id: r for r in again.contract_burndown(as_of=dt.date(2026, 12, 1))}
    short = later["CMT-SPEND-001"]
    # 366 days elapsed at 10,000/366 a day: 10,000 x 1,096 / 366 by the end of the term
    assert short.status == "projected shortfall" and short.elapsed_days == 366
    assert short.projected_shortfall == Decimal("895054.644808743169398907")


def test_contracts_command_formats(shared_data: Path, tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    assert costmark("init", str(ws_dir)).returncode == 0
    loaded = costmark("ingest", "focus", str(shared_data / SCENARIO), "-w", str(ws_dir),
                      "--no-alerts")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    out = costmark("contracts", "-w", str(ws_dir), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {d["commitment_id"] for d in doc} == {"CMT-SPEND-001", "CMT-RR-002", "CMT-SaaS-003"}
    assert costmark("contracts", "-w", str(ws_dir), "--as-of", "soon").returncode == 2


INVOICE_HEADER = (
    "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,"
    "ChargeCategory,InvoiceDetailId,InvoiceId,InvoiceIssueStatus,InvoiceIssuerName\n"
)


def test_invoice_reconciliation(shared_data: Path, tmp_path: Path) -> None:
    costs = _cost_file(tmp_path / "costs.csv")  # acct, 2025-12, EUR: 10 x 1,000 + 0 billed
    invoices = tmp_path / "invoice.csv"
    invoices.write_text(
        INVOICE_HEADER
        + "9000.00,acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,Usage,d1,INV-1,Issued,"
        "Aura Web\n"
        + "1000.00,acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,Usage,d2,INV-1,Issued,"
        "Aura Web\n"
        + "5.00,acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,Tax,d3,INV-1,Voided,"
        "Aura Web\n",
        encoding="utf-8",
    )
    ws_dir = tmp_path / "ws"
    with api.init_workspace(ws_dir) as ws:
        ws.ingest_focus([costs, invoices], progress=False)
        (check,) = ws.reconcile_invoices()
    assert (check.cost_billed, check.invoiced, check.status) == (
        Decimal(10000), Decimal(10000), "matches")  # fmt: skip
    assert costmark("invoices", "-w", str(ws_dir)).returncode == 0
    # a late tax line on the invoice that the cost export does not have
    invoices.write_text(
        INVOICE_HEADER
        + "9000.00,acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,Usage,d1,INV-1,Issued,"
        "Aura Web\n"
        + "1000.00,acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,Usage,d2,INV-1,Issued,"
        "Aura Web\n"
        + "190.00,acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,Tax,d3,INV-1,Issued,"
        "Aura Web\n",
        encoding="utf-8",
    )
    with api.open_workspace(ws_dir) as ws:
        ws.ingest_focus([invoices], progress=False)  # restated: replaces the slice
        (check,) = ws.reconcile_invoices()
    assert (check.difference, check.status) == (Decimal(-190), "differs")
    out = costmark("invoices", "-w", str(ws_dir), "--format", "json")
    assert out.returncode == 1 and json.loads(out.stdout)[0]["status"] == "differs"
