"""Render command results as a Rich table, JSON or CSV.

JSON and CSV go to stdout untouched by colour or wrapping so scripts can parse them; tables are
for people. Decimals (money) keep every digit everywhere: in CSV and tables as plain text, in
JSON as numbers written with all their digits (``dumps``), never through a float.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from costmark import money
from costmark.cli.options import OutputFormat
from costmark.jsonable import dumps, to_jsonable

console = Console()
# soft_wrap: error messages stay on one line whatever the terminal width, so they can be grepped.
err_console = Console(stderr=True, soft_wrap=True)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formula injection in user-supplied text (tags, names)."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return dumps(value, indent=None)
    if isinstance(value, Decimal) and value.is_finite():
        return money.plain(value)
    text = value.isoformat() if isinstance(value, dt.datetime | dt.date) else str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_PREFIXES):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.4f}" if abs(value) < 1000 else f"{value:,.2f}"
    if isinstance(value, Decimal):
        # Every digit: a money sum is exact to the 18th decimal, and the table says so.
        return f"{money.tidy(value):,f}" if value.is_finite() else "—"
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if (value.hour or value.minute)
            else value.date().isoformat()
        )
    if isinstance(value, dict | list):
        return json.dumps(to_jsonable(value), ensure_ascii=False)
    return str(value)


def emit(
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
    document: Any = None,
) -> None:
    """Print ``rows`` (or one mapping) in the chosen format. ``document`` replaces the JSON
    body when a command has a richer JSON shape than its table."""
    if isinstance(rows, Mapping):
        rows = [rows]
    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r))
    if fmt is OutputFormat.json:
        sys.stdout.write(dumps(document if document is not None else list(rows)) + "\n")
        return
    if fmt is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([csv_safe(r.get(c)) for c in cols])
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*[_cell(r.get(c)) for c in cols])
    if not rows:
        console.print(f"[dim]{title + ': ' if title else ''}no rows[/dim]")
        return
    console.print(table)
