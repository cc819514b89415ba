"""``ws.anomalies``: anomalies per series of daily cost (or a KPI), with their drivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from costmark.errors import UsageError
from costmark.tracking.anomalies import (
    BASELINE_WEEKS,
    SEVERITIES,
    THRESHOLD,
    driver_table,
    drivers,
    events,
    score_series,
    summarize_drivers,
)
from costmark.tracking.data import COST_COLUMNS, check_dims, daily_cost, kpi_series
from costmark.tracking.series import to_float

if TYPE_CHECKING:
    from costmark.engine.context import Context

COLUMNS = ("start", "end", "days", "direction", "expected", "actual", "delta", "delta_pct",
           "score", "severity", "impact", "note")  # fmt: skip
#: Default materiality: a day must move by at least this share of the currency's median
#: daily total (over all series) to be reported.
MIN_IMPACT_SHARE = 0.02


def anomalies(
    ws: Context,
    kpi: str = "total_cost",
    *,
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    min_severity: str = "low",
    threshold: float = THRESHOLD,
    min_relative: float = 0.10,
    min_impact_share: float = MIN_IMPACT_SHARE,
    all_charges: bool = False,
    drill: Sequence[str] | None = None,
    where: Any = None,
) -> pd.DataFrame:
    """Anomalies of ``kpi`` per value of ``by`` whose days overlap [start, end].

    The whole history up to ``end`` is decomposed (the weekly shape needs it); ``start`` only
    filters the anomalies reported. Cost series use usage-based charges unless
    ``all_charges``: monthly fees, taxes and credits booked on the 1st are not anomalies.
    Severity of cost anomalies weighs their money against a typical day of the currency. For
    cost, each anomaly names the values of the other configured dimensions (or ``drill``) that
    moved most: ``drivers`` (summary) and ``driver_details`` ({dimension, value, delta, share}).
    """
    if min_severity not in SEVERITIES:
        raise UsageError(f"--min-severity must be one of {', '.join(SEVERITIES)}")
    if threshold <= 0:
        raise UsageError("--threshold must be positive")
    by = tuple(by)  # checked once, by the KPI engine's plan
    additive = kpi in COST_COLUMNS
    usage = additive and not all_charges
    if additive:
        frame = daily_cost(ws, by=by, end=end, where=where, kpi=kpi, usage_only=usage)
        fill = "zero"
    else:
        frame = kpi_series(ws, kpi, grain="day", by=by, end=end, where=where)
        frame = frame.rename(columns={"period_start": "date", "value": "cost"})
        fill = "interpolate"
    frame["date"] = pd.to_datetime(frame["date"])
    frame["cost"] = to_float(frame["cost"])
    keys = [*by, "currency"]
    typical_day = _typical_day(frame) if additive else {}
    found: list[dict[str, Any]] = []
    for key, part in frame.groupby(keys, dropna=False, sort=True):
        keyd = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        values = part.groupby("date")["cost"].sum()
        scored = score_series(values, fill=fill)
        if scored is None:
            continue
        day_total = typical_day.get(keyd["currency"])
        for event in events(
            scored,
            threshold=threshold,
            min_relative=min_relative,
            min_impact=min_impact_share * (day_total or 0.0),
            additive=additive,
            impact_scale=day_total or None,
        ):
            if start is not None and event["end"] < start:
                continue
            if SEVERITIES.index(event["severity"]) < SEVERITIES.index(min_severity):
                continue
            found.append({"kpi": kpi, **keyd, **event})
    result = pd.DataFrame(found, columns=["kpi", *keys, *COLUMNS])
    if additive and not result.empty:
        dims = [d for d in (ws.project.dimensions if drill is None else drill) if d not in by]
        check_dims(ws, dims)
        details = _drivers(ws, result, by=by, dims=dims, where=where, kpi=kpi, usage=usage)
        result["drivers"] = [summarize_drivers(d, order=dims) for d in details]
        result["driver_details"] = pd.Series(details, index=result.index, dtype=object)
    else:
        result["drivers"] = None
        result["driver_details"] = pd.Series(
            [[] for _ in range(len(result))], index=result.index, dtype=object
        )
    return result.sort_values(["start", *keys], ignore_index=True)


def _typical_day(frame: pd.DataFrame) -> dict[Any, float]:
    """Per currency: the median daily total over all series, the yardstick of materiality
    (``min_impact_share`` of it) and of severity (an anomaly's delta against it)."""
    totals = frame.groupby(["currency", "date"], dropna=False)["cost"].sum()
    out: dict[Any, float] = {}
    for currency, part in totals.groupby(level=0, dropna=False):
        out[currency] = float(np.median(np.abs(part.to_numpy())))
    return out


def _drivers(
    ws: Context,
    found: pd.DataFrame,
    *,
    by: tuple[str, ...],
    dims: list[str],
    where: Any,
    kpi: str,
    usage: bool,
) -> list[list[dict[str, Any]]]:
    """Drill every anomaly into each dimension: one query per dimension, one day × value table
    per series, sliced per anomaly."""
    lo = min(found["start"]) - dt.timedelta(weeks=BASELINE_WEEKS + 1)
    hi = max(found["end"])
    details: list[list[dict[str, Any]]] = [[] for _ in range(len(found))]
    keys = [*by, "currency"]
    records = found.to_dict("records")
    for dim in dims:
        child = daily_cost(
            ws, by=[*by, dim], start=lo, end=hi, where=where, kpi=kpi, usage_only=usage
        )
        child["cost"] = to_float(child["cost"])
        child[dim] = child[dim].astype(object).where(child[dim].notna(), "(none)")
        child["currency"] = child["currency"].astype(object)
        tables = {}
        for key, part in child.groupby(keys, dropna=False, sort=False):
            tables[key if isinstance(key, tuple) else (key,)] = driver_table(part, column=dim)
        for i, row in enumerate(records):
            table = tables.get(tuple(row[k] for k in keys))
            if table is None:
                continue
            details[i] += drivers(
                table=table,
                start=pd.Timestamp(row["start"]),
                end=pd.Timestamp(row["end"]),
                column=dim,
            )
    for found_drivers in details:
        found_drivers.sort(key=lambda x: -x["share"])
    return details
