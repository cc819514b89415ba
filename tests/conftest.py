"""Shared fixtures: a fresh workspace per test and the real public data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

import costmark

#: The two-engine fixtures (``engine``, ``on``) every service's suite uses.
pytest_plugins = ["tests.engine_support"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    """The read-only real billing data (../shared/data beside the repo)."""
    if not SHARED_DATA.exists():
        pytest.skip(f"{SHARED_DATA} not present (it sits beside the repo in CI)")
    return SHARED_DATA


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def workspace(tmp_path: Path) -> costmark.Workspace:
    """An initialised, empty workspace with the default costmark.yaml."""
    ws = costmark.init_workspace(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def spark_backend(tmp_path_factory: pytest.TempPathFactory) -> object:
    """One local SparkSession (as an Ibis backend) for the whole run: starting Spark costs
    4-8 s, so every Spark test shares it. Skips with the reason when Java or PySpark is missing.

    Exports go to one staging folder for the run: KPI tests build identical tiny warehouses, and
    an identical table (same content fingerprint) is then exported and registered only once.
    """
    from costmark.engine import spark
    from costmark.errors import BackendUnavailable

    try:
        spark.check_available()
    except BackendUnavailable as exc:
        pytest.skip(f"Spark half skipped: {exc}")
    staging = tmp_path_factory.mktemp("spark-staging")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(spark.ENV_STAGING, str(staging))
        mp.setenv(spark.ENV_MASTER, "local[2]")
        yield spark.connect(spark.SparkSettings(master="local[2]", staging=staging))
    spark.stop()
