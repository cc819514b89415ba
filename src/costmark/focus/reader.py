"""Find FOCUS files and open them as DuckDB relations that remember where each row came from.

Why a relation and not a DataFrame: validation and ingest both run as SQL over the file, so a
1M-row CSV or a 10M-row Parquet is never pulled into Python. Every relation carries ``__row``,
the 1-based data row number, so each problem can name file, row and column.

CSV is read with every column as text (``NULL`` and empty mean null): parsing decimals and
timestamps ourselves is what lets the validator report *which* value failed instead of the
reader refusing the whole file. Parquet keeps its own types (no text round-trip on the fast
path); ``file_row_number`` gives the row.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from costmark.errors import InputError
from costmark.focus.columns import SUPPORTED_VERSIONS, detect_version
from costmark.focus.csvtext import duck_path, load_text_table, read_header

ROW_COLUMN = "__row"
#: In a relation over several files (:func:`open_parquet_group`): the 0-based position of the
#: row's file in the group.
FILE_COLUMN = "__file_index"
_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".parq", ".pq")
_counter = itertools.count(1)


def qident(name: str) -> str:
    """Quote an SQL identifier (any text, including quotes)."""
    return '"' + name.replace('"', '""') + '"'


def qstr(text: str) -> str:
    """Quote an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def file_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".parquet", ".parq", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    raise InputError(f"{path}: unsupported file type (expected .csv, .csv.gz or .parquet)")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files, folders (searched recursively for CSV, CSV.gz and Parquet) and glob patterns, in a
    stable order without duplicates. A path that matches nothing is an error, not a silent skip:
    an ingest that quietly read zero files looks like a successful one.

    A name that exists is that file or folder, even when it holds ``*``, ``?`` or ``[``; it is
    a pattern only when nothing has that name. A file reached twice (named and matched by a
    folder or pattern, or through a link) is read once: loading it twice would count its rows
    twice in one ingest."""
    found: list[Path] = []
    for raw in paths:
        text = str(raw)
        path = Path(text).expanduser()
        if path.is_dir():
            matches = sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES)
            )
            if not matches:
                raise InputError(f"{path}: folder holds no .csv, .csv.gz or .parquet files")
            found += matches
        elif path.is_file():
            file_kind(path)
            found.append(path)
        elif glob.has_magic(text):
            matches = sorted(
                Path(p)
                for p in glob.glob(str(path), recursive=True)
                if Path(p).is_file() and p.lower().endswith(_SUFFIXES)
            )
            if not matches:
                raise InputError(f"{text}: pattern matches no .csv, .csv.gz or .parquet files")
            found += matches
        else:
            raise InputError(f"{text}: no such file or folder")
    if not found:
        raise InputError("no input files given")
    return _unique_files(found)


def _unique_files(paths: Sequence[Path]) -> list[Path]:
    """``paths`` resolved, first occurrence kept, one entry per file on disk (device, inode)."""
    seen: set[tuple[int, int]] = set()
    out: list[Path] = []
    for path in dict.fromkeys(p.resolve() for p in paths):
        stat = path.stat()
        key = (stat.st_dev, stat.st_ino)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def clean_header(name: str) -> str:
    return name.replace("\ufeff", "").strip()


@dataclass
class SourceFile:
    """One input file: its cleaned column names, the original spellings, and the FOCUS version."""

    path: Path
    kind: str
    columns: list[str]
    original: dict[str, str] = field(default_factory=dict)
    version: str = "1.0"
    version_detected: bool = True

    @property
    def name(self) -> str:
        return str(self.path)


def _csv_header(path: Path) -> list[str]:
    return read_header(path)


def _parquet_header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({qstr(duck_path(path))})")
        return [r[0] for r in described.fetchall()]
    except duckdb.Error as exc:
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from exc


def read_source(
    con: duckdb.DuckDBPyConnection, path: Path, focus_version: str | None = None
) -> SourceFile:
    """Read the header of ``path`` (BOM and surrounding spaces stripped) and settle its version."""
    kind = file_kind(path)
    raw = _csv_header(path) if kind == "csv" else _parquet_header(con, path)
    columns: list[str] = []
    original: dict[str, str] = {}
    for i, name in enumerate(raw, start=1):
        clean = clean_header(name) or f"__unnamed_{i}"
        while clean in original:  # a duplicated header: keep both, the second renamed
            clean = f"{clean}__dup{i}"
        columns.append(clean)
        original[clean] = name
    if focus_version is not None and focus_version not in SUPPORTED_VERSIONS:
        raise InputError(
            f"unknown FOCUS version {focus_version!r}; supported: {', '.join(SUPPORTED_VERSIONS)}"
        )
    version = focus_version or detect_version(set(columns))
    return SourceFile(path, kind, columns, original, version, focus_version is None)


def open_relation(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    *,
    materialize: bool | None = None,
    columns: Sequence[str] | None = None,
) -> str:
    """Make ``src`` queryable and return the relation's (quoted) name.

    CSV becomes a temporary table (all text) whose ``rowid`` gives the data row number; Parquet
    becomes a view over ``read_parquet`` with ``file_row_number``. Callers drop it with
    :func:`close_relation`.
    """
    name = f"__src_{next(_counter)}"
    path = qstr(duck_path(src.path))
    if src.kind == "csv":
        # Only the columns asked for are kept: the parser skips storing the rest.
        kept = [c for c in src.columns if columns is None or c in set(columns)]
        keep = ", ".join(qident(c) for c in kept) or "NULL AS __none"
        load_text_table(con, src.path, name, src.columns, keep)
        selects = ", ".join([qident(c) for c in kept] + ["rowid + 1"])
        selects = selects.removesuffix(", rowid + 1")
        sep = ", " if selects else ""
        con.execute(
            f"CREATE TEMP VIEW {name}_v AS SELECT {selects}{sep}rowid + 1 AS {ROW_COLUMN} "
            f"FROM {name}"
        )
        return f"{name}_v"
    view = "TEMP VIEW" if not materialize else "TEMP TABLE"
    try:
        con.execute(f"CREATE {view} {name}_v AS {_parquet_select(src, path)}")
    except duckdb.Error as exc:
        raise InputError(f"{src.path}: cannot read Parquet: {exc}") from exc
    return f"{name}_v"


def open_parquet_group(con: duckdb.DuckDBPyConnection, srcs: Sequence[SourceFile]) -> str:
    """One view over several Parquet files with the same columns and physical types, with
    ``__row`` (the row in its own file) and ``__file_index`` (the file's position in
    ``srcs``).

    Why: ingest loads such parts in one scan; a UNION ALL of per-file scans made DuckDB's
    commit rewrite the rows it had just written (costmark.ingest.focus._one_scan_per_schema).
    DuckDB's ``file_index`` is hidden by a file column of that name: callers check."""
    name = f"__src_{next(_counter)}_v"
    listed = "[" + ", ".join(qstr(duck_path(s.path)) for s in srcs) + "]"
    try:
        con.execute(f"CREATE TEMP VIEW {name} AS "
                    f"{_parquet_select(srcs[0], listed, f'file_index AS {FILE_COLUMN}')}")
    except duckdb.Error as exc:
        raise InputError(f"{srcs[0].path}: cannot read Parquet: {exc}") from exc
    return name


def _parquet_select(src: SourceFile, files: str, *extra: str) -> str:
    """SELECT of ``src``'s columns under their cleaned names, plus ``__row`` (the 1-based row
    in its own file), from ``read_parquet(files)`` (one quoted path, or a list of them)."""
    selects = [f"{qident(src.original[c])} AS {qident(c)}" for c in src.columns]
    selects += [f"file_row_number + 1 AS {ROW_COLUMN}", *extra]
    return (f"SELECT {', '.join(selects)} "
            f"FROM read_parquet({files}, file_row_number=true, binary_as_string=true)")


def close_relation(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    base = relation.removesuffix("_v")
    for stmt in (
        f"DROP VIEW IF EXISTS {relation}",
        f"DROP TABLE IF EXISTS {relation}",
        f"DROP TABLE IF EXISTS {base}",
    ):
        with contextlib.suppress(duckdb.Error):
            con.execute(stmt)


def column_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return {r[0]: str(r[1]) for r in rows}


def sources(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    focus_version: str | None = None,
) -> list[SourceFile]:
    return [read_source(con, p, focus_version) for p in expand_paths(paths)]
