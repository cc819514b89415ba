"""``costmark kpi`` / ``explain``: JSON rows in the documented shape, list, errors, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import costmark
from costmark.cli.main import _register, app
from tests.kpis.fixture import build


@pytest.fixture
def cli(workspace: costmark.Workspace) -> tuple[CliRunner, list[str]]:
    build(workspace)
    workspace.close()
    _register()
    return CliRunner(), ["--workspace", str(workspace.root)]


def test_kpi_json_rows(cli: tuple[CliRunner, list[str]]) -> None:
    runner, ws = cli
    out = runner.invoke(app, ["kpi", "effective_savings_rate", "total_cost", "--by", "team",
                              "--from", "2024-01-01", "--to", "2024-01-31", "-f", "json", *ws])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    esr = next(r for r in rows if r["kpi"] == "effective_savings_rate" and r["team"] == "alpha"
               and r["currency"] == "USD")
    # #13: JSON carries the unit beside each value; a period the data does not cover to its
    # end says so (``partial``: None for a complete one)
    assert set(esr) == {"kpi", "period_start", "grain", "team", "currency", "value", "unit",
                        "numerator", "denominator", "coverage", "note", "partial"}
    assert esr["unit"] == "ratio"
    assert esr["period_start"] == "2024-01-01" and esr["grain"] == "month"
    total = next(r for r in rows if r["kpi"] == "total_cost" and r["team"] == "beta")
    assert total["value"] == 12


def test_kpi_csv_where_and_raw(cli: tuple[CliRunner, list[str]]) -> None:
    runner, ws = cli
    out = runner.invoke(app, ["kpi", "total_cost", "--where", "tag:team = 'alpha'", "--raw",
                              "--grain", "year", "-f", "csv", *ws])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("kpi,period_start,grain,currency,value")
    assert any(",USD,30," in line for line in lines)  # 10 + 4 + 2 - 1 + 15 (Feb)


def test_list_explain_and_errors(cli: tuple[CliRunner, list[str]]) -> None:
    runner, ws = cli
    listed = runner.invoke(app, ["kpi", "--list", "-f", "json", *ws])
    assert listed.exit_code == 0
    assert "cost_per_transactions" in {r["id"] for r in json.loads(listed.output)}
    share = next(r for r in json.loads(listed.output) if r["id"] == "allocation_coverage")
    assert share["valid_range"] == "[0, 1]" and "positive charges" in share["null_when"]
    esr = next(r for r in json.loads(listed.output)
               if r["id"] == "effective_savings_rate_contracted")
    # docs/focus-use-cases.md: the 1.3+ slugs (1.0-1.2's effective-savings-rate-services is
    # the by-service one renamed)
    assert esr["use_cases"] == ("determine-effective-savings-rate, "
                                "determine-effective-savings-rate-by-service")
    sql = runner.invoke(app, ["explain", "commitment_utilization", *ws])
    assert sql.exit_code == 0 and "GROUP BY" in sql.output
    unknown = runner.invoke(app, ["kpi", "total_cots", *ws])
    assert unknown.exit_code != 0
    bad_grain = runner.invoke(app, ["kpi", "total_cost", "--grain", "months", *ws])
    assert bad_grain.exit_code != 0


def test_rollups_command(cli: tuple[CliRunner, list[str]]) -> None:
    runner, ws = cli
    out = runner.invoke(app, ["rollups", "--rebuild", "-f", "json", *ws])
    assert out.exit_code == 0, out.output
    status = json.loads(out.output)
    assert status["exists"] and status["fresh"] and "tag_team" in status["columns"]
