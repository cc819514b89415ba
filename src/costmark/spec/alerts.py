"""Alert rules in costmark.yaml, evaluated after each ingest and delivered to webhooks.

    alerts:
      webhooks:
        finops: {url_env: SLACK_WEBHOOK_URL, retries: 3}
      rules:
        - {name: daily-spend, kind: kpi_above, kpi: total_cost, grain: day, threshold: 5000,
           by: [team], notify: [finops]}
        - {name: esr-floor, kind: kpi_below, kpi: effective_savings_rate, threshold: 0.2}
        - {name: target-slip, kind: target_status, kpi: effective_savings_rate}
        - {name: big-anomalies, kind: anomaly, severity: high, notify: [finops]}
        - {name: budgets, kind: budget_over, notify: [finops]}
        - {name: macc-shortfall, kind: contract_shortfall, threshold: 50000, by: [ContractId]}

``contract_shortfall`` fires when a contract commitment's projected shortfall at term end
(KPI ``contract_projected_shortfall``, judged as of the data's last day) is above
``threshold`` (money, in the commitment's currency); ``by`` may name ContractId,
ContractCommitmentId or ContractCommitmentCategory (empty: all contracts together).

A rule fires at most once per subject (the KPI, period and dimension values; the anomaly; the
budget and period): the alert log remembers what was delivered, so re-running never spams.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from costmark.spec.base import Frozen
from costmark.spec.schedules import WebhookTarget

AlertKind = Literal["kpi_above", "kpi_below", "target_status", "anomaly", "budget_over",
                    "contract_shortfall"]
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class AlertRule(Frozen):
    name: str
    kind: AlertKind
    kpi: str | None = None
    threshold: float | None = None
    grain: Literal["day", "week", "month"] = "month"
    by: tuple[str, ...] = ()
    severity: Severity = "high"
    #: Names of entries in ``alerts.webhooks``; empty = log only.
    notify: tuple[str, ...] = ()
    scope: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs(self) -> AlertRule:
        if self.kind in ("kpi_above", "kpi_below", "target_status") and not self.kpi:
            raise ValueError(f"a {self.kind} rule needs 'kpi'")
        if self.kind in ("kpi_above", "kpi_below", "contract_shortfall") and self.threshold is None:
            raise ValueError(f"a {self.kind} rule needs 'threshold'")
        return self


class AlertSettings(Frozen):
    webhooks: dict[str, WebhookTarget] = Field(default_factory=dict)
    rules: tuple[AlertRule, ...] = ()

    @model_validator(mode="after")
    def _known_webhooks(self) -> AlertSettings:
        for rule in self.rules:
            for name in rule.notify:
                if name not in self.webhooks:
                    raise ValueError(
                        f"rule {rule.name!r} notifies unknown webhook {name!r}; "
                        f"declare it under alerts.webhooks"
                    )
        return self
