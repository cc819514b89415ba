"""Periods a report cannot cover are a 400 with the CLI's message, never a 500 (issue #11)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import costmark
from costmark.web import create_app
from tests.focus.helpers import FIXTURE
from tests.web.conftest import bearer

ROUTES = ["/", "/api/overview", "/benchmarks", "/anomalies", "/report", "/api/benchmarks"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    root = tmp_path_factory.mktemp("period") / "ws"
    with costmark.init_workspace(root) as ws:
        ws.ingest_focus([FIXTURE], progress=False)
        token = ws.create_token("viewer")[0]
    with TestClient(create_app(root, background=False), follow_redirects=False) as client:
        yield client, token


@pytest.mark.parametrize("period", ["0001-01-01", "0001-01", "9999-12-31", "0001-W01"])
@pytest.mark.parametrize("route", ROUTES)
def test_implausible_period_is_a_400(
    served: tuple[TestClient, str], route: str, period: str
) -> None:
    client, token = served
    cadence = "&cadence=weekly" if "W" in period else ""
    got = client.get(f"{route}?period={period}{cadence}", headers=bearer(token))
    if got.status_code == 404:
        pytest.skip(f"{route} is not a route of this app")
    assert got.status_code == 400, (route, got.status_code, got.text[:300])
    assert "lies outside the years 1900-9000" in got.text


def test_a_plausible_period_still_answers(served: tuple[TestClient, str]) -> None:
    client, token = served
    got = client.get("/api/overview?period=2024-09", headers=bearer(token))
    assert got.status_code == 200, got.text[:300]


def test_parse_period_bounds() -> None:
    from costmark.errors import UsageError
    from costmark.reports.periods import parse_period

    assert parse_period("monthly", "1900-01").start.year == 1900
    with pytest.raises(UsageError, match="outside the years"):
        parse_period("monthly", "1899-12")
