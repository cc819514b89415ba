"""A source file opened in DuckDB, with the SQL expressions that parse its values.

Validation and ingest must agree on what "parses" means (a value the validator accepts must
load, a value it rejects must be quarantined), so both build their SQL from these helpers.
Text columns (every CSV column) are parsed with ``TRY_CAST``; typed Parquet columns are used as
they are, so the Parquet fast path never round-trips through text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from costmark.focus.columns import ColumnSpec, ColumnType, column_map
from costmark.focus.limits import DateBounds
from costmark.focus.reader import ROW_COLUMN, SourceFile, qident
from costmark.focus.schema import MONEY_TYPE

_NUMERIC = (
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
    "REAL",
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
    "UHUGEINT",
)


def parse_timestamp_sql(col: str) -> str:
    """Text -> naive UTC TIMESTAMP, NULL when it does not parse.

    Every offset RFC 3339 / FOCUS allows (``Z``, ``+05``, ``+0530``, ``+05:30``, ``-08:00``)
    and zone names are converted to UTC by the TIMESTAMPTZ parser (the session time zone is
    UTC, so a value without any zone is taken as UTC). Only values that cannot carry an offset
    take the faster plain TIMESTAMP parser: ``...Z`` and a bare ``YYYY-MM-DD``, both without a
    ``+``. The plain parser must never see an offset or zone: it silently drops them
    (``2026-05-01 05:00+05`` became 05:00 UTC when the length of the text chose the parser)."""
    return (
        f"CASE WHEN (right({col}, 1) = 'Z' OR length({col}) = 10) AND strpos({col}, '+') = 0 "
        f"THEN TRY_CAST({col} AS TIMESTAMP) "
        f"ELSE CAST(TRY_CAST({col} AS TIMESTAMPTZ) AS TIMESTAMP) END"
    )


@dataclass
class Frame:
    """One opened source: connection, relation name, column types and the FOCUS version."""

    con: duckdb.DuckDBPyConnection
    source: SourceFile
    relation: str
    types: dict[str, str]
    #: column -> name of a column of ``relation`` holding its parsed value (see
    #: :func:`with_parsed`), so rules that look at a value several times parse it once
    parsed: dict[str, str] = field(default_factory=dict)
    #: a dry frame has no data: rules only declare what they would check
    dry: bool = False
    #: plausible dates (rule ``date_range``, quarantine reason at ingest)
    dates: DateBounds = field(default_factory=DateBounds)

    @property
    def version(self) -> str:
        return self.source.version

    @property
    def file(self) -> str:
        return self.source.name

    @property
    def columns(self) -> list[str]:
        return self.source.columns

    @property
    def spec(self) -> dict[str, ColumnSpec]:
        return column_map(self.version)

    def has(self, name: str) -> bool:
        return name in self.types and name != ROW_COLUMN

    def resolve(self, name: str) -> str | None:
        """The file's column carrying FOCUS column ``name``: itself, else its FOCUS 0.5 name."""
        from costmark.focus.values import LEGACY_NAMES

        if self.has(name):
            return name
        for old, new in LEGACY_NAMES.items():
            if new == name and self.has(old):
                return old
        return None

    def col(self, name: str) -> str:
        return qident(name)

    def is_text(self, name: str) -> bool:
        return self.types.get(name, "VARCHAR").upper() == "VARCHAR"

    # -- typed views of a column -------------------------------------------------------
    def text(self, name: str) -> str:
        """The column as text (NULL when absent)."""
        if not self.has(name):
            return "CAST(NULL AS VARCHAR)"
        if self.is_text(name):
            return self.col(name)
        return f"CAST({self.col(name)} AS VARCHAR)"

    def decimal(self, name: str) -> str:
        """The column as exact DECIMAL(38,18); NULL when absent or unparseable."""
        if not self.has(name):
            return f"CAST(NULL AS {MONEY_TYPE})"
        if name in self.parsed:
            return qident(self.parsed[name])
        t = self.types[name].upper()
        if t.startswith(_NUMERIC):
            return f"CAST({self.col(name)} AS {MONEY_TYPE})"
        return f"TRY_CAST({self.col(name)} AS {MONEY_TYPE})"

    def timestamp(self, name: str) -> str:
        """The column as naive UTC TIMESTAMP (offsets converted); NULL when absent/unparseable.

        Needs the connection's TimeZone set to UTC (see :func:`prepare_connection`)."""
        if not self.has(name):
            return "CAST(NULL AS TIMESTAMP)"
        if name in self.parsed:
            return qident(self.parsed[name])
        t = self.types[name].upper()
        if t == "TIMESTAMP":
            return self.col(name)
        if t == "DATE" or t.startswith("TIMESTAMP"):
            return f"CAST({self.col(name)} AS TIMESTAMP)"
        return parse_timestamp_sql(self.col(name))

    def parse_fails(self, name: str, spec: ColumnSpec) -> str | None:
        """SQL that is true where a present, non-null value does not parse as ``spec.type``;
        None when the column's physical type already guarantees it does."""
        if not self.has(name):
            return None
        col = self.col(name)
        t = self.types[name].upper()
        if spec.type is ColumnType.DECIMAL:
            if t.startswith(_NUMERIC):
                if t in ("DOUBLE", "FLOAT", "REAL"):
                    return f"(isnan({col}) OR isinf({col}))"
                return None
            return f"({col} IS NOT NULL AND {self.decimal(name)} IS NULL)"
        if spec.type is ColumnType.DATETIME:
            if t == "DATE" or t.startswith("TIMESTAMP"):
                return None
            return f"({col} IS NOT NULL AND {self.timestamp(name)} IS NULL)"
        if spec.type is ColumnType.JSON:
            if t == "JSON":
                return None
            text = self.text(name)
            return f"({text} IS NOT NULL AND NOT coalesce(json_valid({text}), false))"
        return None


def with_parsed(frame: Frame) -> Frame:
    """The same frame over a view that parses every text decimal and date/time column once.

    Why: several rules read the same timestamps (type, period order, billing period); parsing
    in one projection below the checks makes each value parsed once per scan."""
    extra: dict[str, str] = {}
    selects: list[str] = []
    for spec in frame.spec.values():
        name = frame.resolve(spec.name)
        if not name or not frame.is_text(name) or name in extra:
            continue
        if spec.type is ColumnType.DECIMAL:
            alias = f"__dec_{name}"
            selects.append(f"TRY_CAST({qident(name)} AS {MONEY_TYPE}) AS {qident(alias)}")
        elif spec.type is ColumnType.DATETIME:
            alias = f"__ts_{name}"
            selects.append(f"{parse_timestamp_sql(qident(name))} AS {qident(alias)}")
        else:
            continue
        extra[name] = alias
    if not extra:
        return frame
    view = frame.relation + "_p"
    frame.con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT *, {', '.join(selects)} "
        f"FROM {frame.relation}"
    )
    return Frame(frame.con, frame.source, view, frame.types, extra, dates=frame.dates)


def prepare_connection(con: duckdb.DuckDBPyConnection) -> None:
    """Timestamps with offsets become UTC only when the session time zone is UTC."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")


def open_frame(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    *,
    materialize: bool | None = None,
    columns: list[str] | None = None,
) -> Frame:
    from costmark.focus.reader import column_types, open_relation

    prepare_connection(con)
    relation = open_relation(con, src, materialize=materialize, columns=columns)
    return Frame(con, src, relation, column_types(con, relation))
