"""Anomalies and budgets: the judged period's anomalies, a timeline of the anomalies over the
charted history with their dollar impact and drivers, and every budget's status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from costmark.reports import sources
from costmark.reports.context import cutoff, guarded, section
from costmark.reports.periods import HISTORY, parse_period
from costmark.web import figures as web_figures
from costmark.web.pages import Ask, Page, period_params
from costmark.web.pages.sections import report_sections

KPI = "total_cost"


def build(ask: Ask) -> dict[str, Any]:
    data = report_sections(ask, ("anomalies", "budgets"))
    p = ask.params
    judged = parse_period(p["cadence"], p["period"], cutoff(ask.context, p["as_of"]))
    data["sections"] = {"timeline": guarded("Anomaly timeline", lambda: timeline(ask.view, judged)),
                        **data["sections"]}
    return data


def timeline(view: Any, judged: Any) -> dict[str, Any]:
    """Cost anomalies over the history a report charts, ending with the judged period."""
    if not hasattr(view, "anomalies"):
        raise sources.PartMissing("No data yet: anomaly detection is not available.")
    first = judged.shift(-(HISTORY[judged.cadence] - 1))
    found = sources._records(view.anomalies(KPI, start=first.start,
                                            end=judged.end - dt.timedelta(days=1)))
    rows = [{k: r.get(k) for k in sources.ANOMALY_COLUMNS if k in r} for r in found]
    rows.sort(key=lambda r: str(r.get("start")), reverse=True)
    if not rows:
        return section("Anomaly timeline", "empty",
                       f"No cost anomalies from {first.label} to {judged.label}.", rows=[])
    return section("Anomaly timeline", "ok", f"Cost anomalies from {first.label} to "
                   f"{judged.label}, newest first.", rows=rows, start=first.start,
                   end=judged.end)


def timeline_figures(data: dict[str, Any]) -> dict[str, Any]:
    sec = data["sections"]["timeline"]
    rows = sec.get("rows") or []
    span = (sec["start"], sec["end"]) if sec.get("start") else None
    figs: dict[str, Any] = {}
    for i, currency in enumerate(sorted({str(r.get("currency") or "") for r in rows})):
        picked = [r for r in rows if str(r.get("currency") or "") == currency]
        figs[f"anomaly-timeline-{i}"] = web_figures.anomaly_timeline(picked, currency or None,
                                                                    span)
    return figs


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["sections"]["timeline"].get("rows") or []
    return found


PAGE = Page(
    slug="anomalies",
    title="Anomalies and budgets",
    path="/anomalies",
    api="/api/anomalies",
    csv="/export/anomalies.csv",
    params=period_params,
    build=build,
    figures=timeline_figures,
    table=rows,
)
