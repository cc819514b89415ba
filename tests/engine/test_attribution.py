"""KPIs that need untagged rows (unused commitment) say so under a tag filter or grouping."""

from __future__ import annotations

import json

import pytest

from costmark.engine.attribution import untagged_rows_note
from costmark.kpis.library import BY_ID, ComputedKpi, MeasureKpi
from costmark.spec import filters as f
from tests.kpi_support import load_rows, row, write_config

CONFIG = """version: 1
dimensions:
  team:
    rules:
      - tag: team
      - column: SubAccountId
        file: team_by_account.csv
    default: unallocated
  provider: {column: ProviderName}
"""


def plan(kpi: str) -> MeasureKpi:
    p = BY_ID[kpi]
    assert isinstance(p, MeasureKpi)
    return p


@pytest.fixture
def commitments(workspace):  # type: ignore[no-untyped-def]
    """Used commitment tagged env=prod and team=web; the idle part untagged, as FOCUS has it."""
    (workspace.root / "team_by_account.csv").write_text("SubAccountId,team\nacc-1,web\n")
    write_config(workspace, CONFIG + "  env: {tag: env}\n")
    tags = json.dumps({"env": "prod", "team": "web"})
    common = {"ProviderName": "AWS", "BillingAccountId": "b", "BillingCurrency": "USD",
              "SubAccountId": "acc-1", "PricingCategory": "Committed"}  # fmt: skip
    load_rows(workspace, [
        row(**common, CommitmentDiscountStatus="Used", EffectiveCost=60, ListCost=100,
            Tags=tags),
        row(**common, CommitmentDiscountStatus="Unused", EffectiveCost=40, ListCost=0),
    ], refresh=True)  # fmt: skip
    return workspace


def test_tag_filter_on_utilization_is_noted(commitments) -> None:
    res = commitments.kpi("commitment_utilization", where="tag:env = 'prod'").rows()
    assert [r["value"] for r in res] == [1.0]  # the filter only sees used commitment...
    assert "unused commitment rows carry no tags" in res[0]["note"]  # ...and says so
    assert "tag:env" in res[0]["note"]
    plain = commitments.kpi("commitment_utilization").rows()
    assert plain[0]["value"] == pytest.approx(0.6) and plain[0]["note"] is None


def test_dimension_reading_a_tag_is_noted_in_filter_and_by(commitments) -> None:
    by = commitments.kpi("commitment_waste", by=["team"]).rows()
    assert [(r["team"], r["value"]) for r in by] == [("web", pytest.approx(0.4))]  # mapped
    assert "team places them only by its non-tag rules" in by[0]["note"]
    where = commitments.kpi("commitment_waste", where="env = 'prod'").rows()
    assert "env places them" in where[0]["note"]


def test_column_dimensions_and_other_kpis_carry_no_note(commitments) -> None:
    res = commitments.kpi("commitment_utilization", by=["provider"]).rows()
    assert res[0]["note"] is None
    cov = commitments.kpi("commitment_coverage", where="tag:env = 'prod'").rows()
    assert all(r["note"] is None or "no tags" not in r["note"] for r in cov)


def test_declared_kpis() -> None:
    needing = {
        k for k, p in BY_ID.items() if isinstance(p, MeasureKpi | ComputedKpi) and p.untagged_rows
    }
    assert {"commitment_utilization", "commitment_utilization_quantity", "commitment_waste",
            "commitment_savings", "savings_achieved"} == needing  # fmt: skip


def test_note_rules_without_data(workspace) -> None:
    write_config(workspace, CONFIG)
    project = workspace.project
    util = plan("commitment_utilization")
    assert untagged_rows_note(project, util, None, ()) is None
    assert untagged_rows_note(project, util, f.parse_filter("ServiceCategory = 'Compute'"),
                              ["provider"]) is None  # fmt: skip
    both = untagged_rows_note(project, util, f.parse_filter("tag:env in ('prod')"), ["team"])
    assert both is not None and "tag:env" in both and "team places them" in both
    assert untagged_rows_note(project, plan("total_cost"), f.parse_filter("tag:env = 'x'"),
                              ()) is None  # fmt: skip
