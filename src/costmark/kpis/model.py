"""What a KPI plan is made of: cost measures, the two plan kinds, and the row sets formulas name.

A ``MeasureKpi`` is arithmetic over sums; a ``ComputedKpi`` carries the function that computes
it, declared beside that function in its family module (computed, commitments, efficiency,
business, planning), so a KPI's whole definition (title, unit, better direction, formula text,
code, project-dependent form) lives in one place. ``costmark.kpis.library`` lists them in
catalog order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from costmark.spec.kpis import Direction, KpiDefinition

if TYPE_CHECKING:
    from costmark.engine.query import Context
    from costmark.spec.models import Project

#: Result rows in the KpiResult shape (``Context.row``).
Rows = list[dict[str, Any]]

# Row sets the formulas talk about (filter language, see costmark.spec.filters).
USAGE = "ChargeCategory = 'Usage'"
UNUSED = "CommitmentDiscountStatus = 'Unused'"
USED = "CommitmentDiscountStatus = 'Used'"
NOT_UNUSED = "(CommitmentDiscountStatus is null or CommitmentDiscountStatus != 'Unused')"
KNOWN_PRICE = "x_UnknownPrice = 'false'"
#: ContractedCost is known (not null): a null leaves the negotiated discount unknown.
KNOWN_CONTRACTED = "x_UnknownContracted = 'false'"
COMPUTE_SCOPE = "ServiceCategory = 'Compute'"
#: Commitments counted in a usage unit (Hours ...), as opposed to spend-based ones (money).
USAGE_BASED = "CommitmentDiscountCategory = 'Usage'"
#: Charges: what was spent, as opposed to credits, adjustments and corrections (negative or
#: either-signed amounts). Shares of spend (allocation coverage, untagged share) are computed
#: over charges only: an unallocated -2,000 credit in a team's month would otherwise shrink the
#: denominator below the allocated numerator and report 116% coverage.
CHARGES = ("ChargeCategory in ('Usage', 'Purchase', 'Tax') and "
           "(ChargeClass is null or ChargeClass != 'Correction')")
NOT_CHARGES = ("(ChargeCategory is null or ChargeCategory not in ('Usage', 'Purchase', 'Tax') "
               "or ChargeClass = 'Correction')")
#: Note for the amounts shares of spend leave out ({amount} is filled in).
ASIDE_NOTE = "credits, adjustments and corrections ({amount}) are left out of both sides"


#: Invoice views assign rows to periods by billing period, not charge period (KPIS.md).
INVOICE_PERIOD = "BillingPeriodStart"

#: Why commitment utilization/waste are null: the real FOCUS sample has Used rows whose
#: EffectiveCost is 0, so "no rows" would be wrong.
NO_COMMITMENT_COST = "no commitment discount cost (no Used or Unused rows, or they sum to 0)"
#: FOCUS Unused rows describe idle commitment, not a resource: they carry no resource tags.
UNUSED_COMMITMENT = "unused commitment"


@dataclass(frozen=True)
class CostMeasure:
    """``agg`` of ``column`` over the rows ``where`` keeps (``scoped``: AND the KPI scope)."""

    column: str
    where: str | None = None
    agg: str = "sum"  # sum | nunique
    scoped: bool = False


@dataclass(frozen=True)
class MeasureKpi:
    """value = numerator / denominator (or ``value`` formula over measures, ``num``, ``den``)."""

    definition: KpiDefinition
    measures: dict[str, CostMeasure]
    numerator: str
    denominator: str | None = None
    value: str | None = None  # e.g. "1 - num / den"; default num / den (or num)
    coverage: tuple[str, str] | None = None  # (numerator, denominator) formulas
    #: what the coverage share is of, and what was left out (the note under 100% coverage)
    coverage_note: str = "usage cost (rows without a known list price)"
    zero_note: str = "denominator is zero"
    scope: str | None = None  # default scope filter for ``scoped`` measures
    #: (measure formula, note): when the formula is zero the KPI has no meaningful value
    #: (ESR on free usage: nothing was paid, so "100% saved" says nothing).
    guards: tuple[tuple[str, str], ...] = ()
    #: (measure, note with {amount}): an amount the KPI leaves out, said in the note when not 0.
    aside: tuple[str, str] | None = None
    #: Rows the formula needs that carry no resource tags (e.g. unused commitment): a tag
    #: filter or a tag-based dimension cannot see them, so results under one get a note
    #: (costmark.engine.attribution).
    untagged_rows: str | None = None

    @property
    def money(self) -> bool:
        return self.definition.unit == "currency"


@dataclass(frozen=True)
class ComputedKpi:
    """A KPI with its own code: ``compute(ctx, plan)`` returns its rows. Declared beside that
    function, so the definition and the code that honours it are read together."""

    definition: KpiDefinition
    compute: Compute
    measures: dict[str, CostMeasure] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    #: Rows the computation needs that carry no resource tags (see MeasureKpi.untagged_rows).
    untagged_rows: str | None = None
    #: It compares a period with an earlier one (the previous period, or a year before when
    #: ``params`` has lag=year): the engine scans back that far.
    looks_back: bool = False
    #: A query it runs beside the shared scan, shown by ``costmark explain``.
    also_reads: str | None = None
    #: Its form in a given project (allocation dimensions, tag keys ...), when that matters.
    bind: Bind | None = None


#: The function of a ``ComputedKpi``.
Compute = Callable[["Context", ComputedKpi], Rows]
BuiltIn = MeasureKpi | ComputedKpi
#: A project-dependent built-in: given the project and the declared KPI, the plan to run.
Bind = Callable[["Project", ComputedKpi], BuiltIn]

def define(
    id: str, title: str, unit: str, direction: Direction, kind: str, formula: str, desc: str,
    *, valid: tuple[float | None, float | None] = (None, None), null: str = "",
) -> KpiDefinition:
    return KpiDefinition(
        id=id, title=title, unit=unit, direction=direction, kind=kind, formula=formula,
        description=desc, valid_min=valid[0], valid_max=valid[1], null_when=null,
    )


#: Valid ranges used below: a share of a whole, a rate capped at "everything saved", a
#: non-negative quantity.
SHARE = (0.0, 1.0)
AT_MOST_ONE = (None, 1.0)
NON_NEGATIVE = (0.0, None)
NO_SHARE_BASE = "no positive charges in the period"
CHANGE_NULL = ("no previous period; or the previous period's cost is zero, negative, or below "
               "1% of the series' typical period cost (a change from a tiny base)")


#: A tag source could carry tags for the row (FOCUS 1.4 TagDetails not null).
TAGGABLE = "x_TagEligible = 'true'"
NO_TAG_DETAILS = ("no charge declares tag eligibility (TagDetails, FOCUS 1.4; older data or a "
                  "provider without it: see allocation_coverage), or no positive taggable "
                  "charges, or no allocation dimension")

#: A commitment program could cover the row (FOCUS 1.4 CommitmentProgramEligibilityDetails).
ELIGIBLE = "x_CommitmentEligible = 'true'"
NO_ELIGIBILITY = ("no usage declares commitment-program eligibility "
                  "(CommitmentProgramEligibilityDetails, FOCUS 1.4; older data: see "
                  "commitment_coverage)")

EFF = CostMeasure("EffectiveCost")
USAGE_EFF = CostMeasure("EffectiveCost", USAGE)
