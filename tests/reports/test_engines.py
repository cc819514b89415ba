"""A report on both engines: every section holds the same numbers."""

from __future__ import annotations

from typing import Any

from tests.engine_support import month_totals, same


def test_report_numbers_are_the_same_on_every_engine(engine: str, on: Any) -> None:
    got = on(engine).report_context(cadence="monthly")
    base = on("duckdb").report_context(cadence="monthly")
    assert got["period"]["label"] == "2026-04"
    total = next(r for r in got["sections"]["scorecard"]["rows"] if r["kpi"] == "total_cost")
    april = sum(v for (m, _), v in month_totals().items() if m.month == 4)
    assert float(total["value"]) == float(april)
    for name, section in base["sections"].items():
        assert same(section, got["sections"][name], rel=1e-6), name
