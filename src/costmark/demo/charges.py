"""The few non-usage rows: commitment purchases, credits, one refund and monthly taxes.

They are a handful per month, so they are built as Python rows with exact ``Decimal`` money.
Conventions follow the FOCUS spec examples: a Purchase row has ChargeFrequency Recurring,
PricingCategory Standard, ResourceId = the commitment, EffectiveCost 0 (its cost is amortised
into the Used/Unused rows) and no CommitmentDiscountStatus.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from costmark.demo import arrow as A
from costmark.demo.catalog import APPS, BILLING_ACCOUNTS, PROVIDERS
from costmark.demo.org import C_SCALE, P_SCALE, Q_SCALE, Account, Org
from costmark.demo.usage import invoice_id

Row = dict[str, Any]
CENT = Decimal("0.01")


def _d(unscaled: int, scale: int) -> Decimal:
    return Decimal(unscaled) / Decimal(scale)


def _base(acct: Account | None, provider: str, billing_id: str, month: dt.date) -> Row:
    prov = PROVIDERS[provider]
    billing = next(b for b in BILLING_ACCOUNTS if b.id == billing_id)
    row: Row = {
        "BillingAccountId": billing.id,
        "BillingAccountName": billing.name,
        "BillingAccountType": prov.billing_account_type,
        "BillingCurrency": billing.currency,
        "BillingPeriodStart": month,
        "BillingPeriodEnd": A.next_month(month),
        "InvoiceId": invoice_id(billing.id, month),
        "InvoiceIssuerName": prov.invoice_issuer,
        "ProviderName": prov.name,
        "PublisherName": prov.publisher,
        "PricingCurrency": billing.currency,
    }
    if acct is not None:
        row.update(
            SubAccountId=acct.id, SubAccountName=acct.name, SubAccountType=prov.sub_account_type
        )
    return row


def _money(row: Row, amount: Decimal, *, effective: Decimal | None = None) -> Row:
    row.update(
        BilledCost=amount,
        EffectiveCost=amount if effective is None else effective,
        ListCost=amount,
        ContractedCost=amount,
        PricingCurrencyEffectiveCost=amount if effective is None else effective,
    )
    return row


def purchases(org: Org, cal: A.Calendar) -> list[Row]:
    """Monthly recurring purchase of each commitment, for the whole month (billed in advance,
    as providers do), from the month the commitment started."""
    rows: list[Row] = []
    for com in org.commitments:
        for month in cal.months():
            nxt = A.next_month(month)
            first = max(month, cal.date(com.start_day))
            if first >= nxt:
                continue
            ndays = (nxt - first).days
            units = com.daily_units * ndays  # at Q_SCALE
            billed = _d(units * com.commit_price, C_SCALE)
            qty = _d(units, Q_SCALE)
            row = _base(com.account, com.provider, com.account.billing.id, month)
            row.update(
                ChargeCategory="Purchase",
                ChargeFrequency="Recurring",
                ChargeDescription=f"{com.kind} monthly fee ({com.sku.sku_id})",
                ChargePeriodStart=first,
                ChargePeriodEnd=nxt,
                PricingCategory="Standard",
                PricingQuantity=qty,
                PricingUnit=com.sku.unit,
                ListUnitPrice=_d(com.list_price, P_SCALE),
                ContractedUnitPrice=_d(com.commit_price, P_SCALE),
                PricingCurrencyListUnitPrice=_d(com.list_price, P_SCALE),
                PricingCurrencyContractedUnitPrice=_d(com.commit_price, P_SCALE),
                ResourceId=com.id,
                ResourceName=com.name,
                ResourceType=com.kind,
                RegionId=com.region[0],
                RegionName=com.region[1],
                ServiceName=com.sku.service,
                ServiceCategory=com.sku.category,
                ServiceSubcategory=com.sku.subcategory,
                SkuId=com.sku.sku_id,
                SkuMeter=com.sku.meter,
                SkuPriceId=f"{com.sku.sku_id}:{com.region[0]}:commitment-purchase",
                CommitmentDiscountId=com.id,
                CommitmentDiscountName=com.name,
                CommitmentDiscountType=com.kind,
                CommitmentDiscountCategory=com.category,
                CommitmentDiscountQuantity=billed if com.category == "Spend" else qty,
                CommitmentDiscountUnit=(
                    com.account.billing.currency if com.category == "Spend" else "Hours"
                ),
            )
            _money(row, billed, effective=Decimal(0))
            row["ListCost"] = _d(units * com.list_price, C_SCALE)
            rows.append(row)
    return rows


def credits(org: Org, cal: A.Calendar, scale: float) -> list[Row]:
    """Provider credits (negative): a monthly AI programme credit on AWS, a one-off
    promotional credit on Google Cloud and a monthly Azure sponsorship credit."""
    by_name = {a.name: a for a in org.accounts}
    plans = [
        (
            "model-training-prod",
            "Amazon SageMaker",
            "AI and Machine Learning",
            "Machine Learning",
            Decimal("850.00"),
            "AWS Activate credit",
            6,
        ),
        (
            "search-api-prod",
            "Compute Engine",
            "Compute",
            "Virtual Machines",
            Decimal("2000.00"),
            "Google Cloud promotional credit",
            1,
        ),
        (
            "inference-gateway-prod",
            "Azure OpenAI Service",
            "AI and Machine Learning",
            "Generative AI",
            Decimal("300.00"),
            "Azure sponsorship credit",
            4,
        ),
    ]
    rows: list[Row] = []
    factor = Decimal(str(round(max(scale, 0.1), 3)))
    for acct_name, service, category, sub, amount, text, months in plans:
        acct = by_name[acct_name]
        for month in cal.months()[1 : 1 + months]:
            row = _base(acct, acct.provider, acct.billing.id, month)
            row.update(
                ChargeCategory="Credit",
                ChargeFrequency="One-Time" if months == 1 else "Recurring",
                ChargeDescription=text,
                ChargePeriodStart=month,
                ChargePeriodEnd=A.next_month(month),
                ServiceName=service,
                ServiceCategory=category,
                ServiceSubcategory=sub,
            )
            rows.append(_money(row, -(amount * factor).quantize(CENT)))
    return rows


def refund(org: Org, cal: A.Calendar) -> list[Row]:
    """One SLA refund (ChargeClass Correction) for three days of a payments database."""
    res = org.resources
    app = next(i for i, a in enumerate(APPS) if a.name == "payments-api")
    cands = [
        i
        for i in range(len(res))
        if res.app[i] == app
        and res.env[i] == "prod"
        and res.sku[i].service == "Amazon Relational Database Service"
    ]
    if not cands:
        return []
    i = cands[0]
    months = cal.months()
    month = months[len(months) // 2]
    day = max(month, cal.start) + dt.timedelta(days=9)
    if day >= cal.end or day >= A.next_month(month):
        return []
    amount = _d(72 * Q_SCALE * res.contracted_price[i], C_SCALE)
    acct = res.account[i]
    row = _base(acct, "AWS", acct.billing.id, month)
    row.update(
        ChargeCategory="Usage",
        ChargeClass="Correction",
        ChargeFrequency="Usage-Based",
        ChargeDescription="Refund: RDS Multi-AZ SLA credit (service event)",
        ChargePeriodStart=day,
        ChargePeriodEnd=day + dt.timedelta(days=1),
        PricingCategory="Standard",
        ResourceId=res.rid[i],
        ResourceName=res.name[i],
        ResourceType=res.sku[i].resource_type,
        RegionId=res.region[i][0],
        RegionName=res.region[i][1],
        ServiceName=res.sku[i].service,
        ServiceCategory=res.sku[i].category,
        ServiceSubcategory=res.sku[i].subcategory,
        SkuId=res.sku[i].sku_id,
        SkuMeter=res.sku[i].meter,
        Tags=res.tags[i],
    )
    return [_money(row, -amount)]


def taxes(cal: A.Calendar, billed: dict[tuple[str, int], Decimal]) -> list[Row]:
    """Monthly tax on each taxed billing account's closed months (the open month has no
    invoice yet), rounded to the cent."""
    rows: list[Row] = []
    months = cal.months()
    for b in BILLING_ACCOUNTS:
        if not b.tax_rate:
            continue
        for mi, month in enumerate(months):
            if A.next_month(month) > cal.end:
                continue
            subtotal = billed.get((b.id, mi), Decimal(0))
            tax = (subtotal * Decimal(str(b.tax_rate))).quantize(CENT)
            if not tax:
                continue
            row = _base(None, b.provider, b.id, month)
            label = "VAT" if b.currency == "EUR" else "Sales tax"
            row.update(
                ChargeCategory="Tax",
                ChargeFrequency="Recurring",
                ChargeDescription=f"{label} {b.tax_rate:.2%}",
                ChargePeriodStart=month,
                ChargePeriodEnd=A.next_month(month),
                ServiceName="Tax",
                ServiceCategory="Other",
                ServiceSubcategory="Other (Other)",
            )
            rows.append(_money(row, tax))
    return rows


def billed_of(rows: list[Row], cal: A.Calendar) -> dict[tuple[str, int], Decimal]:
    months = cal.months()
    out: dict[tuple[str, int], Decimal] = {}
    for r in rows:
        key = (r["BillingAccountId"], months.index(r["BillingPeriodStart"]))
        out[key] = out.get(key, Decimal(0)) + r["BilledCost"]
    return out
