"""Rollups answer exactly what the raw table answers, stay in step per slice, and are never
read when stale."""

from __future__ import annotations

import pytest

import costmark
from tests.kpi_support import load_rows, row, write_config
from tests.kpis.fixture import build

ROLLUP_KPIS = [
    "total_cost", "billed_cost", "list_cost", "contracted_cost", "effective_savings_rate",
    "savings_achieved", "negotiated_savings", "commitment_savings", "commitment_utilization",
    "commitment_waste", "commitment_coverage", "on_demand_share", "spot_share",
    "allocation_coverage", "untagged_cost_share", "cost_change", "cost_variance",
    "compute_share", "list_minus_eff",
]


@pytest.fixture
def ws(workspace: costmark.Workspace) -> costmark.Workspace:
    build(workspace, extras=False)
    workspace.refresh_rollups()
    return workspace


@pytest.mark.parametrize(
    ("grain", "by", "where"),
    [("month", (), None), ("day", ("team",), None), ("week", ("team", "service"), None),
     ("quarter", ("tag:team",), "ServiceCategory = 'Compute' or team = 'beta'")],
)
def test_rollup_equals_raw(ws: costmark.Workspace, grain: str, by: tuple[str, ...],
                           where: str | None) -> None:
    rolled = ws.kpi(ROLLUP_KPIS, grain=grain, by=by, where=where, rollups=True)
    raw = ws.kpi(ROLLUP_KPIS, grain=grain, by=by, where=where, rollups=False)
    assert rolled.source == "rollup" and raw.source == "raw"
    assert rolled.rows() == raw.rows()


def test_auto_uses_rollup_and_falls_back(ws: costmark.Workspace) -> None:
    assert ws.kpi("total_cost").source == "rollup"
    # distinct resources need row-level data
    assert ws.kpi("cost_per_resource").source == "raw"
    # a column the rollup does not keep
    assert ws.kpi("total_cost", where="RegionId = 'x'").source == "raw"


def test_stale_rollup_is_not_read(ws: costmark.Workspace) -> None:
    load_rows(ws, [row(ChargePeriodStart="2024-01-20", SubAccountId="acc-a", EffectiveCost=100,
                       BillingAccountId="acct")])
    result = ws.kpi("total_cost")
    assert result.source == "raw"
    assert result.value("total_cost", period_start="2024-01-01", currency="USD") == 130


def test_slice_refresh_matches_full_rebuild(ws: costmark.Workspace) -> None:
    con = ws.warehouse.con
    # restate the EUR slice: delete it and load a new version, then refresh only that slice
    con.execute("DELETE FROM costs WHERE BillingAccountId = 'eu'").fetchall()
    load_rows(ws, [row(ChargePeriodStart="2024-01-09", SubAccountId="acc-e", EffectiveCost=9,
                       BillingCurrency="EUR", BillingAccountId="eu")])
    slice_key = ("Test", "eu", "2024-01-01 00:00:00")
    with ws.warehouse.transaction():
        info = ws.refresh_rollups([slice_key])
    assert info["rebuilt"] is False
    incremental = ws.kpi(ROLLUP_KPIS, by=["team"], rollups=True).rows()
    ws.refresh_rollups()
    assert ws.kpi(ROLLUP_KPIS, by=["team"], rollups=True).rows() == incremental
    assert ws.kpi("total_cost", by=["team"], rollups=False).rows() == [
        r for r in incremental if r["kpi"] == "total_cost"
    ]


def test_rollup_inside_open_transaction_sees_uncommitted_rows(ws: costmark.Workspace) -> None:
    with ws.warehouse.transaction():
        load_rows(ws, [row(ChargePeriodStart="2024-01-21", SubAccountId="acc-a",
                           EffectiveCost=5, BillingAccountId="acct")])
        ws.refresh_rollups([("Test", "acct", "2024-01-01 00:00:00")])
        assert ws.kpi("total_cost", rollups=True).value(
            "total_cost", period_start="2024-01-01", currency="USD") == 35


def test_business_loads_do_not_stale_the_cost_rollup(ws: costmark.Workspace) -> None:
    """Only cost loads change ``costs``; loading side data must keep answering from rollups."""
    ws.warehouse.con.execute(
        "INSERT INTO ingest_log (ingest_id, kind, file, started_at, status) "
        "VALUES ('b1', 'business', 'metrics.csv', now(), 'ok')"
    )
    assert ws.rollup_status()["fresh"] is True
    assert ws.kpi("total_cost").source == "rollup"


def test_row_level_kpi_does_not_send_the_rest_to_raw(ws: costmark.Workspace) -> None:
    """cost_per_resource needs row-level data; the other KPIs still come from the rollup, and
    the answers equal an all-raw run, in the order asked."""
    ids = ["total_cost", "cost_per_resource", "effective_savings_rate", "cost_variance"]
    mixed = ws.kpi(ids, by=["team"])
    raw = ws.kpi(ids, by=["team"], rollups=False)
    assert mixed.source == "rollup+raw"
    assert mixed.rows() == raw.rows()


# -- the monthly rollup ------------------------------------------------------------------------

def _table_read(ws: costmark.Workspace, **options: object) -> str:
    header = ws.explain("total_cost", **options).splitlines()[0]
    return "monthly" if "kpi_rollup_monthly" in header else (
        "daily" if "kpi_rollup_daily" in header else "raw")


@pytest.mark.parametrize(
    ("options", "table"),
    [
        ({"grain": "month"}, "monthly"),
        ({"grain": "quarter", "start": "2024-01-01"}, "monthly"),
        ({"grain": "year", "end": "2024-01-31"}, "monthly"),
        ({"grain": "month", "start": "2024-01-01", "end": "2024-02-29"}, "monthly"),
        ({"grain": "month", "start": "2024-01-06"}, "daily"),  # part of January
        ({"grain": "month", "end": "2024-01-15"}, "daily"),
        ({"grain": "week"}, "daily"),
        ({"grain": "day"}, "daily"),
    ],
)
def test_whole_months_read_the_monthly_rollup(ws: costmark.Workspace, options: dict[str, str],
                                              table: str) -> None:
    assert _table_read(ws, **options) == table
    rolled = ws.kpi(ROLLUP_KPIS, by=["team"], **options)  # type: ignore[arg-type]
    raw = ws.kpi(ROLLUP_KPIS, by=["team"], rollups=False, **options)  # type: ignore[arg-type]
    assert rolled.source == "rollup"
    assert rolled.rows() == raw.rows()


def test_period_change_lookback_stays_on_whole_months(ws: costmark.Workspace) -> None:
    """cost_change reads the month before ``start``: still whole months."""
    options = {"grain": "month", "start": "2024-02-01"}
    assert "kpi_rollup_monthly" in ws.explain("cost_change", **options).splitlines()[0]
    assert ws.kpi("cost_change", **options).rows() == ws.kpi(
        "cost_change", rollups=False, **options).rows()


def _monthly_rows(ws: costmark.Workspace) -> list[tuple[object, ...]]:
    return sorted(ws.warehouse.con.execute("SELECT * FROM kpi_rollup_monthly").fetchall(),
                  key=repr)


def test_monthly_slice_refresh_matches_full_rebuild(ws: costmark.Workspace) -> None:
    con = ws.warehouse.con
    con.execute("DELETE FROM costs WHERE BillingAccountId = 'eu'").fetchall()
    load_rows(ws, [row(ChargePeriodStart="2024-01-09", SubAccountId="acc-e", EffectiveCost=9,
                       BillingCurrency="EUR", BillingAccountId="eu")])
    with ws.warehouse.transaction():
        ws.refresh_rollups([("Test", "eu", "2024-01-01 00:00:00")])
    incremental = _monthly_rows(ws)
    ws.refresh_rollups()
    assert _monthly_rows(ws) == incremental
    assert ws.rollup_status()["monthly_rows"] == len(incremental)


def test_rollup_built_before_monthly_existed_still_answers(ws: costmark.Workspace) -> None:
    """A warehouse whose rollup predates the monthly table reads the daily one until the next
    refresh builds the monthly table."""
    con = ws.warehouse.con
    con.execute("DROP TABLE kpi_rollup_monthly").fetchall()
    con.execute("DELETE FROM kpi_rollup_meta WHERE key = 'monthly'").fetchall()
    assert ws.kpi("total_cost").source == "rollup"
    assert _table_read(ws) == "daily"
    with ws.warehouse.transaction():
        ws.refresh_rollups([("Test", "eu", "2024-01-01 00:00:00")])
    assert _table_read(ws) == "monthly"
    assert ws.kpi(ROLLUP_KPIS, by=["team"]).rows() == ws.kpi(
        ROLLUP_KPIS, by=["team"], rollups=False).rows()


# -- compiled queries are reused, and only while nothing they depend on changed ---------------

def test_repeated_request_compiles_once(ws: costmark.Workspace,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from costmark.engine import backends

    compiled: list[str] = []
    real = backends.Backend.to_sql

    def counting(self: backends.Backend, expr: object) -> str:
        compiled.append("x")
        return real(self, expr)  # type: ignore[arg-type]

    monkeypatch.setattr(backends.Backend, "to_sql", counting)
    first = ws.kpi("total_cost", by=["team"]).rows()
    n = len(compiled)
    assert n >= 1
    assert ws.kpi("total_cost", by=["team"]).rows() == first
    assert len(compiled) == n
    ws.kpi("total_cost", by=["team"], grain="quarter")  # another shape compiles anew
    assert len(compiled) > n


def test_cached_queries_follow_mapping_files_config_and_new_columns(
        workspace: costmark.Workspace) -> None:
    (workspace.root / "mappings").mkdir()
    team_csv = workspace.root / "mappings" / "team.csv"
    team_csv.write_text("SubAccountId,team\n111,payments\n", "utf-8")
    write_config(workspace, MAPPED_CONFIG)
    load_rows(workspace, [row(EffectiveCost=1, SubAccountId="111"),
                          row(EffectiveCost=2, SubAccountId="222")])
    workspace.refresh_rollups()

    def by_team() -> dict[object, object]:
        return {r["team"]: r["value"] for r in workspace.kpi("total_cost", by=["team"]).rows()}

    assert by_team() == {"payments": 1, None: 2}
    team_csv.write_text("SubAccountId,team\n111,payments\n222,search-and-ads\n", "utf-8")
    assert by_team() == {"payments": 1, "search-and-ads": 2}
    write_config(workspace, MAPPED_CONFIG.replace("    default: null\n",
                                                  "    default: other\n"))
    workspace.reload_project()
    team_csv.write_text("SubAccountId,team\n111,payments\n", "utf-8")
    assert by_team() == {"payments": 1, "other": 2}


MAPPED_CONFIG = """\
version: 1
dimensions:
  team:
    rules:
      - column: SubAccountId
        file: mappings/team.csv
    default: null
"""


@pytest.mark.parametrize(
    ("grain", "start", "end", "lookback", "whole"),
    [
        ("month", None, None, None, True),
        ("quarter", "2024-04-01", "2024-06-30", None, True),
        ("year", "2024-01-01", "2024-12-31", "2023-01-01", True),
        ("month", "2024-01-02", None, None, False),
        ("month", None, "2024-02-28", None, False),  # 2024 is a leap year
        ("month", None, "2024-02-29", None, True),
        ("week", None, None, None, False),
        ("day", "2024-01-01", None, None, False),
    ],
)
def test_covers_whole_months(grain: str, start: str | None, end: str | None,
                             lookback: str | None, whole: bool) -> None:
    import datetime as dt

    from costmark.engine.compile import Scan
    from costmark.engine.rollups import covers_whole_months

    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    scan = Scan(grain, (), day(start), day(end), None, day(lookback))
    assert covers_whole_months(scan) is whole
