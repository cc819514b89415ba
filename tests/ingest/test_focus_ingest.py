"""Ingest: exact totals, idempotency, restatement, quarantine accounting, --strict, tags."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import costmark
from costmark.errors import InputError, ValidationFailed
from tests.focus.helpers import FIXTURE, set_value, variant


def snapshot(ws: costmark.Workspace) -> list[tuple[Any, ...]]:
    """Every cost row except the ingest id (which differs per load by design)."""
    cols = [c for c in ws.warehouse.table_columns("costs") if c != "x_IngestId"]
    sql = ", ".join(f'"{c}"' for c in cols)
    return ws.warehouse.con.execute(f"SELECT {sql} FROM costs ORDER BY ALL").fetchall()


def sums(ws: costmark.Workspace) -> tuple[Any, ...]:
    row = ws.warehouse.con.execute(
        'SELECT count(*), sum("BilledCost"), sum("EffectiveCost"), sum("ListCost"), '
        'sum("ContractedCost") FROM costs'
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_focus_10_sample_totals_are_exact(workspace: costmark.Workspace, shared_data: Path) -> None:
    path = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    summary = workspace.ingest_focus([path], progress=False)
    doc = summary.to_dict()
    # losing cost is worse than a null ContractedCost: the Oracle rows load (no quarantine)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_quarantined"]) == (1000, 1000, 0)
    assert doc["billing_periods"] == ["2024-09-01", "2024-10-01"]
    usd = doc["totals"]["USD"]
    assert Decimal(usd["EffectiveCost"]).quantize(Decimal("0.000001")) == Decimal("14.976514")
    assert Decimal(usd["BilledCost"]).quantize(Decimal("0.000001")) == Decimal("20.520227")
    assert Decimal(usd["ListCost"]).quantize(Decimal("0.000001")) == Decimal("20.390906")
    assert Decimal(usd["ContractedCost"]).quantize(Decimal("0.000001")) == Decimal("14.976260")
    n, billed, effective, _, _ = sums(workspace)
    assert n == 1000
    assert str(billed) == "20.520226728990000000"  # exact to the last digit in the file
    assert effective == Decimal(usd["EffectiveCost"])
    oracle = workspace.warehouse.con.execute(
        'SELECT count(*), count("ContractedCost"), min("ChargeFrequency") FROM costs '
        "WHERE \"ProviderName\" = 'Oracle'"
    ).fetchone()
    # loaded, with the allowed value in the spec's spelling ('Usage-based' in the file)
    assert oracle == (7, 0, "Usage-Based")
    log = workspace.ingest_log()
    assert log[0]["status"] == "ok" and log[0]["rows_loaded"] == 1000
    assert len(log[0]["sha256"]) == 64


def test_fixture_totals_by_hand(workspace: costmark.Workspace) -> None:
    doc = workspace.ingest_focus([FIXTURE], progress=False).to_dict()
    # 10.50 + 0 + 0 + 4.00 + 1.20 - 2.00; effective 10.50 + 3.25 + 0.75 + 0 + 1.20 - 2.00
    assert doc["totals"] == {
        "USD": {
            "BilledCost": "13.7",
            "EffectiveCost": "13.7",
            "ListCost": "20.2",
            "ContractedCost": "17.7",
        }
    }
    con = workspace.warehouse.con
    # +02:00 offset converted to UTC; the credit stays negative
    row = con.execute(
        'SELECT "ChargePeriodStart", "BilledCost" FROM costs WHERE "ChargeCategory" = \'Credit\''
    ).fetchone()
    assert row is not None
    assert str(row[0]) == "2024-09-04 22:00:00" and row[1] == Decimal("-2")
    lineage = con.execute(
        'SELECT min("x_SourceRow"), max("x_SourceRow"), min("x_SourceFile") FROM costs'
    ).fetchone()
    assert lineage == (1, 6, str(FIXTURE.resolve()))


def test_loading_twice_changes_nothing(workspace: costmark.Workspace) -> None:
    workspace.ingest_focus([FIXTURE], progress=False)
    before = snapshot(workspace)
    second = workspace.ingest_focus([FIXTURE], progress=False)
    assert second.rows_replaced == 6
    assert snapshot(workspace) == before


def test_restated_file_replaces_its_slice_only(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    workspace.ingest_focus([FIXTURE], progress=False)

    def restate(header: list[str], rows: list[dict[str, str]]) -> None:
        # Cloud A / acct-1 restated down to one corrected usage row; Cloud B not in the file
        del rows[1:]
        rows[0]["BilledCost"] = rows[0]["EffectiveCost"] = "9.00"

    restated = variant(tmp_path / "restated.csv", restate)
    summary = workspace.ingest_focus([restated], progress=False)
    assert summary.rows_replaced == 5  # the five Cloud A rows
    rows = workspace.warehouse.con.execute(
        'SELECT "ProviderName", count(*), sum("BilledCost") FROM costs GROUP BY 1 ORDER BY 1'
    ).fetchall()
    assert rows == [("Cloud A", 1, Decimal("9")), ("Cloud B", 1, Decimal("-2"))]


def test_quarantine_accounting(workspace: costmark.Workspace, tmp_path: Path) -> None:
    def damage(header: list[str], rows: list[dict[str, str]]) -> None:
        rows[1]["BilledCost"] = "12,50"  # unparseable money
        rows[3]["BillingAccountId"] = ""  # no slice key
        rows[4]["ChargePeriodStart"] = "yesterday"  # unparseable date

    path = variant(tmp_path / "bad.csv", damage)
    summary = workspace.ingest_focus([path], progress=False)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (6, 3, 3)
    assert summary.rows_read == summary.rows_loaded + summary.rows_quarantined
    rows = workspace.quarantine()
    assert [r["source_row"] for r in rows] == [2, 4, 5]
    assert {"rule": "unparseable", "column": "BilledCost"} in rows[0]["reasons"]
    assert {"rule": "missing_key", "column": "BillingAccountId"} in rows[1]["reasons"]
    assert {"rule": "unparseable", "column": "ChargePeriodStart"} in rows[2]["reasons"]
    assert rows[0]["record"]["BilledCost"] == "12,50"  # the raw value, nothing lost
    assert workspace.warehouse.con.execute("SELECT count(*) FROM costs").fetchone() == (3,)
    log = workspace.ingest_log()[0]
    assert (log["rows_read"], log["rows_loaded"], log["rows_quarantined"]) == (6, 3, 3)
    # re-loading the same file replaces its quarantine rows instead of piling them up
    workspace.ingest_focus([path], progress=False)
    assert len(workspace.quarantine()) == 3


def test_strict_refuses_and_writes_nothing(workspace: costmark.Workspace, tmp_path: Path) -> None:
    workspace.ingest_focus([FIXTURE], progress=False)
    before = snapshot(workspace)
    log_before = workspace.ingest_log()
    bad = variant(tmp_path / "bad.csv", set_value(2, "BilledCost", "n/a"))
    with pytest.raises(ValidationFailed, match="--strict refused") as info:
        workspace.ingest_focus([FIXTURE, bad], strict=True, progress=False)
    assert any(p.row == 2 and p.column == "BilledCost" for p in info.value.problems)
    assert snapshot(workspace) == before
    assert workspace.quarantine() == []
    assert workspace.ingest_log() == log_before
    # a clean file passes --strict
    assert workspace.ingest_focus([FIXTURE], strict=True, progress=False).rows_loaded == 6


def test_strict_refuses_spec_violations_too(
    workspace: costmark.Workspace, shared_data: Path
) -> None:
    path = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    with pytest.raises(ValidationFailed):
        workspace.ingest_focus([path], strict=True, progress=False)
    assert sums(workspace)[0] == 0


def test_non_focus_file_is_refused_clearly(
    workspace: costmark.Workspace, shared_data: Path
) -> None:
    with pytest.raises(InputError, match="missing column"):
        workspace.ingest_focus(
            [shared_data / "focus-validator" / "bad-inputs" / "all_fail.csv"], progress=False
        )
    assert workspace.ingest_log() == []


def test_parquet_and_legacy_names(workspace: costmark.Workspace, tmp_path: Path) -> None:
    import duckdb

    pq = tmp_path / "f.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CAST(BilledCost AS DOUBLE) AS BilledCost, "
        f"CAST(EffectiveCost AS DECIMAL(20, 4)) AS EffectiveCost, "
        f"CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart, "
        f"CASE WHEN ResourceName IS NULL THEN 'NULL' ELSE ResourceName END AS ResourceName) "
        f"FROM read_csv('{FIXTURE}', all_varchar=true)) TO '{pq}' (FORMAT parquet)"
    )
    doc = workspace.ingest_focus([pq], progress=False).to_dict()
    assert doc["rows_loaded"] == 6
    assert doc["totals"]["USD"]["BilledCost"] == "13.7"
    assert doc["totals"]["USD"]["EffectiveCost"] == "13.7"
    con = workspace.warehouse.con
    # the text 'NULL' in a Parquet string column is read as null
    assert con.execute("SELECT count(*) FROM costs WHERE \"ResourceName\" = 'NULL'").fetchone() == (
        0,
    )
    assert con.execute('SELECT max("x_SourceRow") FROM costs').fetchone() == (6,)


def test_focus_13_provider_from_service_provider(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    from tests.focus.helpers import rename

    path = variant(tmp_path / "v13.csv", rename("ProviderName", "ServiceProviderName"))
    summary = workspace.ingest_focus([path], progress=False)
    assert summary.files[0].focus_version == "1.3"
    rows = workspace.warehouse.con.execute(
        'SELECT DISTINCT "ProviderName", "ServiceProviderName" FROM costs ORDER BY 1'
    ).fetchall()
    assert rows == [("Cloud A", "Cloud A"), ("Cloud B", "Cloud B")]


def test_tag_columns_materialised_and_backfilled(tmp_path: Path) -> None:
    config = "version: 1\nname: t\ndimensions:\n  team:\n    tag: team\n    allocation: true\n"
    ws = costmark.init_workspace(tmp_path / "ws", config_text=config)
    try:
        ws.ingest_focus([FIXTURE], progress=False)
        con = ws.warehouse.con
        teams = con.execute('SELECT "x_SourceRow", "tag_team" FROM costs ORDER BY 1').fetchall()
        assert teams == [
            (1, "payments"),
            (2, "search"),
            (3, None),
            (4, None),
            (5, None),
            (6, "payments"),
        ]
        # the config gains a key: the column is added and filled from stored Tags
        (ws.root / "costmark.yaml").write_text(config + "tag_keys: [env]\n", "utf-8")
        ws.reload_project()
        assert ws.ensure_tag_columns() == ["tag_env"]
        envs = con.execute('SELECT count("tag_env") FROM costs').fetchone()
        assert envs == (1,)
        assert ws.ensure_tag_columns() == []
    finally:
        ws.close()


def test_tags_missing_braces_are_repaired(workspace: costmark.Workspace, tmp_path: Path) -> None:
    path = variant(tmp_path / "t.csv", set_value(1, "Tags", '"team": "payments"'))
    workspace.ingest_focus([path], progress=False)
    row = workspace.warehouse.con.execute(
        'SELECT "Tags" FROM costs WHERE "x_SourceRow" = 1'
    ).fetchone()
    assert row == ('{"team": "payments"}',)


def test_unusable_tags_are_kept_as_they_came(tmp_path: Path) -> None:
    """Text that is not a JSON object even after repair: the row and its cost load, Tags keeps
    the text (nothing lost), tag columns are null, and backfilling a new tag key still works."""
    config = "version: 1\nname: t\ndimensions:\n  team: {tag: team}\n"
    ws = costmark.init_workspace(tmp_path / "ws", config_text=config)
    try:
        def change(header: list[str], rows: list[dict[str, str]]) -> None:
            set_value(1, "Tags", "team=payments; env=prod")(header, rows)
            set_value(2, "Tags", '["payments", "prod"]')(header, rows)

        path = variant(tmp_path / "t.csv", change)
        summary = ws.ingest_focus([path], progress=False)
        assert summary.rows_quarantined == 0
        con = ws.warehouse.con
        rows = con.execute('SELECT "x_SourceRow", "Tags", "tag_team" FROM costs '
                           'WHERE "x_SourceRow" IN (1, 2, 6) ORDER BY 1').fetchall()
        assert rows[0] == (1, "team=payments; env=prod", None)
        assert rows[1] == (2, '["payments", "prod"]', None)
        assert rows[2][2] == "payments"  # a good row still gets its tag
        (ws.root / "costmark.yaml").write_text(config + "tag_keys: [env]\n", "utf-8")
        ws.reload_project()
        assert ws.ensure_tag_columns() == ["tag_env"]
        assert con.execute('SELECT "tag_env" FROM costs WHERE "x_SourceRow" = 1').fetchone() == (
            None,)
    finally:
        ws.close()


def test_facade_validate_and_module_level(workspace: costmark.Workspace) -> None:
    from costmark.api import validate_files

    assert workspace.validate([FIXTURE]).ok
    doc = validate_files(FIXTURE).to_dict()
    assert doc["ok"] is True and doc["files"][0]["rows"] == 6
