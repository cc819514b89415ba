"""Tracking cost on top of the KPI series it analyses (issue 4, "Benchmark").

Measured on the KPI bench's workspace (10M demo rows, 13 months):
- ``track_vs_kpi``: ``ws.track`` of every built-in KPI by team and month (one engine call, then
  period-over-period change, year over year, rolling mean and a Theil–Sen / Mann–Kendall trend
  per series) vs ``ws.kpi`` of the same KPIs by team and month: the ratio includes the KPI
  computation itself (target <= 1.5).
- ``anomalies_by_team``: ``ws.anomalies`` of daily cost by team with drivers drilled into every
  configured dimension (no target; for context).
- ``forecast_by_team``: ``ws.forecast`` of daily cost by team, rolled up, stored (no target).
Best of a few runs each, alternating, so a busy machine hurts both sides alike.
"""

from __future__ import annotations

import time
from typing import Any

FULL_ROWS = 10_000_000
TARGET = 1.5
REPEATS = 3


def workspace(ctx: Any, rows: int) -> Any:
    """A copy of the KPI bench's workspace: forecasts store snapshots."""
    from bench.bench_kpi import workspace_copy

    return workspace_copy(ctx, rows, "tracking-ws")


def _time(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(ctx: Any) -> list[dict[str, Any]]:
    rows = ctx.rows(FULL_ROWS)
    ws = workspace(ctx, rows)
    ids = [d.id for d in ws.kpi_catalog() if d.kind != "user"]
    t_kpi, t_track = [], []
    series = trends = 0
    for i in range(REPEATS):
        t_kpi.append(_time(lambda: ws.kpi(ids, grain="month", by=["team"]).to_pandas()))
        started = time.perf_counter()
        result = ws.track(ids, grain="month", by=["team"])
        t_track.append(time.perf_counter() - started)
        series, trends = len(result.series), len(result.trends)
        ctx.log(f"round {i + 1}/{REPEATS}: kpi {t_kpi[-1]:.2f}s, track {t_track[-1]:.2f}s")
    t_anom = _time(lambda: ws.anomalies("total_cost", by=["team"]))
    ctx.log(f"anomalies by team {t_anom:.2f}s")
    t_fc = _time(lambda: ws.forecast("total_cost", by=["team"]))
    ctx.log(f"forecast by team {t_fc:.2f}s")
    ws.close()
    base, value = min(t_kpi), min(t_track)
    return [
        {
            "name": "track_vs_kpi",
            "value": round(value, 3),
            "unit": "s",
            "baseline": round(base, 3),
            "ratio": round(value / base, 3),
            "target": f"<= {TARGET}",
            "ok": value / base <= TARGET and trends > 0,
            "kpis": len(ids),
            "series_rows": series,
            "trends": trends,
            "note": "every built-in KPI by team and month: change, yoy, rolling mean, trend",
        },
        {
            "name": "anomalies_by_team",
            "value": round(t_anom, 3),
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "target": "",
            "ok": None,
            "note": "daily cost by team, STL + robust score, drivers over every dimension",
        },
        {
            "name": "forecast_by_team",
            "value": round(t_fc, 3),
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "target": "",
            "ok": None,
            "note": "daily ETS per team, month/quarter roll-ups, snapshot stored",
        },
    ]
