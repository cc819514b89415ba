"""Reports: a pure context builder (numbers from the facade) and renderers (html, md, pdf, json).

from costmark.reports import build_context, render
ctx = build_context(ws, cadence="monthly", period="2026-10")
render(ctx, "html")   # -> bytes
"""

from costmark.reports.context import build_context
from costmark.reports.render import FORMATS, render

__all__ = ["FORMATS", "build_context", "render"]
