"""Jinja2 for the web pages: autoescaped, sharing the report's table macros."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from costmark import __version__
from costmark.present import jinja
from costmark.present.records import fmt
from costmark.reports import charts
from costmark.web import display
from costmark.web.sparkline import svg as sparkline

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


def lines(value: Any) -> list[str]:
    """A structured value as readable lines: a dict as "key: value" pairs, a list item by
    item, a driver string ("team=a (93%), env=b (96%)") one driver a line. Pages never show a
    Python or JSON repr of a dict or list."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, dict):
        return [", ".join(f"{k}: {cell(v)}" for k, v in value.items() if v not in (None, ""))]
    if isinstance(value, list | tuple):
        return [line for item in value for line in lines(item)]
    if isinstance(value, str):
        return [part for part in value.split(", ") if part] if "=" in value else [value]
    return [fmt(value)]


def cell(value: Any, unit: Any = None, currency: str | None = None, **options: Any) -> str:
    """``present.records.fmt`` for table cells, with dicts and lists as readable lines
    joined (a driver list reads as the drivers, not a repr)."""
    if isinstance(value, dict | list | tuple):
        return "; ".join(lines(value)) or "—"
    return fmt(value, unit, currency, **options)


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
    jinja.register(env)
    env.filters["fmt"] = cell
    env.filters["lines"] = lines
    env.filters["script_json"] = charts.script_json
    env.globals["sparkline"] = sparkline
    for name in ("short_hash", "scope_text", "when", "basename", "readable", "score"):
        env.filters[name] = getattr(display, name)
    env.globals["nav"] = NAV
    env.globals["version"] = __version__
    return env


def render_page(
    env: Environment, template: str | list[str], *, request: Request, **context: Any
) -> str:
    """Render ``template`` (or the first of a list of candidates that exists)."""
    chosen = env.select_template(template) if isinstance(template, list) else env.get_template(
        template
    )
    return chosen.render(path=request.url.path, request=request, **context)
