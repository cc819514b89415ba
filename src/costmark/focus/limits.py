"""Plausibility bounds for values that parse but would poison a workspace.

Why: a value can be perfectly well-formed and still break everything downstream. Rows dated
9999 passed validation, loaded, and then forecasting crashed (year 10000), anomaly detection
ran for minutes and every KPI page failed for every user; a year -0001 broke the load itself.
A 20-digit amount parses into DECIMAL(38,18) but any sum of two overflows it. So dates outside
a billing range (configurable, default 2000-01-01 to ten years after today) and amounts of
10^15 or more are validation errors, and ingest quarantines such rows instead of loading them.

The upper date bound is the one place a date is computed from today: it is a sanity bound on
input, not a period of the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

#: Default earliest plausible billing date.
EARLIEST = dt.date(2000, 1, 1)
#: Default latest plausible billing date: this many years after today.
YEARS_AHEAD = 10
#: Largest magnitude (exclusive) of one decimal value. DECIMAL(38,18) holds 20 integer digits;
#: 15 for one row leaves room to sum 100,000 such rows without overflow (no real bill line comes
#: near a quadrillion in any currency).
MAX_MAGNITUDE = Decimal(10) ** 15


def years_after(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` years on (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DateBounds:
    """Inclusive range of plausible dates for every date/time column of a FOCUS row."""

    earliest: dt.date = EARLIEST
    latest: dt.date | None = None  # None: YEARS_AHEAD years after today

    @property
    def last(self) -> dt.date:
        return self.latest or years_after(dt.date.today(), YEARS_AHEAD)

    def outside_sql(self, ts: str) -> str:
        """SQL true where the TIMESTAMP expression ``ts`` is present and out of range."""
        end = self.last + dt.timedelta(days=1)
        return (
            f"({ts} IS NOT NULL AND ({ts} < TIMESTAMP '{self.earliest.isoformat()}' "
            f"OR {ts} >= TIMESTAMP '{end.isoformat()}'))"
        )

    def describe(self) -> str:
        return f"{self.earliest.isoformat()} .. {self.last.isoformat()}"


def too_large_sql(dec: str) -> str:
    """SQL true where the DECIMAL expression ``dec`` has magnitude >= :data:`MAX_MAGNITUDE`."""
    return f"(abs({dec}) >= {MAX_MAGNITUDE})"
