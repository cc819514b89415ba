"""One KPI: its series with target, forecast and anomalies, drill-down, trend and peers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from costmark.engine.asof import AsOf
from costmark.engine.fields import focus_column_names
from costmark.errors import NotFoundError, ScopeUnsupported, UsageError, did_you_mean
from costmark.present.numbers import relative as pct
from costmark.present.records import fmt, with_units
from costmark.reports import sources
from costmark.reports.context import cutoff, guarded, section
from costmark.reports.periods import GRAIN, HISTORY, parse_period
from costmark.web import figures as web_figures
from costmark.web.pages import Ask, Page

GRAINS = ("day", "week", "month")
#: FOCUS columns not worth grouping by: amounts, quantities, prices, dates and JSON objects.
NOT_GROUPABLE = ("Cost", "Price", "Quantity", "PeriodStart", "PeriodEnd", "Details", "Tags")
ANOMALY_COLUMNS = ("start", "end", "currency", "direction", "expected", "actual", "delta",
                   "delta_pct", "severity", "drivers")


def drill_choices(project: Any, scope: dict[str, str]) -> dict[str, list[str]]:
    """What the drill-down offers, as the CLI's ``--by`` accepts: dimensions, FOCUS columns
    that name things (not amounts or dates) and materialised tag keys."""
    columns = [c for c in focus_column_names() if not c.endswith(NOT_GROUPABLE)]
    tags = [f"tag:{k}" for k in getattr(project, "materialized_tag_keys", ()) or ()]
    return {
        "Dimensions": [d for d in project.dimensions if d not in scope],
        "FOCUS columns": columns,
        "Tags": tags,
    }


def _groupable(by: str, dims: list[str]) -> bool:
    """A name the KPI engine groups by: a dimension, a FOCUS or ``x_`` column, a tag. The
    engine still refuses a column or tag this warehouse does not hold (a located 404)."""
    return (by in dims or by in focus_column_names() or by.startswith(("tag:", "x_")))


def kpi_detail(
    view: Any,
    kpi_id: str,
    *,
    grain: str = "month",
    by: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: Any = None,
) -> dict[str, Any]:
    """One KPI's series, drill-down, target, trend and peers. Defaults follow the one period
    rule (``costmark.engine.asof``): the series ends with the latest complete period of the
    data in scope, and the drill-down and target judge that period, as the scorecard does; the
    running period is shown apart, labelled "partial: N of M days", never as a cliff."""
    if grain not in GRAINS:
        raise UsageError(f"grain {grain!r} must be one of {', '.join(GRAINS)}")
    catalog = sources.catalog(view.context)
    meta = {c["id"]: c for c in catalog}
    if not catalog:
        raise sources.PartMissing("No data yet: the KPI engine is not available.")
    if kpi_id not in meta:
        raise NotFoundError(f"unknown KPI {kpi_id!r}" + did_you_mean(kpi_id, meta))
    dims = list(view.project.dimensions)
    scope = dict(getattr(view, "scope", {}) or {})
    choices = drill_choices(view.project, scope)
    if by is not None and not _groupable(by, dims):
        known = [*dims, *choices["FOCUS columns"]]
        raise NotFoundError(
            f"unknown dimension, column or tag {by!r}" + did_you_mean(by, known)
        )
    cadence = {v: k for k, v in GRAIN.items()}[grain]
    cut = cutoff(view.context, as_of)
    judged = parse_period(cadence, None, cut)
    if start is None:
        start = judged.shift(-(HISTORY[cadence] - 1)).start
    shown_end = end if end is not None else judged.end - dt.timedelta(days=1)
    series = sources.kpi_rows(view.context, [kpi_id], grain=grain, start=start, end=shown_end)
    _label_partial(series, cut, grain)
    series.sort(key=lambda r: (str(r.get("currency")), r["period_start"]))
    currencies = sorted({r.get("currency") or "" for r in series})
    figures: dict[str, Any] = {}
    unit = meta[kpi_id].get("unit")
    title = str(meta[kpi_id]["title"])
    targets = sources.targets(view.context, [kpi_id], judged)
    found = guarded("Anomalies", lambda: _anomalies(view, kpi_id, start, shown_end))
    forecast: list[dict[str, Any]] | None = None
    for i, cur in enumerate(currencies):
        points = [
            {"period_start": r["period_start"], "value": r.get("value")}
            for r in series
            if (r.get("currency") or "") == cur
        ]
        if forecast is None and series:
            final = parse_period(cadence, str(series[-1]["period_start"]))
            # one fit, every currency
            forecast = sources.forecast(view.context, kpi_id, final, None)
        fc = [f for f in forecast or [] if f.get("currency") in (None, cur or None)]
        target = (targets.get((kpi_id, cur or None)) or targets.get((kpi_id, None)) or {})
        figures[f"kpi-trend-{i}"] = web_figures.trend(
            {"kpi": kpi_id, "currency": cur or None, "points": points, "forecast": fc},
            title, unit, target=target.get("target"),
            anomalies=_markers(found.get("rows") or [], points, cur, grain),
        )
    drill: dict[str, Any]
    if by is None:
        drill = section(
            "Drill-down",
            "empty",
            "Choose a dimension to break this KPI down.",
            dimension=None,
            rows=[],
        )
    else:
        rows = sources.kpi_rows(
            view.context, [kpi_id], grain=grain, start=start, end=shown_end, by=(by,)
        )
        _label_partial(rows, cut, grain)
        latest = max((r["period_start"] for r in rows if not r.get("partial")), default=None)
        last = sorted(
            (r for r in rows if r["period_start"] == latest),
            key=lambda r: -(float(r["value"]) if r.get("value") is not None else 0),
        )
        drill = section(
            "Drill-down",
            "ok" if last else "empty",
            "" if last else "No rows for this dimension.",
            dimension=by,
            period_start=latest,
            rows=last,
            series=rows,
        )
        if last:
            figures["kpi-drill"] = web_figures.drill(last, by, title, unit, latest)
    peers = guarded("Peers", lambda: _peers(view, kpi_id, scope))
    return {
        "kpi": meta[kpi_id],
        "grain": grain,
        "by": by,
        "start": start,
        "end": end,
        "period": {"label": judged.label, "start": judged.start, "end": judged.end,
                   "reason": judged.reason, "describe": judged.describe()},
        "as_of": cut.to_dict(),
        "running": (_running(view, kpi_id, cut, grain, meta[kpi_id].get("unit"))
                    if end is None else None),
        "scope": scope,
        "dimensions": [d for d in dims if d not in scope],
        "drill_choices": choices,
        "anomalies": found,
        "series": series,
        "target": [{"currency": k[1], **v} for k, v in targets.items()],
        "trend": guarded("Trend", lambda: _trend(view, kpi_id, grain)),
        "drilldown": drill,
        "peers": peers,
        "figures": figures,
    }


def _anomalies(view: Any, kpi_id: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Anomalies of this KPI over the charted range, with expected, actual and drivers."""
    if not hasattr(view, "anomalies"):
        raise sources.PartMissing("No data yet: anomaly detection is not available.")
    rows = sources._records(view.anomalies(kpi_id, start=start, end=end))
    shown = [{k: r.get(k) for k in ANOMALY_COLUMNS if k in r} for r in rows]
    for r in shown:
        for k in ("start", "end"):
            if r.get(k) is not None:
                r[k] = dt.date.fromisoformat(str(r[k])[:10])
    return section("Anomalies", "ok" if shown else "empty",
                   "" if shown else "No anomalies in the charted range.", rows=shown)


def _markers(
    found: list[dict[str, Any]], points: list[dict[str, Any]], currency: str, grain: str
) -> list[dict[str, Any]]:
    """Anomaly markers on the series: at the period holding each anomaly's first day, on the
    period's value, with the dollar impact and drivers on hover."""
    out = []
    starts = sorted(p["period_start"] for p in points)
    value = {p["period_start"]: p.get("value") for p in points}
    for a in found:
        if (a.get("currency") or "") != currency or a.get("start") is None:
            continue
        holder = max((s for s in starts if s <= a["start"]), default=None)
        if holder is None or value.get(holder) is None:
            continue
        drivers = a.get("drivers") or ""
        text = (f"{a['start']}: {fmt(a.get('delta'), 'currency')} {currency} "
                f"({pct(a.get('delta_pct'))}, {a.get('severity') or ''}) {drivers}").strip()
        out.append({"x": holder, "y": value[holder], "text": text})
    return out


def _label_partial(rows: list[dict[str, Any]], cut: AsOf, grain: str) -> None:
    """Mark each row of a period the cutoff does not cover entirely: "partial: 1 of 31 days"."""
    for r in rows:
        note = cut.period(r["period_start"], grain).partial_note if cut.day else None
        if note:
            r["partial"] = note


def _running(
    view: Any, kpi_id: str, cut: AsOf, grain: str, unit: str | None
) -> dict[str, Any] | None:
    """The running period's values to date, labelled partial (None when it is complete); an
    amount of money is also projected to the period's end at the pace so far."""
    running = cut.running(grain)
    if running is None or running.complete:
        return None
    rows = sources.kpi_rows(view.context, [kpi_id], grain=grain, start=running.start,
                            end=running.last_day)
    shown = []
    for r in rows:
        row = {k: r.get(k) for k in ("currency", "value", "note")}
        if unit == "currency" and r.get("value") is not None and running.days_covered:
            row["projected"] = float(r["value"]) * running.days_total / running.days_covered
        shown.append(row)
    return {"label": running.label, "partial": running.partial_note, "rows": shown,
            "projection": "straight-line pace to the period's end" if unit == "currency"
            else None}


def _trend(view: Any, kpi_id: str, grain: str) -> dict[str, Any]:
    if not hasattr(view, "track"):
        raise sources.PartMissing("No data yet: trend tracking is not available.")
    result = view.track(kpi_id, grain=grain)
    rows = sources._records(getattr(result, "trends", result))
    keep = (
        "currency",
        "first",
        "last",
        "n",
        "direction",
        "slope",
        "slope_pct",
        "p_value",
        "assessment",
    )
    rows = [{k: r.get(k) for k in keep if k in r} for r in rows]
    return section("Trend", "ok" if rows else "empty", "" if rows else "No trend yet.", rows=rows)


def _peers(view: Any, kpi_id: str, scope: dict[str, str]) -> dict[str, Any]:
    if scope:
        raise ScopeUnsupported("peer comparisons span other teams; hidden for scoped tokens")
    bench = getattr(view, "benchmark", None)
    if bench is None:
        raise sources.PartMissing("No data yet: benchmarking is not available.")
    dims = [d for d, spec in view.project.dimensions.items() if spec.allocation]
    if not dims:
        return section("Peers", "empty", "No allocation dimension to compare.", rows=[])
    rows = sources._bench_section(bench(kpi_id, by=(dims[0],), against=("peers",)), "peers")
    latest = max((r["period_start"] for r in rows if r.get("period_start")), default=None)
    cols = (dims[0], *sources.PEER_COLUMNS)
    rows = [{c: r.get(c) for c in cols} for r in rows if r.get("period_start") == latest]
    return section(
        "Peers",
        "ok" if rows else "empty",
        f"{dims[0]} peers in {latest}" if rows else "No peer values.",
        rows=rows,
    )


def kpi_params(
    kpi_id: str,
    grain: str = "month",
    by: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    return {"kpi_id": kpi_id, "grain": grain, "by": by or None, "start": start, "end": end,
            "as_of": as_of}


def build(ask: Ask) -> dict[str, Any]:
    p = ask.params
    return kpi_detail(ask.view, p["kpi_id"], grain=p["grain"], by=p["by"], start=p["start"],
                      end=p["end"], as_of=p["as_of"])


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The series, or the drill-down's series when a dimension is chosen, with the KPI's
    unit beside each value (as in ``costmark kpi -f csv``)."""
    unit = data["kpi"].get("unit")
    if data.get("by"):
        drilled: list[dict[str, Any]] = data["drilldown"].get("series") or []
        return with_units(drilled, lambda _: unit)
    return with_units(data["series"], lambda _: unit)


PAGE = Page(
    slug="kpi",
    title="KPI",
    path="/kpi/{kpi_id}",
    api="/api/kpi/{kpi_id}",
    csv="/export/kpi/{kpi_id}.csv",
    params=kpi_params,
    build=build,
    table=rows,
    heading=lambda data: str(data["kpi"]["title"]),
)


def catalog(ask: Ask) -> dict[str, Any]:
    return {"rows": sources.catalog(ask.context)}
