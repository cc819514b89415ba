"""KPI tests run through an ``engine`` fixture so the same suite runs on every backend.

The Spark half (marked ``spark``) shares one SparkSession for the whole run (the session-scoped
``spark_backend`` fixture in tests/conftest.py) and skips, with the reason, when Java or
costmark[spark] is missing. ``pytest -m "not spark"`` runs the DuckDB half alone.
"""

from __future__ import annotations

import pytest

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        request.getfixturevalue("spark_backend")
    return str(request.param)
