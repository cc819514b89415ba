"""One presentation layer for CLI tables, web pages, reports and exports.

- :mod:`~costmark.present.units`: the typed unit a KPI declares and its kind;
- :mod:`~costmark.present.numbers`: numbers as people read them (money, %, pp, unit costs);
- :mod:`~costmark.present.records`: JSON/CSV machine records (exact, unit beside the value)
  and table cells;
- :mod:`~costmark.present.jinja`: the same formatters as Jinja filters.

A low-level package: it imports nothing of costmark but ``money`` (and pydantic/jinja2), so
every layer may use it.
"""

from costmark.present.numbers import MISSING, change, money, percent, points, unit_cost, value
from costmark.present.records import cell, change_text, csv_safe, dumps, fmt, to_jsonable
from costmark.present.units import Unit, UnitKind, UnitText, parse_unit, unit_kind

__all__ = [
    "MISSING",
    "Unit",
    "UnitKind",
    "UnitText",
    "cell",
    "change",
    "change_text",
    "csv_safe",
    "dumps",
    "fmt",
    "money",
    "parse_unit",
    "percent",
    "points",
    "to_jsonable",
    "unit_cost",
    "unit_kind",
    "value",
]
