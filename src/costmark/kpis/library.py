"""The built-in KPI library, as data (formulas from ../shared/design/KPIS.md).

Most KPIs are arithmetic over *cost measures*: sums of a cost column over the rows a filter
keeps. They are declared here as ``MeasureKpi`` entries and computed by one shared aggregate per
query (every distinct measure once, ``SUM(...) FILTER (WHERE ...)``), then derived in Python with
exact decimals. KPIs that need more than sums (period-over-period, volatility, utilization,
recommendations, business metrics, budgets, forecasts) are ``ComputedKpi`` entries whose
function lives in a sibling module; they still declare the measures they read so the scan is
shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from costmark.spec.kpis import Direction, KpiDefinition

# Row sets the formulas talk about (filter language, see costmark.spec.filters).
USAGE = "ChargeCategory = 'Usage'"
UNUSED = "CommitmentDiscountStatus = 'Unused'"
USED = "CommitmentDiscountStatus = 'Used'"
NOT_UNUSED = "(CommitmentDiscountStatus is null or CommitmentDiscountStatus != 'Unused')"
KNOWN_PRICE = "x_UnknownPrice = 'false'"
COMPUTE_SCOPE = "ServiceCategory = 'Compute'"


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
    zero_note: str = "denominator is zero"
    scope: str | None = None  # default scope filter for ``scoped`` measures
    #: Rows the formula needs that carry no resource tags (e.g. unused commitment): a tag
    #: filter or a tag-based dimension cannot see them, so results under one get a note
    #: (costmark.engine.attribution).
    untagged_rows: str | None = None

    @property
    def money(self) -> bool:
        return self.definition.unit == "currency"


@dataclass(frozen=True)
class ComputedKpi:
    """A KPI with its own code (``kind`` names the function in costmark.kpis.computed)."""

    definition: KpiDefinition
    function: str
    measures: dict[str, CostMeasure] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()


BuiltIn = MeasureKpi | ComputedKpi


def _d(
    id: str, title: str, unit: str, direction: Direction, kind: str, formula: str, desc: str
) -> KpiDefinition:
    return KpiDefinition(
        id=id, title=title, unit=unit, direction=direction, kind=kind, formula=formula,
        description=desc,
    )


EFF = CostMeasure("EffectiveCost")
USAGE_EFF = CostMeasure("EffectiveCost", USAGE)

COST: tuple[BuiltIn, ...] = (
    MeasureKpi(
        _d("total_cost", "Total cost", "currency", "lower", "cost", "Σ EffectiveCost",
           "Amortized cost of every row (credits and refunds count negative)."),
        {"cost": EFF}, numerator="cost",
    ),
    MeasureKpi(
        _d("billed_cost", "Billed cost", "currency", "lower", "cost", "Σ BilledCost",
           "Invoice view: what was billed in the period, by charge period."),
        {"cost": CostMeasure("BilledCost")}, numerator="cost",
    ),
    MeasureKpi(
        _d("list_cost", "List cost", "currency", "none", "cost", "Σ ListCost",
           "Cost at public list prices."),
        {"cost": CostMeasure("ListCost")}, numerator="cost",
    ),
    MeasureKpi(
        _d("contracted_cost", "Contracted cost", "currency", "none", "cost",
           "Σ ContractedCost", "Cost at negotiated prices, before commitment discounts."),
        {"cost": CostMeasure("ContractedCost")}, numerator="cost",
    ),
    ComputedKpi(
        _d("cost_change", "Cost change", "ratio", "lower", "cost",
           "(C_t − C_{t−1}) / C_{t−1}; numerator holds the absolute change",
           "Change of total cost against the previous period of the same grain (month over "
           "month, week over week ...)."),
        "cost_change", {"cost": EFF},
    ),
    ComputedKpi(
        _d("cost_change_yoy", "Cost change, year over year", "ratio", "lower", "cost",
           "(C_t − C_{t−1y}) / C_{t−1y}",
           "Change of total cost against the same period one year earlier."),
        "cost_change", {"cost": EFF}, params=(("lag", "year"),),
    ),
    ComputedKpi(
        _d("cost_variance", "Cost volatility", "ratio", "lower", "cost",
           "stddev_pop(daily cost) / mean(daily cost) inside the period",
           "Coefficient of variation of daily total cost over the days of the period that have "
           "cost rows."),
        "cost_variance",
    ),
    MeasureKpi(
        _d("cost_per_resource", "Cost per resource", "currency", "lower", "cost",
           "Σ EffectiveCost / count distinct ResourceId",
           "Average cost of each distinct resource billed in the period."),
        {"cost": EFF, "resources": CostMeasure("ResourceId", agg="nunique")},
        numerator="cost", denominator="resources", zero_note="no rows with a ResourceId",
    ),
)

RATE: tuple[BuiltIn, ...] = (
    MeasureKpi(
        _d("effective_savings_rate", "Effective savings rate (ESR)", "ratio", "higher", "rate",
           "1 − Σ EffectiveCost[usage, known price] / Σ ListCost[usage, not Unused, known price]",
           "Share of list price saved by every discount, net of idle commitments. Rows with no "
           "known list price are left out and reported as coverage."),
        {
            "eff": CostMeasure("EffectiveCost", f"{USAGE} and {KNOWN_PRICE}"),
            "list": CostMeasure("ListCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"),
            "usage": USAGE_EFF,
        },
        numerator="eff", denominator="list", value="1 - num / den",
        coverage=("eff", "usage"), zero_note="no usage with a known list price",
    ),
    MeasureKpi(
        _d("savings_achieved", "Savings achieved", "currency", "higher", "rate",
           "Σ (ListCost − EffectiveCost)[usage, not Unused, known price] − Σ EffectiveCost[Unused]",
           "Money saved against list prices, minus the cost of idle commitments."),
        {
            "list": CostMeasure("ListCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"),
            "eff": CostMeasure("EffectiveCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"),
            "unused": CostMeasure("EffectiveCost", f"{USAGE} and {UNUSED}"),
            "known": CostMeasure("EffectiveCost", f"{USAGE} and {KNOWN_PRICE}"),
            "usage": USAGE_EFF,
        },
        numerator="list - eff - unused", coverage=("known", "usage"),
        untagged_rows=UNUSED_COMMITMENT,
    ),
    MeasureKpi(
        _d("negotiated_savings", "Negotiated savings", "currency", "higher", "rate",
           "Σ (ListCost − ContractedCost)[usage, not Unused, known price]",
           "Money saved by negotiated rates (before commitment discounts)."),
        {
            "list": CostMeasure("ListCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"),
            "contracted": CostMeasure(
                "ContractedCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"
            ),
            "known": CostMeasure("EffectiveCost", f"{USAGE} and {KNOWN_PRICE}"),
            "usage": USAGE_EFF,
        },
        numerator="list - contracted", coverage=("known", "usage"),
    ),
    MeasureKpi(
        _d("commitment_savings", "Commitment savings", "currency", "higher", "rate",
           "Σ (ContractedCost − EffectiveCost)[usage, not Unused] − Σ EffectiveCost[Unused]",
           "Money saved by commitment discounts (reservations, savings plans, CUDs), net of idle "
           "commitments."),
        {
            "contracted": CostMeasure("ContractedCost", f"{USAGE} and {NOT_UNUSED}"),
            "eff": CostMeasure("EffectiveCost", f"{USAGE} and {NOT_UNUSED}"),
            "unused": CostMeasure("EffectiveCost", f"{USAGE} and {UNUSED}"),
        },
        numerator="contracted - eff - unused", untagged_rows=UNUSED_COMMITMENT,
    ),
    MeasureKpi(
        _d("commitment_utilization", "Commitment utilization", "ratio", "higher", "rate",
           "Σ EffectiveCost[Used] / Σ EffectiveCost[Used or Unused]",
           "Share of commitment cost that covered usage."),
        {
            "used": CostMeasure("EffectiveCost", USED),
            "all": CostMeasure("EffectiveCost", "CommitmentDiscountStatus in ('Used', 'Unused')"),
        },
        numerator="used", denominator="all", zero_note=NO_COMMITMENT_COST,
        untagged_rows=UNUSED_COMMITMENT,
    ),
    MeasureKpi(
        _d("commitment_utilization_quantity", "Commitment utilization (quantity)", "ratio",
           "higher", "rate",
           "Σ CommitmentDiscountQuantity[Used] / Σ CommitmentDiscountQuantity[Used or Unused]",
           "The quantity form of utilization for usage-based commitments (FOCUS ≥ 1.1)."),
        {
            "used": CostMeasure("CommitmentDiscountQuantity", USED),
            "all": CostMeasure(
                "CommitmentDiscountQuantity", "CommitmentDiscountStatus in ('Used', 'Unused')"
            ),
        },
        numerator="used", denominator="all", zero_note="no commitment discount quantities",
        untagged_rows=UNUSED_COMMITMENT,
    ),
    MeasureKpi(
        _d("commitment_waste", "Commitment waste", "ratio", "lower", "rate",
           "Σ EffectiveCost[Unused] / Σ EffectiveCost[Used or Unused]",
           "Share of commitment cost that went unused."),
        {
            "unused": CostMeasure("EffectiveCost", UNUSED),
            "all": CostMeasure("EffectiveCost", "CommitmentDiscountStatus in ('Used', 'Unused')"),
        },
        numerator="unused", denominator="all", zero_note=NO_COMMITMENT_COST,
        untagged_rows=UNUSED_COMMITMENT,
    ),
    MeasureKpi(
        _d("commitment_coverage", "Commitment coverage", "ratio", "higher", "rate",
           "Σ ContractedCost[usage, scope, Used] / Σ ContractedCost[usage, scope, not Unused] "
           "(ListCost where ContractedCost is 0); scope defaults to ServiceCategory = 'Compute'",
           "Share of eligible usage covered by commitment discounts."),
        {
            "covered": CostMeasure("x_CoverageBasis", f"{USAGE} and {USED}", scoped=True),
            "eligible": CostMeasure("x_CoverageBasis", f"{USAGE} and {NOT_UNUSED}", scoped=True),
        },
        numerator="covered", denominator="eligible", scope=COMPUTE_SCOPE,
        zero_note="no usage in scope",
    ),
    MeasureKpi(
        _d("on_demand_share", "On-demand share", "ratio", "lower", "rate",
           "Σ EffectiveCost[usage, PricingCategory = 'Standard'] / Σ EffectiveCost[usage]",
           "Share of usage cost paid at standard (on-demand) rates."),
        {"od": CostMeasure("EffectiveCost", f"{USAGE} and PricingCategory = 'Standard'"),
         "usage": USAGE_EFF},
        numerator="od", denominator="usage", zero_note="no usage cost",
    ),
    MeasureKpi(
        _d("spot_share", "Spot share", "ratio", "higher", "rate",
           "Σ EffectiveCost[usage, PricingCategory = 'Dynamic'] / Σ EffectiveCost[usage]",
           "Share of usage cost on dynamic (spot / preemptible) pricing."),
        {"spot": CostMeasure("EffectiveCost", f"{USAGE} and PricingCategory = 'Dynamic'"),
         "usage": USAGE_EFF},
        numerator="spot", denominator="usage", zero_note="no usage cost",
    ),
)

EFFICIENCY: tuple[BuiltIn, ...] = (
    ComputedKpi(
        _d("allocation_coverage", "Allocation coverage", "ratio", "higher", "efficiency",
           "Σ EffectiveCost[every allocation dimension resolves] / Σ EffectiveCost",
           "Share of cost attributed by the allocation dimensions' rules (tag or mapping), "
           "without falling back to their default."),
        "allocation_coverage", {"cost": EFF},
    ),
    ComputedKpi(
        _d("untagged_cost_share", "Untagged cost share", "ratio", "lower", "efficiency",
           "Σ EffectiveCost[any allocation tag key missing] / Σ EffectiveCost",
           "Share of cost lacking the tags allocation relies on; per key as "
           "untagged_cost_share:<key>."),
        "untagged_cost_share", {"cost": EFF},
    ),
    ComputedKpi(
        _d("waste_share", "Waste share", "ratio", "lower", "efficiency",
           "(Σ EffectiveCost[Unused] + Σ cost of idle resources) / Σ EffectiveCost",
           "Idle commitments plus resources whose cost-weighted CPU utilization stays under "
           "5% over the period."),
        "waste_share", {"cost": EFF, "unused": CostMeasure("EffectiveCost", UNUSED)},
        params=(("idle_threshold_pct", "5"),),
    ),
    ComputedKpi(
        _d("resource_utilization", "Resource utilization (CPU)", "ratio", "higher", "efficiency",
           "Σ (cpu% × cost) / Σ cost over resource-days with samples",
           "Cost-weighted mean CPU utilization of resources with utilization samples."),
        "resource_utilization", {"cost": EFF}, params=(("metric", "cpu_pct"),),
    ),
    ComputedKpi(
        _d("memory_utilization", "Resource utilization (memory)", "ratio", "higher",
           "efficiency", "Σ (memory% × cost) / Σ cost over resource-days with samples",
           "Cost-weighted mean memory utilization of resources with utilization samples."),
        "resource_utilization", {"cost": EFF}, params=(("metric", "memory_pct"),),
    ),
    ComputedKpi(
        _d("optimization_rate", "Optimization rate", "ratio", "higher", "efficiency",
           "realized savings of closed recommendations / (realized + open estimated savings)",
           "Monthly savings realized by implemented recommendations against all identified, "
           "as of the end of each period."),
        "optimization_rate", {"cost": EFF},
    ),
    ComputedKpi(
        _d("cost_optimization_index", "Cost optimization index", "ratio", "higher",
           "efficiency", "1 − open estimated savings / Σ EffectiveCost",
           "How close cost is to optimized: open recommendation savings (scaled to the period "
           "length) against the period's cost."),
        "cost_optimization_index", {"cost": EFF},
    ),
)

BUSINESS: tuple[BuiltIn, ...] = (
    ComputedKpi(
        _d("cost_to_revenue", "Cost to revenue", "ratio", "lower", "business",
           "Σ EffectiveCost / Σ revenue", "Cloud spend as a share of revenue."),
        "cost_to_revenue", {"cost": EFF},
    ),
    ComputedKpi(
        _d("spend_elasticity", "Spend elasticity", "ratio", "lower", "business",
           "%Δ cost / %Δ business volume",
           "How cost grows with business volume (< 1: scaling efficiently); against the volume "
           "metric, per metric as spend_elasticity:<metric>."),
        "spend_elasticity", {"cost": EFF},
    ),
)

PLANNING: tuple[BuiltIn, ...] = (
    ComputedKpi(
        _d("budget_variance", "Budget variance", "ratio", "lower", "planning",
           "(actual − budget) / budget", "Spend against budget, per budget scope."),
        "budget_variance", {"cost": EFF},
    ),
    ComputedKpi(
        _d("budget_burn", "Budget burn", "ratio", "lower", "planning",
           "actual to date / (budget × elapsed share of the period)",
           "Pace of spend against budget: above 1 runs over."),
        "budget_burn", {"cost": EFF},
    ),
    ComputedKpi(
        _d("forecast_accuracy", "Forecast accuracy", "ratio", "higher", "planning",
           "1 − |actual − forecast| / |actual|",
           "Forecast taken from the last snapshot made before the period started."),
        "forecast_accuracy", {"cost": EFF},
    ),
    ComputedKpi(
        _d("forecast_variance", "Forecast variance", "ratio", "none", "planning",
           "(actual − forecast) / forecast",
           "Forecast taken from the last snapshot made before the period started."),
        "forecast_variance", {"cost": EFF},
    ),
)

BUILT_INS: tuple[BuiltIn, ...] = COST + RATE + EFFICIENCY + BUSINESS + PLANNING
BY_ID: dict[str, BuiltIn] = {k.definition.id: k for k in BUILT_INS}
