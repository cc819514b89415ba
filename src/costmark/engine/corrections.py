"""KPIs of a corrected period say so.

A period whose charges were corrected after their first delivery (a delta or ledger delivery,
a replacement that changed stored days, correction rows of a closed period delivered later;
``costmark.ingest.corrections`` records them) may differ from what was reported before: a
tracked series, a target status or an earlier report changed under the reader. Each KPI row of
such a period gets a note naming the deliveries, so the change is explained where it is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import duckdb

from costmark.engine import memo, periods

_MAX_NAMED = 3


def _corrections(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    try:
        return con.execute(
            "SELECT delivery, file, billing_period, charge_from, charge_to, rows FROM corrections "
            "WHERE ingest_id IN (SELECT DISTINCT x_IngestId FROM costs) OR delivery = "
            "'replacement' ORDER BY recorded_at, file"
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before corrections were recorded
        return []


def _moment(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def note_for(found: list[tuple[Any, ...]], start: dt.date, end: dt.date,
             billing: bool) -> str | None:
    """The note for the period [start, end), or None when nothing in it was corrected.
    Charge-period KPIs look at the corrected charge span [charge_from, charge_to); invoice
    views at the billing period the correction was delivered in."""
    lo_p, hi_p = _moment(start), _moment(end)
    assert lo_p is not None and hi_p is not None
    hits = []
    for delivery, file, period, first, last, _rows in found:
        if billing:
            day = _moment(period)
            inside = day is not None and lo_p <= day < hi_p
        else:
            lo, hi = _moment(first), _moment(last)
            if lo is None:
                continue
            # [lo, hi) overlaps [lo_p, hi_p); a span without an end is the instant lo
            inside = lo < hi_p and (hi > lo_p if hi is not None and hi > lo else lo >= lo_p)
        if inside:
            name = str(file).replace("\\", "/").rsplit("/", 1)[-1]
            hits.append(f"{delivery} ({name})")
    if not hits:
        return None
    unique = list(dict.fromkeys(hits))
    more = f" and {len(unique) - _MAX_NAMED} more" if len(unique) > _MAX_NAMED else ""
    return "period corrected after its first delivery: " + ", ".join(unique[:_MAX_NAMED]) + more


def annotate(con: duckdb.DuckDBPyConnection, grain: str, rows: list[dict[str, Any]],
             time_columns: Mapping[str, str]) -> None:
    """Append the correction note to every row of a corrected period (in place)."""
    # one read per report (``memo.one_pass``): the list is only read here
    found = memo.remember((con,), "corrections", lambda: _corrections(con))
    if not found:
        return
    cache: dict[tuple[dt.date, bool], str | None] = {}
    for row in rows:
        start = row.get("period_start")
        if start is None:
            continue
        start = periods.as_date(start)
        billing = time_columns.get(row.get("kpi", ""), "") == "BillingPeriodStart"
        if (start, billing) not in cache:
            cache[(start, billing)] = note_for(found, start, periods.period_end(start, grain),
                                               billing)
        note = cache[(start, billing)]
        if note:
            row["note"] = f"{row['note']}; {note}" if row.get("note") else note
