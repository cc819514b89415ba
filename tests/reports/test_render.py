from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import costmark
from costmark.errors import BackendUnavailable, UsageError
from costmark.reports import build_context, render
from costmark.reports.periods import parse_period
from costmark.reports.render import chromium_binary

TODAY = dt.date(2026, 11, 23)
SECTIONS = (
    "scorecard",
    "trends",
    "movers",
    "anomalies",
    "budgets",
    "peers",
    "industry",
    "maturity",
    "iteration",
)


@pytest.mark.parametrize(
    ("cadence", "text", "start", "end", "label"),
    [
        ("monthly", None, "2026-10-01", "2026-11-01", "2026-10"),
        ("monthly", "2024-02", "2024-02-01", "2024-03-01", "2024-02"),
        ("monthly", "2026-12-15", "2026-12-01", "2027-01-01", "2026-12"),
        ("weekly", None, "2026-11-16", "2026-11-23", "2026-W47"),
        ("weekly", "2026-W01", "2025-12-29", "2026-01-05", "2026-W01"),
        # --as-of is the last day counted: that day is complete at the daily cadence
        ("daily", None, "2026-11-23", "2026-11-24", "2026-11-23"),
        ("daily", "2024-02-29", "2024-02-29", "2024-03-01", "2024-02-29"),
    ],
)
def test_periods(cadence: str, text: str | None, start: str, end: str, label: str) -> None:
    p = parse_period(cadence, text, TODAY)
    assert (p.start.isoformat(), p.end.isoformat(), p.label) == (start, end, label)


def test_bad_periods() -> None:
    with pytest.raises(UsageError):
        parse_period("monthly", "2026-W03", TODAY)
    with pytest.raises(UsageError):
        parse_period("monthly", "October", TODAY)
    with pytest.raises(UsageError):
        parse_period("hourly", None, TODAY)


def test_context_numbers(fake_ws: Any) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    rows = {r["kpi"]: r for r in ctx["sections"]["scorecard"]["rows"]}
    total = rows["total_cost"]
    assert (total["value"], total["previous"]) == (1062, 1100)  # hand sums of fakes.DATA
    assert total["change"] == -38
    assert abs(total["change_pct"] - (1062 / 1100 - 1)) < 1e-12
    movers = ctx["sections"]["movers"]["tables"][0]
    assert movers["dimension"] == "team"
    assert [(m["team"], m["change"]) for m in movers["rows"][:2]] == [
        ("search", -100),
        ("payments", 50),
    ]
    trend = ctx["sections"]["trends"]["charts"][0]
    assert [p["value"] for p in trend["points"]] == [1100, 1062]


def test_scoped_context(fake_ws: Any) -> None:
    ctx = build_context(
        fake_ws.scoped({"team": "payments"}), cadence="monthly", period="2026-10", today=TODAY
    )
    total = next(r for r in ctx["sections"]["scorecard"]["rows"] if r["kpi"] == "total_cost")
    assert (total["value"], total["previous"]) == (150, 100)
    assert ctx["sections"]["movers"]["status"] == "empty"  # only dimension is the scope


def test_empty_workspace_says_no_data(tmp_path: Path) -> None:
    ws = costmark.init_workspace(tmp_path / "empty")
    try:
        ctx = ws.report_context(cadence="weekly", today=TODAY)
        for key in SECTIONS:
            sec = ctx["sections"][key]
            assert sec["status"] in ("empty", "unavailable"), (key, sec)
            assert sec["note"], key
        md = render(ctx, "md").decode()
        html = render(ctx, "html").decode()
        for key in SECTIONS:
            title = ctx["sections"][key]["title"]
            assert f"## {title}" in md
            assert f"<h2>{title}</h2>" in html
        assert md.count("_No") >= 5
    finally:
        ws.close()


def test_formats(fake_ws: Any) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    html = render(ctx, "html").decode()
    assert "<script src=" not in html and "cdn" not in html.split("</head>")[-1].lower()
    assert "Plotly.newPlot" in html and len(html) > 3_000_000  # plotly.js inlined
    assert 'id="report-figures"' in html and 'id="trend-0"' in html
    md = render(ctx, "md").decode()
    assert "<script" not in md and "| Total cost | USD | 1,062.00 | 1,100.00 | -3.5% |" in md
    doc = json.loads(render(ctx, "json"))
    total = next(r for r in doc["sections"]["scorecard"]["rows"] if r["kpi"] == "total_cost")
    assert total["value"] == 1062 and doc["period"]["label"] == "2026-10"
    with pytest.raises(UsageError):
        render(ctx, "docx")


def test_markdown_escapes_table_breakers(fake_ws: Any) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    md = render(ctx, "md").decode()
    assert "&lt;script&gt;" in md and "<script>" not in md


def test_pdf(fake_ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    if chromium_binary() is None:
        pytest.skip("no chromium (make system-deps installs it)")
    pdf = render(ctx, "pdf")
    assert pdf.startswith(b"%PDF")


def test_pdf_without_backends(fake_ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import importlib

    render_mod = importlib.import_module("costmark.reports.render")

    monkeypatch.setattr(render_mod, "chromium_binary", lambda: None)
    real_import = builtins.__import__

    def no_weasy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasy)
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    with pytest.raises(BackendUnavailable, match="apt-get install -y chromium"):
        render(ctx, "pdf")


def test_ratio_changes_are_percentage_points(fake_ws: Any) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    md = render(ctx, "md").decode()
    # savings rate: Sep 110/1100 = 10.0%, Oct 120/1062 = 11.3% -> +1.3 points, not +13%
    assert "| Savings rate | USD | 11.3% | 10.0% | +1.3 pp |" in md
    assert "| Total cost | USD | 1,062.00 | 1,100.00 | -3.5% |" in md


def test_report_radar_has_the_fixed_maturity_scale() -> None:
    """The report draws the same radar as the Maturity page: 0-4 whatever the scores (an
    auto-scaled axis made 1.8 of 4 look like a full score), with the target beside them."""
    from costmark.reports.render import figures

    ctx = {"sections": {"maturity": {"axes": [
        {"axis": "Data Ingestion", "score": 1.8, "target": 3, "previous": None},
        {"axis": "Allocation", "score": 1.2, "target": 2, "previous": None},
        {"axis": "Reporting", "score": 1.0, "target": 2, "previous": None},
    ]}}}
    radar = figures(ctx)["maturity-radar"]
    assert radar["layout"]["polar"]["radialaxis"]["range"] == [0, 4]
    assert [t["name"] for t in radar["data"]] == ["target", "current"]  # no previous yet
