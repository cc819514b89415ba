"""Sparklines as inline SVG: a KPI's last periods as a polyline, drawn by the browser with no
script (forty Plotly charts in a scorecard would be slow and noisy)."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 100.0, 24.0, 2.0


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def points(values: list[Any]) -> str:
    """``x,y`` pairs scaled into the box; gaps (no value) are skipped, a flat series is a
    level line in the middle. Empty when fewer than two values exist."""
    known = [(i, f) for i, v in enumerate(values) if (f := _number(v)) is not None]
    if len(known) < 2:
        return ""
    low, high = min(f for _, f in known), max(f for _, f in known)
    span = high - low
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)
    out = []
    for i, f in known:
        y = HEIGHT / 2 if span == 0 else PAD + (high - f) / span * (HEIGHT - 2 * PAD)
        out.append(f"{PAD + i * step:.1f},{y:.1f}")
    return " ".join(out)


def svg(values: list[Any], label: str = "") -> Markup:
    """The sparkline element (``aria-label`` says what it shows), or an empty string."""
    line = points(values)
    if not line:
        return Markup("")
    last = line.split(" ")[-1].split(",")
    return Markup(
        f'<svg class="spark" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(label)}"><polyline points="{line}"/>'
        f'<circle cx="{last[0]}" cy="{last[1]}" r="1.8"/></svg>'
    )
