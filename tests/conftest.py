"""Shared fixtures: a fresh workspace per test and the real public data in ../shared/data."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import costmark

#: The two-engine fixtures (``engine``, ``on``) every service's suite uses.
pytest_plugins = ["tests.engine_support"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run first (otherwise in collection order): on two workers a test
    of several minutes that starts last ends last, and the whole run waits for it."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """(KPI ids, grain) of every request the KPI engine computes (for tests of what a cache
    spares it)."""
    from costmark.engine.kpiengine import KpiEngine

    seen: list[tuple[Any, ...]] = []
    real = KpiEngine.run

    def counting(self: KpiEngine, plan: Any) -> Any:
        seen.append((plan.request.ids, plan.request.grain))
        return real(self, plan)

    monkeypatch.setattr(KpiEngine, "run", counting)
    return seen


SAMPLE = ("focus-sample-data", "FOCUS-1.0_focus_sample.csv")


def sample_without_one_day(sample: Path, out: Path) -> Path:
    """The FOCUS 1.0 sample less the charges starting on 10 September 2024: the same extent (1
    to 30 September, so the same period) with other totals, to load the full sample over."""
    with sample.open(newline="", encoding="utf-8") as src, out.open(
        "w", newline="", encoding="utf-8"
    ) as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames or [], quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(r for r in reader if r["ChargePeriodStart"][:10] != "2024-09-10")
    return out


@pytest.fixture
def sample_less_a_day(shared_data: Path, tmp_path: Path) -> Iterator[costmark.Workspace]:
    """A workspace holding :func:`sample_without_one_day`."""
    ws = costmark.init_workspace(tmp_path / "ws")
    part = sample_without_one_day(shared_data.joinpath(*SAMPLE), tmp_path / "part.csv")
    ws.ingest_focus([part], progress=False)
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
