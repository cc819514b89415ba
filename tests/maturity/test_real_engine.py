"""Evidence and goals through the real facade (ws.kpi) on a tiny workspace with known values.

October: 60 of 100 USD carry a team tag (allocation coverage 0.60); November: 95 of 100 (0.95).
"""

from __future__ import annotations

import datetime as dt

import pytest

from costmark.maturity.evidence import EvidenceContext
from costmark.maturity.rules import evaluate
from costmark.maturity.sources import WorkspaceSource
from tests.kpi_support import load_rows, row, write_config

CONFIG = """version: 1
dimensions:
  team: {tag: team, allocation: true}
"""


def _month(start: str, end: str, tagged: int, untagged: int) -> list[dict]:
    """Charges on the month's first day, and a zero charge on its last day: the data reaches
    the month's end, so the month is complete (periods come from the data, not the calendar)."""
    last = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat()
    closing = {"ChargePeriodStart": f"{last} 00:00:00", "ChargePeriodEnd": f"{last} 01:00:00",
               "BillingPeriodStart": f"{start} 00:00:00", "BillingPeriodEnd": f"{end} 00:00:00"}
    common = {
        "ChargePeriodStart": f"{start} 00:00:00",
        "ChargePeriodEnd": f"{start} 01:00:00",
        "BillingPeriodStart": f"{start} 00:00:00",
        "BillingPeriodEnd": f"{end} 00:00:00",
    }
    return [
        row(**common, EffectiveCost=tagged, BilledCost=tagged, Tags='{"team": "payments"}'),
        row(**common, EffectiveCost=untagged, BilledCost=untagged, Tags="{}"),
        row(**closing, EffectiveCost=0, BilledCost=0, Tags="{}"),
    ]


@pytest.fixture
def tiny(workspace):
    write_config(workspace, CONFIG)
    load_rows(workspace, [*_month("2026-10-01", "2026-11-01", 60, 40),
                          *_month("2026-11-01", "2026-12-01", 95, 5)])  # fmt: skip
    return workspace


def test_allocation_evidence_from_the_engine(tiny) -> None:
    ctx = EvidenceContext(WorkspaceSource(tiny), dt.date(2026, 11, 20))
    ev = evaluate("allocation_coverage", ctx)
    assert ev.value == pytest.approx(0.60)
    assert ev.stage == "none"  # below the 70% crawl goal
    ctx = EvidenceContext(WorkspaceSource(tiny), dt.date(2026, 12, 2))
    assert evaluate("allocation_coverage", ctx).stage == "run"  # 95% > 90%
    group = EvidenceContext(WorkspaceSource(tiny), dt.date(2026, 12, 2), ("team", "payments"))
    assert evaluate("allocation_coverage", group).value == pytest.approx(1.0)


def test_kpi_goal_baseline_and_attainment_from_the_engine(tiny) -> None:
    goal = {"capability": "Allocation", "lens": "metrics", "kpi": "allocation_coverage",
            "target": 0.9, "owner": "platform"}  # fmt: skip
    spec = {"capabilities": ["Allocation", "Forecasting", "Budgeting"], "end": "2026-12-31",
            "goals": [goal]}  # fmt: skip
    it = tiny.plan_iteration(spec, now=dt.datetime(2026, 11, 10))
    goal = it["goals"][0]
    assert goal["baseline"] == pytest.approx(0.60) and goal["baseline_period"] == "2026-10-01"
    assert goal["direction"] == "higher"  # from the KPI catalog
    st = tiny.iteration_status(today=dt.date(2026, 12, 2))["goals"][0]
    assert st["now"] == pytest.approx(0.95) and st["status"] == "achieved"
    done = tiny.review_iteration(notes={}, now=dt.datetime(2026, 12, 31))
    assert done["review"]["outcomes"][0]["outcome"] == "achieved"
