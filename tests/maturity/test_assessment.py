from __future__ import annotations

import datetime as dt

import pytest

from costmark.errors import InputError, NotFoundError, UsageError
from costmark.maturity.scoring import adjust, stage_of

NOW = dt.datetime(2026, 11, 23, 9, 0)
OCT = dt.date(2026, 10, 1)


def answers(metrics: int = 4, **more: dict) -> dict:
    caps = {
        "Cost allocation": {"knowledge": 2, "process": {"current": 1, "target": 3},
                            "metrics": metrics, "adoption": 1, "automation": 0},
        **more,
    }  # fmt: skip
    return {"capabilities": caps}


@pytest.mark.parametrize(
    ("score", "stage"), [(0, "none"), (0.8, "none"), (1, "crawl"), (1.99, "crawl"), (2, "walk"),
                         (2.6, "walk"), (3, "run"), (4, "run")],
)  # fmt: skip
def test_stage_mapping(score: float, stage: str) -> None:
    assert stage_of(score) == stage


def test_adjust_clamps_to_evidence_plus_one() -> None:
    assert adjust(4, [("allocation coverage", "crawl")], "metrics").current == 2
    assert adjust(2, [("allocation coverage", "crawl")], "metrics").current == 2
    raised = adjust(0, [("allocation coverage", "walk")], "metrics")
    assert raised.current == 1 and "raised from 0 to 1" in (raised.explanation or "")
    assert adjust(1, [("allocation coverage", "walk")], "metrics").current == 1
    assert adjust(0, [("anomaly response", "run")], "process").current == 2
    assert adjust(4, [("x", "run")], "metrics").current == 4
    assert adjust(3, [], "metrics").explanation is None
    # the weakest evidence item decides
    assert adjust(4, [("a", "run"), ("b", "none")], "metrics").current == 1


def test_score_moved_by_evidence_with_explanation(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(OCT, 0.72)]}, project=workspace.project)
    doc = workspace.assess(answers(metrics=4), source=src, now=NOW)
    cap = doc["capabilities"][0]
    assert cap["id"] == "allocation"
    metrics = cap["lenses"]["metrics"]
    assert (metrics["answered"], metrics["current"]) == (4, 2)
    assert "allocation coverage shows crawl" in metrics["explanation"]
    assert metrics["target"] == 4  # a bare answer is current = target; the target stands
    assert cap["evidence"][0]["summary"] == "72.0% (2026-10) -> crawl"
    # capability stage = floor(mean of lenses) = floor((2+1+2+1+0)/5 = 1.2)
    assert cap["current"] == 1.2 and cap["stage"] == "crawl"


def test_no_evidence_keeps_the_answer(workspace, make_source) -> None:
    doc = workspace.assess(answers(metrics=4), source=make_source(None), now=NOW)
    metrics = doc["capabilities"][0]["lenses"]["metrics"]
    assert metrics["current"] == 4 and metrics["explanation"] is None
    assert doc["capabilities"][0]["evidence"][0]["summary"].startswith("no evidence (")


def test_stored_with_date_and_compared_with_last_time(workspace, make_source) -> None:
    src = make_source({"allocation_coverage": [(OCT, 0.86)]}, project=workspace.project)
    first = workspace.assess(answers(metrics=2), source=src, now=NOW)
    second = workspace.assess(answers(metrics=3), source=src, now=NOW + dt.timedelta(days=60))
    assert first["id"] == "a-20261123-090000" and second["id"] != first["id"]
    result = workspace.assessment("latest")
    assert result["previous"]["id"] == first["id"]
    rows = {(r["capability"], r["lens"]): r for r in result["rows"]}
    m = rows[("Allocation", "metrics")]
    assert (m["current"], m["previous"], m["change"], m["target"]) == (3, 2, 1, 3)
    assert rows[("Allocation", "process")]["gap"] == 2
    by_date = workspace.assessment("latest", previous="2026-11-30")
    assert by_date["previous"]["id"] == first["id"]
    assert [a["id"] for a in workspace.assessments()] == [first["id"], second["id"]]


def test_answers_problems_are_all_reported(workspace, make_source) -> None:
    bad = {"capabilities": {"Alocation": {}, "Forecasting": {"knowledge": 5, "proces": 1}}}
    with pytest.raises(InputError) as err:
        workspace.assess(bad, source=make_source(None), now=NOW)
    text = str(err.value)
    assert "did you mean 'Allocation'" in text
    assert "Forecasting.knowledge: score must be an integer 0-4, got 5" in text
    assert "unknown lens 'proces'" in text and "Forecasting.metrics: missing" in text


def test_group_must_be_a_known_dimension(workspace, make_source) -> None:
    with pytest.raises(NotFoundError, match="unknown dimension 'tema'"):
        workspace.assess(answers(), group="tema=payments", source=make_source(None), now=NOW)
    with pytest.raises(UsageError, match="DIMENSION=VALUE"):
        workspace.assess(answers(), group="payments", source=make_source(None), now=NOW)


def test_capability_filter_requires_answers(workspace, make_source) -> None:
    with pytest.raises(UsageError, match="no answers for: Forecasting"):
        workspace.assess(answers(), capabilities=["Forecasting"], source=make_source(None))
