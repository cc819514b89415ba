"""Adapters from the facade to the plain rows a report section needs.

Each function asks the facade for one part (KPIs, forecasts, anomalies, budgets, benchmarks,
maturity, iterations). When the part is not installed in this costmark, it raises
``PartMissing`` with the sentence the report shows instead of the section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from costmark.reports.periods import Period


class PartMissing(Exception):
    """The facade has no such part (yet); the message is shown in place of the section."""


def _need(ws: Any, name: str, what: str) -> Any:
    if not hasattr(ws, name):
        raise PartMissing(f"No data yet: {what} is not available in this costmark.")
    return getattr(ws, name)


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


def catalog(ws: Any) -> list[dict[str, Any]]:
    if not hasattr(ws, "kpi_catalog"):
        return []
    out = []
    for item in ws.kpi_catalog():
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
    ws: Any,
    ids: Sequence[str],
    *,
    grain: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Sequence[str] = (),
) -> list[dict[str, Any]]:
    kpi = _need(ws, "kpi", "the KPI engine")
    rows = _records(kpi(list(ids), grain=grain, by=tuple(by), start=start, end=end))
    for r in rows:
        if r.get("period_start") is not None:
            r["period_start"] = pd.Timestamp(r["period_start"]).date()
    return rows


def targets(ws: Any, ids: Sequence[str], p: Period) -> dict[tuple[str, Any], dict[str, Any]]:
    """Target and status per (kpi, currency) for the period, when targets exist."""
    if not hasattr(ws, "attainment"):
        return {}
    try:
        rows = _records(ws.attainment(list(ids), grain=p.grain, start=p.start, end=p.end))
    except Exception:  # a target problem must not take the scorecard down
        return {}
    out: dict[tuple[str, Any], dict[str, Any]] = {}
    for r in rows:
        if r.get("period_start") is not None and pd.Timestamp(r["period_start"]).date() != p.start:
            continue
        if any(r.get(k) is not None for k in ("team", "app")):
            continue
        out[(str(r.get("kpi")), r.get("currency"))] = {
            "target": r.get("target"),
            "status": r.get("status") or "no target",
        }
    return out


def forecast(ws: Any, kpi: str, p: Period, currency: str | None) -> list[dict[str, Any]]:
    """Forecast points (period_start, value, lower, upper) after the period, or []."""
    if not hasattr(ws, "forecast"):
        return []
    try:
        rows = _records(ws.forecast(kpi, grain=p.grain, horizon=3))
    except Exception:
        return []
    points = []
    for r in rows:
        if currency is not None and r.get("currency") not in (None, currency):
            continue
        start = r.get("period_start") or r.get("date")
        value = r.get("value", r.get("forecast", r.get("yhat")))
        if start is None or value is None:
            continue
        points.append(
            {
                "period_start": pd.Timestamp(start).date(),
                "value": value,
                "lower": r.get("lower", r.get("lo")),
                "upper": r.get("upper", r.get("hi")),
            }
        )
    return points


def anomalies(ws: Any, p: Period) -> dict[str, Any]:
    find = _need(ws, "anomalies", "anomaly detection")
    rows = _records(find(start=p.start, end=p.end))
    title = "Anomalies"
    if not rows:
        return {
            "title": title,
            "status": "empty",
            "note": f"No anomalies in {p.label}.",
            "rows": [],
        }
    return {"title": title, "status": "ok", "note": "", "rows": rows}


def budgets(ws: Any, p: Period) -> dict[str, Any]:
    status = _need(ws, "budgets", "budget tracking")
    rows = _records(status(start=p.start, end=p.end))
    title = "Budget status"
    if not rows:
        return {"title": title, "status": "empty", "note": "No budgets declared.", "rows": []}
    return {"title": title, "status": "ok", "note": "", "rows": rows}


def peers(ws: Any, p: Period) -> dict[str, Any]:
    bench = _need(ws, "benchmark", "benchmarking")
    rows = _records(bench("effective_savings_rate", start=p.start, end=p.end))
    title = "Peer league tables"
    if not rows:
        return {"title": title, "status": "empty", "note": "No peer groups declared.", "rows": []}
    return {"title": title, "status": "ok", "note": "", "rows": rows}


def industry(ws: Any, p: Period) -> dict[str, Any]:
    standing = _need(ws, "industry_standing", "industry reference data")
    rows = _records(standing(start=p.start, end=p.end))
    title = "Industry standing"
    if not rows:
        return {
            "title": title,
            "status": "empty",
            "note": "No industry references match.",
            "rows": [],
        }
    return {"title": title, "status": "ok", "note": "", "rows": rows}


def maturity(ws: Any) -> dict[str, Any]:
    history = _need(ws, "assessments", "the maturity module")
    rows = _records(history())
    title = "Maturity"
    if not rows:
        return {
            "title": title,
            "status": "empty",
            "note": "No data yet: no assessment recorded (see 'costmark assess').",
            "axes": [],
        }
    latest = rows[-1]
    scores = latest.get("scores") or latest.get("capabilities") or {}
    axes = (
        [{"axis": k, "score": v} for k, v in scores.items()]
        if isinstance(scores, dict)
        else [{"axis": s.get("capability"), "score": s.get("score")} for s in scores]
    )
    return {
        "title": title,
        "status": "ok" if axes else "empty",
        "note": "" if axes else "The latest assessment has no scores.",
        "assessment": {k: v for k, v in latest.items() if k not in ("scores", "capabilities")},
        "axes": axes,
    }


def iteration(ws: Any) -> dict[str, Any]:
    current = _need(ws, "current_iteration", "iteration tracking")
    it = current()
    title = "Current iteration goals"
    if not it:
        return {"title": title, "status": "empty", "note": "No iteration is open.", "goals": []}
    d = it if isinstance(it, dict) else _obj_dict(it)
    goals = [g if isinstance(g, dict) else _obj_dict(g) for g in d.get("goals", [])]
    return {
        "title": title,
        "status": "ok" if goals else "empty",
        "note": "" if goals else "The open iteration has no goals.",
        "iteration": {k: v for k, v in d.items() if k != "goals"},
        "goals": goals,
    }
