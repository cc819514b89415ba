"""Iterations: the current iteration's goals (baseline, current, target, progress) and the
iterations before it, one row per goal or iteration instead of nested documents."""

from __future__ import annotations

from typing import Any

from costmark.reports import sources
from costmark.reports.context import guarded, section
from costmark.web.pages import Ask, Page, no_params


def iterations_page(view: Any) -> dict[str, Any]:
    return {
        "sections": {
            "iteration": guarded("Current iteration goals", lambda: _current(view)),
            "iterations": guarded("Iterations", lambda: _iterations(view)),
        }
    }


def _names(view: Any) -> dict[str, str]:
    """Capability id -> its framework name ("rate_optimization" -> "Rate Optimization")."""
    try:
        return {str(c["id"]): str(c["name"]) for c in view.capabilities("both")}
    except Exception:  # a view without the catalog still shows ids
        return {}


def _kpis(view: Any) -> dict[str, dict[str, Any]]:
    try:
        return {str(c["id"]): c for c in sources.catalog(view.context)}
    except Exception:
        return {}


def _current(view: Any) -> dict[str, Any]:
    if not hasattr(view, "iteration_status"):
        raise sources.PartMissing("No data yet: iteration tracking is not available.")
    title = "Current iteration goals"
    if not view.iterations():
        return section(title, "empty", "No data yet: no iteration started (see 'costmark "
                       "iteration').", goals=[])
    status = view.iteration_status()
    doc = view.iteration() if hasattr(view, "iteration") else {}
    described = {str(g.get("id")): g for g in doc.get("goals") or []}
    names, kpis = _names(view), _kpis(view)
    goals = []
    for g in status.get("goals") or []:
        plan = described.get(str(g.get("goal")), {})
        kpi = kpis.get(str(g.get("measure")))
        score = kpi is None
        goals.append(
            {
                "goal": g.get("goal"),
                "description": plan.get("description"),
                "capability": g.get("capability"),
                "capability_name": names.get(str(g.get("capability")), g.get("capability")),
                "lens": g.get("lens"),
                "measure": g.get("measure"),
                "measure_title": kpi["title"] if kpi else str(g.get("measure") or "").capitalize(),
                "kpi": g.get("measure") if kpi else None,
                "unit": None if score else kpi.get("unit") if kpi else None,
                "currency": plan.get("currency"),
                "baseline": g.get("baseline"),
                "now": g.get("now"),
                "target": g.get("target"),
                "progress": g.get("progress"),
                "status": g.get("status"),
                "note": g.get("note"),
                "due": g.get("due"),
                "owner": g.get("owner"),
                "actions": list(plan.get("actions") or []),
            }
        )
    it = status.get("iteration") or {}
    return section(
        title,
        "ok" if goals else "empty",
        "" if goals else "The current iteration has no goals.",
        iteration={k: it.get(k) for k in ("name", "number", "status", "start", "end")},
        as_of=status.get("as_of"),
        goals=goals,
    )


def _iterations(view: Any) -> dict[str, Any]:
    if not hasattr(view, "iterations"):
        raise sources.PartMissing("No data yet: iteration tracking is not available.")
    names = _names(view)
    rows = [
        {
            "number": d.get("number"),
            "name": d.get("name"),
            "status": d.get("status"),
            "start": d.get("start"),
            "end": d.get("end"),
            "group": d.get("group"),
            "capabilities": [names.get(str(c), str(c)) for c in d.get("capabilities") or []],
            "goals": len(d.get("goals") or []),
        }
        for d in reversed(sources._records(view.iterations()))
    ]
    return section(
        "Iterations",
        "ok" if rows else "empty",
        "" if rows else "No data yet: no iteration started.",
        rows=rows,
    )


def build(ask: Ask) -> dict[str, Any]:
    return iterations_page(ask.view)


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
