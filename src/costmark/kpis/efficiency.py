"""Efficiency KPIs needing resource-level data: utilization, waste, recommendations.

Utilization samples (``utilization``: resource_id, date, cpu_pct, memory_pct in 0-100) are
joined to daily resource cost; a resource-day's weight is its cost that day (positive cost only:
a credit does not make a resource more or less busy). These always read the raw cost table
(the rollup has no ResourceId).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from costmark.engine import compile as c
from costmark.engine import periods
from costmark.engine.fields import Resolver
from costmark.kpis.computed import total_cost, unavailable
from costmark.kpis.model import (
    ASIDE_NOTE,
    CHARGES,
    EFF,
    NO_SHARE_BASE,
    NO_TAG_DETAILS,
    NOT_CHARGES,
    NOT_UNUSED,
    SHARE,
    TAGGABLE,
    UNUSED,
    BuiltIn,
    ComputedKpi,
    CostMeasure,
    MeasureKpi,
    define,
)
from costmark.spec import filters as f
from costmark.spec.models import TagRule

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key
    from costmark.spec.kpis import KpiDefinition
    from costmark.spec.models import Project

Rows = list[dict[str, Any]]
AVG_MONTH_DAYS = Decimal("30.436875")  # 365.2425 / 12


def _raw(ctx: Context, extra: str | None = None) -> tuple[Resolver, str]:
    scan = c.Scan(ctx.scan.grain, ctx.scan.by, ctx.scan.start, ctx.scan.end,
                  f.combine(ctx.scan.where, f.parse_filter(extra)))
    return c.base_table(ctx.backend, ctx.project, ctx.ws.root, scan, "raw")


def _resource_days(ctx: Context, exclude_unused: bool) -> ir.Table:
    extra = "ResourceId is not null"
    if exclude_unused:
        extra += f" and {NOT_UNUSED}"
    resolver, time_col = _raw(ctx, extra)
    keys = c.group_keys(resolver, ctx.scan, time_col, ctx.request.grain)
    t = resolver.table
    keys["ResourceId"] = t.ResourceId
    keys["day"] = t.ChargePeriodStart.cast("date")
    return t.group_by(**keys).aggregate(cost=t.EffectiveCost.sum())


def _samples(ctx: Context) -> ir.Table | None:
    if not ctx.backend.has_table("utilization"):
        return None
    u = ctx.backend.table("utilization")
    return u.group_by(u.resource_id, u.date).aggregate(
        cpu_pct=u.cpu_pct.mean(), memory_pct=u.memory_pct.mean()
    )


def _has_samples(ctx: Context) -> bool:
    samples = _samples(ctx)
    if samples is None:
        return False
    n = ctx.backend.execute(samples.count().as_table()).column(0)[0].as_py()
    return bool(n)


def _joined(ctx: Context, metric: str, exclude_unused: bool) -> ir.Table:
    rd = _resource_days(ctx, exclude_unused)
    samples = _samples(ctx)
    assert samples is not None
    j = rd.left_join(samples, [rd.ResourceId == samples.resource_id, rd.day == samples.date])
    util = j[metric].cast("float64") / 100.0
    sampled = util.notnull() & (j.cost > 0)
    return j.mutate(
        w_sum=ibis.ifelse(sampled, util * j.cost.cast("float64"), 0.0),
        w_cost=ibis.ifelse(sampled, j.cost, ibis.literal(0, type=j.cost.type())),
    )


def _group_cols(ctx: Context) -> list[str]:
    return [c.PERIOD, *(c.dim_alias(i) for i in range(len(ctx.scan.by))), c.CURRENCY]


def _collect(ctx: Context, table: ir.Table, values: list[str]) -> dict[Key, list[Any]]:
    """Rows of a (period, dims, currency, values...) table, converted and merged by key."""
    result = ctx.backend.execute(table)
    cols = {n: result.column(n).to_pylist() for n in result.column_names}
    dims = [c.dim_alias(i) for i in range(len(ctx.scan.by))]
    out: dict[Key, list[Any]] = {}
    for i in range(result.num_rows):
        currency = cols[c.CURRENCY][i]
        key: Key = (periods.as_date(cols[c.PERIOD][i]), tuple(cols[d][i] for d in dims),
                    ctx.convert(currency, Decimal(0))[0])
        acc = out.setdefault(key, [Decimal(0) if "cost" in v else 0.0 for v in values])
        for j, name in enumerate(values):
            raw = cols[name][i] or 0
            if isinstance(acc[j], Decimal):
                acc[j] += ctx.convert(currency, Decimal(raw))[1]
            else:
                acc[j] += float(ctx.convert(currency, Decimal(str(raw)))[1])
    return out


def resource_utilization(ctx: Context, plan: ComputedKpi) -> Rows:
    kpi = plan.definition.id
    if not _has_samples(ctx):
        return [ctx.row(kpi, k, None, note="no utilization data loaded") for k in ctx.frame_keys()]
    metric = dict(plan.params).get("metric", "cpu_pct")
    j = _joined(ctx, metric, exclude_unused=False)
    agg = j.group_by(_group_cols(ctx)).aggregate(w_sum=j.w_sum.sum(), w_cost=j.w_cost.sum())
    sums = _collect(ctx, agg, ["w_sum", "w_cost"])
    rows = []
    for key in ctx.frame_keys():
        w_sum, w_cost = sums.get(key, [0.0, Decimal(0)])
        total = total_cost(ctx, key)
        coverage = float(w_cost / total) if total > 0 else None
        if not w_cost:
            rows.append(ctx.row(kpi, key, None, coverage=coverage,
                                note="no utilization samples for these resources"))
            continue
        rows.append(ctx.row(kpi, key, w_sum / float(w_cost), numerator=w_sum,
                            denominator=float(w_cost), coverage=coverage))
    return rows


RESOURCE_UTILIZATION = ComputedKpi(
    define("resource_utilization", "Resource utilization (CPU)", "ratio", "higher", "efficiency",
           "Σ (cpu% × cost) / Σ cost over resource-days with samples",
           "Cost-weighted mean CPU utilization of resources with utilization samples.",
           valid=SHARE, null="no utilization samples for the resources"),
    resource_utilization, {"cost": EFF}, params=(("metric", "cpu_pct"),),
    also_reads="raw resource-day cost joined to utilization samples",
)


MEMORY_UTILIZATION = ComputedKpi(
    define("memory_utilization", "Resource utilization (memory)", "ratio", "higher",
           "efficiency", "Σ (memory% × cost) / Σ cost over resource-days with samples",
           "Cost-weighted mean memory utilization of resources with utilization samples.",
           valid=SHARE, null="no utilization samples for the resources"),
    resource_utilization, {"cost": EFF}, params=(("metric", "memory_pct"),),
    also_reads="raw resource-day cost joined to utilization samples",
)


def waste_share(ctx: Context, plan: ComputedKpi) -> Rows:
    kpi = plan.definition.id
    threshold = float(dict(plan.params).get("idle_threshold_pct", "5")) / 100.0
    idle: dict[Key, list[Any]] = {}
    sampled: dict[Key, list[Any]] = {}
    has_samples = _has_samples(ctx)
    if has_samples:
        j = _joined(ctx, "cpu_pct", exclude_unused=True)
        per_res = j.group_by([c.PERIOD, "ResourceId"]).aggregate(
            w_sum=j.w_sum.sum(), w_cost=j.w_cost.sum()
        )
        idle_res = per_res.filter(
            (per_res.w_cost > 0) & (per_res.w_sum / per_res.w_cost.cast("float64") < threshold)
        ).select(c.PERIOD, "ResourceId")
        rd = _resource_days(ctx, exclude_unused=True)
        hit = rd.semi_join(idle_res, [c.PERIOD, "ResourceId"])
        idle = _collect(ctx, hit.group_by(_group_cols(ctx)).aggregate(cost=hit.cost.sum()),
                        ["cost"])
        sampled = _collect(
            ctx, j.group_by(_group_cols(ctx)).aggregate(cost=j.w_cost.sum()), ["cost"]
        )
    unused_ref = ctx.ref(plan, "unused")
    rows = []
    for key in ctx.frame_keys():
        total = total_cost(ctx, key)
        unused = ctx.frame[key][unused_ref]
        idle_cost = idle.get(key, [Decimal(0)])[0]
        if total <= 0:
            rows.append(ctx.row(kpi, key, None, note="no positive cost in the period"))
            continue
        numerator = unused + idle_cost
        coverage = float(sampled.get(key, [Decimal(0)])[0] / total) if has_samples else None
        note = None if has_samples else "covers idle commitments only: no utilization data"
        rows.append(ctx.row(kpi, key, float(numerator / total), numerator=numerator,
                            denominator=total, coverage=coverage, note=note))
    return rows


WASTE_SHARE = ComputedKpi(
    define("waste_share", "Waste share", "ratio", "lower", "efficiency",
           "(Σ EffectiveCost[Unused] + Σ cost of idle resources) / Σ EffectiveCost",
           "Idle commitments plus resources whose cost-weighted CPU utilization stays under "
           "5% over the period.",
           valid=SHARE, null="no positive cost in the period"),
    waste_share, {"cost": EFF, "unused": CostMeasure("EffectiveCost", UNUSED)},
    params=(("idle_threshold_pct", "5"),),
    also_reads="raw resource-day cost joined to utilization; idle resources per period",
)


def _recommendations(ctx: Context) -> list[dict[str, Any]]:
    if not ctx.backend.has_table("recommendations"):
        return []
    return ctx.backend.execute(ctx.backend.table("recommendations")).to_pylist()


def _resource_dims(ctx: Context) -> dict[str, tuple[Any, ...]]:
    if not ctx.scan.by:
        return {}
    resolver, _ = _raw(ctx, "ResourceId is not null")
    t = resolver.table
    dims = {c.dim_alias(i): resolver.field(n).cast("string").max()
            for i, n in enumerate(ctx.scan.by)}
    table = ctx.backend.execute(t.group_by(t.ResourceId).aggregate(**dims))
    cols = {n: table.column(n).to_pylist() for n in table.column_names}
    return {
        cols["ResourceId"][i]: tuple(cols[c.dim_alias(k)][i] for k in range(len(ctx.scan.by)))
        for i in range(table.num_rows)
    }


def _rec_sums(ctx: Context) -> tuple[dict[Key, tuple[Decimal, Decimal]], bool]:
    recs = [r for r in _recommendations(ctx) if (r.get("status") or "").lower() != "dismissed"]
    if not recs:
        return {}, False
    dims_of = _resource_dims(ctx)
    out: dict[Key, tuple[Decimal, Decimal]] = {}
    for key in ctx.frame_keys():
        period, dims, currency = key
        end = periods.period_end(period, ctx.request.grain)
        realized = open_est = Decimal(0)
        for r in recs:
            rdims = dims_of.get(str(r.get("resource_id")), ()) if ctx.scan.by else ()
            if ctx.scan.by and rdims != dims:
                continue
            rc, _ = ctx.convert(r.get("currency"), Decimal(0))
            if rc != currency and r.get("currency") is not None:
                continue
            opened, closed = _day(r.get("opened")), _day(r.get("closed"))
            if opened is not None and opened >= end:
                continue
            status = (r.get("status") or "").lower()
            est = ctx.convert(
                r.get("currency"), Decimal(r.get("estimated_monthly_savings") or 0)
            )[1]
            if status == "closed" and (closed is None or closed < end):
                got = r.get("realized_monthly_savings")
                realized += ctx.convert(r.get("currency"), Decimal(got))[1] if got is not None \
                    else est
            else:
                open_est += est
        out[key] = (realized, open_est)
    return out, True


def _day(value: Any) -> dt.date | None:
    return None if value is None else periods.as_date(value)


def optimization_rate(ctx: Context, plan: ComputedKpi) -> Rows:
    sums, any_recs = _rec_sums(ctx)
    rows = []
    for key in ctx.frame_keys():
        if not any_recs:
            rows.append(ctx.row(plan.definition.id, key, None, note="no recommendations loaded"))
            continue
        realized, open_est = sums[key]
        den = realized + open_est
        if den == 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=realized,
                                denominator=den, note="no recommendation savings"))
            continue
        rows.append(ctx.row(plan.definition.id, key, float(realized / den), numerator=realized,
                            denominator=den))
    return rows


OPTIMIZATION_RATE = ComputedKpi(
    define("optimization_rate", "Optimization rate", "ratio", "higher", "efficiency",
           "realized savings of closed recommendations / (realized + open estimated savings)",
           "Monthly savings realized by implemented recommendations against all identified, "
           "as of the end of each period.",
           valid=SHARE, null="no recommendations, or none with savings"),
    optimization_rate, {"cost": EFF},
    also_reads="recommendations table (point in time at each period end)",
)


def cost_optimization_index(ctx: Context, plan: ComputedKpi) -> Rows:
    sums, any_recs = _rec_sums(ctx)
    grain = ctx.request.grain
    rows = []
    for key in ctx.frame_keys():
        if not any_recs:
            rows.append(ctx.row(plan.definition.id, key, None, note="no recommendations loaded"))
            continue
        total = total_cost(ctx, key)
        scale = Decimal(1) if grain == "month" else (
            Decimal(periods.period_days(key[0], grain)) / AVG_MONTH_DAYS
        )
        open_est = sums[key][1] * scale
        if total <= 0:
            rows.append(ctx.row(plan.definition.id, key, None, numerator=open_est,
                                note="no positive cost in the period"))
            continue
        note = None if grain == "month" else "monthly savings scaled to the period length"
        rows.append(ctx.row(plan.definition.id, key, float(1 - open_est / total),
                            numerator=open_est, denominator=total, note=note))
    return rows


COST_OPTIMIZATION_INDEX = ComputedKpi(
    define("cost_optimization_index", "Cost optimization index", "ratio", "higher",
           "efficiency", "1 − open estimated savings / Σ EffectiveCost",
           "How close cost is to optimized: open recommendation savings (scaled to the period "
           "length) against the period's cost.",
           valid=SHARE,
           null="no recommendations, no positive cost, or open savings above the cost "
                "(estimates that exceed the spend are not a position on the scale)"),
    cost_optimization_index, {"cost": EFF},
    also_reads="recommendations table (open estimated savings)",
)


def allocation_tag_keys(project: Project) -> tuple[str, ...]:
    """Tag keys allocation relies on (tag rules of allocation dimensions), else every
    materialised key."""
    keys = [
        r.tag
        for d in project.dimensions.values()
        if d.allocation
        for r in d.resolved_rules
        if isinstance(r, TagRule)
    ]
    one_per_key: dict[str, str] = {}
    for key in keys:
        one_per_key.setdefault(key.strip().lower(), key)  # Owner and owner are one key
    return tuple(one_per_key.values()) or project.materialized_tag_keys


def allocation_plan(project: Project, declared: ComputedKpi, taggable: bool = False) -> BuiltIn:
    """Allocation coverage in ``project``: a sum over the allocated flag once a dimension
    allocates, else the declared plan (null with its note). ``taggable``: over the charges
    TagDetails says can carry tags (FOCUS 1.4)."""
    if not any(d.allocation for d in project.dimensions.values()):
        return declared
    charges = f"{TAGGABLE} and {CHARGES}" if taggable else CHARGES
    aside = f"{TAGGABLE} and {NOT_CHARGES}" if taggable else NOT_CHARGES
    return MeasureKpi(
        declared.definition,
        {"allocated": CostMeasure("EffectiveCost", f"x_Allocated = 'true' and {charges}"),
         "cost": CostMeasure("EffectiveCost", charges),
         "aside": CostMeasure("EffectiveCost", aside)},
        numerator="allocated", denominator="cost",
        zero_note=NO_TAG_DETAILS if taggable else NO_SHARE_BASE,
        aside=("aside", ASIDE_NOTE),
    )


def taggable_allocation_plan(project: Project, declared: ComputedKpi) -> BuiltIn:
    """``allocation_plan`` over taggable charges only."""
    return allocation_plan(project, declared, taggable=True)


def untagged_share(definition: KpiDefinition, keys: tuple[str, ...]) -> BuiltIn:
    """Share of charges missing any of the tag ``keys`` (null with a note without keys)."""
    if not keys:
        return ComputedKpi(definition, unavailable, params=(("note", "no tag keys configured"),))
    where = " or ".join(f"tag:{k} is null" for k in keys)
    return MeasureKpi(
        definition,
        {"untagged": CostMeasure("EffectiveCost", f"({where}) and {CHARGES}"),
         "cost": CostMeasure("EffectiveCost", CHARGES),
         "aside": CostMeasure("EffectiveCost", NOT_CHARGES)},
        numerator="untagged", denominator="cost", zero_note=NO_SHARE_BASE,
        aside=("aside", ASIDE_NOTE),
    )


def untagged_plan(project: Project, declared: ComputedKpi) -> BuiltIn:
    return untagged_share(declared.definition, allocation_tag_keys(project))


ALLOCATION_COVERAGE = ComputedKpi(
    define("allocation_coverage", "Allocation coverage", "ratio", "higher", "efficiency",
           "Σ EffectiveCost[charges, every allocation dimension resolves] / "
           "Σ EffectiveCost[charges]; charges = Usage, Purchase, Tax, not corrections",
           "Share of cost attributed by the allocation dimensions' rules (tag or mapping), "
           "without falling back to their default.",
           valid=SHARE,
           null="no allocation dimension, or no positive charges (credits, adjustments and "
                "corrections are left out of both sides)"),
    unavailable, {"cost": EFF},
    params=(("note", "no dimension has allocation: true"),),
    bind=allocation_plan,
)


ALLOCATION_COVERAGE_TAGGABLE = ComputedKpi(
    define("allocation_coverage_taggable", "Allocation coverage (taggable cost)", "ratio",
           "higher", "efficiency",
           "Σ EffectiveCost[charges, taggable, every allocation dimension resolves] / "
           "Σ EffectiveCost[charges, taggable]; taggable = TagDetails not null (FOCUS 1.4)",
           "Allocation coverage over the cost whose resources can carry tags: a charge no tag "
           "source supports (TagDetails null: support, some marketplace fees, taxes) is left "
           "out of both sides, so untaggable spend no longer reads as an allocation gap. "
           "Without TagDetails (FOCUS before 1.4, or a provider that omits the Recommended "
           "column) no charge is known to be taggable: null with that note; allocation_coverage "
           "is the plain form. Mixing providers, split with --by ServiceProviderName.",
           valid=SHARE, null=NO_TAG_DETAILS),
    unavailable, {"cost": EFF},
    params=(("note", "no dimension has allocation: true"),),
    bind=taggable_allocation_plan,
)


UNTAGGED_COST_SHARE = ComputedKpi(
    define("untagged_cost_share", "Untagged cost share", "ratio", "lower", "efficiency",
           "Σ EffectiveCost[charges, any allocation tag key missing] / Σ EffectiveCost[charges]",
           "Share of cost lacking the tags allocation relies on; per key as "
           "untagged_cost_share:<key>.",
           valid=SHARE,
           null="no tag keys configured, or no positive charges (credits, adjustments and "
                "corrections are left out of both sides)"),
    unavailable, {"cost": EFF},
    params=(("note", "no tag keys configured"),),
    bind=untagged_plan,
)
