"""Contract commitment burn-down as KPIs (costmark.kpis.contracts): the spec's contract
commitment scenarios (focus-spec-current SOURCES.md 2c) and a two-month draw-down worked by
hand, per contract and overall, through ``costmark kpi``, ``track``, targets and an alert."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costmark import api
from tests.cli.test_main import costmark
from tests.ingest.test_contract_burndown import HEADER, SCENARIO, _cost_file

SCENARIOS = "focus-spec-current/specification/data/contract_commitments"
KPIS = ["contract_committed", "contract_consumed", "contract_remaining",
        "contract_consumption_rate", "contract_projected_consumption",
        "contract_projected_shortfall", "contract_consumed_share"]


def _rows(result: Any, **keys: Any) -> dict[str, dict[str, Any]]:
    hits = [r for r in result.rows() if all(r.get(k) == v for k, v in keys.items())]
    out = {r["kpi"]: r for r in hits}
    assert len(out) == len(hits), hits
    return out


def test_spec_scenarios_state_committed_amounts(shared_data: Path, tmp_path: Path) -> None:
    """Every amount the three scenarios state: AGR-99-BETA's EUR commitments 925,000 and
    111,000 (money), 10 instance-hours; AGR-44-GAMMA 5,000 GPU-Hours, 500 seats, 100 TB;
    AGR-11-DELTA 100 TB base, a 0 overage tier and the Exhausted 1 PB CDN pool (nothing
    remains, nothing is left on the table)."""
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus(sorted((shared_data / SCENARIOS).glob("*.csv")), progress=False)
        by_contract = ws.kpi("contract_committed", by="ContractId")
        by_commitment = ws.kpi("contract_committed", by="ContractCommitmentId")
        positions = {b.commitment_id: b for b in ws.contract_burndown()}
    beta = _rows(by_contract, ContractId="AGR-99-BETA")["contract_committed"]
    assert (beta["value"], beta["currency"]) == (Decimal(1036000), "EUR")
    assert "Instance-Hours" in beta["note"]  # the usage commitment is named, not summed
    assert _rows(by_commitment, ContractCommitmentId="CMT-SPEND-001")[
        "contract_committed"]["value"] == Decimal(925000)
    assert _rows(by_commitment, ContractCommitmentId="CMT-SaaS-003")[
        "contract_committed"]["value"] == Decimal(111000)
    gamma = _rows(by_contract, ContractId="AGR-44-GAMMA")["contract_committed"]
    assert gamma["value"] is None and "GPU-Hours" in gamma["note"]
    units = {k: (b.committed, b.unit) for k, b in positions.items() if b.unit}
    assert units == {
        "CMT-RR-002": (Decimal(10), "Instance-Hours"), "CMT-AI-888": (Decimal(5000), "GPU-Hours"),
        "CMT-SEC-999": (Decimal(500), "Seats"), "CMT-DATA-111": (Decimal(100), "Terabytes"),
        "CMT-STR-BASE": (Decimal(100), "Terabytes"), "CMT-STR-OVER": (Decimal(0), "Terabytes"),
        "CMT-CDN-VOL": (Decimal(1000), "Terabytes"),
    }  # fmt: skip
    cdn = positions["CMT-CDN-VOL"]
    assert (cdn.status, cdn.remaining, cdn.projected_shortfall) == ("exhausted", 0, 0)
    assert cdn.note and "Exhausted" in cdn.note


def _two_months(tmp_path: Path) -> Path:
    """December: 10 x 1,000 EUR against CMT-SPEND-001 (the existing fixture); January: one
    5,000 EUR draw-down on 2026-01-20 (the data's last day)."""
    costs = _cost_file(tmp_path / "costs.csv")
    applied = {"Elements": [{"ContractId": "AGR-99-BETA", "ContractCommitmentId": "CMT-SPEND-001",
                             "ContractCommitmentAppliedCost": 5000}]}
    with costs.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(
            ["5000.00", "acct", "Acct", "EUR", "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z",
             "Usage", "", "compute", "2026-01-21T00:00:00Z", "2026-01-20T00:00:00Z", "5000.00",
             "5000.00", "Aura Web", "5000.00", "5", "Hours", "Compute", "Compute", "Aura Web",
             "Aura Web", json.dumps(applied)])  # fmt: skip
    assert len(HEADER) == 22
    return costs


#: January, as of 2026-01-20: CMT-SPEND-001 51 days into its 1,096-day term with 15,000
#: consumed -> 15,000 x 1,096 / 51 = 322,352.941176470588235294 projected, 602,647.06 short;
#: CMT-SaaS-003 (111,000, started 2026-01-15) has drawn nothing: all 111,000 short.
SPEND_PROJECTED = Decimal("322352.941176470588235294")
SPEND_SHORT = Decimal(925000) - SPEND_PROJECTED


def test_burndown_kpis_worked_by_hand(shared_data: Path, tmp_path: Path) -> None:
    costs = _two_months(tmp_path)
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus([shared_data / SCENARIO, costs], progress=False)
        overall = ws.kpi(KPIS)
        per = ws.kpi(KPIS, by="ContractCommitmentId")
        filtered = ws.kpi("contract_remaining", where="ServiceName = 'Compute'")
    dec = _rows(overall, period_start=dt.date(2025, 12, 1))
    # December as of its last day (the data goes on): 10,000 over 31 of 1,096 days
    assert dec["contract_committed"]["value"] == Decimal(925000)
    assert dec["contract_consumed"]["value"] == Decimal(10000)
    assert dec["contract_remaining"]["value"] == Decimal(915000)
    assert dec["contract_consumption_rate"]["value"] == Decimal("322.580645161290322581")
    assert dec["contract_projected_consumption"]["value"] == Decimal(
        "353548.387096774193548387")  # 10,000 x 1,096 / 31
    assert dec["contract_projected_shortfall"]["value"] == Decimal("571451.612903225806451613")
    assert "as of 2025-12-31" in dec["contract_consumed"]["note"]
    assert dec["contract_consumed_share"]["value"] == pytest.approx(10000 / 925000)
    jan = _rows(overall, period_start=dt.date(2026, 1, 1))
    assert jan["contract_committed"]["value"] == Decimal(1036000)
    assert jan["contract_consumed"]["value"] == Decimal(15000)
    assert jan["contract_remaining"]["value"] == Decimal(1021000)
    assert jan["contract_projected_consumption"]["value"] == SPEND_PROJECTED
    assert jan["contract_projected_shortfall"]["value"] == SPEND_SHORT + 111000
    assert "as of 2026-01-20" in jan["contract_consumed"]["note"]
    spend = _rows(per, period_start=dt.date(2026, 1, 1), ContractCommitmentId="CMT-SPEND-001")
    assert spend["contract_projected_shortfall"]["value"] == Decimal("602647.058823529411764706")
    assert spend["contract_consumption_rate"]["value"] == Decimal(
        "294.117647058823529412")  # 15,000 / 51
    saas = _rows(per, period_start=dt.date(2026, 1, 1), ContractCommitmentId="CMT-SaaS-003")
    assert saas["contract_projected_shortfall"]["value"] == Decimal(111000)
    rr = _rows(per, period_start=dt.date(2026, 1, 1), ContractCommitmentId="CMT-RR-002")
    assert rr["contract_remaining"]["value"] is None and "Instance-Hours" in rr[
        "contract_remaining"]["note"]
    # commitments carry no cost-row fields: a filter gives null with the reason, never all
    assert all(r["value"] is None and "filtered" in r["note"] for r in filtered.rows())


RULES = """
targets:
  - {kpi: contract_projected_shortfall, value: 100000, currency: EUR}
alerts:
  rules:
    - {name: macc-short, kind: contract_shortfall, threshold: 650000, by: [ContractId]}
    - {name: never, kind: contract_shortfall, threshold: 5000000, by: [ContractId]}
"""


def test_cli_kpi_track_targets_and_shortfall_alert(shared_data: Path, tmp_path: Path) -> None:
    """``costmark kpi --by ContractId``, ``track`` and a target accept the burn-down KPIs;
    ``costmark alerts run`` fires the shortfall rule once (713,647.06 > 650,000), not the
    5,000,000 one, and a second run sends nothing new."""
    costs = _two_months(tmp_path)
    ws_dir = tmp_path / "ws"
    assert costmark("init", str(ws_dir)).returncode == 0
    config = ws_dir / "costmark.yaml"
    config.write_text(config.read_text(encoding="utf-8") + RULES, encoding="utf-8")
    assert costmark("check", "-w", str(ws_dir)).returncode == 0
    loaded = costmark("ingest", "focus", str(shared_data / SCENARIO), str(costs), "-w",
                      str(ws_dir), "--no-alerts")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    out = costmark("kpi", "contract_remaining", "--by", "ContractId", "-w", str(ws_dir),
                   "-f", "json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    values = {(r["period_start"][:10], r["ContractId"]): r["value"]
              for r in json.loads(out.stdout)}
    assert Decimal(str(values[("2026-01-01", "AGR-99-BETA")])) == Decimal(1021000)
    tracked = costmark("track", "contract_consumed", "--include-partial", "-w", str(ws_dir),
                       "-f", "json")  # fmt: skip
    assert tracked.returncode == 0, tracked.stderr
    assert "15000" in tracked.stdout
    fired = costmark("alerts", "run", "-w", str(ws_dir), "-f", "json")
    assert fired.returncode == 0, fired.stderr
    alerts = json.loads(fired.stdout)
    assert [a["rule"] for a in alerts] == ["macc-short"]
    assert "713,647.06" in alerts[0]["message"] and "AGR-99-BETA" in alerts[0]["message"]
    again = costmark("alerts", "run", "-w", str(ws_dir), "-f", "json")
    assert json.loads(again.stdout) == []
