"""Read a CSV file's text exactly, or refuse it with the line that is wrong.

Why strict: a lenient CSV reader "recovers" from a malformed line by guessing, and every guess
we met corrupted data without a word: a bare CR in a CRLF file made the next row lose its first
character ("AWS" read as "WS"), an unbalanced quote folded the rest of the file into one field,
extra fields were dropped. A bill is either read exactly or not at all, so DuckDB's reader runs
in strict (RFC 4180) mode and a file it cannot read is refused with located problems
(file, line, column). Validation and ingest share this code, so they agree on every file.

Quoted fields may span lines (parallel reading stays on: no ``null_padding``, which DuckDB
cannot combine with quoted newlines). Files with LF, CRLF or CR-only line endings all load; a
file that mixes them is refused, naming the first line whose ending differs.

The happy path costs nothing extra: the located diagnosis (a second read that collects DuckDB's
rejects, or a byte scan for line endings) only runs after the fast read failed.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import duckdb

from costmark.errors import InputError, Located

#: The header is read by Python's csv module; a column name may be long (up to this many
#: characters) without the module's 128 KB field limit turning it into a traceback.
HEADER_LIMIT = 16 * 1024 * 1024
#: Problems listed when a file is refused (the count says how many there are in all).
SHOWN = 10
_ENDINGS = {b"\r\n": "CRLF", b"\n": "LF", b"\r": "CR"}
_counter = itertools.count(1)


def duck_path(path: Path) -> str:
    """``path`` as DuckDB must see it to read exactly that file: DuckDB expands ``*``, ``?``
    and ``[`` in file names as a glob, so a file named ``star*.csv`` would also read its
    sibling ``starX.csv``. Each such character is escaped as a one-character class."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in str(path))


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_header(path: Path) -> list[str]:
    """The header row's fields, read the way DuckDB reads the data (any line ending, quoted
    fields may hold commas or newlines). Errors are :class:`InputError` naming the file."""
    if csv.field_size_limit() < HEADER_LIMIT:
        csv.field_size_limit(HEADER_LIMIT)
    try:
        with _open_binary(path) as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
            row = next(csv.reader(text), None)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except csv.Error as exc:  # e.g. a field over HEADER_LIMIT characters
        raise InputError(
            f"{path}: cannot read the header row: {exc}",
            [Located(f"header row is not usable CSV: {exc}", file=str(path), line=1)],
        ) from exc
    if not row or not any(field.strip() for field in row):
        raise InputError(f"{path}: empty file (no header row)")
    return row


def reader_sql(path: Path, columns: Sequence[str], *, padded: bool = False, extra: str = "") -> str:
    """``read_csv`` of ``path`` with every column as text (NULL and empty mean null), strict.

    ``padded`` reads rows with fewer fields than the header (trailing fields left out, as some
    exporters write them) with nulls in the missing columns; DuckDB can do that only serially
    when a quoted field spans lines, so it is the fallback, not the default."""
    padding = "null_padding=true, parallel=false" if padded else "null_padding=false"
    cols = ", ".join(f"{_sql_text(c)}: 'VARCHAR'" for c in columns)
    return (
        f"read_csv({_sql_text(duck_path(path))}, header=true, auto_detect=false, "
        f"columns={{{cols}}}, delim=',', quote='\"', escape='\"', nullstr=['NULL', ''], "
        f"strict_mode=true, {padding}{extra})"
    )


def load_text_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    columns: Sequence[str],
    keep: str,
) -> None:
    """``CREATE TEMP TABLE table AS SELECT keep FROM`` the CSV, or raise a located
    :class:`InputError` saying which lines are malformed and why."""
    create = f"CREATE TEMP TABLE {table} AS SELECT {keep} FROM "
    try:
        con.execute(create + reader_sql(path, columns))
        return
    except duckdb.Error:
        pass  # maybe only short rows: read again with them padded, before blaming the file
    try:
        con.execute(create + reader_sql(path, columns, padded=True))
    except duckdb.Error as exc:
        raise diagnose(con, path, columns, exc) from exc


def diagnose(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    columns: Sequence[str],
    exc: duckdb.Error,
) -> InputError:
    """Why the strict read failed, located: DuckDB's rejects (line, column, kind) when its
    parser can name them, else the first line whose ending differs from the header's."""
    problems = _rejects(con, path, columns)
    if problems is None:
        problems = _line_ending_problem(path)
    if not problems:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return InputError(
            f"{path}: cannot read as CSV: {first}",
            [Located(f"not readable as CSV: {first}", file=str(path))],
        )
    lines = sorted({p.line for p in problems if p.line is not None})
    return InputError(
        f"{path}: not a well-formed CSV file ({len(lines) or len(problems)} malformed line(s)); "
        "nothing was read from it",
        problems[:SHOWN],
    )


def _describe(kind: str, message: str, expected: int) -> str:
    found = re.search(r"Found:\s*(\d+)", message)
    if kind == "TOO MANY COLUMNS":
        return f"more fields than the header's {expected} (extra fields would be lost)"
    if kind == "MISSING COLUMNS":
        count = f" ({found.group(1)})" if found else ""
        return f"fewer fields{count} than the header's {expected}"
    if kind == "UNQUOTED VALUE":
        return "unbalanced quote: a quoted field is not closed before the next field or line"
    if kind == "INVALID ENCODING" or kind == "INVALID UNICODE":
        return "not valid UTF-8 text"
    if kind == "LINE SIZE OVER MAXIMUM":
        return "line too long for the CSV reader (over 2 MB)"
    return message.strip().splitlines()[0] if message.strip() else kind.lower()


def _rejects(
    con: duckdb.DuckDBPyConnection, path: Path, columns: Sequence[str]
) -> list[Located] | None:
    """Read again collecting DuckDB's rejected lines; None when the parser gives up without
    saying where (it does for line endings)."""
    n = next(_counter)
    table, scan = f"__csv_rejects_{n}", f"__csv_rejects_scan_{n}"
    extra = f", store_rejects=true, rejects_table='{table}', rejects_scan='{scan}'"
    try:
        con.execute(
            f"SELECT count(*) FROM {reader_sql(path, columns, padded=True, extra=extra)}"
        ).fetchall()
        rows = con.execute(
            f"SELECT line, column_name, error_type, error_message FROM {table} "
            "ORDER BY line, column_idx"
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        for name in (table, scan):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS {name}")
    problems: list[Located] = []
    seen: set[int] = set()
    for line, column, kind, message in rows:
        if line in seen:
            continue  # one problem per line: the first names the cause
        seen.add(line)
        problems.append(
            Located(
                _describe(str(kind), str(message or ""), len(columns)),
                file=str(path),
                line=int(line),
                column=str(column) if column else None,
            )
        )
    return problems


def _line_ending_problem(path: Path) -> list[Located]:
    """The first line (outside quoted fields) whose ending differs from the header's."""
    try:
        with _open_binary(path) as fh:
            data = fh.read()
    except (OSError, EOFError):
        return []
    expected: bytes | None = None
    in_quote = False
    line = 1
    for m in re.finditer(rb'"|\r\n|\r|\n', data):
        token = m.group()
        if token == b'"':
            in_quote = not in_quote
            continue
        if in_quote:
            line += 1
            continue
        if expected is None:
            expected = token
        elif token != expected:
            found = _ENDINGS[token]
            detail = "a bare carriage return (CR)" if token == b"\r" else f"a {found} line ending"
            return [
                Located(
                    f"{detail} where this file's lines end with {_ENDINGS[expected]} "
                    "(mixed line endings; quote the field or use one line ending)",
                    file=str(path),
                    line=line,
                )
            ]
        line += 1
    return []
