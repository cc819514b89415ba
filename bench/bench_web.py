"""Web dashboard latency: overview and KPI-detail JSON, one client vs 50 concurrent clients.

The workspace is the KPI bench's (10M demo rows at scale 1, rollups refreshed). The server is
``costmark serve`` in its own process on loopback; the clients run here. Page data is computed once
per data change (the server warms the overview after start) and then served from the page
cache, so the measured latency is the server's: authentication, scoping and serialisation.

- ``single_p95``: p95 of sequential requests from one client (no baseline, for context).
- ``concurrent_p95``: 50 clients for 30 s (``--scale`` shortens it), each requesting the two
  pages in turn with a 0.5 s pause (a dashboard user, not a load generator), vs the single-
  client p95 (target ratio <= 5, and no errors).
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

CLIENTS = 50
DURATION = 30.0
THINK = 0.5
URLS = ("/api/overview", "/api/kpi/total_cost?by=team")


def _workspace(ctx: Any) -> Any:
    from bench import bench_kpi

    rows = ctx.rows(bench_kpi.FULL_ROWS)
    return bench_kpi.kpi_workspace(ctx, rows)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
            single = []
            for _ in range(20):
                for url in URLS:
                    t = time.perf_counter()
                    client.get(url).raise_for_status()
                    single.append(time.perf_counter() - t)
        duration = max(5.0, DURATION * min(1.0, ctx.scale))
        latencies, errors = asyncio.run(_crowd(base, headers, duration))
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
        },
    ]


async def _crowd(base: str, headers: dict[str, str], duration: float) -> tuple[list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=CLIENTS)

    async def user(client: httpx.AsyncClient, i: int) -> None:
        nonlocal errors
        await asyncio.sleep(THINK * i / CLIENTS)  # users arrive spread over one pause
        n = i
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                resp = await client.get(URLS[n % len(URLS)])
                if resp.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - t)
            n += 1
            await asyncio.sleep(THINK)

    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=60, limits=limits
    ) as client:
        await asyncio.gather(*(user(client, i) for i in range(CLIENTS)))
    return latencies, errors
