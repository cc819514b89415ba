"""``costmark kpi`` labels a period the data does not cover to its end (#10): "partial: N of M
days" in the table, a ``partial`` field in JSON and CSV, None for complete periods."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

import costmark
from costmark.cli.main import _register, app

SAMPLE = "focus-sample-data/FOCUS-1.0_focus_sample.csv"


def _loaded(tmp_path: Path, file: Path) -> Path:
    """A workspace holding ``file``, closed so the command can open it."""
    with costmark.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus(file, progress=False)
    return tmp_path / "ws"


def _kpi(root: Path, *args: str) -> str:
    _register()
    out = CliRunner().invoke(app, ["kpi", "total_cost", "-w", str(root), *args])
    assert out.exit_code == 0, out.output
    return out.output


def _truncated_sample(shared_data: Path, tmp_path: Path, last_day: str) -> Path:
    """The FOCUS 1.0 sample without the charges starting after ``last_day``: a file whose
    last month is incomplete, as a mid-month export is."""
    out = tmp_path / "sample-mid-month.csv"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{shared_data / SAMPLE}', all_varchar = true) "
        f"WHERE ChargePeriodStart < '{last_day}T99') TO '{out}' (HEADER, DELIMITER ',')"
    )
    con.close()
    return out


def test_running_month_of_a_mid_month_file_is_partial(shared_data: Path, tmp_path: Path) -> None:
    workspace = _loaded(tmp_path, _truncated_sample(shared_data, tmp_path, "2024-09-12"))
    rows = json.loads(_kpi(workspace, "-f", "json"))
    assert [(r["period_start"], r["partial"]) for r in rows] == [
        ("2024-09-01", "partial: 12 of 30 days")
    ]
    table = _kpi(workspace)
    assert "partial" in table and "12 of 30" in table
    lines = list(csv.DictReader(io.StringIO(_kpi(workspace, "-f", "csv"))))
    assert lines[0]["partial"] == "partial: 12 of 30 days"


def test_complete_sample_has_no_partial_month_but_a_partial_week(
    shared_data: Path, tmp_path: Path
) -> None:
    """The whole sample ends on 30 September: September is complete (no label, no table
    column); the ISO week starting 30 September holds one day of data."""
    workspace = _loaded(tmp_path, shared_data / SAMPLE)
    months = json.loads(_kpi(workspace, "-f", "json"))
    assert months and all(r["partial"] is None for r in months)
    assert "partial" not in _kpi(workspace)
    weeks = json.loads(_kpi(workspace, "-g", "week", "-f", "json"))
    labelled = {r["period_start"]: r["partial"] for r in weeks if r["partial"]}
    assert labelled == {"2024-09-30": "partial: 1 of 7 days"}


def test_to_before_the_data_end_makes_its_period_partial(
    shared_data: Path, tmp_path: Path
) -> None:
    workspace = _loaded(tmp_path, shared_data / SAMPLE)
    rows = json.loads(_kpi(workspace, "--to", "2024-09-15", "-f", "json"))
    assert [r["partial"] for r in rows] == ["partial: 15 of 30 days"]
