"""The evidence registry, and the seed capability's own stages evaluated from the workspace.

"Performance Tracking and Benchmarking" (the seed) defines its stages by what a team does:
    crawl: basic metrics, manual tracking, monthly reports
    walk:  comprehensive metrics, automated tracking, weekly reports, internal benchmarking
    run:   real-time metrics, automated tracking, real-time reports, external benchmarking
Each criterion is checked against the workspace; the stage is the highest whose criteria (and
all lower stages' criteria) are all met. The checklist is shown so a team sees what is missing.
"""

from __future__ import annotations

from collections.abc import Callable

from costmark.maturity.evidence import (
    Evidence,
    EvidenceContext,
    allocation_coverage,
    anomaly_response,
    assessment_cadence,
    benchmark_use,
    benchmarks_in_use,
    commitment_coverage,
    data_freshness,
    forecast_variance,
    invoice_reconciliation,
    kpis_with_targets,
    report_frequency,
    tracking_automation,
)
from costmark.maturity.sources import Unavailable

_RANK = {"none": 0, "crawl": 1, "walk": 2, "run": 3}


def tracking_checklist(ctx: EvidenceContext) -> dict[str, list[tuple[str, bool]]]:
    """The seed's criteria per stage, each with whether the workspace meets it."""
    t = ctx.settings.kpis_with_targets
    rows = ctx.source.cost_rows()
    n_targets = kpis_with_targets(ctx).value or 0
    automation = tracking_automation(ctx)
    reports = report_frequency(ctx)
    report_rank = _RANK[reports.stage] if reports.available and reports.stage else 0
    internal, external, _ = benchmark_use(ctx)
    fresh = data_freshness(ctx)
    automated = automation.stage in ("walk", "run")
    return {
        "crawl": [
            ("basic metrics (cost data to compute KPIs on)", rows > 0),
            ("manual tracking (data ingested)", rows > 0),
            ("monthly reports", report_rank >= 1),
        ],
        "walk": [
            (f"comprehensive metrics (>= {t.walk} KPIs with targets)", n_targets >= t.walk),
            ("automated tracking (schedules configured)", automated),
            ("weekly reports", report_rank >= 2),
            ("internal benchmarking (targets or peer groups)", internal),
        ],
        "run": [
            ("real-time metrics (data at most "
             f"{ctx.settings.data_freshness_days.run:g} days old)", fresh.stage == "run"),
            ("automated tracking", automated),
            ("real-time reports (daily)", report_rank >= 3),
            ("external benchmarking (imported packs)", external),
        ],
    }  # fmt: skip


def tracking_stage(ctx: EvidenceContext) -> Evidence:
    checklist = tracking_checklist(ctx)
    stage = "none"
    for name in ("crawl", "walk", "run"):
        if all(ok for _, ok in checklist[name]):
            stage = name
        else:
            break
    missing = [f"{s}: {c}" for s in ("crawl", "walk", "run") for c, ok in checklist[s] if not ok]
    met = sum(ok for items in checklist.values() for _, ok in items)
    total = sum(len(items) for items in checklist.values())
    return Evidence(
        "tracking_stage",
        "performance tracking stages",
        True,
        {s: [{"criterion": c, "met": ok} for c, ok in items] for s, items in checklist.items()},
        f"{met}/{total} seed criteria met",
        stage,
        "missing: " + "; ".join(missing) if missing else "all criteria met",
    )


EVIDENCE: dict[str, Callable[[EvidenceContext], Evidence]] = {
    "allocation_coverage": allocation_coverage,
    "commitment_coverage": commitment_coverage,
    "forecast_variance": forecast_variance,
    "anomaly_response": anomaly_response,
    "tracking_automation": tracking_automation,
    "report_frequency": report_frequency,
    "benchmarks_in_use": benchmarks_in_use,
    "kpis_with_targets": kpis_with_targets,
    "data_freshness": data_freshness,
    "invoice_reconciliation": invoice_reconciliation,
    "assessment_cadence": assessment_cadence,
    "tracking_stage": tracking_stage,
}


def evaluate(eid: str, ctx: EvidenceContext) -> Evidence:
    """Evidence ``eid`` (cached per context). A missing source becomes "no evidence (reason)";
    anything else is a bug and surfaces."""
    if eid not in ctx.cache:
        fn = EVIDENCE.get(eid)
        if fn is None:
            ctx.cache[eid] = Evidence(eid, eid, False, detail="unknown evidence rule")
        else:
            try:
                ctx.cache[eid] = fn(ctx)
            except Unavailable as exc:
                ctx.cache[eid] = Evidence(eid, eid.replace("_", " "), False, detail=str(exc))
    return ctx.cache[eid]
