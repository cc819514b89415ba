"""Forecast snapshots: every forecast run is kept, dated, so it can be judged later.

``forecast_accuracy`` and ``forecast_variance`` (KPIS.md) compare what was forecast for a period
*before it started* with what then happened. Only a snapshot created before the period's first
day counts: a forecast made mid-month already knows half the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from costmark.engine.context import Context

TABLE = "forecast_snapshots"

#: The table is created by migration "0010_tracking" (store/migrations.py).
COLUMNS = (
    "snapshot_id",
    "created_at",
    "as_of",
    "kpi",
    "grain",
    "scope",
    "filter",
    "currency",
    "period_start",
    "forecast",
    "lower",
    "upper",
    "method",
)


def scope_key(values: Mapping[str, Any]) -> str:
    """Canonical JSON of dimension values, so equal scopes compare equal as text."""
    return json.dumps({k: str(values[k]) for k in sorted(values)}, sort_keys=True)


def filter_key(where: Any) -> str | None:
    if where is None:
        return None
    return where if isinstance(where, str) else json.dumps(where, sort_keys=True, default=str)


def store(
    ws: Context,
    rows: pd.DataFrame,
    *,
    created_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
    where: Any = None,
) -> str:
    """Append one forecast run; ``rows`` has kpi, grain, scope, currency, period_start,
    forecast, lower, upper, method. Returns the snapshot id."""
    snapshot_id = uuid.uuid4().hex[:12]
    created = created_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    frame = pd.DataFrame(
        {
            "snapshot_id": snapshot_id,
            "created_at": pd.Timestamp(created),
            "as_of": pd.Timestamp(as_of) if as_of else pd.NaT,
            "kpi": rows["kpi"].astype(str),
            "grain": rows["grain"].astype(str),
            "scope": rows["scope"].astype(str),
            "filter": filter_key(where),
            "currency": rows["currency"].astype(object),
            "period_start": pd.to_datetime(rows["period_start"]),
            "forecast": rows["forecast"].astype(float),
            "lower": rows["lower"].astype(float),
            "upper": rows["upper"].astype(float),
            "method": rows["method"].astype(str),
        }
    )
    con = ws.warehouse.con
    con.register("_cm_snapshot", frame)
    try:
        with ws.warehouse.transaction():
            cols = ", ".join(COLUMNS)
            casts = ", ".join(
                f"CAST({c} AS DATE)" if c in ("as_of", "period_start") else c for c in COLUMNS
            )
            con.execute(f"INSERT INTO {TABLE} ({cols}) SELECT {casts} FROM _cm_snapshot")
    finally:
        con.unregister("_cm_snapshot")
    return snapshot_id


def load(ws: Context, *, kpi: str | None = None, grain: str | None = None) -> pd.DataFrame:
    conds, params = [], []
    if kpi:
        conds.append("kpi = ?")
        params.append(kpi)
    if grain:
        conds.append("grain = ?")
        params.append(grain)
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    sql = f"SELECT * FROM {TABLE} {where} ORDER BY created_at, kpi, grain, scope, period_start"
    return ws.warehouse.con.execute(sql, params).fetchdf()


def runs(ws: Context) -> list[dict[str, Any]]:
    """One line per stored forecast run, newest first."""
    sql = (
        f"SELECT snapshot_id, min(created_at) AS created_at, min(as_of) AS as_of, "
        f"string_agg(DISTINCT kpi, ',') AS kpis, string_agg(DISTINCT grain, ',') AS grains, "
        f"count(*) AS rows, min(period_start) AS first_period, max(period_start) AS last_period "
        f"FROM {TABLE} GROUP BY snapshot_id ORDER BY created_at DESC"
    )
    frame = ws.warehouse.con.execute(sql).fetchdf()
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def match(
    actuals: pd.DataFrame,
    snaps: pd.DataFrame,
    *,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Pair each actual period with the latest snapshot made before the period began.

    ``actuals``: period_start, by..., currency, value (complete periods only).
    ``snaps``: rows of ``forecast_snapshots`` for the same kpi, grain and filter.
    Adds forecast, lower, upper, method, snapshot_created_at, forecast_accuracy
    (1 − |actual − forecast| / |actual|), forecast_variance ((actual − forecast) / forecast) and
    within_interval.
    """
    out = actuals.copy()
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["scope"] = [scope_key({d: r[d] for d in by}) for r in out[list(by)].to_dict("records")]
    out["_cur"] = out["currency"].fillna("")
    empty_cols = ["forecast", "lower", "upper", "method", "snapshot_created_at"]
    if snaps.empty:
        for c in empty_cols:
            out[c] = None
    else:
        s = snaps.copy()
        s["period_start"] = pd.to_datetime(s["period_start"])
        s["_cur"] = s["currency"].fillna("")
        s = s[pd.to_datetime(s["created_at"]) < s["period_start"]]
        s = s.sort_values("created_at").groupby(["scope", "_cur", "period_start"]).tail(1)
        s = s.rename(columns={"created_at": "snapshot_created_at"})
        keep = [
            "scope",
            "_cur",
            "period_start",
            "forecast",
            "lower",
            "upper",
            "method",
            "snapshot_created_at",
        ]
        out = out.merge(s[keep], on=["scope", "_cur", "period_start"], how="left")
    actual = pd.to_numeric(out["value"].map(lambda v: np.nan if v is None else float(v)))
    fc = pd.to_numeric(out["forecast"], errors="coerce").astype(float)
    out["actual"] = actual
    out["forecast_accuracy"] = 1 - (actual - fc).abs() / actual.abs().where(actual != 0)
    out["forecast_variance"] = (actual - fc) / fc.where(fc != 0)
    lower = pd.to_numeric(out["lower"], errors="coerce").astype(float)
    upper = pd.to_numeric(out["upper"], errors="coerce").astype(float)
    inside = (actual >= lower) & (actual <= upper)
    out["within_interval"] = inside.where(lower.notna() & upper.notna() & fc.notna())
    out["period_start"] = out["period_start"].dt.date
    return out.drop(columns=["_cur"])
