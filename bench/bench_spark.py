"""The Spark engine on the KPI bench's workspace: what ``--engine spark`` costs, same numbers.

Measured (context, no speed target: Spark is for data that lives on a cluster; on one small
machine DuckDB is expected to win by a wide margin):
- ``spark_startup``: starting the local SparkSession (``local[2]``).
- ``spark_first_query``: the measure KPIs at month by team on the raw table the first time
  (exports ``costs`` to Parquet and registers it) vs the same on DuckDB's raw table.
- ``spark_vs_duckdb``: the same request again (export reused) vs DuckDB; ``ok`` says whether
  every value equals DuckDB's to 1e-9 relative.
Skipped (``ok: null``) when Java or costmark[spark] is missing.
"""

from __future__ import annotations

import math
import time
from typing import Any

from bench.bench_kpi import FULL_ROWS, MEASURE_KPIS, kpi_workspace


def _workspace(ctx: Any, rows: int) -> Any:
    """The KPI bench's cached workspace (same data and config), built if absent."""
    import costmark

    root = kpi_workspace(ctx, rows)
    return costmark.open(root)


def _row(name: str, value: float, baseline: float | None, ok: bool | None,
         **detail: Any) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {"name": name, "value": round(value, 3), "unit": "s", "baseline": baseline and
            round(baseline, 3), "ratio": ratio and round(ratio, 2), "target": "context", "ok": ok,
            **detail}


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def key(r: dict[str, Any]) -> tuple[str, ...]:
        return (r["kpi"], str(r["period_start"]), str(r.get("team")), str(r["currency"]))

    left, right = {key(r): r for r in a}, {key(r): r for r in b}
    if set(left) != set(right):
        return False
    for k, row in left.items():
        for col in ("value", "numerator", "denominator", "coverage"):
            x, y = row[col], right[k][col]
            if (x is None) != (y is None):
                return False
            if x is not None and not math.isclose(float(x), float(y), rel_tol=1e-9,
                                                  abs_tol=1e-12):
                return False
    return True


def run(ctx: Any) -> list[dict[str, Any]]:
    from costmark.engine import spark
    from costmark.errors import BackendUnavailable

    try:
        spark.check_available()
    except BackendUnavailable as exc:
        return [{"name": "spark", "value": None, "unit": "s", "baseline": None, "ratio": None,
                 "target": "context", "ok": None, "skipped": str(exc)}]
    rows = ctx.rows(FULL_ROWS)
    ws = _workspace(ctx, rows)
    try:
        t0 = time.perf_counter()
        spark.connect(spark.SparkSettings(master="local[2]"))
        startup = time.perf_counter() - t0

        def duck() -> list[dict[str, Any]]:
            return ws.kpi(MEASURE_KPIS, grain="month", by=["team"], rollups=False).rows()

        def on_spark() -> list[dict[str, Any]]:
            return ws.kpi(MEASURE_KPIS, grain="month", by=["team"], engine="spark",
                          rollups=False).rows()

        t0 = time.perf_counter()
        expected = duck()
        duck_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        on_spark()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        got = on_spark()
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        duck()
        duck_s = min(duck_s, time.perf_counter() - t0)
        ctx.log(f"spark: startup {startup:.1f}s, first {first:.1f}s, warm {warm:.1f}s, "
                f"duckdb {duck_s:.2f}s on {rows:,} rows")
        return [
            _row("spark_startup", startup, None, None),
            _row("spark_first_query", first, duck_s, None, rows=rows),
            _row("spark_vs_duckdb", warm, duck_s, _same(expected, got), rows=rows),
        ]
    finally:
        ws.close()
        spark.stop()
