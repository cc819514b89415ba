"""The canonical cost table: every FOCUS version normalised into one shape.

Columns are the FOCUS 1.2 set plus the 1.3 and 1.4 additions (ProviderName kept although 1.4
drops it: it is the slice key, filled from ServiceProviderName), typed for exact money
arithmetic, then lineage columns and one column per configured allocation tag key
(``tag_<key>``), materialised at load because parsing JSON tags in every query is the slowest
part of every query we measured.
"""

from __future__ import annotations

import re

from costmark.focus.columns import FOCUS_14_ADDITIONS, ColumnSpec, ColumnType, columns

#: Exact decimal for money and quantities: 38 digits, 18 after the point. Provider exports carry
#: at most ~16 decimals, and 20 integer digits hold any bill.
MONEY_TYPE = "DECIMAL(38, 18)"

_DUCK_TYPES = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.DECIMAL: MONEY_TYPE,
    ColumnType.DATETIME: "TIMESTAMP",
    ColumnType.JSON: "VARCHAR",
}

#: Lineage: which ingest wrote the row, from which file and which data row (1-based).
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("x_IngestId", "VARCHAR"),
    ("x_SourceFile", "VARCHAR"),
    ("x_SourceRow", "BIGINT"),
)

#: The slice a load replaces: a restated bill replaces every row of its (provider, account,
#: billing period), never adds to them.
SLICE_COLUMNS: tuple[str, ...] = ("ProviderName", "BillingAccountId", "BillingPeriodStart")

COST_TABLE = "costs"


def canonical_columns() -> tuple[ColumnSpec, ...]:
    """FOCUS columns of the canonical table, in a stable order (1.3 = 1.2 + additions, then
    the 1.4 additions)."""
    return columns("1.3") + FOCUS_14_ADDITIONS


def duck_type(spec: ColumnSpec) -> str:
    return _DUCK_TYPES[spec.type]


def tag_column(key: str) -> str:
    """Column name that holds the materialised value of tag ``key``: one column per key
    whatever its case or surrounding spaces (``Owner`` and `` owner`` are one tag, and DuckDB
    column names ignore case anyway), so the name is lower case."""
    safe = re.sub(r"[^0-9A-Za-z_]", "_", key.strip())
    return f"tag_{safe}".lower()


def create_cost_table_sql(tag_keys: tuple[str, ...] = ()) -> str:
    cols = [f'"{c.name}" {duck_type(c)}' for c in canonical_columns()]
    cols += [f'"{name}" {typ}' for name, typ in LINEAGE_COLUMNS]
    cols += [f'"{tag_column(k)}" VARCHAR' for k in tag_keys]
    return f"CREATE TABLE IF NOT EXISTS {COST_TABLE} (\n  " + ",\n  ".join(cols) + "\n)"
