"""Maturity, Iterations, Data and Alerts pages: readable tables and a fixed-scale radar, never
a dict or list printed as JSON or a Python repr."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from costmark.reports.charts import radar_figure
from costmark.web import display
from costmark.web.pages.maturity import LENSES
from tests.web.conftest import bearer
from tests.web.fakes import opener

NOW = dt.datetime(2026, 11, 23, 9, 0)
LEVEL = {"knowledge": 2, "process": {"current": 1, "target": 3}, "metrics": 2,
         "adoption": 1, "automation": 0}  # fmt: skip
EARLIER = dict.fromkeys(LENSES, 1)
FOCUS = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"
RAW = ("{'", '{"', "[{", "[]", "{}")


def visible_text(html: str) -> str:
    """What a person reads: the page without its scripts (chart JSON lives there) and tags."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_no_repr(html: str) -> None:
    text = visible_text(html)
    assert not [s for s in RAW if s in text], [text[text.find(s) - 80:][:160] for s in RAW
                                                 if s in text]
    assert not re.search(r"(?<![\w-])None(?![\w-])", text)


def figures(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="page-figures">(.*?)</script>', html, re.S)
    assert m, "the page has no figures"
    found: dict[str, Any] = json.loads(m.group(1))
    return found


@pytest.fixture
def seeded(ws_root: Path, tokens: dict[str, str]) -> dict[str, str]:
    """Two organisation assessments (so there is a previous one), an iteration with a KPI
    goal and a lens-score goal."""
    with opener(ws_root, False) as ws:
        ws.ingest_focus([FOCUS], progress=False)
        ws.assess({"capabilities": {"Allocation": EARLIER, "Forecasting": EARLIER}},
                  now=NOW - dt.timedelta(days=40))
        ws.assess({"assessor": "FinOps team",
                   "capabilities": {"Allocation": LEVEL, "Forecasting": LEVEL}}, now=NOW)
        ws.plan_iteration({
            "name": "Own every dollar",
            "capabilities": ["Allocation", "Forecasting", "Budget management"],
            "end": "2027-02-28",
            "goals": [
                {"capability": "Allocation", "lens": "metrics", "kpi": "savings_rate",
                 "target": 0.35, "owner": "finops", "description": "Save a third",
                 "actions": ["commit"]},
                {"capability": "Forecasting", "lens": "process", "target_score": 3,
                 "owner": "sre"},
            ],
        }, now=NOW)
    return tokens


def test_maturity_radar_is_fixed_0_to_4_with_current_target_previous(
    client: TestClient, seeded: dict[str, str]
) -> None:
    resp = client.get("/maturity", headers=bearer(seeded["admin"]))
    assert resp.status_code == 200
    fig = figures(resp.text)["maturity-radar"]
    assert fig["layout"]["polar"]["radialaxis"]["range"] == [0, 4]
    assert [t["name"] for t in fig["data"]] == ["target", "previous", "current"]
    current = fig["data"][2]
    assert current["theta"][0] == current["theta"][-1]  # the polygon closes
    assert max(current["r"]) <= 4 and min(current["r"]) >= 0


def test_maturity_lens_table_and_evidence_lines(client: TestClient, seeded: dict[str, str]) -> None:
    html = client.get("/maturity", headers=bearer(seeded["admin"])).text
    table = html[html.index('id="lens-table"'):html.index("</table>", html.index("lens-table"))]
    for lens in LENSES:
        assert f">{lens.capitalize()}</th>" in table
    assert ">Allocation</th>" in table and ">Forecasting</th>" in table
    assert "1 → 3" in table  # process: current 1, target 3
    assert "Evidence from the data" in html
    assert_no_repr(html)
    # the JSON twin keeps the machine values
    doc = client.get("/api/maturity", headers=bearer(seeded["admin"])).json()
    rows = {r["capability"]: r for r in doc["sections"]["maturity"]["lenses"]}
    assert rows["Allocation"]["process"]["current"] == 1
    assert rows["Allocation"]["process"]["target"] == 3
    assert len(doc["sections"]["history"]["rows"]) == 2


def test_iteration_goals_show_baseline_current_target_progress(
    client: TestClient, seeded: dict[str, str]
) -> None:
    html = client.get("/iterations", headers=bearer(seeded["admin"])).text
    goals = html[html.index('id="goals"'):html.index("</table>", html.index('id="goals"'))]
    for head in ("Baseline", "Current", "Target", "Progress"):
        assert f">{head}</th>" in goals
    assert "Save a third" in goals and "35.0%" in goals  # a ratio target shows as a percent
    assert "Process score" in goals  # the lens-score goal
    assert goals.count('class="goal ') == 2
    assert_no_repr(html)


def test_data_and_alerts_tables_fit(client: TestClient, seeded: dict[str, str]) -> None:
    for path in ("/data", "/alerts"):
        resp = client.get(path, headers=bearer(seeded["admin"]))
        assert resp.status_code == 200
        assert_no_repr(resp.text)
        assert re.search(r"[0-9a-f]{40}", visible_text(resp.text)) is None  # no full hashes
    data = client.get("/data", headers=bearer(seeded["admin"])).text
    assert "valid_1_2.csv" in data and str(FOCUS.parent) not in data  # the name, not the path
    assert "…" in data  # the file's sha256, shortened


@pytest.mark.parametrize("path", ["/maturity", "/iterations", "/data", "/alerts"])
def test_scoped_viewer_pages_read_cleanly(
    client: TestClient, seeded: dict[str, str], path: str
) -> None:
    resp = client.get(path, headers=bearer(seeded["payments"]))
    assert resp.status_code == 200
    assert_no_repr(resp.text)
    assert "team = payments" in resp.text  # the scope in words, not {'team': 'payments'}


def test_radar_without_previous_draws_two_polygons() -> None:
    fig = radar_figure([{"axis": "A", "score": 1.8, "target": 2, "previous": None},
                        {"axis": "B", "score": 1, "target": 3, "previous": None}])
    assert [t["name"] for t in fig["data"]] == ["target", "current"]
    assert fig["layout"]["polar"]["radialaxis"]["range"] == [0, 4]  # 1.8 never looks full


def test_display_helpers() -> None:
    assert display.short_hash("a" * 64) == "a" * 12 + "…"
    assert display.scope_text({"team": "payments"}) == "team = payments"
    both = '{"team": "payments", "env": "prod"}'
    assert display.scope_text(both) == "team = payments, env = prod"
    assert display.scope_text({}) == "all"
    assert display.readable(["a", {"b": 1}]) == "a, b = 1"
    assert display.when("2026-11-02T09:00:00.123") == "2026-11-02 09:00"
    assert display.when("2026-11-02") == "2026-11-02"
    assert display.basename("/srv/x/demo-data/aws.parquet") == "aws.parquet"
    assert display.score(2) == "2" and display.score(1.6) == "1.6" and display.score(None) == "—"
