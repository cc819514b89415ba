"""Page data: one function per page, returning the dict its JSON twin serves.

Each takes the caller's view of the facade (the workspace, or a scoped view of it) and reads
nothing else, so the HTML page, the JSON twin and the CSV export always show the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from costmark.access.scope import ScopeUnsupported
from costmark.engine.asof import AsOf
from costmark.errors import CostmarkError, NotFoundError, UsageError, did_you_mean
from costmark.reports import charts, sources
from costmark.reports.context import cutoff, guarded, section
from costmark.reports.periods import GRAIN, HISTORY, parse_period
from costmark.web.views_maturity import iterations_page, maturity_page

GRAINS = ("day", "week", "month")
__all__ = ["iterations_page", "maturity_page"]  # re-exported: built in views_maturity


def overview(
    ws: Any, view: Any, cadence: str, period: str | None, as_of: Any = None
) -> dict[str, Any]:
    ctx = ws.report_context(
        cadence=cadence, period=period, scope=getattr(view, "scope", None), as_of=as_of
    )
    s = ctx["sections"]
    keep = ("scorecard", "trends", "movers", "anomalies", "budgets")
    return {
        **{k: v for k, v in ctx.items() if k != "sections"},
        "sections": {k: s[k] for k in keep},
    }


def report_sections(
    ws: Any, view: Any, cadence: str, period: str | None, keys: tuple[str, ...],
    as_of: Any = None,
) -> dict[str, Any]:
    ctx = ws.report_context(
        cadence=cadence, period=period, scope=getattr(view, "scope", None), as_of=as_of
    )
    return {
        **{k: v for k, v in ctx.items() if k != "sections"},
        "sections": {k: ctx["sections"][k] for k in keys},
    }


def kpi_detail(
    view: Any,
    kpi_id: str,
    *,
    grain: str = "month",
    by: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: Any = None,
) -> dict[str, Any]:
    """One KPI's series, drill-down, target, trend and peers. Defaults follow the one period
    rule (``costmark.engine.asof``): the series ends with the latest complete period of the
    data in scope, and the drill-down and target judge that period, as the scorecard does; the
    running period is shown apart, labelled "partial: N of M days", never as a cliff."""
    if grain not in GRAINS:
        raise UsageError(f"grain {grain!r} must be one of {', '.join(GRAINS)}")
    catalog = sources.catalog(view)
    meta = {c["id"]: c for c in catalog}
    if not catalog:
        raise sources.PartMissing("No data yet: the KPI engine is not available.")
    if kpi_id not in meta:
        raise NotFoundError(f"unknown KPI {kpi_id!r}" + did_you_mean(kpi_id, meta))
    dims = list(view.project.dimensions)
    scope = dict(getattr(view, "scope", {}) or {})
    if by is not None and by not in dims:
        raise NotFoundError(f"unknown dimension {by!r}" + did_you_mean(by, dims))
    cadence = {v: k for k, v in GRAIN.items()}[grain]
    cut = cutoff(view, as_of)
    judged = parse_period(cadence, None, cut)
    if start is None:
        start = judged.shift(-(HISTORY[cadence] - 1)).start
    shown_end = end if end is not None else judged.end - dt.timedelta(days=1)
    series = sources.kpi_rows(view, [kpi_id], grain=grain, start=start, end=shown_end)
    _label_partial(series, cut, grain)
    series.sort(key=lambda r: (str(r.get("currency")), r["period_start"]))
    currencies = sorted({r.get("currency") or "" for r in series})
    figures: dict[str, Any] = {}
    forecast: list[dict[str, Any]] | None = None
    for i, cur in enumerate(currencies):
        points = [
            {"period_start": r["period_start"], "value": r.get("value")}
            for r in series
            if (r.get("currency") or "") == cur
        ]
        if forecast is None and series:
            final = parse_period(cadence, str(series[-1]["period_start"]))
            forecast = sources.forecast(view, kpi_id, final, None)  # one fit, every currency
        fc = [f for f in forecast or [] if f.get("currency") in (None, cur or None)]
        figures[f"kpi-trend-{i}"] = charts.trend_figure(
            {"kpi": kpi_id, "currency": cur or None, "points": points, "forecast": fc},
            title=meta[kpi_id]["title"],
        )
    drill: dict[str, Any]
    if by is None:
        drill = section(
            "Drill-down",
            "empty",
            "Choose a dimension to break this KPI down.",
            dimension=None,
            rows=[],
        )
    else:
        rows = sources.kpi_rows(
            view, [kpi_id], grain=grain, start=start, end=shown_end, by=(by,)
        )
        _label_partial(rows, cut, grain)
        latest = max((r["period_start"] for r in rows if not r.get("partial")), default=None)
        last = sorted(
            (r for r in rows if r["period_start"] == latest),
            key=lambda r: -(float(r["value"]) if r.get("value") is not None else 0),
        )
        drill = section(
            "Drill-down",
            "ok" if last else "empty",
            "" if last else "No rows for this dimension.",
            dimension=by,
            period_start=latest,
            rows=last,
            series=rows,
        )
        if last:
            figures["kpi-drill"] = charts.grouped_bar_figure(
                last, by, f"{meta[kpi_id]['title']} by {by} ({latest})"
            )
    targets = sources.targets(view, [kpi_id], judged)
    peers = guarded("Peers", lambda: _peers(view, kpi_id, scope))
    return {
        "kpi": meta[kpi_id],
        "grain": grain,
        "by": by,
        "start": start,
        "end": end,
        "period": {"label": judged.label, "start": judged.start, "end": judged.end,
                   "reason": judged.reason, "describe": judged.describe()},
        "as_of": cut.to_dict(),
        "running": (_running(view, kpi_id, cut, grain, meta[kpi_id].get("unit"))
                    if end is None else None),
        "scope": scope,
        "dimensions": [d for d in dims if d not in scope],
        "series": series,
        "target": [{"currency": k[1], **v} for k, v in targets.items()],
        "trend": guarded("Trend", lambda: _trend(view, kpi_id, grain)),
        "drilldown": drill,
        "peers": peers,
        "figures": figures,
    }


def _label_partial(rows: list[dict[str, Any]], cut: AsOf, grain: str) -> None:
    """Mark each row of a period the cutoff does not cover entirely: "partial: 1 of 31 days"."""
    for r in rows:
        note = cut.period(r["period_start"], grain).partial_note if cut.day else None
        if note:
            r["partial"] = note


def _running(
    view: Any, kpi_id: str, cut: AsOf, grain: str, unit: str | None
) -> dict[str, Any] | None:
    """The running period's values to date, labelled partial (None when it is complete); an
    amount of money is also projected to the period's end at the pace so far."""
    running = cut.running(grain)
    if running is None or running.complete:
        return None
    rows = sources.kpi_rows(view, [kpi_id], grain=grain, start=running.start,
                            end=running.last_day)
    shown = []
    for r in rows:
        row = {k: r.get(k) for k in ("currency", "value", "note")}
        if unit == "currency" and r.get("value") is not None and running.days_covered:
            row["projected"] = float(r["value"]) * running.days_total / running.days_covered
        shown.append(row)
    return {"label": running.label, "partial": running.partial_note, "rows": shown,
            "projection": "straight-line pace to the period's end" if unit == "currency"
            else None}


def _trend(view: Any, kpi_id: str, grain: str) -> dict[str, Any]:
    if not hasattr(view, "track"):
        raise sources.PartMissing("No data yet: trend tracking is not available.")
    result = view.track(kpi_id, grain=grain)
    rows = sources._records(getattr(result, "trends", result))
    keep = (
        "currency",
        "first",
        "last",
        "n",
        "direction",
        "slope",
        "slope_pct",
        "p_value",
        "assessment",
    )
    rows = [{k: r.get(k) for k in keep if k in r} for r in rows]
    return section("Trend", "ok" if rows else "empty", "" if rows else "No trend yet.", rows=rows)


def _peers(view: Any, kpi_id: str, scope: dict[str, str]) -> dict[str, Any]:
    if scope:
        raise ScopeUnsupported("peer comparisons span other teams; hidden for scoped tokens")
    bench = getattr(view, "benchmark", None)
    if bench is None:
        raise sources.PartMissing("No data yet: benchmarking is not available.")
    dims = [d for d, spec in view.project.dimensions.items() if spec.allocation]
    if not dims:
        return section("Peers", "empty", "No allocation dimension to compare.", rows=[])
    rows = sources._bench_section(bench(kpi_id, by=(dims[0],), against=("peers",)), "peers")
    latest = max((r["period_start"] for r in rows if r.get("period_start")), default=None)
    cols = (dims[0], *sources.PEER_COLUMNS)
    rows = [{c: r.get(c) for c in cols} for r in rows if r.get("period_start") == latest]
    return section(
        "Peers",
        "ok" if rows else "empty",
        f"{dims[0]} peers in {latest}" if rows else "No peer values.",
        rows=rows,
    )


def data_page(view: Any, live_events: list[dict[str, Any]]) -> dict[str, Any]:
    def ingest() -> dict[str, Any]:
        if not hasattr(view, "ingest_log"):
            raise sources.PartMissing("No data yet: ingest is not available.")
        rows = view.ingest_log()
        return section(
            "Ingest log",
            "ok" if rows else "empty",
            "" if rows else "No data yet: nothing ingested.",
            rows=rows,
        )

    quarantined: list[dict[str, Any]] = []

    def quarantine() -> dict[str, Any]:
        if not hasattr(view, "quarantine"):
            raise sources.PartMissing("No data yet: ingest is not available.")
        quarantined.extend(view.quarantine(limit=200))
        return section(
            "Quarantine",
            "ok" if quarantined else "empty",
            "" if quarantined else "No rows quarantined.",
            rows=quarantined,
        )

    def issues() -> dict[str, Any]:
        counts: Counter[tuple[str, str]] = Counter()
        for row in quarantined:
            reasons = row.get("reasons")
            if isinstance(reasons, str):
                try:
                    reasons = json.loads(reasons)
                except ValueError:
                    reasons = [{"message": reasons}]
            for r in reasons or []:
                if isinstance(r, dict):
                    counts[(str(r.get("rule") or ""), str(r.get("column") or ""))] += 1
        rows = [{"rule": k[0], "column": k[1], "rows": n} for k, n in counts.most_common()]
        return section(
            "Validation issues",
            "ok" if rows else "empty",
            "" if rows else "No validation issues in quarantined rows.",
            rows=rows,
        )

    sections = {
        "ingest": guarded("Ingest log", ingest),
        "quarantine": guarded("Quarantine", quarantine),
    }
    sections["issues"] = (
        guarded("Validation issues", issues)
        if sections["quarantine"]["status"] != "unavailable"
        else section("Validation issues", "unavailable", sections["quarantine"]["note"])
    )
    activity = [e for e in live_events if not getattr(view, "scope", None)]
    sections["activity"] = section(
        "Server activity",
        "ok" if activity else "empty",
        "" if activity else "No ingest or watch activity yet.",
        rows=activity[::-1],
    )
    return {"sections": sections}


def alerts_page(view: Any) -> dict[str, Any]:
    def alert_log() -> dict[str, Any]:
        rows = view.alert_log(200)
        return section(
            "Alert log",
            "ok" if rows else "empty",
            "" if rows else "No alerts fired yet.",
            rows=rows,
        )

    def runs() -> dict[str, Any]:
        rows = view.report_runs(100)
        return section(
            "Report runs",
            "ok" if rows else "empty",
            "" if rows else "No scheduled report has run yet.",
            rows=rows,
        )

    return {
        "sections": {
            "alerts": guarded("Alert log", alert_log),
            "runs": guarded("Report runs", runs),
        }
    }


def safe_section(fn: Any, title: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = fn()
        return result
    except (CostmarkError, sources.PartMissing) as exc:
        return section(title, "unavailable", str(exc).splitlines()[0])
