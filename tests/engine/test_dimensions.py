"""Dimension rules resolve in precedence order; mapping files load relative to the workspace."""

from __future__ import annotations

from decimal import Decimal

import pytest

import costmark
from costmark.errors import NotFoundError
from tests.kpi_support import load_rows, row, write_config

CONFIG = """\
version: 1
dimensions:
  team:
    allocation: true
    rules:
      - tag: team
      - column: SubAccountId
        file: mappings/team.csv
    default: unallocated
  env: {tag: env}
"""


@pytest.fixture
def ws(workspace: costmark.Workspace) -> costmark.Workspace:
    (workspace.root / "mappings").mkdir()
    (workspace.root / "mappings" / "team.csv").write_text(
        "SubAccountId,team\n111,payments\n222,search\n", "utf-8")
    write_config(workspace, CONFIG)
    load_rows(workspace, [
        row(EffectiveCost=1, SubAccountId="111", Tags='{"team": "search", "env": "prod"}'),
        row(EffectiveCost=2, SubAccountId="111", Tags='{"team": "", "env": "dev"}'),
        row(EffectiveCost=4, SubAccountId="222"),
        row(EffectiveCost=8, SubAccountId="333", Tags='{"env": "prod"}'),
    ])
    return workspace


def test_precedence_tag_mapping_default(ws: costmark.Workspace) -> None:
    result = ws.kpi("total_cost", by=["team"])
    got = {r["team"]: r["value"] for r in result.rows()}
    # the tag wins (1); an empty tag is missing, so the mapping applies (2, 4); else default (8)
    assert got == {"search": Decimal(5), "payments": Decimal(2), "unallocated": Decimal(8)}


def test_allocation_coverage_and_untagged(ws: costmark.Workspace) -> None:
    result = ws.kpi(["allocation_coverage", "untagged_cost_share", "untagged_cost_share:env"])
    assert result.value("allocation_coverage") == pytest.approx(7 / 15)
    assert result.value("untagged_cost_share") == pytest.approx(14 / 15)  # team tag missing
    assert result.value("untagged_cost_share:env") == pytest.approx(4 / 15)


def test_by_tag_and_column_without_declaring(ws: costmark.Workspace) -> None:
    result = ws.kpi("total_cost", by=["tag:env", "SubAccountId"])
    assert result.value("total_cost", **{"tag:env": "prod", "SubAccountId": "333"}) == 8
    assert result.value("total_cost", **{"tag:env": None, "SubAccountId": "222"}) == 4


def test_unmaterialised_tag_is_explained(ws: costmark.Workspace) -> None:
    with pytest.raises(NotFoundError, match="not materialised"):
        ws.kpi("total_cost", by=["tag:owner"])


def test_missing_mapping_file_is_a_config_error(ws: costmark.Workspace) -> None:
    (ws.root / "mappings" / "team.csv").unlink()
    problems = ws.check()
    assert any("mapping file mappings/team.csv not found" in p.message for p in problems)
    with pytest.raises(costmark.errors.ConfigError, match="not found"):
        ws.kpi("total_cost", by=["team"])
