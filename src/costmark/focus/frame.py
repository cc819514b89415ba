"""A source file opened in DuckDB, with the SQL expressions that parse its values.

Validation and ingest must agree on what "parses" means (a value the validator accepts must
load, a value it rejects must be quarantined), so both build their SQL from these helpers.
Text columns (every CSV column) are parsed with ``TRY_CAST``; typed Parquet columns are used as
they are, so the Parquet fast path never round-trips through text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from costmark.focus.columns import ColumnSpec, ColumnType, column_map
from costmark.focus.limits import MAX_MAGNITUDE, DateBounds, too_large_sql
from costmark.focus.reader import FILE_COLUMN, ROW_COLUMN, SourceFile, qident
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
#: Integer and decimal types whose every value fits DECIMAL(38,18) (at most 20 integer digits).
_FITS_MONEY = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
_FLOATS = ("DOUBLE", "FLOAT", "REAL")
#: Nested types a JSON column (Tags, SkuPriceDetails) may be written as.
_NESTED = ("MAP(", "STRUCT(")


def _fits_money(physical: str) -> bool:
    """True when every value of ``physical`` casts to DECIMAL(38,18) without overflow."""
    if physical in _FITS_MONEY:
        return True
    found = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", physical)
    return found is not None and int(found[1]) - int(found[2]) <= 20


def _is_temporal(physical: str) -> bool:
    return physical == "DATE" or physical.startswith("TIMESTAMP")


def exact_double_sql(col: str) -> str:
    """DOUBLE -> DECIMAL(38,18) as the shortest decimal text that reads back as the same double
    (what a CSV export of the value says: 14.976514, not its binary expansion
    14.976513999999998...); NULL for NaN, infinities and values beyond DECIMAL(38,18).

    Why not ``CAST(x AS DECIMAL)``: DuckDB multiplies in floating point, which turns 114764.48
    into 114764.480000000002097152. Why not always ``CAST(CAST(x AS VARCHAR) AS DECIMAL)``:
    that text round-trip is ~10x slower than arithmetic, and money columns are most of a file.

    The arithmetic: a decimal ``D = n * 10^-k`` with at most 15 significant digits is the only
    such decimal that reads as the double ``x`` (any 15-digit decimal survives a trip through a
    double), so when ``n = round(x * 10^k)`` and ``n / 10^k = x`` (both exact IEEE operations:
    ``n`` and ``10^k`` are exact doubles and division is correctly rounded, exactly as a decimal
    parser rounds), ``D`` is the shortest round-trip text of ``x``, padded with zeros. ``k`` is
    chosen from the magnitude so ``|n| < 10^15``: first the common cases (below 1000 with up
    to 12 decimals, below a million with up to 9), then one decade at a time. Values that need
    16-17 digits (sums computed in floating point, e.g. 0.30000000000000004) take the text
    route. Checked equal to the text route on 400k random doubles (tests/focus/test_frame_types).

    Each branch names ``x * 10^k`` once, so DuckDB's common-subexpression pass has nothing to
    hoist out of the CASE (it would then compute every branch for every row). TRY_CAST because
    DuckDB's statistics (which leave NaN out) can fold a guard to true for a NaN row."""
    ax = f"abs({col})"

    def exact(k: int) -> str:
        # DuckDB's CAST(x AS DECIMAL(18,k)) is round(x * 10^k) as an integer: exactly n
        return f"CAST(TRY_CAST({col} AS DECIMAL(18,{k})) AS {MONEY_TYPE})"

    def round_trips(k: int) -> str:
        return f"round({col} * 1e{k}) / 1e{k} = {col}"

    def scaled(k: int) -> str:
        return f"CASE WHEN {round_trips(k)} THEN {exact(k)} END"

    def common(bound: str, k: int) -> str:
        return f"WHEN {ax} < {bound} AND {round_trips(k)} THEN {exact(k)}"

    decades = " ".join(f"WHEN {ax} < 1e{15 - k} THEN {scaled(k)}" for k in range(18, -1, -1))
    # One CASE (not a coalesce of several): each row leaves at its first true branch, and a
    # null is settled by the third test instead of running through every decade.
    return (
        f"CASE {common('1e3', 12)} {common('1e6', 9)} WHEN {col} IS NULL THEN NULL "
        f"ELSE coalesce(CASE {decades} END, TRY_CAST(CAST({col} AS VARCHAR) AS {MONEY_TYPE})) END"
    )


def nested_json_sql(col: str) -> str:
    """A MAP or STRUCT column (Tags written by Spark or pyarrow) as JSON object text, null
    entries left out: a key whose value is null is a tag the row does not have, as in the CSV."""
    entries = f"map_entries(json_transform(to_json({col}), '\"MAP(VARCHAR, JSON)\"'))"
    kept = f"list_filter({entries}, lambda e: e.value IS NOT NULL AND e.value::VARCHAR <> 'null')"
    return f"CAST(to_json(map_from_entries({kept})) AS VARCHAR)"


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
        return name in self.types and name not in (ROW_COLUMN, FILE_COLUMN)

    def resolve(self, name: str) -> str | None:
        """The file's column carrying FOCUS column ``name``: itself, else its FOCUS 0.5 name
        or its working-draft name (values.DRAFT_NAMES)."""
        from costmark.focus.values import DRAFT_NAMES, LEGACY_NAMES

        if self.has(name):
            return name
        for old, new in (*LEGACY_NAMES.items(), *DRAFT_NAMES.items()):
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
        if self.physical(name).startswith(_NESTED):
            return nested_json_sql(self.col(name))
        return f"CAST({self.col(name)} AS VARCHAR)"

    def physical(self, name: str) -> str:
        """The column's DuckDB type, upper case ('DOUBLE', 'DECIMAL(38,18)', 'MAP(...)')."""
        return self.types.get(name, "VARCHAR").upper()

    def _text_value(self, name: str) -> str:
        """A text column for parsing: in Parquet the literal text 'NULL' means null, as the
        CSV reader already reads it (FOCUS exports write null that way)."""
        col = self.col(name)
        if self.source.kind == "csv" or not self.is_text(name):
            return col
        return f"NULLIF({col}, 'NULL')"

    def decimal(self, name: str) -> str:
        """The column as exact DECIMAL(38,18); NULL when absent or unparseable."""
        if not self.has(name):
            return f"CAST(NULL AS {MONEY_TYPE})"
        if name in self.parsed:
            return qident(self.parsed[name])
        if not self.is_text(name):
            return self._typed_decimal(name)
        return f"TRY_CAST({self._text_value(name)} AS {MONEY_TYPE})"

    def _typed_decimal(self, name: str) -> str:
        """A non-text column as DECIMAL(38,18), exactly: integers and decimals by cast (TRY_CAST
        where a value could overflow), DOUBLE by its shortest round-trip decimal, FLOAT by its
        own shortest text (0.1 as FLOAT is 0.1, not 0.100000001490116), anything else via text.
        """
        col, t = self.col(name), self.physical(name)
        if _fits_money(t):
            return f"CAST({col} AS {MONEY_TYPE})"
        if t == "DOUBLE":
            return exact_double_sql(col)
        if t.startswith(_NUMERIC) and t not in _FLOATS:
            return f"TRY_CAST({col} AS {MONEY_TYPE})"
        return f"TRY_CAST(CAST({col} AS VARCHAR) AS {MONEY_TYPE})"

    def too_large(self, name: str) -> str:
        """SQL true where the column's value as money has a magnitude of 10^15 or more (the
        ``amount_range`` bound, focus/limits.py); null or false elsewhere.

        A DOUBLE column is compared as the double, not as its exact decimal: 10^15 is an exact
        double and rounding is monotonic, so the shortest round-trip decimal of ``x`` reaches
        10^15 exactly when ``x`` does. That spares the decimal conversion in the quarantine
        predicate, which ingest evaluates on every row of every money column."""
        if self.has(name) and name not in self.parsed and self.physical(name) == "DOUBLE":
            col = self.col(name)
            return f"(isfinite({col}) AND abs({col}) >= {float(MAX_MAGNITUDE)!r})"
        return too_large_sql(self.decimal(name))

    def timestamp(self, name: str) -> str:
        """The column as naive UTC TIMESTAMP (offsets converted); NULL when absent/unparseable.

        Needs the connection's TimeZone set to UTC (see :func:`prepare_connection`)."""
        if not self.has(name):
            return "CAST(NULL AS TIMESTAMP)"
        if name in self.parsed:
            return qident(self.parsed[name])
        t = self.physical(name)
        if t == "TIMESTAMP":
            return self.col(name)
        if t == "TIMESTAMP WITH TIME ZONE":
            # the same instant as naive UTC: both count microseconds since 1970 UTC, so this
            # is exact and ~25x cheaper than CAST(.. AS TIMESTAMP), which goes through ICU
            return f"make_timestamp(epoch_us({self.col(name)}))"
        if _is_temporal(t):  # DATE (its midnight), TIMESTAMP_NS/_MS/_S
            return f"CAST({self.col(name)} AS TIMESTAMP)"
        if not self.is_text(name):
            return parse_timestamp_sql(self.text(name))
        return parse_timestamp_sql(self._text_value(name))

    def parse_fails(self, name: str, spec: ColumnSpec) -> str | None:
        """SQL that is true where a present, non-null value does not parse as ``spec.type``;
        None when the column's physical type already guarantees it does."""
        if not self.has(name):
            return None
        if not self.is_text(name):
            return self._typed_parse_fails(name, spec)
        col = self._text_value(name)
        if spec.type is ColumnType.DECIMAL:
            return f"({col} IS NOT NULL AND {self.decimal(name)} IS NULL)"
        if spec.type is ColumnType.DATETIME:
            return f"({col} IS NOT NULL AND {self.timestamp(name)} IS NULL)"
        if spec.type is ColumnType.JSON:
            text = self.text(name)
            return f"({text} IS NOT NULL AND NOT coalesce(json_valid({text}), false))"
        return None

    def _typed_parse_fails(self, name: str, spec: ColumnSpec) -> str | None:
        """``parse_fails`` for a typed (non-text) column: only values the type can hold but
        FOCUS cannot (NaN, infinities, money beyond DECIMAL(38,18)). Always false, never null,
        on a null value: a null is a missing value, not an unparseable one."""
        col, t = self.col(name), self.physical(name)
        if spec.type is ColumnType.DECIMAL:
            if _fits_money(t):
                return None
            if t in _FLOATS:
                # isfinite, not isnan or a comparison: Parquet statistics leave NaN out, and
                # DuckDB's statistics propagation then folds isnan(x) and x < c to constants
                return f"({col} IS NOT NULL AND (NOT isfinite({col}) OR abs({col}) >= 1e20))"
            return f"({col} IS NOT NULL AND {self.decimal(name)} IS NULL)"
        if spec.type is ColumnType.DATETIME:
            if _is_temporal(t):
                return None
            return f"({col} IS NOT NULL AND {self.timestamp(name)} IS NULL)"
        if spec.type is ColumnType.JSON:
            if t == "JSON" or t.startswith(_NESTED):
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
