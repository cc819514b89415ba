"""Allowed values and renamed columns across FOCUS versions (facts from the FOCUS spec).

The allowed-value lists did not change between 1.0 and 1.3 for the columns checked here;
``CapacityReservationStatus`` only exists from 1.1, and the checks only run on present columns.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

SERVICE_CATEGORIES: tuple[str, ...] = (
    "AI and Machine Learning",
    "Analytics",
    "Business Applications",
    "Compute",
    "Databases",
    "Developer Tools",
    "Multicloud",
    "Identity",
    "Integration",
    "Internet of Things",
    "Management and Governance",
    "Media",
    "Migration",
    "Mobile",
    "Networking",
    "Security",
    "Storage",
    "Web",
    "Other",
)

ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "ChargeCategory": ("Usage", "Purchase", "Tax", "Credit", "Adjustment"),
    "ChargeClass": ("Correction",),
    "ChargeFrequency": ("One-Time", "Recurring", "Usage-Based"),
    "PricingCategory": ("Standard", "Dynamic", "Committed", "Other"),
    "CommitmentDiscountStatus": ("Used", "Unused"),
    "CommitmentDiscountCategory": ("Spend", "Usage"),
    "CapacityReservationStatus": ("Used", "Unused"),
    "ServiceCategory": SERVICE_CATEGORIES,
}

#: FOCUS 0.5 / 1.0-preview column names and the 1.x column that replaced them.
LEGACY_NAMES: dict[str, str] = {
    "ChargeType": "ChargeCategory",
    "AmortizedCost": "EffectiveCost",
    "BilledCurrency": "BillingCurrency",
    "Provider": "ProviderName",
    "Publisher": "PublisherName",
    "InvoiceIssuer": "InvoiceIssuerName",
    "ResourceID": "ResourceId",
    "Region": "RegionId",
    "UsageQuantity": "ConsumedQuantity",
    "UsageUnit": "ConsumedUnit",
    "ChargeSubcategory": "ChargeClass / CommitmentDiscountStatus",
}

#: Names of working-draft FOCUS columns that shipped under another name, and that name. The
#: spec's own example coverage_rate_eligibility_adjusted.csv still says
#: ``CommitmentProgramEligibility``: such a file loads as if it said the ratified name (validate
#: warns), unlike the 0.5-era LEGACY_NAMES, which mark a whole file as pre-1.0.
DRAFT_NAMES: dict[str, str] = {
    "CommitmentProgramEligibility": "CommitmentProgramEligibilityDetails",
}


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes (the list focus-validator uses, shipped in costmark/data)."""
    text = resources.files("costmark.data").joinpath("currency_codes.csv").read_text("utf-8")
    codes = set()
    for line in text.splitlines()[1:]:
        parts = line.split(",")
        if len(parts) >= 2 and parts[1].strip():
            codes.add(parts[1].strip())
    return frozenset(codes)
