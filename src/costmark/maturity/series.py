"""KPI series for maturity: per-currency values by period, complete periods only.

Shared by evidence (latest value) and iteration goals (baseline, progress, trend), so both read
the KPI engine's long format the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from costmark.maturity.sources import Source, Unavailable


def _period_end(start: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return start + dt.timedelta(days=1)
    if grain == "week":
        return start + dt.timedelta(days=7)
    if grain == "quarter":
        m = start.month - 1 + 3
        return dt.date(start.year + m // 12, m % 12 + 1, 1)
    if grain == "year":
        return dt.date(start.year + 1, 1, 1)
    m = start.month  # month
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return dt.date.fromisoformat(str(value)[:10])


def complete_bound(source: Source, today: dt.date | None) -> dt.date | None:
    """The exclusive end a complete period may reach: the day after the data's last day, and
    not after ``today`` (the wall clock or a given as-of day) when one is given."""
    try:
        last = source.last_data_date()
    except Unavailable:
        last = None
    ends = [d for d in (today, last + dt.timedelta(days=1) if last else None) if d is not None]
    return min(ends) if ends else None


def kpi_series(
    source: Source,
    kpi: str,
    *,
    grain: str = "month",
    group: tuple[str, str] | None = None,
    today: dt.date | None = None,
    complete_only: bool = True,
    weights: dict[str, float] | None = None,
    until: dt.date | None = None,
) -> dict[str, list[tuple[dt.date, float]]]:
    """Per currency ('' when unitless), the KPI's non-null values by period, oldest first.
    Periods not yet over on ``today`` (exclusive) or not reached by the data are left out when
    ``complete_only``: a half month of cost is not a month of cost, whatever the calendar says
    (the rule of ``costmark.engine.asof``). ``until`` (exclusive) replaces both when the caller
    has already chosen its cutoff (evidence: --as-of, or the data's last day). ``weights``
    receives each currency's latest denominator."""
    by = (group[0],) if group else ()
    rows = source.kpi_rows(kpi, grain=grain, by=by)
    bound = (until or complete_bound(source, today)) if complete_only else None
    out: dict[str, list[tuple[dt.date, float]]] = {}
    for r in rows:
        if r.get("kpi", kpi) != kpi or r.get("value") is None:
            continue
        if group and str(r.get(group[0])) != group[1]:
            continue
        start = as_date(r["period_start"])
        if bound is not None and _period_end(start, grain) > bound:
            continue
        value = float(r["value"])
        if value != value:  # NaN
            continue
        cur = str(r.get("currency") or "")
        out.setdefault(cur, []).append((start, value))
        if weights is not None and r.get("denominator") is not None:
            last = max(p for p, _ in out[cur])
            if start == last:
                weights[cur] = abs(float(r["denominator"]))
    for series in out.values():
        series.sort()
    return out
