"""Tracking on both engines: the same series, forecasts, anomalies and budgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.engine_support import month_totals, same


def test_track_gives_the_hand_sums_on_every_engine(engine: str, on: Any) -> None:
    result = on(engine).track("total_cost", grain="month", by="team")
    got = {(r["period_start"].date() if hasattr(r["period_start"], "date") else r["period_start"],
            r["team"]): r["value"] for r in result.series.to_dict("records")}
    assert got == month_totals()
    assert same(result.trends, on("duckdb").track("total_cost", grain="month", by="team").trends)


def test_forecast_is_the_same_on_every_engine(engine: str, on: Any) -> None:
    base = on("duckdb").forecast("total_cost", grain="month", horizon=2, store=False)
    got = on(engine).forecast("total_cost", grain="month", horizon=2, store=False)
    assert len(got.frame) > 0
    assert same(base.frame, got.frame, rel=1e-6)


def test_anomalies_find_the_spike_on_every_engine(engine: str, on: Any) -> None:
    found = on(engine).anomalies("total_cost", by="team")
    assert dt.date(2026, 3, 18) in {r["start"] for r in found.to_dict("records")
                                    if r["team"] == "search"}
    assert same(found, on("duckdb").anomalies("total_cost", by="team"), rel=1e-6)


def test_budgets_are_the_same_on_every_engine(engine: str, on: Any) -> None:
    got = on(engine).budgets()
    assert list(got["budget"]) == ["payments"]
    assert same(got, on("duckdb").budgets())


def test_a_scope_sees_only_its_rows_on_every_engine(engine: str, on: Any) -> None:
    payments = on(engine).scoped({"team": "payments"})
    assert f"engine: {engine}" in payments.explain("total_cost")  # really on that engine
    rows = payments.kpi("total_cost", grain="month").rows()
    assert {r["period_start"]: r["value"] for r in rows} == {
        month: v for (month, team), v in month_totals().items() if team == "payments"
    }
