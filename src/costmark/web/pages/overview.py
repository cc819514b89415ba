"""The overview: headline numbers of the judged period, the KPI scorecard, trends, movers."""

from __future__ import annotations

from typing import Any

from costmark.reports.render import figures as report_figures
from costmark.web.pages import Ask, Page, period_params
from costmark.web.pages.sections import report_sections


def build(ask: Ask) -> dict[str, Any]:
    return report_sections(ask, ("scorecard", "trends", "movers", "anomalies", "budgets"))


def scorecard_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data["sections"]["scorecard"].get("rows") or []
    return rows


PAGE = Page(
    slug="overview",
    title="Overview",
    path="/",
    api="/api/overview",
    csv="/export/overview.csv",
    params=period_params,
    build=build,
    figures=report_figures,
    table=scorecard_rows,
)
