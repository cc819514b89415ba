"""``/metrics``: the last complete period of the data, computed once per data change.

Prometheus scrapes every 15-60 s; a scrape must not re-run the KPI engine unless data was
loaded or removed (a token, a session or a report log changes no value)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import costmark
from costmark.api import Workspace
from costmark.web import create_app, metrics
from tests.web.conftest import bearer

SAMPLE = ("focus-sample-data", "FOCUS-1.0_focus_sample.csv")


@pytest.fixture
def loaded(sample_less_a_day: Workspace) -> Workspace:
    return sample_less_a_day


@pytest.fixture
def calls(engine_calls: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return engine_calls


def _kpi_lines(text: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r"^(costmark_kpi\{[^}]*\}) (\S+)$", text, re.M)
    }


def test_exports_the_last_complete_period(loaded: Workspace) -> None:
    text = metrics.exposition(loaded, ["service"])
    assert 'costmark_period_info{period="2024-09-01",label="2024-09",' in text
    totals = [line for line in _kpi_lines(text) if 'kpi="total_cost"' in line]
    assert totals and all('period="2024-09-01"' in line for line in totals)
    assert re.search(r'^costmark_kpi_by_dimension\{kpi="total_cost",.*dimension="service",', text,
                     re.M)
    # as of a day inside September, the last complete month is August: September, running
    # then, is never exported as if it were a month
    early = metrics.exposition(loaded, ["service"], as_of="2024-09-15")
    assert 'label="2024-08"' in early and 'period="2024-09-01"' not in early


def test_scrapes_are_served_from_memory_until_data_changes(
    loaded: Workspace, shared_data: Path, calls: list[Any]
) -> None:
    first = metrics.exposition(loaded, ["service"])
    assert calls
    calls.clear()
    assert metrics.exposition(loaded, ["service"]) == first
    loaded.create_token("viewer", name="not a data change")
    assert metrics.exposition(loaded, ["service"]) == first
    assert calls == []

    loaded.ingest_focus([shared_data.joinpath(*SAMPLE)], progress=False)
    after = metrics.exposition(loaded, ["service"])
    assert calls, "an ingest must invalidate the cached exposition"
    assert _kpi_lines(after) != _kpi_lines(first)
    assert 'label="2024-09"' in after


def test_route_exports_the_sample_month(shared_data: Path, tmp_path: Path) -> None:
    with costmark.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus([shared_data.joinpath(*SAMPLE)], progress=False)
        token = ws.create_token("viewer")[0]
    with TestClient(create_app(tmp_path / "ws", background=False)) as client:
        res = client.get("/metrics?dimension=service", headers=bearer(token))
    assert res.status_code == 200, res.text
    assert 'label="2024-09"' in res.text
    assert re.search(r'^costmark_kpi\{kpi="total_cost",currency="USD",grain="month",'
                     r'period="2024-09-01"\} \d', res.text, re.M)
