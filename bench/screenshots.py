"""``make screenshots``: a PNG of every dashboard page and of the reports' first pages.

    python -m bench.screenshots [--workspace DIR] [--out screenshots/] [--width 1280]

Without ``--workspace`` a small demo workspace is made in a temporary folder, with two
maturity assessments, an iteration, fired alerts and a scheduled report run, so every page has
something to show. The server runs on loopback; Debian's chromium (``make system-deps``) is
driven through Playwright, which downloads no browser. A reviewer opens the folder and looks.

The helpers here (``demo_workspace``, ``serve``, ``chromium``, ``sign_in``) are shared with
the browser tests (tests/web/test_browser_pages.py), so both see the same pages the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
#: Every HTML page of the dashboard (the KPI page once, for the KPI every workspace has).
PAGES = (
    "/",
    "/kpi/total_cost",
    "/benchmarks",
    "/anomalies",
    "/maturity",
    "/iterations",
    "/data",
    "/alerts",
    "/docs",
)
#: The demo's data ends here, so pages and screenshots do not depend on today's date.
DEMO_END = dt.date(2026, 11, 1)


def page_name(path: str) -> str:
    """A file name for a page path: "/" -> "overview", "/kpi/total_cost" -> "kpi-total_cost"."""
    return path.strip("/").replace("/", "-") or "overview"


def demo_workspace(
    root: Path, *, rows: int = 3000, months: int = 4, schedules: bool = False
) -> dict[str, Any]:
    """A small demo workspace with maturity, iteration and alert history; returns tokens
    (admin, a viewer scoped to the team with the most cost) and that team."""
    import costmark
    from costmark import api

    api.create_demo(root, months=months, rows=rows, end=DEMO_END, show_progress=False)
    answers = yaml.safe_load((ROOT / "examples" / "answers.yaml").read_text())
    plan = yaml.safe_load((ROOT / "examples" / "plan.yaml").read_text())
    earlier = {**answers, "capabilities": {
        name: dict.fromkeys(lenses, 1) for name, lenses in answers["capabilities"].items()
    }}
    with costmark.open_workspace(root) as ws:
        rows_by_team = ws.kpi("total_cost", grain="month", by=("team",)).rows()
        spend: dict[str, float] = {}
        for r in rows_by_team:
            if r.get("value") is not None and r.get("team"):
                spend[r["team"]] = spend.get(r["team"], 0.0) + float(r["value"])
        team = max(spend, key=lambda t: spend[t])
        now = dt.datetime(2026, 11, 2, 9, 0)
        ws.assess(earlier, now=now - dt.timedelta(days=60))
        ws.assess(answers, now=now)
        ws.assess({**answers, "group": f"team={team}"}, now=now)
        ws.plan_iteration(plan, now=now)
        ws.evaluate_alerts()
        if schedules:
            ws.run_schedules(force=True)
        tokens = {
            "admin": ws.create_token("admin", name="reviewer")[0],
            "scoped": ws.create_token("viewer", scope={"team": team}, name=f"{team} viewer")[0],
        }
    return {"root": root, "team": team, "tokens": tokens}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """The dashboard on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    from costmark.web import create_app

    app = create_app(root, background=False)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=_free_port(), log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the dashboard did not start")
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (no browser download)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} missing: run `make system-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(browser: Any, base: str, token: str, width: int = 1280) -> Any:
    """A browser context signed in with ``token`` (the login form's POST; the session cookie
    lands in the context without rendering the overview it redirects to)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    resp = context.request.post(
        base + "/login", form={"token": token, "next": "/health"}, max_redirects=0
    )
    if resp.status != 303:
        raise RuntimeError(f"sign-in failed ({resp.status})")
    return context


def wait_for_charts(page: Any, timeout: float = 15000) -> None:
    """Until every chart placeholder on the page has its Plotly SVG."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('div.chart')]"
        ".every(el => el.querySelector('svg.main-svg'))",
        timeout=timeout,
    )


def capture(base: str, browser: Any, token: str, out: Path, width: int = 1280) -> list[Path]:
    """Write every page, the HTML report and the PDF report's first pages as PNGs."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    context = sign_in(browser, base, token, width)
    page = context.new_page()
    for path in PAGES:
        page.goto(base + path, wait_until="load")
        wait_for_charts(page)
        target = out / f"{page_name(path)}.png"
        page.screenshot(path=str(target), full_page=True)
        written.append(target)
    written += _reports(page, base, out)
    context.close()
    return written


def _reports(page: Any, base: str, out: Path, pages: int = 3) -> list[Path]:
    """The HTML report as shown on screen, then as printed: the PDF Chromium prints from the
    report's print CSS, and a PNG of each of its first pages (the print view cut at the A4
    page height, as the PDF paginates it)."""
    written = []
    page.goto(base + "/report?format=html", wait_until="load")
    with contextlib.suppress(Exception):
        wait_for_charts(page, timeout=10000)
    shot = out / "report-html.png"
    page.screenshot(path=str(shot), full_page=True)
    written.append(shot)
    page.emulate_media(media="print")
    pdf = out / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    a4_width, a4_height = 794, 1123  # CSS pixels at 96 dpi
    page.set_viewport_size({"width": a4_width, "height": a4_height})
    total = page.evaluate("document.documentElement.scrollHeight")
    for i in range(min(pages, max(1, -(-total // a4_height)))):
        shot = out / f"report-pdf-page-{i + 1}.png"
        page.screenshot(
            path=str(shot), full_page=True,
            clip={"x": 0, "y": i * a4_height, "width": a4_width, "height": a4_height},
        )
        written.append(shot)
    page.emulate_media(media="screen")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="an existing workspace (default: demo)")
    parser.add_argument("--token", help="an admin token for --workspace")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.workspace:
            if not args.token:
                parser.error("--workspace needs --token (an admin token)")
            root, token = args.workspace, args.token
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="costmark-shots-")))
            print("making a small demo workspace…", file=sys.stderr)
            made = demo_workspace(tmp / "demo", schedules=True)
            root, token = made["root"], made["tokens"]["admin"]
        base = stack.enter_context(serve(root))
        browser = stack.enter_context(chromium())
        written = capture(base, browser, token, args.out, args.width)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
