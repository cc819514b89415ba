"""A KPI against its own past: the previous period, the same period last year and named
baselines (a date, or a stored baseline such as the start of a FinOps iteration).

Long format: one row per group and comparison, so any number of baselines fits one table.
``change`` = value − reference; ``change_pct`` = 100 · change / |reference|; ``verdict`` says
whether the move is better or worse given the KPI's direction ("changed" when it has none).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from costmark.benchmarking.common import (
    check_frame,
    frame_grain,
    iter_series,
    latest_period,
    period_floor,
    shift_period,
    year_ago,
)


def verdict(change: float, direction: str) -> str:
    if math.isnan(change):
        return "no data"
    if abs(change) < 1e-12:
        return "same"
    if direction not in ("higher", "lower"):
        return "changed"
    return "better" if (change > 0) == (direction == "higher") else "worse"


def history_compare(
    df: pd.DataFrame,
    kpi: str,
    *,
    by: Sequence[str] = (),
    direction: str = "none",
    period: dt.date | None = None,
    grain: str | None = None,
    baselines: Mapping[str, dt.date] | None = None,
) -> pd.DataFrame:
    """Compare each group's value in ``period`` (default: latest) with earlier periods."""
    frame = check_frame(df, by)
    frame = frame[frame["kpi"] == kpi]
    grain = grain or frame_grain(frame)
    when = latest_period(frame, period)
    cols = [
        "kpi",
        "period_start",
        *by,
        "currency",
        "value",
        "comparison",
        "reference_period",
        "reference_value",
        "change",
        "change_pct",
        "verdict",
    ]
    if when is None:
        return pd.DataFrame(columns=cols)
    references: list[tuple[str, dt.date]] = [
        ("previous period", shift_period(when, grain, -1)),
        ("same period last year", year_ago(when, grain)),
    ]
    for name, at in sorted((baselines or {}).items(), key=lambda kv: (kv[1], kv[0])):
        references.append((f"baseline {name}", period_floor(at, grain)))
    rows = []
    for dims, currency, by_period in iter_series(frame, by):
        value = float(by_period.get(when, math.nan))
        for label, ref_period in references:
            ref = float(by_period.get(ref_period, math.nan))
            change = value - ref
            rows.append(
                {
                    "kpi": kpi,
                    "period_start": when,
                    **dims,
                    "currency": currency,
                    "value": None if math.isnan(value) else value,
                    "comparison": label,
                    "reference_period": ref_period,
                    "reference_value": None if math.isnan(ref) else ref,
                    "change": None if math.isnan(change) else change,
                    "change_pct": (
                        100 * change / abs(ref) if not math.isnan(change) and ref != 0 else None
                    ),
                    "verdict": verdict(change, direction),
                }
            )
    return pd.DataFrame(rows, columns=cols)
