"""``ws.forecast`` and ``ws.forecast_accuracy``: forecasts of cost and KPIs, stored as snapshots.

Cost (``total_cost``, ``billed_cost``) is forecast per day with a weekly season, then rolled up
to month and quarter totals (actual to date + forecast of the rest). Any other KPI is forecast on
its own series at the requested grain from complete periods only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from costmark.tracking import snapshots
from costmark.tracking.data import COST_COLUMNS, check_dims, daily_cost, kpi_series
from costmark.tracking.forecast import SeriesForecast, forecast_values, rollup, too_short
from costmark.tracking.periods import FREQ, check_grain, period_end, period_start, shift
from costmark.tracking.series import regular_values, to_float
from costmark.tracking.track import complete_only, last_data_day

if TYPE_CHECKING:
    from costmark.engine.context import Context

#: Default horizon (periods) of KPI forecasts per grain.
HORIZON = {"day": 30, "week": 8, "month": 3, "quarter": 2, "year": 1}
#: Seasonal period per grain when there is history for two cycles of it.
SEASON = {"day": 7, "week": None, "month": 12, "quarter": 4, "year": None}


@dataclass
class ForecastResult:
    kpi: str
    by: tuple[str, ...]
    frame: pd.DataFrame  # kpi, grain, period_start, by..., currency, actual_to_date, forecast...
    as_of: dt.date | None
    snapshot_id: str | None
    notes: list[str] = field(default_factory=list)

    def to_pandas(self) -> pd.DataFrame:
        return self.frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "by": list(self.by),
            "as_of": self.as_of,
            "snapshot_id": self.snapshot_id,
            "notes": self.notes,
            "rows": self.frame.to_dict("records"),
        }



def valid_bounds(ws: Context, kpi: str) -> tuple[float | None, float | None]:
    """The KPI's declared valid range: a forecast (and its band) never leaves it, so a share's
    forecast cannot say 140% coverage. The effective savings rate is capped at 1 only."""
    from costmark.kpis.catalog import resolve

    definition = resolve(ws.project, kpi).definition
    return definition.valid_min, definition.valid_max


def daily_series(
    part: pd.DataFrame, last_day: dt.date, first_day: dt.date | None = None
) -> pd.Series:
    """One series' cost per calendar day up to ``last_day``; days without rows cost 0."""
    values = pd.Series(to_float(part["cost"]).to_numpy(), index=pd.to_datetime(part["date"]))
    values = values.groupby(level=0).sum()
    begin = pd.Timestamp(first_day) if first_day else values.index.min()
    return values.reindex(pd.date_range(begin, pd.Timestamp(last_day), freq="D"), fill_value=0.0)


def default_days(as_of: dt.date) -> int:
    """Through the end of next month: covers this month, next month and usually the quarter."""
    end = period_end(shift(period_start(as_of, "month"), "month", 1), "month")
    return int((end - pd.Timestamp(as_of)).days)


def horizon_days(as_of: dt.date, grain: str | None, horizon: int | None) -> int:
    """Days of daily forecast needed: ``horizon`` days (no grain, day grain), else through the
    end of the ``horizon``-th period after the running one; default: to the end of next month."""
    if horizon is None:
        return default_days(as_of)
    if grain in (None, "day"):
        return horizon
    end = period_end(shift(period_start(as_of, grain), grain, horizon), grain)
    return int((end - pd.Timestamp(as_of)).days)


def forecast(
    ws: Context,
    kpi: str = "total_cost",
    *,
    grain: str | None = None,
    by: Sequence[str] = (),
    horizon: int | None = None,
    start: dt.date | None = None,
    where: Any = None,
    level: float = 0.95,
    store: bool = True,
    created_at: dt.datetime | None = None,
) -> ForecastResult:
    """Forecast ``kpi`` per series; store the run as a snapshot unless ``store`` is False.

    ``horizon`` counts periods of ``grain`` after the running one (days for cost without a
    grain or at day grain): ``forecast("total_cost", grain="month", horizon=3)`` covers the
    rest of this month and the next three.
    """
    by = tuple(check_dims(ws, by))
    if grain is not None:
        check_grain(grain)
    if horizon is not None and horizon < 1:
        from costmark.errors import UsageError

        raise UsageError("--horizon must be at least 1")
    as_of = last_data_day(ws)
    if as_of is None:
        return ForecastResult(kpi, by, pd.DataFrame(), None, None, ["no cost data loaded"])
    if kpi in COST_COLUMNS and grain in (None, "day", "month", "quarter"):
        days = horizon_days(as_of, grain, horizon)
        frame, notes = _cost(ws, kpi, by, as_of, days, start, where, level)
    else:
        frame, notes = _kpi(ws, kpi, grain or "month", by, as_of, horizon, start, where, level)
    snapshot_id = None
    if store and not frame.empty:
        snapshot_id = snapshots.store(ws, frame, created_at=created_at, as_of=as_of, where=where)
    if grain is None and not frame.empty and kpi in COST_COLUMNS:
        shown = frame[frame["grain"] != "day"]
    elif grain is not None and not frame.empty:
        shown = frame[frame["grain"] == grain]
    else:
        shown = frame
    shown = shown.drop(columns=["scope"]).reset_index(drop=True) if not shown.empty else shown
    return ForecastResult(kpi, by, shown, as_of, snapshot_id, notes)


def _rows(
    kpi: str, grain: str, fc: pd.DataFrame, key: dict[str, Any], method: str, note: str | None
) -> pd.DataFrame:
    rows = fc.copy()
    rows.insert(0, "kpi", kpi)
    rows.insert(1, "grain", grain)
    for i, (name, value) in enumerate(key.items()):
        rows.insert(3 + i, name, value)
    dims = {k: v for k, v in key.items() if k != "currency"}
    rows["scope"] = snapshots.scope_key(dims)
    rows["method"] = method
    rows["note"] = note
    rows["period_start"] = pd.to_datetime(rows["period_start"]).dt.date
    return rows


def _cost(
    ws: Context,
    kpi: str,
    by: tuple[str, ...],
    as_of: dt.date,
    days: int,
    start: dt.date | None,
    where: Any,
    level: float,
) -> tuple[pd.DataFrame, list[str]]:
    daily = daily_cost(ws, by=by, start=start, end=as_of, where=where, kpi=kpi)
    parts, notes = [], []
    for key, part in daily.groupby([*by, "currency"], dropna=False, sort=True):
        names = [*by, "currency"]
        keyd = dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True))
        y = daily_series(part, as_of)
        short = too_short(y)
        if short is not None:
            notes.append(f"{_label(keyd)}: {short}")
            continue
        fc = forecast_values(y, horizon=days, freq="D", season=7, level=level)
        if fc.note:
            notes.append(f"{_label(keyd)}: {fc.note}")
        day_rows = fc.frame()
        day_rows.insert(1, "actual_to_date", np.nan)
        parts.append(_rows(kpi, "day", day_rows, keyd, fc.method, fc.note))
        for g in ("month", "quarter"):
            rolled = rollup(y, fc, g, level=level)
            parts.append(_rows(kpi, g, rolled, keyd, fc.method, fc.note))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return frame, notes


def _kpi(
    ws: Context,
    kpi: str,
    grain: str,
    by: tuple[str, ...],
    as_of: dt.date,
    horizon: int | None,
    start: dt.date | None,
    where: Any,
    level: float,
) -> tuple[pd.DataFrame, list[str]]:
    steps = horizon or HORIZON[grain]
    series = kpi_series(ws, kpi, grain=grain, by=by, start=start, end=as_of, where=where)
    series = complete_only(series, grain, as_of)
    parts, notes = [], []
    low, high = valid_bounds(ws, kpi)
    for key, part in series.groupby([*by, "currency"], dropna=False, sort=True):
        names = [*by, "currency"]
        keyd = dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True))
        y = regular_values(part, grain)
        if y.dropna().empty:
            continue
        short = too_short(y)
        if short is not None:
            notes.append(f"{_label(keyd)}: {short}")
            continue
        season = SEASON[grain]
        fc: SeriesForecast = forecast_values(
            y,
            horizon=steps,
            freq=FREQ[grain],
            season=season,
            level=level,
            season_required=grain == "day",
        )
        if fc.note:
            notes.append(f"{_label(keyd)}: {fc.note}")
        rows = fc.frame()
        if low is not None or high is not None:
            rows[["forecast", "lower", "upper"]] = rows[["forecast", "lower", "upper"]].clip(
                low, high
            )
        rows.insert(1, "actual_to_date", np.nan)
        parts.append(_rows(kpi, grain, rows, keyd, fc.method, fc.note))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return frame, notes


def _label(key: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in key.items()) or "all"


def forecast_accuracy(
    ws: Context,
    kpi: str = "total_cost",
    *,
    grain: str = "month",
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
) -> pd.DataFrame:
    """Per finished period: actual, the forecast from the latest snapshot made before the period
    began, ``forecast_accuracy`` = 1 − |actual − forecast| / |actual| and ``forecast_variance``
    = (actual − forecast) / forecast. Periods without such a snapshot have null values."""
    by = tuple(by)  # grain and --by are checked once, by the KPI engine's plan
    actuals = kpi_series(ws, kpi, grain=grain, by=by, start=start, end=end, where=where)
    actuals = complete_only(actuals, grain, last_data_day(ws))
    snaps = snapshots.load(ws, kpi=kpi, grain=grain)
    wanted = snapshots.filter_key(where)
    if not snaps.empty:
        snaps = (
            snaps[snaps["filter"].isna()] if wanted is None else snaps[snaps["filter"] == wanted]
        )
    keep = ["period_start", *by, "currency", "value"]
    matched = snapshots.match(actuals[keep], snaps, by=by)
    matched.insert(0, "kpi", kpi)
    matched.insert(1, "grain", grain)
    cols = [
        "kpi",
        "grain",
        "period_start",
        *by,
        "currency",
        "actual",
        "forecast",
        "lower",
        "upper",
        "within_interval",
        "forecast_accuracy",
        "forecast_variance",
        "method",
        "snapshot_created_at",
    ]
    return matched[cols]
