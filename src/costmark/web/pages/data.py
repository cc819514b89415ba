"""Data: the ingest log, quarantined rows, validation issues and server activity (cheap and
live, so never cached)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from costmark.reports import sources
from costmark.reports.context import guarded, section
from costmark.web.pages import Ask, Page, no_params


def build(ask: Ask) -> dict[str, Any]:
    view, live_events = ask.view, ask.events

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


def ingest_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data["sections"]["ingest"].get("rows") or []
    return rows


PAGE = Page(
    slug="data",
    title="Data",
    path="/data",
    api="/api/data",
    csv="/export/data.csv",
    params=no_params,
    build=build,
    table=ingest_rows,
    cache=None,
)
