from __future__ import annotations

import datetime as dt

import pytest

from costmark.maturity.evidence import (
    EvidenceContext,
    allocation_stage,
    commitment_stage,
    variance_stage,
)
from costmark.maturity.rules import evaluate
from costmark.spec.maturity import HigherIsBetter, LowerIsBetter, MaturitySettings
from costmark.spec.models import Project

S = MaturitySettings()
TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("value", "stage"),
    [(0.0, "none"), (0.699, "none"), (0.70, "crawl"), (0.849, "crawl"), (0.85, "walk"),
     (0.90, "walk"), (0.901, "run"), (1.0, "run")],
)  # fmt: skip
def test_allocation_thresholds(value: float, stage: str) -> None:
    assert allocation_stage(value, S.allocation_coverage) == stage


@pytest.mark.parametrize(
    ("value", "stage"),
    [(0.599, "none"), (0.60, "crawl"), (0.75, "crawl"), (0.751, "walk"), (0.80, "walk"),
     (0.801, "run")],
)  # fmt: skip
def test_commitment_thresholds(value: float, stage: str) -> None:
    assert commitment_stage(value, S.commitment_coverage) == stage


@pytest.mark.parametrize(
    ("value", "stage"),
    [(0.20, "none"), (-0.25, "none"), (0.199, "crawl"), (0.10, "crawl"), (-0.099, "walk"),
     (0.05, "walk"), (0.049, "run"), (0.0, "run")],
)  # fmt: skip
def test_forecast_variance_thresholds(value: float, stage: str) -> None:
    assert variance_stage(value, S.forecast_variance) == stage


def test_thresholds_are_editable_and_checked() -> None:
    t = HigherIsBetter(crawl=0.5, walk=0.6, run=0.7)
    assert allocation_stage(0.65, t) == "walk"
    assert variance_stage(0.12, LowerIsBetter(crawl=0.3, walk=0.15, run=0.1)) == "walk"
    with pytest.raises(ValueError, match="crawl <= walk <= run"):
        HigherIsBetter(crawl=0.9, walk=0.8, run=0.95)
    p = Project.model_validate({"maturity": {"allocation_coverage":
                                             {"crawl": 0.5, "walk": 0.6, "run": 0.7}}})  # fmt: skip
    assert p.maturity.allocation_coverage.run == 0.7


def test_missing_source_is_no_evidence_with_reason(make_source) -> None:
    ctx = EvidenceContext(make_source(None), TODAY)
    ev = evaluate("allocation_coverage", ctx)
    assert not ev.available
    assert ev.summary == "no evidence (KPI engine not available)"
    assert not evaluate("anomaly_response", ctx).available
    assert not evaluate("report_frequency", ctx).available
    assert evaluate("data_freshness", ctx).summary.startswith("no evidence")


def test_uses_latest_complete_period_and_worst_currency(make_source) -> None:
    values = {"allocation_coverage": [(dt.date(2026, 9, 1), 0.95), (dt.date(2026, 10, 1), 0.86),
                                      (dt.date(2026, 11, 1), 0.50)]}  # fmt: skip
    ev = evaluate("allocation_coverage", EvidenceContext(make_source(values), TODAY))
    assert ev.value == 0.86  # November is not over on the 23rd
    assert ev.stage == "walk"
    assert "2026-10" in ev.display


def test_group_filters_rows(make_source) -> None:
    values = {"allocation_coverage@payments": [(dt.date(2026, 10, 1), 0.72)],
              "allocation_coverage@search": [(dt.date(2026, 10, 1), 0.95)]}  # fmt: skip
    ctx = EvidenceContext(make_source(values), TODAY, ("team", "payments"))
    assert evaluate("allocation_coverage", ctx).stage == "crawl"
    ctx = EvidenceContext(make_source(values), TODAY, ("team", "nobody"))
    assert "no value for team=nobody" in evaluate("allocation_coverage", ctx).detail


def test_anomaly_recovery(make_source) -> None:
    found = [{"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 1), "days": 1},
             {"start": dt.date(2026, 10, 9), "end": dt.date(2026, 10, 12), "days": 4},
             {"start": dt.date(2026, 11, 2), "end": dt.date(2026, 11, 11), "days": 10}]  # fmt: skip
    ev = evaluate("anomaly_response", EvidenceContext(make_source({}, anomaly_list=found), TODAY))
    assert ev.value == 4  # median days back to normal
    assert ev.stage == "walk"
    assert "3 detected" in ev.display
    none = evaluate("anomaly_response", EvidenceContext(make_source({}, anomaly_list=[]), TODAY))
    assert none.available and none.stage is None  # nothing to respond to: no move


def test_report_frequency_from_run_log(make_source) -> None:
    weekly = [{"started_at": dt.datetime(2026, 11, 23) - dt.timedelta(days=7 * i),
               "status": "ok"} for i in range(6)]  # fmt: skip
    ev = evaluate("report_frequency", EvidenceContext(make_source({}, runs=weekly), TODAY))
    assert ev.stage == "walk" and ev.value == 7
    daily = [{"started_at": dt.datetime(2026, 11, 23) - dt.timedelta(days=i)} for i in range(10)]
    ev = evaluate("report_frequency", EvidenceContext(make_source({}, runs=daily), TODAY))
    assert ev.stage == "run"


def _project(**sections: object) -> Project:
    return Project.model_validate(sections)


def test_benchmarks_kpis_with_targets_and_seed_stages(make_source) -> None:
    p = _project(
        targets=[{"kpi": k, "value": 0.5} for k in
                 ("allocation_coverage", "commitment_coverage", "waste_share",
                  "effective_savings_rate", "on_demand_share")],
        peer_groups={"product": {"dimension": "team", "members": ["a", "b"]}},
        schedules=[{"name": "weekly", "cron": "0 8 * * MON", "cadence": "weekly",
                    "format": "md", "destination": {"folder": "reports/"}}],
    )  # fmt: skip
    src = make_source({}, project=p, n_cost_rows=100, last_date=dt.date(2026, 11, 10), packs=[])
    ctx = EvidenceContext(src, TODAY)
    assert evaluate("kpis_with_targets", ctx).value == 5
    assert evaluate("kpis_with_targets", ctx).stage == "walk"
    assert evaluate("benchmarks_in_use", ctx).stage == "walk"  # internal only
    assert evaluate("tracking_automation", ctx).stage == "walk"
    seed = evaluate("tracking_stage", ctx)
    assert seed.stage == "walk"  # weekly, automated, internal; not real-time nor external
    assert "external benchmarking" in seed.detail and "real-time metrics" in seed.detail
    src.packs = [{"name": "industry-2025"}]
    src.last_date = dt.date(2026, 11, 22)
    src.runs = [{"started_at": dt.datetime(2026, 11, 23) - dt.timedelta(days=i)} for i in range(5)]
    ctx = EvidenceContext(src, TODAY)
    assert evaluate("benchmarks_in_use", ctx).stage == "run"
    assert evaluate("tracking_stage", ctx).stage == "run"


def test_seed_stage_none_on_empty_workspace(make_source) -> None:
    ev = evaluate("tracking_stage", EvidenceContext(make_source({}), TODAY))
    assert ev.stage == "none"
    assert ev.value["crawl"][0] == {"criterion": "basic metrics (cost data to compute KPIs on)",
                                    "met": False}  # fmt: skip


def test_main_currency_speaks_when_several(make_source) -> None:
    data = (("USD", 0.78, 9000), ("EUR", 0.0, 300))
    rows = [{"kpi": "commitment_coverage", "period_start": dt.date(2026, 10, 1), "currency": c,
             "value": v, "denominator": d} for c, v, d in data]  # fmt: skip
    src = make_source({})
    src.kpis = lambda kpi, grain, by: rows if kpi == "commitment_coverage" else []
    ev = evaluate("commitment_coverage", EvidenceContext(src, TODAY))
    assert ev.value == 0.78 and ev.stage == "walk"
    assert "[USD, the main currency; EUR 0.0%]" in ev.display
