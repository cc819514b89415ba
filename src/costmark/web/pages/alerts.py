"""Alerts and report runs: what fired and what was sent (cheap, so never cached)."""

from __future__ import annotations

from typing import Any

from costmark.reports.context import guarded, section
from costmark.web.pages import Ask, Page, no_params


def build(ask: Ask) -> dict[str, Any]:
    view = ask.view

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


def alert_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data["sections"]["alerts"].get("rows") or []
    return rows


PAGE = Page(
    slug="alerts",
    title="Alerts and report runs",
    path="/alerts",
    api="/api/alerts",
    csv="/export/alerts.csv",
    params=no_params,
    build=build,
    table=alert_rows,
    cache=None,
)
