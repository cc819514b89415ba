"""A load killed with SIGKILL half-way leaves the warehouse exactly as it was before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import costmark
from costmark.focus.synth import write_synthetic_focus
from tests.focus.helpers import FIXTURE

CHILD = """
import sys
import costmark
from costmark.ingest import focus as F

original = F._insert

def marked(*args, **kwargs):
    print("INSERTING", flush=True)
    return original(*args, **kwargs)

F._insert = marked
ws = costmark.open(sys.argv[1])
ws.ingest_focus([sys.argv[2]], progress=False)
print("DONE", flush=True)
"""


def state(root: Path) -> tuple[object, ...]:
    with costmark.open(root) as ws:
        con = ws.warehouse.con
        return (
            con.execute("SELECT * EXCLUDE (x_IngestId) FROM costs ORDER BY ALL").fetchall(),
            con.execute("SELECT ingest_id, status, rows_loaded FROM ingest_log").fetchall(),
            con.execute("SELECT count(*) FROM quarantine").fetchall(),
            ws.warehouse.table_columns("costs"),
        )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_load_leaves_warehouse_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    with costmark.init_workspace(root) as ws:
        # Cloud A / acct-1 / 2024-09 is also a slice of the big file: a half-applied load
        # would have deleted these rows
        ws.ingest_focus([FIXTURE], progress=False)
    before = state(root)
    big = write_synthetic_focus(tmp_path / "big.parquet", 600_000)

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "INSERTING", child.stderr.read() if child.stderr else line
    time.sleep(0.3)  # the delete has run and the insert is under way, uncommitted
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, "the load finished before it could be killed"

    assert state(root) == before
    # and the warehouse still works: the same load now completes
    with costmark.open(root) as ws:
        summary = ws.ingest_focus([big], progress=False)
        assert summary.rows_loaded == 600_000
