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
