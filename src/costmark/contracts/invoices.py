"""Invoice reconciliation (FOCUS 1.4 Invoice Detail): does the cost data add up to the invoices?

For every invoice (or, where cost rows carry no InvoiceId, every billing account and billing
period), the Cost and Usage rows' BilledCost is compared with the Invoice Detail amounts of the
same currency. Voided invoice lines are left out. A difference is a data-quality finding: a
missing export day, a late correction, or a bill that was restated after the export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

_SQL = """
WITH inv AS (
    SELECT InvoiceIssuerName AS issuer, BillingAccountId AS account,
           CAST(BillingPeriodStart AS DATE) AS period, BillingCurrency AS currency,
           InvoiceId AS invoice, sum(BilledCost) AS invoiced
    FROM invoice_details
    WHERE InvoiceIssueStatus IS DISTINCT FROM 'Voided'
    GROUP BY ALL
),
cost AS (
    SELECT InvoiceIssuerName AS issuer, BillingAccountId AS account,
           CAST(BillingPeriodStart AS DATE) AS period, BillingCurrency AS currency,
           InvoiceId AS invoice, sum(BilledCost) AS billed
    FROM costs
    GROUP BY ALL
)
SELECT coalesce(i.issuer, c.issuer), coalesce(i.account, c.account),
       coalesce(i.period, c.period), coalesce(i.currency, c.currency),
       coalesce(i.invoice, c.invoice), c.billed, i.invoiced
FROM inv i FULL OUTER JOIN cost c
  ON i.account = c.account AND i.period = c.period AND i.currency = c.currency
 AND (i.invoice = c.invoice OR c.invoice IS NULL)
WHERE i.account IS NOT NULL OR c.account IN (SELECT account FROM inv)
ORDER BY 3, 2, 5
"""


@dataclass(frozen=True)
class InvoiceCheck:
    issuer: str | None
    billing_account: str
    billing_period: dt.date
    currency: str
    invoice_id: str | None
    cost_billed: Decimal | None
    invoiced: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.cost_billed or Decimal(0)) - (self.invoiced or Decimal(0))

    @property
    def status(self) -> str:
        if self.invoiced is None:
            return "no invoice detail"
        if self.cost_billed is None:
            return "no cost rows"
        return "matches" if self.difference == 0 else "differs"

    @property
    def finding(self) -> str | None:
        """The data-quality finding a difference is, located by invoice and billing period."""
        where = (f"invoice {self.invoice_id or '(no InvoiceId)'} (billing account "
                 f"{self.billing_account}, billing period {self.billing_period}, {self.currency})")
        if self.status == "differs":
            side = "more" if self.difference > 0 else "less"
            return (f"{where}: the cost data bills {self.cost_billed}, the Invoice Detail "
                    f"{self.invoiced}: {abs(self.difference)} {side} in the cost data (a "
                    "missing export day, a late correction or a restated bill)")
        if self.status == "no cost rows":
            return f"{where}: invoiced {self.invoiced}, but no cost rows carry it"
        return None

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.update(difference=self.difference, status=self.status, finding=self.finding)
        return d


def reconcile_invoices(con: duckdb.DuckDBPyConnection) -> list[InvoiceCheck]:
    """Cost data against invoice detail, per invoice (see the module docstring)."""
    return [
        InvoiceCheck(
            issuer=issuer,
            billing_account=str(account),
            billing_period=period,
            currency=str(currency),
            invoice_id=invoice,
            cost_billed=billed,
            invoiced=invoiced,
        )
        for issuer, account, period, currency, invoice, billed, invoiced in con.execute(
            _SQL
        ).fetchall()
    ]
