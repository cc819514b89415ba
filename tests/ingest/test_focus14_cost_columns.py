"""FOCUS 1.4 Cost and Usage files through ingest: no ProviderName, the eligibility column under
its ratified and its working-draft name, and KPIs answered from the rollups they build."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import costmark
from costmark.focus.columns import column_map, detect_version
from costmark.focus.validate import validate_files

ELIGIBILITY = "commitment_eligibility/coverage_rate_eligibility_adjusted.csv"
EXTRA = {
    "BillingCurrency": "USD",
    "BillingAccountId": "acct-1",
    "BillingPeriodStart": "2025-04-01T00:00:00Z",
    "BillingPeriodEnd": "2025-05-01T00:00:00Z",
}


def _spec_file(shared_data: Path, tmp_path: Path, rename: dict[str, str] | None = None) -> Path:
    """The spec's eligibility example (only ServiceProviderName, no ProviderName) with the
    billing columns a loadable file needs."""
    src = shared_data / "focus-spec-current" / "specification" / "data" / ELIGIBILITY
    with src.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = tmp_path / "focus14.csv"
    renamed = [{(rename or {}).get(k, k): v for k, v in r.items()} | EXTRA for r in rows]
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(renamed[0]))
        writer.writeheader()
        writer.writerows(renamed)
    return out


def test_version_14_drops_provider_name_and_adds_eligibility() -> None:
    v14 = column_map("1.4")
    assert "ProviderName" not in v14
    assert v14["CommitmentProgramEligibilityDetails"].introduced == "1.4"
    assert detect_version({"ServiceProviderName", "CommitmentProgramEligibilityDetails"}) == "1.4"
    assert detect_version({"ServiceProviderName", "CommitmentProgramEligibility"}) == "1.4"
    assert detect_version({"ServiceProviderName", "HostProviderName"}) == "1.3"


@pytest.mark.parametrize("rename", [{}, {"CommitmentProgramEligibility":
                                         "CommitmentProgramEligibilityDetails"}],
                         ids=["draft-name", "ratified-name"])
def test_focus14_file_loads_and_answers_from_rollups(shared_data: Path, tmp_path: Path,
                                                     rename: dict[str, str]) -> None:
    path = _spec_file(shared_data, tmp_path, rename)
    with costmark.init_workspace(tmp_path / "ws") as ws:
        summary = ws.ingest_focus([path], progress=False)
        assert summary.files[0].focus_version == "1.4"
        assert summary.rows_loaded == 4 and summary.rows_quarantined == 0
        con = ws.warehouse.con
        rows = con.execute(
            'SELECT DISTINCT "ProviderName", "ServiceProviderName" FROM costs'
        ).fetchall()
        assert rows == [("Aura Web", "Aura Web")]  # the slice key comes from ServiceProviderName
        eligible = con.execute(
            'SELECT count(*) FROM costs WHERE "CommitmentProgramEligibilityDetails" IS NOT NULL'
        ).fetchall()
        assert eligible == [(2,)]
        # loading again replaces the slice (ServiceProviderName-keyed), never doubles it
        ws.ingest_focus([path], progress=False)
        assert con.execute("SELECT count(*) FROM costs").fetchall() == [(4,)]
        for rollups in (True, False):
            result = ws.kpi(["commitment_coverage_eligible",
                             "commitment_coverage_eligible_strict"], rollups=rollups)
            assert round(result.value("commitment_coverage_eligible") * 100, 1) == 55.6
            assert round(result.value("commitment_coverage_eligible_strict") * 100, 1) == 42.9


def test_validate_warns_about_the_draft_name(shared_data: Path, tmp_path: Path) -> None:
    report = validate_files([_spec_file(shared_data, tmp_path)])
    issues = [i for i in report.issues if i.rule == "draft_column"]
    assert len(issues) == 1
    assert issues[0].severity == "warning"
    assert "CommitmentProgramEligibilityDetails" in issues[0].message
    assert not [i for i in report.issues if i.rule == "unknown_column"]
