"""The built-in KPI library in catalog order (formulas from ../shared/design/KPIS.md).

Most KPIs are arithmetic over *cost measures*: sums of a cost column over the rows a filter
keeps. They are declared here as ``MeasureKpi`` entries and computed by one shared aggregate per
query (every distinct measure once, ``SUM(...) FILTER (WHERE ...)``), then derived in Python with
exact decimals. KPIs that need more than sums (period-over-period, volatility, utilization,
recommendations, business metrics, budgets, forecasts) are ``ComputedKpi`` entries declared
beside their function in a sibling module (computed, commitments, efficiency, business,
planning) and listed here; they still declare the measures they read so the scan is shared.
The plan types and row sets live in ``costmark.kpis.model`` (re-exported here).
"""

from __future__ import annotations

from costmark.kpis import business, commitments, computed, contracts, efficiency, planning
from costmark.kpis.model import (
    ASIDE_NOTE,
    AT_MOST_ONE,
    CHANGE_NULL,
    CHARGES,
    COMPUTE_SCOPE,
    EFF,
    ELIGIBLE,
    INVOICE_PERIOD,
    KNOWN_CONTRACTED,
    KNOWN_PRICE,
    NO_COMMITMENT_COST,
    NO_ELIGIBILITY,
    NO_SHARE_BASE,
    NON_NEGATIVE,
    NOT_CHARGES,
    NOT_UNUSED,
    SHARE,
    UNUSED,
    UNUSED_COMMITMENT,
    USAGE,
    USAGE_BASED,
    USAGE_EFF,
    USED,
    BuiltIn,
    ComputedKpi,
    CostMeasure,
    MeasureKpi,
)
from costmark.kpis.model import define as _d
from costmark.kpis.use_cases import with_use_cases

__all__ = [
    "ASIDE_NOTE",
    "AT_MOST_ONE",
    "BUILT_INS",
    "BY_ID",
    "CHANGE_NULL",
    "CHARGES",
    "COMPUTE_SCOPE",
    "EFF",
    "ELIGIBLE",
    "INVOICE_PERIOD",
    "KNOWN_CONTRACTED",
    "KNOWN_PRICE",
    "NON_NEGATIVE",
    "NOT_CHARGES",
    "NOT_UNUSED",
    "NO_COMMITMENT_COST",
    "NO_ELIGIBILITY",
    "NO_SHARE_BASE",
    "SHARE",
    "UNUSED",
    "UNUSED_COMMITMENT",
    "USAGE",
    "USAGE_BASED",
    "USAGE_EFF",
    "USED",
    "BuiltIn",
    "ComputedKpi",
    "CostMeasure",
    "MeasureKpi",
]

COST: tuple[BuiltIn, ...] = (
    MeasureKpi(
        _d("total_cost", "Total cost", "currency", "lower", "cost", "Σ EffectiveCost",
           "Amortized cost of every row (credits and refunds count negative).",
           null="never: a period with cost rows has a total"),
        {"cost": EFF}, numerator="cost",
    ),
    MeasureKpi(
        _d("billed_cost", "Billed cost", "currency", "lower", "cost", "Σ BilledCost",
           "Invoice view: what was billed, in the period of the invoice (BillingPeriodStart), "
           "whenever the charge happened.",
           null="never: a period with cost rows has a total",
           ).model_copy(update={"time_column": INVOICE_PERIOD}),
        {"cost": CostMeasure("BilledCost")}, numerator="cost",
    ),
    MeasureKpi(
        _d("list_cost", "List cost", "currency", "none", "cost", "Σ ListCost",
           "Cost at public list prices.",
           null="never"),
        {"cost": CostMeasure("ListCost")}, numerator="cost",
    ),
    MeasureKpi(
        _d("contracted_cost", "Contracted cost", "currency", "none", "cost",
           "Σ ContractedCost", "Cost at negotiated prices, before commitment discounts.",
           null="never"),
        {"cost": CostMeasure("ContractedCost")}, numerator="cost",
    ),
    computed.COST_CHANGE,
    computed.COST_CHANGE_YOY,
    computed.COST_VARIANCE,
    MeasureKpi(
        _d("cost_per_resource", "Cost per resource", "currency", "lower", "cost",
           "Σ EffectiveCost / count distinct ResourceId",
           "Average cost of each distinct resource billed in the period.",
           null="no rows with a ResourceId"),
        {"cost": EFF, "resources": CostMeasure("ResourceId", agg="nunique")},
        numerator="cost", denominator="resources", zero_note="no rows with a ResourceId",
    ),
)

RATE: tuple[BuiltIn, ...] = (
    MeasureKpi(
        _d("effective_savings_rate", "Effective savings rate (ESR)", "ratio", "higher", "rate",
           "1 − Σ EffectiveCost[usage, known price] / Σ ListCost[usage, not Unused, known price]",
           "Share of list price saved by every discount, net of idle commitments. Rows with no "
           "known list price are left out and reported as coverage.",
           valid=AT_MOST_ONE,
           null="no usage with a known list price, or no paid usage (free tier or fully "
                "credited usage: nothing paid, no rate)"),
        {
            "eff": CostMeasure("EffectiveCost", f"{USAGE} and {KNOWN_PRICE}"),
            "list": CostMeasure("ListCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"),
            "usage": USAGE_EFF,
        },
        numerator="eff", denominator="list", value="1 - num / den",
        coverage=("eff", "usage"), zero_note="no usage with a known list price",
        guards=(("eff", "no paid usage (free tier or fully credited): nothing was paid, so "
                        "there is no rate to judge"),),
    ),
    MeasureKpi(
        _d("effective_savings_rate_contracted", "Effective savings rate over contracted cost",
           "ratio", "higher", "rate",
           "1 − Σ EffectiveCost[ContractedCost known] / Σ ContractedCost[ContractedCost known]",
           "The FinOps Foundation's form (FOCUS use case effective-savings-rate): the share of "
           "contracted (negotiated) cost that commitment discounts saved, over every row "
           "(credits and adjustments included, as the Foundation's SQL sums them). Unlike "
           "effective_savings_rate it measures against ContractedCost, not ListCost, so "
           "negotiated rates do not count as savings. Rows without a ContractedCost (null) are "
           "left out of both sums and reported as coverage (the Foundation's SQL keeps their "
           "EffectiveCost in the numerator).",
           valid=AT_MOST_ONE,
           null="no cost with a known ContractedCost, or it sums to zero"),
        {
            "eff": CostMeasure("EffectiveCost", KNOWN_CONTRACTED),
            "contracted": CostMeasure("ContractedCost", KNOWN_CONTRACTED),
            "known": CostMeasure("EffectiveCost", f"{CHARGES} and {KNOWN_CONTRACTED}"),
            "charges": CostMeasure("EffectiveCost", CHARGES),
        },
        numerator="eff", denominator="contracted", value="1 - num / den",
        coverage=("known", "charges"),
        coverage_note="charges (rows without a known ContractedCost)",
        zero_note="no cost with a known ContractedCost",
    ),
    MeasureKpi(
        _d("savings_achieved", "Savings achieved", "currency", "higher", "rate",
           "Σ (ListCost − EffectiveCost)[usage, not Unused, known price] − Σ EffectiveCost[Unused]",
           "Money saved against list prices, minus the cost of idle commitments.",
           null="never (0 without discounted usage)"),
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
           "Σ (ListCost − ContractedCost)[usage, not Unused, known price, ContractedCost known]",
           "Money saved by negotiated rates (before commitment discounts). Rows without a "
           "ContractedCost (null) have unknown negotiated savings: they are left out (never "
           "their whole ListCost counted as saved) and reported as coverage of list cost.",
           null="never (0 without negotiated rates)"),
        {
            "list": CostMeasure(
                "ListCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE} and {KNOWN_CONTRACTED}"
            ),
            "contracted": CostMeasure(
                "ContractedCost",
                f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE} and {KNOWN_CONTRACTED}",
            ),
            "priced": CostMeasure("ListCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_PRICE}"),
        },
        numerator="list - contracted", coverage=("list", "priced"),
        coverage_note="usage list cost (rows without a known ContractedCost or list price)",
    ),
    MeasureKpi(
        _d("commitment_savings", "Commitment savings", "currency", "higher", "rate",
           "Σ (ContractedCost − EffectiveCost)[usage, not Unused, ContractedCost known] − "
           "Σ EffectiveCost[Unused]",
           "Money saved by commitment discounts (reservations, savings plans, CUDs), net of idle "
           "commitments. Rows without a ContractedCost (null) are left out and reported as "
           "coverage.",
           null="never (0 without commitments)"),
        {
            "contracted": CostMeasure(
                "ContractedCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_CONTRACTED}"
            ),
            "eff": CostMeasure("EffectiveCost", f"{USAGE} and {NOT_UNUSED} and {KNOWN_CONTRACTED}"),
            "unused": CostMeasure("EffectiveCost", f"{USAGE} and {UNUSED}"),
            "used": CostMeasure("EffectiveCost", f"{USAGE} and {NOT_UNUSED}"),
        },
        numerator="contracted - eff - unused", coverage=("eff", "used"),
        coverage_note="usage cost (rows without a known ContractedCost)",
        untagged_rows=UNUSED_COMMITMENT,
    ),
    MeasureKpi(
        _d("commitment_utilization", "Commitment utilization", "ratio", "higher", "rate",
           "Σ EffectiveCost[Used] / Σ EffectiveCost[Used or Unused]",
           "Share of commitment cost that covered usage.",
           valid=SHARE, null=NO_COMMITMENT_COST),
        {
            "used": CostMeasure("EffectiveCost", USED),
            "all": CostMeasure("EffectiveCost", "CommitmentDiscountStatus in ('Used', 'Unused')"),
        },
        numerator="used", denominator="all", zero_note=NO_COMMITMENT_COST,
        untagged_rows=UNUSED_COMMITMENT,
    ),
    commitments.COMMITMENT_UTILIZATION_QUANTITY,
    MeasureKpi(
        _d("commitment_waste", "Commitment waste", "ratio", "lower", "rate",
           "Σ EffectiveCost[Unused] / Σ EffectiveCost[Used or Unused]",
           "Share of commitment cost that went unused.",
           valid=SHARE, null=NO_COMMITMENT_COST),
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
           "Share of eligible usage covered by commitment discounts.",
           valid=SHARE, null="no usage in scope"),
        {
            "covered": CostMeasure("x_CoverageBasis", f"{USAGE} and {USED}", scoped=True),
            "eligible": CostMeasure("x_CoverageBasis", f"{USAGE} and {NOT_UNUSED}", scoped=True),
        },
        numerator="covered", denominator="eligible", scope=COMPUTE_SCOPE,
        zero_note="no usage in scope",
    ),
    MeasureKpi(
        _d("commitment_coverage_eligible", "Commitment coverage (eligible spend)", "ratio",
           "higher", "rate",
           "Σ EffectiveCost[usage, Used, eligible] / Σ EffectiveCost[usage, not Unused, "
           "eligible]; eligible = CommitmentProgramEligibilityDetails not null OR covered by a "
           "commitment (CommitmentDiscountStatus Used)",
           "Share of the spend a commitment program could cover that a commitment did cover "
           "(FOCUS 1.4). The denominator leaves out usage no commitment could cover (support, "
           "ineligible services), so it no longer counts it as uncovered. Covered rows count as "
           "eligible even when the provider left their eligibility out, as the spec's "
           "defensive form does (commitment_coverage_eligible_strict drops them). Data before "
           "FOCUS 1.4 has no eligibility column: the value is null with a note (use "
           "commitment_coverage); mixing 1.4 and older providers, split with --by "
           "ServiceProviderName.",
           valid=SHARE, null=f"{NO_ELIGIBILITY}; or no eligible usage"),
        {
            "covered": CostMeasure("EffectiveCost", f"{USAGE} and {USED}"),
            "eligible": CostMeasure(
                "EffectiveCost", f"{USAGE} and {NOT_UNUSED} and ({ELIGIBLE} or {USED})"
            ),
            "declared": CostMeasure("EffectiveCost", f"{USAGE} and {ELIGIBLE}"),
        },
        numerator="covered", denominator="eligible", zero_note="no eligible usage",
        guards=(("declared", NO_ELIGIBILITY),),
    ),
    MeasureKpi(
        _d("commitment_coverage_eligible_strict",
           "Commitment coverage (eligible spend, strict)", "ratio", "higher", "rate",
           "Σ EffectiveCost[usage, Used, CommitmentProgramEligibilityDetails not null] / "
           "Σ EffectiveCost[usage, not Unused, CommitmentProgramEligibilityDetails not null]",
           "The spec's form without the OR: only rows that declare their eligibility count, on "
           "both sides. Lower than commitment_coverage_eligible when a provider omits the "
           "eligibility of covered rows (non-compliant data); the gap measures that omission.",
           valid=SHARE, null=f"{NO_ELIGIBILITY}; or no eligible usage"),
        {
            "covered": CostMeasure("EffectiveCost", f"{USAGE} and {USED} and {ELIGIBLE}"),
            "eligible": CostMeasure("EffectiveCost", f"{USAGE} and {NOT_UNUSED} and {ELIGIBLE}"),
        },
        numerator="covered", denominator="eligible", zero_note=NO_ELIGIBILITY,
    ),
    MeasureKpi(
        _d("on_demand_share", "On-demand share", "ratio", "lower", "rate",
           "Σ EffectiveCost[usage, PricingCategory = 'Standard'] / Σ EffectiveCost[usage]",
           "Share of usage cost paid at standard (on-demand) rates.",
           valid=SHARE, null="no usage cost"),
        {"od": CostMeasure("EffectiveCost", f"{USAGE} and PricingCategory = 'Standard'"),
         "usage": USAGE_EFF},
        numerator="od", denominator="usage", zero_note="no usage cost",
    ),
    MeasureKpi(
        _d("spot_share", "Spot share", "ratio", "higher", "rate",
           "Σ EffectiveCost[usage, PricingCategory = 'Dynamic'] / Σ EffectiveCost[usage]",
           "Share of usage cost on dynamic (spot / preemptible) pricing.",
           valid=SHARE, null="no usage cost"),
        {"spot": CostMeasure("EffectiveCost", f"{USAGE} and PricingCategory = 'Dynamic'"),
         "usage": USAGE_EFF},
        numerator="spot", denominator="usage", zero_note="no usage cost",
    ),
)

EFFICIENCY: tuple[BuiltIn, ...] = (
    efficiency.ALLOCATION_COVERAGE,
    efficiency.ALLOCATION_COVERAGE_TAGGABLE,
    efficiency.UNTAGGED_COST_SHARE,
    efficiency.WASTE_SHARE,
    efficiency.RESOURCE_UTILIZATION,
    efficiency.MEMORY_UTILIZATION,
    efficiency.OPTIMIZATION_RATE,
    efficiency.COST_OPTIMIZATION_INDEX,
)

NO_TOKENS = ("no token usage (no Usage rows whose ConsumedUnit or PricingUnit counts tokens, "
             "FOCUS 1.3+ AI model charges)")


def _per_1k_tokens(id: str, title: str, which: str, where: str | None, desc: str) -> MeasureKpi:
    """Cost per 1,000 tokens of the Usage rows counted in tokens that ``where`` keeps."""
    rows = USAGE if where is None else f"{USAGE} and {where}"
    return MeasureKpi(
        _d(id, title, "currency/1k tokens", "lower", "business",
           f"1000 × Σ EffectiveCost / Σ tokens [usage counted in tokens{which}]",
           desc + " Tokens are ConsumedQuantity in a token ConsumedUnit (\"Tokens\", "
           "\"1000 Tokens\" ...), else PricingQuantity in a token PricingUnit; cost is "
           "EffectiveCost (a prepaid drawdown counts at its effective rate, not its 0 billed). "
           "Split with --by x_TokenDirection, x_TokenCacheAction (from SkuPriceDetails), "
           "ServiceName or SkuId.",
           valid=NON_NEGATIVE, null=NO_TOKENS),
        {"cost": CostMeasure("x_TokenCost", rows), "tokens": CostMeasure("x_TokenQuantity", rows)},
        numerator="1000 * cost", denominator="tokens", zero_note=NO_TOKENS,
    )


UNIT: tuple[BuiltIn, ...] = (
    _per_1k_tokens("ai_cost_per_1k_tokens", "AI cost per 1,000 tokens", "", None,
                   "Unit cost of AI model usage over every token kind."),
    _per_1k_tokens("ai_cost_per_1k_input_tokens", "AI cost per 1,000 input tokens",
                   ", TokenDirection Input", "x_TokenDirection = 'Input'",
                   "Unit cost of input (prompt) tokens, cache reads and writes included."),
    _per_1k_tokens("ai_cost_per_1k_output_tokens", "AI cost per 1,000 output tokens",
                   ", TokenDirection Output", "x_TokenDirection = 'Output'",
                   "Unit cost of output (generated) tokens."),
    _per_1k_tokens("ai_cost_per_1k_cached_tokens", "AI cost per 1,000 cached tokens",
                   ", TokenCacheAction Read or Write", "x_TokenCacheAction in ('Read', 'Write')",
                   "Unit cost of tokens read from or written to a prompt cache."),
)

BUSINESS: tuple[BuiltIn, ...] = (
    business.COST_TO_REVENUE,
    business.SPEND_ELASTICITY,
)

PLANNING: tuple[BuiltIn, ...] = (
    planning.BUDGET_VARIANCE,
    planning.BUDGET_BURN,
    planning.FORECAST_ACCURACY,
    planning.FORECAST_VARIANCE,
)

BUILT_INS: tuple[BuiltIn, ...] = tuple(
    with_use_cases(k)
    for k in COST + RATE + EFFICIENCY + UNIT + contracts.CONTRACT + BUSINESS + PLANNING
)
BY_ID: dict[str, BuiltIn] = {k.definition.id: k for k in BUILT_INS}
