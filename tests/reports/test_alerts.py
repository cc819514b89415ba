from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from costmark.alerts.deliver import post_webhook
from costmark.spec.schedules import WebhookTarget
from tests.reports.conftest import make_ws

RULES = """
alerts:
  webhooks:
    ops: {url: "https://hooks.example/ops", retries: 3}
  rules:
    - {name: team-spend, kind: kpi_above, kpi: total_cost, threshold: 140, by: [team],
       notify: [ops]}
    - {name: low-savings, kind: kpi_below, kpi: savings_rate, threshold: 0.2}
    - {name: payments-only, kind: kpi_above, kpi: total_cost, threshold: 1,
       scope: {team: payments}}
"""


def test_webhook_retries_then_succeeds() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) < 3:
            return httpx.Response(502)
        return httpx.Response(200)

    sleeps: list[float] = []
    result = post_webhook(
        WebhookTarget(url="https://h.example", retries=3),
        {"text": "x"},
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
    )
    assert result.ok and result.attempts == 3 and sleeps == [1.0, 2.0]


def test_webhook_gives_up_on_client_errors_and_network_errors() -> None:
    def bad_request(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="invalid_payload")

    r = post_webhook(
        WebhookTarget(url="https://h.example", retries=3),
        {},
        transport=httpx.MockTransport(bad_request),
        sleep=lambda s: None,
    )
    assert not r.ok and r.attempts == 1 and "invalid_payload" in r.message

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    r = post_webhook(
        WebhookTarget(url="https://h.example", retries=2),
        {},
        transport=httpx.MockTransport(down),
        sleep=lambda s: None,
    )
    assert not r.ok and r.attempts == 3 and "ConnectError" in r.message


def test_url_env_missing(monkeypatch: Any) -> None:
    monkeypatch.delenv("NO_SUCH_HOOK", raising=False)
    r = post_webhook(WebhookTarget(url_env="NO_SUCH_HOOK"), {}, sleep=lambda s: None)
    assert not r.ok and "NO_SUCH_HOOK" in r.message


def test_rules_fire_once_and_dedupe(tmp_path: Path) -> None:
    posts: list[dict[str, Any]] = []
    fail = {"on": True}

    def handler(request: httpx.Request) -> httpx.Response:
        posts.append(json.loads(request.content))
        return httpx.Response(500 if fail["on"] else 200)

    ws = make_ws(tmp_path, RULES)
    opts = {"transport": httpx.MockTransport(handler), "sleep": lambda s: None}
    first = ws.evaluate_alerts(**opts)
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for a in first:
        by_rule.setdefault(a["rule"], []).append(a)
    # Oct 2026: payments 150 and search 900 are above 140; the other two teams are not
    assert sorted(a["dimensions"]["team"] for a in by_rule["team-spend"]) == ["payments", "search"]
    assert all(a["status"] == "failed" and a["attempts"] == 4 for a in by_rule["team-spend"])
    # savings rate overall = 120/1062 = 0.113 < 0.2: logged (no webhook)
    assert [a["status"] for a in by_rule["low-savings"]] == ["logged"]
    assert by_rule["payments-only"][0]["dimensions"] == {"team": "payments"}
    assert "150" in by_rule["payments-only"][0]["message"]
    # failed deliveries are retried at the next evaluation; delivered ones never again
    fail["on"] = False
    second = ws.evaluate_alerts(**opts)
    assert sorted(a["rule"] for a in second) == ["team-spend", "team-spend"]
    assert all(a["status"] == "delivered" for a in second)
    assert ws.evaluate_alerts(**opts) == []
    assert posts[-1]["text"].startswith("[high] team-spend:")
    log = ws.alert_log()
    assert len(log) == 4 + 2
    # a viewer scoped to payments sees only alerts about payments
    scoped = ws.scoped({"team": "payments"}).alert_log()
    assert scoped and all(a["dimensions"].get("team") == "payments" for a in scoped)
    ws.close()


def test_budget_over_rule_uses_the_budget_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import pandas as pd

    from costmark.alerts.engine import budget_over
    from costmark.spec.alerts import AlertRule

    class Budget:
        def __init__(self, scope: dict[str, tuple[str, ...]]) -> None:
            self._scope = scope

        def scope_values(self) -> dict[str, tuple[str, ...]]:
            return self._scope

    class View:
        project = SimpleNamespace(
            budgets={"pay": Budget({"team": ("payments",)}), "all": Budget({})}
        )

        def budgets(self) -> pd.DataFrame:
            return pd.DataFrame(
                [
                    {
                        "budget": "pay",
                        "scope": "team=payments",
                        "currency": "USD",
                        "amount": 100,
                        "projected": 130.0,
                        "period_start": "2026-11-01",
                        "status": "at risk",
                    },
                    {
                        "budget": "all",
                        "scope": "",
                        "currency": "USD",
                        "amount": 1000,
                        "projected": 900.0,
                        "period_start": "2026-11-01",
                        "status": "on track",
                    },
                ]
            )

    rule = AlertRule(name="b", kind="budget_over")
    from costmark.alerts import engine

    monkeypatch.setattr(engine, "budgets", lambda view: view.budgets())
    found = budget_over(View(), rule)  # type: ignore[arg-type]
    assert len(found) == 1  # 900 < 1000: not over
    assert found[0].dimensions == {"team": "payments"}
    assert "130.00 against 100.00 USD" in found[0].message
