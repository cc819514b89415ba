from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from costmark.errors import ConfigError
from costmark.reports.schedule import is_due, last_fire
from costmark.spec.schedules import Schedule
from tests.reports.conftest import make_ws

SCHEDULES = """
schedules:
  - name: monthly-folder
    cron: "0 7 1 * *"
    cadence: monthly
    format: md
    destination: {folder: out}
  - name: weekly-hook
    cron: "0 8 * * MON"
    cadence: weekly
    format: json
    scope: {team: payments}
    destination: {webhook: {url: "https://hooks.example/T1", retries: 2}}
  - name: mail
    cron: "0 9 * * *"
    cadence: daily
    format: html
    destination:
      email: {to: finops@example.com, from: costmark@example.com, smtp_host: mail.example}
"""


def sched(cron: str) -> Schedule:
    return Schedule.model_validate({"name": "s", "cron": cron, "destination": {"folder": "x"}})


@pytest.mark.parametrize(
    ("cron", "last_run", "now", "due"),
    [
        ("0 7 1 * *", None, "2026-11-23 10:00", True),  # never ran
        ("0 7 1 * *", "2026-11-01 07:00", "2026-11-23 10:00", False),
        ("0 7 1 * *", "2026-11-01 07:00", "2026-12-01 06:59", False),
        ("0 7 1 * *", "2026-11-01 07:00", "2026-12-01 07:00", True),  # exactly at fire time
        ("0 7 1 * *", "2026-10-31 23:00", "2026-11-01 07:05", True),
        ("*/15 * * * *", "2026-11-23 10:14", "2026-11-23 10:15", True),
        ("*/15 * * * *", "2026-11-23 10:15", "2026-11-23 10:29", False),
    ],
)
def test_due(cron: str, last_run: str | None, now: str, due: bool) -> None:
    last = dt.datetime.fromisoformat(last_run) if last_run else None
    assert is_due(sched(cron), last, dt.datetime.fromisoformat(now)) is due


def test_last_fire() -> None:
    assert last_fire(sched("0 7 1 * *"), dt.datetime(2026, 11, 23)) == dt.datetime(2026, 11, 1, 7)


def test_bad_cron_is_a_config_error(tmp_path: Path) -> None:
    bad = "schedules:\n  - {name: x, cron: 'every day', destination: {folder: o}}\n"
    with pytest.raises(ConfigError) as err:
        make_ws(tmp_path, bad).project  # noqa: B018
    assert "costmark.yaml:9: schedules.0.cron" in str(err.value)


class FakeSMTP:
    sent: ClassVar[list[Any]] = []

    def __init__(self, host: str, port: int) -> None:
        self.host = host

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *a: Any) -> None:
        return None

    def starttls(self) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        return None

    def send_message(self, msg: Any) -> None:
        FakeSMTP.sent.append(msg)


def test_run_due_delivers_everywhere_and_logs(tmp_path: Path) -> None:
    posts: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posts.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    ws = make_ws(tmp_path, SCHEDULES)
    now = dt.datetime(2026, 11, 23, 10, 0)
    FakeSMTP.sent = []
    runs = ws.run_schedules(
        now=now, transport=httpx.MockTransport(handler), smtp_factory=FakeSMTP, sleep=lambda s: None
    )
    assert [r["status"] for r in runs] == ["ok", "ok", "ok"], runs
    report = ws.root / "out" / "monthly-folder-2026-10.md"
    assert report.exists() and "| Total cost | USD | 1,062.00 |" in report.read_text()
    # the webhook got a Slack-compatible payload, scoped to payments
    assert len(posts) == 1 and "text" in posts[0]
    assert "Scope: team = payments" in posts[0]["text"] and "search" not in posts[0]["text"]
    assert FakeSMTP.sent[0]["To"] == "finops@example.com"
    # the daily report covers the data's last day (31 October), not the day before the run
    assert any(
        p.get_filename() == "mail-2026-10-31.html" for p in FakeSMTP.sent[0].iter_attachments()
    )
    logged = ws.report_runs()
    assert {r["schedule"] for r in logged} == {"monthly-folder", "weekly-hook", "mail"}
    # nothing is due again the same day; a forced run runs all
    assert ws.run_schedules(now=now + dt.timedelta(minutes=5)) == []
    listing = {s["name"]: s for s in ws.schedules(now=now + dt.timedelta(minutes=5))}
    assert listing["mail"]["due"] is False
    assert listing["mail"]["next_run"] == dt.datetime(2026, 11, 24, 9, 0)
    ws.close()


def test_failed_delivery_is_logged_and_retried(tmp_path: Path) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503)

    ws = make_ws(tmp_path, SCHEDULES)
    runs = ws.run_schedules(
        now=dt.datetime(2026, 11, 23, 10),
        names=("weekly-hook",),
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )
    assert runs[0]["status"] == "failed" and "503" in runs[0]["message"]
    assert len(calls) == 3  # first try + 2 retries
    assert ws.report_runs()[0]["status"] == "failed"
    ws.close()
