"""Refuse typed (Parquet) columns whose values cannot become FOCUS values, before any rule runs.

Why a separate check, ahead of validation and ingest: rules and the load convert typed columns
with ``CAST`` (exact, fast), and DuckDB stops the whole query at the first value it cannot
convert: a NaN, an infinity or 1e300 in a DOUBLE money column, 1e25 in a DECIMAL(38,0) (both
beyond DECIMAL(38,18)), a date column stored as INT64 or BOOLEAN. That surfaced as a
traceback from validate, ingest and ``--strict`` alike. Here each such column is named with its
row count and first row, using predicates that never convert to DECIMAL (``isnan``, ``abs``
as DOUBLE), and the file is refused by validate and ingest in the same words. Text columns
(every CSV column) are parsed with ``TRY_CAST`` elsewhere and never reach this check.
"""

from __future__ import annotations

import re

from costmark.errors import InputError, Located
from costmark.focus.columns import ColumnType
from costmark.focus.frame import Frame
from costmark.focus.reader import ROW_COLUMN

_FLOATS = ("DOUBLE", "FLOAT", "REAL")
_NUMBERS = (
    "DECIMAL",
    "HUGEINT",
    "UHUGEINT",
    "BIGINT",
    "UBIGINT",
    "INTEGER",
    "UINTEGER",
    "SMALLINT",
    "USMALLINT",
    "TINYINT",
    "UTINYINT",
    *_FLOATS,
)
_TEMPORAL = ("DATE", "TIMESTAMP")


def _may_exceed(kind: str) -> bool:
    """Whether a stored numeric type can hold 10^20 or more: DECIMAL(w, s) only with more than
    20 integer digits, BIGINT and smaller never; so the usual DECIMAL(38,18) costs no scan."""
    if m := re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", kind):
        return int(m[1]) - int(m[2]) > 20
    return kind.startswith(("HUGEINT", "UHUGEINT", *_FLOATS))


def _value_checks(f: Frame) -> list[tuple[str, str, str]]:
    """(column, predicate true on a bad value, what is wrong) for typed decimal columns."""
    checks: list[tuple[str, str, str]] = []
    for spec in f.spec.values():
        name = f.resolve(spec.name)
        if not name or f.is_text(name) or spec.type is not ColumnType.DECIMAL:
            continue
        col, kind = f.col(name), f.types[name].upper()
        if kind.startswith(_FLOATS):
            checks.append((name, f"(isnan({col}) OR isinf({col}))", "NaN or infinite"))
        if kind.startswith(_NUMBERS) and _may_exceed(kind):
            checks.append(
                (
                    name,
                    f"(isfinite(CAST({col} AS DOUBLE)) AND abs(CAST({col} AS DOUBLE)) >= 1e20)",
                    "of 10^20 or more (too large for DECIMAL(38,18), costmark's exact money)",
                )
            )
    return checks


def _type_problems(f: Frame) -> list[Located]:
    """Columns whose stored type cannot hold the FOCUS type at all."""
    problems: list[Located] = []
    for spec in f.spec.values():
        name = f.resolve(spec.name)
        if not name or f.is_text(name):
            continue
        kind = f.types[name].upper()
        if spec.type is ColumnType.DATETIME and not kind.startswith(_TEMPORAL):
            need = "a date/time (TIMESTAMP, DATE or RFC 3339 text)"
        elif spec.type is ColumnType.DECIMAL and not kind.startswith(_NUMBERS):
            need = "a decimal number"
        else:
            continue
        problems.append(Located(f"stored as {kind}; FOCUS needs {need}", file=f.file, column=name))
    return problems


def bad_value_sql(f: Frame) -> str | None:
    """One predicate, true on a row with any value :func:`typed_problems` would name (never
    null); None when no typed column needs a look at its values. Ingest evaluates it in the
    scan it makes anyway (rows and slices) and asks for the located detail only when a row
    is found, instead of scanning the file once more for a problem that is rarely there."""
    checks = _value_checks(f)
    if not checks:
        return None
    return "(" + " OR ".join(f"coalesce({pred}, false)" for _, pred, _ in checks) + ")"


def typed_problems(f: Frame, *, values: bool = True) -> list[Located]:
    """Every typed column of ``f`` that cannot be read as FOCUS, located (empty for CSV).
    ``values=False``: only what the column types tell, without reading any value."""
    problems = _type_problems(f)
    checks = _value_checks(f) if values else []
    if not checks or f.dry:
        return problems
    parts = []
    for _, pred, _ in checks:
        parts += [f"count_if({pred})", f"min({ROW_COLUMN}) FILTER (WHERE {pred})"]
    row = f.con.execute(f"SELECT {', '.join(parts)} FROM {f.relation}").fetchone()
    assert row is not None
    for i, (column, _, what) in enumerate(checks):
        count, first = row[2 * i], row[2 * i + 1]
        if count:
            problems.append(
                Located(f"{count} value(s) {what}", file=f.file, row=int(first), column=column)
            )
    return problems


def refuse_untyped(f: Frame, *, values: bool = True) -> None:
    """Raise a located :class:`InputError` when :func:`typed_problems` finds anything."""
    problems = typed_problems(f, values=values)
    if problems:
        raise InputError(
            f"{f.file}: typed columns hold values FOCUS cannot represent; nothing was read "
            "from this file",
            problems,
        )
