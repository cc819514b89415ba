"""Targets for KPIs (the ``targets:`` section of costmark.yaml).

A target says what "good" is for one KPI: a value, which side of it is good (``direction``), when
it applies (``from``/``to``), optional per-dimension overrides (a team may get a softer goal) and
a tolerance band that separates "at risk" from "off target". Why a band: a KPI one hair short of
its goal needs attention, not an alarm; the band makes that judgement explicit and reviewable.

    targets:
      - kpi: effective_savings_rate
        value: 0.30
        from: 2026-01-01
        tolerance: 0.05            # absolute, in the KPI's unit (here 5 points)
        overrides:
          - where: {team: data}
            value: 0.20
      - kpi: total_cost
        direction: lower
        value: 120000
        currency: USD
        tolerance_pct: 10          # or relative: 10% of the target value
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from costmark.spec.base import Frozen

TargetDirection = Literal["higher", "lower", "equal"]

#: The band used when a target gives neither ``tolerance`` nor ``tolerance_pct``.
DEFAULT_TOLERANCE_PCT = 5.0


class TargetOverride(Frozen):
    """Another value (and optionally band) for the rows whose dimensions match ``where``."""

    where: dict[str, str] = Field(min_length=1)
    value: float
    tolerance: float | None = Field(default=None, ge=0)
    tolerance_pct: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_band(self) -> TargetOverride:
        if self.tolerance is not None and self.tolerance_pct is not None:
            raise ValueError("give 'tolerance' (absolute) or 'tolerance_pct', not both")
        return self


class Target(Frozen):
    """One KPI target; ``direction`` defaults to the KPI's own better direction."""

    kpi: str
    value: float
    name: str | None = None
    direction: TargetDirection | None = None
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    currency: str | None = None
    tolerance: float | None = Field(default=None, ge=0)
    tolerance_pct: float | None = Field(default=None, ge=0)
    overrides: tuple[TargetOverride, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Target:
        if self.tolerance is not None and self.tolerance_pct is not None:
            raise ValueError("give 'tolerance' (absolute) or 'tolerance_pct', not both")
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self

    def applies_on(self, day: dt.date) -> bool:
        return (self.from_ is None or day >= self.from_) and (self.to is None or day <= self.to)

    @property
    def label(self) -> str:
        return self.name or f"{self.kpi} target"
