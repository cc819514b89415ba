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
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from costmark.engine import periods
from costmark.engine.backends import Backend
from costmark.engine.fields import Resolver, source_columns
from costmark.focus.schema import COST_TABLE
from costmark.kpis.model import CostMeasure
from costmark.spec import filters as f
from costmark.spec.models import Project

if TYPE_CHECKING:
    from costmark.engine.rollups import RollupState

PERIOD = "period_start"
CURRENCY = "currency"
#: The default time column: rows belong to the period of their charge.
CHARGE_PERIOD = "ChargePeriodStart"


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
    #: the timestamp that assigns rows to periods (a KPI's declared ``time_column``)
    time_column: str = CHARGE_PERIOD


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
    if scan.time_column != CHARGE_PERIOD:
        names.add(scan.time_column)  # rollups keep days of the charge period only
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


@dataclass(frozen=True)
class Source:
    """The table one aggregate reads: raw ``costs`` or a rollup table (daily or monthly, both
    keyed by a ``day`` date column). ``signature`` changes whenever the table's columns do."""

    table: str
    rollup: bool
    signature: str = ""

    @classmethod
    def of(cls, source: str, scan: Scan, state: RollupState | None = None) -> Source:
        """``source`` is "raw" or "rollup"; a rollup request reads the smallest rollup table
        that answers ``scan``."""
        from costmark.engine import rollups

        if source != "rollup":
            return cls(COST_TABLE, rollup=False)
        state = state or rollups.NO_ROLLUP
        return cls(rollups.table_for(scan, state), rollup=True, signature=state.signature)

    def time_column(self, scan: Scan) -> str:
        """The column periods are cut from: ``scan.time_column``, which a rollup holds as
        ``day`` for the charge period and as the column itself otherwise."""
        if self.rollup and scan.time_column == CHARGE_PERIOD:
            return "day"
        return scan.time_column


def base_table(
    backend: Backend, project: Project, root: Path, scan: Scan, source: str | Source
) -> tuple[Resolver, str]:
    """The resolver over the chosen source with the time range and ``where`` applied."""
    if isinstance(source, str):
        source = Source.of(source, scan)
    table = backend.table(source.table)
    resolver = Resolver(project, root, table, rollup=source.rollup)
    time_col = source.time_column(scan)
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


#: (reporting currency, currencies converted into it): group those currencies as one.
CurrencyMerge = tuple[str, tuple[str, ...]]


def currency_merge(project: Project) -> CurrencyMerge | None:
    """The currencies the project converts to its reporting currency, or None without rates."""
    settings = project.currency
    if not settings.rates or settings.reporting is None:
        return None
    return settings.reporting, tuple(sorted({settings.reporting, *settings.rates}))


def group_keys(resolver: Resolver, scan: Scan, time_col: str, grain: str,
               merge: CurrencyMerge | None = None) -> dict[str, ir.Value]:
    keys: dict[str, ir.Value] = {PERIOD: periods.truncate_expr(resolver.table[time_col], grain)}
    for i, name in enumerate(scan.by):
        keys[dim_alias(i)] = resolver.field(name).cast("string")
    currency = resolver.table["BillingCurrency"]
    if merge is not None:
        reporting, merged = merge
        currency = ibis.ifelse(currency.isin(merged), ibis.literal(reporting), currency)
    keys[CURRENCY] = currency
    return keys


def measure_expr(resolver: Resolver, ref: MeasureRef) -> ir.Scalar:
    value = resolver.column(ref.column)
    cond = resolver.predicate(f.parse_filter(ref.where)) if ref.where else None  # type: ignore[arg-type]
    if ref.agg == "nunique":
        return value.nunique(where=cond)
    return value.sum(where=cond).coalesce(0)


def aggregate(
    resolver: Resolver, scan: Scan, time_col: str, refs: Sequence[MeasureRef], grain: str,
    merge: CurrencyMerge | None = None,
) -> ir.Table:
    """One GROUP BY computing every measure; columns m0, m1 ... in ``refs`` order.
    ``merge``: group converted currencies as the reporting one (for distinct counts, which
    cannot be added up across currencies afterwards)."""
    keys = group_keys(resolver, scan, time_col, grain, merge)
    metrics = {f"m{i}": measure_expr(resolver, r) for i, r in enumerate(refs)}
    metrics["_rows"] = resolver.table.count()
    return resolver.table.group_by(**keys).aggregate(**metrics)


def run_aggregate(backend: Backend, project: Project, root: Path, scan: Scan,
                  refs: Sequence[MeasureRef], source: Source,
                  merge: CurrencyMerge | None = None) -> pa.Table:
    """Run the shared aggregate of ``refs`` over ``source``.

    Why the cache key: building and compiling the Ibis expression takes several milliseconds,
    more than DuckDB needs to answer from a rollup, so a dashboard asking the same question
    again reuses the SQL. The key holds everything the SQL depends on: the request shape, the
    table and its columns, the project (compared by identity; a reloaded costmark.yaml is a new
    object) and the mapping files' stamps.
    """
    key = (
        source.table,
        source.signature or None,
        scan.grain, scan.by, scan.start, scan.end, scan.lookback_start, scan.time_column,
        f.render(scan.where),
        tuple(refs),
        merge,
        mapping_stamp(project, root),
    )

    def build() -> ir.Table:
        resolver, time_col = base_table(backend, project, root, scan, source)
        return aggregate(resolver, scan, time_col, refs, scan.grain, merge)

    return backend.run_cached(key, project, build, table=None if source.signature else
                              source.table)


def mapping_stamp(project: Project, root: Path) -> tuple[tuple[str, int, int], ...]:
    """(file, mtime, size) of every mapping file the project's dimensions read."""
    out = []
    for dim in project.dimensions.values():
        for rule in dim.resolved_rules:
            file = getattr(rule, "file", None)
            if file:
                try:
                    st = (root / file).stat()
                    out.append((file, st.st_mtime_ns, st.st_size))
                except OSError:
                    out.append((file, -1, -1))
    return tuple(out)
