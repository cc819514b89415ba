"""Daily and monthly rollups of the cost table, maintained per replaced slice, read when they
can answer.

The rollup ``kpi_rollup_daily`` groups ``costs`` by day × the slice key × the category columns
KPIs filter on × every source column a dimension reads (tag columns, mapped columns), and keeps
exact DECIMAL sums of the money columns (plus the virtual ``x_CoverageBasis``) and a row count.
Because it holds *source* columns, dimension rules (mapping files, defaults) are applied at query
time exactly as on the raw table, and results are identical either way (tests compare them).
``kpi_rollup_monthly`` is the same table summed to the first day of each month (its ``day``
column holds that date), built from the daily one; month, quarter and year requests whose date
range covers whole months read it (about 30x fewer rows).

Ingest calls ``refresh_rollups(ws, slices)`` inside its load transaction with the
(ProviderName, BillingAccountId, BillingPeriodStart) slices it replaced; a full rebuild is
``refresh_rollups(ws)``. A rollup whose recorded cost-table fingerprint no longer matches (rows
loaded without a refresh) is never read: queries fall back to the raw table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from costmark.engine.backends import Backend
from costmark.engine.fields import VIRTUAL_FLAGS, VIRTUAL_MONEY, Resolver, source_columns
from costmark.focus.schema import COST_TABLE, SLICE_COLUMNS, tag_column

if TYPE_CHECKING:
    from costmark.engine.compile import MeasureRef, Scan
    from costmark.engine.context import Context

ROLLUP_TABLE = "kpi_rollup_daily"
MONTHLY_TABLE = "kpi_rollup_monthly"
META_TABLE = "kpi_rollup_meta"
#: Grains whose periods are whole months, so the monthly rollup can answer them.
MONTHLY_GRAINS = ("month", "quarter", "year")

#: Category columns built-in KPIs filter on, kept in every rollup.
CATEGORY_COLUMNS = (
    "BillingCurrency",
    "ChargeCategory",
    "ChargeClass",
    "CommitmentDiscountStatus",
    "CommitmentDiscountCategory",
    "CommitmentDiscountUnit",
    "PricingCategory",
    "ServiceCategory",
)
SUM_COLUMNS = (
    "EffectiveCost",
    "BilledCost",
    "ListCost",
    "ContractedCost",
    "CommitmentDiscountQuantity",
    *VIRTUAL_MONEY,
)

Slice = tuple[Any, Any, Any]


def group_columns(ws: Context) -> list[str]:
    """Columns the rollup groups by (besides ``day``), for the current project."""
    project = ws.project
    present = set(ws.warehouse.table_columns(COST_TABLE))
    dims = source_columns(project, project.dimensions)
    tags = {tag_column(k) for k in project.materialized_tag_keys}
    wanted = [*SLICE_COLUMNS, *CATEGORY_COLUMNS, *sorted(dims | tags)]
    physical = {c.lower(): c for c in present}  # column names ignore case in DuckDB
    return list(dict.fromkeys(physical[c.lower()] for c in wanted if c.lower() in physical))


def _exists(con: Any, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [table],
    ).fetchall()[0]
    return bool(row and row[0])


#: What the cost table looks like to a rollup: its row count and the latest cost change. Only
#: cost loads and removals that committed change ``costs``: business, utilization or
#: recommendation loads must not make the cost rollup look stale, and neither may a failed
#: load (it rolled back, changing nothing, but leaves a ``failed`` row in the log; counting it
#: sent every later query to the raw table until the next good load).
_COUNT_SQL = f"SELECT count(*)::VARCHAR FROM {COST_TABLE}"
_LAST_LOAD_SQL = (
    "SELECT max(started_at)::VARCHAR || '|' || count(*)::VARCHAR FROM ingest_log "
    "WHERE kind IN ('focus', 'focus-remove') AND status = 'ok'"
)


def _fingerprint(con: Any) -> str:
    count = con.execute(_COUNT_SQL).fetchall()[0]
    last = con.execute(_LAST_LOAD_SQL).fetchall()[0] if _exists(con, "ingest_log") else None
    return _fingerprint_of(count[0] if count else None, last[0] if last else None)


def _fingerprint_of(count: str | None, last: str | None) -> str:
    return json.dumps([int(count or 0), last])


@dataclass(frozen=True)
class RollupState:
    """What the rollups hold right now, read in one query per KPI request."""

    #: the daily rollup exists
    built: bool
    #: built from the cost table as it is now (no load since without a refresh)
    fresh: bool
    #: the monthly rollup exists (it is always refreshed together with the daily one)
    monthly: bool
    #: source columns kept (besides the sums and virtual flags)
    columns: tuple[str, ...]
    #: changes whenever the rollup tables' columns change (for compiled-query caches)
    signature: str


NO_ROLLUP = RollupState(False, False, False, (), "")


def state(con: Any, *, meta_exists: bool | None = None) -> RollupState:
    """The rollups' state in one round trip. ``meta_exists``: the caller already knows the
    meta table exists (it is created with the first rollup and never dropped)."""
    if meta_exists is None:
        meta_exists = _exists(con, META_TABLE)
    if not meta_exists:
        return NO_ROLLUP
    rows = con.execute(
        f"SELECT key, value FROM {META_TABLE} "
        f"UNION ALL SELECT '#count', ({_COUNT_SQL}) "
        f"UNION ALL SELECT '#last', ({_LAST_LOAD_SQL})"
    ).fetchall()
    meta = dict(rows)
    count, last = meta.pop("#count", None), meta.pop("#last", None)
    if "columns" not in meta:
        return NO_ROLLUP
    signature = meta["columns"]
    return RollupState(
        built=True,
        fresh=meta.get("fingerprint") == _fingerprint_of(count, last),
        monthly=meta.get("monthly") == signature,
        columns=tuple(json.loads(signature)),
        signature=signature + "|" + str(meta.get("monthly") == signature),
    )


def covers_whole_months(scan: Scan) -> bool:
    """Whether every day ``scan`` reads belongs to a month it reads whole (so the monthly
    rollup gives the same sums as the daily one)."""
    if scan.grain not in MONTHLY_GRAINS:
        return False
    starts = [d for d in (scan.start, scan.lookback_start) if d is not None]
    if any(d.day != 1 for d in starts):
        return False
    return scan.end is None or (scan.end + dt.timedelta(days=1)).day == 1


def table_for(scan: Scan, rollup_state: RollupState) -> str:
    """The smallest rollup table that answers ``scan`` (the caller has checked freshness).
    A scan whose periods come from another column than the charge day (BillingPeriodStart,
    which both rollups keep as it is) can always read the monthly one."""
    from costmark.engine.compile import CHARGE_PERIOD

    if rollup_state.monthly and (
        scan.time_column != CHARGE_PERIOD or covers_whole_months(scan)
    ):
        return MONTHLY_TABLE
    return ROLLUP_TABLE


def _meta(con: Any) -> dict[str, str]:
    if not _exists(con, META_TABLE):
        return {}
    return dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())


def _set_meta(con: Any, values: dict[str, str]) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)"
    ).fetchall()
    for k, v in values.items():
        con.execute(f"DELETE FROM {META_TABLE} WHERE key = ?", [k]).fetchall()
        con.execute(f"INSERT INTO {META_TABLE} VALUES (?, ?)", [k, v]).fetchall()


def rollup_expr(ws: Context, backend: Backend, columns: Sequence[str],
                where: ir.BooleanValue | None = None) -> ir.Table:
    """The Ibis aggregate that builds rollup rows from ``costs`` (virtual fields reuse the
    resolver's definitions, so raw queries and rollups agree by construction)."""
    table = backend.table(COST_TABLE)
    if where is not None:
        table = table.filter(where)
    resolver = Resolver(ws.project, ws.root, table)
    keys: dict[str, ir.Value] = {"day": table.ChargePeriodStart.cast("date")}
    keys.update({c: table[c] for c in columns})
    keys.update({v: resolver.column(v) for v in VIRTUAL_FLAGS})
    sums = {c: resolver.column(c).sum() for c in SUM_COLUMNS}
    sums["x_RowCount"] = table.count()
    return table.group_by(**keys).aggregate(**sums)


def _slice_filter(table: ir.Table, slices: Iterable[Slice]) -> ir.BooleanValue | None:
    conds = []
    for s in slices:
        parts = [
            table[c].isnull() if v is None else table[c] == ibis.literal(v)
            for c, v in zip(SLICE_COLUMNS, s, strict=True)
        ]
        cond = parts[0]
        for p in parts[1:]:
            cond = cond & p
        conds.append(cond)
    if not conds:
        return None
    out = conds[0]
    for cnd in conds[1:]:
        out = out | cnd
    return out


def refresh_rollups(ws: Context, slices: Iterable[Slice] | None = None) -> dict[str, Any]:
    """Bring the rollup up to date with ``costs``.

    ``slices``: the (ProviderName, BillingAccountId, BillingPeriodStart) keys a load replaced;
    their rollup rows are deleted and recomputed. ``None`` (or a changed configuration) rebuilds
    everything. Runs on the caller's connection and transaction: call it inside the ingest
    transaction so the rollup commits (or rolls back) with the rows.
    """
    con = ws.warehouse.con
    backend = ws.engine.backend("duckdb")
    columns = group_columns(ws)
    # The virtual flags are part of the signature: a rollup built before a flag existed lacks
    # its column, and must be rebuilt (and is not read) rather than fail a query.
    signature = json.dumps([*columns, *VIRTUAL_FLAGS])
    full = slices is None or _meta(con).get("columns") != signature or not _exists(
        con, ROLLUP_TABLE
    )
    slice_list = [] if slices is None else [tuple(s) for s in slices]
    if full:
        expr = rollup_expr(ws, backend, columns)
        con.execute(f"DROP TABLE IF EXISTS {ROLLUP_TABLE}").fetchall()
        con.execute(f"CREATE TABLE {ROLLUP_TABLE} AS {backend.to_sql(expr)}").fetchall()
    elif slice_list:
        _slice_table(con, slice_list)  # read here and by the monthly refresh below
        cost = backend.table(COST_TABLE)
        con.execute(f"DELETE FROM {ROLLUP_TABLE} WHERE {_IN_SLICES}").fetchall()
        where = _slice_filter(cost, slice_list)
        expr = rollup_expr(ws, backend, columns, where)
        names = ", ".join(f'"{n}"' for n in expr.columns)
        con.execute(f"INSERT INTO {ROLLUP_TABLE} ({names}) {backend.to_sql(expr)}").fetchall()
    monthly_full = full or _meta(con).get("monthly") != signature or not _exists(
        con, MONTHLY_TABLE
    )
    _refresh_monthly(con, columns, None if monthly_full else slice_list)
    con.execute(f"DROP TABLE IF EXISTS {_SLICES}").fetchall()
    _set_meta(con, {"columns": signature, "monthly": signature,
                    "fingerprint": _fingerprint(con)})
    count = con.execute(f"SELECT count(*) FROM {ROLLUP_TABLE}").fetchall()[0]
    return {"rebuilt": full, "slices": len(slice_list), "rows": count[0] if count else 0}


def _refresh_monthly(con: Any, columns: Sequence[str], slices: list[Slice] | None) -> None:
    """Sum the daily rollup to months: all of it (``slices=None``), or only the given slices
    (a slice is one billing period of one account, so its rows never share a month row with
    another slice's)."""
    keys = [*columns, *VIRTUAL_FLAGS]
    quoted = ", ".join(f'"{k}"' for k in keys)
    sums = ", ".join(f'sum("{c}") AS "{c}"' for c in SUM_COLUMNS)
    select = (
        f"SELECT CAST(date_trunc('month', day) AS DATE) AS day, {quoted}, {sums}, "
        f'CAST(sum(x_RowCount) AS BIGINT) AS x_RowCount FROM {ROLLUP_TABLE} {{where}} '
        f"GROUP BY ALL"
    )
    if slices is None:
        con.execute(f"DROP TABLE IF EXISTS {MONTHLY_TABLE}").fetchall()
        con.execute(f"CREATE TABLE {MONTHLY_TABLE} AS {select.format(where='')}").fetchall()
        return
    if not slices:
        return
    # the slices are in _SLICES (refresh_rollups): one statement each, however many slices
    con.execute(f"DELETE FROM {MONTHLY_TABLE} WHERE {_IN_SLICES}").fetchall()
    con.execute(
        f"INSERT INTO {MONTHLY_TABLE} BY NAME {select.format(where='WHERE ' + _IN_SLICES)}"
    ).fetchall()


#: Temporary table of the slices a refresh replaces, and the test "this row is in one of them"
#: (one DELETE and one INSERT per table instead of one per slice: a year of 30 accounts is
#: 360 slices). Its columns are named apart from the slice columns, so that an unqualified
#: slice column in the test can only mean the outer row's.
_SLICES = "__rollup_slices"
_SLICE_KEYS = ("k_provider", "k_account", "k_period")
_IN_SLICES = (
    f"EXISTS (SELECT 1 FROM {_SLICES} WHERE "
    + " AND ".join(f'{k} IS NOT DISTINCT FROM "{c}"'
                   for k, c in zip(_SLICE_KEYS, SLICE_COLUMNS, strict=True))
    + ")"
)


def _slice_table(con: Any, slices: Sequence[Slice]) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SLICES} ({_SLICE_KEYS[0]} VARCHAR, "
        f"{_SLICE_KEYS[1]} VARCHAR, {_SLICE_KEYS[2]} TIMESTAMP)"
    ).fetchall()
    con.executemany(f"INSERT INTO {_SLICES} VALUES (?, ?, ?)",
                    [[_param(v) for v in s] for s in slices])


def _param(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def cannot_answer(rollup_state: RollupState, needed: set[str],
                  refs: Iterable[MeasureRef]) -> str | None:
    """None when the rollup can answer a scan needing ``needed`` source columns and ``refs``;
    otherwise the reason it cannot."""
    if not rollup_state.built:
        return "no rollup built yet"
    if not rollup_state.fresh:
        return "rollup is out of date with the cost table"
    have = set(rollup_state.columns) | set(SUM_COLUMNS)
    for ref in refs:
        if ref.agg != "sum":
            return f"{ref.agg}({ref.column}) needs row-level data"
        if ref.column not in SUM_COLUMNS:
            return f"the rollup keeps no sum of {ref.column}"
    have_lower = {h.lower() for h in have}
    missing = sorted(n for n in needed if n.lower() not in have_lower)
    if missing:
        return "the rollup has no column " + ", ".join(missing)
    return None


def rollup_status(ws: Context) -> dict[str, Any]:
    con = ws.warehouse.con
    if not _exists(con, ROLLUP_TABLE):
        return {"exists": False}
    current = state(con)
    count = con.execute(f"SELECT count(*) FROM {ROLLUP_TABLE}").fetchall()[0]
    monthly = None
    if current.monthly and _exists(con, MONTHLY_TABLE):
        row = con.execute(f"SELECT count(*) FROM {MONTHLY_TABLE}").fetchall()[0]
        monthly = row[0] if row else 0
    return {
        "exists": True,
        "rows": count[0] if count else 0,
        "monthly_rows": monthly,
        "fresh": current.fresh,
        "columns": list(current.columns),
    }
