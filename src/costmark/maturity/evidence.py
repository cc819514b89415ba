"""Evidence from the workspace's own data, each item mapped to a stage (none/crawl/walk/run).

Every function takes an ``EvidenceContext`` and returns an ``Evidence``; a missing source
(no KPI engine yet, no forecasts, no report log) gives ``available=False`` with the reason, never
an error, so an assessment always completes. Thresholds come from ``costmark.yaml``
(``maturity:``, spec/maturity.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from costmark.maturity.series import as_date, kpi_series
from costmark.maturity.sources import Source, Unavailable
from costmark.present import numbers
from costmark.spec.maturity import HigherIsBetter, LowerIsBetter


@dataclass(frozen=True)
class Evidence:
    id: str
    title: str
    available: bool
    value: Any = None
    display: str = ""
    stage: str | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "available": self.available,
            "value": self.value,
            "display": self.display,
            "stage": self.stage,
            "detail": self.detail,
        }

    @property
    def summary(self) -> str:
        if not self.available:
            return f"no evidence ({self.detail})"
        stage = f" -> {self.stage}" if self.stage else ""
        return f"{self.display}{stage}"


@dataclass
class EvidenceContext:
    source: Source
    today: dt.date
    group: tuple[str, str] | None = None
    cache: dict[str, Evidence] = field(default_factory=dict)
    #: ``--as-of``: the last day of data counted; None: the data's own last day
    as_of: dt.date | None = None

    @cached_property
    def cutoff(self) -> dt.date:
        """The day data judgments count back from (``costmark.engine.asof``): the given as-of
        day, else the data's last day (never later than ``today``: a period the clock has not
        finished is not complete, whatever the data's dates say). ``today`` alone stays for
        what is really about now (data freshness, assessment and report cadence)."""
        if self.as_of is not None:
            return self.as_of
        try:
            last = self.source.last_data_date()
        except Unavailable:
            last = None
        return min(last, self.today) if last else self.today

    @property
    def settings(self) -> Any:
        return self.source.project.maturity


def _missing(eid: str, title: str, reason: str) -> Evidence:
    return Evidence(eid, title, False, detail=reason)


# -- thresholds (pure; tested at their boundaries) ------------------------------------------
def stage_higher(value: float, t: HigherIsBetter, *, strict_walk: bool, strict_run: bool) -> str:
    """Stage for a share where higher is better; ``strict_*`` turns >= into > for that step."""
    v = round(value, 9)
    if v > t.run or (not strict_run and v == t.run):
        return "run"
    if v > t.walk or (not strict_walk and v == t.walk):
        return "walk"
    if v >= t.crawl:
        return "crawl"
    return "none"


def allocation_stage(value: float, t: HigherIsBetter) -> str:
    """Allocated share: crawl >= 70%, walk >= 85%, run > 90% (the model's sample goals)."""
    return stage_higher(value, t, strict_walk=False, strict_run=True)


def commitment_stage(value: float, t: HigherIsBetter) -> str:
    """Commitment coverage: crawl ~60% (>= 60%), walk > 75%, run > 80%."""
    return stage_higher(value, t, strict_walk=True, strict_run=True)


def variance_stage(value: float, t: LowerIsBetter) -> str:
    """Absolute forecast variance: crawl < 20%, walk < 10%, run < 5%."""
    v = round(abs(value), 9)
    if v < t.run:
        return "run"
    if v < t.walk:
        return "walk"
    if v < t.crawl:
        return "crawl"
    return "none"


# -- KPI helpers --------------------------------------------------------------------------------
def latest_value(
    ctx: EvidenceContext, kpi: str, *, worst: Callable[[list[float]], float] = min
) -> tuple[float, dt.date, str]:
    """The KPI's latest complete-period value, its period and a note.

    With several currencies the main one (largest denominator, i.e. most of the cost the ratio
    is about) speaks, and the others are listed; without denominators the worst value does."""
    weights: dict[str, float] = {}
    until = ctx.cutoff + dt.timedelta(days=1)
    series = kpi_series(ctx.source, kpi, group=ctx.group, weights=weights, until=until)
    partial = ""
    if not series:
        partial = " (a running period: no complete one in the data yet)"
        series = kpi_series(
            ctx.source, kpi, group=ctx.group, complete_only=False, until=until,
            weights=weights,
        )  # fmt: skip
    if not series:
        where = f" for {ctx.group[0]}={ctx.group[1]}" if ctx.group else ""
        raise Unavailable(f"{kpi} has no value{where} yet{_HINTS.get(kpi, '')}")
    latest = {cur: s[-1] for cur, s in series.items()}
    if len(latest) == 1:
        (period, value), note = next(iter(latest.values())), ""
    elif weights and set(weights) >= set(latest):
        main = max(latest, key=lambda c: weights[c])
        period, value = latest[main]
        others = ", ".join(f"{c} {numbers.percent(v)}"
                           for c, (_, v) in sorted(latest.items()) if c != main)
        note = f" [{main}, the main currency; {others}]"
    else:
        value = worst([v for _, v in latest.values()])
        period = max(p for p, _ in latest.values())
        note = f" (worst of {len(latest)} currencies)"
    return value, period, note + partial


_HINTS = {
    "forecast_variance": " (it needs a forecast snapshot made before a finished period: "
    "run 'costmark forecast' and wait for the period to end)",
}


# -- evidence functions -----------------------------------------------------------------------
def _kpi_evidence(
    ctx: EvidenceContext, kpi: str, stage: Callable[[float], str], shown: str, goals: str,
    worst: Callable[[list[float]], float] = min,
) -> Evidence:
    """Evidence read off the latest complete period of one KPI, judged against thresholds."""
    title = kpi.replace("_", " ")
    try:
        v, period, note = latest_value(ctx, kpi, worst=worst)
    except Unavailable as exc:
        return _missing(kpi, title, str(exc))
    return Evidence(kpi, title, True, v, f"{v:{shown}} ({period:%Y-%m}){note}", stage(v), goals)


def allocation_coverage(ctx: EvidenceContext) -> Evidence:
    t = ctx.settings.allocation_coverage
    return _kpi_evidence(
        ctx, "allocation_coverage", lambda v: allocation_stage(v, t), ".1%",
        f"goals: crawl >= {_p(t.crawl)}, walk >= {_p(t.walk)}, run > {_p(t.run)}",
    )  # fmt: skip


def commitment_coverage(ctx: EvidenceContext) -> Evidence:
    t = ctx.settings.commitment_coverage
    return _kpi_evidence(
        ctx, "commitment_coverage", lambda v: commitment_stage(v, t), ".1%",
        f"goals: crawl >= {_p(t.crawl)}, walk > {_p(t.walk)}, run > {_p(t.run)}",
    )  # fmt: skip


def forecast_variance(ctx: EvidenceContext) -> Evidence:
    t = ctx.settings.forecast_variance
    return _kpi_evidence(
        ctx, "forecast_variance", lambda v: variance_stage(v, t), "+.1%",
        f"goals (absolute): crawl < {_p(t.crawl)}, walk < {_p(t.walk)}, run < {_p(t.run)}",
        worst=lambda xs: max(xs, key=abs),
    )  # fmt: skip


def recovery_days(anomaly: dict[str, Any]) -> float | None:
    """Days from an anomaly's start until cost was back to normal, if the record says."""
    for key in ("recovery_days", "days_to_normal", "duration_days", "days"):
        if anomaly.get(key) is not None:
            return float(anomaly[key])
    start = anomaly.get("start") or anomaly.get("date") or anomaly.get("first_day")
    end = (
        anomaly.get("returned_to_normal")
        or anomaly.get("resolved")
        or anomaly.get("end")
        or anomaly.get("last_day")
    )
    if start is None or end is None:
        return None
    return float((as_date(end) - as_date(start)).days + 1)


#: anomalies older than this say little about how the team responds today
ANOMALY_WINDOW_DAYS = 180


def _anomaly_day(anomaly: dict[str, Any]) -> dt.date | None:
    day = anomaly.get("start") or anomaly.get("date")
    return as_date(day) if day is not None else None


def anomaly_response(ctx: EvidenceContext) -> Evidence:
    t = ctx.settings.anomaly_recovery_days
    title = "anomaly response"
    try:
        found = ctx.source.anomalies(by=(ctx.group[0],) if ctx.group else ())
    except Unavailable as exc:
        return _missing("anomaly_response", title, str(exc))
    if ctx.group:
        found = [a for a in found if str(a.get(ctx.group[0], ctx.group[1])) == ctx.group[1]]
    # the last 180 days of the data (or up to --as-of), not of the calendar
    since = ctx.cutoff - dt.timedelta(days=ANOMALY_WINDOW_DAYS - 1)
    found = [a for a in found
             if (day := _anomaly_day(a)) is None or since <= day <= ctx.cutoff]
    if not found:
        return Evidence(
            "anomaly_response", title, True, 0,
            f"no anomalies detected in the last {ANOMALY_WINDOW_DAYS} days of data "
            f"(to {ctx.cutoff})", None,
            "nothing to respond to: this item does not move the score",
        )  # fmt: skip
    days = [d for d in (recovery_days(a) for a in found) if d is not None]
    if not days:
        return Evidence(
            "anomaly_response", title, True, len(found), f"{len(found)} detected", "crawl",
            "detection works; no recovery time recorded",
        )  # fmt: skip
    med = statistics.median(days)
    stage = "run" if med <= t.run else "walk" if med <= t.walk else "crawl"
    days_text = (f"{med:g} day{'' if med == 1 else 's'} "
                 f"(median, last {ANOMALY_WINDOW_DAYS} days of data)")
    return Evidence(
        "anomaly_response", title, True, med,
        f"{len(found)} detected, back to normal in {days_text}", stage,
        f"goals: walk <= {t.walk:g} days, run <= {t.run:g} days",
    )  # fmt: skip


def _alert_rules(project: Any) -> int:
    alerts = getattr(project, "alerts", None)
    rules = getattr(alerts, "rules", None) if alerts is not None else None
    return len(rules) if rules else 0


def tracking_automation(ctx: EvidenceContext) -> Evidence:
    """Manual tracking (no automation: none) until schedules exist (walk); daily schedules or
    alert rules: run."""
    p = ctx.source.project
    schedules = list(getattr(p, "schedules", ()) or ())
    alerts = _alert_rules(p)
    cadences = sorted({str(getattr(s, "cadence", "")) for s in schedules})
    if not schedules and not alerts:
        return Evidence(
            "tracking_automation", "tracking automation", True, 0,
            "no schedules or alert rules (manual tracking)", "none",
            "configure schedules: in costmark.yaml",
        )  # fmt: skip
    stage = "run" if "daily" in cadences or alerts else "walk"
    return Evidence(
        "tracking_automation", "tracking automation", True, len(schedules),
        f"{len(schedules)} schedule(s) [{', '.join(cadences) or '-'}], {alerts} alert rule(s)",
        stage, "walk: scheduled reports; run: daily reports or alert rules",
    )  # fmt: skip


_CADENCE_STAGE = {"daily": "run", "weekly": "walk", "monthly": "crawl"}


def report_frequency(ctx: EvidenceContext) -> Evidence:
    """How often reports actually ran in the last 90 days (run log), else the schedules."""
    title = "report frequency"
    try:
        runs = ctx.source.report_runs()
    except Unavailable:
        runs = []
    since = ctx.today - dt.timedelta(days=90)
    days = sorted(
        {
            as_date(r["started_at"])
            for r in runs
            if r.get("started_at") is not None
            and str(r.get("status", "ok")) == "ok"
            and as_date(r["started_at"]) >= since
        }
    )
    if len(days) >= 2:
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        med = statistics.median(gaps)
        stage = "run" if med <= 1.5 else "walk" if med <= 8 else "crawl" if med <= 35 else "none"
        return Evidence(
            "report_frequency", title, True, med,
            f"{len(days)} report days in 90 days, every {med:g} days (median)", stage,
            "run: daily, walk: weekly, crawl: monthly",
        )  # fmt: skip
    schedules = list(getattr(ctx.source.project, "schedules", ()) or ())
    cadences = [str(getattr(s, "cadence", "")) for s in schedules]
    stages = [_CADENCE_STAGE[c] for c in cadences if c in _CADENCE_STAGE]
    if stages:
        best = max(stages, key=["none", "crawl", "walk", "run"].index)
        return Evidence(
            "report_frequency", title, True, None,
            f"scheduled: {', '.join(sorted(set(cadences)))} (no run log yet)", best,
            "from the schedules' cadence",
        )  # fmt: skip
    if days:
        return Evidence(
            "report_frequency", title, True, None, "1 report run in 90 days", "crawl",
            "a single ad-hoc report",
        )  # fmt: skip
    return _missing("report_frequency", title, "no report runs logged and no schedules")


def benchmark_use(ctx: EvidenceContext) -> tuple[bool, bool, str]:
    """(internal in use, external in use, description)."""
    p = ctx.source.project
    targets = len(getattr(p, "targets", ()) or ())
    peers = len(getattr(p, "peer_groups", {}) or {})
    try:
        packs = len(ctx.source.benchmark_packs())
        pack_text = f"{packs} imported pack(s)"
    except Unavailable as exc:
        packs = 0
        pack_text = f"packs: {exc}"
    internal = targets > 0 or peers > 0
    text = f"{targets} target(s), {peers} peer group(s), {pack_text}"
    return internal, packs > 0, text


def benchmarks_in_use(ctx: EvidenceContext) -> Evidence:
    internal, external, text = benchmark_use(ctx)
    stage = "run" if external and internal else "walk" if internal or external else "none"
    return Evidence(
        "benchmarks_in_use", "benchmarks in use", True, int(internal) + int(external), text,
        stage, "walk: internal (targets, peer groups); run: plus external (imported packs)",
    )  # fmt: skip


def kpis_with_targets(ctx: EvidenceContext) -> Evidence:
    t = ctx.settings.kpis_with_targets
    kpis = sorted({getattr(x, "kpi", "") for x in getattr(ctx.source.project, "targets", ())})
    n = len([k for k in kpis if k])
    stage = "run" if n >= t.run else "walk" if n >= t.walk else "crawl" if n >= t.crawl else "none"
    return Evidence(
        "kpis_with_targets", "KPIs with targets", True, n, f"{n} KPI(s) with targets", stage,
        f"goals: crawl >= {t.crawl}, walk >= {t.walk}, run >= {t.run}",
    )  # fmt: skip


def data_freshness(ctx: EvidenceContext) -> Evidence:
    t = ctx.settings.data_freshness_days
    last = ctx.source.last_data_date()
    if last is None:
        return _missing("data_freshness", "data freshness", "no cost data ingested")
    age = max(0, (ctx.today - last).days)
    stage = "run" if age <= t.run else "walk" if age <= t.walk else "crawl"
    return Evidence(
        "data_freshness", "data freshness", True, age, f"data up to {last} ({age} days old)",
        stage, f"walk <= {t.walk:g} days, run <= {t.run:g} days",
    )  # fmt: skip


def invoice_reconciliation(ctx: EvidenceContext) -> Evidence:
    """Share of invoices whose billed cost in the cost data equals the FOCUS 1.4 Invoice
    Detail amounts: data you can reconcile to the bill is data finance trusts. All match: run;
    at least 90%: walk; fewer: crawl (the data is there, the gaps are named)."""
    checks_of = getattr(ctx.source, "invoice_checks", None)
    if checks_of is None:
        return _missing("invoice_reconciliation", "invoice reconciliation",
                        "invoice detail is not available from this source")
    checks = [c for c in checks_of() if c.get("invoiced") is not None]
    if not checks:
        return _missing("invoice_reconciliation", "invoice reconciliation",
                        "no FOCUS 1.4 Invoice Detail ingested")
    matched = [c for c in checks if c.get("status") == "matches"]
    share = len(matched) / len(checks)
    stage = "run" if share == 1 else "walk" if share >= 0.9 else "crawl"
    differing = [c for c in checks if c.get("status") != "matches"]
    detail = "; ".join(
        f"{c.get('invoice_id') or c.get('billing_account')} {c.get('billing_period')}: "
        f"{c.get('status')} ({c.get('difference')} {c.get('currency')})"
        for c in differing[:3]
    ) + (f" and {len(differing) - 3} more" if len(differing) > 3 else "")
    return Evidence(
        "invoice_reconciliation", "invoice reconciliation", True, share,
        f"{len(matched)}/{len(checks)} invoices match the cost data", stage,
        detail or "every invoice matches: run; >= 90%: walk",
    )  # fmt: skip


def assessment_cadence(ctx: EvidenceContext) -> Evidence:
    dates = ctx.source.assessment_dates()
    if not dates:
        return Evidence(
            "assessment_cadence", "assessment cadence", True, None, "first assessment", None,
            "reassess every 1-3 months",
        )  # fmt: skip
    age = (ctx.today - as_date(dates[-1])).days
    ok = age <= ctx.settings.reassess_days
    stage = ("walk" if len(dates) >= 2 else "crawl") if ok else "none"
    return Evidence(
        "assessment_cadence", "assessment cadence", True, age,
        f"{len(dates)} earlier assessment(s), last {age} days ago", stage,
        f"reassess within {ctx.settings.reassess_days} days",
    )  # fmt: skip


def _p(share: float) -> str:
    """A stage threshold as a whole percentage ('80%')."""
    return numbers.percent(share, places=0)
