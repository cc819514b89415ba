"""``ws.track``: a KPI series with period-over-period analytics and a trend per series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.tracking.data import check_dims, kpi_series
from costmark.tracking.periods import check_grain
from costmark.tracking.series import track_frame, trend_frame

if TYPE_CHECKING:
    from costmark.api import Workspace


@dataclass
class TrackResult:
    """``series``: one row per period and series; ``trends``: one row per series."""

    kpi: str
    grain: str
    by: tuple[str, ...]
    series: pd.DataFrame
    trends: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_pandas(self) -> pd.DataFrame:
        return self.series

    def to_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "grain": self.grain,
            "by": list(self.by),
            "series": self.series.to_dict("records"),
            "trends": self.trends.to_dict("records"),
            "notes": self.notes,
        }


def kpi_direction(ws: Workspace, kpi: str) -> str | None:
    """The KPI's better direction from the catalog, when the KPI engine provides one."""
    catalog = getattr(ws, "kpi_catalog", None)
    if not callable(catalog):
        return {"total_cost": "lower", "billed_cost": "lower"}.get(kpi)
    for definition in catalog():
        if getattr(definition, "id", None) == kpi:
            direction = getattr(definition, "direction", None)
            return str(direction) if direction else None
    return None


def complete_only(frame: pd.DataFrame, grain: str, last_day: dt.date | None) -> pd.DataFrame:
    """Drop periods that end after the last day with data: half a month is not a month."""
    from costmark.tracking.periods import period_end

    if last_day is None or frame.empty:
        return frame
    ends = pd.to_datetime(frame["period_start"]).map(lambda s: period_end(s, grain))
    return frame[ends <= pd.Timestamp(last_day)]


def last_data_day(ws: Workspace) -> dt.date | None:
    """The last day any cost row covers (the forecast origin, the 'as of' of budgets)."""
    row = ws.warehouse.con.execute(
        "SELECT CAST(max(ChargePeriodStart) AS DATE) FROM costs"
    ).fetchone()
    return row[0] if row and row[0] else None


def track(
    ws: Workspace,
    kpi: str,
    *,
    grain: str = "month",
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
    window: int | None = None,
    alpha: float = 0.05,
    include_partial: bool = False,
) -> TrackResult:
    """Series of ``kpi`` with change, year-over-year, rolling mean and a trend per series.

    The trend ignores the running (incomplete) period unless ``include_partial``: a half month of
    cost would read as a fall.
    """
    check_grain(grain)
    by = tuple(check_dims(ws, by))
    frame = kpi_series(ws, kpi, grain=grain, by=by, start=start, end=end, where=where)
    notes = []
    if not include_partial:
        before = len(frame)
        frame = complete_only(frame, grain, last_data_day(ws))
        if len(frame) < before:
            notes.append("the running period is left out (incomplete); use --include-partial")
    series = track_frame(frame, grain=grain, by=by, window=window)
    trends = trend_frame(
        frame, grain=grain, by=by, alpha=alpha, kpi_direction=kpi_direction(ws, kpi)
    )
    return TrackResult(kpi, grain, by, series, trends, notes)
