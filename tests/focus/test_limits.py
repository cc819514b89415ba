"""Values that parse but would poison a workspace, and offsets that must convert (issue #11).

Each case runs validate and ingest on the same file: an error in validate is a quarantined row
at ingest (never a traceback, never a loaded row), and a file validate calls fine loads whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

import costmark
from costmark import api
from costmark.errors import InputError
from costmark.focus.limits import DateBounds, years_after
from costmark.focus.validate import validate_files
from tests.focus.helpers import FIXTURE, set_value, variant


def loaded(ws: costmark.Workspace, sql: str) -> list[tuple[object, ...]]:
    return ws.warehouse.con.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-09-01 10:00+05", "2024-09-01 05:00:00"),
        ("2024-09-01T10:00+05", "2024-09-01 05:00:00"),
        ("2024-09-01T10:00:00+0530", "2024-09-01 04:30:00"),
        ("2024-09-01T10:00:00+05:30", "2024-09-01 04:30:00"),
        ("2024-09-01T10:00:00-08", "2024-09-01 18:00:00"),
        ("2024-09-01T10:00:00-08:00", "2024-09-01 18:00:00"),
        ("2024-09-01T10:00:00Z", "2024-09-01 10:00:00"),
        ("2024-09-01T10:00:00.250Z", "2024-09-01 10:00:00.25"),
        ("2024-09-01 10:00:00", "2024-09-01 10:00:00"),
        ("2024-09-01 10:00", "2024-09-01 10:00:00"),
        ("2024-09-01", "2024-09-01 00:00:00"),
    ],
)
def test_every_offset_converts_to_utc(
    workspace: costmark.Workspace, tmp_path: Path, text: str, utc: str
) -> None:
    # row 1 is billed for September 2024; its charge starts at ``text``
    path = variant(tmp_path / "offset.csv", set_value(1, "ChargePeriodStart", text))
    report = validate_files(path)
    assert report.ok, [i.message for i in report.errors]
    workspace.ingest_focus([path], strict=True, progress=False)
    got = loaded(
        workspace, 'SELECT CAST("ChargePeriodStart" AS VARCHAR) FROM costs WHERE "x_SourceRow" = 1'
    )
    assert got == [(utc,)]


def test_year_9999_is_an_error_and_quarantined(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    def far_future(header: list[str], rows: list[dict[str, str]]) -> None:
        for row in rows[:2]:
            row["ChargePeriodStart"] = "9999-09-01T00:00:00Z"
            row["ChargePeriodEnd"] = "9999-09-02T00:00:00Z"

    path = variant(tmp_path / "future.csv", far_future)
    report = validate_files(path)
    issues = report.find("date_range", "ChargePeriodStart")
    assert not report.ok and issues and issues[0].rows == 2 and issues[0].examples == (1, 2)
    assert "9999-09-01T00:00:00Z" in issues[0].message
    summary = workspace.ingest_focus([path], progress=False)
    assert (summary.rows_loaded, summary.rows_quarantined) == (4, 2)
    assert loaded(workspace, 'SELECT max("ChargePeriodStart") FROM costs')[0][0].year == 2024
    reasons = {(r["rule"], r["column"]) for q in workspace.quarantine() for r in q["reasons"]}
    assert ("date_range", "ChargePeriodStart") in reasons
    with pytest.raises(InputError, match="date_range"):
        workspace.ingest_focus([path], strict=True, progress=False)


@pytest.mark.parametrize("text", ["-0001-09-01", "0001-09-01T00:00:00Z", "1999-12-31"])
def test_too_early_dates_are_quarantined_not_a_traceback(
    workspace: costmark.Workspace, tmp_path: Path, text: str
) -> None:
    path = variant(tmp_path / "early.csv", set_value(3, "BillingPeriodStart", text))
    report = validate_files(path)
    assert [i.examples for i in report.find("date_range", "BillingPeriodStart")] == [(3,)]
    summary = workspace.ingest_focus([path], progress=False)
    assert (summary.rows_loaded, summary.rows_quarantined) == (5, 1)


def to_1995(header: list[str], rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column in (
            "ChargePeriodStart",
            "ChargePeriodEnd",
            "BillingPeriodStart",
            "BillingPeriodEnd",
        ):
            row[column] = row[column].replace("2024-", "1995-")


def test_date_range_is_configurable(tmp_path: Path) -> None:
    config = (
        "version: 1\nname: archive\ningest:\n  date_range:\n"
        "    earliest: 1990-01-01\n    latest: 2100-12-31\n"
    )
    ws = costmark.init_workspace(tmp_path / "ws", config_text=config)
    try:
        path = variant(tmp_path / "old.csv", to_1995)
        # 1995 lies outside the default range but inside the workspace's
        assert not validate_files(path).ok
        assert api.validate_files(path, workspace=ws.root).ok
        summary = ws.ingest_focus([path], progress=False)
        assert summary.rows_quarantined == 0 and summary.rows_loaded == 6
    finally:
        ws.close()


def test_default_upper_bound_is_ten_years_ahead() -> None:
    bounds = DateBounds()
    assert bounds.last == years_after(dt.date.today(), 10)
    assert years_after(dt.date(2028, 2, 29), 10) == dt.date(2038, 2, 28)


def test_twenty_digit_amounts_are_errors_not_overflow(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    def huge(header: list[str], rows: list[dict[str, str]]) -> None:
        for row in rows[:3]:
            row["BilledCost"] = "99999999999999999999"
            row["EffectiveCost"] = "99999999999999999999"

    path = variant(tmp_path / "huge.csv", huge)
    report = validate_files(path)
    issue = report.find("amount_range", "BilledCost")
    assert issue and issue[0].rows == 3 and issue[0].examples == (1, 2, 3)
    summary = workspace.ingest_focus([path], progress=False)
    assert (summary.rows_loaded, summary.rows_quarantined) == (3, 3)
    # the loaded rows sum exactly
    assert summary.totals["USD"]["BilledCost"] == "3.2"


def _parquet(tmp_path: Path, name: str, select: str) -> Path:
    out = tmp_path / f"{name}.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * EXCLUDE (rn) REPLACE ({select}) FROM (SELECT *, row_number() OVER () "
        f"AS rn FROM read_csv('{FIXTURE}', all_varchar=true))) TO '{out}'"
    )
    con.close()
    return out


@pytest.mark.parametrize(
    ("name", "select", "column", "row"),
    [
        (
            "nan",
            "CASE WHEN rn = 2 THEN 'nan'::DOUBLE ELSE BilledCost::DOUBLE END AS BilledCost",
            "BilledCost",
            2,
        ),
        (
            "inf",
            "CASE WHEN rn = 3 THEN '-inf'::DOUBLE ELSE BilledCost::DOUBLE END AS BilledCost",
            "BilledCost",
            3,
        ),
        (
            "e300",
            "CASE WHEN rn = 2 THEN 1e300 ELSE ListCost::DOUBLE END AS ListCost",
            "ListCost",
            2,
        ),
        (
            "dec25",
            "CASE WHEN rn = 4 THEN 10000000000000000000000000::DECIMAL(38, 0) "
            "ELSE 1::DECIMAL(38, 0) END AS EffectiveCost",
            "EffectiveCost",
            4,
        ),
        (
            "int64",
            "epoch(ChargePeriodStart::TIMESTAMP)::BIGINT AS ChargePeriodStart",
            "ChargePeriodStart",
            None,
        ),
        ("bool", "true AS BillingPeriodEnd", "BillingPeriodEnd", None),
    ],
)
def test_unrepresentable_parquet_columns_are_located_errors(
    workspace: costmark.Workspace,
    tmp_path: Path,
    name: str,
    select: str,
    column: str,
    row: int | None,
) -> None:
    path = _parquet(tmp_path, name, select)
    errors = []
    with pytest.raises(InputError) as caught:
        validate_files(path)
    errors.append(caught.value)
    for strict in (False, True):
        with pytest.raises(InputError) as caught:
            workspace.ingest_focus([path], strict=strict, progress=False)
        errors.append(caught.value)
    for err in errors:
        assert [(p.column, p.row) for p in err.problems] == [(column, row)], str(err)
        assert str(path) in str(err)
    assert loaded(workspace, "SELECT count(*) FROM costs") == [(0,)]


def test_validate_ok_means_every_row_loads(
    workspace: costmark.Workspace, shared_data: Path
) -> None:
    """validate and ingest agree on real files: what validate calls fine loads row for row."""
    files = [
        FIXTURE,
        shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv",
        *sorted((shared_data / "focus-sample-1.3-1.4").glob("*.csv"))[:4],
    ]
    for path in files:
        report = validate_files(path)
        summary = workspace.ingest_focus([path], progress=False)
        assert summary.rows_read == report.files[0].rows
        if report.ok:
            assert summary.rows_quarantined == 0, path
        if summary.rows_quarantined:
            assert not report.ok, path
