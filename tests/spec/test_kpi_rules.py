"""Semantic checks of costmark.yaml: every problem at once, located, with did-you-mean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import costmark
from costmark.cli.main import _register, app
from costmark.errors import ConfigError
from costmark.spec.rules import check_file

BAD = """\
version: 1
dimensions:
  team:
    rules:
      - tag: team
      - column: SubAcountId
        file: mappings/missing.csv
business_metrics:
  transactions: {aggregation: sum}
kpis:
  total_cost:
    measure: {sum: EffectiveCost}
  a:
    ratio:
      numerator: {sum: EffectivCost, where: "ServiceCategori = 'Compute'"}
      denominator: {metric: transaction}
  b:
    formula: "c + 1"
  c:
    formula: "b * 2"
  d:
    base: effective_saving_rate
  e:
    measure: {sum: ListCost, where: "ServiceCategory = "}
"""


def test_check_reports_everything_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "costmark.yaml"
    path.write_text(BAD, "utf-8")
    problems = check_file(path, tmp_path)
    text = "\n".join(str(p) for p in problems)
    expected = [
        ("unknown FOCUS column 'SubAcountId' (did you mean 'SubAccountId'?)", 6),
        ("'total_cost' is a built-in KPI id", 12),
        ("cannot sum 'EffectivCost' (did you mean 'EffectiveCost'?)", 15),
        ("unknown column or dimension 'ServiceCategori' (did you mean 'ServiceCategory'?)", 15),
        ("unknown business metric 'transaction' (did you mean 'transactions'?)", 16),
        ("formulas form a cycle", None),
        ("unknown base KPI 'effective_saving_rate'", 22),
        ("cannot read filter", 24),
        ("mapping file mappings/missing.csv not found", 7),
    ]
    for fragment, line in expected:
        hits = [p for p in problems if fragment in p.message]
        assert hits, f"missing {fragment!r} in:\n{text}"
        if line is not None:
            assert hits[0].line == line, (fragment, hits[0])
    assert all(p.file == str(path) for p in problems)


def test_loader_refuses_semantic_problems(tmp_path: Path) -> None:
    path = tmp_path / "costmark.yaml"
    path.write_text(BAD, "utf-8")
    with pytest.raises(ConfigError) as exc:
        costmark.spec.load_project(path)
    assert len(exc.value.problems) >= 7


def test_cli_check_and_schema(workspace: costmark.Workspace) -> None:
    _register()
    runner = CliRunner()
    ok = runner.invoke(app, ["check", "--workspace", str(workspace.root)])
    assert ok.exit_code == 0, ok.output
    schema = runner.invoke(app, ["schema"])
    assert schema.exit_code == 0
    assert "kpis" in json.loads(schema.output)["properties"]
    workspace.config_path.write_text(BAD, "utf-8")
    bad = runner.invoke(app, ["check", "--workspace", str(workspace.root), "-f", "json"])
    assert bad.exit_code == 1
    rows = json.loads(bad.output)
    assert any(r["line"] == 15 for r in rows)
