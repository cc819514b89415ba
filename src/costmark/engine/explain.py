"""``explain``: the SQL the engine runs for a KPI request, with the plan as comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from costmark.engine import compile as c
from costmark.engine.query import (
    KpiRequest,
    _lookback,
    _time_groups,
    choose_source,
    collect_refs,
    plans_for,
    rollup_state,
)
from costmark.kpis.catalog import FormulaKpi
from costmark.kpis.library import ComputedKpi

if TYPE_CHECKING:
    from costmark.engine.context import Context


def explain(ws: Context, request: KpiRequest) -> str:
    plans = plans_for(ws.project, request.ids)
    backend = ws.engine.backend(request.engine)
    state = rollup_state(ws, backend, request.rollups)
    lines: list[str] = []
    for time_col, group in _time_groups(plans).items():
        refs = collect_refs(list(group.values()))
        scan = c.Scan(request.grain, request.by, request.start, request.end, request.where,
                      _lookback(group.values(), request), time_col)
        source = choose_source(ws, backend, scan, refs, request.rollups, state)
        table = c.Source.of(source, scan, state)
        lines.append(f"-- engine: {backend.name}; source: {source} ({table.table}); "
                     f"grain: {request.grain}; periods by {time_col}")
        shown = group if len(lines) > 1 else {**group, **{
            k: p for k, p in plans.items() if isinstance(p, FormulaKpi)}}
        for kpi_id, plan in shown.items():
            d = plan.definition
            lines.append(f"-- {kpi_id}: {d.formula or d.title}")
            if isinstance(plan, ComputedKpi) and plan.also_reads:
                lines.append(f"--   plus: {plan.also_reads}")
            if isinstance(plan, FormulaKpi):
                lines.append("--   evaluated from the KPIs it names, per period and key")
        for i, ref in enumerate(refs):
            where = f" WHERE {ref.where}" if ref.where else ""
            lines.append(f"--   m{i} = {ref.agg}({ref.column}){where}")
        if refs:
            resolver, time_expr = c.base_table(backend, ws.project, ws.root, scan, table)
            expr = c.aggregate(resolver, scan, time_expr, refs, request.grain)
            lines.append(backend.to_sql(expr))
    return "\n".join(lines) + "\n"
