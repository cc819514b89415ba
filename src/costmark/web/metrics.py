"""Prometheus text exposition of each KPI in the latest complete month, total and by dimension.

The month is the one every command judges (``costmark.engine.asof``): the latest complete month
of the data in scope, or the latest complete one as of ``?as_of=DAY``; a running month is never
exported as if it were a month. ``costmark_period_info`` says which month and why:

    costmark_period_info{period="2026-11-01",label="2026-11",reason="latest complete month ..."} 1
    costmark_kpi{kpi="total_cost",currency="USD",grain="month",period="2026-11-01"} 1234.5
    costmark_kpi_by_dimension{kpi="total_cost",currency="USD",grain="month",
        period="2026-11-01",dimension="team",value="payments"} 321.0

Dimension values travel in a ``value`` label so user-defined names never become label names;
every label value is escaped as the format requires (backslash, double quote, newline).
For a scoped token both metrics are computed inside the scope only.

Scrapes come every 15-60 s; the values change only when data is loaded or removed or
costmark.yaml changes. So the exposition is computed once per data change (keyed by the stamp
of ``costmark.reports.cache``: the warehouse's data version, the definitions, the scope) and
every other scrape is answered from memory, well inside Prometheus's scrape timeout. Writes
that change no data (sessions, tokens, report and alert logs) do not invalidate it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costmark.reports import cache, sources
from costmark.reports.context import cutoff

GRAIN = "month"
#: Expositions by (stamp, dimensions, as_of): a few scopes and dimension sets per workspace.
_computed = cache.MemoryCache(size=32)


def escape(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: Any) -> str:
    return ",".join(f'{k}="{escape(v)}"' for k, v in labels.items() if v is not None)


def _number(value: Any) -> str | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if f != f:
        return None
    return repr(f)


def _latest(rows: list[dict[str, Any]], keys: Sequence[str]) -> dict[tuple[Any, ...], dict]:
    best: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        if r.get("value") is None:
            continue
        k = tuple(r.get(x) for x in keys)
        if k not in best or r["period_start"] > best[k]["period_start"]:
            best[k] = r
    return best


def default_dimensions(ws: Any) -> list[str]:
    """The dimensions exported when a scrape names none: the allocation dimensions."""
    return [d for d, spec in ws.project.dimensions.items() if getattr(spec, "allocation", False)]


def exposition(view: Any, dimensions: Sequence[str], as_of: Any = None) -> str:
    """The exposition text for ``view``, computed once per data change (see the module doc)."""
    stamp = cache.stamp(view)
    if stamp is None or not cache.enabled():
        return compute(view, dimensions, as_of)
    key = (stamp, tuple(dimensions), str(as_of))
    return _computed.get_or_compute(key, lambda: compute(view, dimensions, as_of, stamp=stamp))


def compute(
    view: Any, dimensions: Sequence[str], as_of: Any = None, *, stamp: str | None = None
) -> str:
    """The exposition computed from the KPI engine (no cache)."""
    ids = [c["id"] for c in sources.catalog(view.context)]
    lines = [
        "# HELP costmark_up 1 when the KPI engine answered.",
        "# TYPE costmark_up gauge",
    ]
    if not ids:
        return "\n".join([*lines, "costmark_up 0", ""])
    judged = cutoff(view.context, as_of, stamp=stamp).latest_complete(GRAIN)
    if judged is None:
        return "\n".join([*lines, "costmark_up 1", "# no cost data in scope yet", ""])
    start, end = judged.start, judged.last_day
    totals = sources.kpi_rows(view.context, ids, grain=GRAIN, start=start, end=end)
    lines += [
        "costmark_up 1",
        "# HELP costmark_period_info The month the values below judge, and why.",
        "# TYPE costmark_period_info gauge",
        f"costmark_period_info{{{_labels(period=start, label=judged.label, reason=judged.reason)}}}"
        " 1",
        "# HELP costmark_kpi Latest value of each KPI (monthly grain).",
        "# TYPE costmark_kpi gauge",
    ]
    for (kpi, cur), r in sorted(
        _latest(totals, ("kpi", "currency")).items(), key=lambda kv: (kv[0][0], str(kv[0][1]))
    ):
        num = _number(r["value"])
        if num is not None:
            labels = _labels(kpi=kpi, currency=cur, grain=GRAIN, period=r["period_start"])
            lines.append(f"costmark_kpi{{{labels}}} {num}")
    lines += [
        "# HELP costmark_kpi_by_dimension Latest value of each KPI per dimension value.",
        "# TYPE costmark_kpi_by_dimension gauge",
    ]
    for dim in dimensions:
        rows = sources.kpi_rows(view.context, ids, grain=GRAIN, start=start, end=end,
                                by=(dim,))
        latest = _latest(rows, ("kpi", "currency", dim))
        for (kpi, cur, val), r in sorted(latest.items(), key=lambda kv: tuple(map(str, kv[0]))):
            num = _number(r["value"])
            if num is not None:
                labels = _labels(
                    kpi=kpi,
                    currency=cur,
                    grain=GRAIN,
                    period=r["period_start"],
                    dimension=dim,
                    value=val,
                )
                lines.append(f"costmark_kpi_by_dimension{{{labels}}} {num}")
    return "\n".join(lines) + "\n"
