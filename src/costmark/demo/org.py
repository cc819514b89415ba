"""Build the demo organisation: accounts, resources (with lifetimes and tags) and commitments.

Everything here is per resource, not per row, so plain Python loops are fine (tens of
thousands of resources at most); the per-row work is vectorised in ``usage.py``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from costmark.demo.catalog import (
    APPS,
    BILLING_ACCOUNTS,
    ENV_RESOURCES,
    EUR_PRICE_FACTOR,
    PROVIDERS,
    REGIONS,
    SKUS,
    TEAMS,
    BillingAccount,
    Sku,
)

#: Fixed-point scales: quantities have 3 decimals, unit prices 8, so every cost is an exact
#: integer at 11 decimals (quantity x price) and sums of rows equal the row-level costs.
Q_SCALE = 10**3
P_SCALE = 10**8
C_SCALE = Q_SCALE * P_SCALE
Q_DIGITS, P_DIGITS, C_DIGITS = 3, 8, 11

#: Nonprod accounts left out of the SubAccountId -> team mapping on purpose, so untagged cost
#: there is really unallocated (allocation coverage below 100%, as in real organisations).
UNMAPPED_NONPROD = ("growth", "data-platform")

#: Commitment programmes: (CommitmentDiscountType, category, discount off list).
COMMITMENT_KINDS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "AWS": (("Savings Plan", "Spend", 0.28), ("Reserved Instance", "Usage", 0.40)),
    "Microsoft": (("Reservation", "Usage", 0.36),),
    "Google Cloud": (("Committed Use Discount", "Spend", 0.28),),
}


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    provider: str
    billing: BillingAccount
    team: str
    env_kind: str  # prod or nonprod
    app: str | None
    mapped: bool


@dataclass
class Commitment:
    id: str
    name: str
    provider: str
    account: Account
    kind: str  # CommitmentDiscountType
    category: str  # Usage or Spend
    sku: Sku
    list_price: int  # per unit, at P_SCALE
    contracted_price: int
    commit_price: int
    start_day: int
    daily_units: int  # committed units per day, at Q_SCALE
    region: tuple[str, str]
    covered: list[int] = field(default_factory=list)  # resource indices


@dataclass
class Resources:
    """Column-wise resource table; index i describes resource i."""

    app: list[int] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    account: list[Account] = field(default_factory=list)
    sku: list[Sku] = field(default_factory=list)
    region: list[tuple[str, str]] = field(default_factory=list)
    zone: list[str | None] = field(default_factory=list)
    rid: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    tags: list[str | None] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    weekend_off: list[bool] = field(default_factory=list)
    spot: list[bool] = field(default_factory=list)
    idle: list[bool] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    list_price: list[int] = field(default_factory=list)
    contracted_price: list[int] = field(default_factory=list)
    commitment: list[int] = field(default_factory=list)  # -1 when not covered

    def __len__(self) -> int:
        return len(self.rid)


@dataclass
class Org:
    days: int
    accounts: list[Account]
    resources: Resources
    commitments: list[Commitment]


def _price(value: float, currency: str) -> int:
    factor = EUR_PRICE_FACTOR if currency == "EUR" else 1.0
    return max(1, round(value * factor * P_SCALE))


def _hex(rng: np.random.Generator, n: int) -> str:
    return "".join(rng.choice(list("0123456789abcdef"), size=n))


def _guid(rng: np.random.Generator) -> str:
    h = _hex(rng, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def build_accounts(rng: np.random.Generator) -> list[Account]:
    """One prod account per app, one nonprod account per (team, provider) the team uses."""
    billing = {b.provider: b for b in BILLING_ACCOUNTS if b.currency == "USD"}
    eur = next(b for b in BILLING_ACCOUNTS if b.currency == "EUR")

    def sub_id(provider: str, label: str) -> str:
        if provider == "AWS":
            return str(rng.integers(10**11, 10**12))
        if provider == "Microsoft":
            return _guid(rng)
        return f"{label}-{rng.integers(1000, 9999)}"

    def billing_for(provider: str, team: str) -> BillingAccount:
        # The checkout team's Azure estate is billed by the European entity, in EUR.
        return eur if provider == "Microsoft" and team == "checkout" else billing[provider]

    accounts: list[Account] = []
    for app in APPS:
        label = f"{app.name}-prod"
        accounts.append(
            Account(
                sub_id(app.provider, label),
                label,
                app.provider,
                billing_for(app.provider, app.team),
                app.team,
                "prod",
                app.name,
                True,
            )
        )
    for team in TEAMS:
        for provider in dict.fromkeys(a.provider for a in APPS if a.team == team):
            label = f"{team}-nonprod"
            accounts.append(
                Account(
                    sub_id(provider, label),
                    label,
                    provider,
                    billing_for(provider, team),
                    team,
                    "nonprod",
                    None,
                    team not in UNMAPPED_NONPROD,
                )
            )
    return accounts


_AWS_ARN = {
    "Amazon Elastic Compute Cloud": ("ec2", "instance/i-"),
    "Amazon Relational Database Service": ("rds", "db:"),
    "Amazon ElastiCache": ("elasticache", "cluster:"),
    "Amazon Simple Storage Service": ("s3", ""),
    "Amazon DynamoDB": ("dynamodb", "table/"),
    "AWS Lambda": ("lambda", "function:"),
    "Amazon CloudFront": ("cloudfront", "distribution/E"),
    "Amazon CloudWatch": ("logs", "log-group:/"),
    "Amazon SageMaker": ("sagemaker", "training-job/"),
    "Amazon Redshift": ("redshift", "cluster:"),
    "Amazon Elastic Kubernetes Service": ("eks", "cluster/"),
}
_AZURE_NS = {
    "Virtual Machines": "Microsoft.Compute/virtualMachines",
    "Azure Kubernetes Service": "Microsoft.ContainerService/managedClusters",
    "Azure SQL Database": "Microsoft.Sql/servers/sqlsrv/databases",
    "Azure Cosmos DB": "Microsoft.DocumentDB/databaseAccounts",
    "Storage": "Microsoft.Storage/storageAccounts",
    "Azure Monitor": "Microsoft.OperationalInsights/workspaces",
    "Azure OpenAI Service": "Microsoft.CognitiveServices/accounts",
    "Azure Front Door": "Microsoft.Cdn/profiles",
}
_GCP_API = {
    "Compute Engine": ("compute", "instances"),
    "Kubernetes Engine": ("container", "clusters"),
    "Cloud SQL": ("sqladmin", "instances"),
    "BigQuery": ("bigquery", "datasets"),
    "Cloud Storage": ("storage", "buckets"),
    "Vertex AI": ("aiplatform", "endpoints"),
    "Cloud Run": ("run", "services"),
    "Cloud Logging": ("logging", "buckets"),
}


def resource_id(
    rng: np.random.Generator, acct: Account, sku: Sku, region: str, name: str, env: str
) -> str:
    if acct.provider == "AWS":
        svc, prefix = _AWS_ARN[sku.service]
        tail = _hex(rng, 17) if prefix.endswith("i-") else name
        if svc == "s3":
            return f"arn:aws:s3:::{name}-{_hex(rng, 6)}"
        return f"arn:aws:{svc}:{region}:{acct.id}:{prefix}{tail}"
    if acct.provider == "Microsoft":
        app = name.rsplit("-", 2)[0]
        return (
            f"/subscriptions/{acct.id}/resourceGroups/rg-{app}-{env}/providers/"
            f"{_AZURE_NS[sku.service]}/{name}"
        )
    api, kind = _GCP_API[sku.service]
    return f"//{api}.googleapis.com/projects/{acct.id}/{kind}/{name}"


def _tags(rng: np.random.Generator, team: str, app: str, env: str) -> str | None:
    """~80% fully tagged, ~8% partly (one key only), ~12% untagged; dev is tagged worst."""
    u = rng.random() + (0.08 if env == "dev" else 0.0)
    full = {"team": team, "app": app, "env": env, "cost-center": f"CC-{TEAMS.index(team) + 41}0"}
    if u < 0.85:
        return json.dumps(full, separators=(",", ":"))
    if u < 0.91:
        key = str(rng.choice(["env", "app"]))
        return json.dumps({key: full[key]}, separators=(",", ":"))
    return None


def build(rng: np.random.Generator, days: int, scale: float) -> Org:
    """Accounts, resources and commitments for a window of ``days`` days."""
    accounts = build_accounts(rng)
    prod = {a.app: a for a in accounts if a.env_kind == "prod"}
    nonprod = {(a.team, a.provider): a for a in accounts if a.env_kind == "nonprod"}
    res = Resources()
    skus_by_service: dict[tuple[str, str], list[Sku]] = {}
    for provider, skus in SKUS.items():
        for s in skus:
            skus_by_service.setdefault((provider, s.service), []).append(s)

    for ai, app in enumerate(APPS):
        for env, per in ENV_RESOURCES.items():
            acct = prod[app.name] if env == "prod" else nonprod[(app.team, app.provider)]
            for service in app.services:
                options = skus_by_service[(app.provider, service)]
                n = max(1, round(per * scale * rng.uniform(0.7, 1.3)))
                for k in range(n):
                    sku = options[int(rng.integers(len(options)))]
                    region = REGIONS[app.provider][0 if rng.random() < 0.8 else 1]
                    zone = None
                    if sku.zonal:
                        letter = "abc"[int(rng.integers(3))]
                        zone = (
                            f"{region[0]}{letter}"
                            if app.provider == "AWS"
                            else f"{region[0]}-{letter}"
                            if app.provider == "Google Cloud"
                            else str("abc".index(letter) + 1)
                        )
                    short = sku.resource_type.lower().replace(" ", "")[:6]
                    name = f"{app.name}-{env}-{short}{len(res):05d}"
                    # Fleets grow with the app: the k-th of n resources starts once the app
                    # has grown to (k + 0.5)/n of its final size.
                    growth_start = days + 365 * math.log((k + 0.5) / n) / app.growth
                    start = int(min(max(0.0, growth_start + rng.normal(0, 10)), days - 1))
                    end = days
                    if rng.random() < 0.05 and days > 60:
                        end = int(rng.integers(days // 2, days))
                    res.app.append(ai)
                    res.env.append(env)
                    res.account.append(acct)
                    res.sku.append(sku)
                    res.region.append(region)
                    res.zone.append(zone)
                    res.name.append(name)
                    res.rid.append(resource_id(rng, acct, sku, region[0], name, env))
                    res.tags.append(_tags(rng, app.team, app.name, env))
                    res.start.append(start)
                    res.end.append(max(end, start + 1))
                    res.weekend_off.append(
                        env == "dev" and sku.kind == "hours" and rng.random() < 0.5
                    )
                    res.spot.append(env != "prod" and sku.spot_eligible and rng.random() < 0.6)
                    res.idle.append(sku.kind == "hours" and rng.random() < 0.06)
                    res.base.append(sku.base)
                    cur = acct.billing.currency
                    lp = _price(sku.list_price, cur)
                    disc = PROVIDERS[app.provider].negotiated_discount
                    res.list_price.append(lp)
                    res.contracted_price.append(max(1, round(lp * (1 - disc))))
                    res.commitment.append(-1)
    commitments = _commitments(rng, accounts, res, days)
    return Org(days, accounts, res, commitments)


def _commitments(
    rng: np.random.Generator, accounts: list[Account], res: Resources, days: int
) -> list[Commitment]:
    """One commitment per prod account and eligible SKU (all apps but two), each sized on the
    fleet running on its purchase day, so later growth runs on demand (coverage erodes)."""
    out: list[Commitment] = []
    skip = {"marketing-site", "notifications"}  # teams that never bought any: low coverage
    for acct in accounts:
        if acct.env_kind != "prod" or acct.app in skip:
            continue
        eligible = [
            i
            for i in range(len(res))
            if res.account[i] is acct and res.sku[i].commit_eligible and not res.spot[i]
        ]
        if not eligible:
            continue
        for sku_id in sorted({res.sku[i].sku_id for i in eligible}):
            _commit(rng, acct, res, [i for i in eligible if res.sku[i].sku_id == sku_id], out, days)
    return out


def _commit(
    rng: np.random.Generator,
    acct: Account,
    res: Resources,
    eligible: list[int],
    out: list[Commitment],
    days: int,
) -> None:
    start_choices = [0, 0, 0, min(days - 1, 61), min(days - 1, 122)]
    start = int(start_choices[int(rng.integers(len(start_choices)))])
    covered = [i for i in eligible if res.start[i] <= start < res.end[i]]
    if not covered:
        return
    kinds = COMMITMENT_KINDS[acct.provider]
    kind, category, discount = kinds[int(rng.integers(len(kinds)))]
    first = covered[0]
    lp, cp = res.list_price[first], res.contracted_price[first]
    overbuy = [1.0, 1.0, 1.0, 1.12][int(rng.integers(4))]
    units = round(sum(res.base[i] for i in covered) * overbuy * Q_SCALE)
    idx = len(out)
    cid = _commitment_id(rng, acct, kind, res.region[first][0])
    for i in covered:
        res.commitment[i] = idx
    out.append(
        Commitment(
            cid,
            f"{kind} {res.sku[first].sku_id} ({acct.name})",
            acct.provider,
            acct,
            kind,
            category,
            res.sku[first],
            lp,
            cp,
            max(1, round(lp * (1 - discount))),
            start,
            units,
            res.region[first],
            covered,
        )
    )


def _commitment_id(rng: np.random.Generator, acct: Account, kind: str, region: str) -> str:
    if acct.provider == "AWS":
        if kind == "Savings Plan":
            return f"arn:aws:savingsplans::{acct.id}:savingsplan/{_guid(rng)}"
        return f"arn:aws:ec2:{region}:{acct.id}:reserved-instances/{_guid(rng)}"
    if acct.provider == "Microsoft":
        return (
            f"/providers/Microsoft.Capacity/reservationOrders/{_guid(rng)}/reservations/"
            f"{_guid(rng)}"
        )
    return f"//compute.googleapis.com/projects/{acct.id}/commitments/cud-{_hex(rng, 8)}"
