"""Cell formatting shared by the report renderers and the web pages."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

from costmark.jsonable import to_jsonable

RATIO_UNITS = {"ratio", "share", "percent", "fraction", "%"}


def fmt(value: Any, unit: str | None = None) -> str:
    """A number for people: money with separators, ratios as percentages, '—' for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | float | int):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return "—"
        if unit in RATIO_UNITS:
            return f"{f * 100:.1f}%"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        if abs(f) >= 1 or f == 0:
            # Decimals are rounded from the exact value, not from a float
            return f"{value:,.2f}" if isinstance(value, Decimal) else f"{f:,.2f}"
        # small amounts (unit costs: 0.00183 per transaction) keep three significant digits;
        # a fixed 4 decimals showed 0.0018 and hid a 10% difference between two teams
        places = min(12, max(4, 2 - math.floor(math.log10(abs(f)))))
        return f"{value:.{places}f}" if isinstance(value, Decimal) else f"{f:.{places}f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(to_jsonable(value), ensure_ascii=False)
    return str(value)


def pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}%"


def change_text(row: dict[str, Any]) -> str:
    """A scorecard change: percentage points for ratios (a share going from 40% to 44% is
    +4.0 pp, not +10%), relative change for amounts."""
    if row.get("unit") in RATIO_UNITS:
        change = row.get("change")
        return "—" if change is None else f"{float(change) * 100:+.1f} pp"
    return pct(row.get("change_pct"))


def columns(rows: list[dict[str, Any]], limit: int = 10) -> list[str]:
    """Columns of heterogenous rows, in first-seen order, at most ``limit``."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return cols[:limit]
