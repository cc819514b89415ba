"""Run every FOCUS rule over files and gather the located issues into one report.

Row checks from all rules are counted in a single aggregate scan per file; only the checks that
fail get a second query for their first example rows and offending values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from costmark.errors import did_you_mean
from costmark.focus.dataset_checks import check_dataset
from costmark.focus.datasets import dataset_version, detect_dataset
from costmark.focus.frame import Frame, open_frame, prepare_connection, with_parsed
from costmark.focus.limits import DateBounds
from costmark.focus.reader import ROW_COLUMN, SourceFile, close_relation, qident, sources
from costmark.focus.rules import RULES, Issue, RowCheck
from costmark.focus.typed import refuse_untyped

EXAMPLES = 5
#: offending values sampled per check (the first rows'), of which EXAMPLES distinct are shown
VALUE_SAMPLE = 50


@dataclass
class FileInfo:
    file: str
    focus_version: str
    version_detected: bool
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "focus_version": self.focus_version,
            "version_detected": self.version_detected,
            "rows": self.rows,
        }


@dataclass
class ValidationReport:
    """All issues of all files; ``ok`` means no errors (warnings allowed)."""

    issues: list[Issue] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def rules(self) -> set[str]:
        return {i.rule for i in self.issues}

    def find(self, rule: str, column: str | None = None) -> list[Issue]:
        return [i for i in self.issues if i.rule == rule and (column is None or i.column == column)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "files": [f.to_dict() for f in self.files],
            "issues": [i.to_dict() for i in self.issues],
        }


def _value_text(values: list[Any], allowed: tuple[str, ...]) -> str:
    parts = []
    for v in values:
        text = repr(v if len(str(v)) <= 80 else str(v)[:77] + "...")
        if allowed:
            text += did_you_mean(str(v), allowed)
        parts.append(text)
    return ", ".join(parts)


def check_frame(frame: Frame) -> tuple[int, list[Issue]]:
    """Evaluate every rule on one opened file: (row count, issues)."""
    con, rel = frame.con, frame.relation
    issues: list[Issue] = []
    checks: list[RowCheck] = []
    for rule in RULES:
        for finding in rule(frame):
            if isinstance(finding, Issue):
                issues.append(finding)
            else:
                checks.append(finding)
    # Scan 1 counts every check's violations; scan 2 (only when some fail) fetches the first
    # example rows and offending values of the failing checks, all in one query.
    # count_if, not count(*) FILTER: the same counts (a null predicate counts as false) with
    # no selection vector per check, ~30% faster over 56 checks (measured on 1M rows)
    counts_sql = ", ".join(["count(*)"] + [f"count_if({c.predicate})" for c in checks])
    counts = con.execute(f"SELECT {counts_sql} FROM {rel}").fetchone()
    assert counts is not None
    total = int(counts[0])
    failing = [(c, int(n or 0)) for c, n in zip(checks, counts[1:], strict=True) if n]
    if not failing:
        return total, issues
    parts = []
    for c, _ in failing:
        parts.append(f"min({ROW_COLUMN}, {EXAMPLES}) FILTER (WHERE {c.predicate})")
        if c.values:
            parts.append(
                f"arg_min(CAST({c.values} AS VARCHAR), {ROW_COLUMN}, {VALUE_SAMPLE}) "
                f"FILTER (WHERE {c.predicate})"
            )
    row = con.execute(f"SELECT {', '.join(parts)} FROM {rel}").fetchone()
    assert row is not None
    pos = 0
    for check, n in failing:
        rows = row[pos]
        values = row[pos + 1] if check.values else None
        pos += 2 if check.values else 1
        message = check.message
        if check.values:
            distinct = list(dict.fromkeys(v for v in (values or []) if v is not None))
            message += ": " + _value_text(distinct[:EXAMPLES], check.allowed)
        issues.append(
            Issue(
                check.severity,
                check.rule,
                message,
                column=check.column,
                rows=n,
                examples=tuple(int(r) for r in rows or ()),
                file=frame.file,
            )
        )
    return total, issues


def needed_columns(con: duckdb.DuckDBPyConnection, src: SourceFile) -> list[str]:
    """The columns some rule reads: a dry run of the rules over the header. Loading only these
    from a CSV skips storing text no rule looks at (descriptions, names, ids...)."""
    dry = Frame(con, src, "__dry__", dict.fromkeys(src.columns, "VARCHAR"), dry=True)
    sql = " ".join(
        f"{x.predicate} {x.values or ''}"
        for rule in RULES
        for x in rule(dry)
        if isinstance(x, RowCheck)
    )
    return [c for c in src.columns if qident(c) in sql]


def native_export_issue(src: SourceFile) -> Issue | None:
    """A provider's native export (AWS CUR, Azure cost details, GCP, OCI) is named as such with
    the command that converts it, instead of forty FOCUS errors that help nobody."""
    from costmark.convert.detect import detect_native, not_a_cost_export

    headers = [src.original.get(c, c) for c in src.columns]
    found = detect_native(headers)
    if found is not None:
        return Issue("error", "native_export", found.hint(src.name), file=src.name)
    reason = not_a_cost_export(headers)
    if reason is not None:
        return Issue("error", "native_export", f"{src.name} is {reason}", file=src.name)
    return None


def validate_files(
    paths: Sequence[str | Path] | str | Path,
    *,
    focus_version: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    dates: DateBounds | None = None,
) -> ValidationReport:
    """Validate FOCUS files (CSV, CSV.gz, Parquet, folders, globs) without any workspace.

    ``dates``: the plausible date range (a workspace's ``ingest.date_range``; default
    2000-01-01 to ten years after today). A file that cannot be read at all (malformed CSV,
    typed columns FOCUS cannot represent) raises a located :class:`InputError`, as ingest does."""
    if isinstance(paths, str | Path):
        paths = [paths]
    own = con is None
    connection = duckdb.connect() if con is None else con
    prepare_connection(connection)
    report = ValidationReport()
    try:
        for src in sources(connection, paths, focus_version):
            native = native_export_issue(src)
            if native is not None:
                report.files.append(FileInfo(src.name, "none (native export)", False, 0))
                report.issues.append(native)
                continue
            dataset = detect_dataset(set(src.columns))
            if dataset is not None:
                total, issues = check_dataset(connection, src, dataset)
                version = dataset_version(dataset, set(src.columns))
                report.files.append(FileInfo(src.name, f"{version} {dataset.label}", True, total))
                report.issues += issues
                continue
            frame = open_frame(connection, src, columns=needed_columns(connection, src))
            frame.dates = dates or frame.dates
            parsed = frame
            try:
                refuse_untyped(frame)
                parsed = with_parsed(frame)
                total, issues = check_frame(parsed)
            finally:
                if parsed is not frame:
                    connection.execute(f"DROP VIEW IF EXISTS {parsed.relation}")
                close_relation(connection, frame.relation)
            report.files.append(FileInfo(src.name, src.version, src.version_detected, total))
            report.issues += issues
    finally:
        if own:
            connection.close()
    return report
