"""Build a report's context: plain numbers from the services, no formatting, no HTML.

Every renderer (html, md, pdf, json) reads the same context, so the JSON carries exactly the
numbers the HTML shows. Each section has a ``status``: ``ok``, ``empty`` (the part exists but
has no data for this period) or ``unavailable`` (the part is not installed or not visible to a
scoped token), with a ``note`` saying why — a section never vanishes silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark import money, progress
from costmark.engine import memo
from costmark.engine.asof import AsOf, Extent, data_extent, parse_as_of
from costmark.errors import CostmarkError
from costmark.kpis.ranges import TINY_BASE_SHARE
from costmark.reports import cache, sources
from costmark.reports.periods import HISTORY, Period, parse_period
from costmark.reports.sources import section
from costmark.version import __version__

if TYPE_CHECKING:
    from costmark.engine.context import Context

#: KPIs charted as trends when the catalog has them (first ones that exist, in this order).
TREND_KPIS = (
    "total_cost",
    "effective_savings_rate",
    "commitment_coverage",
    "allocation_coverage",
    "untagged_cost_share",
    # FOCUS 1.3/1.4: charted only when the data has them (a series of nulls is left out)
    "commitment_coverage_eligible",
    "allocation_coverage_taggable",
    "contract_consumed",
    "contract_projected_shortfall",
    "ai_cost_per_1k_tokens",
)
MOVER_LIMIT = 5


def guarded(title: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one section builder; a missing part or a scoping refusal becomes a visible note."""
    try:
        return build()
    except sources.PartMissing as exc:
        return section(title, "unavailable", str(exc))
    except CostmarkError as exc:
        return section(title, "unavailable", str(exc).splitlines()[0])
    except Exception as exc:  # one broken part must not take the whole report down
        first = (str(exc).splitlines() or [""])[0]
        return section(title, "error", f"This section failed: {type(exc).__name__}: {first}")


def cutoff(ws: Context, as_of: Any = None, *, stamp: str | None = None) -> AsOf:
    """The report's cutoff: ``as_of`` when given, else the last day of the data ``ws`` sees
    (no data, or no KPI engine: an empty extent, and every section says "No data yet").
    The data's extent is read once per data change (``stamp``: see ``reports.cache``)."""
    given = parse_as_of(as_of)
    try:
        extent = cache.cached(ws, stamp or cache.stamp(ws), ("extent",),
                              lambda: data_extent(ws.engine))
        return AsOf(extent, given)
    except CostmarkError:
        return AsOf(Extent(None, None), given)


#: Sections whose numbers come from loaded data and costmark.yaml only (cached per data
#: change); maturity and iteration goals read their own tables and are always read anew.
DATA_SECTIONS = ("scorecard", "trends", "movers", "anomalies", "budgets", "peers", "industry")


def _cacheable(sec: dict[str, Any]) -> bool:
    """ok and empty sections are answers; an error may be transient and is retried."""
    return sec.get("status") in ("ok", "empty")


def build_context(
    ws: Context,
    *,
    cadence: str = "monthly",
    period: str | None = None,
    as_of: Any = None,
    kpis: Sequence[str] | None = None,
    today: dt.date | None = None,
    sections: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The whole report as data, as the context ``ws`` (scoped or not) sees it.

    The default period is the latest complete one of the data ``ws`` sees (``as_of``: the last
    day counted, when given); ``today`` is the older name of ``as_of``. ``sections``: only
    these (a dashboard page showing two sections need not compute nine). Data sections are
    cached per data change (``reports.cache``)."""
    with memo.one_pass():  # a request two sections (or forecasts) share is computed once
        return _build(ws, cadence, period, as_of if as_of is not None else today, kpis,
                      sections)


def _build(ws: Context, cadence: str, period: str | None, as_of: Any,
           kpis: Sequence[str] | None, sections: Sequence[str] | None) -> dict[str, Any]:
    stamp = cache.stamp(ws)
    cut = cutoff(ws, as_of, stamp=stamp)
    p = parse_period(cadence, period, cut)
    catalog = sources.catalog(ws)
    ids = list(kpis) if kpis else [c["id"] for c in catalog]
    scope = dict(ws.scope)
    builders: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
        "scorecard": ("KPI scorecard", lambda: scorecard(ws, p, ids, catalog)),
        "trends": ("Trends and forecasts", lambda: trends(ws, p, ids)),
        "movers": ("Top movers", lambda: movers(ws, p)),
        "anomalies": ("Anomalies", lambda: sources.anomalies(ws, p)),
        "budgets": ("Budget status", lambda: sources.budgets(ws, p)),
        "peers": ("Peer league tables", lambda: sources.peers(ws, p)),
        "industry": ("Industry standing", lambda: sources.industry(ws, p)),
        "maturity": ("Maturity", lambda: sources.maturity(ws)),
        "iteration": ("Current iteration goals", lambda: sources.iteration(ws)),
    }
    period_key = (p.cadence, p.start, p.end, p.partial, cut.to_dict(), tuple(ids))
    built: dict[str, dict[str, Any]] = {}
    for key, (title, build) in builders.items():
        if sections is not None and key not in sections:
            continue
        progress.note(f"report {p.label}: {title.lower()}")
        if key in DATA_SECTIONS:
            built[key] = cache.cached(
                ws, stamp, ("section", key, *period_key), partial(guarded, title, build),
                keep=_cacheable,
            )
        else:
            built[key] = guarded(title, build)
    return {
        "title": f"{ws.project.name}: {cadence} report {p.label}",
        "project": ws.project.name,
        "cadence": cadence,
        "period": {
            "label": p.label,
            "start": p.start,
            "end": p.end,
            "previous": p.shift(-1).label,
            "grain": p.grain,
            "reason": p.reason,
            "complete": p.partial is None,
            "days_covered": p.days_covered,
            "days_total": p.days_total,
            "partial": p.partial,
            "describe": p.describe(),
        },
        "as_of": cut.to_dict(),
        "scope": scope,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None),
        "costmark_version": __version__,
        "sections": built,
    }


def _num(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return float(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def scorecard(
    ws: Context, p: Period, ids: list[str], catalog: list[dict[str, Any]]
) -> dict[str, Any]:
    title = "KPI scorecard"
    if not ids:
        raise sources.PartMissing("No data yet: the KPI engine is not available.")
    prev = p.shift(-1)
    rows = sources.kpi_rows(ws, ids, grain=p.grain, start=prev.start, end=p.end)
    meta = {c["id"]: c for c in catalog}
    current = _by_key(rows, p.start)
    before = _by_key(rows, prev.start)
    targets = sources.targets(ws, ids, p)
    out = []
    for (kpi, currency), row in sorted(current.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        value = row.get("value")
        old = before.get((kpi, currency), {}).get("value")
        change = None
        change_pct = None
        if value is not None and old is not None:
            change = _sub(value, old)
            base, now = _num(old) or 0.0, abs(_num(value) or 0.0)
            # the KPI engine's tiny-base rule: no relative change from zero, a negative base,
            # or a base under 1% of the amount now (that reads as +10,000% and more)
            if base > 0 and base >= float(TINY_BASE_SHARE) * now:
                change_pct = (_num(value) or 0.0) / base - 1.0
        info = meta.get(kpi, {})
        target = targets.get((kpi, currency)) or targets.get((kpi, None)) or {}
        out.append(
            {
                "kpi": kpi,
                "title": info.get("title", kpi),
                "unit": info.get("unit"),
                "direction": info.get("direction"),
                "currency": currency,
                "value": value,
                "previous": old,
                "change": change,
                "change_pct": change_pct,
                "target": target.get("target"),
                "target_status": target.get("status", "no target"),
                "note": row.get("note"),
            }
        )
    if not out:
        return section(title, "empty", f"No data yet for {p.label}: no KPI values.", rows=[])
    return section(title, "ok", rows=out)


def _sub(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return money.CONTEXT.subtract(a, b)  # exact (the default context keeps 28 digits)
    return (_num(a) or 0.0) - (_num(b) or 0.0)


def _day(v: Any) -> dt.date | None:
    if v is None:
        return None
    return pd.Timestamp(v).date()


def _by_key(rows: list[dict[str, Any]], start: dt.date) -> dict[tuple[str, Any], dict[str, Any]]:
    return {(r["kpi"], r.get("currency")): r for r in rows if _day(r.get("period_start")) == start}


def trends(ws: Context, p: Period, ids: list[str]) -> dict[str, Any]:
    title = "Trends and forecasts"
    chosen = [k for k in TREND_KPIS if k in ids] or ids[:3]
    if not chosen:
        raise sources.PartMissing("No data yet: the KPI engine is not available.")
    first = p.shift(-(HISTORY[p.cadence] - 1))
    rows = sources.kpi_rows(ws, chosen, grain=p.grain, start=first.start, end=p.end)
    charts = []
    forecasts: dict[str, list[dict[str, Any]]] = {}
    for kpi in chosen:
        series: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            if r["kpi"] != kpi or _day(r.get("period_start")) is None:
                continue
            day = _day(r["period_start"])
            if day is None or day >= p.end:
                continue
            series.setdefault(r.get("currency") or "", []).append(
                {"period_start": day, "value": r.get("value")}
            )
        series = {c: pts for c, pts in series.items()
                  if any(pt["value"] is not None for pt in pts)}
        if series and kpi not in forecasts:
            forecasts[kpi] = sources.forecast(ws, kpi, p, None)
        for currency, points in sorted(series.items()):
            points.sort(key=lambda x: x["period_start"])
            charts.append(
                {
                    "kpi": kpi,
                    "currency": currency or None,
                    "points": points,
                    "forecast": [
                        f for f in forecasts[kpi] if f.get("currency") in (None, currency or None)
                    ],
                }
            )
    if not charts:
        return section(title, "empty", f"No data yet up to {p.label}.", charts=[])
    return section(title, "ok", charts=charts)


def movers(ws: Context, p: Period) -> dict[str, Any]:
    """Which dimension values moved total cost most between the previous and this period."""
    title = "Top movers"
    dims = [d for d in ws.project.dimensions if d not in ws.scope]
    if not dims:
        return section(title, "empty", "No dimensions declared in costmark.yaml.", tables=[])
    prev = p.shift(-1)
    tables = []
    for dim in dims[:6]:
        rows = sources.kpi_rows(
            ws, ["total_cost"], grain=p.grain, start=prev.start, end=p.end, by=(dim,)
        )
        now: dict[tuple[Any, Any], Any] = {}
        then: dict[tuple[Any, Any], Any] = {}
        for r in rows:
            day = _day(r.get("period_start"))
            key = (r.get(dim), r.get("currency"))
            if day == p.start:
                now[key] = r.get("value")
            elif day == prev.start:
                then[key] = r.get("value")
        moves = []
        for key in set(now) | set(then):
            a = now.get(key) if now.get(key) is not None else Decimal(0)
            b = then.get(key) if then.get(key) is not None else Decimal(0)
            delta = _sub(a, b)
            moves.append(
                {dim: key[0], "currency": key[1], "current": a, "previous": b, "change": delta}
            )
        moves.sort(key=lambda m: -abs(_num(m["change"]) or 0.0))
        if moves:
            tables.append({"dimension": dim, "rows": moves[:MOVER_LIMIT]})
    if not tables:
        return section(title, "empty", f"No cost in {p.label} or {prev.label}.", tables=[])
    return section(title, "ok", tables=tables)
