"""#13's CLI details: values in their unit, readable lists, no formulas in `kpi --list`,
user text printed as written (no emoji codes, no Rich markup), the token alone on a line,
ingest totals as money with the exact sum kept in JSON."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import costmark
from costmark import api
from costmark.cli import output
from costmark.cli.main import _register, app, run
from costmark.engine.kpiengine import KpiEngine
from tests.benchmarking.fake_engine import fake_kpi
from tests.benchmarking.test_service import CONFIG
from tests.kpis.fixture import build

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"


def invoke(*args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ws(workspace: costmark.Workspace) -> str:
    build(workspace)
    workspace.close()
    return str(workspace.root)


def test_kpi_table_shows_units_and_csv_json_keep_machine_values(ws: str) -> None:
    args = ["kpi", "effective_savings_rate", "total_cost", "--from", "2024-01", "--to",
            "2024-01", "-w", ws]
    code, table, err = invoke(*args)
    assert code == 0, err
    assert "$" in table and "%" in table  # money with its currency, the ratio as a percentage
    esr = json.loads(invoke(*args, "-f", "json")[1])
    assert all(r["unit"] == {"total_cost": "currency",
                             "effective_savings_rate": "ratio"}[r["kpi"]] for r in esr)
    ratio = next(r for r in esr if r["kpi"] == "effective_savings_rate")
    assert 0 <= ratio["value"] <= 1  # JSON keeps the fraction
    header, *lines = invoke(*args, "-f", "csv")[1].splitlines()
    assert header.split(",")[4:6] == ["value", "unit"]
    assert any(line.split(",")[5] == "ratio" for line in lines)


def test_kpi_list_reads_as_descriptions_not_formulas(ws: str) -> None:
    code, table, err = invoke("kpi", "--list", "-w", ws)
    assert code == 0, err
    assert "ResourceId" not in table  # only cost_per_resource's formula names it
    assert "Amortized" in table  # total_cost's description
    listed = json.loads(invoke("kpi", "--list", "-w", ws, "-f", "json")[1])
    total = next(k for k in listed if k["id"] == "total_cost")
    assert total["formula"] == "Σ EffectiveCost" and total["shown_as"] == "money"


def test_info_lists_are_text_not_json(ws: str) -> None:
    code, table, err = invoke("info", "-w", ws)
    assert code == 0, err
    assert '["' not in table and "', '" not in table
    doc = json.loads(invoke("info", "-w", ws, "-f", "json")[1])
    assert isinstance(doc[0]["dimensions"], list)  # machines still get a list


def test_check_prints_user_text_as_written(tmp_path: Path) -> None:
    root = tmp_path / "w"
    api.init_workspace(root).close()
    config = root / "costmark.yaml"
    lines = config.read_text().splitlines()
    lines += ["#"] * (99 - len(lines)) + ["bogus_key: [bold]x[/bold] :100:"]
    config.write_text("\n".join(lines) + "\n")
    code, out, err = invoke("check", "-w", str(root))
    assert code == 1
    assert "costmark.yaml:100" in err and "💯" not in out + err


def test_markup_in_names_is_not_interpreted(tmp_path: Path) -> None:
    root = tmp_path / "w"
    api.init_workspace(root).close()
    code, _, err = invoke("token", "create", "--role", "viewer", "--name", "[red]bob:100:",
                            "-w", str(root))
    assert code == 0, err
    assert "[red]bob:100:" in err


def test_token_create_prints_the_secret_alone(tmp_path: Path) -> None:
    root = tmp_path / "w"
    api.init_workspace(root).close()
    code, out, err = invoke("token", "create", "--role", "admin", "-w", str(root))
    assert code == 0, err
    assert out.endswith("\n") and len(out.splitlines()) == 1  # one line, nothing else
    token = out.strip()
    assert token.startswith("cm_") and " " not in token and "│" not in token
    assert "shown once" in err
    with costmark.open(root) as w:  # the printed text is the working token
        assert w.tokens()[0]["id"] == token.split("_")[1]


def test_ingest_totals_are_money_in_tables_and_exact_in_json(
    workspace: costmark.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(workspace.root)
    workspace.close()
    # a terminal wide enough for the table (narrow ones fold every cell: tests/cli/test_output)
    monkeypatch.setattr(output, "console", Console(width=160, emoji=False))
    code, table, err = invoke("ingest", "focus", str(FIXTURE), "-w", root)
    assert code == 0, err
    cells = "".join(table.split())
    assert "$13.70" in cells and "$20.20" in cells  # the fixture's EffectiveCost, ListCost
    _, doc_text, _ = invoke("ingest", "log", "-w", root, "-f", "json")
    totals = json.loads(doc_text)[0]["totals"]["USD"]
    assert Decimal(str(totals["EffectiveCost"])) == Decimal("13.7")  # exact, as given


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *args: str) -> tuple[int, str, str]:
    """The real entry point (error handling and exit codes included)."""
    monkeypatch.setattr(sys, "argv", ["costmark", *args])
    code = 0
    try:
        run()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("value", "code"), [("2024/01/01", 2), ("20240101", 2),
                                             ("2024-13", 2), ("2024-01", 0),
                                             ("2024-01-31", 0)])
def test_one_date_parser_for_every_command(
    ws: str, value: str, code: int, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = [["kpi", "total_cost", "--from", value]]
    if code:  # the same refusal everywhere (valid dates are left to each command's tests)
        commands += [["budgets", "--as-of", value], ["anomalies", "total_cost", "--to", value],
                     ["contracts", "--as-of", value], ["report", "--as-of", value, "-f", "md"]]
    for args in commands:
        got, _, err = cli(monkeypatch, capsys, *args, "-w", ws)
        assert got == code, (args, err)
        if code:
            assert "YYYY-MM-DD, or YYYY-MM" in err and value in err


def test_benchmark_shows_ratios_as_percentages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(KpiEngine, "kpi", fake_kpi)
    root = tmp_path / "org"
    api.init_workspace(root, config_text=CONFIG).close()
    monkeypatch.setenv("COLUMNS", "250")
    code, out, err = cli(monkeypatch, capsys, "benchmark", "effective_savings_rate", "--by",
                         "team", "--against", "targets,peers", "-w", str(root))
    assert code == 0, err
    assert "31.0%" in out  # zeta-orbit's April ESR, 0.31
    assert "25.0%" in out  # the target
    assert " pp " in out or " pp" in out  # gaps of a ratio in percentage points
    assert "0.3100" not in out
