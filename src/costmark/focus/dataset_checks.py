"""Checks of FOCUS 1.3/1.4 dataset files (Contract Commitment, Billing Period, Invoice Detail),
shared by ``costmark validate`` and the dataset loader so the two cannot disagree: a hard problem
(money or date that does not parse, a missing key) is a validation error and a quarantine reason;
a soft one (an unknown status, a duplicated id, a positive credit) is reported and loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from costmark.focus.columns import ColumnType
from costmark.focus.datasets import DatasetSpec
from costmark.focus.reader import (
    ROW_COLUMN,
    SourceFile,
    close_relation,
    column_types,
    open_relation,
    qident,
    qstr,
)
from costmark.focus.rules import Issue, Severity


def parse_expr(col: str, type_: ColumnType, physical: str) -> str:
    """SQL turning the file's column (text or typed) into the dataset column's type; NULL when
    the value does not parse (checked separately, so the row can be named)."""
    text = physical.upper() in ("VARCHAR", "BLOB")
    # FOCUS's own examples write null as the text "null" or "(null)": it means no value
    q = (
        f"(CASE WHEN lower(trim({qident(col)})) IN ('null', '(null)') THEN NULL "
        f"ELSE {qident(col)} END)"
        if text
        else qident(col)
    )
    if type_ is ColumnType.DECIMAL:
        if text:
            return f"TRY_CAST(trim({q}) AS DECIMAL(38,18))"
        if physical.upper() in ("DOUBLE", "FLOAT", "REAL"):
            # the shortest text that round-trips is what the writer meant (0.1, not 0.1000...0555)
            return f"TRY_CAST(CAST({q} AS VARCHAR) AS DECIMAL(38,18))"
        return f"TRY_CAST({q} AS DECIMAL(38,18))"
    if type_ is ColumnType.DATETIME:
        if text:
            return f"TRY_CAST(TRY_CAST(trim({q}) AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
        if "WITH TIME ZONE" in physical.upper():
            return f"CAST({q} AT TIME ZONE 'UTC' AS TIMESTAMP)"
        return f"TRY_CAST({q} AS TIMESTAMP)"
    if type_ is ColumnType.JSON and not text:
        return f"to_json({q})::VARCHAR"
    return f"CAST({q} AS VARCHAR)"


@dataclass
class _Checks:
    """Per-row problems as SQL predicates: hard ones quarantine the row, soft ones only report."""

    hard: list[tuple[str, str, str, str]] = field(default_factory=list)  # rule, column, pred, msg
    soft: list[tuple[str, str, str, str]] = field(default_factory=list)


def exprs_and_checks(
    spec: DatasetSpec, src: SourceFile, physical: dict[str, str]
) -> tuple[dict[str, str], _Checks]:
    present = set(src.columns)
    exprs: dict[str, str] = {}
    checks = _Checks()
    for c in spec.columns:
        if c.name not in present:
            exprs[c.name] = "NULL"
            continue
        expr = parse_expr(c.name, c.type, physical.get(c.name, "VARCHAR"))
        exprs[c.name] = expr
        raw = (
            f"(CASE WHEN lower(trim(CAST({qident(c.name)} AS VARCHAR))) IN ('null', '(null)') "
            f"THEN NULL ELSE {qident(c.name)} END)"
        )
        if c.type in (ColumnType.DECIMAL, ColumnType.DATETIME):
            what = "a decimal number" if c.type is ColumnType.DECIMAL else "an RFC 3339 timestamp"
            checks.hard.append(
                ("type", c.name, f"{raw} IS NOT NULL AND {expr} IS NULL", f"{c.name} is not {what}")
            )
        if c.type is ColumnType.JSON:
            checks.soft.append(
                ("type", c.name, f"{raw} IS NOT NULL AND NOT coalesce(json_valid({expr}), false)",
                 f"{c.name} is not a JSON object")
            )  # fmt: skip
        if not c.allows_nulls:
            rule = checks.hard if c.name in (*spec.slice_key, spec.id_column) else checks.soft
            rule.append(("not_null", c.name, f"{raw} IS NULL", f"{c.name} must not be null"))
    for name, values in spec.allowed:
        if name in present:
            listed = ", ".join(qstr(v) for v in values)
            checks.soft.append(
                ("allowed_values", name, f"{qident(name)} IS NOT NULL AND CAST({qident(name)} AS "
                 f"VARCHAR) NOT IN ({listed})", f"{name} allows only {', '.join(values)}")
            )  # fmt: skip
    return exprs, checks


def missing_columns(spec: DatasetSpec, src: SourceFile) -> list[str]:
    return [c.name for c in spec.columns if not c.allows_nulls and c.name not in src.columns]


def check_dataset(
    con: duckdb.DuckDBPyConnection, src: SourceFile, spec: DatasetSpec
) -> tuple[int, list[Issue]]:
    """Every problem of a dataset file, located (rule, column, row count, first rows)."""
    issues = [
        Issue("error", "mandatory_column", f"{spec.label} needs column {name}", column=name,
              file=src.name)
        for name in missing_columns(spec, src)
    ]  # fmt: skip
    unknown = [
        c
        for c in src.columns
        if c not in spec.names and not c.startswith("x_") and not c.startswith("__unnamed")
    ]
    issues += [
        Issue("error", "unknown_column", f"{c} is not a {spec.label} column (custom columns "
              "start with x_)", column=c, file=src.name)
        for c in unknown
    ]  # fmt: skip
    relation = open_relation(con, src)
    try:
        exprs, checks = exprs_and_checks(spec, src, column_types(con, relation))
        all_checks = [("error", *h) for h in checks.hard] + [("warning", *s) for s in checks.soft]
        if spec.id_column and spec.id_column in src.columns:
            idc = qident(spec.id_column)
            all_checks.append(
                ("warning", "duplicate_id", spec.id_column,
                 f"{idc} IS NOT NULL AND count(*) OVER (PARTITION BY {idc}) > 1",
                 f"{spec.id_column} appears on more than one row")
            )  # fmt: skip
        if spec.name == "invoice_detail" and "ChargeCategory" in src.columns:
            all_checks.append(
                ("warning", "credit_sign", "BilledCost",
                 f"{qident('ChargeCategory')} = 'Credit' AND {exprs['BilledCost']} > 0",
                 "a Credit with a positive BilledCost (credits are negative)")
            )  # fmt: skip
        if not all_checks:
            only = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
            return (int(only[0]) if only else 0), issues
        flags = ", ".join(f"({c[3]}) AS f{i}" for i, c in enumerate(all_checks))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __ds_flags AS SELECT {ROW_COLUMN} AS r, {flags} "
            f"FROM {relation}"
        )
        counts_sql = ", ".join(f"count_if(f{i})" for i in range(len(all_checks)))
        row = con.execute(f"SELECT count(*), {counts_sql} FROM __ds_flags").fetchone()
        assert row is not None
        total, counts = int(row[0]), row[1:]
        for i, (severity, rule, column, _pred, message) in enumerate(all_checks):
            if not counts[i]:
                continue
            level: Severity = "error" if severity == "error" else "warning"
            examples = tuple(
                int(r[0])
                for r in con.execute(
                    f"SELECT r FROM __ds_flags WHERE f{i} ORDER BY r LIMIT 5"
                ).fetchall()
            )
            issues.append(
                Issue(level, rule, f"{spec.label}: {message}", column=column,
                      rows=int(counts[i]), examples=examples, file=src.name)
            )  # fmt: skip
        con.execute("DROP TABLE IF EXISTS __ds_flags")
        return total, issues
    finally:
        close_relation(con, relation)
