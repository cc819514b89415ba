from __future__ import annotations

import datetime as dt
import itertools
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmark.tracking.series import track_frame, trend_frame
from costmark.tracking.trend import mann_kendall


def monthly(values: list[float | None], start: str = "2025-01-01") -> pd.DataFrame:
    starts = pd.date_range(start, periods=len(values), freq="MS").date
    return pd.DataFrame(
        {"kpi": "total_cost", "period_start": starts, "currency": "USD", "value": values}
    )


def test_period_over_period_and_rolling_mean() -> None:
    out = track_frame(monthly([100, 110, 99, 120]), grain="month", window=3)
    assert math.isnan(out["change_abs"][0])
    assert list(out["change_abs"][1:]) == pytest.approx([10, -11, 21])
    assert list(out["change_pct"][1:]) == pytest.approx([0.1, -0.1, 21 / 99])
    assert math.isnan(out["rolling_mean"][1])
    assert list(out["rolling_mean"][2:]) == pytest.approx([103, (110 + 99 + 120) / 3])


def test_missing_period_is_not_compared_with_an_older_one() -> None:
    frame = monthly([100, 110, 120]).drop(index=1)  # February missing
    out = track_frame(frame, grain="month")
    assert out["period_start"].tolist() == [dt.date(2025, 1, 1), dt.date(2025, 3, 1)]
    assert math.isnan(out["change_abs"][1])
    assert math.isnan(out["rolling_mean"][1])


def test_year_over_year_needs_a_year_of_history() -> None:
    values = [Decimal(100 + i) for i in range(14)]  # Decimal values, as the engine returns
    out = track_frame(monthly(values), grain="month")
    assert out["yoy_pct"][:12].isna().all()
    assert out["yoy_pct"][12] == pytest.approx((112 - 100) / 100)
    assert out["yoy_pct"][13] == pytest.approx((113 - 101) / 101)


def test_negative_base_and_zero_base() -> None:
    out = track_frame(monthly([-50, -25, 0, 10]), grain="month")
    assert out["change_pct"][1] == pytest.approx(0.5)  # relative to |−50|: rose by half
    assert math.isnan(out["change_pct"][3])  # from 0: undefined, not infinite


def test_week_year_over_year_is_52_weeks() -> None:
    starts = pd.date_range("2025-01-06", periods=53, freq="W-MON").date
    frame = pd.DataFrame({"period_start": starts, "currency": "USD", "value": range(1, 54)})
    out = track_frame(frame, grain="week")
    assert out["yoy_pct"].iloc[52] == pytest.approx((53 - 1) / 1)


def test_trend_per_series_by_dimension() -> None:
    a = monthly([10 * i for i in range(1, 13)]).assign(team="a")
    b = monthly([50, 52, 49, 51, 50, 48, 52, 50, 49, 51, 50, 50]).assign(team="b")
    trends = trend_frame(pd.concat([a, b]), grain="month", by=["team"], kpi_direction="lower")
    got = dict(zip(trends["team"], trends["direction"], strict=True))
    assert got == {"a": "rising", "b": "no significant trend"}
    assert trends.set_index("team").loc["a", "slope"] == pytest.approx(10)
    assert trends.set_index("team").loc["a", "assessment"] == "worsening"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-10_000, 10_000), min_size=2, max_size=30))
def test_changes_match_differences_of_consecutive_periods(values: list[int]) -> None:
    out = track_frame(monthly([float(v) for v in values]), grain="month", window=2)
    assert list(out["change_abs"][1:]) == pytest.approx(list(np.diff(values)))
    means = [(a + b) / 2 for a, b in itertools.pairwise(values)]
    assert list(out["rolling_mean"][1:]) == pytest.approx(means)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=4, max_size=40))
def test_reversing_a_series_mirrors_mann_kendall(values: list[float]) -> None:
    forward, backward = mann_kendall(values), mann_kendall(values[::-1])
    assert forward.s == -backward.s
    assert forward.p_value == pytest.approx(backward.p_value)


def test_change_from_a_tiny_base_is_null_with_a_note() -> None:
    """A day of cents before days of dollars: +681,986% says nothing (issue #10)."""
    out = track_frame(monthly([100, 0.01, 68.2, 90, 95]), grain="month")
    assert math.isnan(out["change_pct"][2]) and "tiny base" in out["change_note"][2]
    assert out["change_abs"][2] == pytest.approx(68.19)  # the absolute change stays
    assert out["change_pct"][1] == pytest.approx(-0.9999)  # from 100: a real fall
    assert out["change_pct"][3] == pytest.approx(21.8 / 68.2) and pd.isna(out["change_note"][3])
