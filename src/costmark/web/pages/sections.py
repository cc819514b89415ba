"""Pages made of report sections: the report's numbers for the period, some sections only."""

from __future__ import annotations

from typing import Any

from costmark.web.pages import Ask


def report_sections(ask: Ask, keys: tuple[str, ...]) -> dict[str, Any]:
    """The report context for the asked period, inside the caller's scope, keeping ``keys``."""
    p = ask.params
    ctx = ask.ws.report_context(
        cadence=p["cadence"], period=p["period"], scope=getattr(ask.view, "scope", None),
        as_of=p["as_of"],
    )
    return {
        **{k: v for k, v in ctx.items() if k != "sections"},
        "sections": {k: ctx["sections"][k] for k in keys},
    }
