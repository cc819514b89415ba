"""Business metrics, utilization samples and recommendations that match the generated costs.

Business volume and cost share one growth curve and one weekly pattern per app, so unit costs
are stable with noise and cost follows the business (the correlation users expect); anomalies
touch cost only, which is what makes them anomalies.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from costmark.demo.arrow import Calendar
from costmark.demo.catalog import APPS
from costmark.demo.org import C_SCALE, Q_SCALE, Org


def growth_curves(cal: Calendar) -> np.ndarray:
    """growth[app, day]: 1 on the first day, compounding at the app's yearly rate."""
    rates = np.array([a.growth for a in APPS])
    return np.exp(rates[:, None] * np.arange(cal.days)[None, :] / 365.0)


def _dates(cal: Calendar, day: np.ndarray) -> pa.Array:
    return pa.array(np.datetime64(cal.start.isoformat(), "D") + day, type=pa.date32())


def write_business(
    cal: Calendar, growth: np.ndarray, rng: np.random.Generator, out: Path
) -> tuple[Path, Path, int]:
    """Long file (transactions, customers per app/team) and wide file (revenue per app/team)."""
    n_app, days = growth.shape
    weekday = cal.weekday()
    season = np.where(weekday == 5, 0.8, np.where(weekday == 6, 0.74, 1.0))
    t0 = np.array([a.transactions_per_day for a in APPS])[:, None]
    # Volume grows a little faster than cost: unit costs fall slowly (economies of scale).
    tx = np.rint(t0 * growth**1.1 * season * rng.lognormal(0, 0.04, (n_app, days)))
    customers = np.rint(t0 / 3.0 * growth**0.7 * rng.lognormal(0, 0.01, (n_app, days)))
    rpt = np.array([a.revenue_per_transaction for a in APPS])[:, None]
    revenue = np.round(tx * rpt * rng.lognormal(0, 0.03, (n_app, days)), 2)
    grid_app, grid_day = np.meshgrid(np.arange(n_app), np.arange(days), indexing="ij")
    app_idx, day = grid_app.ravel(), grid_day.ravel()
    names = pa.array([a.name for a in APPS])
    teams = pa.array([a.team for a in APPS])
    dates = _dates(cal, day)
    k = len(day)
    long = pa.table(
        {
            "date": pa.concat_arrays([dates, dates]),
            "metric": pa.array(["transactions"] * k + ["customers"] * k),
            "app": pa.concat_arrays([names.take(app_idx), names.take(app_idx)]),
            "team": pa.concat_arrays([teams.take(app_idx), teams.take(app_idx)]),
            "value": pa.array(np.concatenate([tx.ravel(), customers.ravel()]).astype(np.int64)),
        }
    )
    wide = pa.table(
        {
            "date": dates,
            "app": names.take(app_idx),
            "team": teams.take(app_idx),
            "revenue": pa.array(revenue.ravel()),
        }
    )
    long_path, wide_path = out / "business_metrics.csv", out / "revenue_wide.csv"
    pacsv.write_csv(long, long_path, pacsv.WriteOptions(quoting_style="needed"))
    pacsv.write_csv(wide, wide_path, pacsv.WriteOptions(quoting_style="needed"))
    return long_path, wide_path, long.num_rows + wide.num_rows


def plan_recommendations(
    org: Org, cal: Calendar, rng: np.random.Generator
) -> list[dict[str, object]]:
    """Idle-resource and rightsizing recommendations (some implemented: the resource then
    stops at the close date, so realised savings are real), plus commitment purchases for the
    accounts that never bought one."""
    res = org.resources
    recs: list[dict[str, object]] = []
    days = cal.days

    def monthly(i: int, share: float) -> Decimal:
        daily = int(res.base[i] * Q_SCALE) * res.contracted_price[i]
        return (Decimal(daily * 30) * Decimal(str(share)) / C_SCALE).quantize(Decimal("0.01"))

    for i in range(len(res)):
        if res.sku[i].kind != "hours":
            continue
        rightsizing = not res.idle[i] and rng.random() < 0.08
        if not (res.idle[i] or rightsizing):
            continue
        lo, hi = res.start[i] + 7, min(res.end[i], days) - 14
        if hi <= lo:
            continue
        opened = int(rng.integers(lo, hi))
        u = rng.random()
        status = "closed" if u < 0.4 else "dismissed" if u < 0.55 else "open"
        est = monthly(i, 1.0 if res.idle[i] else 0.35)
        closed = None
        realized = None
        if status != "open":
            closed = min(days - 1, opened + int(rng.integers(5, 40)))
            if status == "closed":
                realized = (est * Decimal(str(round(rng.uniform(0.85, 1.0), 2)))).quantize(
                    Decimal("0.01")
                )
                if res.idle[i]:
                    res.end[i] = max(res.start[i] + 1, closed)  # deleted: its cost stops
        recs.append(
            {
                "id": f"rec-{len(recs) + 1:05d}",
                "resource_id": res.rid[i],
                "category": "idle" if res.idle[i] else "rightsizing",
                "estimated_monthly_savings": est,
                "currency": res.account[i].billing.currency,
                "status": status,
                "opened": cal.date(opened),
                "closed": cal.date(closed) if closed is not None else None,
                "realized_monthly_savings": realized,
            }
        )
    covered_accounts = {c.account.id for c in org.commitments}
    for acct in org.accounts:
        if acct.env_kind != "prod" or acct.id in covered_accounts:
            continue
        eligible = [
            i for i in range(len(res)) if res.account[i] is acct and res.sku[i].commit_eligible
        ]
        if not eligible:
            continue
        est = sum((monthly(i, 0.3) for i in eligible), Decimal(0))
        recs.append(
            {
                "id": f"rec-{len(recs) + 1:05d}",
                "resource_id": None,
                "category": "commitment",
                "estimated_monthly_savings": est,
                "currency": acct.billing.currency,
                "status": "open",
                "opened": cal.date(max(0, days - 30)),
                "closed": None,
                "realized_monthly_savings": None,
            }
        )
    return recs


def write_recommendations(recs: list[dict[str, object]], out: Path) -> Path:
    path = out / "recommendations.csv"
    cols = [
        "id",
        "resource_id",
        "category",
        "estimated_monthly_savings",
        "currency",
        "status",
        "opened",
        "closed",
        "realized_monthly_savings",
    ]
    data = {}
    for c in cols:
        values = [r[c] for r in recs]
        if c in ("opened", "closed"):
            data[c] = pa.array(values, type=pa.date32())
        elif c.endswith("savings"):
            data[c] = pa.array(values, type=pa.decimal128(18, 2))
        else:
            data[c] = pa.array(values, type=pa.string())
    pacsv.write_csv(pa.table(data), path, pacsv.WriteOptions(quoting_style="needed"))
    return path


def write_utilization(org: Org, cal: Calendar, rng: np.random.Generator, out: Path) -> Path:
    """Weekly (Monday) CPU and memory samples of every instance-like resource while it runs;
    idle resources stay under 5% CPU."""
    res = org.resources
    idx = np.array([i for i in range(len(res)) if res.sku[i].kind == "hours"], dtype=np.int64)
    mondays = np.nonzero(cal.weekday() == 0)[0]
    start = np.array(res.start)[idx]
    end = np.array(res.end)[idx]
    active = (mondays[None, :] >= start[:, None]) & (mondays[None, :] < end[:, None])
    r, k = np.nonzero(active)
    idle = np.array(res.idle)[idx]
    cpu_mean = np.where(idle, rng.uniform(0.5, 3.0, len(idx)), rng.uniform(12, 70, len(idx)))
    mem_mean = np.where(idle, rng.uniform(5, 20, len(idx)), rng.uniform(30, 80, len(idx)))
    spread = np.where(idle[r], 0.4, 6.0)
    cpu = np.clip(cpu_mean[r] + rng.normal(0, 1, len(r)) * spread, 0.1, 100).round(1)
    cpu = np.where(idle[r], np.minimum(cpu, 4.9), cpu)
    mem = np.clip(mem_mean[r] + rng.normal(0, 5, len(r)), 1, 100).round(1)
    rid = pa.array([res.rid[i] for i in idx])
    table = pa.table(
        {
            "resource_id": rid.take(pa.array(r)),
            "date": _dates(cal, mondays[k]),
            "cpu_pct": pa.array(cpu),
            "memory_pct": pa.array(mem),
        }
    )
    path = out / "utilization.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    return path


def write_team_mapping(org: Org, path: Path) -> Path:
    """SubAccountId -> team for the accounts finance knows about (two nonprod ones missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["SubAccountId,team"] + [f"{a.id},{a.team}" for a in org.accounts if a.mapped]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path
