"""An export in several Parquet parts loads as one scan, and every row keeps its own lineage.

Parts with the same columns and physical types are read by one ``read_parquet`` (DuckDB then
writes full row groups, and the commit has nothing to rewrite); parts of another shape, and
CSV files, are loaded beside them. Each row must still name its own file, its own row in that
file and its own file's ingest id, and each file's totals and counts must be its own.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import costmark
from costmark.focus.frame import open_frame, prepare_connection
from costmark.focus.reader import close_relation, qstr, sources
from costmark.ingest.focus import _one_scan_per_schema, plan_file

SAMPLE = ("focus-sample-data", "FOCUS-1.0_focus_sample.csv")
MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")


def _parts(shared_data: Path, folder: Path) -> dict[str, Path]:
    """The FOCUS 1.0 sample cut into five files. ``ChargeDescription`` says which part and
    which data row of it each row is ("b-17"), so a row with borrowed lineage cannot pass.

    a, b, c: typed Parquet of one shape (DOUBLE money, TIMESTAMPTZ), the parts of one export;
    d: the same rows typed differently (DECIMAL money); e: CSV. b holds one unloadable row
    (no BillingCurrency), which must be quarantined and not loaded."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE TABLE s AS SELECT *, row_number() OVER () AS n FROM read_csv("
        f"{qstr(str(shared_data.joinpath(*SAMPLE)))}, nullstr=['NULL', ''], all_varchar=true)"
    )
    cuts = {"a": (1, 300), "b": (301, 500), "c": (501, 650), "d": (651, 800), "e": (801, 1000)}
    files: dict[str, Path] = {}
    for part, (lo, hi) in cuts.items():
        money = "DOUBLE" if part in "abc" else "DECIMAL(20, 10)"
        casts = ", ".join(f'CAST("{m}" AS {money}) AS "{m}"' for m in MONEY)
        dates = ", ".join(
            f'CAST("{c}" AS TIMESTAMPTZ) AS "{c}"'
            for c in ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart",
                      "BillingPeriodEnd")
        )
        currency = (
            "CASE WHEN n - {lo} + 1 = 7 THEN NULL ELSE \"BillingCurrency\" END"
            if part == "b" else '"BillingCurrency"'
        ).format(lo=lo)
        select = (
            f"SELECT * EXCLUDE (n) REPLACE ({casts}, {dates}, "
            f"'{part}-' || CAST(n - {lo} + 1 AS VARCHAR) AS \"ChargeDescription\", "
            f'{currency} AS "BillingCurrency") FROM s WHERE n BETWEEN {lo} AND {hi} ORDER BY n'
        )
        if part == "e":
            path = folder / "e.csv"
            con.execute(f"COPY (SELECT * EXCLUDE (n) REPLACE ('e-' || CAST(n - {lo} + 1 AS "
                        f"VARCHAR) AS \"ChargeDescription\") FROM s WHERE n BETWEEN {lo} AND "
                        f"{hi} ORDER BY n) TO {qstr(str(path))} (HEADER)")
        else:
            path = folder / f"{part}.parquet"
            con.execute(f"COPY ({select}) TO {qstr(str(path))} (FORMAT parquet, ROW_GROUP_SIZE 64)")
        files[part] = path
    return files


@pytest.fixture
def parts(shared_data: Path, tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "export"
    folder.mkdir()
    return _parts(shared_data, folder)


def test_parts_of_one_shape_load_as_one_scan(parts: dict[str, Path], tmp_path: Path) -> None:
    con = duckdb.connect()
    prepare_connection(con)
    srcs = sources(con, list(parts.values()))
    plans = [plan_file(open_frame(con, s), f"id-{i}") for i, s in enumerate(srcs)]
    try:
        loading = _one_scan_per_schema(con, plans)
        # a+b+c in one scan; d (DECIMAL money) and e (CSV) on their own
        assert len(loading) == 3
        grouped = [p for p in loading if p.grouped]
        assert len(grouped) == 1
        assert grouped[0].frame.relation not in {p.frame.relation for p in plans}
        rows = con.execute(
            f'SELECT count(*), count(DISTINCT "__file_index") FROM {grouped[0].frame.relation}'
        ).fetchall()
        assert rows == [(650, 3)]
        for plan in grouped:
            close_relation(con, plan.frame.relation)
    finally:
        for plan in plans:
            close_relation(con, plan.frame.relation)


def test_every_row_keeps_its_own_lineage(
    parts: dict[str, Path], shared_data: Path, tmp_path: Path
) -> None:
    sample = shared_data.joinpath(*SAMPLE)
    ws = costmark.init_workspace(tmp_path / "ws")
    try:
        summary = ws.ingest_focus(list(parts.values()), progress=False)
        con = ws.warehouse.con
        by_file = {Path(f.file).stem: f for f in summary.files}
        assert {k: (f.rows_read, f.rows_loaded, f.rows_quarantined) for k, f in by_file.items()} \
            == {"a": (300, 300, 0), "b": (200, 199, 1), "c": (150, 150, 0),
                "d": (150, 150, 0), "e": (200, 200, 0)}
        rows = con.execute(
            'SELECT "x_SourceFile", "x_SourceRow", "x_IngestId", "ChargeDescription" FROM costs'
        ).fetchall()
        assert len(rows) == 999
        for source_file, source_row, ingest_id, description in rows:
            part = Path(source_file).stem
            assert description == f"{part}-{source_row}"
            assert ingest_id == by_file[part].ingest_id
        assert [r["source_row"] for r in ws.quarantine(limit=None)] == [7]
        # each file's totals are its own rows' sums, exactly
        for result in by_file.values():
            sums = con.execute(
                'SELECT ' + ", ".join(f'sum("{m}")' for m in MONEY)
                + ' FROM costs WHERE "x_IngestId" = ?', [result.ingest_id]
            ).fetchone()
            assert sums is not None
            expected = {m: Decimal(result.totals["USD"][m]) for m in MONEY}
            assert {m: Decimal(v or 0) for m, v in zip(MONEY, sums, strict=True)} == expected
        # and the whole load is the sample's 14.97651418586 less the quarantined row's cost
        total = con.execute('SELECT sum("EffectiveCost") FROM costs').fetchone()
        lost = con.execute(
            'SELECT CAST("EffectiveCost" AS DECIMAL(38, 18)) FROM (SELECT *, row_number() '
            f"OVER () AS n FROM read_csv({qstr(str(sample))}, all_varchar=true)) WHERE n = 307"
        ).fetchone()
        assert total is not None and lost is not None
        assert total[0] + lost[0] == Decimal("14.97651418586")
    finally:
        ws.close()


def test_parts_with_glob_characters_in_their_names(
    parts: dict[str, Path], tmp_path: Path
) -> None:
    """One scan over files named like glob patterns reads exactly those files, each once."""
    odd = tmp_path / "odd [export]"
    odd.mkdir()
    named = [odd / "part[1].parquet", odd / "part*2.parquet", odd / "part?3.parquet"]
    for src, dst in zip((parts["a"], parts["b"], parts["c"]), named, strict=True):
        dst.write_bytes(src.read_bytes())
    (odd / "part12.parquet").write_bytes(parts["a"].read_bytes())  # what part[1] would glob
    ws = costmark.init_workspace(tmp_path / "ws")
    try:
        summary = ws.ingest_focus(named, progress=False)
        assert [f.rows_loaded for f in summary.files] == [300, 199, 150]
        rows = ws.warehouse.con.execute(
            'SELECT "x_SourceFile", count(*) FROM costs GROUP BY 1 ORDER BY 1'
        ).fetchall()
        assert rows == sorted((str(p.resolve()), n) for p, n in zip(named, (300, 199, 150),
                                                                       strict=True))
    finally:
        ws.close()


def test_a_column_named_file_index_keeps_the_files_apart(
    parts: dict[str, Path], tmp_path: Path
) -> None:
    """A file's own ``file_index`` column would hide DuckDB's (the file's position in the
    scan), so such parts load one scan each, and every row still names its own file."""
    named = []
    for part in ("a", "c"):
        out = tmp_path / f"{part}-with-index.parquet"
        duckdb.sql(f"COPY (SELECT *, 7 AS file_index FROM read_parquet({qstr(str(parts[part]))}))"
                   f" TO {qstr(str(out))} (FORMAT parquet)")
        named.append(out)
    con = duckdb.connect()
    prepare_connection(con)
    plans = [plan_file(open_frame(con, s), f"id-{i}")
             for i, s in enumerate(sources(con, named))]
    assert not any(p.grouped for p in _one_scan_per_schema(con, plans))
    ws = costmark.init_workspace(tmp_path / "ws")
    try:
        ws.ingest_focus(named, progress=False)
        rows = ws.warehouse.con.execute(
            'SELECT "x_SourceFile", count(*) FROM costs GROUP BY 1 ORDER BY 1'
        ).fetchall()
        assert rows == [(str(named[0].resolve()), 300), (str(named[1].resolve()), 150)]
    finally:
        ws.close()
