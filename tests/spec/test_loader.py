from __future__ import annotations

from pathlib import Path

import pytest

from costmark.errors import ConfigError
from costmark.spec import load_project
from costmark.workspace import default_config_text


def test_default_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "costmark.yaml"
    path.write_text(default_config_text())
    project = load_project(path)
    assert "service" in project.dimensions


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "costmark.yaml"
    path.write_text(
        "version: 1\n"
        "dimensions:\n"
        "  team:\n"
        "    tag: team\n"
        "    column: SubAccountId\n"  # two forms: error on line 3-5
        "business_metrics:\n"
        "  revenue:\n"
        "    aggregation: median\n"  # bad enum: line 8
        "surprise: 1\n"  # unknown key: line 9
    )
    with pytest.raises(ConfigError) as info:
        load_project(path)
    problems = info.value.problems
    lines = sorted(p.line for p in problems if p.line)
    assert 8 in lines and 9 in lines
    assert any(p.line in (3, 4, 5) for p in problems)
    assert all(p.file == str(path) for p in problems)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "costmark.yaml"
    path.write_text("version: 1\ndimensions: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert info.value.problems[0].line is not None


def test_dimension_tag_keys_are_materialized(tmp_path: Path) -> None:
    path = tmp_path / "costmark.yaml"
    path.write_text(
        "dimensions:\n"
        "  team: {rules: [{tag: team}, {column: SubAccountId, values: {'1': payments}}],"
        " default: unallocated}\n"
        "  env: {tag: env}\n"
        "tag_keys: [cost-center]\n"
    )
    project = load_project(path)
    assert project.materialized_tag_keys == ("cost-center", "team", "env")
