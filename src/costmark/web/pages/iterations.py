"""Iterations: the current iteration's goals and every iteration started."""

from __future__ import annotations

from typing import Any

from costmark.reports import sources
from costmark.reports.context import guarded, section
from costmark.web.pages import Ask, Page, no_params


def build(ask: Ask) -> dict[str, Any]:
    view = ask.view

    def all_iterations() -> dict[str, Any]:
        if not hasattr(view, "iterations"):
            raise sources.PartMissing("No data yet: iteration tracking is not available.")
        rows = sources._records(view.iterations())
        return section(
            "Iterations",
            "ok" if rows else "empty",
            "" if rows else "No data yet: no iteration started.",
            rows=rows,
        )

    return {
        "sections": {
            "iteration": guarded("Current iteration goals",
                                 lambda: sources.iteration(view.context)),
            "iterations": guarded("Iterations", all_iterations),
        }
    }


def goals(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data["sections"]["iteration"].get("goals") or []
    return rows


PAGE = Page(
    slug="iterations",
    title="Iterations",
    path="/iterations",
    api="/api/iterations",
    csv="/export/iterations.csv",
    params=no_params,
    build=build,
    table=goals,
    cache="daily",
)
