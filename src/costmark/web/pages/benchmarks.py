"""Benchmarks: peer league tables (charted with the cohort median and the target) and industry
standing, each figure with its scope, source and whether it applies to this data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from costmark.reports import sources
from costmark.reports.context import cutoff, guarded, section
from costmark.reports.periods import parse_period
from costmark.web import figures as web_figures
from costmark.web.pages import Ask, Page, period_params
from costmark.web.pages.sections import report_sections

INDUSTRY_COLUMNS = ("kpi", "currency", "value", "title", "reference", "statistic", "gap",
                    "standing", "year", "scope", "compare", "source", "citation", "applicable",
                    "note")


def build(ask: Ask) -> dict[str, Any]:
    data = report_sections(ask, ("peers",))
    p = ask.params
    judged = parse_period(p["cadence"], p["period"], cutoff(ask.context, p["as_of"]))
    catalog = {c["id"]: c for c in sources.catalog(ask.context)}
    peers = data["sections"]["peers"]
    kpis = [str(t["rows"][0].get("kpi")) for t in peers.get("tables") or [] if t["rows"]]
    targets = sources.targets(ask.context, kpis, judged) if kpis else {}
    for t in peers.get("tables") or []:
        kpi = str(t["rows"][0].get("kpi")) if t["rows"] else ""
        currency = t["rows"][0].get("currency") if t["rows"] else None
        target = targets.get((kpi, currency)) or targets.get((kpi, None)) or {}
        t.update(kpi=kpi, title=catalog.get(kpi, {}).get("title", kpi),
                 unit=catalog.get(kpi, {}).get("unit"), target=target.get("target"))
    data["sections"]["industry"] = guarded(
        "Industry standing", lambda: industry(ask.view, judged, catalog)
    )
    return data


def industry(view: Any, judged: Any, catalog: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every reference figure for a KPI this project computes, with our value, the figure's
    scope and source, and whether it applies (a figure that does not is listed, marked so)."""
    if not hasattr(view, "benchmark"):
        raise sources.PartMissing("No data yet: industry reference data is not available.")
    refs = sources._records(view.industry_references()) if hasattr(
        view, "industry_references") else []
    kpis = sorted({str(r["kpi"]) for r in refs if r.get("kpi") in catalog})
    rows: list[dict[str, Any]] = []
    for kpi in kpis:
        result = view.benchmark(kpi, against=("industry",), grain=judged.grain,
                                start=judged.start, end=judged.end - dt.timedelta(days=1))
        for r in sources._bench_section(result, "industry"):
            row = {c: r.get(c) for c in INDUSTRY_COLUMNS}
            row["year"] = None if r.get("year") is None else str(r["year"])  # a year, not 2,024
            row["unit"] = catalog[kpi].get("unit")
            row["kpi_title"] = catalog[kpi].get("title", kpi)
            rows.append(row)
    rows.sort(key=lambda r: (not r.get("applicable"), r["kpi"], str(r.get("year") or "")))
    if not rows:
        return section("Industry standing", "empty",
                       f"No industry reference applies to {judged.label}.", rows=[])
    return section("Industry standing", "ok", rows=rows)


def league_figures(data: dict[str, Any]) -> dict[str, Any]:
    """One bar chart per league table, with the cohort median and the target lines."""
    peers = data["sections"]["peers"]
    figs: dict[str, Any] = {}
    for i, t in enumerate(peers.get("tables") or []):
        dim = str(t["dimension"]).split(" by ")[-1]
        figs[f"league-{i}"] = web_figures.league(t, dim, t.get("unit"), t.get("target"))
    return figs


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
    figures=league_figures,
    table=rows,
)
