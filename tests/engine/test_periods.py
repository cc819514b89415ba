"""Period arithmetic agrees with the SQL truncation (ISO weeks, quarters, leap days)."""

from __future__ import annotations

import datetime as dt

import pytest

from costmark.engine import periods
from costmark.errors import UsageError

D = dt.date


@pytest.mark.parametrize(("day", "grain", "start"), [
    (D(2021, 1, 3), "week", D(2020, 12, 28)),  # Sunday belongs to the ISO week of Monday 28th
    (D(2024, 12, 31), "week", D(2024, 12, 30)),
    (D(2024, 8, 15), "quarter", D(2024, 7, 1)),
    (D(2024, 2, 29), "month", D(2024, 2, 1)),
    (D(2024, 2, 29), "year", D(2024, 1, 1)),
    (D(2024, 2, 29), "day", D(2024, 2, 29)),
])
def test_truncate(day: dt.date, grain: str, start: dt.date) -> None:
    assert periods.truncate(day, grain) == start


def test_shift_and_lengths() -> None:
    assert periods.shift(D(2024, 11, 1), "quarter", 1) == D(2025, 2, 1)
    assert periods.shift(D(2024, 1, 1), "month", -1) == D(2023, 12, 1)
    assert periods.period_days(D(2024, 2, 1), "month") == 29
    assert periods.year_before(D(2024, 2, 29), "day") == D(2023, 2, 28)
    assert periods.year_before(D(2024, 3, 4), "week") == D(2023, 3, 6)


def test_grain_and_dates_are_checked() -> None:
    with pytest.raises(UsageError, match="did you mean 'month'"):
        periods.check_grain("months")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        periods.as_date("last tuesday")


def test_one_home_for_periods() -> None:
    """Tracking (pandas) and reports (cadences) answer from engine.periods: same starts, same
    neighbours, one grain list (the copies drifted before: #12)."""
    import pandas as pd

    from costmark.reports.periods import period_containing
    from costmark.tracking import periods as tp

    assert tp.GRAINS is periods.GRAINS
    for grain in periods.GRAINS:
        for day in (dt.date(2024, 2, 29), dt.date(2023, 12, 31), dt.date(2024, 1, 1)):
            start = periods.truncate(day, grain)
            assert tp.period_start(pd.Timestamp(day), grain).date() == start
            before = periods.shift(start, grain, -1)
            assert tp.shift(pd.Timestamp(start), grain, -1).date() == before
            assert tp.period_end(pd.Timestamp(start), grain).date() == (
                periods.period_end(start, grain) - dt.timedelta(days=1))
    assert period_containing("monthly", dt.date(2024, 3, 31)).shift(-1).start == dt.date(2024, 2, 1)
    # a day that is not a period start keeps its day of month, clipped (29 Feb -> 28 Feb)
    assert periods.shift(dt.date(2024, 1, 31), "month", 1) == dt.date(2024, 2, 29)
    assert periods.year_before(dt.date(2024, 2, 29), "day") == dt.date(2023, 2, 28)
