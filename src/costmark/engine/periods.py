"""Period arithmetic for grains (day, ISO week, month, quarter, year), in Python and Ibis.

The one home of periods and grains: tracking (pandas timestamps) and reports (cadences) build
on these functions, so a week or a quarter starts on the same day in every command.

Periods are assigned by ``ChargePeriodStart`` (naive UTC). Weeks are ISO weeks (Monday start),
which is what both DuckDB's and Spark's ``date_trunc('week')`` return.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from costmark.errors import UsageError, did_you_mean

if TYPE_CHECKING:  # ibis costs ~0.2 s to import: commands that only do date arithmetic skip it
    import ibis.expr.types as ir

GRAINS = ("day", "week", "month", "quarter", "year")
_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def check_grain(grain: str) -> str:
    if grain not in GRAINS:
        raise UsageError(f"unknown grain {grain!r}{did_you_mean(grain, GRAINS)}; use one of "
                         + ", ".join(GRAINS))
    return grain


def truncate_expr(value: ir.Value, grain: str) -> ir.DateValue:
    """The period start of a timestamp or date column, as a DATE."""
    if grain == "day":
        return value.cast("date")
    return value.truncate(_UNITS[grain]).cast("date")


def truncate(day: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, its day of month clipped to the target month's length
    (a period start, the 1st, stays the 1st)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def shift(period_start: dt.date, grain: str, n: int) -> dt.date:
    """The start of the period ``n`` periods after (negative: before) ``period_start``."""
    if grain == "day":
        return period_start + dt.timedelta(days=n)
    if grain == "week":
        return period_start + dt.timedelta(weeks=n)
    if grain == "month":
        return _add_months(period_start, n)
    if grain == "quarter":
        return _add_months(period_start, 3 * n)
    return _add_months(period_start, 12 * n)


def year_before(period_start: dt.date, grain: str) -> dt.date:
    """The matching period one year earlier (52 weeks for weeks, same date for days)."""
    if grain == "week":
        return period_start - dt.timedelta(weeks=52)
    return _add_months(period_start, -12)  # 29 February -> 28 February


def period_end(period_start: dt.date, grain: str) -> dt.date:
    """Exclusive end of the period."""
    return shift(period_start, grain, 1)


def period_days(period_start: dt.date, grain: str) -> int:
    return (period_end(period_start, grain) - period_start).days


def as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UsageError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
