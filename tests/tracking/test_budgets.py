from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from costmark.spec.budgets import Budget
from costmark.tracking.budgets import budget_history, budget_status, crossing_day


def ten_a_day(start: str, end: str) -> pd.Series:
    idx = pd.date_range(start, end, freq="D")
    return pd.Series([Decimal("10.00")] * len(idx), index=idx)


def test_budget_crossed_on_a_known_day() -> None:
    # 10 a day against 155 a month: day 15 reaches 150, day 16 reaches 160 > 155
    daily = ten_a_day("2026-01-01", "2026-01-20")
    budget = Budget(amount=Decimal(155), period="month")
    assert crossing_day(daily, Decimal(155), pd.Timestamp("2026-01-01")) == dt.date(2026, 1, 16)
    status = budget_status(daily, budget, as_of=dt.date(2026, 1, 20))
    assert status["status"] == "over"
    assert status["crossed_on"] == dt.date(2026, 1, 16)
    assert status["actual_to_date"] == Decimal("200.00")
    assert status["burn_rate_per_day"] == Decimal("10")
    assert status["budget_burn"] == pytest.approx(200 / (155 * 20 / 31))


def test_projected_crossing_before_it_happens() -> None:
    daily = ten_a_day("2026-01-01", "2026-01-10")
    status = budget_status(daily, Budget(amount=Decimal(155)), as_of=dt.date(2026, 1, 10))
    assert status["status"] == "at risk"
    assert status["crossed_on"] is None
    assert status["projected"] == pytest.approx(310)  # straight-line pace, no forecast given
    assert status["variance"] == pytest.approx(155)
    assert status["variance_pct"] == pytest.approx(1.0)
    assert status["projected_crossing"] == dt.date(2026, 1, 16)


def test_on_track_and_quarter_period() -> None:
    daily = ten_a_day("2026-01-01", "2026-02-14")
    budget = Budget(amount=Decimal(1000), period="quarter")
    status = budget_status(daily, budget, as_of=dt.date(2026, 2, 14))
    assert status["period_start"] == dt.date(2026, 1, 1)
    assert status["period_end"] == dt.date(2026, 3, 31)
    assert status["days_elapsed"] == 45
    assert status["projected"] == pytest.approx(900)
    assert status["status"] == "on track"
    assert status["budget_burn"] == pytest.approx(450 / (1000 * 45 / 90))


def test_history_gives_budget_variance_of_finished_periods() -> None:
    daily = ten_a_day("2026-01-01", "2026-03-10")
    rows = budget_history(daily, Budget(amount=Decimal(300)), as_of=dt.date(2026, 3, 10))
    assert [r["period_start"] for r in rows] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert [r["actual"] for r in rows] == [Decimal("310.00"), Decimal("280.00")]
    assert [r["budget_variance"] for r in rows] == pytest.approx([10 / 300, -20 / 300])
    assert rows[0]["crossed_on"] == dt.date(2026, 1, 31)
    assert rows[1]["crossed_on"] is None


def test_budget_spec_validation() -> None:
    with pytest.raises(ValueError):
        Budget(amount=Decimal(0))
    with pytest.raises(ValueError):
        Budget(amount=Decimal(1), start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1))
    b = Budget(amount=Decimal(1), scope={"team": ["a", "b"], "env": "prod"}, currency="usd")
    assert b.scope_values() == {"env": ("prod",), "team": ("a", "b")}
    assert b.currency == "USD"


def test_budget_typos_are_config_errors_with_lines(tmp_path: Path) -> None:
    from costmark.errors import ConfigError
    from costmark.spec.loader import load_project

    config = tmp_path / "costmark.yaml"
    config.write_text(
        "version: 1\n"
        "dimensions:\n"
        "  team: {tag: team}\n"
        "budgets:\n"
        "  web:\n"
        "    amount: 100\n"
        "    currency: US\n"
        "    scope: {tema: web}\n"
        "    where: \"Nope = 'x'\"\n",
        "utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_project(config)
    text = str(caught.value)
    assert ":8: budgets.web.scope: unknown dimension 'tema' (did you mean 'team'?)" in text
    assert ":9: budgets.web.where: unknown column or dimension 'Nope'" in text
    assert ":7: budgets.web.currency: 'US' is not a 3-letter currency code" in text
