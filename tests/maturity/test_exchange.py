from __future__ import annotations

import datetime as dt

import pytest

import costmark
from costmark.errors import InputError

NOW = dt.datetime(2026, 11, 23, 9, 0)


def test_yaml_round_trip_is_exact(workspace, make_source, tmp_path) -> None:
    src = make_source({"allocation_coverage": [(dt.date(2026, 10, 1), 0.8)]})
    caps = ("Allocation", "Forecasting", "Budgeting")
    lenses = ("knowledge", "process", "metrics", "adoption", "automation")
    workspace.assess({"capabilities": {c: dict.fromkeys(lenses, 2) for c in caps}},
                     source=src, now=NOW)  # fmt: skip
    spec = {"capabilities": list(caps), "end": "2027-01-31", "goals": [
        {"capability": "Allocation", "lens": "metrics", "kpi": "allocation_coverage",
         "target": 0.9, "owner": "platform", "actions": ["tag: everything", "2026-12-01"],
         "description": "Owner for \"all\" cost — über"}]}  # fmt: skip
    workspace.plan_iteration(spec, source=src, now=NOW)
    workspace.review_iteration(source=src, notes={"improve": ["yes: no"]}, now=NOW, early=True)
    text = workspace.export_maturity()

    other = costmark.init_workspace(tmp_path / "other")
    try:
        assert other.import_maturity(text) == {"assessments": 1, "iterations": 1}
        assert other.export_maturity() == text
        assert other.iterations() == workspace.iterations()
        assert other.assessments() == workspace.assessments()
        # importing again replaces, never duplicates
        other.import_maturity(text)
        assert other.export_maturity() == text
    finally:
        other.close()


def test_import_rejects_other_files(workspace) -> None:
    with pytest.raises(InputError, match="not a costmark maturity export"):
        workspace.import_maturity("a: 1\n", "x.yaml")
    with pytest.raises(InputError, match=r"iterations\[0\] lacks 'goals'"):
        workspace.import_maturity(
            "costmark_maturity: 1\niterations:\n- {id: it-1, number: 1, status: active, "
            "created_at: x, capabilities: []}\n", "x.yaml",
        )  # fmt: skip
