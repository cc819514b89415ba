"""Writers get their turn while readers keep coming, in this process and from another one;
light requests never queue behind KPI work."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from fastapi.testclient import TestClient

from costmark.store import intent
from costmark.web import create_app
from costmark.web.gate import Gate
from costmark.workspace import warehouse_path
from tests.web.conftest import bearer
from tests.web.fakes import FakeWorkspace


def busy_readers(gate: Gate, stop: threading.Event, n: int = 4, hold: float = 0.1) -> list:
    """n threads reading back to back, their reads overlapping: the readers never all stop."""

    def loop() -> None:
        while not stop.is_set():
            with gate.read():
                time.sleep(hold)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(n)]
    for i, t in enumerate(threads):
        t.start()
        time.sleep(hold / n * (i + 1) / n)
    return threads


def test_a_writer_here_goes_before_readers_that_arrive_later(ws_root: Path) -> None:
    gate = Gate(ws_root)
    stop = threading.Event()
    threads = busy_readers(gate, stop)
    got = threading.Event()

    def write() -> None:
        with gate.write():
            got.set()

    try:
        time.sleep(0.3)
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        # one read's length, not "when readers happen to stop" (they never do here)
        assert got.wait(2.0)
    finally:
        stop.set()
        for t in threads:
            t.join()


def test_a_writer_in_another_process_gets_the_file_under_load(ws_root: Path) -> None:
    gate = Gate(ws_root)
    stop = threading.Event()
    threads = busy_readers(gate, stop)
    code = (
        "import sys, time; from pathlib import Path\n"
        "from costmark.store.warehouse import Warehouse\n"
        "t = time.monotonic(); w = Warehouse(Path(sys.argv[1]))\n"
        "print(round(time.monotonic() - t, 3)); w.close()\n"
    )
    env = {**os.environ, "COSTMARK_LOCK_WAIT": "8"}
    try:
        time.sleep(0.3)
        done = subprocess.run(
            [sys.executable, "-c", code, str(warehouse_path(ws_root))],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert done.returncode == 0, done.stderr[-500:]
    assert float(done.stdout.strip()) < 3.0
    assert not list(warehouse_path(ws_root).parent.glob("*.writer-*"))  # cleaned up


def test_a_killed_writers_marker_is_ignored(ws_root: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    wh = warehouse_path(ws_root)
    stale = wh.with_name(f"{wh.name}{intent.SUFFIX}{proc.pid}")
    stale.write_text(str(proc.pid))
    assert not intent.other_writer(wh)
    assert not stale.exists()
    gate = Gate(ws_root)
    with gate.read():
        pass


class SlowKpi(FakeWorkspace):
    running: ClassVar[list[int]] = [0, 0]  # (now, most at once)
    lock = threading.Lock()

    def kpi(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.running[0] += 1
            self.running[1] = max(self.running)
        try:
            time.sleep(0.15)
            return super().kpi(*args, **kwargs)
        finally:
            with self.lock:
                self.running[0] -= 1


def slow_opener(root: Path, read_only: bool) -> SlowKpi:
    return SlowKpi(root, read_only=read_only)


def test_api_me_does_not_wait_behind_kpi_work(ws_root: Path, tokens: dict[str, str]) -> None:
    app = create_app(ws_root, opener=slow_opener, background=False, kpi_threads=2)
    h = bearer(tokens["viewer"])
    with TestClient(app) as client:
        client.get("/api/me", headers=h)  # token verified once
        busy = [
            threading.Thread(
                target=client.get,
                args=(f"/api/kpi/total_cost?start=2026-0{m}-01",),
                kwargs={"headers": h},
            )
            for m in range(1, 5)
        ]
        for t in busy:
            t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        assert client.get("/api/me", headers=h).status_code == 200
        waited = time.monotonic() - t0
        for t in busy:
            t.join()
    assert waited < 0.5
    assert SlowKpi.running[1] <= 2  # KPI work is bounded by its own pool


#: A statement that runs for minutes unless interrupted (a cold KPI on a large warehouse).
SLOW_SQL = "SELECT sum(range) FROM range(100000000000)"


def slow_readers(gate: Gate, n: int, done: threading.Event) -> tuple[list, dict[str, Any]]:
    """n KPI-like reads through ``gate.call``: slow until ``done`` is set, quick after."""
    seen: dict[str, Any] = {"attempts": 0, "results": [], "errors": []}
    lock = threading.Lock()

    def kpi(ws: Any) -> Any:
        with lock:
            seen["attempts"] += 1
        sql = "SELECT 42" if done.is_set() else SLOW_SQL
        return ws.warehouse.con.execute(sql).fetchone()[0]

    def reader() -> None:
        try:
            result = gate.call(kpi)
            with lock:
                seen["results"].append(result)
        except Exception as exc:  # the test fails on any
            seen["errors"].append(repr(exc))

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return threads, seen


def test_a_queued_write_interrupts_slow_kpi_reads_and_they_run_again(ws_root: Path) -> None:
    """Readers that would hold the file for minutes give way within a bound; each runs again
    after the write and answers (from the data as written), none fails."""
    gate = Gate(ws_root)
    written = threading.Event()
    threads, seen = slow_readers(gate, 3, written)
    time.sleep(0.5)  # the slow statements are running
    t0 = time.monotonic()
    with gate.write() as ws:
        waited = time.monotonic() - t0
        ws.warehouse.con.execute("CREATE TABLE written AS SELECT 1 AS x")
        written.set()
    for t in threads:
        t.join(30)
    assert waited < 3.0
    assert seen["errors"] == []
    assert seen["results"] == [42, 42, 42]
    assert seen["attempts"] >= 6  # every reader was preempted once and ran again


def test_another_process_writes_while_slow_kpi_reads_run(ws_root: Path) -> None:
    """The CLI ingest case: another process's intent preempts the reads in flight (no new
    request comes to notice it), so it opens the file within seconds."""
    gate = Gate(ws_root)
    done = threading.Event()
    threads, seen = slow_readers(gate, 3, done)
    code = (
        "import sys, time; from pathlib import Path\n"
        "from costmark.store.warehouse import Warehouse\n"
        "t = time.monotonic(); w = Warehouse(Path(sys.argv[1]))\n"
        "print(round(time.monotonic() - t, 3)); w.close()\n"
    )
    env = {**os.environ, "COSTMARK_LOCK_WAIT": "20"}
    try:
        time.sleep(0.5)
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(warehouse_path(ws_root))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        time.sleep(0.2)
        done.set()  # reads that run again after the write are quick
        out, err = proc.communicate(timeout=60)
    finally:
        done.set()
        for t in threads:
            t.join(30)
    assert proc.returncode == 0, err[-500:]
    assert float(out.strip()) < 5.0
    assert seen["errors"] == []
    assert seen["results"] == [42, 42, 42]


def test_plain_reads_are_never_interrupted(ws_root: Path) -> None:
    """``gate.read`` blocks may not be safe to repeat: a writer waits for them instead."""
    gate = Gate(ws_root)
    got: list[Any] = []

    def read() -> None:
        with gate.read() as ws:
            got.append(ws.warehouse.con.execute(
                "SELECT count(*) FROM range(300000000)").fetchone()[0])

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.2)
    with gate.write():
        pass
    reader.join()
    assert got == [300000000]
