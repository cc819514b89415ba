"""FOCUS 1.4 corrections (costmark.ingest.corrections) on the spec's correction-handling
examples (focus-spec-current SOURCES.md 2e): every delivery style ends at the totals the
examples give, nothing is counted twice, KPIs of a corrected period say so, and the swapped
open-period files give located findings.

The example files carry only the columns their point needs; ``_variant`` adds the three a row
cannot be loaded without (provider, billing account, currency) and writes the spec's "(null)"
placeholders as empty cells (as given, "(null)" in a number column is unparseable and the row
is quarantined with its reason; test_null_placeholder_is_quarantined_not_lost shows it).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from costmark import api
from tests.cli.test_main import costmark

BASE = "focus-spec-current/specification/data/correction-handling-examples"
MAY, JULY = dt.date(2025, 5, 1), dt.date(2025, 7, 1)


def _variant(shared_data: Path, tmp_path: Path, folder: str, name: str,
             nulls: bool = True) -> Path:
    src = shared_data / BASE / folder / name
    with src.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = tmp_path / folder / name
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["ProviderName", "BillingAccountId", "BillingCurrency",
                                     *rows[0]])
        writer.writeheader()
        for r in rows:
            cells = {k: ("" if v == "(null)" and nulls else v) for k, v in r.items()}
            writer.writerow({"ProviderName": "Aura Web", "BillingAccountId": "acct",
                             "BillingCurrency": "USD", **cells})
    return out


def _cost(ws: api.Workspace, day: dt.date, **where: str) -> tuple[Decimal, str | None]:
    filt = " and ".join(f"{k} = '{v}'" for k, v in where.items()) or None
    rows = [r for r in ws.kpi("total_cost", where=filt, rollups=False).rows()
            if r["period_start"] == day]
    assert len(rows) == 1, rows
    return Decimal(str(rows[0]["value"])), rows[0]["note"]


@pytest.mark.parametrize("style", ["delta", "ledger"])
def test_closed_period_reallocation(shared_data: Path, tmp_path: Path, style: str) -> None:
    """May (invoiced) held 1,500 on R-111; the June delivery moves 300 to R-222. May stays
    1,500 in total, R-111 1,200 and R-222 300; loading the correction again changes nothing."""
    folder = "closed-billing-period"
    original = _variant(shared_data, tmp_path, folder,
                        "scenario_1_partial_reallocation_original.csv")
    fix = _variant(shared_data, tmp_path, folder, f"scenario_1_partial_reallocation_{style}.csv")
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus(original, progress=False)
        assert _cost(ws, MAY) == (Decimal(1500), None)
        for _ in range(2):  # a re-delivered correction replaces its own rows, nothing more
            summary = ws.ingest_focus(fix, progress=False, delivery=style)
            assert summary.files[0].findings == []
            total, note = _cost(ws, MAY)
            assert total == Decimal(1500)
            assert note is not None and f"{style} ({fix.name})" in note
            assert _cost(ws, MAY, ResourceId="R-111")[0] == Decimal(1200)
            assert _cost(ws, MAY, ResourceId="R-222")[0] == Decimal(300)


@pytest.mark.parametrize("style", ["delta", "ledger"])
@pytest.mark.parametrize(("scenario", "original_total", "corrected"), [
    ("scenario_2_late_arriving_usage", None, Decimal(1500)),
    ("scenario_3_itemized_cost_only", Decimal("4.195398"), Decimal("4.197398")),
    ("scenario_4_bulk_cost_only", Decimal("4.195398"), Decimal("4.197398")),
])  # fmt: skip
def test_closed_period_other_scenarios(shared_data: Path, tmp_path: Path, style: str,
                                       scenario: str, original_total: Decimal | None,
                                       corrected: Decimal) -> None:
    """Late usage: +1,500 with no original. Cost-only: six rows of 0.699233 (4.195398) plus
    two itemised +0.001 adjustments, or one bulk +0.002 (4.197398)."""
    folder = "closed-billing-period"
    with api.init_workspace(tmp_path / "ws") as ws:
        if original_total is not None:
            ws.ingest_focus(_variant(shared_data, tmp_path, folder, f"{scenario}_original.csv"),
                            progress=False)
            assert _cost(ws, MAY)[0] == original_total
        ws.ingest_focus(_variant(shared_data, tmp_path, folder, f"{scenario}_{style}.csv"),
                        progress=False, delivery=style)
        total, note = _cost(ws, MAY)
    assert total == corrected
    assert note is not None and "corrected" in note


def test_closed_period_correction_in_a_full_export(shared_data: Path, tmp_path: Path) -> None:
    """Correction rows (ChargeClass "Correction") that arrive inside a full delivery of the
    later period (the default load) land in May and mark it corrected."""
    folder = "closed-billing-period"
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus(_variant(shared_data, tmp_path, folder,
                                 "scenario_1_partial_reallocation_original.csv"), progress=False)
        ws.ingest_focus(_variant(shared_data, tmp_path, folder,
                                 "scenario_1_partial_reallocation_delta.csv"), progress=False)
        total, note = _cost(ws, MAY)
    assert total == Decimal(1500) and note is not None and "correction rows" in note


OPEN = "open-billing-period-current"


def test_open_period_replacement(shared_data: Path, tmp_path: Path) -> None:
    """July's replacement (1,200 R-111 + 300 R-222) replaces the 1,500 original: 1,500, not
    3,000, and July says it was corrected; re-delivering the same data corrects nothing."""
    original = _variant(shared_data, tmp_path, OPEN,
                        "scenario_1_partial_reallocation_original.csv")
    replacement = _variant(shared_data, tmp_path, OPEN,
                           "scenario_1_partial_reallocation_replacement.csv")
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus(original, progress=False)
        assert ws.ingest_focus(original, progress=False).corrections == 0
        assert _cost(ws, JULY) == (Decimal(1500), None)
        summary = ws.ingest_focus(replacement, progress=False)
        assert summary.corrections == 1 and summary.rows_replaced == 1
        total, note = _cost(ws, JULY)
        assert total == Decimal(1500)
        assert note is not None and "replacement" in note
        assert _cost(ws, JULY, ResourceId="R-111")[0] == Decimal(1200)
        ws.ingest_focus(replacement, progress=False)
        assert _cost(ws, JULY)[0] == Decimal(1500)


@pytest.mark.parametrize(("style", "row", "words"), [
    ("delta", 1, "ledger-style reversal"),  # the delta file holds the ledger rows
    ("ledger", 1, "delta-style row"),  # the ledger file holds the delta rows
])  # fmt: skip
def test_open_period_swapped_files_give_located_findings(shared_data: Path, tmp_path: Path,
                                                         style: str, row: int,
                                                         words: str) -> None:
    """The spec's open-period delta and ledger files hold each other's rows (SOURCES.md
    quirk). Loaded as declared, July still ends at 1,500 (both styles net the same) and the
    row that betrays the other style is a finding with file, row and column, not a crash."""
    original = _variant(shared_data, tmp_path, OPEN,
                        "scenario_1_partial_reallocation_original.csv")
    fix = _variant(shared_data, tmp_path, OPEN, f"scenario_1_partial_reallocation_{style}.csv")
    ws_dir = tmp_path / "ws"
    with api.init_workspace(ws_dir) as ws:
        ws.ingest_focus(original, progress=False)
    loaded = costmark("ingest", "focus", str(fix), "--delivery", style, "-w", str(ws_dir),
                      "--no-alerts")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert f"row {row}, column BilledCost" in loaded.stderr and words in loaded.stderr
    assert fix.name in loaded.stderr
    with api.open_workspace(ws_dir, read_only=True) as ws:
        total, note = _cost(ws, JULY)
    assert total == Decimal(1500) and note is not None and style in note
    bad = costmark("ingest", "focus", str(fix), "--delivery", "patch", "-w", str(ws_dir))
    assert bad.returncode == 2


def test_null_placeholder_is_quarantined_not_lost(shared_data: Path, tmp_path: Path) -> None:
    """The bulk correction as the spec wrote it ("(null)" in PricingQuantity and the unit
    prices) cannot be loaded: it is set aside with the column named, never summed as 0."""
    fix = _variant(shared_data, tmp_path, "closed-billing-period",
                   "scenario_4_bulk_cost_only_delta.csv", nulls=False)
    with api.init_workspace(tmp_path / "ws") as ws:
        summary = ws.ingest_focus(fix, progress=False, delivery="delta")
        reasons = ws.warehouse.con.execute("SELECT reasons FROM quarantine").fetchall()
    assert (summary.rows_loaded, summary.rows_quarantined) == (0, 1)
    assert "PricingQuantity" in reasons[0][0]
