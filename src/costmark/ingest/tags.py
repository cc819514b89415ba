"""Materialised tag columns: ``tag_<key>`` holds ``Tags[key]`` so queries never parse JSON.

Ingest fills them at load. When costmark.yaml gains a key later, :func:`ensure_tag_columns`
adds the column and backfills it from the stored ``Tags`` in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costmark.focus.reader import qident, qstr
from costmark.focus.schema import COST_TABLE, tag_column
from costmark.store import Warehouse


def json_member_path(key: str) -> str:
    """A JSON path selecting member ``key`` exactly, whatever characters it has."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tag_extract_sql(tags_sql: str, key: str) -> str:
    """A tag's value from stored Tags; null where Tags is not a JSON object (ingest keeps
    such text as it came)."""
    return (
        f"CASE WHEN json_valid({tags_sql}) AND starts_with(ltrim({tags_sql}), '{{') "
        f"THEN json_extract_string({tags_sql}, {qstr(json_member_path(key))}) END"
    )


def ensure_tag_columns(target: Any, tag_keys: Sequence[str] | None = None) -> list[str]:
    """Add (and backfill) a ``tag_<key>`` column for each key; return the columns added.

    ``target`` is a Workspace (keys default to ``project.materialized_tag_keys``) or a
    Warehouse with explicit ``tag_keys``."""
    if isinstance(target, Warehouse):
        wh = target
        keys = tuple(tag_keys or ())
    else:
        wh = target.warehouse
        keys = tuple(tag_keys if tag_keys is not None else target.project.materialized_tag_keys)
    existing = set(wh.table_columns(COST_TABLE))
    added: list[str] = []
    pending = [(k, tag_column(k)) for k in keys if tag_column(k) not in existing]
    if not pending:
        return added
    with wh.transaction() as con:
        for key, col in pending:
            if col in added:
                continue
            con.execute(f"ALTER TABLE {COST_TABLE} ADD COLUMN {qident(col)} VARCHAR")
            con.execute(
                f"UPDATE {COST_TABLE} SET {qident(col)} = {tag_extract_sql(qident('Tags'), key)} "
                'WHERE "Tags" IS NOT NULL'
            )
            added.append(col)
    return added
