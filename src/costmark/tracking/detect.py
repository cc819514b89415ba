"""``ws.anomalies``: anomalies per series of daily cost (or a KPI), with their drivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import UsageError
from costmark.tracking.anomalies import (
    BASELINE_WEEKS,
    SEVERITIES,
    THRESHOLD,
    drivers,
    events,
    score_series,
    summarize_drivers,
)
from costmark.tracking.data import COST_COLUMNS, check_dims, daily_cost, kpi_series
from costmark.tracking.series import to_float

if TYPE_CHECKING:
    from costmark.api import Workspace

COLUMNS = (
    "kpi",
    "start",
    "end",
    "days",
    "direction",
    "expected",
    "actual",
    "delta",
    "delta_pct",
    "score",
    "severity",
    "drivers",
)


def anomalies(
    ws: Workspace,
    kpi: str = "total_cost",
    *,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    min_severity: str = "low",
    threshold: float = THRESHOLD,
    min_relative: float = 0.10,
    drill: Sequence[str] | None = None,
    where: Any = None,
) -> pd.DataFrame:
    """Anomalies of ``kpi`` per value of ``by`` whose days overlap [start, end].

    The whole history up to ``end`` is decomposed (the weekly shape needs it); ``start`` only
    filters the anomalies reported. For cost, each anomaly names the values of the other
    configured dimensions (or ``drill``) that moved most: ``drivers`` (summary) and
    ``driver_details`` (list of {dimension, value, delta, share}).
    """
    if min_severity not in SEVERITIES:
        raise UsageError(f"--min-severity must be one of {', '.join(SEVERITIES)}")
    by = tuple(check_dims(ws, by))
    additive = kpi in COST_COLUMNS
    if additive:
        frame = daily_cost(ws, by=by, end=end, where=where, kpi=kpi)
        value_col, fill = "cost", "zero"
    else:
        frame = kpi_series(ws, kpi, grain="day", by=by, end=end, where=where)
        frame = frame.rename(columns={"period_start": "date", "value": "cost"})
        value_col, fill = "cost", "interpolate"
    frame["date"] = pd.to_datetime(frame["date"])
    keys = [*by, "currency"]
    found: list[dict[str, Any]] = []
    for key, part in frame.groupby(keys, dropna=False, sort=True):
        keyd = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        values = pd.Series(to_float(part[value_col]).to_numpy(), index=part["date"])
        values = values.groupby(level=0).sum()
        scored = score_series(values, fill=fill)
        if scored is None:
            continue
        for event in events(scored, threshold=threshold, min_relative=min_relative):
            if start is not None and event["end"] < start:
                continue
            if SEVERITIES.index(event["severity"]) < SEVERITIES.index(min_severity):
                continue
            found.append({"kpi": kpi, **keyd, **event})
    result = pd.DataFrame(found, columns=["kpi", *keys, *COLUMNS[1:-1]])
    if additive and not result.empty:
        dims = (
            list(drill) if drill is not None else [d for d in ws.project.dimensions if d not in by]
        )
        check_dims(ws, dims)
        details = _drivers(ws, result, by=by, dims=dims, where=where, kpi=kpi)
        result["drivers"] = [summarize_drivers(d) for d in details]
        result["driver_details"] = pd.Series(details, index=result.index, dtype=object)
    else:
        result["drivers"] = None
        result["driver_details"] = [[] for _ in range(len(result))]
    return result.sort_values(["start", *keys], ignore_index=True)


def _drivers(
    ws: Workspace,
    found: pd.DataFrame,
    *,
    by: tuple[str, ...],
    dims: list[str],
    where: Any,
    kpi: str,
) -> list[list[dict[str, Any]]]:
    """Drill every anomaly into each dimension with one query per dimension."""
    lo = min(found["start"]) - dt.timedelta(weeks=BASELINE_WEEKS + 1)
    hi = max(found["end"])
    details: list[list[dict[str, Any]]] = [[] for _ in range(len(found))]
    for dim in dims:
        child = daily_cost(ws, by=[*by, dim], start=lo, end=hi, where=where, kpi=kpi)
        child["cost"] = to_float(child["cost"])
        child[dim] = child[dim].astype(object).where(child[dim].notna(), "(none)")
        for i, row in enumerate(found.to_dict("records")):
            mask = child["currency"].fillna("") == (row["currency"] or "")
            for d in by:
                mask &= child[d].astype(object) == row[d]
            details[i] += drivers(
                child[mask],
                start=pd.Timestamp(row["start"]),
                end=pd.Timestamp(row["end"]),
                column=dim,
            )
    for found_drivers in details:
        found_drivers.sort(key=lambda x: -x["share"])
    return details
