"""Load FOCUS 1.3/1.4 datasets other than Cost and Usage into their own tables.

Same guarantees as cost rows (see :mod:`costmark.ingest.focus`): one transaction for the whole
load; every slice the load holds (``DatasetSpec.slice_key``) is replaced, so loading a file twice
changes nothing and a restated file replaces what it restates; a row whose money or date does
not parse, or that lacks a key column, is quarantined with its reasons and raw record; every row
keeps ``x_IngestId``, ``x_SourceFile`` and ``x_SourceRow``. Softer rule breaks (an unknown
status, a duplicated id) load and are reported by ``costmark validate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from costmark.errors import InputError, Located, ValidationFailed
from costmark.focus.dataset_checks import check_dataset, exprs_and_checks, missing_columns
from costmark.focus.datasets import DatasetSpec, dataset_version
from costmark.focus.reader import (
    ROW_COLUMN,
    SourceFile,
    close_relation,
    column_types,
    open_relation,
    qident,
    qstr,
)
from costmark.store import Warehouse

LINEAGE = ("x_IngestId", "x_SourceFile", "x_SourceRow")


@dataclass
class DatasetFileResult:
    file: str
    ingest_id: str
    dataset: str
    focus_version: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_replaced: int = 0
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def ingest_dataset_files(
    wh: Warehouse,
    srcs: Sequence[tuple[SourceFile, DatasetSpec]],
    *,
    strict: bool = False,
) -> list[DatasetFileResult]:
    """Load dataset files in one transaction (see the module docstring)."""
    con = wh.con
    load_id = uuid.uuid4().hex[:12]
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    results: list[DatasetFileResult] = []
    staged: list[tuple[DatasetSpec, DatasetFileResult, str]] = []
    try:
        # Read, parse and check every file first (temp tables only: the warehouse is untouched
        # until all files are known good enough), then write everything in one transaction.
        for i, (src, spec) in enumerate(srcs, start=1):
            result = DatasetFileResult(
                src.name, f"{load_id}-d{i}", spec.name,
                dataset_version(spec, set(src.columns)),
                sha256=hashlib.sha256(Path(src.path).read_bytes()).hexdigest(),
            )  # fmt: skip
            results.append(result)
            staged.append((spec, result, _stage(con, src, spec, result, strict, f"__ds_rows_{i}")))
        con.execute("BEGIN TRANSACTION")
        try:
            for spec, result, table in staged:
                _write(con, spec, result, table)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        for _spec, _result, table in staged:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    for result in results:
        _log(con, result, started)
    return results


def _stage(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    spec: DatasetSpec,
    result: DatasetFileResult,
    strict: bool,
    table: str,
) -> str:
    """Parse one file into the temp table ``table``: typed values, lineage, bad-row flags."""
    missing = missing_columns(spec, src)
    if missing:
        raise InputError(
            f"{src.name}: a {spec.label} file needs the columns {', '.join(missing)}",
            [Located(f"missing column {m}", file=src.name, column=m) for m in missing],
        )
    if strict:
        _total, issues = check_dataset(con, src, spec)
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise ValidationFailed(
                f"{src.name}: --strict refused the file: {len(errors)} validation error(s); "
                "nothing was written",
                [Located(f"[{e.rule}] {e.message}", file=e.file, row=e.examples[0] if e.examples
                         else None, column=e.column) for e in errors],
            )  # fmt: skip
    relation = open_relation(con, src)
    try:
        exprs, checks = exprs_and_checks(spec, src, column_types(con, relation))
        bad = " OR ".join(f"({h[2]})" for h in checks.hard) or "false"
        reasons = [
            f"CASE WHEN {pred} THEN "
            f"{qstr(json.dumps({'rule': rule, 'column': column, 'message': message}))} END"
            for rule, column, pred, message in checks.hard
        ]
        reason_list = (
            f"list_filter([{', '.join(reasons)}], lambda x: x IS NOT NULL)" if reasons else "[]"
        )
        record = ", ".join(f"{qident(c)} := {qident(c)}" for c in src.columns)
        values = ", ".join(f"{exprs[c]} AS {qident(c)}" for c in spec.names)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {values}, "
            f"{qstr(result.ingest_id)} AS x_IngestId, {qstr(src.name)} AS x_SourceFile, "
            f"{ROW_COLUMN} AS x_SourceRow, ({bad}) AS __bad, {reason_list} AS __reasons, "
            f"to_json(struct_pack({record}))::VARCHAR AS __record FROM {relation}"
        )
        counts = con.execute(f"SELECT count(*), count_if(__bad) FROM {table}").fetchone()
        assert counts is not None
        result.rows_read, result.rows_quarantined = int(counts[0]), int(counts[1])
        result.rows_loaded = result.rows_read - result.rows_quarantined
        if strict and result.rows_quarantined:
            raise ValidationFailed(
                f"{src.name}: --strict refused the file: {result.rows_quarantined} unloadable "
                "row(s); nothing was written"
            )
        return table
    finally:
        close_relation(con, relation)


def _write(
    con: duckdb.DuckDBPyConnection, spec: DatasetSpec, result: DatasetFileResult, table: str
) -> None:
    """Replace the slices the staged good rows hold, insert them, quarantine the bad ones."""
    key = ", ".join(qident(k) for k in spec.slice_key)
    cols = ", ".join(qident(c) for c in spec.names)
    deleted = con.execute(
        f"DELETE FROM {spec.table} WHERE ({key}) IN (SELECT DISTINCT ({key}) FROM {table} "
        "WHERE NOT __bad)"
    ).fetchone()
    result.rows_replaced = int(deleted[0]) if deleted else 0
    con.execute(
        f"INSERT INTO {spec.table} ({cols}, x_IngestId, x_SourceFile, x_SourceRow) "
        f"SELECT {cols}, x_IngestId, x_SourceFile, x_SourceRow FROM {table} WHERE NOT __bad"
    )
    con.execute(
        "INSERT INTO quarantine (ingest_id, source_file, source_row, reasons, record) "
        "SELECT x_IngestId, x_SourceFile, x_SourceRow, to_json(list_transform(__reasons, "
        f"lambda x: json(x)))::VARCHAR, __record FROM {table} WHERE __bad"
    )


def _log(con: duckdb.DuckDBPyConnection, result: DatasetFileResult, started: dt.datetime) -> None:
    totals: dict[str, dict[str, str]] = {}
    con.execute(
        "INSERT INTO ingest_log (ingest_id, kind, file, sha256, focus_version, started_at, "
        "finished_at, rows_read, rows_loaded, rows_quarantined, rows_replaced, billing_periods, "
        "totals, status, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, 'ok', NULL)",
        [
            result.ingest_id, result.dataset, result.file, result.sha256, result.focus_version,
            started, dt.datetime.now(dt.UTC).replace(tzinfo=None), result.rows_read,
            result.rows_loaded, result.rows_quarantined, result.rows_replaced,
            json.dumps(totals),
        ],
    )  # fmt: skip
