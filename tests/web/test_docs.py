"""Like datasette: a route or command that the README does not mention fails a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


def test_every_route_is_documented(app: Any) -> None:
    for route in app.routes:
        stem = route.path.split("{")[0]
        if stem.startswith("/static"):
            continue
        assert stem in README, f"README does not mention {route.path}"


def test_every_command_is_documented() -> None:
    for cmd in (
        "costmark report",
        "costmark serve",
        "costmark schedule list",
        "costmark schedule run",
        "costmark schedule log",
        "costmark token create",
        "costmark token list",
        "costmark token revoke",
        "costmark alerts run",
        "costmark alerts log",
        "--watch",
        "--scope",
        "--cadence",
        "--period",
    ):
        assert cmd in README, cmd


def test_every_alert_kind_and_destination_is_documented() -> None:
    for word in (
        "kpi_above",
        "kpi_below",
        "target_status",
        "anomaly",
        "budget_over",
        "folder:",
        "webhook:",
        "email:",
        "url_env",
        "password_env",
    ):
        assert word in README, word
