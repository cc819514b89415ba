"""The formatters as Jinja filters and globals: registered here, once, for every environment
(web pages, reports, maturity reviews), so templates never format a number by hand."""

from __future__ import annotations

from jinja2 import Environment

from costmark.present import numbers, records


def register(env: Environment) -> Environment:
    """Add the presentation filters (``fmt``, ``money``, ``percent``, ``points``, ``pct``,
    ``unit_cost``, ``count``, ``days``, ``ident``, ``text``) and globals (``columns``,
    ``change_text``) to ``env``; returns it."""
    env.filters.update(
        fmt=records.fmt,
        money=numbers.money,
        percent=numbers.percent,
        points=numbers.points,
        pct=numbers.relative,
        unit_cost=numbers.unit_cost,
        count=numbers.count,
        days=numbers.days,
        ident=numbers.ident,
        number=numbers.number,
        text=records.text,
    )
    env.globals.update(columns=records.columns, change_text=records.change_text)
    return env
