"""A refused or failed load changes nothing: every table, the rollup state, the data version.

Before, a failed load's ``failed`` row in the ingest log changed the rollups' fingerprint, so
every later KPI query read the raw table (20-30% slower at 3M rows) until the next good load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import costmark
from costmark.errors import ValidationFailed
from costmark.ingest import focus as focus_ingest
from tests.focus.helpers import FIXTURE, set_value, variant
from tests.ingest.warehouse_state import differences, snapshot


@pytest.fixture
def loaded(workspace: costmark.Workspace, shared_data: Path) -> costmark.Workspace:
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    workspace.ingest_focus([FIXTURE, sample], progress=False)
    status = workspace.rollup_status()
    assert status["exists"] and status["fresh"]
    return workspace


def test_refused_strict_load_changes_nothing(
    loaded: costmark.Workspace, shared_data: Path, tmp_path: Path
) -> None:
    before = snapshot(loaded)
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    with pytest.raises(ValidationFailed):
        loaded.ingest_focus([sample], strict=True, progress=False)  # 5 validation errors
    bad = variant(tmp_path / "bad.csv", set_value(2, "BilledCost", "twelve"))
    with pytest.raises(ValidationFailed):
        loaded.ingest_focus([FIXTURE, bad], strict=True, progress=False)
    after = snapshot(loaded)
    assert after == before, differences(before, after)


def test_failed_load_keeps_rollups_fresh_and_data_unchanged(
    loaded: costmark.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(loaded)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # fails inside the transaction, after the slices were deleted and the rows inserted
    monkeypatch.setattr(focus_ingest, "_totals", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        loaded.ingest_focus([FIXTURE], progress=False)
    after = snapshot(loaded, skip_failed_log=True)
    assert after == before, differences(before, after)
    assert loaded.rollup_status()["fresh"] is True
    # the attempt itself stays on record
    failed = [r for r in loaded.ingest_log() if r["status"] == "failed"]
    assert len(failed) == 1 and "disk full" in failed[0]["message"]
    # and the next KPI query is answered from the rollup, not the raw table
    sql = loaded.explain("total_cost", grain="month")
    assert "kpi_rollup" in sql
