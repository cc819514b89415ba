"""Calendar periods at each grain: where a period starts, the next one, how long it is.

Weeks are ISO weeks (Monday start), months/quarters/years are calendar-aligned, matching the
KPI engine's ``period_start``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from costmark.errors import UsageError

GRAINS = ("day", "week", "month", "quarter", "year")

#: How many periods make a year at each grain (for year-over-year and seasonality).
PERIODS_PER_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
#: A sensible rolling-mean window per grain.
ROLLING_WINDOW = {"day": 7, "week": 4, "month": 3, "quarter": 4, "year": 3}
#: pandas frequency of regular period starts.
FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


def check_grain(grain: str) -> str:
    if grain not in GRAINS:
        raise UsageError(f"unknown grain {grain!r}; use one of {', '.join(GRAINS)}")
    return grain


def period_start(day: dt.date | pd.Timestamp, grain: str) -> pd.Timestamp:
    ts = pd.Timestamp(day).normalize()
    if grain == "day":
        return ts
    if grain == "week":
        return ts - pd.Timedelta(days=ts.weekday())
    if grain == "month":
        return ts.replace(day=1)
    if grain == "quarter":
        return ts.replace(month=3 * ((ts.month - 1) // 3) + 1, day=1)
    return ts.replace(month=1, day=1)


def shift(start: pd.Timestamp, grain: str, n: int) -> pd.Timestamp:
    """The start of the period ``n`` periods after (or before, n < 0) ``start``."""
    if grain == "day":
        return start + pd.Timedelta(days=n)
    if grain == "week":
        return start + pd.Timedelta(weeks=n)
    if grain == "month":
        return start + pd.DateOffset(months=n)
    if grain == "quarter":
        return start + pd.DateOffset(months=3 * n)
    return start + pd.DateOffset(years=n)


def year_ago(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """The same period a year earlier: 52 ISO weeks for weeks (keeps Monday), else the date."""
    if grain == "week":
        return start - pd.Timedelta(weeks=52)
    return start - pd.DateOffset(years=1)


def period_end(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """The last day of the period that starts at ``start``."""
    return shift(start, grain, 1) - pd.Timedelta(days=1)


def days_in(start: pd.Timestamp, grain: str) -> int:
    return int((shift(start, grain, 1) - start).days)


def shift_all(starts: pd.Series, grain: str, n: int) -> pd.Series:
    """``shift`` for a whole column of period starts at once (vectorised)."""
    starts = pd.to_datetime(starts)
    if grain == "day":
        return starts + pd.Timedelta(days=n)
    if grain == "week":
        return starts + pd.Timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * n
    return starts + pd.DateOffset(months=months)


def year_ago_all(starts: pd.Series, grain: str) -> pd.Series:
    """``year_ago`` for a whole column (52 ISO weeks for weeks, else the same date)."""
    starts = pd.to_datetime(starts)
    if grain == "week":
        return starts - pd.Timedelta(weeks=52)
    return starts - pd.DateOffset(years=1)
