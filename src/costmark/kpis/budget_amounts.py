"""Budgets of costmark.yaml for the KPI engine's ``budget_variance`` / ``budget_burn``.

Part of the KPI library (it was tracking code registered at import time; the KPI library no
longer imports tracking).

The engine asks for the budget of each (period_start, dimension values, currency) key of a
request. A budget answers a key when its scope names exactly the request's ``by`` dimensions
with one value each (``{}`` for the total), it has no ``where`` filter (the engine's frame cannot
tell filtered cost apart), its currency matches, and its period is the request's grain, or finer
and summable: three monthly budgets make a quarter, twelve a year, four quarters a year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costmark.engine import periods
from costmark.spec.budgets import Budget

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key

_ORDER = ("month", "quarter", "year")


def amount_for(budget: Budget, start: dt.date, grain: str) -> Decimal | None:
    """The budget for the ``grain`` period starting at ``start``; None when it cannot say."""
    if grain not in _ORDER or _ORDER.index(budget.period) > _ORDER.index(grain):
        return None
    end = periods.period_end(start, grain)
    total, current, found = Decimal(0), start, False
    while current < end:
        if budget.applies_on(current):
            total += budget.amount
            found = True
        current = periods.shift(current, budget.period, 1)
    return total if found else None


def budget_amounts(ctx: Context) -> dict[Key, Decimal]:
    """The budget of each key of the request that a budget answers (see the module docstring)."""
    project: Any = ctx.project
    budgets: dict[str, Budget] = dict(getattr(project, "budgets", {}) or {})
    if not budgets:
        return {}
    by = tuple(ctx.request.by)
    reporting = project.currency.reporting
    out: dict[Key, Decimal] = {}
    for key in ctx.frame_keys():
        period, dims, currency = key
        values = dict(zip(by, dims, strict=True))
        candidates = []
        for budget in budgets.values():
            scope = budget.scope_values()
            if budget.where or set(scope) != set(by) or budget.cost != "total_cost":
                continue  # the engine's budget KPIs compare with effective cost
            if any(len(v) != 1 or v[0] != values[d] for d, v in scope.items()):
                continue
            if (budget.currency or reporting or currency) != currency:
                continue
            amount = amount_for(budget, period, ctx.request.grain)
            if amount is not None:
                candidates.append((budget.period != ctx.request.grain, amount))
        if candidates:
            out[key] = sorted(candidates, key=lambda c: c[0])[0][1]  # exact period first
    return out
