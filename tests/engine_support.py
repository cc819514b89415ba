"""One small workspace run on both engines: the services' numbers must not depend on which.

``engine`` is parametrised over DuckDB and Spark (marked ``spark``, skipped with the reason when
Java or PySpark is missing, as ``spark_backend`` does); ``both_ws`` is one workspace built once
per session (Spark exports each table once per content, so the Spark half stays short) and
``on(engine)`` opens it on that engine. Tests compare each engine's answer with DuckDB's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import costmark
from costmark.api import Workspace
from tests.tracking.conftest import CONFIG, load_costs

ENGINES = [pytest.param("duckdb", id="duckdb"),
           pytest.param("spark", id="spark", marks=pytest.mark.spark)]

EXTRA = """
budgets:
  payments:
    amount: 3000
    period: month
    scope: {team: payments}
targets:
  - kpi: total_cost
    value: 2500
    direction: lower
"""


def _rows() -> list[tuple[dt.date, str, str, Decimal]]:
    """Four months of daily cost for two teams and two services, with one spike."""
    out = []
    day = dt.date(2026, 1, 1)
    while day < dt.date(2026, 5, 1):
        i = (day - dt.date(2026, 1, 1)).days
        for team, base in (("payments", 60), ("search", 90)):
            for service, share in (("Compute", 0.7), ("Storage", 0.3)):
                amount = Decimal(str(round(base * share * (1 + 0.1 * (i % 7) / 7), 2)))
                if team == "search" and day == dt.date(2026, 3, 18) and service == "Compute":
                    amount *= 8
                out.append((day, team, service, amount))
        day += dt.timedelta(days=1)
    return out


@pytest.fixture(scope="session")
def both_ws_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("both-engines") / "ws"
    ws = costmark.init_workspace(root, config_text=CONFIG + EXTRA)
    try:
        load_costs(ws, _rows())
    finally:
        ws.close()
    return root


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        request.getfixturevalue("spark_backend")  # one session; skips without Java/PySpark
    return str(request.param)


@pytest.fixture
def on(both_ws_root: Path) -> Iterator[Any]:
    """``on(name)``: the shared workspace opened (read-only) on that engine."""
    opened: list[Workspace] = []

    def open_on(name: str) -> Workspace:
        ws = costmark.api.open_workspace(both_ws_root, read_only=True, engine=name)
        opened.append(ws)
        return ws

    yield open_on
    for ws in opened:
        ws.close()


def same(a: Any, b: Any, rel: float = 1e-9) -> bool:
    """Equal values: exact for text and dates, to ``rel`` for numbers (Spark's doubles)."""
    if isinstance(a, pd.DataFrame):
        return same(a.to_dict("records"), b.to_dict("records"), rel)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            same(a[k], b[k], rel) for k in a)
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(
            same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal | float | int) and not isinstance(a, bool):
        if isinstance(b, Decimal | float | int) and not isinstance(b, bool):
            fa, fb = float(a), float(b)
            if math.isnan(fa) or math.isnan(fb):
                return math.isnan(fa) and math.isnan(fb)
            return math.isclose(fa, fb, rel_tol=rel, abs_tol=1e-12)
        return False
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return bool(a == b)


def month_totals() -> dict[tuple[dt.date, str], Decimal]:
    """Hand sums of ``_rows()``: cost per (month, team)."""
    out: dict[tuple[dt.date, str], Decimal] = {}
    for day, team, _, amount in _rows():
        key = (day.replace(day=1), team)
        out[key] = out.get(key, Decimal(0)) + amount
    return out
