"""A quarantined record is the row that failed: its source row and values are the file's.

Checked where it is easy to get wrong: a typed Parquet file of many row groups read by several
threads, and a CSV large enough to be parsed in parallel chunks. Every row carries its own row
number in ``Id``, so a record from the wrong row cannot pass.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

import costmark
from costmark.focus.reader import qstr
from costmark.ingest.focus import ingest_focus_files

SAMPLE = ("focus-sample-data", "FOCUS-1.0_focus_sample.csv")


def _numbered(con: duckdb.DuckDBPyConnection, csv_path: Path, copies: int) -> None:
    """Table ``t``: the sample ``copies`` times, ``Id`` = the 1-based data row number."""
    con.execute(
        f"CREATE TABLE s AS SELECT * FROM read_csv({qstr(str(csv_path))}, "
        "nullstr=['NULL', ''], all_varchar=true)"
    )
    con.execute(
        'CREATE TABLE t AS SELECT * REPLACE (CAST(n AS VARCHAR) AS "Id") FROM ('
        "SELECT s.*, row_number() OVER (ORDER BY c.i, s.rowid) AS n "
        f"FROM range({copies}) c(i), s) ORDER BY n"
    )


def _load(root: Path, path: Path) -> list[dict]:
    ws = costmark.init_workspace(root)
    try:
        ws.warehouse.con.execute("SET threads = 4")
        summary = ingest_focus_files(ws.warehouse, [path], progress=False)
        rows = ws.quarantine(limit=None)
        assert summary.rows_quarantined == len(rows)
        return rows
    finally:
        ws.close()


def test_parquet_row_groups_and_threads(shared_data: Path, tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _numbered(con, shared_data.joinpath(*SAMPLE), copies=3)
    # no currency / a 1990 charge (outside ingest.date_range) / no ChargePeriodStart. (NaN and
    # inf money refuse the whole typed file instead: tests/focus/test_typed.py)
    bad = {150: "currency", 1555: "1990", 3000: None}
    out = tmp_path / "typed.parquet"
    table = con.sql(
        "SELECT * REPLACE ("
        "CASE WHEN \"Id\" = '150' THEN NULL ELSE \"BillingCurrency\" END AS \"BillingCurrency\", "
        'CAST("BilledCost" AS DOUBLE) AS "BilledCost", '
        'CAST("EffectiveCost" AS DOUBLE) AS "EffectiveCost", '
        "CASE WHEN \"Id\" = '3000' THEN NULL WHEN \"Id\" = '1555' THEN "
        "TIMESTAMPTZ '1990-01-01 00:00:00+00' ELSE CAST(\"ChargePeriodStart\" AS TIMESTAMPTZ) "
        'END AS "ChargePeriodStart", CAST("Id" AS BIGINT) AS "Id", '
        'CAST("ListCost" AS DOUBLE) AS "ListCost") FROM t ORDER BY "Id"'
    ).to_arrow_table()
    pq.write_table(table, out, row_group_size=100)
    assert pq.ParquetFile(out).metadata.num_row_groups == 30

    rows = _load(tmp_path / "ws", out)
    assert [r["source_row"] for r in rows] == sorted(bad)
    expected = dict(
        con.execute(
            'SELECT CAST("Id" AS INTEGER), "ResourceId" FROM t WHERE "Id" IN (\'150\', '
            "'1555', '3000')"
        ).fetchall()
    )
    for r in rows:
        row = r["source_row"]
        assert r["record"]["Id"] == str(row)
        assert r["record"]["ResourceId"] == expected[row]
    by_row = {r["source_row"]: r for r in rows}
    assert by_row[150]["record"]["BillingCurrency"] is None
    assert {x["column"] for x in by_row[150]["reasons"]} == {"BillingCurrency"}
    assert {x["column"] for x in by_row[1555]["reasons"]} == {"ChargePeriodStart"}
    assert by_row[3000]["record"]["ChargePeriodStart"] is None
    assert [x["rule"] for x in by_row[3000]["reasons"]] == ["missing_key"]


def test_large_csv_parsed_in_parallel(shared_data: Path, tmp_path: Path) -> None:
    con = duckdb.connect()
    _numbered(con, shared_data.joinpath(*SAMPLE), copies=60)  # ~45 MB: several CSV buffers
    bad = [7, 23_456, 45_001, 60_000]
    listed = ", ".join(qstr(str(b)) for b in bad)
    out = tmp_path / "big.csv"
    con.execute(
        f"COPY (SELECT * REPLACE (CASE WHEN \"Id\" IN ({listed}) THEN 'twelve' "
        'ELSE "BilledCost" END AS "BilledCost") FROM t ORDER BY CAST("Id" AS INTEGER)) '
        f"TO {qstr(str(out))} (HEADER, DELIMITER ',')"
    )
    assert out.stat().st_size > 40_000_000
    rows = _load(tmp_path / "ws", out)
    assert [r["source_row"] for r in rows] == bad
    for r in rows:
        assert r["record"]["Id"] == str(r["source_row"])
        assert r["record"]["BilledCost"] == "twelve"
        assert r["reasons"] == [{"rule": "unparseable", "column": "BilledCost"}]
