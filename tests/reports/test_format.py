"""Cell formatting: small amounts keep their significant digits, ratios are percentages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costmark.present.records import fmt


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.001834, "currency/transaction", "0.00183"),  # was 0.0018
        (0.0016505, "currency/transaction", "0.00165"),
        (Decimal("0.25"), None, "0.2500"),
        (0.0, None, "0.00"),
        (1234.5, "currency", "1,234.50"),
        (0.125, "ratio", "12.5%"),
        (-5.67, "factor", "-5.67"),  # spend elasticity is a factor, not -567%
    ],
)
def test_fmt(value: object, unit: str | None, text: str) -> None:
    assert fmt(value, unit) == text
