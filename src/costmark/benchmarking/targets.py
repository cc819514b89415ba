"""KPI values against their targets: status, attainment and the date the trend meets the target.

Rules (README "Benchmarking" repeats them for users):
- direction ``higher``: on target when value ≥ target; at risk when within the tolerance band
  below it; off target otherwise. ``lower`` mirrors it. ``equal``: on target within the band,
  at risk within twice the band.
- tolerance: ``tolerance`` (absolute, in the KPI's unit) or ``tolerance_pct`` (% of |target|);
  neither given → 5% of |target|.
- attainment %: higher → 100·value/target; lower → 100·target/value; equal →
  100·(1 − |value − target|/|target|). Undefined (null) where the divisor is 0 or the sign makes
  the ratio meaningless (a "lower" value ≤ 0).
- projected date: a Theil–Sen line through the group's series up to the period judged; the first
  period at which the line reaches the target, or "not on current trend" when the slope points
  away (or is flat). Theil–Sen, not least squares, so one odd month does not swing the date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from costmark.benchmarking.common import (
    check_frame,
    frame_grain,
    iter_groups,
    latest_period,
    shift_period,
)
from costmark.spec.targets import DEFAULT_TOLERANCE_PCT, Target

#: Fewer points than this and a trend line is guesswork.
MIN_TREND_POINTS = 3
#: A projection further out than this is reported as such: a trend line that slow is noise.
FAR_YEARS = 5

COLUMNS = (
    "target_name",
    "target",
    "direction",
    "tolerance",
    "status",
    "attainment_pct",
    "gap",
    "projected_date",
    "projection",
    "override",
)


@dataclass(frozen=True)
class Resolved:
    """The target that applies to one row after dates, currency and overrides."""

    name: str
    value: float
    direction: str
    tolerance: float
    override: str | None
    ends: dt.date | None


def resolve_target(
    targets: Sequence[Target],
    kpi: str,
    period: dt.date,
    dims: dict[str, str | None],
    currency: str | None,
    kpi_direction: str,
) -> Resolved | None:
    """The last listed target for ``kpi`` in force on ``period`` for ``currency``, with the
    most specific matching override (most ``where`` keys) applied."""
    chosen: Target | None = None
    for target in targets:
        if target.kpi != kpi or not target.applies_on(period):
            continue
        if target.currency is not None and target.currency != currency:
            continue
        chosen = target
    if chosen is None:
        return None
    value, tol_abs, tol_pct, override = chosen.value, chosen.tolerance, chosen.tolerance_pct, None
    best = 0
    for ov in chosen.overrides:
        if len(ov.where) > best and all(dims.get(k) == v for k, v in ov.where.items()):
            best = len(ov.where)
            value, override = ov.value, ", ".join(f"{k}={v}" for k, v in ov.where.items())
            if ov.tolerance is not None or ov.tolerance_pct is not None:
                tol_abs, tol_pct = ov.tolerance, ov.tolerance_pct
    if tol_abs is None:
        tol_abs = abs(value) * (tol_pct if tol_pct is not None else DEFAULT_TOLERANCE_PCT) / 100
    direction = chosen.direction or (kpi_direction if kpi_direction != "none" else "equal")
    return Resolved(chosen.label, value, direction, tol_abs, override, chosen.to)


def status_of(value: float, target: float, direction: str, tolerance: float) -> str:
    if math.isnan(value):
        return "no data"
    if direction == "higher":
        miss = target - value
    elif direction == "lower":
        miss = value - target
    else:
        miss = abs(value - target) - tolerance
        return "on target" if miss <= 1e-12 else "at risk" if miss <= tolerance else "off target"
    if miss <= 1e-12:
        return "on target"
    return "at risk" if miss <= tolerance + 1e-12 else "off target"


def attainment_pct(value: float, target: float, direction: str) -> float | None:
    if math.isnan(value):
        return None
    if direction == "higher":
        return 100 * value / target if target != 0 else None
    if direction == "lower":
        return 100 * target / value if value > 0 else None
    return 100 * (1 - abs(value - target) / abs(target)) if target != 0 else None


def _steps(first: dt.date, day: dt.date, grain: str) -> float:
    if grain == "day":
        return float((day - first).days)
    if grain == "week":
        return (day - first).days / 7
    months = (day.year - first.year) * 12 + day.month - first.month
    return months / {"month": 1, "quarter": 3, "year": 12}[grain]


def project_date(
    series: pd.DataFrame, target: float, direction: str, grain: str
) -> tuple[dt.date | None, str]:
    """When the Theil–Sen line of ``series`` (period_start, value; up to now) reaches ``target``.

    Returns (date, text). The date is the start of the first future period at or after the
    crossing; the text says "by DATE", "not on current trend" or why there is no projection.
    """
    pts = series[series["value"].notna()].sort_values("period_start")
    if len(pts) < MIN_TREND_POINTS:
        return None, f"not enough history ({len(pts)} of {MIN_TREND_POINTS} periods)"
    first = pts["period_start"].iloc[0]
    x = np.array([_steps(first, d, grain) for d in pts["period_start"]])
    y = pts["value"].to_numpy(dtype=float)
    slope, intercept, _, _ = stats.theilslopes(y, x)
    last_x = x[-1]
    last = y[-1]
    if direction == "higher":
        towards = slope > 0
    elif direction == "lower":
        towards = slope < 0
    else:
        towards = slope != 0 and math.copysign(1, target - last) == math.copysign(1, slope)
    if not towards or slope == 0:
        return None, "not on current trend"
    crossing = (target - intercept) / slope
    step = max(math.ceil(crossing - 1e-9), math.floor(last_x) + 1)
    when = shift_period(first, grain, step)
    text = f"by {when.isoformat()}"
    last_day = pts["period_start"].iloc[-1]
    if (when - last_day).days > FAR_YEARS * 365:
        text += f" (over {FAR_YEARS} years away: effectively not on current trend)"
    return when, text


def evaluate_targets(
    df: pd.DataFrame,
    targets: Sequence[Target],
    kpi: str,
    *,
    by: Sequence[str] = (),
    kpi_direction: str = "none",
    period: dt.date | None = None,
    grain: str | None = None,
) -> pd.DataFrame:
    """One row per group (by-dimensions, currency) in ``period`` (default: the latest period
    with a value) that has a target: value, target, status, attainment, gap, projection."""
    out_cols = ["kpi", "period_start", *by, "currency", "value", *COLUMNS]
    if not any(t.kpi == kpi for t in targets):
        return pd.DataFrame(columns=out_cols)
    frame = check_frame(df, by)
    frame = frame[frame["kpi"] == kpi]
    grain = grain or frame_grain(frame)
    when = latest_period(frame, period)
    if when is None:
        return pd.DataFrame(columns=out_cols)
    rows = []
    for dims, currency, group in iter_groups(frame, by):
        resolved = resolve_target(targets, kpi, when, dims, currency, kpi_direction)
        if resolved is None:
            continue
        now = group[group["period_start"] == when]
        value = float(now["value"].iloc[0]) if len(now) else math.nan
        status = status_of(value, resolved.value, resolved.direction, resolved.tolerance)
        if status == "on target":
            projected, text = when, "met"
        elif status == "no data":
            projected, text = None, "no value in this period"
        else:
            history = group[group["period_start"] <= when]
            projected, text = project_date(history, resolved.value, resolved.direction, grain)
            if projected and resolved.ends and projected > resolved.ends:
                text += f" (after the target ends on {resolved.ends.isoformat()})"
        rows.append(
            {
                "kpi": kpi,
                "period_start": when,
                **dims,
                "currency": currency,
                "value": None if math.isnan(value) else value,
                "target_name": resolved.name,
                "target": resolved.value,
                "direction": resolved.direction,
                "tolerance": resolved.tolerance,
                "status": status,
                "attainment_pct": attainment_pct(value, resolved.value, resolved.direction),
                "gap": None if math.isnan(value) else value - resolved.value,
                "projected_date": projected,
                "projection": text,
                "override": resolved.override,
            }
        )
    return pd.DataFrame(rows, columns=out_cols)
