"""Evaluate alert rules against a context (each rule in its scope) and deliver new alerts once.

Each rule yields candidate alerts, each with a de-duplication key naming its subject (rule,
KPI, period, dimension values...). A candidate already delivered or logged is skipped; a failed
delivery is logged as ``failed`` and tried again at the next evaluation.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import httpx
import pandas as pd

from costmark.alerts.deliver import post_webhook
from costmark.engine.asof import JudgedPeriod
from costmark.errors import CostmarkError
from costmark.present import numbers
from costmark.reports import sources
from costmark.reports.context import cutoff
from costmark.spec.alerts import SEVERITY_RANK, AlertRule, AlertSettings
from costmark.tracking.budgeting import budgets
from costmark.tracking.detect import anomalies

if TYPE_CHECKING:
    from costmark.engine.context import Context


@dataclass
class Candidate:
    key: str
    message: str
    severity: str
    dimensions: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def _dims(row: dict[str, Any], by: tuple[str, ...]) -> dict[str, Any]:
    return {d: row.get(d) for d in by if d in row}


def _key(*parts: Any) -> str:
    return json.dumps([str(p) if p is not None else None for p in parts])


def _judged(view: Context, grain: str) -> JudgedPeriod | None:
    """The period a rule judges: the latest complete one of the data the rule's scope sees
    (``costmark.engine.asof``); a running period never fires as if it were complete."""
    return cutoff(view).latest_complete(grain)


def _complete(view: Context, grain: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of complete periods only (the running period's values to date are left out)."""
    cut = cutoff(view)
    if cut.day is None:
        return []
    return [r for r in rows if r.get("period_start") is not None
            and cut.period(pd.Timestamp(r["period_start"]).date(), grain).complete]


def kpi_threshold(view: Context, rule: AlertRule) -> list[Candidate]:
    assert rule.kpi is not None and rule.threshold is not None
    judged = _judged(view, rule.grain)
    if judged is None:
        return []
    rows = sources.kpi_rows(view, [rule.kpi], grain=rule.grain, by=rule.by,
                            start=judged.start, end=judged.last_day)
    out = []
    for r in rows:
        if r.get("period_start") != judged.start:
            continue
        if r.get("value") is None:
            continue
        value = float(r["value"])
        hit = value > rule.threshold if rule.kind == "kpi_above" else value < rule.threshold
        if not hit:
            continue
        dims = _dims(r, rule.by)
        where = ", ".join(f"{k}={v}" for k, v in dims.items()) or "all"
        word = "above" if rule.kind == "kpi_above" else "below"
        cur = f" {r['currency']}" if r.get("currency") else ""
        out.append(
            Candidate(
                _key(rule.name, rule.kpi, r["period_start"], r.get("currency"), *dims.values()),
                f"{rule.kpi} is {numbers.short(value)}{cur} ({where}, {judged.describe()}), "
                f"{word} the threshold {numbers.short(rule.threshold)}",
                rule.severity,
                dims,
                {
                    "kpi": rule.kpi,
                    "value": value,
                    "threshold": rule.threshold,
                    "period_start": str(r["period_start"]),
                    "currency": r.get("currency"),
                },
            )
        )
    return out


def target_status(view: Context, rule: AlertRule) -> list[Candidate]:
    """Fires when the latest period's target status differs from the period before."""
    from costmark.benchmarking.service import run_benchmark

    result = run_benchmark(view, rule.kpi or "", by=rule.by, against=("targets",),
                           grain=rule.grain)
    rows = _complete(view, rule.grain, sources._bench_section(result, "targets"))
    series: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        dims = _dims(r, rule.by)
        series.setdefault(_key(r.get("currency"), *dims.values()), []).append(r)
    out = []
    for group in series.values():
        group.sort(key=lambda r: pd.Timestamp(r["period_start"]))
        if len(group) < 2:
            continue
        before, now = group[-2].get("status"), group[-1].get("status")
        if before == now or now is None:
            continue
        dims = _dims(group[-1], rule.by)
        start = pd.Timestamp(group[-1]["period_start"]).date()
        out.append(
            Candidate(
                _key(rule.name, rule.kpi, start, group[-1].get("currency"), *dims.values()),
                f"{rule.kpi} target status changed from {before} to {now} ({start})",
                rule.severity,
                dims,
                {"kpi": rule.kpi, "from": before, "to": now, "period_start": str(start)},
            )
        )
    return out


def anomaly(view: Context, rule: AlertRule) -> list[Candidate]:
    kpi = rule.kpi or "total_cost"
    result = anomalies(view, kpi, by=rule.by)
    floor = SEVERITY_RANK[rule.severity]
    out = []
    for r in sources._records(result):
        sev = str(r.get("severity") or "low").lower()
        if SEVERITY_RANK.get(sev, 0) < floor:
            continue
        dims = {k: r.get(k) for k in rule.by if k in r}
        when = r.get("start") or r.get("date") or r.get("period_start")
        cur = r.get("currency") or ""
        where = ", ".join(f"{k}={v}" for k, v in dims.items()) or "all"
        message = (
            f"{sev} {kpi} anomaly on {when} ({where}): actual {_f(r.get('actual'))} {cur} vs "
            f"expected {_f(r.get('expected'))}"
        )
        if r.get("drivers"):
            message += f"; drivers: {str(r['drivers'])[:200]}"
        details = {
            k: r.get(k)
            for k in ("start", "end", "currency", "expected", "actual", "severity", "direction")
        }
        out.append(
            Candidate(
                _key(rule.name, kpi, when, cur, *sorted(dims.items())), message, sev, dims, details
            )
        )
    return out


def _f(v: Any) -> str:
    return "?" if numbers.to_decimal(v) is None else numbers.money(v)


def budget_over(view: Context, rule: AlertRule) -> list[Candidate]:
    out = []
    for r in sources._records(budgets(view)):
        amount, projected = r.get("amount"), r.get("projected")
        if amount is None or projected is None:
            continue
        if float(projected) <= float(amount):
            continue
        name = r.get("budget") or "budget"
        period = r.get("period_start")
        spec = (getattr(view.project, "budgets", None) or {}).get(name)
        values = spec.scope_values() if spec is not None else {}
        dims = {k: v[0] for k, v in values.items() if len(v) == 1}
        out.append(
            Candidate(
                _key(rule.name, name, period),
                f"budget {name} ({r.get('scope') or 'all'}) is projected over: "
                f"{_f(projected)} against {_f(amount)} {r.get('currency') or ''} "
                f"for the period starting {period}"
                + (f" ({r['partial']}, projected)" if r.get("partial") else ""),
                rule.severity,
                dims,
                {
                    k: r.get(k)
                    for k in (
                        "budget",
                        "scope",
                        "currency",
                        "amount",
                        "projected",
                        "actual_to_date",
                        "period_start",
                        "status",
                    )
                },
            )
        )
    return out


SHORTFALL_KPI = "contract_projected_shortfall"


def contract_shortfall(view: Any, rule: AlertRule) -> list[Candidate]:
    """Fires per contract (or commitment, per ``by``) whose projected shortfall at term end is
    above the threshold. Judged on the latest period the burn-down has (as of the data's last
    day): a shortfall is a projection, so waiting for the period to close only delays it. The
    subject includes the period, so a contract still short a month later is said again."""
    assert rule.threshold is not None
    rows = sources.kpi_rows(view, [SHORTFALL_KPI], grain=rule.grain, by=rule.by)
    latest = max((r["period_start"] for r in rows if r.get("period_start")), default=None)
    out = []
    for r in rows:
        if r.get("period_start") != latest or r.get("value") is None:
            continue
        value = float(r["value"])
        if value <= rule.threshold:
            continue
        dims = _dims(r, rule.by)
        where = ", ".join(f"{k}={v}" for k, v in dims.items()) or "all contracts"
        cur = r.get("currency") or ""
        out.append(
            Candidate(
                _key(rule.name, SHORTFALL_KPI, latest, cur, *dims.values()),
                f"contract commitment projected shortfall {_f(value)} {cur} ({where}; "
                f"{r.get('note') or ''}) is above the threshold {_f(rule.threshold)}",
                rule.severity,
                dims,
                {"kpi": SHORTFALL_KPI, "value": value, "threshold": rule.threshold,
                 "period_start": str(latest), "currency": cur or None},
            )
        )
    return out


CHECKS: dict[str, Callable[[Any, AlertRule], list[Candidate]]] = {
    "kpi_above": kpi_threshold,
    "kpi_below": kpi_threshold,
    "target_status": target_status,
    "anomaly": anomaly,
    "budget_over": budget_over,
    "contract_shortfall": contract_shortfall,
}


def already_sent(con: duckdb.DuckDBPyConnection, key: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM alert_log WHERE dedup_key = ? AND status IN ('delivered','logged')",
        [key],
    ).fetchone()
    return bool(row and row[0])


def evaluate(
    ws: Context,
    *,
    settings: AlertSettings | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Evaluate every rule; deliver and log each new alert. Returns the log rows written."""
    settings = settings or ws.project.alerts
    con = ws.warehouse.con
    written = []
    for rule in settings.rules:
        view = ws.with_scope(rule.scope)
        try:
            candidates = CHECKS[rule.kind](view, rule)
        except (sources.PartMissing, CostmarkError):
            continue  # the part is not installed or has no data: nothing to alert on
        for c in candidates:
            if already_sent(con, c.key):
                continue
            payload = {
                "text": f"[{c.severity}] {rule.name}: {c.message}",
                "costmark": {"rule": rule.name, "kind": rule.kind, **c.details},
            }
            status, attempts, notes = "logged", 0, []
            for hook in rule.notify:
                result = post_webhook(
                    settings.webhooks[hook], payload, transport=transport, sleep=sleep
                )
                attempts += result.attempts
                notes.append(f"{hook}: {result.message}")
                status = "delivered" if result.ok and status != "failed" else "failed"
            dims = {**c.dimensions, **rule.scope}
            record = {
                "id": uuid.uuid4().hex[:12],
                "rule": rule.name,
                "kind": rule.kind,
                "dedup_key": c.key,
                "fired_at": (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)),
                "status": status,
                "attempts": attempts,
                "severity": c.severity,
                "dimensions": dims,
                "message": c.message,
                "payload": {**payload, "delivery": notes},
            }
            con.execute(
                "INSERT INTO alert_log VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    record["id"],
                    rule.name,
                    rule.kind,
                    c.key,
                    record["fired_at"],
                    status,
                    attempts,
                    c.severity,
                    json.dumps(dims, default=str),
                    c.message,
                    json.dumps(record["payload"], default=str),
                ],
            )
            written.append(record)
    return written


def log(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    cur = con.execute("SELECT * FROM alert_log ORDER BY fired_at DESC, id LIMIT ?", [limit])
    cols = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        row = dict(zip(cols, r, strict=True))
        row["dimensions"] = json.loads(row["dimensions"])
        row["payload"] = json.loads(row["payload"]) if row["payload"] else None
        out.append(row)
    return out


def visible_log(ws: Context, limit: int = 200) -> list[dict[str, Any]]:
    """The alert log as the context may see it: in a scope, only alerts about rows inside it
    (alerts on totals span every team)."""
    if not ws.scope:
        return log(ws.warehouse.con, limit)
    rows = log(ws.shared_warehouse.con, limit)
    return [
        r for r in rows
        if all(str((r.get("dimensions") or {}).get(k)) == v for k, v in ws.scope.items())
    ]
