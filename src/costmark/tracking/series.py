"""Period-over-period analytics of KPI series in the long format.

Every comparison is between calendar periods, not neighbouring rows: if a month is missing, the
next month has no month-over-month change rather than a change against two months back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from costmark.tracking.periods import FREQ, ROLLING_WINDOW, check_grain, shift, year_ago
from costmark.tracking.trend import assess, trend

SERIES_COLUMNS = ("period_start", "currency", "value")


def series_keys(frame: pd.DataFrame, by: Sequence[str]) -> list[str]:
    """The columns that identify one series: the by-dimensions and the currency."""
    return [*by, "currency"]


def _groups(frame: pd.DataFrame, keys: list[str]) -> Any:
    return frame.groupby(keys, dropna=False, sort=True)


def to_float(values: pd.Series) -> pd.Series:
    """Values as float (Decimal and None become float / NaN) for statistics only."""
    return pd.to_numeric(values.map(lambda v: np.nan if v is None else float(v)), errors="coerce")


def track_frame(
    frame: pd.DataFrame,
    *,
    grain: str,
    by: Sequence[str] = (),
    window: int | None = None,
) -> pd.DataFrame:
    """Add ``change_abs``, ``change_pct``, ``yoy_pct`` and ``rolling_mean`` to a KPI series.

    ``change_pct`` and ``yoy_pct`` are relative to the absolute earlier value (so a credit-heavy
    negative base does not flip the sign) and null when the earlier value is 0 or missing.
    ``rolling_mean`` is over the last ``window`` calendar periods and null until the window is
    full or when a period in it is missing: a mean of fewer points would look smoother than it is.
    """
    check_grain(grain)
    window = window or ROLLING_WINDOW[grain]
    keys = series_keys(frame, by)
    out = frame[[*[c for c in ("kpi",) if c in frame.columns], "period_start", *keys, "value"]]
    out = out.copy()
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["_v"] = to_float(out["value"])
    parts = []
    for _, part in _groups(out, keys):
        part = part.sort_values("period_start")
        lookup = dict(zip(part["period_start"], part["_v"], strict=True))
        prev = part["period_start"].map(lambda s, lk=lookup: lk.get(shift(s, grain, -1), np.nan))
        ago = part["period_start"].map(lambda s, lk=lookup: lk.get(year_ago(s, grain), np.nan))
        cur = part["_v"]
        part = part.assign(
            change_abs=cur - prev,
            change_pct=(cur - prev) / prev.abs().where(prev != 0),
            yoy_pct=(cur - ago) / ago.abs().where(ago != 0),
        )
        full = pd.date_range(
            part["period_start"].min(), part["period_start"].max(), freq=_freq(grain)
        )
        regular = pd.Series(lookup).reindex(full)
        rolling = regular.rolling(window, min_periods=window).mean()
        part["rolling_mean"] = part["period_start"].map(rolling)
        parts.append(part)
    if not parts:
        cols = [*out.columns, "change_abs", "change_pct", "yoy_pct", "rolling_mean"]
        return pd.DataFrame(columns=[c for c in cols if c != "_v"])
    result = pd.concat(parts, ignore_index=True).drop(columns="_v")
    result["period_start"] = result["period_start"].dt.date
    return result


def _freq(grain: str) -> str:
    return FREQ[grain]


def regular_values(part: pd.DataFrame, grain: str) -> pd.Series:
    """A series' values on every calendar period from its first to its last (NaN where missing)."""
    starts = pd.to_datetime(part["period_start"])
    values = pd.Series(to_float(part["value"]).to_numpy(), index=starts).sort_index()
    values = values[~values.index.duplicated()]
    if values.empty:
        return values
    return values.reindex(pd.date_range(values.index.min(), values.index.max(), freq=_freq(grain)))


def trend_frame(
    frame: pd.DataFrame,
    *,
    grain: str,
    by: Sequence[str] = (),
    alpha: float = 0.05,
    kpi_direction: str | None = None,
) -> pd.DataFrame:
    """One row per series: Theil–Sen slope, Mann–Kendall p-value and the direction we can claim."""
    keys = series_keys(frame, by)
    rows: list[dict[str, Any]] = []
    for key, part in _groups(frame, keys):
        key = key if isinstance(key, tuple) else (key,)
        values = regular_values(part, grain)
        result = trend(values.to_numpy(), alpha=alpha)
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        if "kpi" in part.columns and len(part):
            row = {"kpi": part["kpi"].iloc[0], **row}
        row.update(
            first=values.index.min().date() if len(values) else None,
            last=values.index.max().date() if len(values) else None,
            **result.to_dict(),
        )
        row["assessment"] = assess(result.direction, kpi_direction)
        rows.append(row)
    return pd.DataFrame(rows)
