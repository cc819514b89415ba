from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from costmark.tracking.forecast import forecast_values, rollup

PATTERN = np.array([100, 104, 108, 103, 99, 60, 55], dtype=float)  # Mon..Sun


def seasonal(n: int, seed: int, sigma: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.tile(PATTERN, n // 7 + 1)[:n] + rng.normal(0, sigma, n)


def test_intervals_contain_a_known_seasonal_series() -> None:
    idx = pd.date_range("2026-01-05", periods=84 + 28, freq="D")  # a Monday
    full = pd.Series(seasonal(len(idx), seed=3), index=idx)
    history, future = full[:84], full[84:]
    fc = forecast_values(history, horizon=28, freq="D", season=7)
    assert fc.method.startswith("ETS(A,Ad,A)")
    assert fc.note is None
    inside = (future.to_numpy() >= fc.lower) & (future.to_numpy() <= fc.upper)
    assert inside.mean() >= 0.9  # 95% intervals
    # the weekly shape is forecast, not just the mean
    assert fc.mean[5] < fc.mean[2] - 30
    assert np.abs(fc.mean - np.tile(PATTERN, 4)).max() < 8
    assert list(fc.index[:2]) == [pd.Timestamp("2026-03-30"), pd.Timestamp("2026-03-31")]


def test_rollup_is_actual_to_date_plus_forecast_rest() -> None:
    idx = pd.date_range("2026-01-01", "2026-03-15", freq="D")
    history = pd.Series(seasonal(len(idx), seed=5), index=idx)
    fc = forecast_values(history, horizon=17 + 30, freq="D", season=7)
    months = rollup(history, fc, "month")
    assert [d.strftime("%Y-%m") for d in months["period_start"]] == ["2026-03", "2026-04"]
    march = months.iloc[0]
    assert march["actual_to_date"] == pytest.approx(history["2026-03"].sum())
    assert march["forecast"] == pytest.approx(history["2026-03"].sum() + fc.mean[:16].sum())
    assert march["lower"] < march["forecast"] < march["upper"]
    april = months.iloc[1]
    assert april["actual_to_date"] == 0
    assert april["forecast"] == pytest.approx(fc.mean[16:46].sum())
    # a sum's interval is narrower than the sum of daily intervals (errors partly cancel)
    assert april["upper"] - april["lower"] < (fc.upper[16:46] - fc.lower[16:46]).sum()
    quarters = rollup(history, fc, "quarter")  # Q1 is covered to its end, Q2 is not
    assert [d.strftime("%Y-%m") for d in quarters["period_start"]] == ["2026-01"]
    assert quarters["actual_to_date"][0] == pytest.approx(history.sum())
    assert quarters["forecast"][0] == pytest.approx(history.sum() + fc.mean[:16].sum())


def test_short_daily_history_falls_back_to_mean_with_wide_intervals() -> None:
    idx = pd.date_range("2026-01-05", periods=10, freq="D")
    values = pd.Series(seasonal(10, seed=1), index=idx)
    fc = forecast_values(values, horizon=5, freq="D", season=7)
    assert fc.method == "mean"
    assert fc.note is not None and "short history" in fc.note and "wide" in fc.note
    assert fc.mean == pytest.approx(np.full(5, values.mean()))
    # wider than the noise of a long-history ETS fit of the same process
    assert (fc.upper - fc.lower).min() > 4 * 2.0 * 1.96


def test_short_monthly_history_uses_drift() -> None:
    idx = pd.date_range("2025-01-01", periods=6, freq="MS")
    values = pd.Series([100.0, 110, 120, 130, 140, 150], index=idx)
    fc = forecast_values(values, horizon=3, freq="MS")
    assert fc.method == "drift"
    assert fc.mean == pytest.approx([160, 170, 180])
    assert fc.note is not None and "drift" in fc.note
    # a perfectly regular history has no noise: the interval collapses to the line
    assert fc.lower == pytest.approx(fc.mean)


def test_single_point_has_no_interval() -> None:
    fc = forecast_values(pd.Series([5.0], index=pd.DatetimeIndex(["2026-01-01"])), horizon=2,
                         freq="MS")  # fmt: skip
    assert fc.method == "mean"
    assert fc.mean == pytest.approx([5, 5])
    assert np.isnan(fc.lower).all()


def test_yearly_season_without_two_years_is_dropped_not_fatal() -> None:
    idx = pd.date_range("2025-01-01", periods=12, freq="MS")
    values = pd.Series(0.10 + 0.002 * np.arange(12), index=idx)
    fc = forecast_values(values, horizon=3, freq="MS", season=12, season_required=False)
    assert fc.method == "ETS(A,Ad,N)"
    assert fc.note is not None and "no seasonality" in fc.note
    assert fc.mean[0] == pytest.approx(0.10 + 0.002 * 12, abs=0.002)


def test_horizon_counts_periods_of_the_grain() -> None:
    import datetime as dt

    from costmark.tracking.forecasting import horizon_days

    as_of = dt.date(2026, 11, 22)
    assert horizon_days(as_of, None, 10) == 10
    assert horizon_days(as_of, "day", 10) == 10
    assert horizon_days(as_of, "month", 1) == 8 + 31  # rest of November + December
    assert horizon_days(as_of, "quarter", 1) == 39 + 90  # rest of Q4 + Q1 2027
    assert horizon_days(as_of, "month", None) == 8 + 31  # default: to the end of next month


def test_three_points_are_not_extrapolated() -> None:
    """15, 22, 29: drift would say 44 two months on (a tripling read from two differences)."""
    idx = pd.date_range("2025-01-01", periods=3, freq="MS")
    fc = forecast_values(pd.Series([15.0, 22.0, 29.0], index=idx), horizon=2, freq="MS")
    assert fc.method == "mean"
    assert fc.mean == pytest.approx([22.0, 22.0])
    assert fc.note is not None and "no trend extrapolated" in fc.note


def test_too_short_refuses_fewer_than_three_points() -> None:
    from costmark.tracking.forecast import too_short

    idx = pd.date_range("2025-01-01", periods=3, freq="MS")
    assert too_short(pd.Series([1.0, np.nan, 2.0], index=idx)) == (
        "no forecast: 2 points, at least 3 needed")
    assert too_short(pd.Series([1.0, 3.0, 2.0], index=idx)) is None
