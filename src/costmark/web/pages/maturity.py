"""Maturity: the latest assessment's scores per capability, and every assessment recorded."""

from __future__ import annotations

from typing import Any

from costmark.reports import charts, sources
from costmark.reports.context import guarded, section
from costmark.web.pages import Ask, Page, no_params


def build(ask: Ask) -> dict[str, Any]:
    view = ask.view

    def history() -> dict[str, Any]:
        if not hasattr(view, "assessments"):
            raise sources.PartMissing("No data yet: the maturity module is not available.")
        rows = sources._records(view.assessments())
        return section(
            "Assessments",
            "ok" if rows else "empty",
            "" if rows else "No data yet: no assessment recorded.",
            rows=rows,
        )

    latest = guarded("Maturity", lambda: sources.maturity(view.context))
    figs = {"maturity-radar": charts.radar_figure(latest["axes"])} if latest.get("axes") else {}
    return {
        "sections": {"maturity": latest, "history": guarded("Assessments", history)},
        "figures": figs,
    }


def axes(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data["sections"]["maturity"].get("axes") or []
    return rows


PAGE = Page(
    slug="maturity",
    title="Maturity",
    path="/maturity",
    api="/api/maturity",
    csv="/export/maturity.csv",
    params=no_params,
    build=build,
    table=axes,
    cache="daily",
)
