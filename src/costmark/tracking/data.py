"""Where tracking gets its numbers: the KPI engine (``Context.engine``), and nothing else.

One implementation of dimension rules, filters, currencies and rollups lives in the engine;
tracking only asks it for series in the long format (kpi, period_start, by..., currency,
value) and for daily cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import UsageError

if TYPE_CHECKING:
    from costmark.engine.context import Context

#: KPIs that are plain sums of a cost column: additive over days, dimensions and periods.
COST_COLUMNS = {"total_cost": "EffectiveCost", "billed_cost": "BilledCost"}
#: Usage-based charges; rows without a ChargeFrequency (older or partial exports) are kept rather
#: than silently dropped.
USAGE_FILTER = "ChargeFrequency is null or ChargeFrequency not in ('One-Time', 'Recurring')"


def check_dims(ws: Context, by: Sequence[str]) -> list[str]:
    """The engine accepts dimensions, FOCUS columns and ``tag:<key>`` and names unknown ones
    itself; repeated names are refused here so drill-downs can add one safely."""
    if len(set(by)) != len(by):
        raise UsageError("a dimension is repeated in --by")
    return list(by)


def kpi_series(
    ws: Context,
    kpi: str | Sequence[str],
    *,
    grain: str,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
) -> pd.DataFrame:
    """KPIs in the long format (kpi, period_start, grain, by..., currency, value, ...)."""
    ids = [kpi] if isinstance(kpi, str) else list(kpi)
    result = ws.engine.kpi(ids, grain=grain, by=list(by), start=start, end=end, where=where)
    frame: pd.DataFrame = result.to_pandas()
    return frame


def daily_cost(
    ws: Context,
    *,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
    kpi: str = "total_cost",
    usage_only: bool = False,
) -> pd.DataFrame:
    """Cost per day: columns ``date`` (Timestamp), by-dimensions, ``currency``, ``cost``.

    ``usage_only`` drops one-time and recurring charges (FOCUS ``ChargeFrequency``): monthly
    fees, taxes and credits land on the 1st and are not daily behaviour.
    """
    if usage_only:
        where = with_usage_only(where)
    frame = kpi_series(ws, kpi, grain="day", by=by, start=start, end=end, where=where)
    frame = frame.rename(columns={"period_start": "date", "value": "cost"})
    frame = frame[["date", *by, "currency", "cost"]].copy()
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def with_usage_only(where: Any) -> Any:
    """``where`` narrowed to usage-based charges (string or structured filter)."""
    if where is None:
        return USAGE_FILTER
    if isinstance(where, str):
        return f"({where}) and ({USAGE_FILTER})"
    if isinstance(where, dict):
        return {**where, "ChargeFrequency": "Usage-Based"}
    raise UsageError(f"cannot combine filter {where!r} with usage-only charges")
