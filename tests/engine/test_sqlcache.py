"""Compiled KPI SQL is kept on disk (``costmark.engine.sqlcache``): a new process answers a
request it has not compiled yet from the earlier process's SQL, with the same numbers, and any
change of what the SQL depends on (project, code) compiles anew."""

from __future__ import annotations

from typing import Any

import pytest

import costmark
from costmark.engine import sqlcache
from costmark.engine.backends import DuckDbBackend
from tests.kpis.fixture import build

IDS = ["total_cost", "effective_savings_rate", "commitment_coverage"]


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = DuckDbBackend.to_sql

    def to_sql(self: DuckDbBackend, expr: Any) -> str:
        seen.append(expr)
        return real(self, expr)

    monkeypatch.setattr(DuckDbBackend, "to_sql", to_sql)
    return seen


def _ask(root: Any) -> list[dict[str, Any]]:
    with costmark.open_workspace(root) as ws:  # its own connection, engine and backend
        return ws.kpi(IDS, by=["team"]).rows()


def test_a_new_process_reads_the_sql_and_keeps_the_numbers(
    workspace: costmark.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(workspace)
    first = workspace.kpi(IDS, by=["team"]).rows()
    workspace.close()
    assert list((workspace.root / ".costmark" / "cache" / "sql").glob("*.sql"))
    compiled = _compiles(monkeypatch)
    assert _ask(workspace.root) == first
    assert compiled == []


def test_changed_code_or_project_compiles_anew(
    workspace: costmark.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(workspace)
    first = workspace.kpi(IDS, by=["team"]).rows()
    workspace.close()
    compiled = _compiles(monkeypatch)
    monkeypatch.setattr(sqlcache, "code_stamp", lambda: "another costmark")
    assert _ask(workspace.root) == first
    assert compiled, "SQL written by other code was reused"
    compiled.clear()
    config = workspace.root / "costmark.yaml"
    config.write_text(config.read_text().replace("name: kpi fixture", "name: renamed"))
    assert _ask(workspace.root) == first
    assert compiled, "SQL compiled for another project was reused"


def test_an_unwritable_cache_only_loses_the_speed_up(
    workspace: costmark.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(workspace)
    folder = workspace.root / ".costmark" / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sql").write_text("a file where the folder would be")
    first = workspace.kpi(IDS, by=["team"]).rows()
    workspace.close()
    compiled = _compiles(monkeypatch)
    assert _ask(workspace.root) == first
    assert compiled
