from __future__ import annotations

import pytest

from costmark.errors import NotFoundError
from costmark.maturity import LENSES, load_catalog


def test_counts_and_domains() -> None:
    cat = load_catalog()
    assert len(cat.current) == 22
    assert len(cat.older) == 18
    assert len(cat.domains["current"]) == 4
    assert len(cat.domains["older"]) == 6
    assert LENSES == ("knowledge", "process", "metrics", "adoption", "automation")


def test_every_capability_is_described_and_its_kpis_and_evidence_named() -> None:
    cat = load_catalog()
    for cap in cat.current.values():
        assert cap.description, cap.id
        for rule in cap.evidence:
            assert rule.lens in LENSES
    for cap in cat.older.values():
        assert cap.maps_to, f"{cap.id} maps to nothing"


def test_mapping_both_ways() -> None:
    cat = load_catalog()
    assert [c.id for c in cat.to_current("cost_allocation")] == ["allocation"]
    assert [c.id for c in cat.to_current("managing_commitment_discounts")] == ["rate_optimization"]
    assert {c.id for c in cat.to_older("allocation")} == {"cost_allocation", "managing_shared_cost"}
    assert [c.id for c in cat.to_older("anomaly_management")] == ["managing_anomalies"]
    # reverse mapping is the exact inverse of the forward one
    for old in cat.older.values():
        for cur in cat.to_current(old.id):
            assert old.id in cur.mapped_from
    # every older capability has a successor; new-in-2024/26 capabilities have no predecessor
    assert cat.to_older("licensing_saas") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Allocation", "allocation"),
        ("allocation", "allocation"),
        ("Cost allocation", "allocation"),
        ("Managing shared costs", "allocation"),
        ("Benchmarking", "kpis_benchmarking"),
        ("KPIs and Benchmarking", "kpis_benchmarking"),
        ("Workload Optimization", "usage_optimization"),
        ("Architecting for the Cloud", "architecting_workload_placement"),
        ("Policy & Governance", "governance_policy_risk"),
        ("FinOps Tools & Services", "automation_tools_services"),
        ("Intersecting Frameworks", "intersecting_disciplines"),
        ("Onboarding Workloads", "executive_strategy_alignment"),
        ("Budget management", "budgeting"),
        ("Data analysis", "reporting_analytics"),
        ("showback", "reporting_analytics"),
        ("FORECASTING", "forecasting"),
        ("budget-management", "budgeting"),
    ],
)
def test_lookup_accepts_either_framework(name: str, expected: str) -> None:
    assert load_catalog().resolve(name).id == expected


def test_name_used_by_both_frameworks_finds_the_current_one() -> None:
    cat = load_catalog()
    assert cat.find("Forecasting").framework == "current"
    assert cat.find("Establishing a FinOps culture").framework == "older"
    assert cat.find("Managing anomalies").id == "anomaly_management"  # a former name


def test_unknown_name_says_did_you_mean() -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Allocation'"):
        load_catalog().find("Alocation")


def test_situations_resolve_to_current_capabilities() -> None:
    cat = load_catalog()
    assert set(cat.situations) == {
        "new-to-finops", "building-team", "shared-ownership", "advanced-reporting",
        "automation", "business-value",
    }  # fmt: skip
    ids = [c.id for c in cat.resolve_many(list(cat.situation("new-to-finops").names))]
    assert ids == ["reporting_analytics", "forecasting", "budgeting", "usage_optimization",
                   "anomaly_management"]  # fmt: skip
    with pytest.raises(NotFoundError, match="did you mean"):
        cat.situation("new-to-finop")
