"""Any physical types a FOCUS writer may use load to the same rows and exact totals as the CSV.

Each variant is written from a real reference CSV (the FOCUS 1.0 sample, and FOCUS 1.2 from the
demo generator) the way another tool would write it: DuckDB's auto-detected types (DOUBLE,
TIMESTAMP, BIGINT), TIMESTAMP WITH TIME ZONE, pandas and pyarrow (float64, timestamp[tz=UTC],
dictionary strings), Spark-style (DECIMAL(38,18) or DOUBLE, timestamps without zone, BIGINT ids,
int32), DECIMAL of other precisions, all-text Parquet, ISO text timestamps, DATE billing
periods, Tags as MAP or STRUCT, gzip and CRLF CSV. Every variant must load every row (nothing
quarantined), with the same per-currency totals (Decimal equality) and the same value in each
row, and ``validate`` must report exactly what it reports on the reference.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import costmark
from costmark.focus.columns import ColumnType, column_map
from costmark.focus.reader import qident, qstr, read_source
from costmark.focus.schema import canonical_columns
from costmark.focus.validate import validate_files
from costmark.ingest.focus import IngestSummary, ingest_focus_files

Builder = Callable[[Path, Path], Path]


# -- references -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def focus12_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FOCUS 1.2 from the demo generator (one provider, one month) written as CSV."""
    from costmark.demo import generate

    root = tmp_path_factory.mktemp("demo12")
    generate(root / "demo", seed=3, months=1, end=dt.date(2025, 6, 30))
    out = root / "focus12.csv"
    duckdb.sql(
        f"COPY (SELECT * FROM read_parquet({qstr(str(root / 'demo' / 'focus' / 'aws.parquet'))})) "
        f"TO {qstr(str(out))} (HEADER, DELIMITER ',')"
    )
    return out


@pytest.fixture(params=["focus10", "focus12"])
def reference(request: pytest.FixtureRequest) -> Path:
    """The FOCUS 1.0 sample (real, shared) or the FOCUS 1.2 demo CSV."""
    if request.param == "focus10":
        shared: Path = request.getfixturevalue("shared_data")
        return shared / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    path: Path = request.getfixturevalue("focus12_csv")
    return path


# -- writing the variants ---------------------------------------------------------------------
def _kinds(csv_path: Path) -> dict[str, ColumnType]:
    """FOCUS type of each column of the file (non-FOCUS columns count as strings)."""
    con = duckdb.connect()
    src = read_source(con, csv_path)
    spec = column_map(src.version)
    return {c: spec[c].type if c in spec else ColumnType.STRING for c in src.columns}


def _text(csv_path: Path) -> str:
    return (
        f"read_csv({qstr(str(csv_path))}, all_varchar=true, nullstr=['NULL', ''], "
        "header=true, auto_detect=true)"
    )


def _copy(csv_path: Path, out: Path, cast: Callable[[str, ColumnType], str]) -> Path:
    """Parquet written by DuckDB with ``cast(column_sql, focus_type)`` for every column."""
    selects = ", ".join(f"{cast(qident(c), t)} AS {qident(c)}" for c, t in _kinds(csv_path).items())
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"COPY (SELECT {selects} FROM {_text(csv_path)}) TO {qstr(str(out))} "
        "(FORMAT parquet, ROW_GROUP_SIZE 2048)"
    )
    return out


def _numeric_ids(csv_path: Path) -> set[str]:
    """Id columns whose every value is a plain integer (a writer may store them as BIGINT)."""
    con = duckdb.connect()
    found = set()
    for c in ("BillingAccountId", "SubAccountId", "Id"):
        if c not in _kinds(csv_path):
            continue
        q = qident(c)
        row = con.execute(
            f"SELECT count(*) FILTER (WHERE CAST(TRY_CAST({q} AS BIGINT) AS VARCHAR) "
            f"IS DISTINCT FROM {q}) FROM {_text(csv_path)}"
        ).fetchone()
        if row and row[0] == 0:
            found.add(c)
    return found


def duckdb_auto(csv_path: Path, out: Path) -> Path:
    """The issue's reproduction: DuckDB's own type detection (DOUBLE, TIMESTAMP, BIGINT)."""
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv({qstr(str(csv_path))}, nullstr=['NULL', ''])) "
        f"TO {qstr(str(out))} (FORMAT parquet)"
    )
    return out


def duckdb_double_tstz(csv_path: Path, out: Path) -> Path:
    def cast(col: str, kind: ColumnType) -> str:
        if kind is ColumnType.DECIMAL:
            return f"CAST({col} AS DOUBLE)"
        if kind is ColumnType.DATETIME:
            return f"CAST({col} AS TIMESTAMPTZ)"
        return col

    return _copy(csv_path, out, cast)


def spark_decimal(csv_path: Path, out: Path) -> Path:
    """Spark-style: DECIMAL(38,18), TIMESTAMP without zone, BIGINT ids, int32 where integral."""
    ids = _numeric_ids(csv_path)
    integral = _integral_columns(csv_path)

    def cast(col: str, kind: ColumnType) -> str:
        name = col.strip('"')
        if name in ids:
            return f"CAST({col} AS BIGINT)"
        if name in integral:
            return f"CAST({col} AS INTEGER)"
        if kind is ColumnType.DECIMAL:
            return f"CAST({col} AS DECIMAL(38, 18))"
        if kind is ColumnType.DATETIME:
            return f"CAST({col} AS TIMESTAMP)"
        return col

    return _copy(csv_path, out, cast)


def _integral_columns(csv_path: Path) -> set[str]:
    """Decimal columns whose every value is a whole number that fits int32."""
    con = duckdb.connect()
    found = set()
    for c, kind in _kinds(csv_path).items():
        if kind is not ColumnType.DECIMAL:
            continue
        q = qident(c)
        row = con.execute(
            f"SELECT count({q}), count(*) FILTER (WHERE {q} IS NOT NULL AND (CAST({q} AS "
            f"DECIMAL(38,18)) <> round(CAST({q} AS DECIMAL(38,18))) OR abs(CAST({q} AS "
            f"DECIMAL(38,18))) > 2147483647)) FROM {_text(csv_path)}"
        ).fetchone()
        if row and row[0] and row[1] == 0:
            found.add(c)
    return found


def spark_double(csv_path: Path, out: Path) -> Path:
    ids = _numeric_ids(csv_path)

    def cast(col: str, kind: ColumnType) -> str:
        if col.strip('"') in ids:
            return f"CAST({col} AS BIGINT)"
        if kind is ColumnType.DECIMAL:
            return f"CAST({col} AS DOUBLE)"
        if kind is ColumnType.DATETIME:
            return f"CAST({col} AS TIMESTAMP)"
        return col

    return _copy(csv_path, out, cast)


def _decimal_digits(csv_path: Path) -> tuple[int, int]:
    """(most integer digits, most decimals) over all decimal values of the file."""
    con = duckdb.connect()
    ints, decs = 1, 0
    for c, kind in _kinds(csv_path).items():
        if kind is not ColumnType.DECIMAL:
            continue
        q = qident(c)
        row = con.execute(
            f"SELECT max(length(split_part(ltrim(CAST(CAST({q} AS DECIMAL(38,18)) AS VARCHAR), "
            f"'-'), '.', 1))), max(length(rtrim(split_part(CAST(CAST({q} AS DECIMAL(38,18)) "
            f"AS VARCHAR), '.', 2), '0'))) FROM {_text(csv_path)}"
        ).fetchone()
        if row and row[0] is not None:
            ints, decs = max(ints, row[0]), max(decs, row[1] or 0)
    return ints, decs


def decimal_tight(csv_path: Path, out: Path) -> Path:
    """DECIMAL(p,s) just wide enough for the data (a precision other than 38,18)."""
    ints, decs = _decimal_digits(csv_path)
    p, s = ints + decs, decs
    assert (p, s) != (38, 18)

    def cast(col: str, kind: ColumnType) -> str:
        return f"CAST({col} AS DECIMAL({p}, {s}))" if kind is ColumnType.DECIMAL else col

    return _copy(csv_path, out, cast)


def decimal_wide_scale(csv_path: Path, out: Path) -> Path:
    """DECIMAL with more decimals than DECIMAL(38,18) keeps (scale 24): no value loses any."""
    ints, _ = _decimal_digits(csv_path)
    assert ints <= 14

    def cast(col: str, kind: ColumnType) -> str:
        return f"CAST({col} AS DECIMAL(38, 24))" if kind is ColumnType.DECIMAL else col

    return _copy(csv_path, out, cast)


def all_text(csv_path: Path, out: Path) -> Path:
    return _copy(csv_path, out, lambda col, kind: col)


def text_iso_timestamps(csv_path: Path, out: Path) -> Path:
    """All text, date/times as RFC 3339 with Z (another FOCUS-allowed spelling)."""

    def cast(col: str, kind: ColumnType) -> str:
        if kind is ColumnType.DATETIME:
            return f"strftime(CAST({col} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%SZ')"
        return col

    return _copy(csv_path, out, cast)


def date_billing_period(csv_path: Path, out: Path) -> Path:
    """Billing periods as DATE (they start at midnight), the rest as DuckDB detects it."""

    def cast(col: str, kind: ColumnType) -> str:
        if col.strip('"') in ("BillingPeriodStart", "BillingPeriodEnd"):
            return f"CAST(CAST({col} AS TIMESTAMP) AS DATE)"
        if kind is ColumnType.DECIMAL:
            return f"CAST({col} AS DOUBLE)"
        if kind is ColumnType.DATETIME:
            return f"CAST({col} AS TIMESTAMP)"
        return col

    return _copy(csv_path, out, cast)


def tags_map(csv_path: Path, out: Path) -> Path:
    """Tags as MAP(VARCHAR, VARCHAR), as Spark writes a map column."""

    def cast(col: str, kind: ColumnType) -> str:
        if col.strip('"') == "Tags":
            return f"json_transform({col}, '\"MAP(VARCHAR, VARCHAR)\"')"
        if kind is ColumnType.DECIMAL:
            return f"CAST({col} AS DOUBLE)"
        return col

    return _copy(csv_path, out, cast)


def _arrow_table(csv_path: Path) -> pa.Table:
    con = duckdb.connect()
    return con.sql(f"SELECT * FROM {_text(csv_path)}").to_arrow_table()


def pyarrow_typed(csv_path: Path, out: Path) -> Path:
    """pyarrow: float64 money, timestamp[us, tz=UTC], dictionary-encoded strings."""
    table = _arrow_table(csv_path)
    kinds = _kinds(csv_path)
    arrays = []
    for name in table.column_names:
        col = table[name]
        if kinds[name] is ColumnType.DECIMAL:
            col = col.cast(pa.float64())
        elif kinds[name] is ColumnType.DATETIME:
            col = col.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
        else:
            col = col.dictionary_encode()
        arrays.append(col)
    pq.write_table(pa.table(arrays, names=table.column_names), out, row_group_size=300)
    return out


def pandas_typed(csv_path: Path, out: Path) -> Path:
    """pandas: read_csv, to_datetime(utc=True), to_parquet."""
    import pandas as pd

    kinds = _kinds(csv_path)
    strings = {c: str for c, k in kinds.items() if k is not ColumnType.DECIMAL}
    frame = pd.read_csv(
        csv_path,
        dtype=strings,
        na_values=["NULL", ""],
        keep_default_na=False,
    )
    for c, k in kinds.items():
        if k is ColumnType.DATETIME:
            frame[c] = pd.to_datetime(frame[c], utc=True)
    frame.to_parquet(out, index=False)
    return out


def tags_struct(csv_path: Path, out: Path) -> Path:
    """Tags as a STRUCT of every key seen (pyarrow infers it from the parsed objects); a row
    lacking a key has null there."""
    table = _arrow_table(csv_path)
    tags = [json.loads(t) if t is not None else None for t in table["Tags"].to_pylist()]
    keys = sorted({k for t in tags if t for k in t})
    struct = pa.array(
        [None if t is None else {k: t.get(k) for k in keys} for t in tags],
        type=pa.struct([pa.field(k, pa.string()) for k in keys]),
    )
    table = table.set_column(table.column_names.index("Tags"), "Tags", struct)
    pq.write_table(table, out)
    return out


def gzip_csv(csv_path: Path, out: Path) -> Path:
    out = out.with_suffix(".csv.gz")
    out.write_bytes(gzip.compress(csv_path.read_bytes()))
    return out


def crlf_csv(csv_path: Path, out: Path) -> Path:
    out = out.with_suffix(".csv")
    data = csv_path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    out.write_bytes(data)
    return out


VARIANTS: dict[str, Builder] = {
    "duckdb_auto": duckdb_auto,
    "duckdb_double_tstz": duckdb_double_tstz,
    "spark_decimal": spark_decimal,
    "spark_double": spark_double,
    "decimal_tight": decimal_tight,
    "decimal_wide_scale": decimal_wide_scale,
    "all_text": all_text,
    "text_iso_timestamps": text_iso_timestamps,
    "date_billing_period": date_billing_period,
    "tags_map": tags_map,
    "tags_struct": tags_struct,
    "pyarrow_typed": pyarrow_typed,
    "pandas_typed": pandas_typed,
    "gzip_csv": gzip_csv,
    "crlf_csv": crlf_csv,
}


# -- loading and comparing ----------------------------------------------------------------------
def _load(root: Path, path: Path, tag_keys: tuple[str, ...] = ()) -> tuple[IngestSummary, Any]:
    ws = costmark.init_workspace(root)
    summary = ingest_focus_files(ws.warehouse, [path], tag_keys=tag_keys, progress=False)
    return summary, ws


_VALUE_COLUMNS = [
    c.name
    for c in canonical_columns()
    if c.type in (ColumnType.DECIMAL, ColumnType.DATETIME)
    or c.name in ("ProviderName", "BillingAccountId", "SubAccountId", "ChargeCategory")
]


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    cols = ", ".join(qident(c) for c in _VALUE_COLUMNS)
    return ws.warehouse.con.execute(
        f'SELECT "x_SourceRow", {cols} FROM costs ORDER BY "x_SourceRow"'
    ).fetchall()


def _tags(ws: Any) -> list[tuple[int, Any]]:
    rows = ws.warehouse.con.execute(
        'SELECT "x_SourceRow", "Tags" FROM costs ORDER BY "x_SourceRow"'
    ).fetchall()
    return [(r, json.loads(t) if t is not None else None) for r, t in rows]


def _totals(summary: IngestSummary) -> dict[str, dict[str, Decimal]]:
    return {
        cur: {k: Decimal(v) for k, v in values.items()} for cur, values in summary.totals.items()
    }


def _validation(path: Path) -> set[tuple[str, str | None, int]]:
    report = validate_files(path)
    return {(i.rule, i.column, i.rows) for i in report.errors}


@pytest.fixture(scope="module")
def loaded_references() -> dict[Path, Any]:
    """Each reference is loaded once per module (summary, rows, tags, validation errors)."""
    return {}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_loads_like_the_csv(
    variant: str, reference: Path, tmp_path: Path, loaded_references: dict[Path, Any]
) -> None:
    if reference not in loaded_references:
        ref_summary, ref_ws = _load(tmp_path / "ref", reference)
        loaded_references[reference] = (
            ref_summary,
            _rows(ref_ws),
            _tags(ref_ws),
            _validation(reference),
        )
        ref_ws.close()
    ref_summary, ref_rows, ref_tags, ref_errors = loaded_references[reference]
    assert ref_summary.rows_quarantined == 0 and ref_summary.rows_loaded > 100

    path = VARIANTS[variant](reference, tmp_path / f"{variant}.parquet")
    summary, ws = _load(tmp_path / "ws", path)
    try:
        assert summary.rows_quarantined == 0, ws.quarantine(limit=3)
        assert summary.rows_loaded == ref_summary.rows_loaded
        assert _totals(summary) == _totals(ref_summary)
        got = _rows(ws)
        assert len(got) == len(ref_rows)
        for mine, theirs in zip(got, ref_rows, strict=True):
            assert mine == theirs, dict(zip(["x_SourceRow", *_VALUE_COLUMNS], mine, strict=True))
        assert _tags(ws) == ref_tags
    finally:
        ws.close()
    # validate agrees with ingest: the same errors as on the CSV, no type errors from types
    assert _validation(path) == ref_errors


def test_sample_parquet_from_the_issue(shared_data: Path, tmp_path: Path) -> None:
    """The reproduction in issue #10: 8 valid rows (one a -3.00 credit) were quarantined."""
    path = duckdb_auto(
        shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv", tmp_path / "s.parquet"
    )
    summary, ws = _load(tmp_path / "ws", path)
    try:
        assert (summary.rows_loaded, summary.rows_quarantined) == (1000, 0)
        # SOURCES.md: EffectiveCost 14.976514, BilledCost 20.520227 (rounded to 6 places)
        assert summary.totals["USD"]["EffectiveCost"] == "14.97651418586"
        assert summary.totals["USD"]["BilledCost"] == "20.52022672899"
        credit = ws.warehouse.con.execute(
            'SELECT "EffectiveCost" FROM costs WHERE "ChargeCategory" = \'Credit\''
        ).fetchall()
        assert credit == [(Decimal("-3"),)]
    finally:
        ws.close()


def test_materialised_tags_from_map_and_struct(shared_data: Path, tmp_path: Path) -> None:
    """Tag columns filled from MAP and STRUCT Tags equal those filled from JSON text."""
    csv_path = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    keys = ("application", "environment", "business_unit")
    got = {}
    for name, build in (("csv", None), ("map", tags_map), ("struct", tags_struct)):
        path = csv_path if build is None else build(csv_path, tmp_path / f"{name}.parquet")
        _summary, ws = _load(tmp_path / name, path, keys)
        cols = ", ".join(f'"tag_{k}"' for k in keys)
        got[name] = ws.warehouse.con.execute(
            f'SELECT "x_SourceRow", {cols} FROM costs ORDER BY 1'
        ).fetchall()
        ws.close()
    assert any(r[1] is not None for r in got["csv"])
    assert got["map"] == got["csv"]
    assert got["struct"] == got["csv"]
