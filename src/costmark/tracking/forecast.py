"""Forecast one regular series with prediction intervals, falling back gracefully when short.

Model choice, in order:
- **ETS(A,Ad,A)** (additive error, damped additive trend, additive season; statsmodels
  ``ETSModel``) when a season is given and at least two full cycles exist: daily cost with its
  weekly rhythm. Damped, because cloud bills rarely keep growing linearly forever.
- **ETS(A,Ad,N)** (damped Holt) without a season when there are at least ``MIN_HOLT`` points.
- **drift** (last value + average change) from ``MIN_DRIFT`` points, else the **mean**, with
  Student-t intervals that widen because the noise itself is estimated from few points. The
  result says so in ``note``; a forecast from five points should not look as sure as one from a
  year. A trend is never extrapolated from fewer than ``MIN_DRIFT`` points: drift on three
  monthly points (15, 22, 29) projects 44 two months on, a tripling read from two differences.
- Callers refuse series shorter than ``MIN_POINTS`` (``too_short``): no forecast at all.

Every model also returns simulated sample paths, so sums over days (month or quarter totals)
get honest intervals: the interval of a sum is not the sum of the intervals.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from costmark.tracking.blas import one_thread
from costmark.tracking.periods import period_end, period_start, shift

#: Points needed for damped Holt without a season.
MIN_HOLT = 10
#: Points needed before a trend (drift) is extrapolated; below, the mean model.
MIN_DRIFT = 6
#: Points below which no forecast is made at all.
MIN_POINTS = 3
#: Simulated paths used for interval of totals.
REPETITIONS = 1000


@dataclass(frozen=True)
class SeriesForecast:
    """Point forecasts and intervals for ``horizon`` steps after the last observation."""

    index: pd.DatetimeIndex
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    paths: np.ndarray  # (horizon, repetitions) sample paths, for intervals of sums
    method: str
    note: str | None = None

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "period_start": self.index,
                "forecast": self.mean,
                "lower": self.lower,
                "upper": self.upper,
            }
        )


def forecast_values(
    values: pd.Series,
    *,
    horizon: int,
    freq: str,
    season: int | None = None,
    level: float = 0.95,
    seed: int = 0,
    season_required: bool = True,
) -> SeriesForecast:
    """Forecast a regular series (DatetimeIndex at ``freq``; NaNs are interpolated).

    ``season`` is the seasonal period in steps (7 for daily data), or None. Without two full
    cycles, ``season_required`` falls back to the mean (a weekly rhythm would bias a trend
    model); otherwise the season is dropped and the series modelled without it (a yearly
    season is often not yet visible in a year of monthly KPIs).
    """
    y = values.astype(float).interpolate(limit_direction="both")
    y = y[~y.isna()]
    if len(y) == 0:
        raise ValueError("cannot forecast an empty series")
    index = pd.date_range(y.index[-1], periods=horizon + 1, freq=freq)[1:]
    n = len(y)
    alpha = 1 - level
    rng = np.random.default_rng(seed)
    dropped = None
    if season and n < 2 * season and not season_required:
        dropped = f"no seasonality modelled (needs 2 cycles of {season}, has {n} points)"
        season = None
    if season and n >= 2 * season:
        fitted = _ets(y, horizon, alpha, season, rng)
        if fitted is not None:
            return SeriesForecast(index, *fitted, method=f"ETS(A,Ad,A) season {season}")
    elif n >= MIN_HOLT and not season:
        fitted = _ets(y, horizon, alpha, None, rng)
        if fitted is not None:
            return SeriesForecast(index, *fitted, method="ETS(A,Ad,N)", note=dropped)
    arr = y.to_numpy()
    cycles = f"< 2 seasonal cycles of {season}" if season else f"< {MIN_HOLT} points"
    if n >= MIN_DRIFT and not season:
        mean, lower, upper, paths = _drift(arr, horizon, alpha, rng)
        note = f"short history ({n} points, {cycles}): drift model, wide intervals"
        return SeriesForecast(index, mean, lower, upper, paths, "drift", note)
    mean, lower, upper, paths = _mean(arr, horizon, alpha, rng)
    note = f"short history ({n} points, {cycles}): mean model, wide intervals"
    if not season and n < MIN_DRIFT:
        note = (f"short history ({n} points, < {MIN_DRIFT} for a trend): mean model, no trend "
                "extrapolated, wide intervals")
    if n < 2:
        note = "a single point: flat forecast, no interval"
    return SeriesForecast(index, mean, lower, upper, paths, "mean", note)


def too_short(values: pd.Series) -> str | None:
    """Why ``values`` are too few to forecast (fewer than ``MIN_POINTS`` known points)."""
    n = int(values.notna().sum())
    if n < MIN_POINTS:
        return f"no forecast: {n} point{'s' if n != 1 else ''}, at least {MIN_POINTS} needed"
    return None


Fitted = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _ets(
    y: pd.Series, horizon: int, alpha: float, season: int | None, rng: np.random.Generator
) -> Fitted | None:
    """Fit ETS and return (mean, lower, upper, paths); None when the fit fails or explodes."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    endog = pd.Series(y.to_numpy(), index=pd.RangeIndex(len(y)))
    scale = float(np.nanmax(np.abs(endog))) or 1.0
    try:
        with warnings.catch_warnings(), one_thread():  # tiny operands: no thread pool
            warnings.simplefilter("ignore")
            model = ETSModel(
                endog / scale,
                error="add",
                trend="add",
                damped_trend=True,
                seasonal="add" if season else None,
                seasonal_periods=season,
            )
            res = model.fit(disp=False, maxiter=1000)
            n = len(endog)
            pred = res.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=alpha)
            paths = res.simulate(horizon, anchor="end", repetitions=REPETITIONS, rng=rng)
    except (ValueError, np.linalg.LinAlgError, IndexError):
        return None
    mean = pred["mean"].to_numpy() * scale
    lower = pred["pi_lower"].to_numpy() * scale
    upper = pred["pi_upper"].to_numpy() * scale
    sims = np.asarray(paths, dtype=float).reshape(horizon, -1) * scale
    if not (np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(sims).all()):
        return None
    return mean, lower, upper, sims


def _mean(y: np.ndarray, horizon: int, alpha: float, rng: np.random.Generator) -> Fitted:
    """Mean model: ŷ = ȳ; interval ȳ ± t_{n−1} · s · √(1 + 1/n)."""
    n = len(y)
    mean = np.full(horizon, float(np.mean(y)))
    if n < 2:
        nan = np.full(horizon, np.nan)
        return mean, nan, nan, np.repeat(mean[:, None], 2, axis=1)
    s = float(np.std(y, ddof=1))
    width = float(stats.t.ppf(1 - alpha / 2, n - 1)) * s * math.sqrt(1 + 1 / n)
    draws = stats.t.rvs(n - 1, size=(horizon, REPETITIONS), random_state=rng)
    paths = mean[:, None] + draws * s * math.sqrt(1 + 1 / n)
    return mean, mean - width, mean + width, paths


def _drift(y: np.ndarray, horizon: int, alpha: float, rng: np.random.Generator) -> Fitted:
    """Random walk with drift: ŷ_{T+h} = y_T + h·d, d = (y_T − y_1)/(T − 1);
    se_h = σ · √(h · (1 + h/(T − 1))) with Student-t quantiles (Hyndman & Athanasopoulos 5.5)."""
    n = len(y)
    diffs = np.diff(y)
    drift = float(diffs.mean())
    sigma = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else abs(drift)
    h = np.arange(1, horizon + 1, dtype=float)
    mean = y[-1] + h * drift
    q = float(stats.t.ppf(1 - alpha / 2, max(n - 2, 1)))
    se = sigma * np.sqrt(h * (1 + h / (n - 1)))
    steps = stats.t.rvs(max(n - 2, 1), size=(horizon, REPETITIONS), random_state=rng) * sigma
    drift_draws = drift + sigma / math.sqrt(n - 1) * rng.standard_normal(REPETITIONS)
    paths = y[-1] + np.cumsum(steps + drift_draws[None, :], axis=0)
    return mean, mean - q * se, mean + q * se, paths


def rollup(
    actual: pd.Series,
    forecast: SeriesForecast,
    grain: str,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Totals of daily values per month or quarter: actual to date + forecast of the rest.

    Only periods the history plus the horizon cover to their last day are returned, with the
    interval taken from the simulated paths' sums.
    """
    alpha = 1 - level
    rows = []
    fc_days = pd.Series(range(len(forecast.index)), index=forecast.index)
    first = period_start(forecast.index[0], grain)
    last_day = forecast.index[-1]
    start = first
    while period_end(start, grain) <= last_day:
        end = period_end(start, grain)
        in_actual = actual[(actual.index >= start) & (actual.index <= end)]
        steps = fc_days[(fc_days.index >= start) & (fc_days.index <= end)].to_numpy()
        to_date = float(in_actual.sum())
        total = to_date + float(forecast.mean[steps].sum())
        sums = to_date + forecast.paths[steps].sum(axis=0)
        lo, hi = np.quantile(sums, [alpha / 2, 1 - alpha / 2])
        rows.append(
            {
                "period_start": start,
                "actual_to_date": to_date,
                "forecast": total,
                "lower": float(lo),
                "upper": float(hi),
            }
        )
        start = shift(start, grain, 1)
    columns = ["period_start", "actual_to_date", "forecast", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns)
