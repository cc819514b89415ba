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
    """A KPI with its own code (``kind`` names the function in costmark.kpis.computed)."""

    definition: KpiDefinition
    function: str
    measures: dict[str, CostMeasure] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    #: Rows the computation needs that carry no resource tags (see MeasureKpi.untagged_rows).
    untagged_rows: str | None = None


BuiltIn = MeasureKpi | ComputedKpi


def _d(
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
    ComputedKpi(
        _d("cost_change", "Cost change", "ratio", "lower", "cost",
           "(C_t − C_{t−1}) / C_{t−1}; numerator holds the absolute change",
           "Change of total cost against the previous period of the same grain (month over "
           "month, week over week ...).",
           null=CHANGE_NULL),
        "cost_change", {"cost": EFF},
    ),
    ComputedKpi(
        _d("cost_change_yoy", "Cost change, year over year", "ratio", "lower", "cost",
           "(C_t − C_{t−1y}) / C_{t−1y}",
           "Change of total cost against the same period one year earlier.",
           null=CHANGE_NULL),
        "cost_change", {"cost": EFF}, params=(("lag", "year"),),
    ),
    ComputedKpi(
        _d("cost_variance", "Cost volatility", "ratio", "lower", "cost",
           "stddev_pop(daily cost) / mean(daily cost) inside the period",
           "Coefficient of variation of daily total cost over the days of the period that have "
           "cost rows.",
           valid=NON_NEGATIVE,
           null="fewer than two days with cost, or the mean daily cost is zero, negative or "
                "under 10% of the mean absolute daily cost (credits offsetting charges)"),
        "cost_variance",
    ),
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
    ComputedKpi(
        _d("commitment_utilization_quantity", "Commitment utilization (quantity)", "ratio",
           "higher", "rate",
           "Σ CommitmentDiscountQuantity[usage-based, Used] / Σ CommitmentDiscountQuantity"
           "[usage-based, Used or Unused], per CommitmentDiscountUnit",
           "The quantity form of utilization for usage-based commitments (FOCUS ≥ 1.1). "
           "Quantities in different units (Hours, Normalized Hours ...) are never added: a "
           "row holding several is null with a note; split with --by CommitmentDiscountUnit.",
           valid=SHARE, null="no commitment discount quantities"),
        "commitment_utilization_quantity",
        {
            "used": CostMeasure("CommitmentDiscountQuantity", f"{USAGE_BASED} and {USED}"),
            "all": CostMeasure(
                "CommitmentDiscountQuantity",
                f"{USAGE_BASED} and CommitmentDiscountStatus in ('Used', 'Unused')",
            ),
        },
        untagged_rows=UNUSED_COMMITMENT,
    ),
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
    ComputedKpi(
        _d("allocation_coverage", "Allocation coverage", "ratio", "higher", "efficiency",
           "Σ EffectiveCost[charges, every allocation dimension resolves] / "
           "Σ EffectiveCost[charges]; charges = Usage, Purchase, Tax, not corrections",
           "Share of cost attributed by the allocation dimensions' rules (tag or mapping), "
           "without falling back to their default.",
           valid=SHARE,
           null="no allocation dimension, or no positive charges (credits, adjustments and "
                "corrections are left out of both sides)"),
        "allocation_coverage", {"cost": EFF},
    ),
    ComputedKpi(
        _d("allocation_coverage_taggable", "Allocation coverage (taggable cost)", "ratio",
           "higher", "efficiency",
           "Σ EffectiveCost[charges, taggable, every allocation dimension resolves] / "
           "Σ EffectiveCost[charges, taggable]; taggable = TagDetails not null (FOCUS 1.4)",
           "Allocation coverage over the cost whose resources can carry tags: a charge no tag "
           "source supports (TagDetails null: support, some marketplace fees, taxes) is left "
           "out of both sides, so untaggable spend no longer reads as an allocation gap. "
           "Without TagDetails (FOCUS before 1.4, or a provider that omits the Recommended "
           "column) no charge is known to be taggable: null with that note; allocation_coverage "
           "is the plain form. Mixing providers, split with --by ServiceProviderName.",
           valid=SHARE, null=NO_TAG_DETAILS),
        "allocation_coverage", {"cost": EFF},
    ),
    ComputedKpi(
        _d("untagged_cost_share", "Untagged cost share", "ratio", "lower", "efficiency",
           "Σ EffectiveCost[charges, any allocation tag key missing] / Σ EffectiveCost[charges]",
           "Share of cost lacking the tags allocation relies on; per key as "
           "untagged_cost_share:<key>.",
           valid=SHARE,
           null="no tag keys configured, or no positive charges (credits, adjustments and "
                "corrections are left out of both sides)"),
        "untagged_cost_share", {"cost": EFF},
    ),
    ComputedKpi(
        _d("waste_share", "Waste share", "ratio", "lower", "efficiency",
           "(Σ EffectiveCost[Unused] + Σ cost of idle resources) / Σ EffectiveCost",
           "Idle commitments plus resources whose cost-weighted CPU utilization stays under "
           "5% over the period.",
           valid=SHARE, null="no positive cost in the period"),
        "waste_share", {"cost": EFF, "unused": CostMeasure("EffectiveCost", UNUSED)},
        params=(("idle_threshold_pct", "5"),),
    ),
    ComputedKpi(
        _d("resource_utilization", "Resource utilization (CPU)", "ratio", "higher", "efficiency",
           "Σ (cpu% × cost) / Σ cost over resource-days with samples",
           "Cost-weighted mean CPU utilization of resources with utilization samples.",
           valid=SHARE, null="no utilization samples for the resources"),
        "resource_utilization", {"cost": EFF}, params=(("metric", "cpu_pct"),),
    ),
    ComputedKpi(
        _d("memory_utilization", "Resource utilization (memory)", "ratio", "higher",
           "efficiency", "Σ (memory% × cost) / Σ cost over resource-days with samples",
           "Cost-weighted mean memory utilization of resources with utilization samples.",
           valid=SHARE, null="no utilization samples for the resources"),
        "resource_utilization", {"cost": EFF}, params=(("metric", "memory_pct"),),
    ),
    ComputedKpi(
        _d("optimization_rate", "Optimization rate", "ratio", "higher", "efficiency",
           "realized savings of closed recommendations / (realized + open estimated savings)",
           "Monthly savings realized by implemented recommendations against all identified, "
           "as of the end of each period.",
           valid=SHARE, null="no recommendations, or none with savings"),
        "optimization_rate", {"cost": EFF},
    ),
    ComputedKpi(
        _d("cost_optimization_index", "Cost optimization index", "ratio", "higher",
           "efficiency", "1 − open estimated savings / Σ EffectiveCost",
           "How close cost is to optimized: open recommendation savings (scaled to the period "
           "length) against the period's cost.",
           valid=SHARE,
           null="no recommendations, no positive cost, or open savings above the cost "
                "(estimates that exceed the spend are not a position on the scale)"),
        "cost_optimization_index", {"cost": EFF},
    ),
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

NO_CONTRACT = ("no contract commitments (FOCUS 1.3+ Contract Commitment dataset), a usage "
               "commitment counted in units, or a --where filter (commitments carry no cost-row "
               "fields)")
CONTRACT_HOW = (" Judged as of each period's last day (the data's last day in the running "
                "period); consumption is ContractApplied of the Cost and Usage rows. Split with "
                "--by ContractId, ContractCommitmentId or ContractCommitmentCategory; spend "
                "commitments only (usage ones are counted in units: costmark contracts).")


def _contract(id: str, title: str, unit: str, direction: Direction, formula: str, desc: str,
              measure: str, valid: tuple[float | None, float | None] = NON_NEGATIVE
              ) -> ComputedKpi:
    return ComputedKpi(
        _d(id, title, unit, direction, "contract", formula, desc + CONTRACT_HOW, valid=valid,
           null=NO_CONTRACT),
        "contract_burndown", params=(("measure", measure),),
    )


#: Contract commitment burn-down (FOCUS 1.3+ Contract Commitment dataset; costmark.kpis.contracts)
CONTRACT: tuple[BuiltIn, ...] = (
    _contract("contract_committed", "Contract committed amount", "currency", "none",
              "Σ ContractCommitmentCost", "What the contract commitments commit to spend.",
              "committed"),
    _contract("contract_consumed", "Contract consumed to date", "currency", "higher",
              "Σ ContractApplied cost to date", "Commitment drawn down so far.", "consumed"),
    _contract("contract_remaining", "Contract remaining", "currency", "lower",
              "committed − consumed to date",
              "Commitment still to consume (negative: consumed beyond the commitment).",
              "remaining", valid=(None, None)),
    _contract("contract_consumption_rate", "Contract consumption rate (per day)",
              "currency/day", "none", "consumed to date / days elapsed in the term",
              "Average daily draw-down since each commitment started.", "rate"),
    _contract("contract_projected_consumption", "Contract projected consumption at term end",
              "currency", "higher", "consumed + rate × days left in the term",
              "Straight-line projection of consumption at each commitment's end.", "projected"),
    _contract("contract_projected_shortfall", "Contract projected shortfall", "currency",
              "lower", "Σ max(committed − projected consumption, 0) per commitment",
              "Money left on the table at term end if consumption keeps its pace.",
              "shortfall"),
    _contract("contract_consumed_share", "Contract consumed share", "ratio", "higher",
              "consumed to date / committed", "Share of the commitment drawn down so far.",
              "share"),
)

BUSINESS: tuple[BuiltIn, ...] = (
    ComputedKpi(
        _d("cost_to_revenue", "Cost to revenue", "ratio", "lower", "business",
           "Σ EffectiveCost / Σ revenue", "Cloud spend as a share of revenue.",
           valid=NON_NEGATIVE,
           null="no revenue for the period, revenue zero or negative, or revenue in another "
                "currency without a rate"),
        "cost_to_revenue", {"cost": EFF},
    ),
    ComputedKpi(
        _d("spend_elasticity", "Spend elasticity", "factor", "lower", "business",
           "%Δ cost / %Δ business volume",
           "How cost grows with business volume (< 1: scaling efficiently); against the volume "
           "metric, per metric as spend_elasticity:<metric>.",
           null="no previous period; a tiny or non-positive cost base (see cost_change); or "
                "business volume moved by less than 1% (the ratio would divide by noise)"),
        "spend_elasticity", {"cost": EFF},
    ),
)

PLANNING: tuple[BuiltIn, ...] = (
    ComputedKpi(
        _d("budget_variance", "Budget variance", "ratio", "lower", "planning",
           "(actual − budget) / budget", "Spend against budget, per budget scope.",
           null="no budget for the scope"),
        "budget_variance", {"cost": EFF},
    ),
    ComputedKpi(
        _d("budget_burn", "Budget burn", "ratio", "lower", "planning",
           "actual to date / (budget × elapsed share of the period)",
           "Pace of spend against budget: above 1 runs over.",
           valid=NON_NEGATIVE, null="no budget for the scope, or the period not started"),
        "budget_burn", {"cost": EFF},
    ),
    ComputedKpi(
        _d("forecast_accuracy", "Forecast accuracy", "ratio", "higher", "planning",
           "1 − |actual − forecast| / |actual|",
           "Forecast taken from the last snapshot made before the period started.",
           valid=AT_MOST_ONE,
           null="no forecast snapshot before the period, or actual cost zero"),
        "forecast_accuracy", {"cost": EFF},
    ),
    ComputedKpi(
        _d("forecast_variance", "Forecast variance", "ratio", "none", "planning",
           "(actual − forecast) / forecast",
           "Forecast taken from the last snapshot made before the period started.",
           null="no forecast snapshot before the period, or a zero forecast"),
        "forecast_variance", {"cost": EFF},
    ),
)

BUILT_INS: tuple[BuiltIn, ...] = (COST + RATE + EFFICIENCY + UNIT + CONTRACT + BUSINESS
                                  + PLANNING)
BY_ID: dict[str, BuiltIn] = {k.definition.id: k for k in BUILT_INS}
