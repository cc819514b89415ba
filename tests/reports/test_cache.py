"""Report numbers are computed once per data change: a second report reads them from the
workspace's cache (no KPI engine call), an ingest recomputes them, and so does any change of
what they depend on (definitions, scope) or ``COSTMARK_REPORT_CACHE=off``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from costmark.api import Workspace
from costmark.reports import build_context, cache

SAMPLE = ("focus-sample-data", "FOCUS-1.0_focus_sample.csv")


def _total(ctx: dict[str, Any]) -> Any:
    rows = ctx["sections"]["scorecard"]["rows"]
    return sorted((r["currency"], r["value"]) for r in rows if r["kpi"] == "total_cost")


@pytest.fixture
def loaded(sample_less_a_day: Workspace) -> Workspace:
    return sample_less_a_day


@pytest.fixture
def calls(engine_calls: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return engine_calls


def test_second_report_needs_no_engine_call_and_ingest_recomputes(
    loaded: Workspace, shared_data: Path, calls: list[tuple[Any, ...]]
) -> None:
    first = build_context(loaded, cadence="monthly")
    assert first["period"]["label"] == "2024-09" and first["period"]["complete"] and calls
    assert list((loaded.root / ".costmark" / "cache" / "reports").glob("*.pickle"))
    calls.clear()
    again = build_context(loaded, cadence="monthly")
    assert calls == []  # scorecard, trends, movers... and the data extent all from the cache
    assert _total(again) == _total(first) and again["sections"] == first["sections"]

    loaded.ingest_focus([shared_data.joinpath(*SAMPLE)], progress=False)
    after = build_context(loaded, cadence="monthly")
    assert calls, "an ingest must invalidate the cached numbers"
    assert after["period"] == first["period"]  # same period: only the data version changed
    assert _total(after) != _total(first)
    with cache.disabled():
        assert _total(build_context(loaded, cadence="monthly")) == _total(after)


def test_stamp_follows_definitions_mapping_files_and_scope(loaded: Workspace) -> None:
    base = cache.stamp(loaded)
    assert base is not None and base == cache.stamp(loaded)
    scoped = cache.stamp(loaded.scoped({"service": "Amazon S3"}))
    assert scoped is not None and scoped != base
    renamed = _WithProject(loaded, loaded.project.model_copy(update={"name": "Renamed"}))
    assert cache.stamp(renamed) != base
    # a mapping file is read at query time: editing it changes the stamp
    (loaded.root / "teams.csv").write_text("key,value\na,b\n", "utf-8")
    mapped = loaded.project.model_copy(
        update={"dimensions": {"team": _mapped_dimension("teams.csv"), **loaded.project.dimensions}}
    )
    with_map = cache.stamp(_WithProject(loaded, mapped))
    (loaded.root / "teams.csv").write_text("key,value\na,c\nd,e\n", "utf-8")
    assert cache.stamp(_WithProject(loaded, mapped)) != with_map
    # so are the workspace's own industry reference figures
    before = cache.stamp(loaded)
    (loaded.root / "references").mkdir()
    (loaded.root / "references" / "mine.yaml").write_text("figures: []\n", "utf-8")
    assert cache.stamp(loaded) != before


def _mapped_dimension(file: str) -> Any:
    from costmark.spec.models import Dimension, MappingRule

    return Dimension(rules=[MappingRule(column="SubAccountId", file=file)])


class _WithProject:
    """``ws`` seen with other definitions (as after an edit of costmark.yaml)."""

    def __init__(self, ws: Workspace, project: Any) -> None:
        self._ws = ws
        self.project = project
        self.root = ws.root
        self.data_version = ws.data_version


def test_cache_can_be_switched_off(
    loaded: Workspace, calls: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_context(loaded, cadence="monthly")
    calls.clear()
    monkeypatch.setenv(cache.ENV, "off")
    build_context(loaded, cadence="monthly")
    assert calls


def test_unwritable_cache_only_loses_speed(
    loaded: Workspace, calls: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "FOLDER", ("cache", "reports", "\0bad"))
    ctx = build_context(loaded, cadence="monthly")
    assert ctx["sections"]["scorecard"]["status"] == "ok"
