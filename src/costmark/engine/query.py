"""Run a KPI request: plan, one shared scan, currency handling, derivation, result.

Flow: resolve ids to plans → collect every cost measure → one aggregate (rollup or raw) →
Decimal frame keyed by (period, dimensions, currency) → convert currencies when rates are
configured → derive each KPI (exact decimals; ratios as float) → rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb

from costmark import money
from costmark.engine import compile as c
from costmark.engine import corrections, periods, rollups
from costmark.engine.attribution import untagged_rows_note
from costmark.engine.backends import Backend
from costmark.engine.result import KpiResult
from costmark.engine.rollups import RollupState
from costmark.errors import InputError, UsageError
from costmark.kpis import catalog, ranges
from costmark.kpis.catalog import FormulaKpi, Plan
from costmark.kpis.library import ComputedKpi, MeasureKpi
from costmark.present import numbers
from costmark.spec import filters as f
from costmark.spec import formula as fx
from costmark.spec.kpis import SUMMABLE_COLUMNS
from costmark.spec.models import Project

if TYPE_CHECKING:
    from costmark.engine import context as wc

Key = tuple[dt.date, tuple[str | None, ...], str | None]
Frame = dict[Key, dict[c.MeasureRef, Decimal]]

#: Result columns a --by dimension may not be named after.
RESERVED = ("kpi", "period_start", "grain", "currency", "value", "numerator", "denominator",
            "coverage", "note")
#: Columns whose sums are quantities, not money: never converted between currencies.
QUANTITY_COLUMNS = {"ConsumedQuantity", "PricingQuantity", "CommitmentDiscountQuantity"}


@dataclass(frozen=True)
class KpiRequest:
    ids: tuple[str, ...]
    grain: str = "month"
    by: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    where: f.Node | None = None
    engine: str = "duckdb"
    #: None: rollups when they can answer; False: force the raw table; True: require rollups.
    rollups: bool | None = None


@dataclass
class Context:
    """Everything a KPI function needs: the request, the shared frame, the backend."""

    ws: wc.Context
    project: Project
    backend: Backend
    request: KpiRequest
    scan: c.Scan
    frame: Frame
    source: str
    state: RollupState = rollups.NO_ROLLUP
    refs: dict[tuple[str, c.MeasureRef], c.MeasureRef] = field(default_factory=dict)
    #: What KPI functions of this request read beside the shared scan (business metrics...),
    #: kept so the request's KPIs read it once between them, not once each.
    memo: dict[str, Any] = field(default_factory=dict)

    def ref(self, plan: MeasureKpi | ComputedKpi, name: str) -> c.MeasureRef:
        scope = plan.scope if isinstance(plan, MeasureKpi) else None
        return c.MeasureRef.of(plan.measures[name], scope)

    def frame_keys(self) -> list[Key]:
        return sorted(self.frame, key=_sort_key)

    def row(self, kpi: str, key: Key, value: Any, *, numerator: Any = None,
            denominator: Any = None, coverage: float | None = None,
            note: str | None = None) -> dict[str, Any]:
        period, dims, currency = key
        row: dict[str, Any] = {"kpi": kpi, "period_start": period, "grain": self.request.grain}
        for name, v in zip(self.request.by, dims, strict=True):
            row[name] = v
        row.update(currency=currency, value=tidy(value), numerator=tidy(numerator),
                   denominator=tidy(denominator), coverage=coverage, note=note)
        return row


    def convert(self, currency: str | None, amount: Decimal) -> tuple[str | None, Decimal]:
        return convert(self.project, currency, amount)


def tidy(value: Any) -> Any:
    """Decimals without trailing zeros (30, not 30.000000000000000000); same exact value
    (``money.tidy`` never rounds, where ``normalize()`` would keep 28 digits)."""
    if not isinstance(value, Decimal):
        return value
    return money.tidy(value)


def _sort_key(key: Key) -> tuple[Any, ...]:
    period, dims, currency = key
    return (period, tuple("" if d is None else d for d in dims), currency or "")


def convert(project: Project, currency: str | None, amount: Decimal) -> tuple[str | None, Decimal]:
    """Amount in the reporting currency when a rate is configured; unchanged otherwise."""
    settings = project.currency
    if not settings.rates or settings.reporting is None or currency is None:
        return currency, amount
    if currency == settings.reporting:
        return currency, amount
    if currency in settings.rates:
        return settings.reporting, amount * Decimal(str(settings.rates[currency]))
    return currency, amount


def plans_for(project: Project, ids: Sequence[str]) -> dict[str, Plan]:
    """Requested plans plus every KPI a formula KPI reads (in dependency order)."""
    out: dict[str, Plan] = {}

    def add(kpi_id: str, trail: tuple[str, ...]) -> None:
        if kpi_id in out:
            return
        if kpi_id in trail:
            raise UsageError("KPI formulas form a cycle: " + " -> ".join((*trail, kpi_id)))
        plan = catalog.resolve(project, kpi_id)
        if isinstance(plan, FormulaKpi):
            for dep in sorted(fx.refs(plan.formula)):
                add(dep, (*trail, kpi_id))
        out[kpi_id] = plan

    for i in ids:
        add(i, ())
    return out


def collect_refs(plans: Sequence[Plan]) -> list[c.MeasureRef]:
    refs: dict[c.MeasureRef, None] = {}
    for plan in plans:
        if isinstance(plan, FormulaKpi):
            continue
        scope = plan.scope if isinstance(plan, MeasureKpi) else None
        for m in plan.measures.values():
            refs[c.MeasureRef.of(m, scope)] = None
    return list(refs)


def rollup_state(ws: wc.Context, backend: Backend, wanted: bool | None) -> RollupState:
    """The rollups' state for one request (one small query), or "none" when the request or
    the engine does not read rollups."""
    if wanted is False or not backend.supports_rollups:
        return rollups.NO_ROLLUP
    return backend.rollup_state()


def choose_source(ws: wc.Context, backend: Backend, scan: c.Scan,
                  refs: Sequence[c.MeasureRef], wanted: bool | None,
                  state: RollupState | None = None) -> str:
    if wanted is False or not backend.supports_rollups:
        if wanted:
            raise UsageError(f"the {backend.name} engine does not read rollups")
        return "raw"
    if state is None:
        state = rollup_state(ws, backend, wanted)
    needed = c.needed_source_columns(ws.project, scan, refs)
    reason = rollups.cannot_answer(state, needed, refs)
    if reason is None:
        return "rollup"
    if wanted:
        raise UsageError(f"rollups cannot answer this request: {reason}")
    return "raw"


def scan_frame(ctx_ws: wc.Context, backend: Backend, scan: c.Scan,
               refs: Sequence[c.MeasureRef], source: str,
               state: RollupState = rollups.NO_ROLLUP) -> Frame:
    """Run the shared aggregate and return Decimal sums keyed by (period, dims, currency),
    converted to the reporting currency where rates are configured."""
    frame: Frame = {}
    if not refs:
        return frame
    table_source = c.Source.of(source, scan, state)
    table = c.run_aggregate(backend, ctx_ws.project, ctx_ws.root, scan, refs, table_source)
    names = [f"m{i}" for i in range(len(refs))]
    dim_cols = [c.dim_alias(i) for i in range(len(scan.by))]
    data = {col: table.column(col).to_pylist() for col in [c.PERIOD, c.CURRENCY, *dim_cols, *names]}
    for i in range(table.num_rows):
        currency = data[c.CURRENCY][i]
        period = periods.as_date(data[c.PERIOD][i])
        dims = tuple(data[d][i] for d in dim_cols)
        converted_currency = convert(ctx_ws.project, currency, Decimal(0))[0]
        key: Key = (period, dims, converted_currency)
        slot = frame.setdefault(key, {r: Decimal(0) for r in refs})
        for ref, name in zip(refs, names, strict=True):
            raw = data[name][i]
            amount = Decimal(0) if raw is None else Decimal(raw)
            if ref.agg == "sum" and ref.column not in QUANTITY_COLUMNS:
                amount = convert(ctx_ws.project, currency, amount)[1]
            slot[ref] = slot[ref] + amount
    _merged_distinct_counts(ctx_ws, backend, scan, refs, table_source, frame)
    return frame


def _merged_distinct_counts(ws: wc.Context, backend: Backend, scan: c.Scan,
                            refs: Sequence[c.MeasureRef], source: c.Source,
                            frame: Frame) -> None:
    """Distinct counts across the currencies converted into one: a resource billed in USD and
    EUR is one resource, not the sum of its per-currency counts (which the main scan gives)."""
    merge = c.currency_merge(ws.project)
    distinct = [r for r in refs if r.agg == "nunique"]
    if merge is None or not distinct:
        return
    table = c.run_aggregate(backend, ws.project, ws.root, scan, distinct, source, merge)
    dim_cols = [c.dim_alias(i) for i in range(len(scan.by))]
    data = {col: table.column(col).to_pylist()
            for col in [c.PERIOD, c.CURRENCY, *dim_cols, *(f"m{i}" for i in range(len(distinct)))]}
    for i in range(table.num_rows):
        key: Key = (periods.as_date(data[c.PERIOD][i]), tuple(data[d][i] for d in dim_cols),
                    data[c.CURRENCY][i])
        slot = frame.get(key)
        if slot is None:
            continue
        for j, ref in enumerate(distinct):
            raw = data[f"m{j}"][i]
            slot[ref] = Decimal(0) if raw is None else Decimal(raw)


def run(ws: wc.Context, request: KpiRequest) -> KpiResult:
    """Answer ``request``. All decimal arithmetic inside runs in the exact money context, so
    sums of DECIMAL(38,18) amounts keep every digit (the default context keeps 28)."""
    with money.exact():
        try:
            return _run(ws, request)
        except duckdb.OutOfRangeException as exc:
            raise InputError(
                "a money sum exceeds DECIMAL(38,18) (10^20): narrow the request (--where, "
                f"--from/--to, --by) ({str(exc).splitlines()[0]})"
            ) from None


def _run(ws: wc.Context, request: KpiRequest) -> KpiResult:
    from costmark.kpis import computed

    # grain and dates were checked once, by KpiEngine.plan
    project = ws.project
    plans = plans_for(project, request.ids)
    groups = _time_groups(plans)
    if len(groups) > 1 and not any(isinstance(p, FormulaKpi) for p in plans.values()):
        # KPIs whose periods come from different columns need one scan each
        return _merged(request, [
            run(ws, replace(request, ids=tuple(i for i in request.ids if i in group)))
            for group in groups.values()
        ])
    backend = ws.engine.backend(request.engine)
    state = rollup_state(ws, backend, request.rollups)
    contexts: dict[str, Context] = {}
    for time_col, group in groups.items():
        refs = collect_refs(list(group.values()))
        scan = c.Scan(request.grain, request.by, request.start, request.end, request.where,
                      _lookback(group.values(), request), time_col)
        source = choose_source(ws, backend, scan, refs, request.rollups, state)
        if (len(groups) == 1 and source == "raw" and request.rollups is None
                and backend.supports_rollups):
            split = _split_by_source(ws, backend, scan, plans, request, state)
            if split is not None:
                return split
        frame = scan_frame(ws, backend, scan, refs, source, state)
        contexts[time_col] = Context(ws, project, backend, request, scan, frame, source, state)
    default = contexts.get(c.CHARGE_PERIOD) or next(iter(contexts.values()))
    values: dict[str, list[dict[str, Any]]] = {}
    for kpi_id, plan in plans.items():
        if isinstance(plan, MeasureKpi):
            values[kpi_id] = derive_measure_kpi(contexts[plan.definition.time_column], plan)
        elif isinstance(plan, ComputedKpi):
            computed_ctx = contexts[plan.definition.time_column]
            values[kpi_id] = computed.run(computed_ctx, plan)
            blind_note = untagged_rows_note(
                computed_ctx.project, plan, computed_ctx.request.where, computed_ctx.request.by
            )
            if blind_note:
                for row in values[kpi_id]:
                    row["note"] = f"{row['note']}; {blind_note}" if row.get("note") else blind_note
        else:
            values[kpi_id] = derive_formula(default, plan, values)
        values[kpi_id] = ranges.enforce(plan.definition, values[kpi_id])
    first = periods.truncate(request.start, request.grain) if request.start else None
    rows = [
        r
        for kpi_id in request.ids
        for r in values[kpi_id]
        if first is None or r["period_start"] >= first
    ]
    # corrections name deliveries (files, as the scoped ingest log does), never amounts
    corrections.annotate(ws.shared_warehouse.con, request.grain, rows,
                         {k: p.definition.time_column for k, p in plans.items()})
    sources = sorted({ctx.source for ctx in contexts.values()}, reverse=True)
    return KpiResult(by=request.by, grain=request.grain, _rows=rows, source="+".join(sources))


def _time_groups(plans: dict[str, Plan]) -> dict[str, dict[str, Plan]]:
    """Plans by the column that assigns their rows to periods (each needs its own scan).
    Formula KPIs belong to none: they read the values of the KPIs they name."""
    groups: dict[str, dict[str, Plan]] = {}
    for kpi_id, plan in plans.items():
        if not isinstance(plan, FormulaKpi):
            groups.setdefault(plan.definition.time_column, {})[kpi_id] = plan
    return groups or {c.CHARGE_PERIOD: {}}


def _merged(request: KpiRequest, parts: Sequence[KpiResult]) -> KpiResult:
    """One result from results of parts of ``request``'s KPIs, rows in the request's order."""
    by_kpi: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        for row in part.rows():
            by_kpi.setdefault(row["kpi"], []).append(row)
    rows = [r for k in request.ids for r in by_kpi.get(k, [])]
    sources = sorted({s for part in parts for s in part.source.split("+")}, reverse=True)
    return KpiResult(by=request.by, grain=request.grain, _rows=rows, source="+".join(sources))


def _split_by_source(ws: wc.Context, backend: Backend, scan: c.Scan, plans: dict[str, Plan],
                     request: KpiRequest, state: RollupState) -> KpiResult | None:
    """Answer the KPIs the rollup can serve from the rollup and only the others from raw.

    Why: one KPI that needs row-level data (``cost_per_resource`` counts distinct resources)
    would otherwise send a whole dashboard's worth of KPIs to the raw table. Formula KPIs read
    other KPIs' values from the same run, so a request holding one is not split.
    """
    if any(isinstance(p, FormulaKpi) for p in plans.values()):
        return None
    fast = [k for k in request.ids
            if choose_source(ws, backend, scan, collect_refs([plans[k]]), None, state) == "rollup"]
    if not fast or len(fast) == len(request.ids):
        return None
    slow = tuple(k for k in request.ids if k not in fast)
    parts = [run(ws, replace(request, ids=tuple(fast))), run(ws, replace(request, ids=slow))]
    return _merged(request, parts)


def _lookback(plans: Any, request: KpiRequest) -> dt.date | None:
    if request.start is None:
        return None
    first = periods.truncate(request.start, request.grain)
    lag = None
    for plan in plans:
        if isinstance(plan, ComputedKpi) and plan.looks_back:
            if dict(plan.params).get("lag") == "year":
                lag = periods.year_before(first, request.grain)
            else:
                prev = periods.shift(first, request.grain, -1)
                lag = prev if lag is None else min(lag, prev)
    return lag


def _num(value: Decimal | None, is_money: bool) -> Any:
    """Money stays an exact Decimal at the warehouse's 18 decimals (sums are already exact
    there; a quotient such as cost per resource is rounded to them); ratios become floats."""
    if value is None:
        return None
    return money.at_scale(value) if is_money else float(value)


def derive_measure_kpi(ctx: Context, plan: MeasureKpi) -> list[dict[str, Any]]:
    kpi = plan.definition.id
    local = {name: ctx.ref(plan, name) for name in plan.measures}
    num_f = fx.parse_formula(plan.numerator)
    den_f = fx.parse_formula(plan.denominator) if plan.denominator else None
    val_f = fx.parse_formula(plan.value) if plan.value else None
    cov = (
        (fx.parse_formula(plan.coverage[0]), fx.parse_formula(plan.coverage[1]))
        if plan.coverage else None
    )
    guards = [(fx.parse_formula(g), why) for g, why in plan.guards]
    blind = untagged_rows_note(ctx.project, plan, ctx.request.where, ctx.request.by)
    rows = []
    for key in ctx.frame_keys():
        sums = ctx.frame[key]
        env = {name: sums[ref] for name, ref in local.items()}
        num = fx.evaluate(num_f, env)
        coverage = None
        if cov is not None:
            cn, cd = fx.evaluate(cov[0], env), fx.evaluate(cov[1], env)
            coverage = float(cn / cd) if cn is not None and cd else None
        note = None
        if coverage is not None and coverage < 1:
            note = f"computed on {numbers.percent(coverage, places=0)} of {plan.coverage_note}"
        if den_f is None:
            rows.append(ctx.row(kpi, key, _num(num, plan.money), coverage=coverage, note=note))
            continue
        den = fx.evaluate(den_f, env)
        if not den:
            rows.append(ctx.row(kpi, key, None, numerator=num, denominator=den,
                                coverage=coverage, note=plan.zero_note))
            continue
        guard = next((why for g, why in guards if not fx.evaluate(g, env)), None)
        if guard is not None:
            rows.append(ctx.row(kpi, key, None, numerator=num, denominator=den,
                                coverage=coverage, note=guard))
            continue
        if val_f is not None:
            value = fx.evaluate(val_f, {**env, "num": num, "den": den})
        else:
            value = None if num is None else num / den
        notes = [note] if note else []
        if plan.aside is not None and env[plan.aside[0]]:
            notes.append(plan.aside[1].format(amount=numbers.money(env[plan.aside[0]])))
        if blind:
            notes.append(blind)
        rows.append(ctx.row(kpi, key, _num(value, plan.money), numerator=num, denominator=den,
                            coverage=coverage, note="; ".join(notes) or None))
    return rows


def derive_formula(ctx: Context, plan: FormulaKpi,
                   values: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    names = sorted(fx.refs(plan.formula))
    by_key: dict[Key, dict[str, Decimal | None]] = {}
    for name in names:
        for r in values[name]:
            key: Key = (r["period_start"], tuple(r.get(b) for b in ctx.request.by), r["currency"])
            v = r["value"]
            by_key.setdefault(key, {})[name] = None if v is None else Decimal(str(v))
    is_money = plan.definition.unit == "currency"
    rows = []
    for key in sorted(by_key, key=_sort_key):
        env = by_key[key]
        missing = [n for n in names if env.get(n) is None]
        value = fx.evaluate(plan.formula, env)
        note = None
        if value is None:
            note = ("no value for " + ", ".join(missing)) if missing else "division by zero"
        rows.append(ctx.row(plan.definition.id, key, _num(value, is_money), note=note))
    return rows


#: One KPI id or several; one dimension or several.
Names = str | Sequence[str]
#: A day: a date or ISO text (YYYY-MM-DD).
DateLike = dt.date | str | None
#: A row filter: text, a mapping ({"team": "payments"}) or an already parsed filter.
FilterArg = f.FilterSpec | Mapping[str, Any] | f.Node | None


def request_from_args(
    ids: Names,
    *,
    grain: str = "month",
    by: Names = (),
    start: DateLike = None,
    end: DateLike = None,
    where: FilterArg = None,
    engine: str = "duckdb",
    rollups: bool | None = None,
) -> KpiRequest:
    """Normalise facade arguments (strings or sequences, dates or ISO text)."""
    id_tuple = (ids,) if isinstance(ids, str) else tuple(ids)
    if not id_tuple:
        raise UsageError("name at least one KPI (see 'costmark kpi --list')")
    by_tuple = (by,) if isinstance(by, str) else tuple(by)
    if len(set(by_tuple)) != len(by_tuple):
        raise UsageError("a dimension is repeated in --by")
    reserved = set(by_tuple) & set(RESERVED)
    if reserved:
        raise UsageError(f"--by {sorted(reserved)[0]!r} clashes with a result column; "
                         "name the dimension differently in costmark.yaml")
    return KpiRequest(
        ids=tuple(dict.fromkeys(id_tuple)),
        grain=grain,
        by=by_tuple,
        start=periods.as_date(start) if start is not None else None,
        end=periods.as_date(end) if end is not None else None,
        where=f.parse_filter(where),
        engine=engine,
        rollups=rollups,
    )


__all__ = ["SUMMABLE_COLUMNS", "DateLike", "FilterArg", "KpiRequest", "Names",
           "request_from_args", "run"]
