"""Typed columns become exact DECIMAL(38,18): DOUBLE as its shortest round-trip decimal (what
the CSV said), FLOAT as its own shortest text, integers and DECIMAL of any precision exactly;
a null is never a parse failure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costmark.focus.columns import ColumnSpec, ColumnType
from costmark.focus.frame import exact_double_sql, open_frame
from costmark.focus.reader import SourceFile

MONEY = ColumnSpec("BilledCost", ColumnType.DECIMAL, "Mandatory", False, "1.0")


def test_exact_double_matches_the_shortest_text_on_random_doubles() -> None:
    """Every kind of double: money-like values of 0-15 decimals over 20 decades, raw random
    doubles (16-17 digits), computed sums (0.1 + 0.2), edges of each decade and of
    DECIMAL(38,18). The SQL arithmetic must equal casting the shortest text, value by value."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(
        "CREATE TABLE d AS "
        "SELECT round((random() - 0.5) * 10 ** (random() * 20 - 6), "
        "CAST(random() * 16 AS INTEGER)) AS x FROM range(300000) "
        "UNION ALL SELECT (random() - 0.5) * 10 ** (random() * 24 - 10) FROM range(100000) "
        "UNION ALL SELECT 10 ** CAST(e AS DOUBLE) * m FROM range(-20, 21) a(e), "
        "(SELECT unnest([1, 0.9999999999999999, 1.000000000000001, 0.5, 9.99999999999999, "
        "-1, 0.1 + 0.2, 1 / 3]) AS m) "
        "UNION ALL SELECT unnest([0.0, -0.0, 5e-324, 1e-18, 5e-19, 1.5e-18, 99999999999999.99, "
        "999999999999999.9, 1e19, 9.999999999999998e19, 1e20, 123456789012345.6])"
    )
    expr = exact_double_sql("x")
    text = "TRY_CAST(CAST(x AS VARCHAR) AS DECIMAL(38,18))"
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {expr} IS DISTINCT FROM {text}) FROM d"
    ).fetchone()
    assert row is not None and row[0] > 400_000
    bad = con.execute(
        f"SELECT x, {expr}, {text} FROM d WHERE {expr} IS DISTINCT FROM {text} LIMIT 5"
    ).fetchall()
    assert row[1] == 0, bad


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (114764.48, "114764.48"),  # CAST(x AS DECIMAL) gives 114764.480000000002097152
        (14.976514, "14.976514"),
        (-3.0, "-3"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-7, "0.0000001"),
        (4e-10, "0.0000000004"),
    ],
)
def test_exact_double_examples(value: float, expected: str) -> None:
    con = duckdb.connect()
    row = con.execute(
        f"SELECT {exact_double_sql('x')} FROM (SELECT ?::DOUBLE AS x)", [value]
    ).fetchone()
    assert row is not None and row[0] == Decimal(expected)


def _frame(tmp_path: Path, column: pa.Array) -> tuple[duckdb.DuckDBPyConnection, object]:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"BilledCost": column}), path)
    con = duckdb.connect()
    src = SourceFile(path, "parquet", ["BilledCost"], {"BilledCost": "BilledCost"}, "1.2")
    return con, open_frame(con, src)


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (pa.array([0.1, None, -3.0], pa.float32()), ["0.1", None, "-3"]),
        (pa.array([1, None, -7], pa.int32()), ["1", None, "-7"]),
        (pa.array([2**62, None], pa.int64()), [str(2**62), None]),
        (pa.array([2**64 - 1], pa.uint64()), [str(2**64 - 1)]),
        (
            pa.array([Decimal("1.23"), None, Decimal("-0.05")], pa.decimal128(5, 2)),
            ["1.23", None, "-0.05"],
        ),
        (
            pa.array([Decimal("0.123456789012345678901234")], pa.decimal128(30, 24)),
            ["0.123456789012345679"],  # DECIMAL(38,18) keeps 18 decimals (rounded)
        ),
        (pa.array(["1.5", "NULL", None, "2e-3"]), ["1.5", None, None, "0.002"]),
    ],
)
def test_typed_money_columns(tmp_path: Path, column: pa.Array, expected: list) -> None:
    con, frame = _frame(tmp_path, column)
    fails = frame.parse_fails("BilledCost", MONEY) or "false"  # type: ignore[attr-defined]
    rows = con.execute(
        f"SELECT {frame.decimal('BilledCost')}, {fails} FROM {frame.relation}"  # type: ignore[attr-defined]
    ).fetchall()
    assert [r[0] for r in rows] == [None if e is None else Decimal(e) for e in expected]
    assert [r[1] for r in rows] == [False] * len(rows)  # a null is never unparseable


def test_overflowing_and_non_finite_values_fail_to_parse(tmp_path: Path) -> None:
    """Values a type can hold but DECIMAL(38,18) cannot are unparseable, not a crash."""
    huge = pa.array([Decimal(10) ** 25, Decimal(1), None], pa.decimal128(38, 0))
    con, frame = _frame(tmp_path, huge)
    fails = frame.parse_fails("BilledCost", MONEY)  # type: ignore[attr-defined]
    got = con.execute(f"SELECT {fails} FROM {frame.relation}").fetchall()  # type: ignore[attr-defined]
    assert [r[0] for r in got] == [True, False, False]

    doubles = pa.array([float("nan"), float("inf"), 1e25, 1.0, None], pa.float64())
    con, frame = _frame(tmp_path, doubles)
    fails = frame.parse_fails("BilledCost", MONEY)  # type: ignore[attr-defined]
    got = con.execute(f"SELECT {fails} FROM {frame.relation}").fetchall()  # type: ignore[attr-defined]
    assert [r[0] for r in got] == [True, True, True, False, False]
