"""Benchmarks: peer league tables and industry standing for the judged period."""

from __future__ import annotations

from typing import Any

from costmark.web.pages import Ask, Page, period_params
from costmark.web.pages.sections import report_sections


def build(ask: Ask) -> dict[str, Any]:
    return report_sections(ask, ("peers", "industry"))


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every league table's rows, then the industry rows, each saying which table it is."""
    out: list[dict[str, Any]] = []
    for t in data["sections"]["peers"].get("tables") or []:
        out.extend({"table": t["dimension"], **r} for r in t["rows"])
    out.extend({"table": "industry", **r} for r in data["sections"]["industry"].get("rows") or [])
    return out


PAGE = Page(
    slug="benchmarks",
    title="Benchmarks",
    path="/benchmarks",
    api="/api/benchmarks",
    csv="/export/benchmarks.csv",
    params=period_params,
    build=build,
    table=rows,
)
