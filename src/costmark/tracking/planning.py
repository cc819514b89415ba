"""The planning KPIs (KPIS.md) in the KPI long format, for the KPI engine to delegate to.

- ``budget_variance``, ``budget_burn``: one row per budget and period (``budget`` column).
- ``forecast_accuracy``, ``forecast_variance``: per finished period (and ``by`` values), from
  the latest forecast snapshot of ``base`` (default ``total_cost``) made before the period began.

Hook: ``planning_kpi(ws, kpi_id, grain=..., by=..., start=..., end=..., where=...)`` returns a
DataFrame with kpi, period_start, grain, by..., currency, value, numerator, denominator, note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import NotFoundError

if TYPE_CHECKING:
    from costmark.engine.context import Context

PLANNING_KPIS = ("budget_variance", "budget_burn", "forecast_accuracy", "forecast_variance")


def planning_kpi(
    ws: Context,
    kpi: str,
    *,
    grain: str = "month",
    by: Sequence[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    where: Any = None,
    base: str = "total_cost",
) -> pd.DataFrame:
    if kpi in ("budget_variance", "budget_burn"):
        from costmark.tracking.budgeting import planning_kpi as budget_kpi

        return budget_kpi(ws, kpi, start=start, end=end)
    if kpi not in PLANNING_KPIS:
        raise NotFoundError(f"{kpi!r} is not a planning KPI ({', '.join(PLANNING_KPIS)})")
    from costmark.tracking.forecasting import forecast_accuracy

    acc = forecast_accuracy(ws, base, grain=grain, by=by, start=start, end=end, where=where)
    out = acc[["period_start", *by, "currency"]].copy()
    out.insert(0, "kpi", kpi)
    out.insert(2, "grain", grain)
    out["value"] = acc[kpi]
    if kpi == "forecast_accuracy":
        out["numerator"] = (acc["actual"] - acc["forecast"]).abs()
        out["denominator"] = acc["actual"].abs()
    else:
        out["numerator"] = acc["actual"] - acc["forecast"]
        out["denominator"] = acc["forecast"]
    out["note"] = [
        None if pd.notna(f) else f"no {base} forecast snapshot made before this period"
        for f in acc["forecast"]
    ]
    return out.reset_index(drop=True)
