"""Pages made of report sections: the report's numbers for the period, some sections only."""

from __future__ import annotations

from typing import Any

from costmark.reports.context import build_context
from costmark.web.pages import Ask


def report_sections(ask: Ask, keys: tuple[str, ...]) -> dict[str, Any]:
    """The report context for the asked period inside the caller's scope (``ask.view`` is
    the scoped view), computing only the sections ``keys`` names."""
    p = ask.params
    return build_context(ask.context, cadence=p["cadence"], period=p["period"], as_of=p["as_of"],
                         sections=keys)
