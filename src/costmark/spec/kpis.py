"""KPI definitions as frozen models: the catalog entry every KPI has, and user KPIs.

A user KPI (``kpis:`` in costmark.yaml) is one of:

- ``measure``: one filtered sum (``{sum: EffectiveCost, where: "ServiceCategory = 'Compute'"}``);
- ``ratio``: numerator / denominator, each a measure (a cost column sum or a business metric);
- ``difference``: left − right, each a measure;
- ``formula``: arithmetic over other KPIs (``"cost_per_transactions * 1000"``);
- ``base``: a built-in KPI narrowed by ``where`` (and, for commitment coverage, a ``scope``).

Built-in KPIs use the same measure vocabulary (see ``costmark.kpis.library``), so a user KPI is
computed by exactly the machinery the built-ins are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from costmark.present.units import Unit, UnitText, parse_unit
from costmark.spec.base import Frozen as _Frozen
from costmark.spec.filters import FilterSpec

Direction = Literal["higher", "lower", "none"]

#: Cost columns a measure may sum (FOCUS decimal columns of the canonical table).
SUMMABLE_COLUMNS: tuple[str, ...] = (
    "EffectiveCost",
    "BilledCost",
    "ListCost",
    "ContractedCost",
    "ConsumedQuantity",
    "PricingQuantity",
    "CommitmentDiscountQuantity",
)


class Measure(_Frozen):
    """A sum of a cost column over the rows a filter keeps, or a business metric aggregated
    per period (its own aggregation: sum, average or last)."""

    sum: str | None = None
    metric: str | None = None
    where: FilterSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Measure:
        if (self.sum is None) == (self.metric is None):
            raise ValueError("a measure needs exactly one of 'sum' (a cost column) or 'metric'")
        if self.metric is not None and self.where is not None:
            raise ValueError("'where' filters cost rows; it cannot apply to a business metric")
        return self


class Ratio(_Frozen):
    numerator: Measure
    denominator: Measure


class Difference(_Frozen):
    left: Measure
    right: Measure


class UserKpi(_Frozen):
    """A KPI defined in costmark.yaml (see the module docstring for the forms)."""

    title: str | None = None
    description: str | None = None
    #: currency, ratio, count, days, factor, currency/<business unit> ... (checked on load).
    unit: UnitText | None = None
    direction: Direction = "none"
    measure: Measure | None = None
    ratio: Ratio | None = None
    difference: Difference | None = None
    formula: str | None = None
    base: str | None = None
    where: FilterSpec | None = None
    scope: FilterSpec | None = None

    @model_validator(mode="after")
    def _one_form(self) -> UserKpi:
        forms = [
            f
            for f in ("measure", "ratio", "difference", "formula", "base")
            if getattr(self, f) is not None
        ]
        if len(forms) != 1:
            raise ValueError(
                "a KPI needs exactly one of 'measure', 'ratio', 'difference', 'formula' or "
                f"'base' (found: {', '.join(forms) or 'none'})"
            )
        if (self.where is not None or self.scope is not None) and self.base is None:
            raise ValueError(
                "'where' and 'scope' narrow a built-in KPI given as 'base'; "
                "put filters inside the measures instead"
            )
        return self

    @property
    def kind(self) -> str:
        for form in ("measure", "ratio", "difference", "formula", "base"):
            if getattr(self, form) is not None:
                return form
        return "measure"  # pragma: no cover (validator guarantees a form)


class KpiDefinition(_Frozen):
    """What the catalog says about a KPI: enough to label, sort and judge it."""

    id: str
    title: str
    description: str
    #: currency, ratio, count, days, factor, currency/<metric unit> ...: parsed and checked by
    #: costmark.present.units, which tells every display how to show the value.
    unit: UnitText
    direction: Direction
    kind: str  # cost, rate, efficiency, business, planning, user
    formula: str = ""
    #: The timestamp that assigns a row to a period: the charge period (what was consumed
    #: when), or BillingPeriodStart for invoice views (what was billed in which invoice).
    time_column: Literal["ChargePeriodStart", "BillingPeriodStart"] = "ChargePeriodStart"
    #: Valid range of the value (None: unbounded on that side). A computed value outside it is
    #: never shown: the engine returns null with a note that names the range.
    valid_min: float | None = None
    valid_max: float | None = None
    #: When the KPI has no meaningful value (null, with a note saying which case applied).
    null_when: str = ""
    #: FOCUS use cases (FinOps Foundation slugs) whose number this KPI answers
    #: (costmark.kpis.use_cases, docs/focus-use-cases.md).
    use_cases: tuple[str, ...] = ()

    @property
    def unit_info(self) -> Unit:
        """The parsed unit: its kind (money, ratio, unit cost, count, days ...)."""
        return parse_unit(self.unit)

    def in_range(self, value: float) -> bool:
        """Whether ``value`` lies in the declared valid range."""
        return (self.valid_min is None or value >= self.valid_min) and (
            self.valid_max is None or value <= self.valid_max
        )

    @property
    def range_text(self) -> str:
        """'[0, 1]', '(-inf, 1]', 'any' — the valid range as people read it."""
        if self.valid_min is None and self.valid_max is None:
            return "any"
        lo = "(-inf" if self.valid_min is None else f"[{self.valid_min:g}"
        hi = "inf)" if self.valid_max is None else f"{self.valid_max:g}]"
        return f"{lo}, {hi}"
