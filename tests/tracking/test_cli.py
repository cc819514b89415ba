"""The tracking commands end to end through the CLI (in-process)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costmark.cli.main import _register, app
from tests.tracking.conftest import load_costs, make_workspace
from tests.tracking.test_workspace import BUDGETS, rhythm_rows

runner = CliRunner()


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _register()
    path = tmp_path_factory.mktemp("cli") / "ws"
    ws = make_workspace(path, BUDGETS)
    load_costs(ws, rhythm_rows(dt.date(2026, 1, 5), 70, spike_on=dt.date(2026, 2, 20)))
    ws.close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_track_json(ws_path: Path) -> None:
    code, out = run("track", "total_cost", "--grain", "week", "--by", "team", "-w", str(ws_path),
                    "--format", "json")  # fmt: skip
    assert code == 0, out
    doc = json.loads(out)
    assert {t["team"] for t in doc["trends"]} == {"web", "data"}
    assert {"change_pct", "yoy_pct", "rolling_mean"} <= set(doc["series"][0])


def test_forecast_then_snapshots_and_accuracy(ws_path: Path) -> None:
    code, out = run("forecast", "-w", str(ws_path), "--format", "csv")
    assert code == 0, out
    assert out.splitlines()[0].startswith("kpi,grain,period_start,currency")
    code, out = run("forecast", "--snapshots", "-w", str(ws_path), "--format", "json")
    assert code == 0 and len(json.loads(out)) >= 1
    code, out = run("forecast", "--accuracy", "-w", str(ws_path), "--format", "json")
    assert code == 0, out


def test_anomalies_and_budgets(ws_path: Path) -> None:
    code, out = run("anomalies", "--by", "team", "-w", str(ws_path), "--format", "json")
    assert code == 0, out
    found = json.loads(out)
    assert [a["team"] for a in found] == ["data"]
    assert found[0]["driver_details"][0]["dimension"] == "service"
    code, out = run("budgets", "-w", str(ws_path), "--format", "json")
    assert code == 0, out
    assert {b["budget"] for b in json.loads(out)} == {"web-monthly", "everything"}
    code, out = run("budgets", "-w", str(ws_path), "--format", "csv")
    assert code == 0 and "web-monthly" in out
    assert run("budgets", "-w", str(ws_path))[0] == 0


def test_usage_errors(ws_path: Path) -> None:
    code, _ = run("track", "total_cost", "--grain", "fortnight", "-w", str(ws_path))
    assert code != 0
    code, _ = run("anomalies", "--min-severity", "huge", "-w", str(ws_path))
    assert code != 0
