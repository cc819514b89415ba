"""costmark ingest business: long and wide layouts, idempotent re-loads, located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import costmark
from costmark.errors import InputError, UsageError

CONFIG = """\
version: 1
dimensions:
  app: {tag: app}
  team: {tag: team}
  service: {column: ServiceName}
business_metrics:
  transactions: {unit: transaction, aggregation: sum}
  customers: {unit: customer, aggregation: average}
  revenue: {unit: USD, aggregation: sum, currency: USD}
"""


@pytest.fixture
def ws(tmp_path: Path) -> costmark.Workspace:
    w = costmark.init_workspace(tmp_path / "ws", config_text=CONFIG)
    yield w
    w.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


def rows(ws: costmark.Workspace) -> list[tuple[object, ...]]:
    return ws.warehouse.con.execute(
        "SELECT metric, date::VARCHAR, dimensions, value FROM business_metrics "
        "ORDER BY metric, date, dimensions"
    ).fetchall()


LONG = """date,metric,value,app,team
2025-01-01,transactions,100,shop,checkout
2025-01-01,transactions,40,search,search
2025-01-02,transactions,110,shop,checkout
2025-01-01,customers,12,shop,checkout
"""


def test_long_layout_loads_with_canonical_dimensions(
    ws: costmark.Workspace, tmp_path: Path
) -> None:
    summary = ws.ingest_business(write(tmp_path, "b.csv", LONG))
    assert summary["rows_read"] == 4 and summary["rows_loaded"] == 4
    assert summary["rows_replaced"] == 0
    assert summary["metrics"] == ["customers", "transactions"]
    assert summary["dimensions"] == ["app", "team"]
    assert summary["start"] == "2025-01-01" and summary["end"] == "2025-01-02"
    assert rows(ws) == [
        ("customers", "2025-01-01", '{"app":"shop","team":"checkout"}', 12.0),
        ("transactions", "2025-01-01", '{"app":"search","team":"search"}', 40.0),
        ("transactions", "2025-01-01", '{"app":"shop","team":"checkout"}', 100.0),
        ("transactions", "2025-01-02", '{"app":"shop","team":"checkout"}', 110.0),
    ]
    log = ws.ingest_log(kind="business")
    assert log[0]["rows_loaded"] == 4 and log[0]["status"] == "ok"


def test_reload_is_idempotent_and_restatement_replaces(
    ws: costmark.Workspace, tmp_path: Path
) -> None:
    path = write(tmp_path, "b.csv", LONG)
    ws.ingest_business(path)
    before = rows(ws)
    again = ws.ingest_business(path)
    assert again["rows_replaced"] == 4
    assert rows(ws) == before
    # A corrected file for one day replaces that day's value and adds a new one; others stay.
    fix = write(
        tmp_path,
        "fix.csv",
        "date,metric,value,app,team\n2025-01-02,transactions,115,shop,checkout\n"
        "2025-01-03,transactions,120,shop,checkout\n",
    )
    summary = ws.ingest_business(fix)
    assert summary["rows_replaced"] == 1 and summary["rows_loaded"] == 2
    after = {(m, d, dims): v for m, d, dims, v in rows(ws)}
    assert after[("transactions", "2025-01-02", '{"app":"shop","team":"checkout"}')] == 115.0
    assert after[("transactions", "2025-01-03", '{"app":"shop","team":"checkout"}')] == 120.0
    assert after[("transactions", "2025-01-01", '{"app":"shop","team":"checkout"}')] == 100.0
    assert len(after) == 5


def test_wide_layout_detected_and_empty_cells_skipped(
    ws: costmark.Workspace, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "w.csv",
        "date,app,revenue,transactions\n2025-01-01,shop,250.5,100\n2025-01-02,shop,,110\n",
    )
    summary = ws.ingest_business(path)
    assert summary["rows_read"] == 2 and summary["rows_loaded"] == 3
    assert rows(ws) == [
        ("revenue", "2025-01-01", '{"app":"shop"}', 250.5),
        ("transactions", "2025-01-01", '{"app":"shop"}', 100.0),
        ("transactions", "2025-01-02", '{"app":"shop"}', 110.0),
    ]


def test_wide_without_dimensions_and_forced_layout(ws: costmark.Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "Date,Revenue\n2025-02-01T00:00:00Z,10\n")
    assert ws.ingest_business(path, format="wide")["rows_loaded"] == 1
    assert rows(ws) == [("revenue", "2025-02-01", "{}", 10.0)]
    with pytest.raises(InputError, match="no 'metric' column"):
        ws.ingest_business(path, format="long")
    with pytest.raises(UsageError):
        ws.ingest_business(path, format="diagonal")


def test_unknown_metric_names_row_and_suggests(ws: costmark.Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.csv",
        "date,metric,value\n2025-01-01,transactions,1\n2025-01-01,transaction,2\n",
    )
    with pytest.raises(InputError) as exc:
        ws.ingest_business(path)
    (problem,) = exc.value.problems
    assert problem.row == 2 and problem.column == "metric"
    assert "did you mean 'transactions'" in problem.message
    assert rows(ws) == []


def test_unknown_wide_column_suggests(ws: costmark.Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "date,revenu\n2025-01-01,3\n")
    with pytest.raises(InputError) as exc:
        ws.ingest_business(path)
    assert "did you mean 'revenue'" in str(exc.value)


def test_undeclared_dimension_column(ws: costmark.Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "date,metric,value,tema\n2025-01-01,revenue,1,x\n")
    with pytest.raises(InputError) as exc:
        ws.ingest_business(path)
    assert "'tema'" in str(exc.value) and "did you mean 'team'" in str(exc.value)


def test_bad_values_and_dates_are_all_reported(ws: costmark.Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.csv",
        "date,metric,value\n2025-01-01,revenue,12\n2025-13-01,revenue,3\n"
        "2025-01-03,revenue,abc\n2025-01-04,revenue,\n",
    )
    with pytest.raises(InputError) as exc:
        ws.ingest_business(path)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(2, "date"), (3, "value"), (4, "value")}
    text = str(exc.value)
    assert "b.csv" in text and "row 3" in text and "'abc'" in text
    assert rows(ws) == []  # nothing loaded from a bad file


def test_duplicate_keys_in_one_file(ws: costmark.Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path, "b.csv", "date,metric,value,app\n2025-01-01,revenue,1,a\n2025-01-01,revenue,2,a\n"
    )
    with pytest.raises(InputError, match="repeats") as exc:
        ws.ingest_business(path)
    assert exc.value.problems[0].row == 2


def test_no_metrics_declared(workspace: costmark.Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "date,metric,value\n2025-01-01,revenue,1\n")
    with pytest.raises(InputError, match="declares no business_metrics"):
        workspace.ingest_business(path)


def test_missing_file(ws: costmark.Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        ws.ingest_business(tmp_path / "nope.csv")


def test_parquet_input(ws: costmark.Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "b.parquet"
    pq.write_table(pa.table({"date": ["2025-01-01"], "metric": ["customers"], "value": [7]}), path)
    assert ws.ingest_business(path)["rows_loaded"] == 1
    assert rows(ws) == [("customers", "2025-01-01", "{}", 7.0)]


def test_cli_json_and_exit_codes(ws: costmark.Workspace, tmp_path: Path) -> None:
    from tests.cli.test_main import costmark as run

    good = write(tmp_path, "b.csv", LONG)
    root = str(ws.root)
    ws.close()
    out = run("ingest", "business", str(good), "--workspace", root, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rows_loaded"] == 4
    bad = write(tmp_path, "bad.csv", "date,metric,value\n2025-01-01,revenue,x\n")
    out = run("ingest", "business", str(bad), "--workspace", root)
    assert out.returncode == 1
    assert "row 1" in out.stderr and "column value" in out.stderr
    out = run("ingest", "business", str(good), "--workspace", root, "--layout", "sideways")
    assert out.returncode == 2
