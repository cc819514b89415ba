"""Allocation coverage over taggable cost (FOCUS 1.4 TagDetails), beside the plain form.

TagDetails is null exactly when a charge has no tags and no tag source could carry them (the
column's spec); such charges are left out of both sides of ``allocation_coverage_taggable``.
Numbers worked by hand on four rows; the tagged row's TagDetails is the spec's object example.
"""

from __future__ import annotations

import json

import pytest

import costmark
from tests.kpi_support import load_rows, row, write_config

CONFIG = """\
version: 1
dimensions:
  team:
    allocation: true
    rules:
      - tag: team
"""

#: The spec's TagDetails object example (Default scheme) with the allocation tag in it.
TAGGED = {"Default": {"Tags": {"team": {"TagSource": "Resource", "TagSourceId": "r-1",
                                        "TagValue": "search", "AncestorTaggedSources": None}},
                      "UntaggedSources": None}}
#: Taggable, but nothing was tagged: the resource is an untagged source.
UNTAGGED = {"Default": {"Tags": {}, "UntaggedSources": ["Resource"]}}


def _rows(with_details: bool) -> list[dict[str, object]]:
    def details(obj: object) -> str | None:
        return json.dumps(obj) if with_details and obj is not None else None

    return [
        # 100 tagged (allocated, taggable)
        row(EffectiveCost=100, Tags='{"team": "search"}', TagDetails=details(TAGGED)),
        # 50 taggable but untagged: an allocation gap
        row(EffectiveCost=50, TagDetails=details(UNTAGGED)),
        # 30 support fee no tag source covers (TagDetails null): not a gap
        row(EffectiveCost=30, ServiceCategory="Management and Governance"),
        # -10 credit on the taggable resource: left out of both sides, said in the note
        row(EffectiveCost=-10, ChargeCategory="Credit", TagDetails=details(UNTAGGED)),
    ]


def test_taggable_coverage_worked_by_hand(workspace: costmark.Workspace, engine: str) -> None:
    """Plain: 100 / (100 + 50 + 30) = 55.6%. Taggable: 100 / (100 + 50) = 66.7%."""
    write_config(workspace, CONFIG)
    load_rows(workspace, _rows(with_details=True))
    result = workspace.kpi(["allocation_coverage", "allocation_coverage_taggable"],
                           engine=engine)
    plain = next(r for r in result.rows() if r["kpi"] == "allocation_coverage")
    taggable = next(r for r in result.rows() if r["kpi"] == "allocation_coverage_taggable")
    assert (plain["numerator"], plain["denominator"]) == (100, 180)
    assert plain["value"] == pytest.approx(100 / 180)
    assert (taggable["numerator"], taggable["denominator"]) == (100, 150)
    assert taggable["value"] == pytest.approx(100 / 150)
    assert "-10.00" in taggable["note"]  # the credit on taggable cost, left out of both sides


def test_without_tag_details_is_null_with_the_fallback(workspace: costmark.Workspace,
                                                       engine: str) -> None:
    """Data before FOCUS 1.4 (no TagDetails): no charge is known to be taggable, so the
    taggable form is null and its note points to the plain form, which is unchanged."""
    write_config(workspace, CONFIG)
    load_rows(workspace, _rows(with_details=False))
    result = workspace.kpi(["allocation_coverage", "allocation_coverage_taggable"],
                           engine=engine)
    plain = next(r for r in result.rows() if r["kpi"] == "allocation_coverage")
    taggable = next(r for r in result.rows() if r["kpi"] == "allocation_coverage_taggable")
    assert plain["value"] == pytest.approx(100 / 180)
    assert taggable["value"] is None
    assert "TagDetails" in taggable["note"] and "allocation_coverage" in taggable["note"]
