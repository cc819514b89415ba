"""Daily usage rows of one app (its resources plus its commitments' Unused rows), vectorised.

Pricing follows the FOCUS spec examples (commitment_discount_flexibility/*):
- Standard (on demand): Billed = Effective = Contracted = quantity x negotiated price.
- Dynamic (spot): Billed = Effective = Contracted = quantity x the day's spot price.
- Committed, Used: BilledCost 0 (paid by the Purchase rows), EffectiveCost = quantity x
  amortised commitment rate, ListCost/ContractedCost at list / negotiated price.
- Committed, Unused: one row per commitment and day, ResourceId = the commitment, carrying the
  idle part of the commitment (ConsumedQuantity null, ListCost of the unused capacity).
All money is exact: integer quantities (3 decimals) times integer prices (8 decimals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from costmark.demo import arrow as A
from costmark.demo.catalog import APPS, ENV_VOLUME, PROVIDERS
from costmark.demo.org import C_DIGITS, Q_DIGITS, Q_SCALE, Org


@dataclass(frozen=True)
class Anomaly:
    """A known cost spike: quantity x ``factor`` on ``days`` days from ``start_day``."""

    id: str
    app: str
    service: str
    start_day: int
    days: int
    factor: float
    description: str


@dataclass
class ChunkStats:
    rows: int = 0
    #: billed cost per (billing account id, month index), at C_SCALE, exact Python ints
    billed: dict[tuple[str, int], int] = field(default_factory=dict)
    #: extra effective cost injected by each anomaly, at C_SCALE
    anomaly_cost: dict[str, int] = field(default_factory=dict)


_PRICING = ("Standard", "Dynamic", "Committed")


def app_rows(
    org: Org,
    app_index: int,
    cal: A.Calendar,
    growth: np.ndarray,
    anomalies: list[Anomaly],
    rng: np.random.Generator,
    schema: pa.Schema,
    stats: ChunkStats,
) -> pa.Table | None:
    res = org.resources
    idx = np.array([i for i in range(len(res)) if res.app[i] == app_index], dtype=np.int64)
    if len(idx) == 0:
        return None
    app = APPS[app_index]
    days = cal.days
    weekday = cal.weekday()
    weekend = weekday >= 5
    start = np.array([res.start[i] for i in idx])
    end = np.array([res.end[i] for i in idx])
    off = np.array([res.weekend_off[i] for i in idx])
    d = np.arange(days)
    active = (d[None, :] >= start[:, None]) & (d[None, :] < end[:, None])
    active &= ~(off[:, None] & weekend[None, :])
    local, day = np.nonzero(active)
    n = len(local)
    ridx = idx[local]

    # -- quantities ----------------------------------------------------------------------
    hours = np.array([res.sku[i].kind == "hours" for i in idx])[local]
    base = np.array([res.base[i] for i in idx])[local]
    env_vol = np.array([ENV_VOLUME[res.env[i]] for i in idx])[local]
    season = np.where(weekday[day] == 5, 0.8, np.where(weekday[day] == 6, 0.74, 1.0))
    # Fleets carry most growth (resources start over time, see org.build); per-resource
    # volume only drifts up a little, so cost grows about as fast as the business.
    drift = growth[app_index, day] ** 0.1
    metered = base * env_vol * drift * season * rng.lognormal(0, 0.08, n)
    downtime = np.where(rng.random(n) < 0.03, rng.uniform(1, 8, n), 0.0)
    qty = np.where(hours, base - downtime, metered)
    normal_qty = qty.copy()
    services = np.array([res.sku[i].service for i in idx])[local]
    for an in anomalies:
        if an.app != app.name:
            continue
        hit = (
            (services == an.service)
            & (day >= an.start_day)
            & (day < an.start_day + an.days)
            & np.array([res.env[i] == "prod" for i in idx])[local]
        )
        qty = np.where(hit, qty * an.factor, qty)
    q = np.maximum(np.rint(qty * Q_SCALE).astype(np.int64), 1)
    q_normal = np.maximum(np.rint(normal_qty * Q_SCALE).astype(np.int64), 1)

    # -- pricing category ----------------------------------------------------------------
    commit_of = np.array([res.commitment[i] for i in idx])[local]
    cstart = np.array([org.commitments[c].start_day if c >= 0 else days for c in commit_of])
    committed = (commit_of >= 0) & (day >= cstart)
    spot = np.array([res.spot[i] for i in idx])[local]
    cat = np.where(committed, 2, np.where(spot, 1, 0))

    list_p = np.array(res.list_price, dtype=np.int64)[ridx]
    contracted_p = np.array(res.contracted_price, dtype=np.int64)[ridx]
    spot_factor = 0.27 + 0.05 * np.sin(np.arange(days) / 9.0 + app_index)
    spot_p = np.maximum(np.rint(list_p * spot_factor[day]).astype(np.int64), 1)
    commit_p = np.array(
        [org.commitments[c].commit_price if c >= 0 else 0 for c in commit_of], dtype=np.int64
    )
    unit_contracted = np.where(cat == 1, spot_p, contracted_p)
    contracted_cost = q * unit_contracted
    effective = np.where(cat == 2, q * commit_p, contracted_cost)
    billed = np.where(cat == 2, 0, effective)
    normal_eff = np.where(cat == 2, q_normal * commit_p, q_normal * unit_contracted)
    for an in anomalies:
        if an.app == app.name:
            stats.anomaly_cost[an.id] = stats.anomaly_cost.get(an.id, 0) + int(
                (effective - normal_eff).sum(dtype=object)
            )

    # -- Unused rows: per commitment and day, the committed units nobody used --------------
    ents = list(idx)  # entity = resource (row < n) or commitment (Unused rows)
    coms = sorted({int(c) for c in commit_of if c >= 0})
    u_ent: list[np.ndarray] = []
    u_day: list[np.ndarray] = []
    u_q: list[np.ndarray] = []
    u_com: list[int] = []
    for c in coms:
        com = org.commitments[c]
        mine = committed & (commit_of == c)
        used_q = np.zeros(days, dtype=np.int64)
        np.add.at(used_q, day[mine], q[mine])
        unused = com.daily_units - used_q
        dd = np.nonzero((unused > 0) & (np.arange(days) >= com.start_day))[0]
        u_ent.append(np.full(len(dd), len(ents) + len(u_com), dtype=np.int64))
        u_day.append(dd)
        u_q.append(unused[dd])
        u_com.append(c)
    m = sum(len(x) for x in u_day)
    ent = np.concatenate([local, *u_ent]) if u_ent else local
    all_day = np.concatenate([day, *u_day]) if u_day else day
    uq = np.concatenate(u_q) if u_q else np.zeros(0, dtype=np.int64)
    u_commit = (
        np.concatenate([np.full(len(x), c) for x, c in zip(u_day, u_com, strict=True)])
        if u_day
        else np.zeros(0, dtype=np.int64)
    )
    u_list = np.array([org.commitments[c].list_price for c in u_commit], dtype=np.int64)
    u_contr = np.array([org.commitments[c].contracted_price for c in u_commit], dtype=np.int64)
    u_cp = np.array([org.commitments[c].commit_price for c in u_commit], dtype=np.int64)
    total = n + m
    is_unused = np.concatenate([np.zeros(n, bool), np.ones(m, bool)])
    cat_all = np.concatenate([cat, np.full(m, 2)])
    q_all = np.concatenate([q, uq])
    list_price = np.concatenate([list_p, u_list])
    contr_price = np.concatenate([unit_contracted, u_contr])
    eff_all = np.concatenate([effective, uq * u_cp])
    billed_all = np.concatenate([billed, np.zeros(m, dtype=np.int64)])
    commit_all = np.concatenate([np.where(committed, commit_of, -1), u_commit])

    # -- entity-level strings (resources then commitments) -------------------------------
    com_objs = [org.commitments[c] for c in u_com]
    accts = [res.account[i] for i in idx] + [c.account for c in com_objs]
    skus = [res.sku[i] for i in idx] + [c.sku for c in com_objs]
    regions = [res.region[i] for i in idx] + [c.region for c in com_objs]
    prov = PROVIDERS[app.provider]
    n_ent = len(accts)

    def ent_col(values: list[str | None]) -> pa.Array:
        return A.codes(ent, values)

    # -- billed totals for the tax rows, exact ---------------------------------------------
    month = cal.month_index()[all_day]
    by_acct = np.array([a.billing.id for a in accts])[ent]
    for acct_id in np.unique(by_acct):
        sel = by_acct == acct_id
        sums = np.zeros(len(cal.months()), dtype=object)
        for mi in np.unique(month[sel]):
            sums[mi] = int(billed_all[sel & (month == mi)].sum(dtype=object))
        for mi, v in enumerate(sums):
            if v:
                key = (str(acct_id), mi)
                stats.billed[key] = stats.billed.get(key, 0) + int(v)
    stats.rows += total

    stamps = cal.day_stamps()
    months = cal.months()
    mstarts = np.array([A.ts(mo) for mo in months] + [A.ts(A.next_month(months[-1]))])
    status = np.where(commit_all < 0, 0, np.where(is_unused, 2, 1))
    cd_idx = np.where(commit_all < 0, len(org.commitments), commit_all)
    com_list = org.commitments
    spend = np.array([c.category == "Spend" for c in com_list] + [False])[cd_idx]
    cdq = np.where(spend, eff_all, q_all * P_TO_C)
    cat_names = [f"{s.meter} ({lab})" for s in skus for lab in ("On Demand", "Spot", "Committed")]
    for k, com in enumerate(com_objs):  # commitment entities: their Unused rows
        cat_names[(len(idx) + k) * 3 + 2] = f"Unused {com.kind} capacity ({com.sku.sku_id})"
    unit_cost_digits = 8

    data = {
        "AvailabilityZone": ent_col([res.zone[i] for i in idx] + [None] * len(com_objs)),
        "BilledCost": A.dec(billed_all, C_DIGITS),
        "BillingAccountId": ent_col([a.billing.id for a in accts]),
        "BillingAccountName": ent_col([a.billing.name for a in accts]),
        "BillingAccountType": A.const(prov.billing_account_type, total),
        "BillingCurrency": ent_col([a.billing.currency for a in accts]),
        "BillingPeriodStart": A.stamps(mstarts[month]),
        "BillingPeriodEnd": A.stamps(mstarts[month + 1]),
        "ChargeCategory": A.const("Usage", total),
        "ChargeDescription": A.codes(ent * 3 + cat_all, cat_names),
        "ChargeFrequency": A.const("Usage-Based", total),
        "ChargePeriodStart": A.stamps(stamps[all_day]),
        "ChargePeriodEnd": A.stamps(stamps[all_day + 1]),
        "CommitmentDiscountCategory": A.codes(cd_idx, [c.category for c in com_list] + [None]),
        "CommitmentDiscountId": A.codes(cd_idx, [c.id for c in com_list] + [None]),
        "CommitmentDiscountName": A.codes(cd_idx, [c.name for c in com_list] + [None]),
        "CommitmentDiscountQuantity": A.dec(cdq, C_DIGITS, mask=commit_all < 0),
        "CommitmentDiscountStatus": A.codes(status, [None, "Used", "Unused"]),
        "CommitmentDiscountType": A.codes(cd_idx, [c.kind for c in com_list] + [None]),
        "CommitmentDiscountUnit": A.codes(
            cd_idx,
            [c.account.billing.currency if c.category == "Spend" else "Hours" for c in com_list]
            + [None],
        ),
        "ConsumedQuantity": A.dec(q_all, Q_DIGITS, mask=is_unused),
        "ConsumedUnit": A.codes(np.where(is_unused, n_ent, ent), [s.unit for s in skus] + [None]),
        "ContractedCost": A.dec(q_all * contr_price, C_DIGITS),
        "ContractedUnitPrice": A.dec(contr_price, unit_cost_digits),
        "EffectiveCost": A.dec(eff_all, C_DIGITS),
        "InvoiceIssuerName": A.const(prov.invoice_issuer, total),
        "ListCost": A.dec(q_all * list_price, C_DIGITS),
        "ListUnitPrice": A.dec(list_price, unit_cost_digits),
        "PricingCategory": A.codes(cat_all, list(_PRICING)),
        "PricingCurrency": ent_col([a.billing.currency for a in accts]),
        "PricingCurrencyContractedUnitPrice": A.dec(contr_price, unit_cost_digits),
        "PricingCurrencyEffectiveCost": A.dec(eff_all, C_DIGITS),
        "PricingCurrencyListUnitPrice": A.dec(list_price, unit_cost_digits),
        "PricingQuantity": A.dec(q_all, Q_DIGITS),
        "PricingUnit": ent_col([s.unit for s in skus]),
        "ProviderName": A.const(prov.name, total),
        "PublisherName": A.const(prov.publisher, total),
        "RegionId": ent_col([r[0] for r in regions]),
        "RegionName": ent_col([r[1] for r in regions]),
        "ResourceId": ent_col([res.rid[i] for i in idx] + [c.id for c in com_objs]),
        "ResourceName": ent_col([res.name[i] for i in idx] + [c.name for c in com_objs]),
        "ResourceType": ent_col(
            [res.sku[i].resource_type for i in idx] + [c.kind for c in com_objs]
        ),
        "ServiceCategory": ent_col([s.category for s in skus]),
        "ServiceName": ent_col([s.service for s in skus]),
        "ServiceSubcategory": ent_col([s.subcategory for s in skus]),
        "SkuId": ent_col([s.sku_id for s in skus]),
        "SkuMeter": ent_col([s.meter for s in skus]),
        "SkuPriceId": A.codes(
            ent * 3 + cat_all,
            [
                f"{s.sku_id}:{r[0]}:{lab}"
                for s, r in zip(skus, regions, strict=True)
                for lab in ("ondemand", "spot", "committed")
            ],
        ),
        "SubAccountId": ent_col([a.id for a in accts]),
        "SubAccountName": ent_col([a.name for a in accts]),
        "SubAccountType": A.const(prov.sub_account_type, total),
        "Tags": ent_col([res.tags[i] for i in idx] + [None] * len(com_objs)),
    }
    data["InvoiceId"] = A.codes(
        np.searchsorted(sorted({a.billing.id for a in accts}), by_acct) * len(months) + month,
        [invoice_id(b, mo) for b in sorted({a.billing.id for a in accts}) for mo in months],
    )
    return A.table(data, total, schema)


P_TO_C = 10**8  # quantity (3 decimals) -> 11 decimals


def invoice_id(billing_id: str, month: object) -> str:
    text = str(month).replace("-", "")[:6]
    return f"INV-{billing_id.replace('-', '')[:8].upper()}-{text}"
