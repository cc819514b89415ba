"""Every page renders, has a JSON twin with the same data, and says so when data is missing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import bearer

PAGES = [
    (
        "/",
        "/api/overview",
        ["KPI scorecard", "Trends and forecasts", "Top movers", "Anomalies", "Budget status"],
    ),
    (
        "/kpi/total_cost",
        "/api/kpi/total_cost",
        ["Total cost", "Target", "Drill-down", "Peers", "Series"],
    ),
    ("/benchmarks", "/api/benchmarks", ["Peer league tables", "Industry standing"]),
    ("/anomalies", "/api/anomalies", ["Anomalies", "Budget status"]),
    ("/maturity", "/api/maturity", ["Maturity", "Assessments"]),
    ("/iterations", "/api/iterations", ["Current iteration goals", "Iterations"]),
    ("/data", "/api/data", ["Ingest log", "Quarantine", "Validation issues"]),
    ("/alerts", "/api/alerts", ["Alert log", "Report runs"]),
]


@pytest.mark.parametrize(("page", "twin", "headings"), PAGES)
def test_page_and_twin(
    client: Any, tokens: dict[str, str], page: str, twin: str, headings: list[str]
) -> None:
    h = bearer(tokens["viewer"])
    html = client.get(page, headers=h)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    for title in headings:
        assert title in html.text, title
    assert f'href="{twin}' in html.text  # the page links its JSON twin
    doc = client.get(twin, headers=h)
    assert doc.status_code == 200 and doc.headers["content-type"] == "application/json"
    # every section in the twin has a status, and a note whenever it has no data
    for sec in doc.json().get("sections", {}).values():
        assert sec["status"] in ("ok", "empty", "unavailable", "error")
        assert sec["status"] != "error", sec
        if sec["status"] != "ok":
            assert sec["note"] and sec["note"] in html.text.replace("&#39;", "'")


def test_overview_charts_and_links(client: Any, tokens: dict[str, str]) -> None:
    html = client.get("/?period=2026-10", headers=bearer(tokens["viewer"])).text
    assert '<script src="/static/plotly.min.js"></script>' in html
    assert 'id="page-figures"' in html and 'class="chart" id="trend-0"' in html
    assert 'href="/kpi/total_cost"' in html
    assert "cdn." not in html


def test_kpi_drilldown(client: Any, tokens: dict[str, str]) -> None:
    doc = client.get(
        "/api/kpi/total_cost?by=team&start=2026-09-01", headers=bearer(tokens["viewer"])
    ).json()
    drill = doc["drilldown"]
    assert drill["period_start"] == "2026-10-01"
    assert [(r["team"], r["value"]) for r in drill["rows"]][:2] == [
        ("search", 900),
        ("payments", 150),
    ]
    assert [r["value"] for r in doc["series"]] == [1100, 1062]


def test_one_error_handler_json_or_html(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    missing = client.get("/api/kpi/total_cots", headers=h)
    assert missing.status_code == 404
    assert missing.json() == {
        "ok": False,
        "status": 404,
        "error": "unknown KPI 'total_cots' (did you mean 'total_cost'?)",
    }
    page = client.get("/kpi/total_cots", headers=h)
    assert page.status_code == 404 and "<h1>Error 404</h1>" in page.text
    assert "did you mean &#39;total_cost&#39;" in page.text
    assert client.get("/api/kpi/total_cost?grain=hour", headers=h).status_code == 400
    bad = client.get("/api/overview?cadence=hourly", headers=h)
    assert bad.status_code == 422 and bad.json()["ok"] is False
    assert client.get("/api/kpi/total_cost?by=colour", headers=h).status_code == 404
    nothing = client.get("/no/such/page", headers=h)
    assert nothing.status_code == 404 and "Error 404" in nothing.text
    assert client.get("/api/nothing", headers=h).json()["status"] == 404


def test_docs_are_offline_and_list_the_api(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    docs = client.get("/docs", headers=h).text
    assert "/api/overview" in docs and "/metrics" in docs and "cdn" not in docs
    schema = client.get("/openapi.json", headers=h).json()
    assert "/api/kpi/{kpi_id}" in schema["paths"]


def test_report_download_formats(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    md = client.get("/report?format=md&period=2026-10", headers=h)
    assert md.headers["content-type"].startswith("text/markdown")
    assert "| Total cost | USD | 1,062.00 | 1,100.00 |" in md.text
    assert client.get("/report?format=docx", headers=h).status_code == 422


def test_metrics_text_format(client: Any, tokens: dict[str, str]) -> None:
    resp = client.get("/metrics", headers=bearer(tokens["viewer"]))
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    sample = re.compile(r'^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? -?[0-9.e+-]+$')
    for line in resp.text.strip().splitlines():
        assert line.startswith("#") or sample.match(line), line
    assert "costmark_kpi_by_dimension" in resp.text and 'dimension="team"' in resp.text
    only = client.get("/metrics?dimension=team", headers=bearer(tokens["viewer"]))
    assert only.status_code == 200
    assert (
        client.get("/metrics?dimension=nope", headers=bearer(tokens["viewer"])).status_code == 404
    )
