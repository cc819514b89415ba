"""``ws.track``: a KPI series with period-over-period analytics and a trend per series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import UsageError
from costmark.tracking.data import kpi_series
from costmark.tracking.series import track_frame, trend_frame

if TYPE_CHECKING:
    from costmark.engine.context import Context


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


def kpi_directions(ws: Context) -> dict[str, str]:
    """Each KPI's better direction from the catalog."""
    out = {}
    for definition in ws.engine.catalog():
        direction = getattr(definition, "direction", None)
        if direction:
            out[str(definition.id)] = str(direction)
    return out


def complete_only(frame: pd.DataFrame, grain: str, last_day: dt.date | None) -> pd.DataFrame:
    """Drop periods that end after the last day with data: half a month is not a month."""
    from costmark.tracking.periods import shift_all

    if last_day is None or frame.empty:
        return frame
    ends = shift_all(frame["period_start"], grain, 1) - pd.Timedelta(days=1)
    return frame[(ends <= pd.Timestamp(last_day)).to_numpy()]


def last_data_day(ws: Context) -> dt.date | None:
    """The last day a charge starts on (the forecast origin, the 'as of' of budgets), read by
    the one period module (``costmark.engine.asof``) every command shares."""
    from costmark.engine.asof import data_extent

    return data_extent(ws.engine).last_day


def track(
    ws: Context,
    kpi: str | Sequence[str],
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
    by = tuple(by)  # grain and --by are checked once, by the KPI engine's plan
    ids = [kpi] if isinstance(kpi, str) else list(kpi)
    if not ids:
        raise UsageError("name at least one KPI to track")
    # one engine call for every KPI: the scan is shared, the analytics are per series
    frame = kpi_series(
        ws, ids[0] if len(ids) == 1 else ids, grain=grain, by=by, start=start, end=end,
        where=where,
    )  # fmt: skip
    notes = []
    if not include_partial:
        before = len(frame)
        frame = complete_only(frame, grain, last_data_day(ws))
        if len(frame) < before:
            notes.append("the running period is left out (incomplete); use --include-partial")
    series = track_frame(frame, grain=grain, by=by, window=window)
    trends = trend_frame(frame, grain=grain, by=by, alpha=alpha, directions=kpi_directions(ws))
    return TrackResult(",".join(ids), grain, by, series, trends, notes)
