"""Report periods: which day, ISO week or month a report covers, and the one before it.

The default period follows the one rule of ``costmark.engine.asof``: the latest complete period
of the data in scope (or as of a given day), never the wall clock's last month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from costmark.engine import periods
from costmark.engine.asof import AsOf, Extent
from costmark.errors import UsageError

#: A report cadence and the grain (costmark.engine.periods) its periods are.
GRAIN = {"daily": "day", "weekly": "week", "monthly": "month"}
#: How many periods the trend charts show, per cadence.
HISTORY = {"daily": 31, "weekly": 13, "monthly": 13}


@dataclass(frozen=True)
class Period:
    cadence: str
    start: dt.date
    end: dt.date  # exclusive
    label: str
    #: why this period was chosen ("latest complete month in the data ...", "given")
    reason: str = "given"
    #: days of the period the data (or --as-of) reaches, and its length
    days_covered: int | None = None
    days_total: int | None = None

    @property
    def partial(self) -> str | None:
        """"partial: 1 of 31 days" when the cutoff does not reach the period's end."""
        if self.days_covered is None or self.days_total is None:
            return None
        if self.days_covered >= self.days_total:
            return None
        return f"partial: {self.days_covered} of {self.days_total} days"

    def describe(self) -> str:
        """``period 2024-09 (latest complete month in the data ...)``, said by every output."""
        extra = f"; {self.partial}" if self.partial else ""
        return f"period {self.label} ({self.reason}{extra})"

    @property
    def grain(self) -> str:
        return GRAIN[self.cadence]

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (negative: earlier)."""
        return period_containing(cadence=self.cadence,
                                 day=periods.shift(self.start, self.grain, n))


def period_containing(cadence: str, day: dt.date) -> Period:
    if cadence not in GRAIN:
        raise UsageError(f"cadence {cadence!r} must be one of daily, weekly, monthly")
    grain = GRAIN[cadence]
    start = periods.truncate(day, grain)
    end = periods.period_end(start, grain)
    if cadence == "daily":
        label = start.isoformat()
    elif cadence == "weekly":
        year, week, _ = start.isocalendar()
        label = f"{year}-W{week:02d}"
    else:
        label = start.strftime("%Y-%m")
    return Period(cadence, start, end, label)


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


def parse_period(cadence: str, text: str | None, as_of: AsOf | dt.date | None = None) -> Period:
    """``None`` -> the latest complete period at ``as_of`` (an ``AsOf`` from the data in scope,
    or a given day: the last day counted); else ``2026-10`` (monthly), ``2026-W42`` (weekly), or
    any ISO date inside the period. The period says why it was chosen and how much of it the
    data covers."""
    if cadence not in GRAIN:
        raise UsageError(f"cadence {cadence!r} must be one of daily, weekly, monthly")
    cut = as_of if isinstance(as_of, AsOf) else AsOf(Extent(None, None), as_of)
    if not text:
        judged = cut.latest_complete(GRAIN[cadence])
        if judged is None:
            # no data in scope and no --as-of: nothing to judge; a label for the empty report
            day = dt.datetime.now(dt.UTC).date()
            p = period_containing(cadence, day).shift(-1)
            return _with(p, cut, "no data in scope yet")
        return _with(period_containing(cadence, judged.start), cut, judged.reason)
    return _with(_parse_text(cadence, text), cut, "given")


def _with(p: Period, cut: AsOf, reason: str) -> Period:
    covered = cut.covered(p.start, p.grain) if cut.day is not None else None
    return Period(p.cadence, p.start, p.end, p.label, reason, covered, (p.end - p.start).days)


def _parse_text(cadence: str, text: str) -> Period:
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
