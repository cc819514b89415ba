"""Web dashboard latency: overview and KPI-detail JSON, one client vs 50 concurrent clients.

The workspace is the KPI bench's (10M demo rows at scale 1, rollups refreshed). The server is
``costmark serve`` in its own process on loopback; the clients run here. Page data is computed once
per data change (the server warms the overview after start) and then served from the page
cache, so the measured latency is the server's: authentication, scoping and serialisation.

- ``single_p95``: p95 of one dashboard user for 20 s: the two pages in turn, a 0.5 s pause
  after each (no baseline, for context).
- ``single_hot_p95``: p95 of one client's requests back to back (the server's best case; on a
  mostly idle machine a paused user also pays the CPU's wake-up, which this does not).
- ``concurrent_p95``: 50 such users for 30 s (``--scale`` shortens it), arriving spread over
  one pause (a dashboard crowd, not a load generator), vs the single user's p95 (target ratio
  <= 5, and no errors).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CLIENTS = 50
DURATION = 30.0
THINK = 0.5
URLS = ("/api/overview", "/api/kpi/total_cost?by=team")
SINGLE_REQUESTS = 200
#: KPI detail pages first computed during the bench (series, trend, forecast, peers, drill-down).
UNCACHED = (
    "/api/kpi/effective_savings_rate?by=app",
    "/api/kpi/commitment_utilization?by=env",
    "/api/kpi/total_cost?by=app&grain=week",
)


def _workspace(ctx: Any) -> Any:
    from bench import bench_kpi

    rows = ctx.rows(bench_kpi.FULL_ROWS)
    return bench_kpi.kpi_workspace(ctx, rows)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def run(ctx: Any) -> list[dict[str, Any]]:
    import httpx

    import costmark

    root = _workspace(ctx)
    with costmark.open_workspace(root) as ws:
        token = ws.create_token("viewer", name="bench")[0]
    headers = {"Authorization": f"Bearer {token}"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from costmark.cli.main import run; run()",
            "serve",
            "--port",
            str(port),
            "--workspace",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("costmark serve did not start")
            time.sleep(0.2)
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            t0 = time.perf_counter()
            for url in URLS:  # first requests compute and cache the page data
                client.get(url).raise_for_status()
            ctx.log(f"first (uncached) page loads: {time.perf_counter() - t0:.1f} s")
            uncached = []
            for url in UNCACHED:  # drill-downs nobody asked for yet: KPI engine + rollups
                t = time.perf_counter()
                client.get(url).raise_for_status()
                uncached.append(time.perf_counter() - t)
        hot = asyncio.run(_sequential(port, headers, SINGLE_REQUESTS))
        duration = max(5.0, DURATION * min(1.0, ctx.scale))
        single, single_errors = asyncio.run(_crowd(port, headers, duration * 2 / 3, users=1))
        if single_errors:
            raise RuntimeError(f"{single_errors} failed requests from a single client")
        server_cpu0, client_cpu0 = _cpu_seconds(server.pid), time.process_time()
        latencies, errors = asyncio.run(_crowd(port, headers, duration))
        server_cpu = _cpu_seconds(server.pid) - server_cpu0
        client_cpu = time.process_time() - client_cpu0
    finally:
        server.terminate()
        server.wait(timeout=30)
    s95, c95 = _p95(single), _p95(latencies) if latencies else float("inf")
    return [
        {
            "name": "single_p95",
            "value": round(s95, 4),
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "target": "",
            "ok": None,
            "requests": len(single),
            "note": "one dashboard user: the same pages, the same 0.5 s pause",
        },
        {
            "name": "uncached_kpi_detail",
            "value": round(max(uncached), 4),
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "target": "",
            "ok": None,
            "each": [round(u, 3) for u in uncached],
            "note": "slowest first load of a KPI detail page not cached yet (from rollups)",
        },
        {
            "name": "single_hot_p95",
            "value": round(_p95(hot), 4),
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "target": "",
            "ok": None,
            "requests": len(hot),
            "note": "one client, requests back to back (no pause): the server's best case",
        },
        {
            "name": "concurrent_p95",
            "value": round(c95, 4),
            "unit": "s",
            "baseline": round(s95, 4),
            "ratio": round(c95 / s95, 2),
            "target": "<= 5",
            "ok": c95 / s95 <= 5 and errors == 0,
            "clients": CLIENTS,
            "seconds": duration,
            "requests": len(latencies),
            "errors": errors,
            # CPU seconds per second of the crowd: a server near 1.0 is saturated (one
            # process); the clients share the machine's cores with it.
            "server_cpu_share": round(server_cpu / duration, 2),
            # for context: against back-to-back requests, which pay no wake-up after a pause
            "ratio_vs_hot": round(c95 / _p95(hot), 2),
            "client_cpu_share": round(client_cpu / duration, 2),
        },
    ]


class _Connection:
    """One keep-alive HTTP/1.1 connection on the standard library's asyncio streams.

    Why not httpx here: its async client spends ~2 ms of CPU per request, and with 50 users in
    one event loop the responses queue behind each other in the *client* (p95 9 ms against the
    server's 1.5 ms, measured side by side). This client costs a few microseconds, so the
    latencies are the server's. httpx still checks the server is up and warms the pages.
    """

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.extra = f"Host: 127.0.0.1:{port}\r\n{lines}"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """The response status (the body is read whole and dropped)."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\n{self.extra}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        length = {k.strip().lower(): v.strip() for k, v in fields.items()}.get("content-length")
        if length is None:
            raise RuntimeError(f"{path}: response without Content-Length")
        await self.reader.readexactly(int(length))
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _sequential(port: int, headers: dict[str, str], n: int) -> list[float]:
    """One client, back to back: the server's best case."""
    conn = _Connection(port, headers)
    latencies = []
    for i in range(n):
        t = time.perf_counter()
        status = await conn.get(URLS[i % len(URLS)])
        latencies.append(time.perf_counter() - t)
        if status != 200:
            raise RuntimeError(f"{URLS[i % len(URLS)]} answered {status}")
    conn.close()
    return latencies


async def _crowd(port: int, headers: dict[str, str], duration: float,
                 users: int = CLIENTS) -> tuple[list[float], int]:
    """``users`` dashboard users for ``duration`` seconds: (latencies, failed requests)."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration

    async def user(i: int) -> None:
        nonlocal errors
        await asyncio.sleep(THINK * i / users)  # users arrive spread over one pause
        conn = _Connection(port, headers)
        n = i
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                if await conn.get(URLS[n % len(URLS)]) != 200:
                    errors += 1
            except (OSError, RuntimeError, asyncio.IncompleteReadError):
                errors += 1
                conn.close()
                conn = _Connection(port, headers)
            latencies.append(time.perf_counter() - t)
            n += 1
            await asyncio.sleep(THINK)
        conn.close()

    await asyncio.gather(*(user(i) for i in range(users)))
    return latencies, errors
