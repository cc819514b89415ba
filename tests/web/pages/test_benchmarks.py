"""Benchmarks and anomalies on the demo: league charts with the target and the cohort median,
industry figures with scope and source, an anomaly timeline with impact and drivers."""

from __future__ import annotations

from typing import Any

from tests.web.pages.conftest import figures, visible


def test_league_charts_have_target_and_median(demo_site: dict[str, Any]) -> None:
    client, h = demo_site["client"], demo_site["h"]
    html = client.get("/benchmarks", headers=h).text
    figs = figures(html)
    leagues = [f for k, f in figs.items() if k.startswith("league-")]
    assert leagues
    esr = next(f for f in leagues if f["layout"]["title"]["text"].startswith("Effective"))
    names = [t["name"] for t in esr["data"]]
    assert "cohort median" in names and "target" in names
    assert esr["layout"]["xaxis"]["tickformat"] == ".0%"
    target = next(t for t in esr["data"] if t["name"] == "target")
    assert target["x"] == [0.15, 0.15]


def test_industry_standing_says_scope_source_and_applies(demo_site: dict[str, Any]) -> None:
    client, h = demo_site["client"], demo_site["h"]
    rows = client.get("/api/benchmarks", headers=h).json()["sections"]["industry"]["rows"]
    assert rows and all(r["scope"] and r["source"] for r in rows)
    assert all(isinstance(r["applicable"], bool) for r in rows)
    assert all(r["year"] is None or r["year"].isdigit() for r in rows)  # a year, as text
    text = visible(client.get("/benchmarks", headers=h).text)
    assert "scope of the figure" in text and rows[0]["scope"] in text
    assert "2,024" not in text and "2,023" not in text


def test_anomaly_timeline_with_impact_and_drivers(demo_site: dict[str, Any]) -> None:
    client, h = demo_site["client"], demo_site["h"]
    doc = client.get("/api/anomalies?period=2026-11", headers=h).json()
    rows = doc["sections"]["timeline"]["rows"]
    assert rows and rows[0]["delta"] and rows[0]["drivers"]
    html = client.get("/anomalies?period=2026-11", headers=h).text
    fig = figures(html)["anomaly-timeline-0"]
    assert fig["data"][0]["y"][0] == rows[0]["delta"]
    assert "=" in fig["data"][0]["text"][0]  # drivers on hover
    assert '<span class="driver">' in html and "Anomaly impact" in fig["layout"]["title"]["text"]
