"""Budgets in costmark.yaml: an amount per month, quarter or year for a scope of cost.

    budgets:
      platform-monthly:
        amount: 40000
        period: month            # month | quarter | year
        currency: USD
        scope: {team: platform}  # dimension values (a list means any of them); {} = all cost
        where: "ServiceCategory = 'Compute'"   # optional filter, same syntax as --where
        start: 2026-01-01        # optional: the budget applies from this day ...
        end: 2026-12-31          # ... to this day
        at_risk: 1.0             # projected / amount above this is "at risk" (default 1.0)

Amounts are Decimals: a budget is money and is compared exactly with summed cost.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from costmark.spec.base import Frozen


class Budget(Frozen):

    amount: Decimal = Field(gt=0)
    period: Literal["month", "quarter", "year"] = "month"
    currency: str | None = None
    scope: dict[str, str | list[str]] = Field(default_factory=dict)
    where: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    cost: Literal["total_cost", "billed_cost"] = "total_cost"
    at_risk: float = Field(default=1.0, gt=0)
    description: str | None = None

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @model_validator(mode="after")
    def _dates(self) -> Budget:
        if self.start and self.end and self.end < self.start:
            raise ValueError("budget 'end' is before its 'start'")
        return self

    def scope_values(self) -> dict[str, tuple[str, ...]]:
        return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in sorted(self.scope.items())}

    def applies_on(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)
