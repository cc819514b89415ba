"""A KPI's whole definition is in one place (#12): computed KPIs carry their function, every
reader of a KPI's better direction gets it from the definition, and the KPI library does not
reach up into tracking."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from costmark.benchmarking.common import kpi_direction
from costmark.kpis import catalog, computed
from costmark.kpis.library import BY_ID
from costmark.kpis.model import ComputedKpi
from costmark.spec.models import Project

KPIS_DIR = Path(computed.__file__).parent
#: Layers above the KPI library (ARCHITECTURE order: front ends -> api -> services -> engine,
#: ingest -> kpis). The engine stays allowed until the seam work moves Context down.
HIGHER = ("costmark.api", "costmark.cli", "costmark.web", "costmark.tracking",
          "costmark.benchmarking", "costmark.maturity", "costmark.reports", "costmark.alerts")


@pytest.mark.parametrize("kpi_id", [k for k, p in BY_ID.items() if isinstance(p, ComputedKpi)])
def test_computed_kpi_carries_its_function(kpi_id: str) -> None:
    plan = BY_ID[kpi_id]
    assert isinstance(plan, ComputedKpi)
    assert callable(plan.compute)
    # declared beside its function: same module
    assert plan.compute.__module__.startswith("costmark.kpis.")


@pytest.mark.parametrize("kpi_id", list(BY_ID))
def test_direction_comes_from_the_definition(kpi_id: str) -> None:
    """The old separate table in benchmarking missed cost_change_yoy, memory_utilization,
    the commitment coverage forms and the AI unit costs (they ranked as 'none')."""
    assert kpi_direction(kpi_id) == BY_ID[kpi_id].definition.direction


def test_family_directions() -> None:
    assert kpi_direction("spend_elasticity:orders") == "lower"
    assert kpi_direction("untagged_cost_share:team") == "lower"
    assert kpi_direction("cost_per_order") == "lower"
    assert kpi_direction("cost_per_order", {"cost_per_order": "higher"}) == "higher"


def test_project_dependent_forms_bind() -> None:
    """allocation_coverage / untagged_cost_share resolve per project through their own bind,
    not through special cases in the catalog."""
    bare = Project.model_validate({"version": 1, "name": "t"})
    for kid, note in (("allocation_coverage", "no dimension has allocation: true"),
                      ("untagged_cost_share", "no tag keys configured")):
        plan = catalog.resolve(bare, kid)
        assert isinstance(plan, ComputedKpi) and dict(plan.params)["note"] == note
    tagged = Project.model_validate(yaml.safe_load(
        "version: 1\nname: t\ndimensions:\n  team:\n    tag: team\n    allocation: true\n"))
    assert not isinstance(catalog.resolve(tagged, "allocation_coverage"), ComputedKpi)
    assert not isinstance(catalog.resolve(tagged, "untagged_cost_share"), ComputedKpi)


def test_kpi_library_imports_no_higher_layer() -> None:
    """Module-level, TYPE_CHECKING and function-local imports alike."""
    offenders = []
    for path in sorted(KPIS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(HIGHER)]
    assert offenders == []
