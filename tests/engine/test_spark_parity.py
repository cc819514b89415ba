"""Every built-in KPI gives the same answer on Spark as on DuckDB (1e-9 relative).

Few, broad requests on purpose: each Spark request costs seconds, so one request asks for every
KPI at once and the grain / dimension / filter / range variations ask for a handful each. The
data is a small demo organisation (3 providers, a EUR account, commitments, credits, refund,
taxes, business metrics, utilization, recommendations, a team dimension from a tag then a
mapping file), so every path the KPIs take on Spark is exercised: conditional sums, distinct
counts, mapped dimensions, joins with utilization, business metrics, period-over-period.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costmark
from costmark import api
from tests.conftest import SHARED_DATA as SHARED

pytestmark = pytest.mark.spark

#: (grain, by, where, start, end, ids): None ids = the whole catalog.
CASES: list[tuple[str, tuple[str, ...], str | None, str | None, str | None, list[str] | None]] = [
    ("month", ("team",), None, None, None, None),
    ("week", ("app",), "env = 'prod' or team in ('payments', 'growth')", None, None,
     ["total_cost", "cost_change", "cost_variance", "effective_savings_rate",
      "commitment_utilization", "allocation_coverage", "cost_per_transactions"]),
    ("day", ("provider",), "ServiceCategory = 'Compute'", "2025-02-10", "2025-02-20",
     ["total_cost", "cost_change", "on_demand_share", "cost_per_resource"]),
    ("quarter", ("env", "account"), None, None, None,
     ["total_cost", "savings_achieved", "untagged_cost_share", "commitment_coverage"]),
]

NUMERIC = ("value", "numerator", "denominator", "coverage")


@pytest.fixture(scope="module")
def parity_ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("spark") / "demo"
    api.create_demo(root, seed=11, months=3, rows=3000, end=dt.date(2025, 3, 1))
    ws = costmark.open(root)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def all_kpis(parity_ws: Any) -> list[str]:
    return [k.id for k in parity_ws.kpi_catalog()]


def _key(row: dict[str, Any], by: tuple[str, ...]) -> tuple[Any, ...]:
    return (row["kpi"], str(row["period_start"]), *(str(row.get(b)) for b in by),
            str(row["currency"]))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b or math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def assert_same_rows(duck: list[dict[str, Any]], spark: list[dict[str, Any]],
                     by: tuple[str, ...]) -> None:
    left = {_key(r, by): r for r in duck}
    right = {_key(r, by): r for r in spark}
    assert len(left) == len(duck), "DuckDB returned duplicate keys"
    assert set(left) == set(right)
    diffs = [
        (k, col, left[k][col], right[k][col])
        for k in sorted(left)
        for col in NUMERIC
        if not _same(left[k][col], right[k][col])
    ]
    assert not diffs, f"{len(diffs)} values differ, first: {diffs[:5]}"
    notes = [(k, left[k]["note"], right[k]["note"]) for k in left
             if left[k]["note"] != right[k]["note"]]
    assert not notes, notes[:5]


@pytest.mark.parametrize(("grain", "by", "where", "start", "end", "ids"), CASES)
def test_kpis_match_duckdb(
    parity_ws: Any, all_kpis: list[str], spark_backend: Any, grain: str, by: tuple[str, ...],
    where: str | None, start: str | None, end: str | None, ids: list[str] | None,
) -> None:
    kwargs: dict[str, Any] = {"grain": grain, "by": list(by), "where": where, "start": start,
                              "end": end}
    wanted = ids or all_kpis
    duck = parity_ws.kpi(wanted, **kwargs, engine="duckdb", rollups=False).rows()
    spark = parity_ws.kpi(wanted, **kwargs, engine="spark").rows()
    # contract burn-down answers only with FOCUS 1.3+ contract commitments (the demo has none)
    answering = {k for k in wanted if not k.startswith("contract_")}
    assert {r["kpi"] for r in duck} == answering, "every KPI should answer on the demo"
    assert_same_rows(duck, spark, by)


def test_total_cost_is_the_exact_warehouse_sum(parity_ws: Any, spark_backend: Any) -> None:
    """Money stays exact on Spark: DECIMAL(38,18) sums, no float anywhere on the way."""
    con = parity_ws.warehouse.con
    from costmark.engine.query import convert

    # per billing currency, then converted as costmark.yaml says (the demo reports in USD)
    expected: dict[str, Decimal] = {}
    sums = con.execute("SELECT BillingCurrency, sum(EffectiveCost) FROM costs GROUP BY 1")
    for currency, amount in sums.fetchall():
        reported, value = convert(parity_ws.project, currency, amount)
        expected[str(reported)] = expected.get(str(reported), Decimal(0)) + value
    got: dict[str, Decimal] = {}
    for row in parity_ws.kpi(["total_cost"], grain="year", engine="spark").rows():
        got[row["currency"]] = got.get(row["currency"], Decimal(0)) + row["value"]
    assert got == expected


def test_spark_results_have_duckdb_types(parity_ws: Any, spark_backend: Any) -> None:
    duck = parity_ws.kpi(["total_cost", "effective_savings_rate"], by=["team"]).to_arrow()
    spark = parity_ws.kpi(["total_cost", "effective_savings_rate"], by=["team"],
                          engine="spark").to_arrow()
    assert duck.schema == spark.schema


def test_unknown_engine_is_a_usage_error(parity_ws: Any) -> None:
    with pytest.raises(costmark.errors.UsageError, match="spark"):
        parity_ws.kpi(["total_cost"], engine="sprak")


def test_cli_engine_spark(parity_ws: Any, spark_backend: Any,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`costmark kpi --engine spark` end to end, in-process so it reuses the test session."""
    import json

    from typer.testing import CliRunner

    from costmark.cli.main import _register, app
    from costmark.engine.spark import ENV_MASTER

    _register()
    monkeypatch.setenv(ENV_MASTER, "local[2]")  # restored after the test
    parity_ws.close()  # the CLI opens the warehouse read-only; DuckDB wants one mode per file
    args = ["kpi", "total_cost", "effective_savings_rate", "--by", "team", "--format", "json",
            "--workspace", str(parity_ws.root)]
    duck = CliRunner().invoke(app, args)
    spark = CliRunner().invoke(app, [*args, "--engine", "spark", "--spark-master", "local[2]"])
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    duck_rows, spark_rows = json.loads(duck.stdout), json.loads(spark.stdout)
    assert duck_rows and isinstance(duck_rows, list)
    assert_same_rows(duck_rows, spark_rows, ("team",))
    sql = CliRunner().invoke(app, ["explain", "effective_savings_rate", "--engine", "spark",
                                   "--workspace", str(parity_ws.root)])
    assert sql.exit_code == 0, sql.output
    # the demo's rollup is fresh after its load, so Spark reads the (exported) monthly rollup
    assert "engine: spark" in sql.stdout
    assert "FROM `kpi_rollup_monthly_" in sql.stdout


def test_exports_go_to_the_workspace_and_follow_ingests(
    tmp_path: Path, spark_backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default exports live in <workspace>/.costmark/spark; a new ingest is seen at once."""
    from costmark.engine.spark import ENV_STAGING

    sample = SHARED / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    if not sample.exists():
        pytest.skip(f"{sample} not present")
    monkeypatch.delenv(ENV_STAGING)
    ws = costmark.init_workspace(tmp_path / "ws")
    try:
        assert ws.kpi("total_cost", engine="spark").rows() == []
        ws.ingest_focus([sample], progress=False)
        rows = ws.kpi("total_cost", grain="year", engine="spark").rows()
        # the sample's own EffectiveCost sum, exact
        assert sum(r["value"] for r in rows) == Decimal("14.976514185860")
        exports = list((tmp_path / "ws" / ".costmark" / "spark").glob("costs-*.parquet"))
        assert len(exports) == 1
    finally:
        ws.close()


def test_spark_reads_the_rollup_with_the_same_answers(parity_ws: Any, spark_backend: Any) -> None:
    """Sum-only requests read the daily rollup on Spark too (exported like any table), and
    a refreshed rollup is re-exported before it is read."""
    ids = ["total_cost", "effective_savings_rate", "commitment_coverage", "allocation_coverage",
           "on_demand_share"]
    parity_ws.kpi(ids, by=["team"], engine="spark", rollups=False)  # registers costs first
    parity_ws.refresh_rollups()
    duck = parity_ws.kpi(ids, by=["team"], rollups=False).rows()
    result = parity_ws.kpi(ids, by=["team"], engine="spark", rollups=True)
    assert result.source == "rollup"
    assert_same_rows(duck, result.rows(), ("team",))
