"""Browser tests: Playwright driving Debian's chromium against uvicorn on loopback.

Run with ``pytest -m browser``; skipped (with the reason) when /usr/bin/chromium is missing —
``make system-deps`` installs it. No browser is downloaded.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from costmark.web import create_app
from tests.web.fakes import opener

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
FOCUS = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(ws_root: Path, tokens: dict[str, str]) -> Iterator[str]:
    import uvicorn

    app = create_app(ws_root, opener=opener, background=False)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium missing: run `make system-deps` (apt-get install -y chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def login(browser: Any, base: str, token: str, path: str = "/") -> Any:
    page = browser.new_page()
    page.goto(base + path)
    assert "/login" in page.url
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_load_state("load")
    return page


def test_login_overview_charts_and_drilldown(
    server: str, browser: Any, tokens: dict[str, str]
) -> None:
    page = browser.new_page()
    page.goto(server + "/login")
    page.fill("#token", "cm_wrong_token")
    page.click("#sign-in")
    assert "not valid" in page.inner_text("[role=alert]")
    page = login(browser, server, tokens["viewer"], "/?period=2026-10")
    assert page.url.endswith("/?period=2026-10")
    page.wait_for_selector("#trend-0 .main-svg", timeout=15000)  # plotly drew the chart
    assert page.locator(".js-plotly-plot").count() >= 1
    assert "1,062.00" in page.inner_text("#scorecard")
    page.click("#scorecard a:text('Total cost')")
    page.wait_for_url("**/kpi/total_cost")
    page.select_option("#drill-by", "team")
    page.click("form.controls button")
    page.wait_for_selector("#kpi-drill .main-svg", timeout=15000)
    drill = page.inner_text("#drilldown")
    assert "search" in drill and "payments" in drill
    assert "<script>alert" in drill  # the hostile tag value shows as text...
    assert page.evaluate("window.__xss") is None  # ...and never runs


def test_scoped_viewer_cannot_reach_other_teams(
    server: str, browser: Any, tokens: dict[str, str]
) -> None:
    page = login(browser, server, tokens["payments"], "/?period=2026-10")
    text = page.inner_text("main")
    assert "150.00" in text and "1,062.00" not in text and "search" not in text
    page.goto(server + "/kpi/total_cost?by=team")
    drill = page.inner_text("#drilldown")
    assert "payments" in drill and "search" not in drill
    api = page.goto(server + "/api/kpi/total_cost?by=team")
    assert api is not None and "search" not in api.text()
    denied = page.goto(server + "/api/tokens")
    assert denied is not None and denied.status == 403
    assert page.context.request.get(server + "/report?format=md").text().count("search") == 0


def test_live_update_after_ingest(server: str, browser: Any, tokens: dict[str, str]) -> None:
    page = login(browser, server, tokens["viewer"], "/?period=2026-10")
    page.evaluate("window.__stay = 'same page'")
    page.wait_for_timeout(500)  # EventSource connected
    with FOCUS.open("rb") as fh:
        resp = httpx.post(
            server + "/api/ingest",
            files={"files": ("drop.csv", fh)},
            headers={"Authorization": f"Bearer {tokens['analyst']}"},
            timeout=60,
        )
    assert resp.status_code == 200, resp.text
    page.wait_for_selector("#live-status.updated", timeout=15000)
    assert "updated" in page.inner_text("#live-status")
    assert page.evaluate("window.__stay") == "same page"  # no reload happened
    page.wait_for_selector("#trend-0 .main-svg", timeout=15000)  # charts redrawn
