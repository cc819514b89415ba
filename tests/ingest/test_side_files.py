"""costmark ingest utilization / recommendations: checks, idempotency, exact savings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import costmark
from costmark.errors import InputError


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


def util_rows(ws: costmark.Workspace) -> list[tuple[object, ...]]:
    return ws.warehouse.con.execute(
        "SELECT resource_id, date::VARCHAR, cpu_pct, memory_pct FROM utilization ORDER BY 1, 2"
    ).fetchall()


def test_utilization_loads_with_aliases_and_reloads_idempotently(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "u.csv",
        "ResourceId,Date,CPU,Memory\nvm-1,2025-01-06,3.5,20\nvm-2,2025-01-06,55,\n",
    )
    first = workspace.ingest_utilization(path)
    assert first["rows_loaded"] == 2 and first["resources"] == 2
    second = workspace.ingest_utilization(path)
    assert second["rows_replaced"] == 2
    assert util_rows(workspace) == [
        ("vm-1", "2025-01-06", 3.5, 20.0),
        ("vm-2", "2025-01-06", 55.0, None),
    ]
    fix = write(tmp_path, "fix.csv", "resource_id,date,cpu_pct\nvm-1,2025-01-06,4\n")
    workspace.ingest_utilization(fix)
    assert util_rows(workspace)[0] == ("vm-1", "2025-01-06", 4.0, None)


def test_utilization_errors_are_located(workspace: costmark.Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "u.csv",
        "resource_id,date,cpu_pct,memory_pct\nvm-1,2025-01-06,130,20\n,2025-01-06,1,1\n"
        "vm-3,yesterday,1,1\nvm-4,2025-01-06,,\n",
    )
    with pytest.raises(InputError) as exc:
        workspace.ingest_utilization(path)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(1, "cpu_pct"), (2, "resource_id"), (3, "date"), (4, "cpu_pct")}
    assert util_rows(workspace) == []
    with pytest.raises(InputError, match="cpu_pct or a memory_pct"):
        workspace.ingest_utilization(write(tmp_path, "v.csv", "resource_id,date\nx,2025-01-01\n"))


HEADER = (
    "id,resource_id,category,estimated_monthly_savings,currency,status,opened,closed,"
    "realized_monthly_savings"
)
RECS = HEADER + """
r1,vm-1,idle,120.10,USD,closed,2025-01-02,2025-01-20,118.333333333333333333
r2,vm-2,rightsizing,45.5,usd,Open,2025-01-05,,
r3,,commitment,1000,EUR,dismissed,2025-01-05,2025-02-01,
"""


def test_recommendations_load_exact_and_upsert(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    summary = workspace.ingest_recommendations(write(tmp_path, "r.csv", RECS))
    assert summary["rows_loaded"] == 3
    assert summary["by_status"] == {"open": 1, "closed": 1, "dismissed": 1}
    got = workspace.warehouse.con.execute(
        "SELECT id, resource_id, status, currency, estimated_monthly_savings, "
        "realized_monthly_savings, closed::VARCHAR FROM recommendations ORDER BY id"
    ).fetchall()
    assert got[0] == (
        "r1",
        "vm-1",
        "closed",
        "USD",
        Decimal("120.10"),
        Decimal("118.333333333333333333"),
        "2025-01-20",
    )
    assert got[1][1:4] == ("vm-2", "open", "USD") and got[1][6] is None
    assert got[2][1] is None
    # The same recommendation later implemented: upsert by id, no duplicate.
    update = write(
        tmp_path,
        "u.csv",
        "id,category,estimated_monthly_savings,currency,status,opened,closed,realized_savings\n"
        "r2,rightsizing,45.5,USD,closed,2025-01-05,2025-02-10,40\n",
    )
    assert workspace.ingest_recommendations(update)["rows_replaced"] == 1
    statuses = workspace.warehouse.con.execute(
        "SELECT id, status, realized_monthly_savings FROM recommendations ORDER BY id"
    ).fetchall()
    assert statuses[1] == ("r2", "closed", Decimal("40"))
    assert len(statuses) == 3


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("r1,x,idle,10,USD,pending,2025-01-01,,", "status", "status must be one of"),
        ("r1,x,idle,ten,USD,open,2025-01-01,,", "estimated_monthly_savings", "not a number"),
        ("r1,x,idle,-5,USD,open,2025-01-01,,", "estimated_monthly_savings", "negative"),
        ("r1,x,idle,10,dollars,open,2025-01-01,,", "currency", "ISO 4217"),
        ("r1,x,idle,10,USD,closed,2025-01-01,,", "closed", "needs its closed date"),
        ("r1,x,idle,10,USD,open,2025-01-01,2025-01-09,", "closed", "open recommendation"),
        ("r1,x,idle,10,USD,closed,2025-02-01,2025-01-09,", "closed", "before it was opened"),
        ("r1,x,idle,10,USD,open,2025-01-01,,5", "realized_monthly_savings", "only apply"),
        ("r1,x,idle,10,USD,open,,,", "opened", "missing date"),
    ],
)
def test_recommendation_errors_name_row_and_column(
    workspace: costmark.Workspace, tmp_path: Path, line: str, column: str, message: str
) -> None:
    header = HEADER
    path = write(tmp_path, "r.csv", f"{header}\nr0,y,idle,1,USD,open,2025-01-01,,\n{line}\n")
    with pytest.raises(InputError) as exc:
        workspace.ingest_recommendations(path)
    (problem,) = exc.value.problems
    assert (problem.row, problem.column) == (2, column)
    assert message in problem.message


def test_duplicate_recommendation_ids(workspace: costmark.Workspace, tmp_path: Path) -> None:
    header = HEADER
    path = write(
        tmp_path,
        "r.csv",
        f"{header}\nr1,a,idle,1,USD,open,2025-01-01,,\nr1,b,idle,1,USD,open,2025-01-01,,\n",
    )
    with pytest.raises(InputError, match="repeats the id"):
        workspace.ingest_recommendations(path)
