"""A report's build is one pass (``costmark.engine.memo``): a request its parts share (the
data's extent is asked by the cutoff, every forecast, budgets and benchmarks) is computed once,
and the report's numbers are those of the parts asking on their own."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import costmark
from costmark.api import Workspace
from costmark.engine import memo
from costmark.engine.kpiengine import KpiEngine
from costmark.reports import build_context, cache
from costmark.reports import context as report_context

SAMPLE = ("focus-sample-data", "FOCUS-1.0_focus_sample.csv")
#: Engine computations of the sample's uncached monthly report (15 today, from 21 asks); a
#: new part may add a few, a part asking per KPI instead of once for all would add many more.
MAX_ANSWERS = 20


@pytest.fixture
def loaded(shared_data: Path, tmp_path: Path) -> Iterator[Workspace]:
    ws = costmark.init_workspace(tmp_path / "ws")
    ws.ingest_focus([shared_data.joinpath(*SAMPLE)], progress=False)
    yield ws
    ws.close()


def _counted(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    runs: list[Any] = []
    answers: list[Any] = []
    run, answer = KpiEngine.run, KpiEngine.answer

    def counting_run(self: KpiEngine, plan: Any) -> Any:
        runs.append(plan)
        return run(self, plan)

    def counting_answer(self: KpiEngine, request: Any) -> Any:
        answers.append(request)
        return answer(self, request)

    monkeypatch.setattr(KpiEngine, "run", counting_run)
    monkeypatch.setattr(KpiEngine, "answer", counting_answer)
    return runs, answers


def test_a_report_computes_each_distinct_request_once(
    loaded: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs, answers = _counted(monkeypatch)
    with cache.disabled():
        ctx = build_context(loaded, cadence="monthly")
    assert ctx["sections"]["trends"]["status"] == "ok"
    assert len(answers) == len(set(answers)), "a request was computed twice in one report"
    assert len(runs) > len(answers)  # the parts did ask the same thing more than once
    assert len(answers) <= MAX_ANSWERS


def test_the_pass_changes_no_number(loaded: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    with cache.disabled():
        shared = build_context(loaded, cadence="monthly")
        monkeypatch.setattr(report_context.memo, "one_pass", contextlib.nullcontext)
        alone = build_context(loaded, cadence="monthly")
    assert shared["sections"] == alone["sections"]
    assert shared["period"] == alone["period"] and shared["as_of"] == alone["as_of"]


def test_outside_a_pass_nothing_is_remembered_and_answers_are_copies(
    loaded: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, answers = _counted(monkeypatch)
    loaded.kpi("total_cost", grain="day")
    loaded.kpi("total_cost", grain="day")
    assert len(answers) == 2
    with memo.one_pass():
        first = loaded.kpi("total_cost", grain="day")
        first._rows[0]["value"] = "changed by its asker"
        with memo.one_pass():  # a nested pass is the outer one
            again = loaded.kpi("total_cost", grain="day")
    assert len(answers) == 3
    assert again.rows()[0]["value"] != "changed by its asker"
    assert [r["period_start"] for r in again.rows()] == [r["period_start"] for r in first.rows()]


def test_what_every_request_reads_beside_its_scan_is_read_once_per_report(
    loaded: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corrections list and the rollups' state are read by every KPI request; in one
    report (one pass) they are read once."""
    from costmark.engine import corrections, rollups

    reads: list[str] = []
    read_corrections, read_state = corrections._corrections, rollups.state

    def counted_corrections(con: Any) -> Any:
        reads.append("corrections")
        return read_corrections(con)

    def counted_state(con: Any, **kwargs: Any) -> Any:
        reads.append("rollups")
        return read_state(con, **kwargs)

    monkeypatch.setattr(corrections, "_corrections", counted_corrections)
    monkeypatch.setattr(rollups, "state", counted_state)
    loaded.kpi("total_cost")
    loaded.kpi("total_cost", grain="day")
    assert reads.count("corrections") == 2  # outside a pass: read by each request
    reads.clear()
    with cache.disabled():
        build_context(loaded, cadence="monthly")
    assert reads.count("corrections") == 1
    assert reads.count("rollups") == 1
