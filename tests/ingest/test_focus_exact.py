"""Money is summed exactly, whatever the values; an empty export is a valid (empty) load."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costmark
from costmark.focus.validate import validate_files
from tests.focus.helpers import base_rows, write_csv

amounts = st.decimals(
    min_value=Decimal("-1000000"),
    max_value=Decimal("1000000"),
    places=12,
    allow_nan=False,
    allow_infinity=False,
)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(amounts, min_size=1, max_size=25))
def test_totals_are_the_exact_decimal_sum(tmp_path_factory, values: list[Decimal]) -> None:
    tmp = tmp_path_factory.mktemp("exact")
    header, rows = base_rows()
    template = rows[0]
    out = []
    for i, v in enumerate(values):
        row = dict(template)
        row["BilledCost"] = row["EffectiveCost"] = format(v, "f")
        row["ResourceId"] = f"vm-{i}"
        out.append(row)
    path = write_csv(tmp / "f.csv", header, out)
    with costmark.init_workspace(tmp / "ws") as ws:
        summary = ws.ingest_focus([path], progress=False)
        assert Decimal(summary.totals["USD"]["BilledCost"]) == sum(values, Decimal(0))
        got = ws.warehouse.con.execute('SELECT sum("EffectiveCost") FROM costs').fetchone()
        assert got is not None and got[0] == sum(values, Decimal(0))


def test_header_only_file(workspace: costmark.Workspace, tmp_path: Path) -> None:
    header, _ = base_rows()
    path = write_csv(tmp_path / "empty.csv", header, [])
    report = validate_files(path)
    assert report.ok and report.files[0].rows == 0
    summary = workspace.ingest_focus([path], progress=False)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (0, 0, 0)
    assert summary.totals == {}
    assert workspace.ingest_log()[0]["status"] == "ok"
