"""Load costmark.yaml into a validated ``Project``, reporting every problem with file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from costmark.errors import ConfigError, Located
from costmark.spec.models import Project

LinePath = tuple[str | int, ...]


def _to_python(node: yaml.Node, path: LinePath, lines: dict[LinePath, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.safe_load(yaml.serialize(key_node))
                if key_node.tag != "tag:yaml.org,2002:str"
                else key_node.value
            )
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _to_python(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def parse_yaml_with_lines(text: str, file: str) -> tuple[Any, dict[LinePath, int]]:
    """Parse YAML keeping the line of every key and value, so errors can point at them."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"{file} is not valid YAML",
            [Located(str(getattr(exc, "problem", exc)), file, mark.line + 1 if mark else None)],
        ) from exc
    lines: dict[LinePath, int] = {}
    if node is None:
        return {}, lines
    return _to_python(node, (), lines), lines


def line_of(lines: dict[LinePath, int], loc: LinePath) -> int | None:
    """The line of the deepest part of ``loc`` that exists in the file."""
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def load_project(path: Path) -> Project:
    """Read and validate costmark.yaml; raise ConfigError listing every problem at once."""
    file = str(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file} not found; run 'costmark init' to create it") from None
    data, lines = parse_yaml_with_lines(text, file)
    if not isinstance(data, dict):
        raise ConfigError(
            f"{file} must be a mapping at the top level", [Located("not a mapping", file, 1)]
        )
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(
                p
                for p in err["loc"]
                if not (isinstance(p, str) and p.startswith(("function-", "tagged-union")))
            )
            clean_loc = tuple(p for p in loc if p not in ("TagRule", "ColumnRule", "MappingRule"))
            where = ".".join(str(p) for p in clean_loc) or "(top level)"
            problems.append(Located(f"{where}: {err['msg']}", file, line_of(lines, clean_loc)))
        # unions report one error per alternative; keep each message once
        unique = list(dict.fromkeys(problems))
        raise ConfigError(f"{file} has {len(unique)} problem(s)", unique) from None
    # semantic rules across the project (names, filters, formulas), all reported at once
    from costmark.spec.rules import run_rules

    semantic = run_rules(project, lines, file, path.parent)
    if semantic:
        raise ConfigError(f"{file} has {len(semantic)} problem(s)", semantic)
    return project
