"""Period-over-period analytics of KPI series in the long format.

Every comparison is between calendar periods, not neighbouring rows: if a month is missing, the
next month has no month-over-month change rather than a change against two months back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from costmark.kpis import ranges
from costmark.present import numbers
from costmark.tracking.periods import (
    FREQ,
    ROLLING_WINDOW,
    check_grain,
    shift_all,
    year_ago_all,
)
from costmark.tracking.trend import assess, trend

SERIES_COLUMNS = ("period_start", "currency", "value")
#: The KPI engine's tiny-base rule (costmark.kpis.ranges), for changes computed here.
TINY_BASE_SHARE = float(ranges.TINY_BASE_SHARE)
TINY_TEXT = numbers.percent(TINY_BASE_SHARE, places=0)


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
    negative base does not flip the sign) and null when the earlier value is 0 or missing, or
    a tiny base: under 1% of the series' typical (median absolute) value, where a day of cents
    before a day of dollars read as +681,986%. ``change_note`` says so where that happened.
    ``rolling_mean`` is over the last ``window`` calendar periods and null until the window is
    full or when a period in it is missing: a mean of fewer points would look smoother than it is.
    Vectorised over every series (and KPI) in the frame: each comparison is one lookup of
    (series, earlier period start).
    """
    check_grain(grain)
    window = window or ROLLING_WINDOW[grain]
    keys = series_keys(frame, by)
    ids = [*[c for c in ("kpi",) if c in frame.columns], *keys]
    out = frame[[*ids[: len(ids) - len(keys)], "period_start", *keys, "value"]].copy()
    added = ["change_abs", "change_pct", "yoy_pct", "rolling_mean", "change_note"]
    if out.empty:
        return pd.DataFrame(columns=[*out.columns, *added])
    starts = pd.to_datetime(out["period_start"])
    values = to_float(out["value"]).to_numpy(dtype=float)
    sid = out.groupby(ids, dropna=False, sort=False).ngroup().to_numpy()
    lookup = pd.Series(values, index=pd.MultiIndex.from_arrays([sid, starts]))
    lookup = lookup[~lookup.index.duplicated()]

    def at(when: pd.Series) -> np.ndarray:
        index = pd.MultiIndex.from_arrays([sid, pd.to_datetime(when)])
        return lookup.reindex(index).to_numpy(dtype=float)

    prev = at(shift_all(starts, grain, -1))
    ago = at(year_ago_all(starts, grain))
    typical = pd.Series(np.abs(values)).groupby(sid).transform("median").to_numpy()
    floor = TINY_BASE_SHARE * typical
    tiny_prev = np.abs(prev) < floor
    tiny_ago = np.abs(ago) < floor
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_abs"] = values - prev
        out["change_pct"] = np.where((prev != 0) & ~tiny_prev, (values - prev) / np.abs(prev),
                                     np.nan)
        out["yoy_pct"] = np.where((ago != 0) & ~tiny_ago, (values - ago) / np.abs(ago), np.nan)
    out["change_note"] = [
        "; ".join(n for n, hit in ((f"{label} from a tiny base (under {TINY_TEXT} of "
                                    "the series' typical value)", flag)
                                   for label, flag in (("change", tp), ("year-over-year", ta)))
                  if hit) or None
        for tp, ta in zip(tiny_prev & (prev != 0), tiny_ago & (ago != 0), strict=True)
    ]
    lags = np.stack([values, *[at(shift_all(starts, grain, -k)) for k in range(1, window)]])
    out["rolling_mean"] = lags.mean(axis=0)  # NaN when any period of the window is missing
    out["period_start"] = starts
    out = out.sort_values([*ids, "period_start"], na_position="last", kind="stable")
    out["period_start"] = out["period_start"].dt.date
    return out.reset_index(drop=True)


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
    directions: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per series (and KPI): Theil–Sen slope, Mann–Kendall p-value and the direction we
    can claim. ``directions`` maps KPI ids to their better direction (else ``kpi_direction``)."""
    keys = series_keys(frame, by)
    ids = [*[c for c in ("kpi",) if c in frame.columns], *keys]
    rows: list[dict[str, Any]] = []
    freq = FREQ[grain]
    work = frame.assign(_v=to_float(frame["value"]), _s=pd.to_datetime(frame["period_start"]))
    for key, part in work.groupby(ids, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(ids, key, strict=True))
        values = pd.Series(part["_v"].to_numpy(dtype=float), index=part["_s"]).sort_index()
        values = values[~values.index.duplicated()]
        values = values.reindex(pd.date_range(values.index[0], values.index[-1], freq=freq))
        result = trend(values.to_numpy(), alpha=alpha)
        row.update(first=values.index[0].date(), last=values.index[-1].date(), **result.to_dict())
        wanted = (directions or {}).get(str(row.get("kpi")), kpi_direction)
        row["assessment"] = assess(result.direction, wanted)
        rows.append(row)
    return pd.DataFrame(rows)
