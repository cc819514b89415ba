"""Anomalies and budgets of the judged period."""

from __future__ import annotations

from typing import Any

from costmark.web.pages import Ask, Page, period_params
from costmark.web.pages.sections import report_sections


def build(ask: Ask) -> dict[str, Any]:
    return report_sections(ask, ("anomalies", "budgets"))


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["sections"]["anomalies"].get("rows") or []
    return found


PAGE = Page(
    slug="anomalies",
    title="Anomalies and budgets",
    path="/anomalies",
    api="/api/anomalies",
    csv="/export/anomalies.csv",
    params=period_params,
    build=build,
    table=rows,
)
