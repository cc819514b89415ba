"""Planning KPIs: budgets and forecast accuracy.

Budgets of costmark.yaml whose scope lines up with the request (``project_budgets``, and
finer budgets summed into a coarser grain: ``costmark.kpis.budget_amounts``) are read directly.
Other sources plug in with ``register_budget_source(fn)`` where
``fn(ctx) -> {(period_start, dims, currency): amount}`` gives the budget amount of each
period/dimension/currency key the request asked for (the ``Context`` carries grain, by and the
frame keys). Without a budget for any key, budget KPIs are null with the note "no budgets
configured".

Forecasts are read from the ``forecast_snapshots`` table the tracking part writes. Read columns:
``period_start`` (DATE), ``grain``, ``currency``, a forecast amount (``forecast`` or ``value``),
the snapshot time (``made_at``, ``created_at`` or ``snapshot_at``), and optionally ``kpi``
(rows for ``total_cost`` are used) and ``dimensions`` (JSON of dimension values, ``{}`` or null
for the total). The snapshot used for a period is the latest one made before the period started.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costmark.engine import periods
from costmark.errors import CostmarkError
from costmark.kpis.budget_amounts import budget_amounts
from costmark.kpis.computed import total_cost
from costmark.kpis.model import AT_MOST_ONE, EFF, NON_NEGATIVE, ComputedKpi, define
from costmark.present import numbers
from costmark.spec import filters as f

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key

Rows = list[dict[str, Any]]
BudgetSource = Callable[["Context"], dict["Key", Decimal]]
_BUDGET_SOURCES: list[BudgetSource] = []


def register_budget_source(source: BudgetSource) -> None:
    """Plug budgets in (idempotent per function)."""
    if source not in _BUDGET_SOURCES:
        _BUDGET_SOURCES.append(source)


def _budgets(ctx: Context) -> dict[Key, Decimal]:
    out: dict[Key, Decimal] = dict(project_budgets(ctx))
    out.update(budget_amounts(ctx))
    for source in _BUDGET_SOURCES:
        out.update(source(ctx))
    return out


def project_budgets(ctx: Context) -> dict[Key, Decimal]:
    """Budgets of costmark.yaml (``budgets:``) that line up with the request's keys: same
    period as the grain, scope keys equal to ``--by`` with one value each (or no scope and no
    ``--by``), no extra filter, effective cost, matching currency and dates. Others are
    answered by ``costmark budgets``."""
    budgets = getattr(ctx.project, "budgets", None) or {}
    out: dict[Key, Decimal] = {}
    by = tuple(ctx.request.by)
    for budget in budgets.values():
        if budget.period != ctx.request.grain or budget.where is not None:
            continue
        if getattr(budget, "cost", "total_cost") != "total_cost":
            continue
        scope = budget.scope_values()
        if set(scope) != set(by) or any(len(v) != 1 for v in scope.values()):
            continue
        dims = tuple(scope[b][0] for b in by)
        for key in ctx.frame_keys():
            period, kdims, currency = key
            if kdims != dims or not budget.applies_on(period):
                continue
            if budget.currency is not None and budget.currency != currency:
                continue
            out[key] = Decimal(budget.amount)
    return out


def budget_variance(ctx: Context, plan: ComputedKpi) -> Rows:
    budgets = _budgets(ctx)
    bound = _data_bound(ctx)
    rows = []
    for key in ctx.frame_keys():
        actual = total_cost(ctx, key)
        budget = budgets.get(key)
        if budget is None:
            note = "no budget for this scope" if budgets else "no budgets configured"
            rows.append(ctx.row(plan.definition.id, key, None, numerator=actual, note=note))
        elif budget == 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=actual - budget,
                                denominator=budget, note="budget is zero"))
        else:
            end = periods.period_end(key[0], ctx.request.grain)
            note = None
            if end > bound:
                covered = max(0, (bound - key[0]).days)
                total = periods.period_days(key[0], ctx.request.grain)
                note = f"running period (partial: {covered} of {total} days): actual to date"
            rows.append(ctx.row(plan.definition.id, key, float((actual - budget) / budget),
                                numerator=actual - budget, denominator=budget, note=note))
    return rows


BUDGET_VARIANCE = ComputedKpi(
    define("budget_variance", "Budget variance", "ratio", "lower", "planning",
           "(actual − budget) / budget", "Spend against budget, per budget scope.",
           null="no budget for the scope"),
    budget_variance, {"cost": EFF},
)


def _data_bound(ctx: Context) -> dt.date:
    """The day after the last day of the data in the request's scope (``costmark.engine.asof``):
    the end a running period's elapsed share is measured to, not the wall clock."""
    from costmark.engine.asof import data_extent

    last = data_extent(ctx.ws.engine, where=ctx.request.where).last_day
    return last + dt.timedelta(days=1) if last else dt.date.max


def elapsed_share(period_start: dt.date, grain: str, today: dt.date) -> float:
    days = periods.period_days(period_start, grain)
    elapsed = (min(today, periods.period_end(period_start, grain)) - period_start).days
    return max(0, min(elapsed, days)) / days


def budget_burn(ctx: Context, plan: ComputedKpi) -> Rows:
    budgets = _budgets(ctx)
    today = _data_bound(ctx)
    rows = []
    for key in ctx.frame_keys():
        actual = total_cost(ctx, key)
        budget = budgets.get(key)
        if budget is None:
            note = "no budget for this scope" if budgets else "no budgets configured"
            rows.append(ctx.row(plan.definition.id, key, None, numerator=actual, note=note))
            continue
        share = elapsed_share(key[0], ctx.request.grain, today)
        expected = budget * Decimal(str(share))
        if share == 0 or expected == 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=actual,
                                note="period has not started or budget is zero"))
            continue
        projected = actual / Decimal(str(share))
        note = (f"projected period end {numbers.money(projected)} against "
                f"{numbers.money(budget)}")
        if share < 1:
            total = periods.period_days(key[0], ctx.request.grain)
            note = f"partial: {round(share * total)} of {total} days; {note}"
        rows.append(ctx.row(plan.definition.id, key, float(actual / expected), numerator=actual,
                            denominator=expected, note=note))
    return rows


BUDGET_BURN = ComputedKpi(
    define("budget_burn", "Budget burn", "ratio", "lower", "planning",
           "actual to date / (budget × elapsed share of the period)",
           "Pace of spend against budget: above 1 runs over.",
           valid=NON_NEGATIVE, null="no budget for the scope, or the period not started"),
    budget_burn, {"cost": EFF},
)


def _pick(columns: list[str], *names: str) -> str | None:
    return next((n for n in names if n in columns), None)


def _forecasts(ctx: Context) -> tuple[dict[Key, Decimal], str | None]:
    if not ctx.backend.has_table("forecast_snapshots"):
        return {}, "no forecast snapshots (run a forecast first)"
    t = ctx.backend.table("forecast_snapshots")
    cols = list(t.columns)
    made = _pick(cols, "made_at", "created_at", "snapshot_at")
    amount = _pick(cols, "forecast", "value", "amount")
    if made is None or amount is None or "period_start" not in cols:
        return {}, "forecast_snapshots lacks period_start / forecast / made_at columns"
    if "grain" in cols:
        t = t.filter(t.grain == ctx.request.grain)
    if "kpi" in cols:
        t = t.filter(t.kpi == "total_cost")
    wanted = f.render(ctx.request.where) if ctx.request.where is not None else None
    if "filter" in cols:
        t = t.filter(t["filter"].isnull() if wanted is None else t["filter"].notnull())
    elif wanted is not None:
        return {}, "forecast snapshots record no filter to match --where against"
    rows = ctx.backend.execute(t).to_pylist()
    if wanted is not None:
        # the same filter however it was written: compared in canonical form
        rows = [r for r in rows if _canonical_filter(r["filter"]) == wanted]
    best: dict[Key, tuple[Any, Decimal]] = {}
    for r in rows:
        period = periods.as_date(r["period_start"])
        made_at = r[made]
        if made_at is None or periods.as_date(made_at) >= period:
            continue  # only forecasts made before the period started
        dims_raw = r.get("dimensions") or r.get("scope") or "{}"
        try:
            dims = json.loads(dims_raw) if isinstance(dims_raw, str) else dict(dims_raw)
        except (json.JSONDecodeError, TypeError, ValueError):
            continue
        if set(dims) != set(ctx.request.by):
            continue
        key: Key = (period, tuple(dims.get(b) for b in ctx.request.by), r.get("currency"))
        if key not in best or made_at > best[key][0]:
            best[key] = (made_at, Decimal(str(r[amount])))
    return {k: v for k, (_, v) in best.items()}, None


@functools.lru_cache(maxsize=256)
def _canonical_filter(stored: str) -> str | None:
    """A snapshot's filter (the text given, or a mapping stored as JSON) in the engine's
    canonical form; None when it no longer parses."""
    text = stored.strip()
    source: Any = text
    if text.startswith("{"):
        try:
            source = json.loads(text)
        except json.JSONDecodeError:
            source = text
    try:
        return f.render(f.parse_filter(source)) or None
    except CostmarkError:
        return None


def forecast_accuracy(ctx: Context, plan: ComputedKpi) -> Rows:
    return _forecast_kpi(ctx, plan, accuracy=True)


FORECAST_ACCURACY = ComputedKpi(
    define("forecast_accuracy", "Forecast accuracy", "ratio", "higher", "planning",
           "1 − |actual − forecast| / |actual|",
           "Forecast taken from the last snapshot made before the period started.",
           valid=AT_MOST_ONE,
           null="no forecast snapshot before the period, or actual cost zero"),
    forecast_accuracy, {"cost": EFF},
    also_reads="forecast_snapshots (latest made before each period)",
)


def forecast_variance(ctx: Context, plan: ComputedKpi) -> Rows:
    return _forecast_kpi(ctx, plan, accuracy=False)


FORECAST_VARIANCE = ComputedKpi(
    define("forecast_variance", "Forecast variance", "ratio", "none", "planning",
           "(actual − forecast) / forecast",
           "Forecast taken from the last snapshot made before the period started.",
           null="no forecast snapshot before the period, or a zero forecast"),
    forecast_variance, {"cost": EFF},
    also_reads="forecast_snapshots (latest made before each period)",
)


def _forecast_kpi(ctx: Context, plan: ComputedKpi, *, accuracy: bool) -> Rows:
    forecasts, note = _forecasts(ctx)
    rows = []
    for key in ctx.frame_keys():
        actual = total_cost(ctx, key)
        forecast = forecasts.get(key)
        if forecast is None:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=actual,
                                note=note or "no forecast made before this period"))
            continue
        base = actual if accuracy else forecast
        if base == 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=actual,
                                denominator=forecast, note="zero denominator"))
            continue
        value = 1 - abs(actual - forecast) / abs(actual) if accuracy else (
            (actual - forecast) / forecast
        )
        rows.append(ctx.row(plan.definition.id, key, float(value), numerator=actual,
                            denominator=forecast))
    return rows

