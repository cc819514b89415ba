"""Tables on narrow terminals: every column stays on screen (numbers fold rather than crop)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rich.console import Console

from costmark.cli import output
from costmark.cli.options import OutputFormat

ROW = {"kpi": "total_cost", "period_start": "2024-09-01", "currency": "USD",
       "value": Decimal("123456789012345.123456789012345678"), "unit": "currency",
       "partial": "partial: 18 of 30 days"}


@pytest.mark.parametrize("width", [60, 80, 200])
def test_every_column_and_digit_is_shown_whatever_the_width(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = Console(width=width, record=True, emoji=False)
    monkeypatch.setattr(output, "console", console)
    output.emit([ROW], OutputFormat.table, columns=[*list(ROW)[:4], "partial"],
                units={"value": "@unit"})
    text = console.export_text()
    assert all(len(line) <= width for line in text.splitlines())
    for header in ("kpi", "currency", "value", "partial"):
        assert header in text
    lines = text.splitlines()
    header = [line for line in lines if line.count("┃") >= 2][-1]  # headers sit at the bottom
    at = [c.strip() for c in header.split("┃")[1:-1]].index("value")
    value = "".join(line.split("│")[1:-1][at].strip() for line in lines if line.count("│") >= 2)
    assert value == "$123,456,789,012,345.123456789012345678"
