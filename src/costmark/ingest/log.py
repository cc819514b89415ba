"""Read the ingest log and the quarantine: what was loaded, when, and what was set aside."""

from __future__ import annotations

import json
from typing import Any

from costmark.store import Warehouse


def _row_dicts(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def ingest_log(wh: Warehouse, *, limit: int | None = None, kind: str | None = None) -> list[dict]:
    """Newest first. ``billing_periods`` and ``totals`` come back as Python values."""
    sql = "SELECT * FROM ingest_log"
    params: list[Any] = []
    if kind:
        sql += " WHERE kind = ?"
        params.append(kind)
    sql += " ORDER BY started_at DESC, ingest_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = _row_dicts(wh.con.execute(sql, params))
    for row in rows:
        for key in ("billing_periods", "totals"):
            if isinstance(row.get(key), str):
                row[key] = json.loads(row[key])
    return rows


def quarantine_rows(
    wh: Warehouse, *, limit: int | None = 100, ingest_id: str | None = None
) -> list[dict]:
    """Quarantined rows with their reasons and the raw record (both parsed from JSON)."""
    sql = "SELECT ingest_id, source_file, source_row, reasons, record FROM quarantine"
    params: list[Any] = []
    if ingest_id:
        sql += " WHERE ingest_id = ?"
        params.append(ingest_id)
    sql += " ORDER BY source_file, source_row"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = _row_dicts(wh.con.execute(sql, params))
    for row in rows:
        row["reasons"] = json.loads(row["reasons"])
        row["record"] = json.loads(row["record"])
    return rows
