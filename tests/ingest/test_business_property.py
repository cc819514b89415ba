"""Property: any sequence of business loads leaves exactly "the last value loaded for each
(metric, dimension values, date)" in the warehouse: re-loads never duplicate, never lose."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costmark

CONFIG = """\
version: 1
dimensions:
  app: {tag: app}
business_metrics:
  transactions: {aggregation: sum}
  revenue: {aggregation: sum}
"""

_counter = itertools.count()

keys = st.tuples(
    st.sampled_from(["transactions", "revenue"]),
    st.sampled_from(["", "shop", "search"]),
    st.integers(0, 5),
)
batch = st.dictionaries(keys, st.integers(-1000, 10**6), min_size=1, max_size=12)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(batch, min_size=1, max_size=4))
def test_last_load_wins_per_key(tmp_path: Path, batches: list[dict]) -> None:
    root = tmp_path / f"ws{next(_counter)}"
    expected: dict[tuple[str, str, dt.date], float] = {}
    with costmark.init_workspace(root, config_text=CONFIG) as ws:
        for i, rows in enumerate(batches):
            lines = ["date,metric,value,app"]
            for (metric, app, day), value in rows.items():
                date = dt.date(2025, 1, 1) + dt.timedelta(days=day)
                lines.append(f"{date},{metric},{value},{app}")
                dims = f'{{"app":"{app}"}}' if app else "{}"
                expected[(metric, dims, date)] = float(value)
            path = root / f"load{i}.csv"
            path.write_text("\n".join(lines) + "\n", "utf-8")
            ws.ingest_business(path)
        got = {
            (m, d, date): v
            for m, date, d, v in ws.warehouse.con.execute(
                "SELECT metric, date, dimensions, value FROM business_metrics"
            ).fetchall()
        }
    assert got == expected
