"""``ws.budgets`` and the planning KPIs ``budget_variance`` / ``budget_burn``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.errors import ConfigError, NotFoundError, did_you_mean
from costmark.spec.budgets import Budget
from costmark.tracking.budgets import budget_history, budget_status
from costmark.tracking.data import daily_cost
from costmark.tracking.forecast import forecast_values
from costmark.tracking.forecasting import daily_series
from costmark.tracking.periods import period_end, period_start
from costmark.tracking.track import last_data_day

if TYPE_CHECKING:
    from costmark.engine.context import Context


def configured(ws: Context) -> dict[str, Budget]:
    """The budgets the context may see: all of them, or in a scope only those whose own scope
    lies inside it (a scoped token sees the payments budget, not the company's)."""
    found = dict(getattr(ws.project, "budgets", {}) or {})
    if not ws.scope:
        return found
    return {
        key: budget for key, budget in found.items()
        if all(budget.scope_values().get(k) == (v,) for k, v in ws.scope.items())
    }


def scope_label(budget: Budget) -> str:
    parts = [f"{k}={'|'.join(v)}" for k, v in budget.scope_values().items()]
    if budget.where:
        parts.append(f"where {budget.where}")
    return ", ".join(parts) or "all cost"


def scoped_daily(
    ws: Context, name: str, budget: Budget, as_of: dt.date
) -> tuple[pd.Series, str | None]:
    """The budget scope's cost per day in the budget's currency (Decimal values), and that
    currency (the budget's, else the reporting one, else the only one the scope has)."""
    scope = budget.scope_values()
    frame = daily_cost(ws, by=list(scope), end=as_of, where=budget.where, kpi=budget.cost)
    for dim, values in scope.items():
        frame = frame[frame[dim].isin(values)]
    currencies = sorted(c for c in frame["currency"].dropna().unique())
    currency = budget.currency or ws.project.currency.reporting
    if currency is None:
        if len(currencies) > 1:
            raise ConfigError(
                f"budget {name!r}: its scope has costs in {', '.join(currencies)}; "
                "set 'currency' on the budget (currencies are never summed together)"
            )
        currency = currencies[0] if currencies else None
    frame = frame[frame["currency"] == currency]
    if frame.empty:
        return pd.Series(dtype=object), currency
    daily = frame.groupby("date")["cost"].agg(lambda s: sum(s, start=type(s.iloc[0])(0)))
    daily.index = pd.to_datetime(daily.index)
    return daily.sort_index(), currency


def _currency(ws: Context, budget: Budget) -> str | None:
    return budget.currency or ws.project.currency.reporting


def budgets(
    ws: Context, *, name: str | None = None, as_of: dt.date | None = None
) -> pd.DataFrame:
    """Status of each budget in the period containing ``as_of`` (default: last day of data)."""
    found = configured(ws)
    if name is not None and name not in found:
        if ws.scope and name in (ws.project.budgets or {}):
            return pd.DataFrame()  # another scope's budget: nothing to show here
        raise NotFoundError(f"no budget named {name!r}{did_you_mean(name, found)}")
    as_of = as_of or last_data_day(ws)
    rows = []
    for key, budget in found.items():
        if name is not None and key != name:
            continue
        base: dict[str, Any] = {
            "budget": key,
            "scope": scope_label(budget),
            "currency": _currency(ws, budget),
        }
        if as_of is None:
            rows.append({**base, "status": "no data"})
            continue
        if not budget.applies_on(as_of):
            rows.append({**base, "status": "not active"})
            continue
        daily, base["currency"] = scoped_daily(ws, key, budget, as_of)
        start = period_start(as_of, budget.period)
        end = period_end(start, budget.period)
        fc = None
        remaining = int((end - pd.Timestamp(as_of)).days)
        if remaining > 0 and not daily.empty:
            history = daily_series(
                pd.DataFrame({"date": daily.index, "cost": daily.to_numpy()}), as_of
            )
            fc = forecast_values(history, horizon=remaining, freq="D", season=7)
        rows.append({**base, **budget_status(daily, budget, as_of=as_of, forecast=fc)})
    return pd.DataFrame(rows)


def planning_kpi(
    ws: Context,
    kpi: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """``budget_variance`` / ``budget_burn`` in the KPI long format, one row per budget and
    period (grain = the budget's period, column ``budget`` names it). Finished periods use the
    whole period; the running one uses actual to date (burn) and the projection (variance)."""
    if kpi not in ("budget_variance", "budget_burn"):
        raise NotFoundError(f"{kpi!r} is not a budget KPI")
    as_of = last_data_day(ws)
    rows: list[dict[str, Any]] = []
    if as_of is None:
        return pd.DataFrame(rows)
    for key, budget in configured(ws).items():
        daily, currency = scoped_daily(ws, key, budget, as_of)
        for h in budget_history(daily, budget, as_of=as_of):
            value = h["budget_variance"] if kpi == "budget_variance" else h["budget_burn"]
            numerator = h["variance"] if kpi == "budget_variance" else h["actual"]
            rows.append(_row(kpi, budget, key, currency, h["period_start"], value, numerator, None))
        if budget.applies_on(as_of):
            current = budgets(ws, name=key, as_of=as_of).iloc[0].to_dict()
            if "period_start" in current:
                if kpi == "budget_burn":
                    value, num = current["budget_burn"], current["actual_to_date"]
                    note = f"running period, {current['days_elapsed']} days elapsed"
                else:
                    value, num = current["variance_pct"], current["variance"]
                    note = f"running period, projected ({current['projection_method']})"
                rows.append(
                    _row(kpi, budget, key, currency, current["period_start"], value, num, note)
                )
    frame = pd.DataFrame(rows)
    if not frame.empty and start is not None:
        frame = frame[frame["period_start"] >= start]
    if not frame.empty and end is not None:
        frame = frame[frame["period_start"] <= end]
    return frame.reset_index(drop=True)


def _row(
    kpi: str,
    budget: Budget,
    name: str,
    currency: str | None,
    start: dt.date,
    value: Any,
    numerator: Any,
    note: str | None,
) -> dict[str, Any]:
    return {
        "kpi": kpi,
        "period_start": start,
        "grain": budget.period,
        "budget": name,
        "currency": currency,
        "value": value,
        "numerator": numerator,
        "denominator": budget.amount,
        "note": note,
    }
