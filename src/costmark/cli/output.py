"""Render command results as a Rich table, JSON or CSV.

JSON and CSV go to stdout untouched by colour or wrapping so scripts can parse them; tables are
for people, formatted by :mod:`costmark.present` (money with its currency, ratios as
percentages when the command says which columns carry which unit). The record helpers
(``to_jsonable``, ``dumps``, ``csv_safe``) live in :mod:`costmark.present.records`. Consoles
never expand emoji codes, and user text is escaped (:func:`escape`), so ``:100:`` or
``[bold]`` in a file name prints as written.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from costmark.cli.options import OutputFormat
from costmark.present.records import cell, dumps, to_csv
from costmark.present.units import Unit

__all__ = ["console", "emit", "err_console", "escape"]

# emoji=False: ":100:" in a file name or tag value is text, not 💯.
console = Console(emoji=False)
# soft_wrap: error messages stay on one line whatever the terminal width, so they can be grepped.
err_console = Console(stderr=True, soft_wrap=True, emoji=False)


def _cell(value: Any, unit: str | Unit | None = None, currency: str | None = None,
          column: str | None = None) -> str:
    return cell(value, unit, currency, column=column, exact=True)


def _fits(table: Table, n_columns: int) -> bool:
    """Whether Rich lays ``table`` out within the terminal (it crops what does not fit; it
    has no public measure of that, so ask its layout; any doubt means no)."""
    try:
        widths = table._calculate_column_widths(console, console.options)
    except Exception:  # a Rich without that layout step: fold everything, never crop
        return False
    return sum(widths) + n_columns + 1 <= console.width


def emit(
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
    document: Any = None,
    units: Mapping[str, str | Unit | None] | None = None,
) -> None:
    """Print ``rows`` (or one mapping) in the chosen format. ``document`` replaces the JSON
    body when a command has a richer JSON shape than its table. ``units`` maps a column to
    the unit of its numbers (or to the name of a row field holding the unit, written
    ``"@field"``): table cells then show money with the row's ``currency``, ratios as
    percentages; JSON and CSV are unchanged machine values."""
    if isinstance(rows, Mapping):
        rows = [rows]
    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r))
    if fmt is OutputFormat.json:
        sys.stdout.write(dumps(document if document is not None else list(rows)) + "\n")
        return
    if fmt is OutputFormat.csv:
        sys.stdout.write(to_csv(rows, cols))
        return
    if not rows:
        console.print(f"[dim]{escape(title) + ': ' if title else ''}no rows[/dim]")
        return
    cells = [[_cell(r.get(c), _unit(r, c, units), _currency(r), c) for c in cols]
             for r in rows]
    numeric = [bool(units and units.get(c)) for c in cols]
    widest = [max((len(row[i]) for row in cells), default=0) for i in range(len(cols))]

    def build(keep_numbers_whole: bool) -> Table:
        table = Table(title=escape(title) if title else None, show_lines=False,
                      header_style="bold")
        for i, c in enumerate(cols):
            table.add_column(escape(c), overflow="fold",
                             min_width=widest[i] if numeric[i] and keep_numbers_whole else None,
                             justify="right" if numeric[i] else "left")
        for row in cells:
            table.add_row(*[escape(text) for text in row])
        return table

    # A number in a unit does not break across lines ("$13.7" / "0") when the table can hold
    # it whole (text columns fold instead). When even that is wider than the terminal, numbers
    # fold too: Rich would crop the columns that no longer fit off the screen.
    table = build(keep_numbers_whole=True)
    if not _fits(table, len(cols)):
        table = build(keep_numbers_whole=False)
    console.print(table)


def _unit(row: Mapping[str, Any], column: str,
          units: Mapping[str, str | Unit | None] | None) -> str | Unit | None:
    unit = (units or {}).get(column)
    if isinstance(unit, str) and unit.startswith("@"):
        found = row.get(unit[1:])
        return found if isinstance(found, str | Unit) else None
    return unit


def _currency(row: Mapping[str, Any]) -> str | None:
    cur = row.get("currency")
    return cur if isinstance(cur, str) and cur else None
