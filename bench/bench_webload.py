"""Web under load: 50 clients on the JSON routes while an upload and a CLI ingest land.

The workspace is a private copy of the KPI bench's (``WEB_ROWS`` demo rows at scale 1). Two
``costmark serve`` runs on loopback, each on its own fresh copy:

1. idle: the upload (POST /api/ingest) and then ``costmark ingest`` of a second file, alone;
   their times are the baseline, and the row count after both is the expected count.
2. loaded: 50 clients cycle through the JSON routes (``light``: /api/me, /health; ``kpi``:
   overview, KPI details, sections, /metrics) for ``DURATION`` seconds right after the server
   starts (``uncached``: nothing computed yet), with the same upload a third of the way in
   and the same CLI ingest half-way; then ``CACHED`` more seconds once the pages are warm.

Reported: p50/p95 per route class and phase, the upload's and the ingest's time against
their idle time (goal <= 2x), failed requests (goal 0) and the row count (goal: equal to the
idle run's: no lost or doubled rows). Durations scale with ``--scale`` (at least 10 s), so
the bench stays bounded.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CLIENTS = 50
WEB_ROWS = 1_000_000
UPLOAD_ROWS = 40_000
DURATION = 60.0
CACHED = 30.0
THINK = 0.5
LIGHT = ("/api/me", "/health")
KPI_PAGES = (
    "/api/overview",
    "/api/anomalies",
    "/api/benchmarks",
    "/api/maturity",
    "/api/iterations",
    "/api/kpis",
    "/metrics",
)
KPI_DETAIL = ("total_cost", "effective_savings_rate", "commitment_coverage", "allocation_coverage")
BY = ("", "?by=team", "?by=app", "?grain=week")


def routes() -> list[tuple[str, str]]:
    """(class, url): every client cycles through all of them from its own starting point."""
    out = [("light", u) for u in LIGHT]
    out += [("kpi", u) for u in KPI_PAGES]
    out += [("kpi", f"/api/kpi/{k}{b}") for k in KPI_DETAIL for b in BY]
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)


def _inputs(ctx: Any) -> tuple[Path, list[Path]]:
    """The shared workspace and two upload files (a different seed: new rows)."""
    from bench import bench_kpi

    root = bench_kpi.kpi_workspace(ctx, ctx.rows(WEB_ROWS))
    folder = ctx.data_dir / f"webload-upload-{ctx.rows(UPLOAD_ROWS)}"
    if not (folder / "DONE").exists():
        from costmark.demo import generate

        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, seed=11, rows=ctx.rows(UPLOAD_ROWS))
        (folder / "DONE").write_text("ok\n")
    files = sorted((folder / "focus").glob("*.parquet"), key=lambda p: -p.stat().st_size)
    if len(files) < 2:
        raise RuntimeError(f"need two generated files in {folder}/focus")
    return root, files[:2]


def _copy(ctx: Any, root: Path, name: str) -> Path:
    mine = ctx.data_dir / name
    shutil.rmtree(mine, ignore_errors=True)
    shutil.copytree(root, mine, ignore=shutil.ignore_patterns("uploads", "*.writer-*"))
    return mine


class Server:
    def __init__(self, root: Path) -> None:
        import httpx

        import costmark

        self.root = root
        with costmark.open_workspace(root) as ws:
            self.viewer = ws.create_token("viewer", name="bench")[0]
            self.analyst = ws.create_token("analyst", name="bench-upload")[0]
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from costmark.cli.main import run; run()", "serve",
             "--port", str(self.port), "--workspace", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("costmark serve did not start")
            time.sleep(0.2)

    def upload(self, path: Path) -> float:
        import httpx

        t = time.perf_counter()
        with path.open("rb") as fh:
            resp = httpx.post(
                self.base + "/api/ingest",
                headers={"Authorization": f"Bearer {self.analyst}"},
                files={"files": (path.name, fh, "application/octet-stream")},
                timeout=600,
            )
        if resp.status_code != 200:
            raise RuntimeError(f"upload answered {resp.status_code}: {resp.text[:300]}")
        return time.perf_counter() - t

    def cli_ingest(self, path: Path) -> float:
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", "from costmark.cli.main import run; run()", "ingest", "focus",
             str(path), "--workspace", str(self.root)],
            capture_output=True, text=True, timeout=600,
            env={**os.environ, "COSTMARK_LOCK_WAIT": "60"},
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"costmark ingest failed: {done.stderr[-500:]}")
        return time.perf_counter() - t

    def warm(self) -> float:
        """Ask every route once, one after the other: the time to recompute them all."""
        import httpx

        t = time.perf_counter()
        headers = {"Authorization": f"Bearer {self.viewer}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=900) as client:
            for _, url in routes():
                client.get(url)
        return time.perf_counter() - t

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _rows(root: Path) -> int:
    import costmark

    with costmark.open_workspace(root, read_only=True) as ws:
        row = ws.warehouse.con.execute("SELECT count(*) FROM costs").fetchone()
    return int(row[0]) if row else 0


async def _crowd(
    port: int, token: str, duration: float, until: threading.Event | None = None
) -> tuple[dict[str, list[float]], int, list[str]]:
    """CLIENTS users for ``duration`` s and, with ``until``, until it is set (the writes
    land under load, however long they take): (latencies per class, failures, examples)."""
    from bench.bench_web import _Connection

    headers = {"Authorization": f"Bearer {token}"}
    plan = routes()
    latencies: dict[str, list[float]] = {"light": [], "kpi": []}
    failures: list[str] = []
    stop = time.perf_counter() + duration

    async def user(i: int) -> None:
        await asyncio.sleep(THINK * i / CLIENTS)
        conn = _Connection(port, headers)
        n = i
        while time.perf_counter() < stop or (until is not None and not until.is_set()):
            kind, url = plan[n % len(plan)]
            t = time.perf_counter()
            try:
                status = await conn.get(url)
                if status != 200:
                    failures.append(f"{url}: {status}")
            except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
                failures.append(f"{url}: {type(exc).__name__}")
                conn.close()
                conn = _Connection(port, headers)
            latencies[kind].append(time.perf_counter() - t)
            n += 1
            await asyncio.sleep(THINK)
        conn.close()

    await asyncio.gather(*(user(i) for i in range(CLIENTS)))
    return latencies, len(failures), failures[:10]


def run(ctx: Any) -> list[dict[str, Any]]:
    shared, (up_file, cli_file) = _inputs(ctx)
    duration = max(10.0, DURATION * min(1.0, ctx.scale))
    cached = max(10.0, CACHED * min(1.0, ctx.scale))

    idle_root = _copy(ctx, shared, "webload-idle")
    server = Server(idle_root)
    try:
        idle_upload = server.upload(up_file)
        idle_ingest = server.cli_ingest(cli_file)
    finally:
        server.stop()
    expected = _rows(idle_root)
    ctx.log(f"idle: upload {idle_upload:.1f} s, CLI ingest {idle_ingest:.1f} s, {expected:,} rows")

    root = _copy(ctx, shared, "webload-loaded")
    server = Server(root)
    writes: dict[str, Any] = {}
    done = threading.Event()

    def writer() -> None:
        try:
            time.sleep(duration / 3)
            writes["upload"] = server.upload(up_file)
            time.sleep(max(0.0, duration / 2 - duration / 3 - writes["upload"]))
            writes["ingest"] = server.cli_ingest(cli_file)
        except Exception as exc:  # reported, not raised from the thread
            writes["error"] = repr(exc)
        finally:
            done.set()

    try:
        t = threading.Thread(target=writer)
        t.start()
        started = time.perf_counter()
        uncached, errors_u, failed_u = asyncio.run(
            _crowd(server.port, server.viewer, duration, done)
        )
        loaded_for = time.perf_counter() - started
        t.join()
        rewarm = server.warm()  # "cached" means every route computed since the last write
        warm, errors_c, failed_c = asyncio.run(_crowd(server.port, server.viewer, cached))
    finally:
        server.stop()
    got = _rows(root)
    shutil.rmtree(idle_root, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)

    out: list[dict[str, Any]] = []
    for phase, lat, errors, failed in (
        ("uncached", uncached, errors_u, failed_u),
        ("cached", warm, errors_c, failed_c),
    ):
        for kind in ("light", "kpi"):
            values = lat[kind]
            out.append({
                "name": f"{phase}_{kind}_p95", "value": _pct(values, 0.95), "unit": "s",
                "baseline": None, "ratio": None, "target": "", "ok": errors == 0,
                "p50": _pct(values, 0.5), "requests": len(values),
                "requests_per_s": round(len(values) / (loaded_for if phase == "uncached"
                                                       else cached), 1),
                "errors": errors, "failed": failed, "clients": CLIENTS,
            })  # fmt: skip
    for key, idle in (("upload", idle_upload), ("ingest", idle_ingest)):
        value = writes.get(key)
        out.append({
            "name": f"{key}_under_load", "value": round(value, 3) if value else None, "unit": "s",
            "baseline": round(idle, 3), "ratio": round(value / idle, 2) if value else None,
            "target": "<= 2", "ok": bool(value) and value / idle <= 2,
            "error": writes.get("error"),
        })  # fmt: skip
    out.append({
        "name": "rows_after_writes", "value": got, "unit": "rows", "baseline": expected,
        "ratio": round(got / expected, 6) if expected else None, "target": "== 1",
        "ok": got == expected, "note": "the loaded run ends with exactly the idle run's rows",
    })  # fmt: skip
    out.append({
        "name": "rewarm_all_routes", "value": round(rewarm, 3), "unit": "s", "baseline": None,
        "ratio": None, "target": "", "ok": None,
        "note": "one client computing every route once after the writes (before 'cached')",
    })  # fmt: skip
    median = statistics.median(uncached["light"]) if uncached["light"] else None
    ctx.log(f"light requests under uncached load: median {median}")
    return out
