"""Prometheus text exposition of the latest value of each KPI, total and by dimension.

    costmark_kpi{kpi="total_cost",currency="USD",grain="month",period="2026-11-01"} 1234.5
    costmark_kpi_by_dimension{kpi="total_cost",currency="USD",grain="month",
        period="2026-11-01",dimension="team",value="payments"} 321.0

Dimension values travel in a ``value`` label so user-defined names never become label names;
every label value is escaped as the format requires (backslash, double quote, newline).
For a scoped token both metrics are computed inside the scope only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from costmark.reports import sources

GRAIN = "month"


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


def exposition(view: Any, dimensions: Sequence[str], today: dt.date | None = None) -> str:
    ids = [c["id"] for c in sources.catalog(view)]
    lines = [
        "# HELP costmark_up 1 when the KPI engine answered.",
        "# TYPE costmark_up gauge",
    ]
    if not ids:
        return "\n".join([*lines, "costmark_up 0", ""])
    today = today or dt.datetime.now(dt.UTC).date()
    start = dt.date(today.year - 1, today.month, 1)
    totals = sources.kpi_rows(view, ids, grain=GRAIN, start=start)
    lines += [
        "costmark_up 1",
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
        rows = sources.kpi_rows(view, ids, grain=GRAIN, start=start, by=(dim,))
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
