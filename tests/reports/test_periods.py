"""Every caller judges the period the data says, not the calendar (issue 10, section 4).

On the real FOCUS 1.0 sample (September 2024, read years later) the report, the dashboard's
overview, assess evidence, /metrics and alerts all judge 2024-09 and show its numbers. On a
generated organisation whose data ends on 1 December, defaults judge November and the running
December is labelled "partial: 1 of 31 days"; --as-of / ?as_of= override.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import costmark
from costmark import api
from costmark.cli.main import _register, app
from costmark.errors import UsageError
from costmark.reports.periods import parse_period
from costmark.web import create_app
from tests.web.conftest import bearer

SAMPLE = Path("focus-sample-data") / "FOCUS-1.0_focus_sample.csv"
ALERT = "\nalerts:\n  rules:\n    - {name: spend, kind: kpi_above, kpi: total_cost, threshold: 0}\n"
SEPTEMBER = "period 2024-09 (latest complete month in the data, which ends 2024-09-30)"


def _cli(*args: str) -> Any:
    _register()
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    if not (shared / SAMPLE).exists():
        pytest.skip(f"{shared / SAMPLE} not present")
    root = tmp_path_factory.mktemp("sample") / "ws"
    ws = costmark.init_workspace(root)
    ws.config_path.write_text(ws.config_path.read_text() + ALERT)
    ws.reload_project()
    ws.ingest_focus([shared / SAMPLE], progress=False)
    september = {
        r["currency"]: r["value"]
        for r in ws.kpi("total_cost", start="2024-09-01", end="2024-09-30").rows()
    }
    token = ws.create_token("viewer")[0]
    fired = ws.evaluate_alerts()  # writes the alert log: before the app holds the warehouse
    ws.close()
    with TestClient(create_app(root, background=False)) as client:
        yield {"root": root, "client": client, "headers": bearer(token), "total": september,
               "fired": fired}


def test_report_json_judges_september_2024(sample: dict[str, Any]) -> None:
    result = _cli("report", "-f", "json", "-w", str(sample["root"]))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["period"]["label"] == "2024-09" and doc["period"]["describe"] == SEPTEMBER
    assert doc["period"]["complete"] is True and doc["as_of"]["data_last_day"] == "2024-09-30"
    card = doc["sections"]["scorecard"]
    assert card["status"] == "ok"
    total = {r["currency"]: r["value"] for r in card["rows"] if r["kpi"] == "total_cost"}
    assert {k: Decimal(str(v)) for k, v in total.items()} == sample["total"]
    assert doc["sections"]["anomalies"]["status"] == "ok"


def test_report_markdown_says_which_period_and_why(sample: dict[str, Any]) -> None:
    result = _cli("report", "-f", "md", "-w", str(sample["root"]))
    assert result.exit_code == 0, result.output
    assert "Judged: latest complete month in the data, which ends 2024-09-30." in result.output
    assert "No data yet" not in result.output.split("## KPI scorecard")[1].split("##")[0]


def test_overview_api_judges_september_2024(sample: dict[str, Any]) -> None:
    doc = sample["client"].get("/api/overview", headers=sample["headers"]).json()
    assert doc["period"]["label"] == "2024-09" and doc["period"]["describe"] == SEPTEMBER
    assert doc["sections"]["scorecard"]["status"] == "ok"
    assert any(r["kpi"] == "total_cost" for r in doc["sections"]["scorecard"]["rows"])
    given = sample["client"].get("/api/overview?as_of=2024-09-15", headers=sample["headers"])
    assert given.json()["period"]["label"] == "2024-08"  # as of mid-September: August
    assert given.json()["period"]["reason"] == "latest complete month as of 2024-09-15 (given)"
    assert sample["client"].get("/api/overview?as_of=someday",
                                headers=sample["headers"]).status_code in (400, 422)


def test_assess_evidence_counts_anomalies_in_the_data(sample: dict[str, Any]) -> None:
    with costmark.open_workspace(sample["root"], read_only=True) as ws:
        found = len(ws.anomalies())
        evidence = {e["id"]: e for e in ws.maturity_evidence()}
    assert found > 0
    anomaly = evidence["anomaly_response"]
    assert anomaly["display"].startswith(f"{found} detected"), anomaly
    coverage = evidence["commitment_coverage"]  # a KPI item: read off the judged month
    assert coverage["available"] and "(2024-09)" in coverage["display"]


def test_metrics_export_september_2024(sample: dict[str, Any]) -> None:
    text = sample["client"].get("/metrics", headers=sample["headers"]).text
    assert 'costmark_period_info{period="2024-09-01",label="2024-09"' in text
    usd = float(sample["total"]["USD"])
    line = next(x for x in text.splitlines()
                if x.startswith('costmark_kpi{kpi="total_cost",currency="USD"'))
    assert 'period="2024-09-01"' in line and float(line.rsplit(" ", 1)[1]) == pytest.approx(usd)
    early = sample["client"].get("/metrics?as_of=2024-09-10", headers=sample["headers"]).text
    assert 'label="2024-08"' in early and "costmark_kpi{" not in early  # no August data


def test_alerts_judge_september_2024(sample: dict[str, Any]) -> None:
    fired = sample["fired"]
    assert [a["rule"] for a in fired] == ["spend"]
    assert fired[0]["payload"]["costmark"]["period_start"] == "2024-09-01"
    assert SEPTEMBER in fired[0]["message"]


# -- a generated organisation whose data ends on 1 December -----------------------------------
@pytest.fixture(scope="module")
def first_of_month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("dec1") / "ws"
    api.create_demo(root, months=3, rows=3000, end=dt.date(2026, 12, 2))  # last day: 1 Dec
    with costmark.open_workspace(root) as ws:
        token = ws.create_token("viewer")[0]
        cut = ws.cutoff()
    with TestClient(create_app(root, background=False)) as client:
        yield {"root": root, "client": client, "headers": bearer(token), "cut": cut}


def test_defaults_judge_the_previous_month(first_of_month: dict[str, Any]) -> None:
    cut = first_of_month["cut"]
    assert cut.day == dt.date(2026, 12, 1)
    assert cut.latest_complete("month").label == "2026-11"
    assert cut.running("month").partial_note == "partial: 1 of 31 days"
    report = parse_period("monthly", None, cut)  # what report, overview and schedules use
    assert (report.label, report.partial) == ("2026-11", None)
    assert parse_period("monthly", "2026-12", cut).partial == "partial: 1 of 31 days"


def test_kpi_page_has_no_partial_cliff(first_of_month: dict[str, Any]) -> None:
    client, h = first_of_month["client"], first_of_month["headers"]
    doc = client.get("/api/kpi/total_cost?by=team", headers=h).json()
    starts = sorted({r["period_start"] for r in doc["series"]})
    assert starts[-1] == "2026-11-01" and not any(r.get("partial") for r in doc["series"])
    assert doc["drilldown"]["period_start"] == "2026-11-01"
    assert doc["period"]["label"] == "2026-11"
    assert doc["running"]["label"] == "2026-12"
    assert doc["running"]["partial"] == "partial: 1 of 31 days"
    for r in doc["running"]["rows"]:  # money to date, projected at its pace to 31 days
        assert r["projected"] == pytest.approx(r["value"] * 31)
    # asked for explicitly, the running month comes back labelled
    wide = client.get("/api/kpi/total_cost?end=2026-12-31", headers=h).json()
    december = [r for r in wide["series"] if r["period_start"] == "2026-12-01"]
    assert december and all(r["partial"] == "partial: 1 of 31 days" for r in december)


def test_budgets_label_the_running_month(first_of_month: dict[str, Any]) -> None:
    with costmark.open_workspace(first_of_month["root"], read_only=True) as ws:
        rows = ws.budgets().to_dict("records")
    monthly = [r for r in rows if r.get("period") == "month" and r.get("period_start")]
    if not monthly:
        pytest.skip("the demo declares no monthly budget")
    assert all(r["partial"] == "partial: 1 of 31 days" for r in monthly)


def test_as_of_overrides_report_and_metrics(first_of_month: dict[str, Any]) -> None:
    result = _cli("report", "-f", "json", "--as-of", "2026-10-31",
                  "-w", str(first_of_month["root"]))
    assert result.exit_code == 0, result.output
    period = json.loads(result.output)["period"]
    assert period["label"] == "2026-10"
    assert period["reason"] == "latest complete month as of 2026-10-31 (given)"
    bad = _cli("report", "-f", "json", "--as-of", "31/10/2026", "-w", str(first_of_month["root"]))
    assert bad.exit_code != 0 and isinstance(bad.exception, UsageError)
    assert "YYYY-MM-DD" in str(bad.exception)
    text = first_of_month["client"].get("/metrics?as_of=2026-10-31",
                                        headers=first_of_month["headers"]).text
    assert 'label="2026-10"' in text and 'period="2026-10-01"' in text
