"""A comparable picture of a whole warehouse: every table's columns and rows, and the rollups'
state as queries see it. Two pictures are equal exactly when nothing a query could read
changed (the file's bytes are no test: DuckDB rewrites blocks on checkpoints)."""

from __future__ import annotations

from typing import Any

from costmark.engine import rollups


def tables(con: Any) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND NOT temporary ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def snapshot(ws: Any, *, skip_failed_log: bool = False) -> dict[str, Any]:
    """Every table (columns with types, rows sorted) plus the rollup state and data version.

    ``skip_failed_log``: leave out ingest-log rows of failed loads, the one trace a failed
    load keeps on purpose (the audit of what was tried)."""
    con = ws.warehouse.con
    picture: dict[str, Any] = {}
    for table in tables(con):
        cols = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
            "AND schema_name = 'main' ORDER BY column_index",
            [table],
        ).fetchall()
        where = " WHERE status <> 'failed'" if skip_failed_log and table == "ingest_log" else ""
        rows = con.execute(f'SELECT * FROM "{table}"{where}').fetchall()
        picture[table] = (cols, sorted(rows, key=repr))
    picture["#rollup_state"] = rollups.state(con)
    picture["#rollup_status"] = ws.rollup_status()
    picture["#data_version"] = ws.data_version()
    return picture


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names of the parts that differ (for a readable assertion message)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
