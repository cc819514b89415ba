"""Report periods: which day, ISO week or month a report covers, and the one before it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from costmark.errors import UsageError

GRAIN = {"daily": "day", "weekly": "week", "monthly": "month"}
#: How many periods the trend charts show, per cadence.
HISTORY = {"daily": 31, "weekly": 13, "monthly": 13}


@dataclass(frozen=True)
class Period:
    cadence: str
    start: dt.date
    end: dt.date  # exclusive
    label: str

    @property
    def grain(self) -> str:
        return GRAIN[self.cadence]

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (negative: earlier)."""
        return period_containing(self.cadence, _step(self.start, self.cadence, n))


def _step(day: dt.date, cadence: str, n: int) -> dt.date:
    if cadence == "daily":
        return day + dt.timedelta(days=n)
    if cadence == "weekly":
        return day + dt.timedelta(weeks=n)
    month = day.year * 12 + day.month - 1 + n
    return dt.date(month // 12, month % 12 + 1, 1)


def period_containing(cadence: str, day: dt.date) -> Period:
    if cadence not in GRAIN:
        raise UsageError(f"cadence {cadence!r} must be one of daily, weekly, monthly")
    if cadence == "daily":
        return Period(cadence, day, day + dt.timedelta(days=1), day.isoformat())
    if cadence == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period(cadence, start, start + dt.timedelta(days=7), f"{year}-W{week:02d}")
    start = day.replace(day=1)
    return Period(cadence, start, _step(start, "monthly", 1), start.strftime("%Y-%m"))


#: Years a requested period may lie in. Why: a report reaches back HISTORY periods and one
#: forward, and ``?period=0001-01-01`` stepped below year 1 (an HTTP 500); no bill is that old
#: or that far ahead, so such a period is the user's typo, answered as one.
YEARS = (1900, 9000)


def _plausible(day: dt.date, text: str) -> dt.date:
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise UsageError(
            f"--period {text!r} lies outside the years {YEARS[0]}-{YEARS[1]} a report can cover"
        )
    return day


def parse_period(cadence: str, text: str | None, today: dt.date | None = None) -> Period:
    """``None`` -> the last complete period before ``today``; else ``2026-10`` (monthly),
    ``2026-W42`` (weekly), or any ISO date inside the period (years 1900-9000)."""
    today = today or dt.datetime.now(dt.UTC).date()
    if not text:
        return period_containing(cadence, today).shift(-1)
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", text):
            if cadence != "weekly":
                raise UsageError(f"--period {text} is a week; use --cadence weekly")
            day = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            day = dt.date.fromisoformat(text + "-01")
        else:
            day = dt.date.fromisoformat(text)
        return period_containing(cadence, _plausible(day, text))
    except ValueError:
        raise UsageError(
            f"--period {text!r} is not a period: use 2026-10 (month), 2026-W42 (ISO week) "
            f"or 2026-10-14 (a day)"
        ) from None
