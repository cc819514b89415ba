"""History: previous period, same period last year, named baselines."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from costmark.benchmarking.history import history_compare

from .conftest import kpi_frame

ESR = "effective_savings_rate"


def frame() -> pd.DataFrame:
    return kpi_frame(
        ESR,
        [
            (dt.date(2025, 4, 1), "a", 0.10),
            (dt.date(2026, 1, 1), "a", 0.20),
            (dt.date(2026, 3, 1), "a", 0.25),
            (dt.date(2026, 4, 1), "a", 0.30),
            (dt.date(2026, 4, 1), "b", 0.40),
            (dt.date(2025, 4, 1), "b", 0.50),
        ],
    )


def test_previous_year_ago_and_baseline() -> None:
    res = history_compare(
        frame(),
        ESR,
        by=["team"],
        direction="higher",
        baselines={"iteration-1": dt.date(2026, 1, 15)},
    )
    a = {r["comparison"]: r for r in res[res["team"] == "a"].to_dict("records")}
    prev = a["previous period"]
    assert prev["reference_period"] == dt.date(2026, 3, 1)
    assert prev["change"] == pytest.approx(0.05) and prev["change_pct"] == pytest.approx(20.0)
    assert prev["verdict"] == "better"
    yoy = a["same period last year"]
    assert yoy["reference_period"] == dt.date(2025, 4, 1)
    assert yoy["change"] == pytest.approx(0.20) and yoy["change_pct"] == pytest.approx(200.0)
    base = a["baseline iteration-1"]
    assert base["reference_period"] == dt.date(2026, 1, 1)  # the month holding 15 Jan
    assert base["change"] == pytest.approx(0.10) and base["change_pct"] == pytest.approx(50.0)
    b = {r["comparison"]: r for r in res[res["team"] == "b"].to_dict("records")}
    assert b["previous period"]["verdict"] == "no data"
    assert b["same period last year"]["verdict"] == "worse"  # 0.50 → 0.40, higher is better
    assert b["same period last year"]["change_pct"] == pytest.approx(-20.0)


def test_lower_direction_and_explicit_period_and_weeks() -> None:
    res = history_compare(frame(), ESR, by=["team"], direction="lower", period=dt.date(2026, 3, 1))
    prev = res[(res["team"] == "a") & (res["comparison"] == "previous period")].iloc[0]
    assert prev["verdict"] == "no data"  # February missing
    weekly = kpi_frame(
        "total_cost",
        [
            (dt.date(2025, 4, 7), "a", 10.0),
            (dt.date(2026, 3, 30), "a", 12.0),
            (dt.date(2026, 4, 6), "a", 9.0),
        ],
        grain="week",
    )
    res = history_compare(weekly, "total_cost", by=["team"], direction="lower")
    got = {r["comparison"]: r for r in res.to_dict("records")}
    assert got["previous period"]["change"] == pytest.approx(-3.0)
    assert got["previous period"]["verdict"] == "better"
    assert got["same period last year"]["reference_period"] == dt.date(2025, 4, 7)  # 52 weeks
    assert got["same period last year"]["change_pct"] == pytest.approx(-10.0)


def test_complete_period_skips_the_running_one() -> None:
    from costmark.benchmarking.common import complete_period

    df = frame()
    assert complete_period(df, "month", dt.date(2026, 4, 30)) == (dt.date(2026, 3, 1), True)
    assert complete_period(df, "month", dt.date(2026, 5, 1)) == (dt.date(2026, 4, 1), False)
    # nothing complete yet: the running period is all there is
    only = df[df["period_start"] == dt.date(2026, 4, 1)]
    assert complete_period(only, "month", dt.date(2026, 4, 2)) == (dt.date(2026, 4, 1), False)
