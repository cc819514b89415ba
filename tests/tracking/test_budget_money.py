"""Budget arithmetic keeps DECIMAL(38,18) money exact (Python's default context keeps 28 digits)."""

from decimal import Decimal

import pandas as pd

from costmark.tracking.budgets import _sum, crossing_day

BIG = Decimal("12345678901234567890.123456789012345678")  # 38 significant digits


def test_sum_of_full_precision_amounts_is_exact() -> None:
    days = pd.date_range("2024-09-01", periods=3, freq="D")
    total = _sum(pd.Series([BIG, BIG, Decimal("-0.000000000000000001")], index=days))
    assert total == Decimal("24691357802469135780.246913578024691355")


def test_crossing_day_compares_exact_running_totals() -> None:
    days = pd.date_range("2024-09-01", periods=3, freq="D")
    daily = pd.Series([BIG, BIG, Decimal("0.000000000000000001")], index=days)
    amount = Decimal("24691357802469135780.246913578024691356")
    # two days reach the amount exactly (not above it); the third day's 1e-18 crosses it
    assert crossing_day(daily, amount, days[0]) == days[2].date()
