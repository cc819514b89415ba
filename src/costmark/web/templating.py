"""Jinja2 for the web pages: autoescaped, sharing the report's table macros."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from costmark import __version__
from costmark.reports import charts
from costmark.reports.format import change_text, columns, fmt, pct
from costmark.web import display

NAV = (
    ("/", "Overview"),
    ("/benchmarks", "Benchmarks"),
    ("/anomalies", "Anomalies & budgets"),
    ("/maturity", "Maturity"),
    ("/iterations", "Iterations"),
    ("/data", "Data"),
    ("/alerts", "Alerts"),
    ("/docs", "API"),
)


def templates_env() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("costmark.web", "templates"),
                PackageLoader("costmark.reports", "templates"),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["pct"] = pct
    env.filters["script_json"] = charts.script_json
    for name in ("short_hash", "scope_text", "when", "basename", "readable", "score"):
        env.filters[name] = getattr(display, name)
    env.globals["columns"] = columns
    env.globals["change_text"] = change_text
    env.globals["nav"] = NAV
    env.globals["version"] = __version__
    return env


#: Pages with a template of their own; the others list their sections generically.
OWN_TEMPLATES = frozenset({"maturity", "iterations", "data", "alerts"})


def page_template(slug: str) -> str:
    return f"{slug}.html.j2" if slug in OWN_TEMPLATES else "sections.html.j2"


def render_page(env: Environment, template: str, *, request: Request, **context: Any) -> str:
    return env.get_template(template).render(path=request.url.path, request=request, **context)
