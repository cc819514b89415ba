"""Which files an ingest reads: names are files, a file is read once (issue #11)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import costmark
from costmark.focus.reader import expand_paths
from costmark.focus.validate import validate_files
from tests.focus.helpers import FIXTURE, set_value, variant


def other_account(header: list[str], rows: list[dict[str, str]]) -> None:
    for row in rows:
        row["BillingAccountId"] = "acct-9"


def test_file_named_like_a_glob_is_read_alone(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    star = tmp_path / "star*.csv"
    shutil.copy(FIXTURE, star)
    # a sibling the name would match as a pattern, billed to another account (its own slices)
    variant(tmp_path / "starX.csv", other_account)
    assert expand_paths([star]) == [star.resolve()]
    assert validate_files(star).files[0].rows == 6
    summary = workspace.ingest_focus([star], progress=False)
    assert summary.rows_read == 6
    accounts = workspace.warehouse.con.execute(
        'SELECT DISTINCT "BillingAccountId" FROM costs'
    ).fetchall()
    assert "acct-9" not in {a for (a,) in accounts}


def test_pattern_only_when_no_such_file(tmp_path: Path) -> None:
    a = variant(tmp_path / "bill-a.csv", set_value(1, "BilledCost", "1"))
    b = variant(tmp_path / "bill-b.csv", set_value(1, "BilledCost", "2"))
    assert expand_paths([tmp_path / "bill-*.csv"]) == [a.resolve(), b.resolve()]


def test_a_file_is_read_once_however_it_is_named(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    bill = shutil.copy(FIXTURE, data / "bill.csv")
    os.link(bill, tmp_path / "hardlink.csv")
    (tmp_path / "symlink.csv").symlink_to(bill)
    paths = [bill, data, data / "*.csv", tmp_path / "hardlink.csv", tmp_path / "symlink.csv"]
    assert expand_paths(paths) == [Path(bill).resolve()]
    assert workspace.ingest_focus(paths, progress=False).rows_read == 6
