"""KPI tests run through an ``engine`` fixture so the same suite can run on every backend.

Only DuckDB today; the Spark half adds "spark" to ENGINES (marked ``spark``) when it lands.
"""

from __future__ import annotations

import pytest

ENGINES = ["duckdb"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)
