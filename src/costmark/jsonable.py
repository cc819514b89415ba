"""JSON-ready values with exact money: the one conversion the CLI, web and reports share.

It sits in the core layer so reports and the web do not import the CLI for it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from costmark import money

__all__ = ["dumps", "to_jsonable"]


def to_jsonable(value: Any, exact: str | None = None) -> Any:
    """``value`` as JSON-ready data. Decimals become numbers: a float for callers that go on to
    compute (charts), or, with ``exact`` (a marker only ``dumps`` uses), a marked string that
    ``dumps`` writes back as a number with every digit."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if exact is not None:
            return exact + money.plain(value)
        return (
            int(value)
            if value == value.to_integral_value() and abs(value) < 2**53
            else float(value)
        )
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, exact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v, exact) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_jsonable(value.item(), exact)
    if value is not None and type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value


def dumps(data: Any, indent: int | None = 2) -> str:
    """JSON text in which every Decimal is a number with all its digits.

    Why the marker: ``json`` writes numbers only from int and float, and a float keeps about 16
    digits while DECIMAL(38,18) money has up to 38. Decimals go through as strings starting
    with a marker no real data contains (a fresh random token), which are then unquoted."""
    marker = f"@exact-{uuid.uuid4().hex}:"
    text = json.dumps(to_jsonable(data, marker), indent=indent, ensure_ascii=False)
    return re.sub('"' + re.escape(marker) + r'(-?[0-9]+(?:\.[0-9]+)?)"', r"\1", text)
