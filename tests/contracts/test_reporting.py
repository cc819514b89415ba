"""The burn-down KPIs reach the report (trends), the dashboard overview (which reads the same
context) and ``/metrics``, with the hand-worked December numbers of test_burndown_kpis."""

from __future__ import annotations

from pathlib import Path

from costmark import api
from costmark.web import metrics
from tests.contracts.test_burndown_kpis import _two_months
from tests.ingest.test_contract_burndown import SCENARIO


def test_burndown_in_metrics_and_report_trends(shared_data: Path, tmp_path: Path) -> None:
    costs = _two_months(tmp_path)
    with api.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus([shared_data / SCENARIO, costs], progress=False)
        text = metrics.exposition(ws, [])
        context = ws.report_context(cadence="monthly")
    # the latest complete month is December 2025 (the data ends 2026-01-20)
    assert ('costmark_kpi{kpi="contract_projected_shortfall",currency="EUR",grain="month",'
            'period="2025-12-01"} 571451.6129032258') in text
    assert 'costmark_kpi{kpi="contract_consumed",currency="EUR"' in text
    charted = {c["kpi"] for c in context["sections"]["trends"]["charts"]}
    assert {"contract_consumed", "contract_projected_shortfall"} <= charted
    # KPIs the data cannot answer (no tokens, no eligibility) are not charted as empty lines
    assert "ai_cost_per_1k_tokens" not in charted
    assert "commitment_coverage_eligible" not in charted
