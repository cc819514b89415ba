"""The overview: headline tiles, the scorecard grouped by KPI family with sparklines and target
status, trends, movers, anomalies and budgets — for the period the data says is the latest
complete one, with the running period shown apart and marked partial.

Numbers stay machine values here (the JSON twin serves them); the template formats them
through the formatting filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from costmark.reports import sources
from costmark.reports.context import cutoff, guarded, section
from costmark.reports.periods import HISTORY, parse_period
from costmark.web.figures import overview_figures
from costmark.web.pages import Ask, Page, period_params
from costmark.web.pages.sections import report_sections

#: Scorecard families, in the order a FinOps lead reads them (catalog ``kind`` -> heading).
FAMILIES = (
    ("cost", "Cost"),
    ("rate", "Rate optimization"),
    ("efficiency", "Efficiency"),
    ("business", "Unit economics"),
    ("contract", "Contract commitments"),
    ("planning", "Planning"),
)
OTHER_FAMILY = ("other", "Other KPIs")
#: Headline tiles after spend and the projection: (tile id, KPI, label).
KPI_TILES = (
    ("esr", "effective_savings_rate", "Effective savings rate"),
    ("coverage", "commitment_coverage", "Commitment coverage"),
    ("utilization", "commitment_utilization", "Commitment utilization"),
    ("waste", "waste_share", "Waste"),
    ("allocation", "allocation_coverage", "Allocation coverage"),
)


def build(ask: Ask) -> dict[str, Any]:
    data = report_sections(ask, ("scorecard", "trends", "movers", "anomalies", "budgets"))
    p = ask.params
    cut = cutoff(ask.context, p["as_of"])
    judged = parse_period(p["cadence"], p["period"], cut)
    catalog = sources.catalog(ask.context)
    scorecard = data["sections"]["scorecard"]
    rows: list[dict[str, Any]] = scorecard.get("rows") or []
    spark = guarded("Sparklines", lambda: _history(ask.view, judged, [r["kpi"] for r in rows]))
    running = guarded("Running period", lambda: _running(ask.view, cut, judged.grain))
    data["running"] = running
    data["tiles"] = _tiles(rows, data["sections"]["budgets"], running, catalog)
    data["families"] = _families(rows, catalog, spark.get("series", {}))
    return data


def _history(view: Any, judged: Any, ids: list[str]) -> dict[str, Any]:
    """Each KPI's values over the periods up to the judged one, per currency (sparklines)."""
    first = judged.shift(-(HISTORY[judged.cadence] - 1))
    rows = sources.kpi_rows(view.context, sorted(set(ids)), grain=judged.grain, start=first.start,
                            end=judged.end - dt.timedelta(days=1))
    series: dict[str, list[tuple[Any, Any]]] = {}
    for r in rows:
        if r.get("period_start") is None or r["period_start"] >= judged.end:
            continue
        series.setdefault(f"{r['kpi']}|{r.get('currency') or ''}", []).append(
            (r["period_start"], r.get("value"))
        )
    return section("Sparklines", "ok", series={k: [v for _, v in sorted(s)]
                                              for k, s in series.items()})


def _running(view: Any, cut: Any, grain: str) -> dict[str, Any]:
    """The period holding the cutoff when it is not complete: spend to date and the straight-
    line projection to its end, marked partial (never judged as a complete period)."""
    running = cut.running(grain)
    if running is None or running.complete:
        return section("Running period", "empty", "No running period: the data ends on a "
                       "period's last day.", rows=[])
    rows = sources.kpi_rows(view.context, ["total_cost"], grain=grain, start=running.start,
                            end=running.last_day)
    shown = []
    for r in rows:
        value = r.get("value")
        projected = (float(value) * running.days_total / running.days_covered
                     if value is not None and running.days_covered else None)
        shown.append({"currency": r.get("currency"), "to_date": value, "projected": projected})
    return section("Running period", "ok" if shown else "empty",
                   "" if shown else f"No cost yet in {running.label}.",
                   label=running.label, partial=running.partial_note,
                   days_covered=running.days_covered, days_total=running.days_total,
                   projection="straight-line pace to the period's end", rows=shown)


def _pick(rows: list[dict[str, Any]], kpi: str) -> dict[str, Any] | None:
    """The KPI's scorecard row (the first currency when there are several)."""
    return next((r for r in rows if r["kpi"] == kpi), None)


def _kpi_tile(tile_id: str, label: str, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"id": tile_id, "label": label, "kpi": None, "value": None, "unit": None,
                "currency": None, "note": "not computed for this data"}
    return {"id": tile_id, "label": label, "kpi": row["kpi"], "value": row.get("value"),
            "unit": row.get("unit"), "currency": row.get("currency"),
            "previous": row.get("previous"), "change": row.get("change"),
            "change_pct": row.get("change_pct"), "target": row.get("target"),
            "status": row.get("target_status"), "note": row.get("note")}


def _tiles(
    rows: list[dict[str, Any]], budgets: dict[str, Any], running: dict[str, Any],
    catalog: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    spend = _kpi_tile("spend", "Spend", _pick(rows, "total_cost"))
    budget = _overall_budget(budgets, spend.get("currency"))
    if budget is not None:
        spend["budget"] = {k: budget.get(k) for k in ("budget", "scope", "amount",
                                                      "variance_pct", "status")}
    tiles = [spend]
    run = (running.get("rows") or [None])[0]
    tiles.append({
        "id": "projected", "label": "Projected period end", "kpi": "total_cost",
        "value": run["projected"] if run else None, "unit": "currency",
        "currency": run["currency"] if run else None,
        "to_date": run["to_date"] if run else None,
        "period": running.get("label"), "partial": running.get("partial"),
        "note": running.get("projection") if run else running.get("note"),
    })
    tiles.extend(_kpi_tile(tid, label, _pick(rows, kpi)) for tid, kpi, label in KPI_TILES)
    tiles.append(_kpi_tile("unit_cost", "Top unit cost", _unit_cost(rows, catalog)))
    return tiles


def _overall_budget(budgets: dict[str, Any], currency: Any) -> dict[str, Any] | None:
    """The budget over all cost (else the first one) in the spend's currency."""
    found = [b for b in budgets.get("rows") or [] if b.get("currency") in (None, currency)]
    return next((b for b in found if b.get("scope") == "all cost"), found[0] if found else None)


def _unit_cost(rows: list[dict[str, Any]], catalog: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first unit cost (money per business unit) with a value: targeted ones first."""
    kinds = {c["id"]: c.get("kind") for c in catalog}
    unit_costs = [
        r for r in rows
        if kinds.get(r["kpi"]) == "business" and str(r.get("unit") or "").startswith("currency/")
        and r.get("value") is not None
    ]
    unit_costs.sort(key=lambda r: r.get("target") is None)
    return unit_costs[0] if unit_costs else None


def _families(
    rows: list[dict[str, Any]], catalog: list[dict[str, Any]],
    series: dict[str, list[Any]],
) -> list[dict[str, Any]]:
    """Scorecard rows grouped by family in catalog order, each with its sparkline."""
    order = {c["id"]: i for i, c in enumerate(catalog)}
    kinds = {c["id"]: c.get("kind") for c in catalog}
    known = dict(FAMILIES)
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(rows, key=lambda r: (order.get(r["kpi"], len(order)), r.get("currency") or "")):
        kind = str(kinds.get(r["kpi"]) or "")
        family = kind if kind in known else OTHER_FAMILY[0]
        values = series.get(f"{r['kpi']}|{r.get('currency') or ''}", [])
        groups.setdefault(family, []).append(
            {**r, "history": values}
        )
    return [
        {"id": fid, "title": title, "rows": groups[fid]}
        for fid, title in (*FAMILIES, OTHER_FAMILY)
        if fid in groups
    ]


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
    figures=overview_figures,
    table=scorecard_rows,
)
