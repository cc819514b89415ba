"""Cross-reference checks for the benchmarking sections of costmark.yaml (``targets`` and
``peer_groups``): a target names a KPI the project can compute, overrides and peer groups name
declared dimensions. A typo here would otherwise surface as a target that silently never
applies, so the loader reports it with file:line like the other rules."""

from __future__ import annotations

from pathlib import Path

from costmark.errors import Located, did_you_mean
from costmark.spec.loader import LinePath, line_of
from costmark.spec.models import Project

Lines = dict[LinePath, int]


def benchmark_rules(project: Project, lines: Lines, file: str, root: Path) -> list[Located]:
    from costmark.kpis.catalog import all_ids

    out: list[Located] = []
    known_kpis = all_ids(project) if project.targets else []
    dims = list(project.dimensions)
    for i, target in enumerate(project.targets):
        if target.kpi not in known_kpis:
            out.append(
                Located(
                    f"targets.{i}.kpi: unknown KPI {target.kpi!r}"
                    f"{did_you_mean(target.kpi, known_kpis)}",
                    file,
                    line_of(lines, ("targets", i, "kpi")),
                )
            )
        for j, override in enumerate(target.overrides):
            for key in override.where:
                if key not in dims:
                    out.append(
                        Located(
                            f"targets.{i}.overrides.{j}.where: unknown dimension {key!r}"
                            f"{did_you_mean(key, dims)}",
                            file,
                            line_of(lines, ("targets", i, "overrides", j, "where", key)),
                        )
                    )
    for name, group in project.peer_groups.items():
        if group.dimension not in dims:
            out.append(
                Located(
                    f"peer_groups.{name}.dimension: unknown dimension {group.dimension!r}"
                    f"{did_you_mean(group.dimension, dims)}",
                    file,
                    line_of(lines, ("peer_groups", name, "dimension")),
                )
            )
    return out
