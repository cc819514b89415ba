"""Money sums are exact to the last digit of DECIMAL(38,18) in every output.

The file is two real usage rows of the FOCUS 1.0 sample with their costs replaced by amounts
whose sum has 33 significant digits (each under 10^15, the largest plausible bill line that
validate accepts): Python's default decimal context (28 digits) would give
123456789012345.1234567890123 and lose the last five.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import costmark
from costmark.cli.main import _register, app
from costmark.errors import InputError

BIG = Decimal("123456789012345.123456789012345678")
TINY = Decimal("0.000000000000000001")
EXACT = Decimal("123456789012345.123456789012345679")  # BIG + TINY, 33 digits
NEGATIVE = Decimal("-987654321098765.987654321098765432")  # a credit, 33 digits
MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")


def _write(shared_data: Path, path: Path, amounts: list[Decimal]) -> Path:
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    with sample.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        usage = [r for r in reader if r["BillingCurrency"] == "USD"
                 and r["ChargeCategory"] == "Usage"][: len(amounts)]
    for row, amount in zip(usage, amounts, strict=True):
        for col in MONEY:
            row[col] = format(amount, "f")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(usage)
    return path


@pytest.fixture
def loaded(shared_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    with costmark.init_workspace(root) as ws:
        summary = ws.ingest_focus([_write(shared_data, tmp_path / "big.csv", [BIG, TINY])],
                                  progress=False)
        # the ingest totals: per file and over all files
        assert Decimal(summary.totals["USD"]["EffectiveCost"]) == EXACT
        assert Decimal(summary.files[0].totals["USD"]["BilledCost"]) == EXACT
    return root


def _cli(*args: str) -> Any:
    _register()
    out = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    return out.output


def test_engine_rows_and_arrow_are_exact(loaded: Path) -> None:
    with costmark.open_workspace(loaded) as ws:
        for rollups in (False, True):
            result = ws.kpi(["total_cost", "billed_cost", "list_cost", "contracted_cost"],
                            rollups=rollups)
            assert {r["kpi"]: r["value"] for r in result} == dict.fromkeys(
                ["total_cost", "billed_cost", "list_cost", "contracted_cost"], EXACT)
            assert result.to_arrow().column("value").to_pylist()[0] == EXACT


def test_cli_json_csv_and_table_are_exact(loaded: Path) -> None:
    ws = ["--workspace", str(loaded)]
    rows = json.loads(_cli("kpi", "total_cost", "billed_cost", "-f", "json", *ws),
                      parse_float=Decimal)
    assert [r["value"] for r in rows] == [EXACT, EXACT]
    lines = _cli("kpi", "total_cost", "-f", "csv", *ws).strip().splitlines()
    assert lines[1].split(",")[4] == str(EXACT)
    table = _cli("kpi", "total_cost", *ws)
    # the table cell may wrap on a narrow terminal: compare the value column's characters
    # without the breaks
    header = [line for line in table.splitlines() if line.count("┃") >= 2][-1]
    column = [c.strip() for c in header.split("┃")[1:-1]].index("value")
    cells = "".join(
        line.split("│")[1:-1][column].strip()
        for line in table.splitlines() if line.count("│") >= 2
    )
    assert "123,456,789,012,345.123456789012345679" in cells.replace(" ", "")


def test_ingest_output_is_exact(shared_data: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws2"
    costmark.init_workspace(root).close()
    path = _write(shared_data, tmp_path / "two.csv", [BIG, NEGATIVE])
    doc = json.loads(_cli("ingest", "focus", str(path), "-f", "json", "--workspace", str(root)))
    # (BIG + NEGATIVE in Python's default context would itself round to 28 digits)
    assert doc["totals"]["USD"]["EffectiveCost"] == "-864197532086420.864197532086419754"


def test_web_api_json_is_exact(loaded: Path) -> None:
    from costmark.web import create_app

    with TestClient(create_app(loaded, background=False)) as client:
        with costmark.open_workspace(loaded) as ws:
            token = ws.create_token("viewer")[0]
        res = client.get("/api/kpi/total_cost?start=2024-09-01&end=2024-09-30",
                         headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 200, res.text
        doc = json.loads(res.text, parse_float=Decimal)
        assert [r["value"] for r in doc["series"] if r["currency"] == "USD"] == [EXACT]
        assert str(EXACT) in res.text


def test_sums_beyond_decimal_38_18_are_located_errors(shared_data: Path, tmp_path: Path) -> None:
    """Values that fit DECIMAL(38,18) but whose sums would not never reach a sum: a bill line of
    10^15 or more is quarantined (ingest.amount_range), so nothing wraps or raises a traceback."""
    huge = Decimal("99999999999999999999.5")
    root = tmp_path / "ws3"
    costmark.init_workspace(root).close()
    _register()
    both = _write(shared_data, tmp_path / "both.csv", [huge, huge])
    out = CliRunner().invoke(
        app, ["ingest", "focus", str(both), "--workspace", str(root), "-f", "json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["rows_quarantined"] == 2
    strict = CliRunner().invoke(
        app, ["ingest", "focus", str(both), "--workspace", str(root), "--strict"]
    )
    assert strict.exit_code == 1 and isinstance(strict.exception, InputError)
