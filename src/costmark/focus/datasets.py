"""FOCUS datasets beyond Cost and Usage: Contract Commitment (1.3), Billing Period and Invoice
Detail (1.4).

FOCUS 1.3 split billing data into datasets; a file holds one of them and says which by its
columns. Each dataset gets its own table with the same guarantees as cost rows (validation,
lineage, quarantine, atomic slice replacement). The column facts follow the specification's
dataset pages and the Foundation's 1.3/1.4 sample files; requirements the samples do not settle
are kept permissive (nullable) rather than refusing valid files.
"""

from __future__ import annotations

from dataclasses import dataclass

from costmark.focus.columns import ColumnSpec, ColumnType

S, D, T, J = ColumnType.STRING, ColumnType.DECIMAL, ColumnType.DATETIME, ColumnType.JSON


def _col(name: str, type_: ColumnType, required: bool, introduced: str) -> ColumnSpec:
    return ColumnSpec(
        name, type_, "Mandatory" if required else "Conditional", not required, introduced
    )


@dataclass(frozen=True)
class DatasetSpec:
    """One FOCUS dataset: its columns, the table it loads into and what a load replaces."""

    name: str
    label: str
    introduced: str
    table: str
    #: columns only this dataset has: two of them present identify it
    signature: frozenset[str]
    columns: tuple[ColumnSpec, ...]
    #: a load replaces every existing row that shares these values with a loaded row
    slice_key: tuple[str, ...]
    #: an id that should be unique within the dataset (a duplicate is a warning)
    id_column: str | None
    allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


CONTRACT_COMMITMENT = DatasetSpec(
    name="contract_commitment",
    label="Contract Commitment",
    introduced="1.3",
    table="contract_commitments",
    signature=frozenset(
        {
            "ContractCommitmentId",
            "ContractCommitmentCost",
            "ContractId",
            "ContractCommitmentCategory",
        }
    ),
    columns=(
        _col("BillingCurrency", S, True, "1.3"),
        _col("ContractCommitmentApplicability", J, False, "1.4"),
        _col("ContractCommitmentBenefitCategory", S, False, "1.4"),
        _col("ContractCommitmentCategory", S, False, "1.3"),
        _col("ContractCommitmentCost", D, False, "1.3"),
        _col("ContractCommitmentCreated", T, False, "1.4"),
        _col("ContractCommitmentDescription", S, False, "1.3"),
        _col("ContractCommitmentDiscountPercentage", D, False, "1.4"),
        _col("ContractCommitmentDurationType", S, False, "1.4"),
        _col("ContractCommitmentFulfillmentInterval", S, False, "1.4"),
        _col("ContractCommitmentId", S, True, "1.3"),
        _col("ContractCommitmentLastUpdated", T, False, "1.4"),
        _col("ContractCommitmentLifecycleStatus", S, False, "1.4"),
        _col("ContractCommitmentModel", S, False, "1.4"),
        _col("ContractCommitmentOfferCategory", S, False, "1.4"),
        _col("ContractCommitmentPaymentInterval", S, False, "1.4"),
        _col("ContractCommitmentPaymentModel", S, False, "1.4"),
        _col("ContractCommitmentPaymentUpfrontPercentage", D, False, "1.4"),
        _col("ContractCommitmentPeriodEnd", T, False, "1.3"),
        _col("ContractCommitmentPeriodStart", T, False, "1.3"),
        _col("ContractCommitmentQuantity", D, False, "1.3"),
        _col("ContractCommitmentType", S, False, "1.3"),
        _col("ContractCommitmentUnit", S, False, "1.3"),
        _col("ContractId", S, True, "1.3"),
        _col("ContractPeriodEnd", T, False, "1.3"),
        _col("ContractPeriodStart", T, False, "1.3"),
        _col("InvoiceIssuerName", S, False, "1.4"),
        _col("PricingCurrency", S, False, "1.4"),
        _col("PricingCurrencyContractCommitmentCost", D, False, "1.4"),
        _col("ServiceProviderName", S, False, "1.4"),
    ),
    slice_key=("ContractId", "ContractCommitmentId"),
    id_column="ContractCommitmentId",
    allowed=(("ContractCommitmentCategory", ("Spend", "Usage")),),
)

BILLING_PERIOD = DatasetSpec(
    name="billing_period",
    label="Billing Period",
    introduced="1.4",
    table="billing_periods",
    signature=frozenset(
        {"BillingPeriodStatus", "BillingPeriodCreated", "BillingPeriodLastUpdated"}
    ),
    columns=(
        _col("BillingPeriodCreated", T, False, "1.4"),
        _col("BillingPeriodEnd", T, True, "1.4"),
        _col("BillingPeriodLastUpdated", T, False, "1.4"),
        _col("BillingPeriodStart", T, True, "1.4"),
        _col("BillingPeriodStatus", S, True, "1.4"),
        _col("InvoiceIssuerName", S, True, "1.4"),
    ),
    slice_key=("InvoiceIssuerName", "BillingPeriodStart"),
    id_column=None,
    allowed=(("BillingPeriodStatus", ("Open", "Closed")),),
)

INVOICE_DETAIL = DatasetSpec(
    name="invoice_detail",
    label="Invoice Detail",
    introduced="1.4",
    table="invoice_details",
    signature=frozenset({"InvoiceDetailId", "InvoiceIssueDate", "InvoiceIssueStatus"}),
    columns=(
        _col("BilledCost", D, True, "1.4"),
        _col("BillingAccountId", S, True, "1.4"),
        _col("BillingCurrency", S, True, "1.4"),
        _col("BillingPeriodEnd", T, True, "1.4"),
        _col("BillingPeriodStart", T, True, "1.4"),
        _col("ChargeCategory", S, False, "1.4"),
        _col("InvoiceDetailCreated", T, False, "1.4"),
        _col("InvoiceDetailDescription", S, False, "1.4"),
        _col("InvoiceDetailGrain", J, False, "1.4"),
        _col("InvoiceDetailId", S, True, "1.4"),
        _col("InvoiceDetailLastUpdated", T, False, "1.4"),
        _col("InvoiceId", S, True, "1.4"),
        _col("InvoiceIssueDate", T, False, "1.4"),
        _col("InvoiceIssueStatus", S, False, "1.4"),
        _col("InvoiceIssuerName", S, True, "1.4"),
        _col("PaymentCurrency", S, False, "1.4"),
        _col("PaymentCurrencyBilledCost", D, False, "1.4"),
        _col("PaymentCurrencyInvoiceDetailId", S, False, "1.4"),
        _col("PaymentDueDate", T, False, "1.4"),
        _col("PaymentTerms", S, False, "1.4"),
        _col("PurchaseOrderNumber", S, False, "1.4"),
        _col("ReferenceInvoiceId", S, False, "1.4"),
    ),
    slice_key=("InvoiceIssuerName", "BillingAccountId", "BillingPeriodStart"),
    id_column="InvoiceDetailId",
    allowed=(
        ("ChargeCategory", ("Usage", "Purchase", "Tax", "Credit", "Adjustment")),
        ("InvoiceIssueStatus", ("Open", "Issued", "Voided")),
    ),
)

DATASETS: tuple[DatasetSpec, ...] = (CONTRACT_COMMITMENT, BILLING_PERIOD, INVOICE_DETAIL)


def detect_dataset(columns: set[str] | frozenset[str]) -> DatasetSpec | None:
    """The non-cost dataset a file holds (two of its signature columns present), else None:
    the file is Cost and Usage (or not FOCUS)."""
    for spec in DATASETS:
        if len(spec.signature & set(columns)) >= 2:
            return spec
    return None


def dataset_version(spec: DatasetSpec, columns: set[str] | frozenset[str]) -> str:
    """1.4 when a column introduced in 1.4 is present, else the dataset's first version."""
    newer = {c.name for c in spec.columns if c.introduced == "1.4"}
    return "1.4" if newer & set(columns) else spec.introduced


def create_table_sql(spec: DatasetSpec) -> str:
    """The dataset's table: its columns typed (money DECIMAL(38,18), times UTC) plus lineage."""
    types = {
        ColumnType.DECIMAL: "DECIMAL(38, 18)",
        ColumnType.DATETIME: "TIMESTAMP",
        ColumnType.JSON: "VARCHAR",
        ColumnType.STRING: "VARCHAR",
    }
    cols = ",\n    ".join(f'"{c.name}" {types[c.type]}' for c in spec.columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {spec.table} (\n    {cols},\n"
        '    "x_IngestId" VARCHAR, "x_SourceFile" VARCHAR, "x_SourceRow" BIGINT\n)'
    )
