"""The printed report: A4 pages with a running header (organisation, report, period), page
numbers, no Plotly toolbar, and no chart or table row split across a page break."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from typing import Any

import pytest

from costmark.reports import build_context, render
from costmark.reports.render import chromium_binary, css_string
from tests.reports.pdftext import pages

TODAY = dt.date(2026, 11, 23)
render_mod = importlib.import_module("costmark.reports.render")


def _style(html: str) -> str:
    return html.split("<style>", 1)[1].split("</style>", 1)[0]


def test_html_report_carries_print_css_and_no_toolbar(fake_ws: Any) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    html = render(ctx, "html").decode()
    css = _style(html)
    assert "@page" in css and "size: A4" in css
    assert re.search(r"\.chart[^{]*\{[^}]*break-inside: avoid", css)
    assert 'counter(page) " of " counter(pages)' in css
    assert '@top-left { content: "Reports test · monthly report 2026-10"' in css
    assert "2026-10-01 to before 2026-11-01" in css
    # every chart is drawn with the toolbar off
    call = re.search(r"Plotly\.newPlot\(el, figs\[id\]\.data, figs\[id\]\.layout, (\{.*?\})\)",
                     html)
    assert call is not None
    assert json.loads(call.group(1)) == {
        "displayModeBar": False, "displaylogo": False, "responsive": True
    }


def test_tables_only_rendering_leaves_no_empty_chart_boxes(fake_ws: Any) -> None:
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    css = _style(render_mod.render_html(ctx, with_charts=False))
    assert ".chart { display: none; }" in css
    assert ".chart { display: none; }" not in _style(render_mod.render_html(ctx))


def test_header_text_cannot_break_out_of_the_style_sheet() -> None:
    text = str(css_string('Acme "EU" </style><script>x</script> \\ \n'))
    assert text.startswith('"') and text.endswith('"')
    assert "</style" not in text and "<" not in text and "\n" not in text
    assert '"' not in text[1:-1]


def _pdf_pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p) for p in pages(pdf)]


def test_chromium_pdf_has_header_and_page_numbers(fake_ws: Any) -> None:
    if chromium_binary() is None:
        pytest.skip("no chromium (make system-deps installs it)")
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    texts = _pdf_pages(render(ctx, "pdf"))
    assert texts and all("Reportstest·monthlyreport2026-10" in t for t in texts)
    assert all(f"Page{i}of{len(texts)}" in t for i, t in enumerate(texts, 1))
    assert all("2026-10-01tobefore2026-11-01" in t for t in texts)


def test_weasyprint_pdf_has_header_and_page_numbers(
    fake_ws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("weasyprint", reason="WeasyPrint not installed (costmark[pdf])")
    monkeypatch.setattr(render_mod, "chromium_binary", lambda: None)
    ctx = build_context(fake_ws, cadence="monthly", period="2026-10", today=TODAY)
    texts = _pdf_pages(render(ctx, "pdf"))
    assert texts and all("Reportstest·monthlyreport2026-10" in t for t in texts)
    assert all(f"Page{i}of{len(texts)}" in t for i, t in enumerate(texts, 1))
