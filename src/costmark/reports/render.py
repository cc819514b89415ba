"""Render a report context as html, md, json or pdf bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from costmark.errors import BackendUnavailable, UsageError
from costmark.present import jinja
from costmark.present.records import change_text, columns, dumps, fmt
from costmark.reports import charts

FORMATS = ("html", "md", "pdf", "json")
#: plotly.js options of every report chart: no toolbar (it would be printed in the PDF and is
#: of no use in a mailed report), no logo, resized with the page.
PLOT_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}
#: Chromium draws the charts at this window width: the A4 page's printable width in CSS px,
#: so a chart is not cut at the right margin of the PDF.
PRINT_WIDTH = 700
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("costmark.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    jinja.register(env)
    env.filters["script_json"] = charts.script_json
    env.filters["css_string"] = css_string
    return env


def css_string(value: Any) -> Markup:
    """``value`` as a quoted CSS string, safe inside ``<style>``: quotes, backslashes, line
    breaks and ``<`` (so no ``</style>``) become CSS escapes."""
    out = ['"']
    for ch in str(value):
        if ch in '"\\<>&' or ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    out.append('"')
    return Markup("".join(out))


def page_texts(ctx: dict[str, Any]) -> dict[str, str]:
    """The running header and footer of every printed page: organisation, report and period
    on the left, the period's dates on the right, generation time and scope at the bottom."""
    period = ctx["period"]
    scope = ", ".join(f"{k} = {v}" for k, v in (ctx.get("scope") or {}).items())
    right = f"{period['start']} to before {period['end']}"
    if period.get("partial"):
        right += f", {period['partial']}"
    footer = f"Generated {ctx['generated_at']} by costmark {ctx['costmark_version']}"
    if scope:
        footer += f" · scope {scope}"
    return {
        "page_header": f"{ctx['project']} · {ctx['cadence']} report {period['label']}",
        "page_period": right,
        "page_footer": footer,
    }


def figures(ctx: dict[str, Any]) -> dict[str, Any]:
    """The charts a report shows, keyed by element id."""
    figs: dict[str, Any] = {}
    trends = ctx["sections"].get("trends", {})
    for i, chart in enumerate(trends.get("charts", [])):
        figs[f"trend-{i}"] = charts.trend_figure(chart)
    maturity = ctx["sections"].get("maturity", {})
    if maturity.get("axes"):
        figs["maturity-radar"] = charts.radar_figure(maturity["axes"])
    return figs


def render_html(ctx: dict[str, Any], *, with_charts: bool = True) -> str:
    plotly_js = charts.plotly_js_path().read_text("utf-8") if with_charts else ""
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            ctx=ctx,
            s=ctx["sections"],
            figures=figures(ctx) if with_charts else {},
            plotly_js=plotly_js,
            plot_config=PLOT_CONFIG,
            **page_texts(ctx),
        )
    )


def _md_cell(value: Any, unit: str | None = None, column: str | None = None) -> str:
    text = fmt(value, unit, column=column)
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _md_table(rows: list[dict[str, Any]], cols: list[str] | None = None) -> list[str]:
    cols = cols or columns(rows)
    lines = ["| " + " | ".join(_md_cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(_md_cell(r.get(c), column=c) for c in cols) + " |")
    return lines


def render_md(ctx: dict[str, Any]) -> str:
    s = ctx["sections"]
    out = [f"# {_md_cell(ctx['title'])}", ""]
    out.append(
        f"Period {ctx['period']['label']} ({ctx['period']['start']} to before "
        f"{ctx['period']['end']}), compared with {ctx['period']['previous']}."
    )
    if ctx["period"].get("reason"):
        partial = ctx["period"].get("partial")
        out.append(f"Judged: {ctx['period']['reason']}"
                   + (f"; {partial}, not a complete period." if partial else "."))
    if ctx["scope"]:
        scope = ", ".join(f"{k} = {v}" for k, v in ctx["scope"].items())
        out.append(f"Scope: {_md_cell(scope)}.")
    out.append("")
    for key, sec in s.items():
        out += [f"## {sec['title']}", ""]
        if sec["status"] != "ok":
            out += [f"_{_md_cell(sec['note'])}_", ""]
            continue
        if key == "scorecard":
            rows = [
                {
                    "KPI": r["title"],
                    "currency": r["currency"],
                    "value": fmt(r["value"], r["unit"]),
                    "previous": fmt(r["previous"], r["unit"]),
                    "change": change_text(r),
                    "target": fmt(r["target"], r["unit"]),
                    "status": r["target_status"],
                }
                for r in sec["rows"]
            ]
            out += _md_table(rows)
        elif key == "trends":
            for chart in sec["charts"]:
                cur = f" ({chart['currency']})" if chart["currency"] else ""
                out += [f"### {chart['kpi']}{cur}", ""]
                out += _md_table(chart["points"][-6:], ["period_start", "value"])
                if chart["forecast"]:
                    out += ["", "Forecast:", ""]
                    out += _md_table(chart["forecast"], ["period_start", "value", "lower", "upper"])
                out.append("")
        elif key in ("movers", "peers"):
            for table in sec["tables"]:
                prefix = "by " if key == "movers" else ""
                out += [f"### {prefix}{_md_cell(table['dimension'])}", ""]
                out += [*_md_table(table["rows"]), ""]
        elif key == "maturity":
            out += _md_table(sec["axes"])
        elif key == "iteration":
            out += _md_table(sec["goals"])
        else:
            out += _md_table(sec.get("rows", []))
        out.append("")
    out.append(f"_Generated {ctx['generated_at']} by costmark {ctx['costmark_version']}._")
    return "\n".join(out) + "\n"


def render_json(ctx: dict[str, Any]) -> str:
    return dumps(ctx) + "\n"  # money keeps every digit


def chromium_binary() -> str | None:
    for path in (os.environ.get("COSTMARK_CHROMIUM"), *CHROMIUM):
        if path and Path(path).exists():
            return path
    return shutil.which("chromium")


def render_pdf(ctx: dict[str, Any]) -> bytes:
    """Headless Chromium printing (charts included) or WeasyPrint (tables only).

    Both print the page's own ``@page`` rules: the running header (organisation, report,
    period), ``Page N of M`` and the footer are CSS margin boxes, which WeasyPrint and
    Chromium (since 131) draw alike, so Chromium's own date/URL header stays off."""
    binary = chromium_binary()
    if binary:
        with tempfile.TemporaryDirectory() as tmp:
            html = Path(tmp) / "report.html"
            pdf = Path(tmp) / "report.pdf"
            html.write_text(render_html(ctx), "utf-8")
            cmd = [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-pdf-header-footer",  # the page's own @page header and footer print
                f"--window-size={PRINT_WIDTH},1000",
                "--virtual-time-budget=10000",
                f"--print-to-pdf={pdf}",
                html.as_uri(),
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
            if not pdf.exists():
                raise BackendUnavailable(
                    f"chromium could not print the report (exit {proc.returncode}): "
                    f"{proc.stderr.strip()[-300:]}"
                )
            return pdf.read_bytes()
    try:
        import weasyprint
    except ImportError:
        raise BackendUnavailable(
            "PDF reports need headless Chromium or WeasyPrint: install one with "
            "'apt-get install -y chromium' or \"pip install 'costmark[pdf]'\""
        ) from None
    result: bytes = weasyprint.HTML(string=render_html(ctx, with_charts=False)).write_pdf()
    return result


def render(ctx: dict[str, Any], fmt_name: str) -> bytes:
    if fmt_name == "html":
        return render_html(ctx).encode("utf-8")
    if fmt_name == "md":
        return render_md(ctx).encode("utf-8")
    if fmt_name == "json":
        return render_json(ctx).encode("utf-8")
    if fmt_name == "pdf":
        return render_pdf(ctx)
    raise UsageError(f"report format {fmt_name!r} must be one of {', '.join(FORMATS)}")
