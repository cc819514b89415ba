"""Budget arithmetic on a scope's daily cost: pure functions, money kept as Decimal.

For the period that contains ``as_of`` (the last day with data):
- actual to date, daily burn rate, ``budget_burn`` = actual / (amount × elapsed share) (KPIS.md:
  1.0 means spending exactly at the pace the budget allows, 1.2 means 20% too fast);
- projected end of period = actual + forecast of the remaining days (the ETS forecast when one is
  given, else the straight-line pace), with an interval from the forecast's sample paths;
- variance = projected − amount; the day cumulative cost crossed the budget (or is projected to);
- status: ``over`` once actual exceeds the amount, ``at risk`` when the projection does (times
  the budget's ``at_risk`` factor), else ``on track``.
``budget_variance`` for finished periods is (actual − budget) / budget.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from costmark import money
from costmark.spec.budgets import Budget
from costmark.tracking.forecast import SeriesForecast
from costmark.tracking.periods import days_in, period_end, period_start, shift


def _dec(value: Any) -> Decimal:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _sum(values: pd.Series) -> Decimal:
    """Exact: the default 28-digit context would round a DECIMAL(38,18) sum."""
    with money.exact():
        return sum((_dec(v) for v in values), Decimal(0))


def crossing_day(daily: pd.Series, amount: Decimal, start: pd.Timestamp) -> dt.date | None:
    """First day on which cumulative cost since ``start`` exceeds ``amount``."""
    running = Decimal(0)
    window = daily[daily.index >= start].sort_index()
    for day, value in zip(pd.DatetimeIndex(window.index), window.to_numpy(), strict=True):
        running = money.add(running, _dec(value))
        if running > amount:
            return day.date()
    return None


def budget_status(
    daily: pd.Series,
    budget: Budget,
    *,
    as_of: dt.date,
    forecast: SeriesForecast | None = None,
    level: float = 0.95,
) -> dict[str, Any]:
    """Status of ``budget`` in the period containing ``as_of``; ``daily`` is the scope's cost
    per day (DatetimeIndex) in the budget's currency."""
    start = period_start(as_of, budget.period)
    end = period_end(start, budget.period)
    day = pd.Timestamp(as_of)
    in_period = daily[(daily.index >= start) & (daily.index <= day)]
    actual = _sum(in_period)
    amount = budget.amount
    total_days = days_in(start, budget.period)
    elapsed = int((day - start).days) + 1
    share = elapsed / total_days
    burn = float(actual) / (float(amount) * share)
    lower = upper = None
    remaining_days = pd.date_range(day + pd.Timedelta(days=1), end, freq="D")
    projected_crossing: dt.date | None = None
    if forecast is not None and len(remaining_days):
        steps = np.flatnonzero(forecast.index.isin(remaining_days))
        covered = len(steps) == len(remaining_days)
        rest = forecast.mean[steps]
        projected = float(actual) + float(rest.sum())
        if covered:
            sums = float(actual) + forecast.paths[steps].sum(axis=0)
            lo, hi = np.quantile(sums, [(1 - level) / 2, 1 - (1 - level) / 2])
            lower, upper = float(lo), float(hi)
        running = float(actual) + np.cumsum(rest)
        over = np.flatnonzero(running > float(amount))
        if len(over):
            projected_crossing = forecast.index[steps[over[0]]].date()
        method = forecast.method if covered else f"{forecast.method} (partial horizon)"
    else:
        projected = float(actual) / share
        method = "straight-line pace"
        pace = float(actual) / elapsed
        if pace > 0 and projected > float(amount):
            need = (float(amount) - float(actual)) / pace
            projected_crossing = (day + pd.Timedelta(days=int(np.floor(need)) + 1)).date()
    crossed = crossing_day(in_period, amount, start)
    if actual > amount:
        status = "over"
    elif projected > float(amount) * budget.at_risk:
        status = "at risk"
    else:
        status = "on track"
    return {
        "period": budget.period,
        "period_start": start.date(),
        "period_end": end.date(),
        "as_of": as_of,
        "days_elapsed": elapsed,
        "days_in_period": total_days,
        # a running period is projected, never judged as if complete
        "partial": f"partial: {elapsed} of {total_days} days" if elapsed < total_days else None,
        "amount": amount,
        "actual_to_date": actual,
        "remaining": amount - actual,
        "burn_rate_per_day": actual / elapsed,
        "budget_burn": burn,
        "projected": projected,
        "projected_lower": lower,
        "projected_upper": upper,
        "projection_method": method,
        "variance": projected - float(amount),
        "variance_pct": (projected - float(amount)) / float(amount),
        "crossed_on": crossed,
        "projected_crossing": projected_crossing if crossed is None else None,
        "status": status,
    }


def budget_history(daily: pd.Series, budget: Budget, *, as_of: dt.date) -> list[dict[str, Any]]:
    """``budget_variance`` for each finished period the data covers (and the budget applies to),
    plus ``budget_burn`` = actual / amount for a whole period."""
    if daily.empty:
        return []
    first = period_start(daily.index.min(), budget.period)
    rows = []
    start = first
    while period_end(start, budget.period) <= pd.Timestamp(as_of):
        end = period_end(start, budget.period)
        if budget.applies_on(start.date()):
            actual = _sum(daily[(daily.index >= start) & (daily.index <= end)])
            variance = actual - budget.amount
            rows.append(
                {
                    "period_start": start.date(),
                    "period_end": end.date(),
                    "amount": budget.amount,
                    "actual": actual,
                    "variance": variance,
                    "budget_variance": float(variance / budget.amount),
                    "budget_burn": float(actual / budget.amount),
                    "crossed_on": crossing_day(
                        daily[(daily.index >= start) & (daily.index <= end)], budget.amount, start
                    ),
                }
            )
        start = shift(start, budget.period, 1)
    return rows
