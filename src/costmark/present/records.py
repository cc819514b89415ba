"""Records for machines and tables for people: JSON, CSV and table cells from row dicts.

JSON and CSV keep machine values: fractions stay fractions, Decimals (money) keep every digit
(in JSON as numbers written with all their digits, never through a float), and a KPI value
travels with its ``unit`` beside it. Table cells are text for people: units applied through
:mod:`costmark.present.numbers`, lists as comma-joined text, mappings as ``key: value`` pairs,
never a JSON or Python repr.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from costmark import money
from costmark.present import numbers
from costmark.present.units import Unit

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Column names whose numbers are labels, not quantities: shown as text (2024, not 2,024).
_IDENT_COLUMN = re.compile(r"(^|_)(id|ids|year|years|code|hash|sha256|version|number|no)$",
                           re.IGNORECASE)


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
    if isinstance(value, Unit):
        return value.text
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


def csv_safe(value: Any) -> str:
    """A CSV field: machine values (exact decimals, ISO dates, JSON for nested data), with
    spreadsheet formula injection in user-supplied text (tags, names) neutralised."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return dumps(value, indent=None)
    if isinstance(value, Decimal) and value.is_finite():
        return money.plain(value)
    if isinstance(value, Unit):
        return value.text
    text = value.isoformat() if isinstance(value, dt.datetime | dt.date) else str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_PREFIXES):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV text (header first) of ``rows``: machine values through :func:`csv_safe`."""
    rows = list(rows)
    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(cols)
    for r in rows:
        writer.writerow([csv_safe(r.get(c)) for c in cols])
    return buffer.getvalue()


def is_ident_column(column: str | None) -> bool:
    """Whether a column holds labels (ids, years, hashes) rather than quantities."""
    return bool(column) and bool(_IDENT_COLUMN.search(str(column)))


def text(value: Any) -> str:
    """Any value as one line for people: lists comma-joined, mappings as 'key: value' pairs
    separated by '; ', dates in ISO, numbers as :func:`numbers.number`."""
    if numbers.is_missing(value):
        return numbers.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return numbers.when(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {text(v)}" for k, v in value.items()) or numbers.MISSING
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(text(v) for v in value) or numbers.MISSING
    if isinstance(value, int | float | Decimal):
        return numbers.number(value)
    return str(value)


def cell(
    value: Any,
    unit: str | Unit | None = None,
    currency: str | None = None,
    *,
    column: str | None = None,
    exact: bool = False,
) -> str:
    """A table cell: the value in its unit (money with the currency, ratios as percentages),
    ids and years as text, lists and mappings as readable text, '—' for missing.

    ``exact`` shows money and unitless Decimals with every digit (the CLI's tables of sums: an
    amount exact to the 18th decimal says so)."""
    if numbers.is_missing(value):
        return numbers.MISSING
    if is_ident_column(column) and isinstance(value, int | float | Decimal | str):
        return numbers.ident(value)
    if (unit is not None and not isinstance(value, bool)
            and numbers.to_decimal(value) is not None):
        # exact amounts often travel as text ("13.700000000000000000"): shown as money too
        return numbers.value(value, unit, currency, exact=exact)
    if exact and isinstance(value, Decimal):
        return f"{money.tidy(value):,f}"
    return text(value)


def columns(rows: Iterable[Mapping[str, Any]], limit: int | None = None) -> list[str]:
    """Columns of heterogeneous rows, in first-seen order, at most ``limit``."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return cols if limit is None else cols[:limit]


def with_units(
    rows: Iterable[Mapping[str, Any]],
    unit_of: Callable[[Mapping[str, Any]], str | Unit | None],
    *,
    after: str = "value",
) -> list[dict[str, Any]]:
    """Rows with a ``unit`` field placed right after ``after`` (the value it describes), so
    JSON and CSV carry the unit beside each machine value."""
    out = []
    for r in rows:
        unit = unit_of(r)
        unit_text = None if unit is None else str(unit)
        row: dict[str, Any] = {}
        for k, v in r.items():
            if k == "unit":
                continue
            row[k] = v
            if k == after:
                row["unit"] = unit_text
        row.setdefault("unit", unit_text)
        out.append(row)
    return out


def insert_column(cols: Sequence[str], name: str, after: str) -> list[str]:
    """``cols`` with ``name`` right after ``after`` (at the end when ``after`` is absent)."""
    out = [c for c in cols if c != name]
    at = out.index(after) + 1 if after in out else len(out)
    return [*out[:at], name, *out[at:]]


def fmt(
    value: Any, unit: str | Unit | None = None, currency: str | None = None, *,
    compact: bool = False, column: str | None = None,
) -> str:
    """A value for a page or report cell (the ``fmt`` Jinja filter): as its unit says when it
    has one, else readable text; ``compact`` for tiles ('$112.3k'); ``column`` (the cell's
    column name) shows ids and years as text ('2024', not '2,024')."""
    if compact and not numbers.is_missing(value) and isinstance(value, int | float | Decimal):
        return numbers.value(value, unit, currency, compact=True)
    return cell(value, unit, currency, column=column)


def change_text(row: Mapping[str, Any]) -> str:
    """A scorecard row's change: percentage points for ratios (a share going from 40% to 44%
    is +4.0 pp, not +10%), relative change for amounts."""
    return numbers.change(row.get("change"), row.get("change_pct"), row.get("unit"))
