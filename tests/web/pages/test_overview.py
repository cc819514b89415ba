"""The overview: headline tiles, the scorecard grouped by family with sparklines and status in
words, and the running period marked partial."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from costmark.web import create_app
from tests.web.conftest import bearer
from tests.web.fakes import CATALOG, Catalog, FakeWorkspace
from tests.web.pages.conftest import figures, visible

TILES = ["spend", "projected", "esr", "coverage", "utilization", "waste", "allocation",
         "unit_cost"]


class Families(FakeWorkspace):
    """The fake engine with catalog kinds: total_cost is a cost KPI, savings_rate a rate."""

    def catalog_items(self) -> list[Any]:
        kinds = {"total_cost": "cost", "savings_rate": "rate"}
        out = []
        for c in CATALOG:
            item = Catalog(c.id, c.title, c.unit, c.direction)
            item.kind = kinds[c.id]
            out.append(item)
        return out


@pytest.fixture
def fam_client(ws_root: Path, tokens: dict[str, str]) -> Any:
    app = create_app(ws_root, opener=lambda r, ro: Families(r, read_only=ro), background=False)
    with TestClient(app) as c:
        yield c


def test_tiles_and_families(fam_client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    doc = fam_client.get("/api/overview?period=2026-10", headers=h).json()
    tiles = {t["id"]: t for t in doc["tiles"]}
    assert list(tiles) == TILES
    assert tiles["spend"]["value"] == 1062 and tiles["spend"]["previous"] == 1100
    assert tiles["esr"]["value"] is None and tiles["esr"]["note"]  # no ESR in this data
    families = {f["id"]: f for f in doc["families"]}
    assert list(families) == ["cost", "rate"]
    assert [r["kpi"] for r in families["cost"]["rows"]] == ["total_cost"]
    assert families["cost"]["rows"][0]["history"] == [1100, 1062]  # the sparkline's values
    html = fam_client.get("/?period=2026-10", headers=h).text
    for tile in TILES:
        assert f'id="tile-{tile}"' in html
    assert 'id="family-cost">Cost</h3>' in html and 'id="family-rate">Rate optimization' in html
    assert "<h2>KPI scorecard</h2>" in html
    spend = html.split('id="tile-spend"')[1].split("</article>")[0]
    assert "1,062.00" in spend and "-3.5% vs 2026-09" in spend
    assert 'class="spark"' in html  # a sparkline per KPI with history
    # status in words, not colour alone
    assert 'class="chip status-no-target">no target</span>' in html


def test_running_period_is_marked_partial(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    doc = client.get("/api/overview?as_of=2026-10-15", headers=h).json()
    assert doc["period"]["label"] == "2026-09"  # the latest complete month, from the data
    running = doc["running"]
    assert running["label"] == "2026-10" and running["partial"] == "partial: 15 of 31 days"
    projected = next(t for t in doc["tiles"] if t["id"] == "projected")
    assert projected["to_date"] == 1062
    assert projected["value"] == pytest.approx(1062 * 31 / 15)
    html = client.get("/?as_of=2026-10-15", headers=h).text
    assert 'id="running"' in html and 'class="chip partial"' in html
    assert "partial: 15 of 31 days" in html
    complete = client.get("/api/overview?period=2026-10", headers=h).json()
    assert complete["running"]["status"] == "empty"  # the data ends on October's last day


def test_csv_twin_is_the_scorecard(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["viewer"])
    doc = client.get("/api/overview?period=2026-10", headers=h).json()
    got = client.get("/export/overview.csv?period=2026-10", headers=h)
    assert got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["kpi"] for r in rows] == [r["kpi"] for r in doc["sections"]["scorecard"]["rows"]]


def test_demo_overview_tiles_and_charts(demo_site: dict[str, Any]) -> None:
    client, h = demo_site["client"], demo_site["h"]
    html = client.get("/", headers=h).text
    doc = client.get("/api/overview", headers=h).json()
    assert doc["period"]["label"] == "2026-10"
    tiles = {t["id"]: t for t in doc["tiles"]}
    assert tiles["spend"]["budget"]["amount"] is not None  # spend vs budget
    assert tiles["projected"]["period"] == "2026-11" and tiles["projected"]["partial"]
    assert tiles["unit_cost"]["unit"].startswith("currency/")
    assert [f["id"] for f in doc["families"]] == ["cost", "rate", "efficiency", "business",
                                                 "planning"]
    for title in ("Cost", "Rate optimization", "Efficiency", "Unit economics", "Planning"):
        assert f">{title}</h3>" in html
    figs = figures(html)
    esr = next(f for f in figs.values() if f["layout"]["title"]["text"].startswith("Effective"))
    assert esr["layout"]["yaxis"]["tickformat"] == ".0%"
    assert "USD" not in esr["layout"]["title"]["text"]
    assert "target" in [t["name"] for t in esr["data"]]
    cost = next(f for f in figs.values() if f["layout"]["title"]["text"] == "Total cost (USD)")
    assert "USD" in cost["layout"]["yaxis"]["ticksuffix"]
    assert "partial" in visible(html)
