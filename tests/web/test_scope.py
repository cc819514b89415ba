"""A viewer scoped to team=payments sees payments' rows only — totals included — everywhere."""

from __future__ import annotations

import json
from typing import Any

from tests.web.conftest import bearer
from tests.web.fakes import FORMULA, XSS

# Hand-computed from tests/web/fakes.py: October 2026 vs September 2026.
PAYMENTS_OCT, PAYMENTS_SEP = 150, 100
ALL_OCT = 150 + 900 + 5 + 7  # 1062
OTHER_TEAM_MARKERS = ("search", "900", "1062", "1000", "HYPERLINK", "alert(")


def scorecard(client: Any, token: str) -> dict[str, Any]:
    doc = client.get("/api/overview?period=2026-10", headers=bearer(token)).json()
    return {(r["kpi"], r["currency"]): r for r in doc["sections"]["scorecard"]["rows"]}


def test_unscoped_totals(client: Any, tokens: dict[str, str]) -> None:
    rows = scorecard(client, tokens["viewer"])
    assert rows[("total_cost", "USD")]["value"] == ALL_OCT
    assert rows[("total_cost", "USD")]["previous"] == 1100
    # ratio: (30 + 90) / 1062
    assert abs(rows[("savings_rate", "USD")]["value"] - 120 / 1062) < 1e-12


def test_scoped_overview_totals_are_the_teams_own(client: Any, tokens: dict[str, str]) -> None:
    rows = scorecard(client, tokens["payments"])
    tc = rows[("total_cost", "USD")]
    assert (tc["value"], tc["previous"]) == (PAYMENTS_OCT, PAYMENTS_SEP)
    assert abs(tc["change_pct"] - 0.5) < 1e-12
    assert rows[("savings_rate", "USD")]["value"] == 30 / 150
    text = client.get("/api/overview?period=2026-10", headers=bearer(tokens["payments"])).text
    html = client.get("/?period=2026-10", headers=bearer(tokens["payments"])).text
    for marker in OTHER_TEAM_MARKERS:
        assert marker not in text, marker
        assert marker not in html, marker


def test_scoped_kpi_detail_json_csv_report_metrics(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["payments"])
    detail = client.get("/api/kpi/total_cost?start=2026-09-01", headers=h).json()
    assert [r["value"] for r in detail["series"]] == [PAYMENTS_SEP, PAYMENTS_OCT]
    assert detail["dimensions"] == ["service"]  # the scoped dimension is not offered
    assert detail["peers"]["status"] == "unavailable"
    drill = client.get("/api/kpi/total_cost?by=team&start=2026-09-01", headers=h).json()
    assert {r["team"] for r in drill["drilldown"]["rows"]} == {"payments"}
    csv_text = client.get("/export/kpi/total_cost.csv?by=team&start=2026-09-01", headers=h).text
    assert csv_text.count("\n") == 3 and "search" not in csv_text
    report = client.get("/report?format=json&period=2026-10", headers=h).json()
    assert report["scope"] == {"team": "payments"}
    tc = next(r for r in report["sections"]["scorecard"]["rows"] if r["kpi"] == "total_cost")
    assert tc["value"] == PAYMENTS_OCT
    for fmt in ("md", "html"):
        body = client.get(f"/report?format={fmt}&period=2026-10", headers=h).text
        body = body.split("</head>")[-1]  # past the inlined plotly.js
        for marker in ("search", "1,062", "900.00", "HYPERLINK"):
            assert marker not in body
    metrics = client.get("/metrics", headers=h).text
    assert (
        'costmark_kpi{kpi="total_cost",currency="USD",grain="month",period="2026-10-01"} 150.0'
        in metrics
    )
    assert "search" not in metrics and "1062" not in metrics
    # the data page hides cross-team totals and raw quarantined rows
    data = client.get("/api/data", headers=h).json()["sections"]
    assert data["quarantine"]["status"] == "unavailable"


def test_scoped_viewer_cannot_widen_its_scope(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["payments"])
    # asking for another team's drill-down or a different grouping never leaks other rows
    for url in (
        "/api/kpi/total_cost?by=team",
        "/api/kpi/total_cost?by=service",
        "/api/overview?cadence=weekly",
        "/api/anomalies",
        "/api/benchmarks",
        "/api/alerts",
        "/api/maturity",
        "/api/iterations",
    ):
        resp = client.get(url, headers=h)
        assert resp.status_code in (200, 404), (url, resp.status_code)
        for marker in ("search", "1062", "HYPERLINK"):
            assert marker not in resp.text, (url, marker)
    assert client.get("/api/tokens", headers=h).status_code == 403
    assert (
        client.post("/api/ingest", headers=h, files={"files": ("a.csv", b"x")}).status_code == 403
    )


def test_xss_through_tag_values_and_names(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    page = client.get("/kpi/total_cost?by=team&start=2026-09-01", headers=h).text
    assert XSS not in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page  # shown, escaped, in the table
    figures = page.split('id="page-figures">', 1)[1].split("</script>", 1)[0]
    assert "<" not in figures and "\\u003cscript\\u003e" in figures
    assert json.loads(figures)["kpi-drill"]["data"][0]["x"]  # still valid JSON for plotly
    overview = client.get("/?period=2026-10", headers=h).text
    assert "Test <b>Org</b>" not in overview and "Test &lt;b&gt;Org&lt;/b&gt;" in overview
    report = client.get("/report?format=html&period=2026-10", headers=h).text
    report = report.split("</head>")[-1]
    assert XSS not in report and "<b>Org</b>" not in report
    md = client.get("/report?format=md&period=2026-10", headers=h).text
    assert "<script>" not in md


def test_csv_formula_injection_is_neutralised(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    body = client.get("/export/kpi/total_cost.csv?by=team&start=2026-10-01", headers=h).text
    lines = body.splitlines()
    assert lines[0].startswith("kpi,period_start")
    hostile = [line for line in lines if "HYPERLINK" in line]
    assert len(hostile) == 1
    assert ",\"'=HYPERLINK(" in hostile[0]  # quoted, prefixed: a spreadsheet shows text


def test_prometheus_escaping(client: Any, tokens: dict[str, str]) -> None:
    text = client.get("/metrics", headers=bearer(tokens["viewer"])).text
    assert (
        'costmark_kpi{kpi="total_cost",currency="USD",grain="month",period="2026-10-01"} 1062.0'
        in text
    )
    line = next(x for x in text.splitlines() if "HYPERLINK" in x and "total_cost" in x)
    assert 'value="=HYPERLINK(\\"http://evil.example\\",\\"x\\")"' in line
    assert FORMULA not in line  # raw quotes would break the exposition format
    for ln in text.splitlines():
        assert ln.startswith(("#", "costmark_")), ln
