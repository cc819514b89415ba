"""Hand-made long-format KPI frames (the shape ws.kpi(...).to_pandas() returns)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd


def months(year: int, month: int, n: int) -> list[dt.date]:
    out = []
    for i in range(n):
        total = year * 12 + month - 1 + i
        out.append(dt.date(total // 12, total % 12 + 1, 1))
    return out


def kpi_frame(
    kpi: str,
    rows: Iterable[tuple],
    by: tuple[str, ...] = ("team",),
    currency: str | None = "USD",
    grain: str = "month",
) -> pd.DataFrame:
    """rows: (period_start, *dim values, value) tuples."""
    records = []
    for row in rows:
        period, *dims, value = row
        records.append(
            {
                "kpi": kpi,
                "period_start": period,
                "grain": grain,
                **dict(zip(by, dims, strict=True)),
                "currency": currency,
                "value": value,
            }
        )
    return pd.DataFrame(records)
