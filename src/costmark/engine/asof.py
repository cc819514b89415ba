"""Which period a command judges: periods come from the data, never from the wall clock.

One rule for every command, page, report, alert, evidence item and metric:

* The **data extent** of the rows in scope is the first and last day a charge starts on
  (``ChargePeriodStart``), read through the KPI engine, so a scoped view sees only its rows. The
  last *start* is used, not the last ``ChargePeriodEnd``: a monthly fee dated 1 December to
  1 January does not make December complete on 1 December.
* The **cutoff** is the day judgments are made on: ``--as-of DATE`` when given, else the data's
  last day. "Last N days" count back from the cutoff.
* A period is **complete** when the cutoff reaches its last day (the data reaches its end, or a
  later period has started in the data). The default period at each grain is the latest
  complete one; the period holding the cutoff, when not complete, is the running (partial)
  period: "partial: 1 of 31 days", never judged as if complete.

Every judged period carries a ``reason`` ("latest complete month in the data", "as of
2024-10-15 (given)") that outputs show next to the numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from costmark.engine import periods

if TYPE_CHECKING:
    from costmark.engine.kpiengine import KpiEngine

#: The KPI whose daily groups tell which days hold charges (a built-in every catalog has).
EXTENT_KPI = "total_cost"


@dataclass(frozen=True)
class Extent:
    """First and last day a charge starts on, in the rows in scope (None when there are none)."""

    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def empty(self) -> bool:
        return self.last_day is None


def data_extent(view: KpiEngine, *, where: Any = None) -> Extent:
    """The extent of the rows ``view`` (a KPI engine, scoped or not) can see.

    Read as the daily groups of ``total_cost`` so the engine's rollups answer it and a scoped
    view's isolation applies unchanged; a day whose charges sum to zero still counts."""
    kwargs: dict[str, Any] = {"grain": "day"}
    if where is not None:
        kwargs["where"] = where
    result = view.kpi(EXTENT_KPI, **kwargs)
    starts = [r.get("period_start") for r in result.rows()]
    days = [periods.as_date(s) for s in starts if s is not None and s == s]
    if not days:
        return Extent(None, None)
    return Extent(min(days), max(days))


def period_label(start: dt.date, grain: str) -> str:
    """``2024-09`` (month), ``2024-W39`` (week), ``2024-Q3``, ``2024``, ``2024-09-30`` (day)."""
    if grain == "month":
        return start.strftime("%Y-%m")
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return str(start.year)
    return start.isoformat()


@dataclass(frozen=True)
class JudgedPeriod:
    """One period at one grain, with how much of it the cutoff covers and why it was chosen."""

    grain: str
    start: dt.date
    end: dt.date  # exclusive
    days_covered: int
    reason: str

    @property
    def label(self) -> str:
        return period_label(self.start, self.grain)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def days_total(self) -> int:
        return (self.end - self.start).days

    @property
    def complete(self) -> bool:
        return self.days_covered >= self.days_total

    @property
    def partial_note(self) -> str | None:
        """"partial: 1 of 31 days" for a running period, None for a complete one."""
        if self.complete:
            return None
        return f"partial: {self.days_covered} of {self.days_total} days"

    def describe(self) -> str:
        """What outputs print: ``period 2024-09 (latest complete month in the data)``."""
        extra = f"; {self.partial_note}" if self.partial_note else ""
        return f"period {self.label} ({self.reason}{extra})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "grain": self.grain,
            "start": self.start,
            "end": self.end,
            "complete": self.complete,
            "days_covered": self.days_covered,
            "days_total": self.days_total,
            "partial": self.partial_note,
            "reason": self.reason,
            "describe": self.describe(),
        }


@dataclass(frozen=True)
class AsOf:
    """The cutoff day of a judgment and where it came from (given, or the data's last day)."""

    extent: Extent
    given: dt.date | None = None

    @property
    def day(self) -> dt.date | None:
        """The last day counted: ``--as-of`` when given, else the data's last day."""
        return self.given or self.extent.last_day

    @property
    def empty(self) -> bool:
        return self.day is None

    def why(self, what: str) -> str:
        """The reason for a default choice, e.g. ``latest complete month in the data``."""
        if self.given is not None:
            return f"{what} as of {self.given.isoformat()} (given)"
        return f"{what} in the data, which ends {self.day}" if self.day else f"{what}: no data"

    def covered(self, start: dt.date, grain: str) -> int:
        """Days of the period starting at ``start`` on or before the cutoff."""
        if self.day is None:
            return 0
        end = periods.period_end(start, grain)
        return max(0, (min(self.day + dt.timedelta(days=1), end) - start).days)

    def period(self, start: dt.date, grain: str, reason: str = "given") -> JudgedPeriod:
        """Any period (truncated to the grain), with its coverage at this cutoff."""
        first = periods.truncate(start, grain)
        return JudgedPeriod(grain, first, periods.period_end(first, grain),
                            self.covered(first, grain), reason)

    def running(self, grain: str) -> JudgedPeriod | None:
        """The period holding the cutoff (complete when the cutoff is its last day)."""
        if self.day is None:
            return None
        start = periods.truncate(self.day, grain)
        return self.period(start, grain, self.why(f"{grain} holding the last day"))

    def latest_complete(self, grain: str) -> JudgedPeriod | None:
        """The default period at ``grain``: the latest one the cutoff covers entirely."""
        if self.day is None:
            return None
        start = periods.truncate(self.day, grain)
        if periods.period_end(start, grain) > self.day + dt.timedelta(days=1):
            start = periods.shift(start, grain, -1)
        return self.period(start, grain, self.why(f"latest complete {grain}"))

    def window(self, days: int) -> tuple[dt.date, dt.date] | None:
        """The last ``days`` days up to the cutoff, inclusive: (first day, cutoff)."""
        if self.day is None:
            return None
        return self.day - dt.timedelta(days=days - 1), self.day

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.day,
            "given": self.given is not None,
            "data_first_day": self.extent.first_day,
            "data_last_day": self.extent.last_day,
        }


def parse_as_of(value: Any) -> dt.date | None:
    """``--as-of`` / ``?as_of=`` text or a date; None when not given."""
    if value is None or value == "":
        return None
    return periods.as_date(value)


def resolve(view: KpiEngine, as_of: Any = None, *, where: Any = None) -> AsOf:
    """The cutoff for ``view``'s rows: ``as_of`` when given, else their last day."""
    return AsOf(data_extent(view, where=where), parse_as_of(as_of))


__all__ = ["AsOf", "Extent", "JudgedPeriod", "data_extent", "parse_as_of", "period_label",
           "resolve"]
