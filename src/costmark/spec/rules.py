"""Semantic checks across costmark.yaml, every problem located (file:line), all at once.

Schema validation (pydantic) says a KPI *has* a numerator; these rules say the numerator's
column exists, its filter parses and names real columns, the business metric is declared, a
formula's KPIs exist and do not loop, and mapping files are there. Each rule is a small function
returning ``Located`` problems; ``check_file`` (``costmark check``) runs them all, and the loader
runs the cheap ones on every load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from costmark.errors import ConfigError, Located, did_you_mean
from costmark.focus.schema import canonical_columns
from costmark.spec import filters as f
from costmark.spec.benchmark_rules import benchmark_rules
from costmark.spec.budget_rules import budget_rules
from costmark.spec.formula import parse_formula, refs
from costmark.spec.kpis import SUMMABLE_COLUMNS, Measure
from costmark.spec.loader import LinePath, line_of, load_project, parse_yaml_with_lines
from costmark.spec.models import MappingRule, Project

Lines = dict[LinePath, int]
Rule = Callable[[Project, Lines, str, Path], list[Located]]

VIRTUAL = ("x_UnknownPrice", "x_UnknownContracted", "x_Allocated")


def _focus() -> list[str]:
    return [c.name for c in canonical_columns()]


def filter_problems(spec: Any, project: Project) -> list[str]:
    """Messages for a filter that does not parse or names unknown fields."""
    try:
        node = f.parse_filter(spec)
    except ConfigError as exc:
        return [str(exc)]
    known = [*project.dimensions, *_focus(), *VIRTUAL]
    out = []
    for name in sorted(f.fields_of(node)):
        if name.startswith("tag:"):
            if not name[4:]:
                out.append("'tag:' needs a key, e.g. tag:team")
            continue
        if name not in known:
            out.append(f"unknown column or dimension {name!r}{did_you_mean(name, known)}")
    return out


def dimension_rules(project: Project, lines: Lines, file: str, root: Path) -> list[Located]:
    out = []
    focus = _focus()
    for name, dim in project.dimensions.items():
        for i, rule in enumerate(dim.resolved_rules):
            column = getattr(rule, "column", None)
            if column is not None and column not in focus:
                where = ("dimensions", name, "rules", i) if dim.rules else ("dimensions", name)
                out.append(Located(
                    f"dimensions.{name}: unknown FOCUS column {column!r}"
                    + did_you_mean(column, focus), file, line_of(lines, (*where, "column"))))
    return out


def mapping_files(project: Project, lines: Lines, file: str, root: Path) -> list[Located]:
    out = []
    for name, dim in project.dimensions.items():
        for i, rule in enumerate(dim.rules):
            if isinstance(rule, MappingRule) and rule.file is not None:
                path = root / rule.file
                if not path.exists():
                    out.append(Located(
                        f"dimensions.{name}: mapping file {rule.file} not found "
                        f"(paths are relative to {root})",
                        file, line_of(lines, ("dimensions", name, "rules", i, "file"))))
    return out


def _measure_problems(m: Measure, project: Project) -> list[str]:
    out = []
    if m.sum is not None and m.sum not in SUMMABLE_COLUMNS:
        out.append(f"cannot sum {m.sum!r}" + did_you_mean(m.sum, SUMMABLE_COLUMNS)
                   + f" (summable: {', '.join(SUMMABLE_COLUMNS)})")
    if m.metric is not None and m.metric not in project.business_metrics:
        out.append(f"unknown business metric {m.metric!r}"
                   + did_you_mean(m.metric, project.business_metrics))
    if m.where is not None:
        out += filter_problems(m.where, project)
    return out


def kpi_rules(project: Project, lines: Lines, file: str, root: Path) -> list[Located]:
    from costmark.kpis.catalog import family_ids
    from costmark.kpis.library import BY_ID

    out: list[Located] = []
    known_ids = [*BY_ID, *family_ids(project), *project.kpis]
    deps: dict[str, set[str]] = {}
    for kid, spec in project.kpis.items():
        base_loc: LinePath = ("kpis", kid)

        def add(msg: str, *loc: str | int, _kid: str = kid, _base: LinePath = base_loc) -> None:
            out.append(Located(f"kpis.{_kid}: {msg}", file, line_of(lines, (*_base, *loc))))

        if kid in BY_ID:
            add(f"{kid!r} is a built-in KPI id; choose another name")
        parts: list[tuple[tuple[str, ...], Measure]] = []
        if spec.measure is not None:
            parts.append((("measure",), spec.measure))
        if spec.ratio is not None:
            parts += [(("ratio", "numerator"), spec.ratio.numerator),
                      (("ratio", "denominator"), spec.ratio.denominator)]
        if spec.difference is not None:
            parts += [(("difference", "left"), spec.difference.left),
                      (("difference", "right"), spec.difference.right)]
        for loc, m in parts:
            for msg in _measure_problems(m, project):
                add(msg, *loc)
        if spec.formula is not None:
            try:
                names = refs(parse_formula(spec.formula))
            except ConfigError as exc:
                add(str(exc), "formula")
                names = set()
            for n in sorted(names):
                if n not in known_ids:
                    add(f"formula names unknown KPI {n!r}" + did_you_mean(n, known_ids),
                        "formula")
            deps[kid] = {n for n in names if n in project.kpis}
        if spec.base is not None:
            if spec.base not in known_ids:
                add(f"unknown base KPI {spec.base!r}" + did_you_mean(spec.base, known_ids),
                    "base")
            elif spec.base in project.kpis:
                deps[kid] = {spec.base}
            for key in ("where", "scope"):
                value = getattr(spec, key)
                if value is not None:
                    for msg in filter_problems(value, project):
                        add(msg, key)
    for kid in deps:
        cycle = _cycle(kid, deps, ())
        if cycle:
            out.append(Located(f"kpis.{kid}: formulas form a cycle: {' -> '.join(cycle)}",
                               file, line_of(lines, ("kpis", kid))))
    return out


def _cycle(node: str, deps: dict[str, set[str]], trail: tuple[str, ...]) -> tuple[str, ...]:
    if node in trail:
        return (*trail, node)
    for nxt in sorted(deps.get(node, ())):
        found = _cycle(nxt, deps, (*trail, node))
        if found:
            return found
    return ()


def currency_rules(project: Project, lines: Lines, file: str, root: Path) -> list[Located]:
    c = project.currency
    if c.rates and c.reporting is None:
        return [Located("currency: 'rates' need a 'reporting' currency to convert into", file,
                        line_of(lines, ("currency", "rates")))]
    return []


#: Rules the loader runs every time (cheap, no file system).
LOAD_RULES: tuple[Rule, ...] = (
    dimension_rules, kpi_rules, currency_rules, benchmark_rules, budget_rules,
)
#: Everything ``costmark check`` runs.
CHECK_RULES: tuple[Rule, ...] = (*LOAD_RULES, mapping_files)


def run_rules(project: Project, lines: Lines, file: str, root: Path,
              rules: tuple[Rule, ...] = LOAD_RULES) -> list[Located]:
    out: list[Located] = []
    for rule in rules:
        out += rule(project, lines, file, root)
    return out


def check_file(path: Path, root: Path | None = None) -> list[Located]:
    """Every problem of a costmark.yaml: syntax, schema, then the semantic rules."""
    root = root or path.parent
    try:
        load_project(path)
    except ConfigError as exc:
        problems = list(exc.problems) or [Located(str(exc), str(path))]
    else:
        problems = []
    try:
        data, lines = parse_yaml_with_lines(path.read_text("utf-8"), str(path))
        project = Project.model_validate(data)
    except (ConfigError, ValidationError, OSError):
        return problems  # syntax / schema problems: the semantic rules need a valid project
    return run_rules(project, lines, str(path), root, CHECK_RULES)
