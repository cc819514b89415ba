"""Compile cost measures into one Ibis aggregate: period × dimensions × currency.

Every distinct measure (column, filter, aggregation) of every requested KPI becomes one
``SUM(col) FILTER (WHERE ...)`` in a single GROUP BY, so a dozen KPIs cost one scan. The scan
reads the daily rollup when it holds every column the request touches, else the raw table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir

from costmark.engine import periods
from costmark.engine.backends import Backend
from costmark.engine.fields import Resolver, source_columns
from costmark.focus.schema import COST_TABLE
from costmark.kpis.library import CostMeasure
from costmark.spec import filters as f
from costmark.spec.models import Project

PERIOD = "period_start"
CURRENCY = "currency"


def dim_alias(i: int) -> str:
    return f"_dim{i}"


@dataclass(frozen=True)
class Scan:
    """What one aggregate reads: the grain, group-by fields, date range and filter."""

    grain: str
    by: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None  # inclusive
    where: f.Node | None
    #: extra complete periods before ``start`` (for period-over-period KPIs)
    lookback_start: dt.date | None = None


@dataclass(frozen=True)
class MeasureRef:
    agg: str
    column: str
    where: str | None

    @classmethod
    def of(cls, m: CostMeasure, scope: str | None) -> MeasureRef:
        where = m.where
        if m.scoped and scope:
            where = f"{where} and {scope}" if where else scope
        return cls(m.agg, m.column, f.render(f.parse_filter(where)) or None)


def measure_fields(refs: Iterable[MeasureRef]) -> set[str]:
    out: set[str] = set()
    for r in refs:
        out.add(r.column)
        out |= f.fields_of(f.parse_filter(r.where))
    return out


def needed_source_columns(project: Project, scan: Scan, refs: Iterable[MeasureRef]) -> set[str]:
    names = set(scan.by) | f.fields_of(scan.where) | measure_fields(refs)
    if "x_Allocated" in names:
        names.discard("x_Allocated")
        names |= {n for n, d in project.dimensions.items() if d.allocation}
    return source_columns(project, names) | {"BillingCurrency"}


def time_filter(resolver: Resolver, scan: Scan, time_col: str) -> ir.BooleanValue | None:
    col = resolver.table[time_col]
    is_day = time_col == "day"

    def lit(day: dt.date) -> ir.Value:
        return ibis.literal(day) if is_day else ibis.literal(
            dt.datetime.combine(day, dt.time())
        )

    conds: list[ir.BooleanValue] = []
    if scan.start is not None:
        main = col >= lit(scan.start)
        if scan.lookback_start is not None:
            first = periods.truncate(scan.start, scan.grain)
            main = main | ((col >= lit(scan.lookback_start)) & (col < lit(first)))
        conds.append(main)
    if scan.end is not None:
        conds.append(col < lit(scan.end + dt.timedelta(days=1)))
    if not conds:
        return None
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out


def base_table(
    backend: Backend, project: Project, root: Path, scan: Scan, source: str
) -> tuple[Resolver, str]:
    """The resolver over the chosen source with the time range and ``where`` applied."""
    from costmark.engine.rollups import ROLLUP_TABLE

    table = backend.table(ROLLUP_TABLE if source == "rollup" else COST_TABLE)
    resolver = Resolver(project, root, table, rollup=source == "rollup")
    time_col = "day" if source == "rollup" else "ChargePeriodStart"
    conds = [table[time_col].notnull()]
    tf = time_filter(resolver, scan, time_col)
    if tf is not None:
        conds.append(tf)
    if scan.where is not None:
        conds.append(resolver.predicate(scan.where))
    if conds:  # always: rows without a charge period belong to no period
        resolver = Resolver(project, root, table.filter(*conds), rollup=resolver.rollup,
                            _mappings=resolver._mappings)
    return resolver, time_col


def group_keys(resolver: Resolver, scan: Scan, time_col: str, grain: str) -> dict[str, ir.Value]:
    keys: dict[str, ir.Value] = {PERIOD: periods.truncate_expr(resolver.table[time_col], grain)}
    for i, name in enumerate(scan.by):
        keys[dim_alias(i)] = resolver.field(name).cast("string")
    keys[CURRENCY] = resolver.table["BillingCurrency"]
    return keys


def measure_expr(resolver: Resolver, ref: MeasureRef) -> ir.Scalar:
    value = resolver.column(ref.column)
    cond = resolver.predicate(f.parse_filter(ref.where)) if ref.where else None  # type: ignore[arg-type]
    if ref.agg == "nunique":
        return value.nunique(where=cond)
    return value.sum(where=cond).coalesce(0)


def aggregate(
    resolver: Resolver, scan: Scan, time_col: str, refs: Sequence[MeasureRef], grain: str
) -> ir.Table:
    """One GROUP BY computing every measure; columns m0, m1 ... in ``refs`` order."""
    keys = group_keys(resolver, scan, time_col, grain)
    metrics = {f"m{i}": measure_expr(resolver, r) for i, r in enumerate(refs)}
    metrics["_rows"] = resolver.table.count()
    return resolver.table.group_by(**keys).aggregate(**metrics)
