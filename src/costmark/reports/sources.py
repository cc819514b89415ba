"""Adapters from the services to the plain rows a report section needs.

Each function asks one service, through the report's context, for one part (KPIs, forecasts,
anomalies, budgets, benchmarks, maturity, iterations). A scoped context gives the scope's own
numbers, or refuses (``ScopeUnsupported``) and the section says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import PartMissing as PartMissing
from costmark.reports.periods import Period

if TYPE_CHECKING:
    from costmark.engine.context import Context


def section(title: str, status: str, note: str = "", **data: Any) -> dict[str, Any]:
    """One report section: ``status`` ok, empty, unavailable or error, and a ``note`` saying
    why when it is not ok (a section never vanishes silently)."""
    return {"title": title, "status": status, "note": note, **data}


def _records(result: Any) -> list[dict[str, Any]]:
    """Rows from any result shape the facade returns (rows(), DataFrame, list of dicts)."""
    if result is None:
        return []
    if hasattr(result, "rows") and callable(result.rows):
        return [dict(r) for r in result.rows()]
    if isinstance(result, pd.DataFrame):
        frame = result.astype(object).where(result.notna(), None)
        return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    if hasattr(result, "to_pandas") and callable(result.to_pandas):
        return _records(result.to_pandas())
    if hasattr(result, "to_dict") and callable(result.to_dict):
        return _records(result.to_dict())
    if isinstance(result, dict):
        for key in ("rows", "items", "results"):
            if isinstance(result.get(key), list):
                return [dict(r) for r in result[key]]
        return [result]
    if isinstance(result, list | tuple):
        return [r if isinstance(r, dict) else _obj_dict(r) for r in result]
    return [_obj_dict(result)]


def _obj_dict(obj: Any) -> dict[str, Any]:
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return dict(obj.to_dict())
    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump())
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return {"value": obj}


def catalog(ws: Context) -> list[dict[str, Any]]:
    out = []
    for item in ws.engine.catalog():
        d = item if isinstance(item, dict) else _obj_dict(item)
        out.append(
            {
                "id": str(d.get("id")),
                "title": d.get("title") or d.get("id"),
                "description": d.get("description"),
                "unit": d.get("unit"),
                "direction": d.get("direction"),
                "kind": d.get("kind"),
            }
        )
    return out


def kpi_rows(
    ws: Context,
    ids: Sequence[str],
    *,
    grain: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Sequence[str] = (),
) -> list[dict[str, Any]]:
    rows = _records(ws.engine.kpi(list(ids), grain=grain, by=tuple(by), start=start, end=end))
    for r in rows:
        if r.get("period_start") is not None:
            r["period_start"] = pd.Timestamp(r["period_start"]).date()
    return rows


def _last_day(p: Period) -> dt.date:
    return p.end - dt.timedelta(days=1)


def _bench_section(result: Any, name: str) -> list[dict[str, Any]]:
    sections = getattr(result, "sections", None)
    if isinstance(sections, dict) and name in sections:
        return _records(sections[name])
    return []


def _benchmarks(
    ws: Context, kpis: Sequence[str], against: tuple[str, ...], p: Period
) -> dict[str, Any]:
    """Benchmark results per KPI for the period, from one engine call for all of them. A KPI
    that cannot be benchmarked is left out (a target or reference problem must not take the
    section down); when the whole call fails, KPI by KPI, so one bad KPI costs only itself."""
    from costmark.benchmarking.service import run_benchmark, run_benchmarks

    if not kpis:
        return {}
    options: dict[str, Any] = {"grain": p.grain, "start": p.start, "end": _last_day(p)}
    try:
        return dict(run_benchmarks(ws, list(kpis), against=against, **options))
    except Exception:  # e.g. one KPI's reference is broken: try KPI by KPI below
        pass
    out: dict[str, Any] = {}
    for kpi in kpis:
        try:
            out[kpi] = run_benchmark(ws, kpi, against=against, **options)
        except Exception:
            continue
    return out


def targets(ws: Context, ids: Sequence[str], p: Period) -> dict[tuple[str, Any], dict[str, Any]]:
    """Target and status per (kpi, currency) for the period, for KPIs with a target."""
    declared = {t.kpi for t in getattr(ws.project, "targets", ()) or ()}
    wanted = [k for k in ids if k in declared]
    if not wanted:
        return {}
    out: dict[tuple[str, Any], dict[str, Any]] = {}
    for kpi, result in _benchmarks(ws, wanted, ("targets",), p).items():
        for r in _bench_section(result, "targets"):
            day = r.get("period_start")
            if day is not None and pd.Timestamp(day).date() != p.start:
                continue
            out[(kpi, r.get("currency"))] = {
                "target": r.get("target"),
                "status": r.get("status") or "no target",
            }
    return out


def forecast(ws: Context, kpi: str, p: Period, currency: str | None) -> list[dict[str, Any]]:
    """Forecast points (period_start, value, lower, upper) after the period, or []."""
    from costmark.tracking.forecasting import forecast as run_forecast

    try:
        result = run_forecast(ws, kpi, grain=p.grain, horizon=3, store=False)
    except Exception:  # no forecast (short history, unsupported KPI): the chart shows actuals
        return []
    rows = _records(getattr(result, "frame", result))
    points = []
    for r in rows:
        if currency is not None and r.get("currency") not in (None, currency):
            continue
        start = r.get("period_start")
        value = r.get("forecast", r.get("value"))
        if start is None or value is None:
            continue
        points.append(
            {
                "period_start": pd.Timestamp(start).date(),
                "currency": r.get("currency"),
                "value": value,
                "lower": r.get("lower"),
                "upper": r.get("upper"),
            }
        )
    return points


ANOMALY_COLUMNS = (
    "start",
    "end",
    "currency",
    "direction",
    "expected",
    "actual",
    "delta",
    "delta_pct",
    "severity",
    "drivers",
)


def anomalies(ws: Context, p: Period) -> dict[str, Any]:
    from costmark.tracking.detect import anomalies as find

    rows = _records(find(ws, "total_cost", start=p.start, end=_last_day(p)))
    title = "Anomalies"
    if not rows:
        return section(title, "empty", f"No anomalies in {p.label}.", rows=[])
    shown = [{k: r.get(k) for k in ANOMALY_COLUMNS if k in r} for r in rows]
    return section(title, "ok", rows=shown)


BUDGET_COLUMNS = (
    "budget",
    "scope",
    "currency",
    "period_start",
    "amount",
    "actual_to_date",
    "projected",
    "variance_pct",
    "budget_burn",
    "status",
)


def budgets(ws: Context, p: Period) -> dict[str, Any]:
    from costmark.tracking.budgeting import budgets as status

    rows = _records(status(ws, as_of=_last_day(p)))
    title = "Budget status"
    if not rows:
        return section(title, "empty", "No budgets declared (budgets: in costmark.yaml).", rows=[])
    shown = [{k: r.get(k) for k in BUDGET_COLUMNS if k in r} for r in rows]
    return section(title, "ok", rows=shown)


#: KPIs ranked in the peer league tables, when the catalog has them.
LEAGUE_KPIS = ("effective_savings_rate", "commitment_coverage", "untagged_cost_share")
PEER_COLUMNS = (
    "kpi",
    "cohort",
    "currency",
    "value",
    "rank",
    "members",
    "percentile",
    "quartile",
    "cohort_median",
)


def peers(ws: Context, p: Period) -> dict[str, Any]:
    from costmark.benchmarking.service import run_benchmarks
    title = "Peer league tables"
    ids = {c["id"] for c in catalog(ws)}
    dims = [d for d, spec in ws.project.dimensions.items() if getattr(spec, "allocation", False)]
    if not dims:
        return section(
            title, "empty", "No allocation dimension to rank (allocation: true).", tables=[]
        )
    dim = dims[0]
    tables = []
    # one KPI-engine call for every league table, not one per KPI
    results = run_benchmarks(
        ws,
        [k for k in LEAGUE_KPIS if k in ids],
        by=(dim,),
        against=("peers",),
        grain=p.grain,
        start=p.start,
        end=_last_day(p),
    )
    for kpi, result in results.items():
        rows = [
            r
            for r in _bench_section(result, "peers")
            if r.get("rank") is not None and r.get("rank") == r.get("rank")
        ]
        rows.sort(key=lambda r: (str(r.get("cohort")), r.get("rank")))
        if rows:
            cols = [dim, *PEER_COLUMNS]
            tables.append(
                {
                    "dimension": f"{kpi} by {dim}",
                    "rows": [{c: r.get(c) for c in cols} for r in rows],
                }
            )
    if not tables:
        return section(title, "empty", f"No peer values in {p.label}.", tables=[])
    return section(title, "ok", tables=tables)


INDUSTRY_COLUMNS = (
    "kpi",
    "currency",
    "value",
    "title",
    "reference",
    "statistic",
    "standing",
    "year",
    "source",
    "note",
)


def industry(ws: Context, p: Period) -> dict[str, Any]:
    from costmark.benchmarking.industry import load_references, references_frame
    from costmark.benchmarking.service import run_benchmark

    title = "Industry standing"
    refs = _records(references_frame(load_references([], ws.root)))
    ids = {c["id"] for c in catalog(ws)}
    kpis = sorted({str(r["kpi"]) for r in refs if r.get("kpi") in ids})
    rows: list[dict[str, Any]] = []
    results = _benchmarks(ws, kpis, ("industry",), p) if kpis else {}
    if kpis and not results:  # every KPI failed: say why, as a single call would have
        run_benchmark(ws, kpis[0], against=("industry",), grain=p.grain, start=p.start,
                      end=_last_day(p))
    for kpi in kpis:
        for r in _bench_section(results.get(kpi), "industry"):
            if r.get("applicable") is False:
                continue
            rows.append({c: r.get(c) for c in INDUSTRY_COLUMNS})
    if not rows:
        return section(title, "empty", f"No industry reference applies to {p.label}.", rows=[])
    return section(title, "ok", rows=rows)


def maturity(ws: Context) -> dict[str, Any]:
    from costmark.maturity import service

    title = "Maturity"
    if not service.list_assessments(ws):
        return section(
            title, "empty", "No data yet: no assessment recorded (see 'costmark assess').", axes=[]
        )
    doc = service.comparison(ws, "latest")
    overall = [r for r in doc.get("rows", []) if r.get("lens") == "overall"]
    axes = [
        {
            "axis": r.get("capability"),
            "score": r.get("current"),
            "target": r.get("target"),
            "previous": r.get("previous"),
            "stage": r.get("stage"),
        }
        for r in overall
    ]
    info = doc.get("assessment", {})
    return section(
        title,
        "ok" if axes else "empty",
        "" if axes else "The latest assessment has no scores.",
        assessment={k: info.get(k) for k in ("id", "group", "assessed_at", "assessor")},
        axes=axes,
    )


GOAL_COLUMNS = (
    "goal",
    "capability",
    "measure",
    "baseline",
    "target",
    "now",
    "progress",
    "status",
    "due",
    "owner",
)


def iteration(ws: Context) -> dict[str, Any]:
    from costmark.maturity import service

    title = "Current iteration goals"
    if not service.list_iterations(ws):
        return section(
            title,
            "empty",
            "No data yet: no iteration started (see 'costmark iteration').",
            goals=[],
        )
    st = service.status(ws)
    it = st.get("iteration", {})
    goals = [{k: g.get(k) for k in GOAL_COLUMNS if k in g} for g in st.get("goals", [])]
    return section(
        title,
        "ok" if goals else "empty",
        "" if goals else "The current iteration has no goals.",
        iteration={k: it.get(k) for k in ("name", "number", "status", "start", "end")},
        goals=goals,
    )
