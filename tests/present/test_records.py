"""Records: JSON and CSV keep exact machine values with the unit beside them; table cells
are readable text (no JSON or Python repr), ids and years as text."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from jinja2 import Environment

from costmark.present import jinja, records
from costmark.present.units import parse_unit

HUGE = Decimal("123456789012345678.123456789012345678")


def test_dumps_keeps_every_digit_and_fractions() -> None:
    text = records.dumps({"value": HUGE, "ratio": 0.1571, "credit": Decimal("-3.50"),
                          "unit": parse_unit("currency")}, indent=None)
    assert '"value": 123456789012345678.123456789012345678' in text
    assert '"credit": -3.5' in text
    doc = json.loads(text)
    assert doc["ratio"] == 0.1571 and doc["unit"] == "currency"


def test_csv_keeps_machine_values_and_guards_formulas() -> None:
    rows = [{"kpi": "total_cost", "value": HUGE, "unit": "currency", "team": "=cmd()"},
            {"kpi": "esr", "value": 0.1571, "unit": "ratio", "team": "-5"}]
    lines = records.to_csv(rows).splitlines()
    assert lines[0] == "kpi,value,unit,team"
    assert lines[1] == "total_cost,123456789012345678.123456789012345678,currency,'=cmd()"
    assert lines[2] == "esr,0.1571,ratio,-5"  # a number is not a formula


def test_with_units_puts_the_unit_right_after_the_value() -> None:
    rows = [{"kpi": "a", "value": 1, "note": None}, {"kpi": "b", "value": 0.5, "note": "x"}]
    units = {"a": "currency", "b": "ratio"}
    out = records.with_units(rows, lambda r: units[r["kpi"]])
    assert [list(r) for r in out] == [["kpi", "value", "unit", "note"]] * 2
    assert [r["unit"] for r in out] == ["currency", "ratio"]
    assert records.insert_column(["kpi", "value", "note"], "unit", after="value") == [
        "kpi", "value", "unit", "note"]
    assert records.insert_column(["kpi"], "unit", after="value") == ["kpi", "unit"]


def test_cells_are_readable_text() -> None:
    assert records.cell(["a", "b", 3]) == "a, b, 3"
    assert records.cell({"team": "payments", "env": ["prod", "dev"]}) == (
        "team: payments; env: prod, dev")
    assert records.cell([]) == "—"
    assert records.cell(True) == "yes"
    assert records.cell(dt.datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04"
    assert records.cell(dt.datetime(2026, 1, 2)) == "2026-01-02"
    assert records.cell(2024, column="year") == "2024"
    assert records.cell(2024) == "2,024"  # a count, when nothing says it is a label
    assert records.cell(123456789012, column="account_id") == "123456789012"
    assert records.cell(Decimal("0.1571"), "ratio") == "15.7%"
    assert records.cell(Decimal("-12.5"), "currency", "USD") == "-$12.50"
    assert records.cell(Decimal("1234.123456789012345678"), exact=True) == (
        "1,234.123456789012345678")


def test_fmt_and_change_text_keep_their_signatures() -> None:
    assert records.fmt(0.125, "ratio") == "12.5%"
    assert records.fmt(1234.5, "currency") == "1,234.50"
    assert records.fmt(1234.5, "currency", "USD") == "$1,234.50"
    assert records.fmt(112345.67, "currency", "USD", compact=True) == "$112.3k"
    assert records.fmt(2024, column="year") == "2024"
    assert records.fmt({"a": 1}) == "a: 1"  # never a JSON or Python repr
    assert records.change_text({"unit": "ratio", "change": 0.04, "change_pct": 0.1}) == "+4.0 pp"
    assert records.change_text({"unit": "currency", "change": 10, "change_pct": 0.1}) == (
        "+10.0%")


def test_jinja_filters_are_registered_once_for_every_environment() -> None:
    env = jinja.register(Environment(autoescape=True))
    out = env.from_string(
        "{{ v | fmt('currency', 'USD') }}|{{ r | percent }}|{{ c | points }}|{{ y | ident }}|"
        "{{ u | unit_cost('USD', 'transaction', scale=1000) }}|{{ change_text(row) }}|"
        "{{ columns(rows) | join(',') }}|{{ x | fmt(column='year') }}"
    ).render(v=Decimal("-1234.5"), r=0.157, c=0.012, y=2024, u=0.001834, x=2024,
             row={"unit": "ratio", "change": -0.02}, rows=[{"a": 1}, {"b": 2}])
    assert out == "-$1,234.50|15.7%|+1.2 pp|2024|$1.83 per 1k transactions|-2.0 pp|a,b|2024"
