"""Daily rollups of the cost table, maintained per replaced slice, read when they can answer.

The rollup ``kpi_rollup_daily`` groups ``costs`` by day × the slice key × the category columns
KPIs filter on × every source column a dimension reads (tag columns, mapped columns), and keeps
exact DECIMAL sums of the money columns (plus the virtual ``x_CoverageBasis``) and a row count.
Because it holds *source* columns, dimension rules (mapping files, defaults) are applied at query
time exactly as on the raw table, and results are identical either way (tests compare them).

Ingest calls ``refresh_rollups(ws, slices)`` inside its load transaction with the
(ProviderName, BillingAccountId, BillingPeriodStart) slices it replaced; a full rebuild is
``refresh_rollups(ws)``. A rollup whose recorded cost-table fingerprint no longer matches (rows
loaded without a refresh) is never read: queries fall back to the raw table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from costmark.engine.backends import Backend, get_backend
from costmark.engine.fields import VIRTUAL_FLAGS, VIRTUAL_MONEY, Resolver, source_columns
from costmark.focus.schema import COST_TABLE, SLICE_COLUMNS, tag_column

if TYPE_CHECKING:
    from costmark.api import Workspace
    from costmark.engine.compile import MeasureRef

ROLLUP_TABLE = "kpi_rollup_daily"
META_TABLE = "kpi_rollup_meta"

#: Category columns built-in KPIs filter on, kept in every rollup.
CATEGORY_COLUMNS = (
    "BillingCurrency",
    "ChargeCategory",
    "ChargeClass",
    "CommitmentDiscountStatus",
    "CommitmentDiscountCategory",
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


def group_columns(ws: Workspace) -> list[str]:
    """Columns the rollup groups by (besides ``day``), for the current project."""
    project = ws.project
    present = set(ws.warehouse.table_columns(COST_TABLE))
    dims = source_columns(project, project.dimensions)
    tags = {tag_column(k) for k in project.materialized_tag_keys}
    wanted = [*SLICE_COLUMNS, *CATEGORY_COLUMNS, *sorted(dims | tags)]
    return [c for c in dict.fromkeys(wanted) if c in present]


def _exists(con: Any, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [table],
    ).fetchall()[0]
    return bool(row and row[0])


def _fingerprint(con: Any) -> str:
    count = con.execute(f"SELECT count(*) FROM {COST_TABLE}").fetchall()[0]
    last = None
    if _exists(con, "ingest_log"):
        last = con.execute(
            # Only cost loads change ``costs``: business, utilization or recommendation
            # loads must not make the cost rollup look stale.
            "SELECT max(started_at)::VARCHAR || '|' || count(*)::VARCHAR FROM ingest_log "
            "WHERE kind = 'focus'"
        ).fetchall()[0]
    return json.dumps([count[0] if count else 0, last[0] if last else None])


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


def rollup_expr(ws: Workspace, backend: Backend, columns: Sequence[str],
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


def refresh_rollups(ws: Workspace, slices: Iterable[Slice] | None = None) -> dict[str, Any]:
    """Bring the rollup up to date with ``costs``.

    ``slices``: the (ProviderName, BillingAccountId, BillingPeriodStart) keys a load replaced;
    their rollup rows are deleted and recomputed. ``None`` (or a changed configuration) rebuilds
    everything. Runs on the caller's connection and transaction: call it inside the ingest
    transaction so the rollup commits (or rolls back) with the rows.
    """
    con = ws.warehouse.con
    backend = get_backend(ws, "duckdb")
    columns = group_columns(ws)
    signature = json.dumps(columns)
    full = slices is None or _meta(con).get("columns") != signature or not _exists(
        con, ROLLUP_TABLE
    )
    slice_list = [] if slices is None else [tuple(s) for s in slices]
    if full:
        expr = rollup_expr(ws, backend, columns)
        con.execute(f"DROP TABLE IF EXISTS {ROLLUP_TABLE}").fetchall()
        con.execute(f"CREATE TABLE {ROLLUP_TABLE} AS {backend.to_sql(expr)}").fetchall()
    elif slice_list:
        cost = backend.table(COST_TABLE)
        for s in slice_list:
            values = [_param(v) for v in s]
            cond = " AND ".join(f'"{c}" IS NOT DISTINCT FROM ?' for c in SLICE_COLUMNS)
            con.execute(f"DELETE FROM {ROLLUP_TABLE} WHERE {cond}", values).fetchall()
        where = _slice_filter(cost, slice_list)
        expr = rollup_expr(ws, backend, columns, where)
        names = ", ".join(f'"{n}"' for n in expr.columns)
        con.execute(f"INSERT INTO {ROLLUP_TABLE} ({names}) {backend.to_sql(expr)}").fetchall()
    _set_meta(con, {"columns": signature, "fingerprint": _fingerprint(con)})
    count = con.execute(f"SELECT count(*) FROM {ROLLUP_TABLE}").fetchall()[0]
    return {"rebuilt": full, "slices": len(slice_list), "rows": count[0] if count else 0}


def _param(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def cannot_answer(ws: Workspace, backend: Backend, needed: set[str],
                  refs: Iterable[MeasureRef]) -> str | None:
    """None when the rollup can answer a scan needing ``needed`` source columns and ``refs``;
    otherwise the reason it cannot."""
    con = ws.warehouse.con
    if not _exists(con, ROLLUP_TABLE):
        return "no rollup built yet"
    meta = _meta(con)
    if meta.get("fingerprint") != _fingerprint(con):
        return "rollup is out of date with the cost table"
    have = set(json.loads(meta.get("columns", "[]"))) | set(VIRTUAL_FLAGS) | set(SUM_COLUMNS)
    for ref in refs:
        if ref.agg != "sum":
            return f"{ref.agg}({ref.column}) needs row-level data"
        if ref.column not in SUM_COLUMNS:
            return f"the rollup keeps no sum of {ref.column}"
    missing = sorted(needed - have)
    if missing:
        return "the rollup has no column " + ", ".join(missing)
    return None


def rollup_status(ws: Workspace) -> dict[str, Any]:
    con = ws.warehouse.con
    if not _exists(con, ROLLUP_TABLE):
        return {"exists": False}
    meta = _meta(con)
    count = con.execute(f"SELECT count(*) FROM {ROLLUP_TABLE}").fetchall()[0]
    return {
        "exists": True,
        "rows": count[0] if count else 0,
        "fresh": meta.get("fingerprint") == _fingerprint(con),
        "columns": json.loads(meta.get("columns", "[]")),
    }
