"""Unit economics: cost per business metric, cost to revenue, spend elasticity, user ratios.

Business metrics (``business_metrics`` table: metric, date, dimensions JSON, value) are small,
so they are read once per request and aggregated here per period with the metric's own
aggregation: ``sum`` for flows, ``average`` (mean of daily values) or ``last`` for stocks.
A metric recorded per dimension (``{"team": "payments"}``) answers ``--by team``; one recorded
in finer detail is summed up to the requested dimensions; one with no matching breakdown gives
null values with a note rather than a wrong split.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costmark import money
from costmark.engine import periods
from costmark.kpis.computed import ratio_change, total_cost, typical_costs
from costmark.kpis.model import EFF, NON_NEGATIVE, ComputedKpi, define
from costmark.present import numbers
from costmark.spec import formula as fx

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key
    from costmark.spec.models import Project

Rows = list[dict[str, Any]]
#: Spend elasticity divides by the business volume's change: below this share the volume did
#: not really move, and +0.3% of volume against −1.6% of cost read as "−566%" (demo, Nov).
MIN_VOLUME_CHANGE = 0.01
MetricKey = tuple[Any, tuple[Any, ...]]


#: What a KPI over business metrics reads beside the shared scan (``costmark explain``).
READS_METRICS = "business_metrics aggregated per period"


def volume_metric(project: Project) -> str | None:
    """The business volume spend elasticity compares against: the first summed metric without
    a currency (transactions, requests...), else the first metric."""
    for name, m in project.business_metrics.items():
        if m.aggregation == "sum" and m.currency is None:
            return name
    return next(iter(project.business_metrics), None)


def revenue_metric(project: Project) -> str | None:
    if "revenue" in project.business_metrics:
        return "revenue"
    for name, m in project.business_metrics.items():
        if m.currency is not None:
            return name
    return None


Reading = list[tuple[Any, dict[str, Any], Decimal]]


def _fetch(ctx: Context, metric: str) -> Reading:
    """``metric``'s (day, dimensions, value) rows up to the request's end."""
    return _read_all(ctx).get(metric, [])


def _read_all(ctx: Context) -> dict[str, Reading]:
    """Every metric's rows, read in one query per request (``ctx.memo``): a scorecard's
    unit-cost, revenue and elasticity KPIs all read the same small table. A dimensions text
    is parsed once per distinct text (a few per metric, thousands of rows)."""
    hit: dict[str, Reading] | None = ctx.memo.get(READS_METRICS)
    if hit is not None:
        return hit
    out: dict[str, Reading] = {}
    ctx.memo[READS_METRICS] = out
    if not ctx.backend.has_table("business_metrics"):
        return out
    t = ctx.backend.table("business_metrics")
    table = ctx.backend.execute(t.select("metric", "date", "dimensions", "value"))
    parsed_dims: dict[Any, dict[str, Any]] = {}
    end = ctx.request.end
    for metric, d, dims, v in zip(
        *(table.column(n).to_pylist() for n in ("metric", "date", "dimensions", "value")),
        strict=True,
    ):
        day = periods.as_date(d)
        if end is not None and day > end:
            continue
        parsed = parsed_dims.get(dims)
        if parsed is None:
            parsed = parsed_dims[dims] = _dims(dims)
        out.setdefault(metric, []).append((day, parsed, Decimal(str(v))))
    return out


def _dims(text: Any) -> dict[str, Any]:
    """A row's dimensions JSON as a dict ({} when empty, unreadable or not an object);
    shared between the rows with the same text, so never changed by a reader."""
    try:
        parsed = json.loads(text) if text else {}
    except json.JSONDecodeError:
        parsed = {}
    return parsed if isinstance(parsed, dict) else {}


def metric_values(ctx: Context, metric: str) -> tuple[dict[MetricKey, Decimal], str | None]:
    """Per (period, by-values) aggregate of ``metric``; and a note when it cannot split.
    Aggregated once per request and metric (``ctx.memo``); readers never change it."""
    key = f"{READS_METRICS}: {metric}"
    if key not in ctx.memo:
        ctx.memo[key] = _aggregate(ctx, metric)
    hit: tuple[dict[MetricKey, Decimal], str | None] = ctx.memo[key]
    return hit


def _aggregate(ctx: Context, metric: str) -> tuple[dict[MetricKey, Decimal], str | None]:
    spec = ctx.project.business_metrics.get(metric)
    aggregation = spec.aggregation if spec else "sum"
    rows = _fetch(ctx, metric)
    if not rows:
        return {}, f"no {metric} values loaded"
    by = set(ctx.request.by)
    keysets = {frozenset(d) for _, d, _ in rows}
    candidates = sorted((k for k in keysets if k >= by), key=len)
    if not candidates:
        return {}, f"{metric} is not recorded by {', '.join(ctx.request.by)}"
    chosen = candidates[0]
    daily: dict[tuple[Any, tuple[Any, ...]], Decimal] = defaultdict(Decimal)
    for day, dims, value in rows:
        if frozenset(dims) != chosen:
            continue
        daily[(day, tuple(_str(dims.get(b)) for b in ctx.request.by))] += value
    grouped: dict[MetricKey, list[tuple[Any, Decimal]]] = defaultdict(list)
    for (day, dims_t), value in daily.items():
        grouped[(periods.truncate(day, ctx.request.grain), dims_t)].append((day, value))
    out: dict[MetricKey, Decimal] = {}
    for key, series in grouped.items():
        with money.exact():  # business amounts are DECIMAL(38,18) too: sums stay exact
            if aggregation == "sum":
                out[key] = sum((v for _, v in series), Decimal(0))
            elif aggregation == "average":
                out[key] = sum((v for _, v in series), Decimal(0)) / len(series)
            else:
                out[key] = max(series, key=lambda dv: dv[0])[1]
    return out, None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _mkey(key: Key) -> MetricKey:
    return (key[0], key[1])


def _where_note(ctx: Context) -> str | None:
    return "the filter applies to cost, not to business metrics" if ctx.scan.where else None


def cost_per_metric(ctx: Context, plan: ComputedKpi) -> Rows:
    metric = dict(plan.params)["metric"]
    values, note = metric_values(ctx, metric)
    caveat = _where_note(ctx)
    currencies: dict[MetricKey, set[Any]] = defaultdict(set)
    for key in ctx.frame_keys():
        currencies[_mkey(key)].add(key[2])
    rows = []
    for key in ctx.frame_keys():
        cost = total_cost(ctx, key)
        amount = values.get(_mkey(key))
        others = sorted(str(c) for c in currencies[_mkey(key)] if c != key[2])
        # Like every KPI this one is per billing currency, but the metric is not split by
        # currency: the value covers only this currency's share of the cost. Say so loudly.
        split = (f"covers only the {key[2]} share of cost (also billed in {', '.join(others)}); "
                 "configure currency.rates for one unit cost") if others else None
        if amount is None:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=cost,
                                note=note or f"no {metric} value for this period"))
        elif amount == 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=cost,
                                denominator=amount, note=f"{metric} is zero"))
        else:
            notes = "; ".join(n for n in (split, caveat) if n) or None
            rows.append(ctx.row(plan.definition.id, key, float(cost / amount),
                                numerator=cost, denominator=amount, note=notes))
    return rows


def cost_to_revenue(ctx: Context, plan: ComputedKpi) -> Rows:
    metric = revenue_metric(ctx.project)
    if metric is None:
        return [ctx.row(plan.definition.id, k, None, note="no revenue metric declared")
                for k in ctx.frame_keys()]
    revenue_currency = ctx.project.business_metrics[metric].currency
    values, note = metric_values(ctx, metric)
    rows = []
    for key in ctx.frame_keys():
        cost = total_cost(ctx, key)
        amount = values.get(_mkey(key))
        currency = key[2]
        if amount is not None and revenue_currency is not None and currency != revenue_currency:
            converted_currency, converted = ctx.convert(revenue_currency, amount)
            if converted_currency != currency:
                rows.append(ctx.row(plan.definition.id, key, None, numerator=cost,
                                    note=f"cost in {currency}, revenue in {revenue_currency}: "
                                    "configure currency.rates"))
                continue
            amount = converted
        if amount is None or amount == 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=cost, denominator=amount,
                                note=note or f"no {metric} for this period"))
            continue
        rows.append(ctx.row(plan.definition.id, key, float(cost / amount), numerator=cost,
                            denominator=amount, note=_where_note(ctx)))
    return rows


COST_TO_REVENUE = ComputedKpi(
    define("cost_to_revenue", "Cost to revenue", "ratio", "lower", "business",
           "Σ EffectiveCost / Σ revenue", "Cloud spend as a share of revenue.",
           valid=NON_NEGATIVE,
           null="no revenue for the period, revenue zero or negative, or revenue in another "
                "currency without a rate"),
    cost_to_revenue, {"cost": EFF},
    also_reads="business_metrics (revenue) aggregated per period",
)


def spend_elasticity(ctx: Context, plan: ComputedKpi) -> Rows:
    metric = dict(plan.params).get("metric") or volume_metric(ctx.project)
    if metric is None:
        return [ctx.row(plan.definition.id, k, None, note="no business metric declared")
                for k in ctx.frame_keys()]
    values, note = metric_values(ctx, metric)
    grain = ctx.request.grain
    typical = typical_costs(ctx)
    rows = []
    for key in ctx.frame_keys():
        period, dims, currency = key
        prev = (periods.shift(period, grain, -1), dims, currency)
        cost_change, why = ratio_change(
            total_cost(ctx, key), total_cost(ctx, prev) if prev in ctx.frame else None,
            typical[(dims, currency)],
        )
        vol_now, vol_prev = values.get(_mkey(key)), values.get(_mkey(prev))
        vol_change, why_vol = (
            ratio_change(vol_now, vol_prev, what="value") if vol_now is not None
            else (None, note or f"no {metric} for this period")
        )
        if cost_change is None or vol_change is None:
            rows.append(ctx.row(plan.definition.id, key, None,
                                note=why or (f"{metric}: {why_vol}" if why_vol else None)))
        elif abs(vol_change) < MIN_VOLUME_CHANGE:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=cost_change,
                                denominator=vol_change,
                                note=f"{metric} moved by "
                                     f"{numbers.percent(vol_change, signed=True, places=2)}, "
                                     f"under {numbers.percent(MIN_VOLUME_CHANGE, places=0)}: "
                                     "elasticity would divide by noise"))
        else:
            rows.append(ctx.row(plan.definition.id, key, cost_change / vol_change,
                                numerator=cost_change, denominator=vol_change,
                                note=f"against {metric}"))
    return rows


SPEND_ELASTICITY = ComputedKpi(
    define("spend_elasticity", "Spend elasticity", "factor", "lower", "business",
           "%Δ cost / %Δ business volume",
           "How cost grows with business volume (< 1: scaling efficiently); against the volume "
           "metric, per metric as spend_elasticity:<metric>.",
           null="no previous period; a tiny or non-positive cost base (see cost_change); or "
                "business volume moved by less than 1% (the ratio would divide by noise)"),
    spend_elasticity, {"cost": EFF},
    looks_back=True,
    also_reads="business_metrics (volume) aggregated per period",
)


def user_business(ctx: Context, plan: ComputedKpi) -> Rows:
    """A user KPI mixing cost measures and business metrics (ratio or difference)."""
    params = dict(plan.params)
    metrics = {k.split(":", 1)[1]: v for k, v in plan.params if k.startswith("metric:")}
    values = {name: metric_values(ctx, m) for name, m in metrics.items()}
    num_f = fx.parse_formula(params["numerator"])
    den_f = fx.parse_formula(params["denominator"]) if params["denominator"] else None
    money = plan.definition.unit == "currency"
    keys: list[Key] = ctx.frame_keys() if plan.measures else sorted(
        {(k[0], k[1], None) for v, _ in values.values() for k in v},
        key=lambda k: (k[0], tuple(str(d) for d in k[1])),
    )
    rows = []
    for key in keys:
        env: dict[str, Decimal | None] = {}
        for name in plan.measures:
            env[name] = ctx.frame[key][ctx.ref(plan, name)] if key in ctx.frame else None
        notes = []
        for name, (vals, note) in values.items():
            env[name] = vals.get(_mkey(key))
            if env[name] is None:
                notes.append(note or f"no {metrics[name]} for this period")
        num = fx.evaluate(num_f, env)
        if den_f is None:
            rows.append(ctx.row(plan.definition.id, key,
                                None if num is None else (num if money else float(num)),
                                note="; ".join(notes) or None))
            continue
        den = fx.evaluate(den_f, env)
        if num is None or not den:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=num, denominator=den,
                                note="; ".join(notes) or "denominator is zero"))
            continue
        rows.append(ctx.row(plan.definition.id, key, float(num / den), numerator=num,
                            denominator=den))
    return rows
