"""Invoice reconciliation as a data-quality finding (``costmark invoices``) and as maturity
evidence (Data Ingestion, metrics lens): the cost data's billed cost per invoice against the
FOCUS 1.4 Invoice Detail amounts, numbers worked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from costmark import api
from costmark.maturity.evidence import EvidenceContext
from costmark.maturity.rules import evaluate
from costmark.maturity.sources import StaticSource, WorkspaceSource
from tests.cli.test_main import costmark
from tests.ingest.test_contract_burndown import INVOICE_HEADER, _cost_file

LINE = ("{amount},acct,EUR,2026-01-01T00:00:00Z,2025-12-01T00:00:00Z,{cat},{id},INV-1,Issued,"
        "Aura Web\n")


def _invoice(path: Path, *lines: tuple[str, str]) -> Path:
    text = INVOICE_HEADER + "".join(
        LINE.format(amount=a, cat=c, id=f"d{i}") for i, (a, c) in enumerate(lines))
    path.write_text(text, encoding="utf-8")
    return path


def test_difference_is_a_located_finding_and_crawl_evidence(tmp_path: Path) -> None:
    """Cost rows bill 10 x 1,000 = 10,000 EUR on acct/2025-12; the invoice says 9,000 +
    1,000 + 190 tax = 10,190: the cost data is 190 short, one of one invoices differs."""
    costs = _cost_file(tmp_path / "costs.csv")
    invoice = _invoice(tmp_path / "inv.csv", ("9000.00", "Usage"), ("1000.00", "Usage"),
                       ("190.00", "Tax"))
    ws_dir = tmp_path / "ws"
    with api.init_workspace(ws_dir) as ws:
        ws.ingest_focus([costs, invoice], progress=False)
        evidence = evaluate("invoice_reconciliation",
                            EvidenceContext(WorkspaceSource(ws), dt.date(2026, 1, 15)))
    assert evidence.available and evidence.value == 0 and evidence.stage == "crawl"
    assert "INV-1" in evidence.detail and "-190" in evidence.detail
    out = costmark("invoices", "-w", str(ws_dir))
    assert out.returncode == 1
    assert "data quality: invoice INV-1" in out.stderr
    assert "190.00" in out.stderr and "less in the cost data" in out.stderr


def test_matching_invoices_are_run_evidence(tmp_path: Path) -> None:
    costs = _cost_file(tmp_path / "costs.csv")
    invoice = _invoice(tmp_path / "inv.csv", ("9000.00", "Usage"), ("1000.00", "Usage"))
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus([costs, invoice], progress=False)
        evidence = evaluate("invoice_reconciliation",
                            EvidenceContext(WorkspaceSource(ws), dt.date(2026, 1, 15)))
    assert (evidence.value, evidence.stage) == (1, "run")
    assert evidence.display == "1/1 invoices match the cost data"


def test_no_invoice_detail_is_no_evidence() -> None:
    """Before FOCUS 1.4 there is no Invoice Detail: no evidence with the reason, no stage."""
    none = evaluate("invoice_reconciliation", EvidenceContext(StaticSource(), dt.date(2026, 1, 1)))
    assert not none.available and "invoice detail" in none.detail
    empty = evaluate("invoice_reconciliation",
                     EvidenceContext(StaticSource(invoices=[]), dt.date(2026, 1, 1)))
    assert not empty.available and "Invoice Detail" in empty.detail
