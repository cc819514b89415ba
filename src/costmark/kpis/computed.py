"""KPIs that need code beyond sums: dispatch, period-over-period change and volatility.

Each function takes the query ``Context`` (shared frame of cost sums, backend, request) and the
plan, and returns rows in the KpiResult shape. Families live in sibling modules: efficiency
(utilization, waste, recommendations), business (unit economics) and planning (budgets,
forecasts).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costmark.engine import compile as c
from costmark.engine import periods
from costmark.kpis.library import EFF, ComputedKpi
from costmark.kpis.ranges import tiny_base, typical_level

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key

Rows = list[dict[str, Any]]


def run(ctx: Context, plan: ComputedKpi) -> Rows:
    from costmark.kpis import business, commitments, contracts, efficiency, planning

    functions: dict[str, Callable[[Context, ComputedKpi], Rows]] = {
        "unavailable": unavailable,
        "cost_change": cost_change,
        "cost_variance": cost_variance,
        "commitment_utilization_quantity": commitments.utilization_quantity,
        "contract_burndown": contracts.burndown_kpi,
        "waste_share": efficiency.waste_share,
        "resource_utilization": efficiency.resource_utilization,
        "optimization_rate": efficiency.optimization_rate,
        "cost_optimization_index": efficiency.cost_optimization_index,
        "cost_per_metric": business.cost_per_metric,
        "cost_to_revenue": business.cost_to_revenue,
        "spend_elasticity": business.spend_elasticity,
        "user_business": business.user_business,
        "budget_variance": planning.budget_variance,
        "budget_burn": planning.budget_burn,
        "forecast_accuracy": planning.forecast_accuracy,
        "forecast_variance": planning.forecast_variance,
    }
    return functions[plan.function](ctx, plan)


def total_cost(ctx: Context, key: Key) -> Decimal:
    """Σ EffectiveCost of the shared frame for ``key`` (every computed KPI declares it)."""
    return ctx.frame[key][c.MeasureRef.of(EFF, None)]


def unavailable(ctx: Context, plan: ComputedKpi) -> Rows:
    note = dict(plan.params).get("note", "not available")
    return [ctx.row(plan.definition.id, key, None, note=note) for key in ctx.frame_keys()]


def ratio_change(current: Decimal, previous: Decimal | None, typical: Decimal | None = None,
                 what: str = "cost") -> tuple[float | None, str | None]:
    """(current − previous) / previous, or None with the reason it has no meaning: no previous
    value, a zero or negative base, or (given the series' ``typical`` level) a tiny base."""
    if previous is None:
        return None, "no previous period"
    why = tiny_base(previous, typical if typical is not None else Decimal(0), what)
    if why is not None:
        return None, why
    return float((current - previous) / previous), None


def typical_costs(ctx: Context) -> dict[tuple[Any, Any], Decimal]:
    """Per series (dimensions, currency): the median absolute period cost, the yardstick for
    a tiny base."""
    series: dict[tuple[Any, Any], list[Decimal]] = defaultdict(list)
    for key in ctx.frame:
        series[(key[1], key[2])].append(total_cost(ctx, key))
    return {k: typical_level(v) for k, v in series.items()}


def cost_change(ctx: Context, plan: ComputedKpi) -> Rows:
    grain = ctx.request.grain
    yearly = dict(plan.params).get("lag") == "year"
    typical = typical_costs(ctx)
    rows = []
    for key in ctx.frame_keys():
        period, dims, currency = key
        prev_start = periods.year_before(period, grain) if yearly else periods.shift(
            period, grain, -1
        )
        prev_key = (prev_start, dims, currency)
        current = total_cost(ctx, key)
        previous = total_cost(ctx, prev_key) if prev_key in ctx.frame else None
        value, note = ratio_change(current, previous, typical[(dims, currency)])
        if previous is None and _before_data(ctx, prev_start):
            note = "no previous period in the data"
        rows.append(ctx.row(
            plan.definition.id, key, value,
            numerator=None if previous is None else current - previous,
            denominator=previous, note=note,
        ))
    return rows


def _before_data(ctx: Context, day: Any) -> bool:
    return bool(ctx.frame) and day < min(k[0] for k in ctx.frame)


def daily_totals(ctx: Context) -> dict[Key, list[Decimal]]:
    """Daily Σ EffectiveCost grouped by (period, dims, currency), converted to the reporting
    currency where configured. Reads the same source (rollup or raw) as the shared scan."""
    from costmark.engine.query import convert

    day_scan = c.Scan("day", ctx.scan.by, ctx.scan.start, ctx.scan.end, ctx.scan.where)
    table = c.run_aggregate(ctx.backend, ctx.project, ctx.ws.root, day_scan,
                            [c.MeasureRef.of(EFF, None)], c.Source.of(ctx.source, day_scan,
                                                                      ctx.state))
    cols = {n: table.column(n).to_pylist() for n in table.column_names}
    per_day: dict[tuple[Any, tuple[Any, ...], Any], Decimal] = defaultdict(Decimal)
    dim_cols = [c.dim_alias(i) for i in range(len(ctx.scan.by))]
    for i in range(table.num_rows):
        cur, amount = convert(ctx.project, cols[c.CURRENCY][i], Decimal(cols["m0"][i] or 0))
        day = periods.as_date(cols[c.PERIOD][i])
        per_day[(day, tuple(cols[d][i] for d in dim_cols), cur)] += amount
    out: dict[Key, list[Decimal]] = defaultdict(list)
    for (day, dims, cur), amount in sorted(per_day.items(), key=lambda kv: kv[0][0]):
        out[(periods.truncate(day, ctx.request.grain), dims, cur)].append(amount)
    return out


def cost_variance(ctx: Context, plan: ComputedKpi) -> Rows:
    days = daily_totals(ctx)
    rows = []
    for key in sorted(days, key=lambda k: (k[0], tuple(str(d) for d in k[1]), k[2] or "")):
        values = [float(v) for v in days[key]]
        mean = statistics.fmean(values)
        if len(values) < 2:
            rows.append(ctx.row(plan.definition.id, key, None, note="fewer than two days of cost"))
        elif mean <= 0.1 * statistics.fmean(abs(v) for v in values):
            # credits offsetting charges: a spread around a near-zero (or negative) mean is not
            # a volatility anyone can read
            rows.append(ctx.row(plan.definition.id, key, None, numerator=None,
                                denominator=mean,
                                note="mean daily cost is zero, negative or under 10% of the "
                                     "mean absolute daily cost"))
        else:
            sd = statistics.pstdev(values)
            rows.append(ctx.row(plan.definition.id, key, sd / mean,
                                numerator=sd, denominator=mean,
                                note=f"{len(values)} days with cost"))
    return rows
