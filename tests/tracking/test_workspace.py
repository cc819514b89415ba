"""Tracking through the facade on a tiny hand-made workspace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from costmark.api import Workspace
from costmark.tracking import snapshots
from tests.tracking.conftest import days, load_costs, make_workspace

PATTERN = [100, 104, 108, 103, 99, 60, 55]


def rhythm_rows(start: dt.date, n: int, spike_on: dt.date | None = None) -> list[tuple]:
    rng = np.random.default_rng(2)
    rows = []
    for i, day in enumerate(days(start, n)):
        base = PATTERN[day.weekday()]
        for team, share in (("web", 0.6), ("data", 0.4)):
            cost = round(share * base + rng.normal(0, 0.8), 2)
            if team == "data" and day == spike_on:
                cost += 120
            rows.append((day, team, "Compute", cost))
            rows.append((day, team, "Storage", round(0.1 * share * base, 2)))
        del i
    return rows


def test_track_monthly_cost_by_team(tws: Workspace) -> None:
    load_costs(tws, [(d, "web", "Compute", 10) for d in days(dt.date(2026, 1, 1), 90)])
    load_costs(tws, [(d, "data", "Compute", 1 + d.month) for d in days(dt.date(2026, 1, 1), 90)])
    result = tws.track("total_cost", grain="month", by=["team"])
    web = result.series[result.series["team"] == "web"].reset_index(drop=True)
    assert [float(v) for v in web["value"]] == [310, 280, 310]
    assert web["change_abs"][1] == pytest.approx(-30)
    assert web["change_pct"][2] == pytest.approx(30 / 280)
    data = result.series[result.series["team"] == "data"].reset_index(drop=True)
    assert [float(v) for v in data["value"]] == [62, 84, 124]
    assert set(result.trends["direction"]) == {"insufficient data"}  # 3 months only
    daily = tws.track("total_cost", grain="day", by=["team"])
    trends = daily.trends.set_index("team")
    assert trends.loc["data", "direction"] == "rising"
    assert trends.loc["web", "direction"] == "no significant trend"
    assert trends.loc["data", "assessment"] == "worsening"


def test_running_period_is_left_out_of_tracking(tws: Workspace) -> None:
    load_costs(tws, [(d, "web", "Compute", 10) for d in days(dt.date(2026, 1, 1), 45)])
    result = tws.track("total_cost", grain="month")
    assert result.series["period_start"].tolist() == [dt.date(2026, 1, 1)]
    assert result.notes
    partial = tws.track("total_cost", grain="month", include_partial=True)
    assert len(partial.series) == 2


def test_forecast_stores_a_snapshot_and_rolls_up(tws: Workspace) -> None:
    load_costs(tws, rhythm_rows(dt.date(2026, 1, 5), 70))  # to 2026-03-15
    result = tws.forecast("total_cost", by=["team"])
    assert result.as_of == dt.date(2026, 3, 15)
    assert set(result.frame["grain"]) == {"month", "quarter"}
    march = result.frame[(result.frame["grain"] == "month") & (result.frame["team"] == "web")]
    march = march[march["period_start"] == dt.date(2026, 3, 1)].iloc[0]
    assert march["actual_to_date"] > 0
    assert march["lower"] < march["forecast"] < march["upper"]
    assert march["method"].startswith("ETS")
    stored = snapshots.load(tws, kpi="total_cost")
    assert set(stored["grain"]) == {"day", "month", "quarter"}
    assert stored["snapshot_id"].nunique() == 1
    assert set(stored["scope"]) == {'{"team": "web"}', '{"team": "data"}'}
    assert len(tws.forecast_snapshots()) == 1
    # horizon in days (default: to the end of next month)
    days_rows = stored[(stored["grain"] == "day") & (stored["scope"] == '{"team": "web"}')]
    assert len(days_rows) == 16 + 30


def test_short_history_forecast_says_so(tws: Workspace) -> None:
    load_costs(tws, [(d, "web", "Compute", 10 + d.day % 3) for d in days(dt.date(2026, 1, 1), 9)])
    result = tws.forecast("total_cost", grain="day", horizon=5, store=False)
    assert set(result.frame["method"]) == {"mean"}
    assert any("short history" in n for n in result.notes)
    assert snapshots.load(tws).empty


def test_forecast_accuracy_uses_the_snapshot_made_before_the_period(tws: Workspace) -> None:
    load_costs(tws, [(d, "web", "Compute", 10) for d in days(dt.date(2026, 1, 1), 59)])  # Jan+Feb
    made = []
    for created, value in (("2026-01-15", 200.0), ("2026-01-31 18:00", 250.0),
                           ("2026-02-10", 300.0)):  # fmt: skip
        rows = pd.DataFrame(
            {"kpi": ["total_cost"], "grain": ["month"], "scope": ["{}"], "currency": ["USD"],
             "period_start": [dt.date(2026, 2, 1)], "forecast": [value], "lower": [value - 40],
             "upper": [value + 40], "method": ["test"]}
        )  # fmt: skip
        made.append(snapshots.store(tws, rows, created_at=pd.Timestamp(created).to_pydatetime()))
    acc = tws.forecast_accuracy("total_cost", grain="month").set_index("period_start")
    feb = acc.loc[dt.date(2026, 2, 1)]
    assert feb["actual"] == pytest.approx(280)
    assert feb["forecast"] == pytest.approx(250)  # the latest made BEFORE Feb 1, not Feb 10
    assert feb["forecast_accuracy"] == pytest.approx(1 - 30 / 280)
    assert feb["forecast_variance"] == pytest.approx(30 / 250)
    assert bool(feb["within_interval"]) is True
    jan = acc.loc[dt.date(2026, 1, 1)]
    assert pd.isna(jan["forecast"]) and pd.isna(jan["forecast_accuracy"])
    kpi = tws.planning_kpi("forecast_accuracy", grain="month")
    assert kpi["value"].iloc[1] == pytest.approx(1 - 30 / 280)
    assert kpi["note"].iloc[0].startswith("no total_cost forecast snapshot")
    if callable(getattr(tws, "kpi", None)):  # the KPI engine reads the same snapshots
        engine = tws.kpi("forecast_accuracy", grain="month").to_pandas()
        feb_value = engine[engine["period_start"] == dt.date(2026, 2, 1)]["value"].iloc[0]
        assert feb_value == pytest.approx(1 - 30 / 280)


def test_anomaly_found_with_its_driver(tws: Workspace) -> None:
    spike = dt.date(2026, 2, 20)
    load_costs(tws, rhythm_rows(dt.date(2026, 1, 5), 70, spike_on=spike))
    found = tws.anomalies("total_cost")
    assert len(found) == 1
    event = found.iloc[0]
    assert event["start"] == event["end"] == spike
    assert event["delta"] == pytest.approx(120, rel=0.15)
    assert event["drivers"].startswith("team=data (") or "team=data (" in event["drivers"]
    assert "service=Compute" in event["drivers"]
    by_team = tws.anomalies("total_cost", by=["team"])
    assert list(by_team["team"]) == ["data"]
    assert "service=Compute" in by_team["drivers"][0]
    assert tws.anomalies("total_cost", start=dt.date(2026, 3, 1)).empty
    assert tws.anomalies("total_cost", min_severity="high")["severity"].tolist() in (
        [],
        ["high"],
    )


BUDGETS = """
budgets:
  web-monthly:
    amount: 155
    period: month
    currency: USD
    scope: {team: web}
  everything:
    amount: 100000
    period: quarter
"""


def test_budgets_from_costmark_yaml(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "b", BUDGETS)
    try:
        load_costs(ws, [(d, "web", "Compute", 10) for d in days(dt.date(2026, 1, 1), 50)])
        load_costs(ws, [(d, "data", "Compute", 5) for d in days(dt.date(2026, 1, 1), 50)])
        frame = ws.budgets().set_index("budget")
        web = frame.loc["web-monthly"]
        assert web["period_start"] == dt.date(2026, 2, 1)
        assert web["actual_to_date"] == Decimal(190)  # Feb 1..19, web only
        assert web["crossed_on"] == dt.date(2026, 2, 16)
        assert web["status"] == "over"
        every = frame.loc["everything"]
        assert every["actual_to_date"] == Decimal(750)
        assert every["status"] == "on track"
        assert every["currency"] == "USD"
        burn = ws.planning_kpi("budget_variance")
        jan = burn[
            (burn["budget"] == "web-monthly") & (burn["period_start"] == dt.date(2026, 1, 1))
        ]
        assert jan["value"].iloc[0] == pytest.approx((310 - 155) / 155)
    finally:
        ws.close()


def test_kpi_engine_reads_budgets_and_snapshots(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "k", BUDGETS)
    try:
        if not callable(getattr(ws, "kpi", None)):
            pytest.skip("KPI engine not present")
        load_costs(ws, [(d, "web", "Compute", 10) for d in days(dt.date(2026, 1, 1), 50)])
        load_costs(ws, [(d, "data", "Compute", 5) for d in days(dt.date(2026, 1, 1), 50)])
        rows = ws.kpi("budget_variance", grain="month", by=["team"]).to_pandas()
        web = rows[(rows["team"] == "web") & (rows["period_start"] == dt.date(2026, 1, 1))]
        assert web["value"].iloc[0] == pytest.approx((310 - 155) / 155)
        data = rows[rows["team"] == "data"]
        assert data["value"].isna().all()  # no budget for that scope
        quarter = ws.kpi("budget_variance", grain="quarter", by=["team"]).to_pandas()
        q1 = quarter[quarter["team"] == "web"]
        assert q1["value"].iloc[0] == pytest.approx((500 - 3 * 155) / (3 * 155))
        total = ws.kpi("budget_variance", grain="quarter").to_pandas()
        assert total["value"].iloc[0] == pytest.approx((750 - 100000) / 100000)
    finally:
        ws.close()


def test_share_forecasts_stay_between_zero_and_one(tws: Workspace) -> None:
    """A share near 100% with noise: an unbounded model's band would pass 1; it is clipped."""
    rng = np.random.default_rng(5)
    rows = []
    for day in days(dt.date(2026, 1, 5), 42):
        untagged = round(float(rng.uniform(0.5, 9.5)), 2)
        rows += [(day, None, "Compute", untagged), (day, "web", "Compute", 100 - untagged)]
    load_costs(tws, rows)
    frame = tws.forecast("untagged_cost_share", grain="day", horizon=10, store=False).frame
    assert not frame.empty
    assert (frame["upper"] <= 1).all() and (frame["lower"] >= 0).all()
