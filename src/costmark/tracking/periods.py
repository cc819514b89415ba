"""Calendar periods at each grain for pandas: where a period starts, the next one, how long.

The arithmetic is ``costmark.engine.periods`` (the one home of periods and grains); this module
only carries it over to pandas timestamps and whole columns, plus tracking's per-grain settings.
Weeks are ISO weeks (Monday start), months/quarters/years are calendar-aligned, matching the
KPI engine's ``period_start``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from costmark.engine import periods
from costmark.engine.periods import GRAINS, check_grain

__all__ = ["FREQ", "GRAINS", "PERIODS_PER_YEAR", "ROLLING_WINDOW", "check_grain", "days_in",
           "period_end", "period_start", "shift", "shift_all", "year_ago", "year_ago_all"]

#: How many periods make a year at each grain (for year-over-year and seasonality).
PERIODS_PER_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
#: A sensible rolling-mean window per grain.
ROLLING_WINDOW = {"day": 7, "week": 4, "month": 3, "quarter": 4, "year": 3}
#: pandas frequency of regular period starts.
FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


def _date(value: dt.date | pd.Timestamp) -> dt.date:
    return pd.Timestamp(value).date()


def period_start(day: dt.date | pd.Timestamp, grain: str) -> pd.Timestamp:
    return pd.Timestamp(periods.truncate(_date(day), grain))


def shift(start: pd.Timestamp, grain: str, n: int) -> pd.Timestamp:
    """The start of the period ``n`` periods after (or before, n < 0) ``start``."""
    return pd.Timestamp(periods.shift(_date(start), grain, n))


def year_ago(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """The same period a year earlier: 52 ISO weeks for weeks (keeps Monday), else the date."""
    return pd.Timestamp(periods.year_before(_date(start), grain))


def period_end(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """The last day of the period that starts at ``start`` (inclusive, unlike the engine's
    exclusive ``period_end``)."""
    return pd.Timestamp(periods.period_end(_date(start), grain)) - pd.Timedelta(days=1)


def days_in(start: pd.Timestamp, grain: str) -> int:
    return periods.period_days(_date(start), grain)


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
