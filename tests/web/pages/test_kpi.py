"""The KPI page: drill-down by any name the CLI's --by accepts, and a chart with the target,
the forecast band and anomalies on an axis in the KPI's unit."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import costmark
from costmark.web import create_app
from costmark.web import figures as web_figures
from costmark.web.pages import kpi as kpi_page
from tests.web.conftest import bearer
from tests.web.pages.conftest import figures
from tests.web.test_cli import cm

SAMPLE = Path("focus-sample-data") / "FOCUS-1.0_focus_sample.csv"


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Any]:
    """The FOCUS 1.0 sample (real public data) in a workspace, served."""
    root = tmp_path_factory.mktemp("kpi-sample") / "ws"
    with costmark.init_workspace(root) as ws:
        ws.ingest_focus([shared_data / SAMPLE], progress=False)
        token = ws.create_token("viewer")[0]
    with TestClient(create_app(root, background=False)) as client:
        yield client, bearer(token), root


def test_drill_down_by_a_focus_column_equals_the_cli(sample: Any) -> None:
    client, h, root = sample
    got = client.get("/api/kpi/total_cost?by=SubAccountName&start=2000-01-01", headers=h)
    assert got.status_code == 200, got.text[:300]
    series = got.json()["drilldown"]["series"]
    cli = cm("kpi", "total_cost", "--by", "SubAccountName", "--from", "2000-01-01",
             "--workspace", str(root), "--format", "json")
    assert cli.returncode == 0, cli.stderr
    expected = {(r["period_start"][:10], r["SubAccountName"], r["currency"]): float(r["value"])
                for r in json.loads(cli.stdout)}
    shown = {(str(r["period_start"])[:10], r["SubAccountName"], r["currency"]): float(r["value"])
             for r in series if not r.get("partial")}
    assert shown and len({k[1] for k in shown}) > 1
    for key, value in shown.items():
        assert value == pytest.approx(expected[key], rel=1e-9), key
    page = client.get("/kpi/total_cost?by=SubAccountName&start=2000-01-01", headers=h)
    assert page.status_code == 200 and "Drill-down by SubAccountName" in page.text
    assert "<option selected>SubAccountName</option>" in page.text
    assert client.get("/api/kpi/total_cost?by=tag:nope", headers=h).status_code == 404
    assert client.get("/api/kpi/total_cost?by=SubAcountName", headers=h).status_code == 404


def test_kpi_chart_has_target_forecast_and_anomalies(demo_site: dict[str, Any]) -> None:
    client, h = demo_site["client"], demo_site["h"]
    esr = figures(client.get("/kpi/effective_savings_rate", headers=h).text)["kpi-trend-0"]
    names = [t["name"] for t in esr["data"]]
    assert "target" in names and "forecast" in names and "forecast band" in names
    assert esr["layout"]["yaxis"]["tickformat"] == ".0%"
    assert esr["layout"]["title"]["text"] == "Effective savings rate (ESR)"  # no (USD)
    target = next(t for t in esr["data"] if t["name"] == "target")
    assert target["y"] == [0.15, 0.15]
    # the November spike shows as a marker once the running month is charted
    cost = figures(client.get("/kpi/total_cost?end=2026-11-14", headers=h).text)["kpi-trend-0"]
    marks = next(t for t in cost["data"] if t["name"] == "anomaly")
    assert marks["x"] == ["2026-11-01"] and "USD" in marks["text"][0]
    assert cost["layout"]["title"]["text"] == "Total cost (USD)"


def test_markers_sit_on_the_period_holding_the_anomaly() -> None:
    points = [{"period_start": dt.date(2026, 9, 1), "value": 10},
              {"period_start": dt.date(2026, 10, 1), "value": 12}]
    found = [{"start": dt.date(2026, 10, 9), "currency": "USD", "delta": 3.5,
              "delta_pct": 0.4, "severity": "high", "drivers": "team=search (90%)"}]
    marks = kpi_page._markers(found, points, "USD", "month")
    assert marks == [{"x": dt.date(2026, 10, 1), "y": 12, "text": marks[0]["text"]}]
    assert "3.50 USD" in marks[0]["text"] and "team=search" in marks[0]["text"]
    fig = web_figures.trend({"kpi": "k", "currency": "USD", "points": points}, "K", "currency",
                            target=11, anomalies=marks)
    assert [t["name"] for t in fig["data"]] == ["actual", "target", "anomaly"]
