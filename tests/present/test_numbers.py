"""Numbers for people, one case per unit kind: money (credits, tiny, huge exact sums),
ratios, percentage points, unit costs, counts, days, years and ids, missing values."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from costmark.present import numbers as n

D = Decimal
HUGE = D("123456789012345678.123456789012345678")  # DECIMAL(38,18) at full width


@pytest.mark.parametrize(
    ("value", "currency", "compact", "text"),
    [
        (D("112345.67"), "USD", False, "$112,345.67"),
        (D("112345.675"), "USD", False, "$112,345.68"),  # half up from the exact value
        (D("-3.5"), "USD", False, "-$3.50"),  # a credit keeps its sign
        (D("-1234.5"), "CHF", False, "-1,234.50 CHF"),
        (D("0.001834"), "EUR", False, "€0.00183"),  # under a cent: 3 significant digits
        (HUGE, "USD", False, "$123,456,789,012,345,678.12"),  # exact, never a float
        (D("0.005"), None, False, "0.00500"),
        (D("-0.004"), "USD", False, "-$0.00400"),
        (D("0"), "USD", False, "$0.00"),
        (D("-0.001"), None, False, "-0.00100"),
        (112345.67, "USD", True, "$112.3k"),
        (D("-2500000"), "EUR", True, "-€2.5M"),
        (D("950.4"), "USD", True, "$950"),
        (D("3.2e12"), "USD", True, "$3.2T"),
        (None, "USD", False, "—"),
        (math.nan, "USD", False, "—"),
    ],
)
def test_money(value: object, currency: str | None, compact: bool, text: str) -> None:
    assert n.money(value, currency, compact=compact) == text


def test_money_rounds_exactly_at_the_18th_decimal() -> None:
    # a float would print ...678.12 from 1.2345678901234568e17: the cents come from the Decimal
    assert n.money(D("99999999999999999.995"), "USD") == "$100,000,000,000,000,000.00"
    assert n.money(D("99999999999999999.994999999999999999"), "USD") == (
        "$99,999,999,999,999,999.99"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.1571, "15.7%"), (D("0.157"), "15.7%"), (1, "100.0%"), (0, "0.0%"), (-0.05, "-5.0%"),
     (0.00042, "0.042%"), (None, "—"), (float("inf"), "—")],
)
def test_percent(value: object, text: str) -> None:
    assert n.percent(value) == text


@pytest.mark.parametrize(
    ("change", "text"),
    [(0.012, "+1.2 pp"), (-0.04, "-4.0 pp"), (0, "0.0 pp"), (-0.0001, "0.0 pp"), (None, "—")],
)
def test_points(change: object, text: str) -> None:
    assert n.points(change) == text


def test_relative_and_scorecard_change() -> None:
    assert n.relative(0.1) == "+10.0%"
    assert n.relative(-0.256) == "-25.6%"
    # a ratio going from 40% to 44%: +4.0 pp, not +10%
    assert n.change(0.04, 0.1, "ratio") == "+4.0 pp"
    assert n.change(D("100"), 0.1, "currency") == "+10.0%"
    assert n.change(None, None, "ratio") == "—"


@pytest.mark.parametrize(
    ("value", "currency", "per", "scale", "text"),
    [
        (0.001834, "USD", None, 1, "$0.00183"),
        (0.001834, "USD", "transaction", 1, "$0.00183 per transaction"),
        (0.001834, "USD", "transaction", 1000, "$1.83 per 1k transactions"),
        (D("0.0000004567"), "USD", "request", 1, "$0.000000457 per request"),
        (12.3456, "EUR", "customer", 1, "€12.35 per customer"),
        (0.5, None, "query", 1000, "500.00 per 1k queries"),
        (None, "USD", "transaction", 1, "—"),
    ],
)
def test_unit_cost(value: object, currency: str | None, per: str | None, scale: int,
                   text: str) -> None:
    assert n.unit_cost(value, currency, per, scale=scale) == text


@pytest.mark.parametrize(
    ("value", "unit", "currency", "text"),
    [
        (D("32476.281338"), "currency", "USD", "$32,476.28"),
        (0.1489, "ratio", "USD", "14.9%"),  # a ratio never carries the currency
        (0.000719, "currency/transaction", "USD", "$0.000719"),
        (12345, "count", None, "12,345"),
        (3, "days", None, "3"),
        (-5.67, "factor", None, "-5.67"),
        (0.012, "pp", None, "+1.2 pp"),
        (84.2, "pct", None, "84.2%"),
        (D("1.5"), "EUR", None, "€1.50"),  # the unit itself names the currency
        (2.5, "GB", None, "2.50"),
        (2.5, "no/", None, "2.50"),  # an invalid unit shows a plain number, never fails
        ("n/a", "currency", "USD", "n/a"),
        (None, "ratio", None, "—"),
        (math.nan, "currency", "USD", "—"),
    ],
)
def test_value_dispatches_on_the_unit_kind(
    value: object, unit: str, currency: str | None, text: str
) -> None:
    assert n.value(value, unit, currency) == text


def test_value_options() -> None:
    assert n.value(112345.67, "currency", "USD", compact=True) == "$112.3k"
    assert n.value(0.001834, "currency/transaction", "USD", per_thousand=True) == (
        "$1.83 per 1k transactions"
    )
    assert n.value(0.001834, "currency/transaction", "USD", label=True) == (
        "$0.00183 per transaction"
    )
    assert n.value(1, "days", label=True) == "1 day"
    assert n.value(2.5, "days", label=True) == "2.5 days"
    assert n.value(4, "GB", label=True) == "4 GB"


@pytest.mark.parametrize(
    ("value", "text"),
    [(2024, "2024"), (2024.0, "2024"), (D("2024"), "2024"), ("123456789012", "123456789012"),
     (None, "—")],
)
def test_years_and_ids_are_text(value: object, text: str) -> None:
    assert n.ident(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234567, "1,234,567"), (D("0.25"), "0.2500"), (0.001834, "0.00183"), (0.0, "0.00"),
     (-1234.5, "-1,234.50"), (True, "—")],
)
def test_number_without_unit(value: object, text: str) -> None:
    assert n.number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.82, "0.82"), (1100.0, "1100"), (12345.6, "12,346"), (0.000123456, "0.0001235"),
     (-2.5, "-2.5"), (7, "7"), (None, "—")],
)
def test_short(value: object, text: str) -> None:
    assert n.short(value) == text


def test_missing_values() -> None:
    class NaT:  # pandas' NaT and NA are recognised by type name
        pass

    NaT.__name__ = "NaTType"
    for missing in (None, math.nan, math.inf, D("NaN"), NaT()):
        assert n.is_missing(missing)
        assert n.value(missing, "currency", "USD") == n.MISSING
