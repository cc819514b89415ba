"""Maturity: the latest assessment as a radar on a fixed 0-4 scale, a lens table and evidence
as sentences, and every assessment recorded.

The stored assessment documents are nested (capabilities > lenses > evidence), which a generic
section table printed as JSON several screens long. These builders flatten them into the rows a
FinOps lead reads: one row per capability with its five lens scores, evidence as sentences.
Numbers stay raw here (the JSON twin keeps machine values); the template formats them.
"""

from __future__ import annotations

from typing import Any

from costmark.reports import sources
from costmark.reports.charts import radar_figure
from costmark.reports.context import guarded, section
from costmark.web.pages import Ask, Page, no_params

#: The five FinOps Framework lenses, in the framework's order.
LENSES = ("knowledge", "process", "metrics", "adoption", "automation")


def maturity_page(view: Any) -> dict[str, Any]:
    latest = guarded("Maturity", lambda: _latest(view))
    figures: dict[str, Any] = {}
    if latest.get("axes"):
        figures["maturity-radar"] = radar_figure(latest["axes"])
    return {
        "sections": {"maturity": latest, "history": guarded("Assessments", lambda: _history(view))},
        "figures": figures,
    }


def _latest(view: Any) -> dict[str, Any]:
    """The latest assessment: radar axes, a lens table and readable evidence lines."""
    if not hasattr(view, "assessments"):
        raise sources.PartMissing("No data yet: the maturity module is not available.")
    if not view.assessments():
        return section(
            "Maturity", "empty", "No data yet: no assessment recorded (see 'costmark assess').",
            axes=[], lenses=[], evidence=[],
        )
    doc = view.assessment(_latest_id(view))
    rows = doc.get("rows") or []
    has_previous = bool(doc.get("previous"))
    axes = [
        {
            "axis": r.get("capability"),
            "score": r.get("current"),
            "target": r.get("target"),
            "previous": r.get("previous") if has_previous else None,
            "stage": r.get("stage"),
        }
        for r in rows
        if r.get("lens") == "overall"
    ]
    info = doc.get("assessment") or {}
    previous = doc.get("previous") or {}
    return section(
        "Maturity",
        "ok" if axes else "empty",
        "" if axes else "The latest assessment has no scores.",
        assessment={k: info.get(k) for k in ("id", "group", "assessed_at", "assessor")},
        previous={k: previous.get(k) for k in ("id", "assessed_at")} if previous else None,
        axes=axes,
        lenses=lens_table(rows),
        evidence=evidence_lines(info.get("capabilities") or []),
    )


def _latest_id(view: Any) -> str:
    """The latest assessment of the viewer's own group: a scoped view sees only its group's;
    the organisation's view prefers the organisation-wide one over a team's made later."""
    group = view.context.group if view.scope else "org"
    docs = view.assessments(group) or view.assessments()
    return str(docs[-1]["id"])


def lens_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per capability: overall and each lens as {current, target, previous, change}."""
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        cap = str(r.get("capability"))
        entry = table.setdefault(cap, {"capability": cap})
        entry[str(r.get("lens"))] = {
            k: r.get(k) for k in ("current", "target", "previous", "change", "stage")
        }
    return list(table.values())


def evidence_lines(capabilities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence from the data, and why a lens score moved, as one sentence each."""
    lines: list[dict[str, Any]] = []
    for cap in capabilities:
        name = str(cap.get("name") or cap.get("id"))
        for item in cap.get("evidence") or []:
            if item.get("available"):
                text = f"{item.get('title')}: {item.get('display')}"
                if item.get("stage"):
                    text += f", {item['stage']}"
                if item.get("detail"):
                    text += f" ({item['detail']})"
            else:
                text = f"{item.get('title')}: no evidence yet; {item.get('detail') or ''}".strip()
            lines.append({"capability": name, "lens": item.get("lens"), "text": text.rstrip("; ")})
        for lens, detail in sorted((cap.get("lenses") or {}).items()):
            if isinstance(detail, dict) and detail.get("explanation"):
                lines.append(
                    {"capability": name, "lens": lens, "text": str(detail["explanation"])}
                )
    return lines


def _history(view: Any) -> dict[str, Any]:
    if not hasattr(view, "assessments"):
        raise sources.PartMissing("No data yet: the maturity module is not available.")
    rows = []
    for doc in reversed(sources._records(view.assessments())):
        caps = doc.get("capabilities") or []
        scores = [c["current"] for c in caps if isinstance(c.get("current"), int | float)]
        rows.append(
            {
                "id": doc.get("id"),
                "assessed_at": doc.get("assessed_at"),
                "group": doc.get("group"),
                "assessor": doc.get("assessor"),
                "capabilities": [str(c.get("name") or c.get("id")) for c in caps],
                "average": sum(scores) / len(scores) if scores else None,
            }
        )
    return section(
        "Assessments",
        "ok" if rows else "empty",
        "" if rows else "No data yet: no assessment recorded.",
        rows=rows,
    )


def build(ask: Ask) -> dict[str, Any]:
    return maturity_page(ask.view)


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
