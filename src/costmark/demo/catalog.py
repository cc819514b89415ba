"""The demo organisation as data: teams, apps, cloud accounts, services and their prices.

Why static data and not random names: users read the generated files, and "Amazon Elastic
Compute Cloud / m6i.xlarge in us-east-1" teaches them what a FOCUS row looks like; random
strings would not. Prices are close to public on-demand list prices (USD per unit).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    name: str  # ProviderName
    publisher: str  # PublisherName
    invoice_issuer: str  # InvoiceIssuerName
    sub_account_type: str
    billing_account_type: str
    negotiated_discount: float  # enterprise discount off list (ContractedUnitPrice)


@dataclass(frozen=True)
class BillingAccount:
    id: str
    name: str
    provider: str
    currency: str
    tax_rate: float  # on the month's billed charges; 0 = no tax rows


@dataclass(frozen=True)
class Sku:
    """One priced thing a resource consumes per day."""

    service: str  # ServiceName
    category: str  # ServiceCategory (FOCUS 1.2 allowed value)
    subcategory: str  # ServiceSubcategory (matching parent category)
    resource_type: str
    sku_id: str
    meter: str  # SkuMeter
    unit: str  # PricingUnit / ConsumedUnit
    list_price: float  # per unit, USD
    kind: str  # "hours": ~24 units a day per instance; "metered": volume that scales
    base: float  # typical daily quantity per resource
    commit_eligible: bool = False
    spot_eligible: bool = False
    zonal: bool = False


# fmt: off
PROVIDERS: dict[str, Provider] = {
    "AWS": Provider(
        "AWS", "Amazon Web Services", "Amazon Web Services, Inc.", "Account", "Payer Account",
        0.05,
    ),
    "Microsoft": Provider(
        "Microsoft", "Microsoft", "Microsoft", "Subscription", "Billing Profile", 0.08
    ),
    "Google Cloud": Provider(
        "Google Cloud", "Google Cloud", "Google Cloud", "Project", "Billing Account", 0.0
    ),
}

BILLING_ACCOUNTS: tuple[BillingAccount, ...] = (
    BillingAccount("412345678901", "Acme Corp (payer)", "AWS", "USD", 0.0),
    BillingAccount("8611-4410-PR1", "Acme Corp US", "Microsoft", "USD", 0.0),
    BillingAccount("8611-4410-PR2", "Acme Europe GmbH", "Microsoft", "EUR", 0.19),
    BillingAccount("01A7C3-5B2E9D-F04C11", "Acme Corp GCP", "Google Cloud", "USD", 0.0725),
)

#: EUR list prices are USD list prices times this (providers publish local-currency price lists).
EUR_PRICE_FACTOR = 0.92

REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "AWS": (("us-east-1", "US East (N. Virginia)"), ("eu-west-1", "Europe (Ireland)")),
    "Microsoft": (("eastus", "East US"), ("westeurope", "West Europe")),
    "Google Cloud": (("us-central1", "Iowa"), ("europe-west1", "Belgium")),
}

SKUS: dict[str, tuple[Sku, ...]] = {
    "AWS": (
        Sku("Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Instance",
            "m6i.xlarge", "BoxUsage:m6i.xlarge", "Hours", 0.192, "hours", 24, True, True, True),
        Sku("Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Instance",
            "c6g.2xlarge", "BoxUsage:c6g.2xlarge", "Hours", 0.272, "hours", 24, True, True, True),
        Sku("Amazon Elastic Kubernetes Service", "Compute", "Containers", "Cluster",
            "EKS-Cluster", "AmazonEKS-Hours:perCluster", "Hours", 0.10, "hours", 24),
        Sku("AWS Lambda", "Compute", "Serverless Compute", "Function", "Lambda-GB-Second",
            "Lambda-GB-Second", "GB-Seconds", 0.0000166667, "metered", 900000),
        Sku("Amazon Relational Database Service", "Databases", "Relational Databases",
            "DB Instance", "db.r6g.large", "InstanceUsage:db.r6g.large", "Hours", 0.258,
            "hours", 24, True, False, True),
        Sku("Amazon DynamoDB", "Databases", "NoSQL Databases", "Table", "DDB-ReadRequestUnits",
            "ReadRequestUnits", "Requests", 0.00000025, "metered", 40000000),
        Sku("Amazon ElastiCache", "Databases", "Caching", "Cache Cluster", "cache.r6g.large",
            "NodeUsage:cache.r6g.large", "Hours", 0.206, "hours", 24, True),
        Sku("Amazon Simple Storage Service", "Storage", "Object Storage", "Bucket",
            "S3-Standard-Storage", "TimedStorage-ByteHrs", "GB-Months", 0.023 / 30, "metered",
            9000),
        Sku("Amazon CloudFront", "Networking", "Content Delivery", "Distribution",
            "CF-DataTransfer-Out", "DataTransfer-Out-Bytes", "GB", 0.085, "metered", 120),
        Sku("Amazon CloudWatch", "Management and Governance", "Observability", "Log Group",
            "CW-Logs-Ingestion", "DataProcessing-Bytes", "GB", 0.50, "metered", 14),
        Sku("Amazon SageMaker", "AI and Machine Learning", "Machine Learning",
            "Training Job", "ml.g5.2xlarge", "Train:ml.g5.2xlarge", "Hours", 1.515, "hours", 6),
        Sku("Amazon Redshift", "Databases", "Data Warehouses", "Cluster", "ra3.xlplus",
            "Node:ra3.xlplus", "Hours", 1.086, "hours", 24, True),
    ),
    "Microsoft": (
        Sku("Virtual Machines", "Compute", "Virtual Machines", "Virtual machine",
            "DZH318Z0BQ4L", "D4s v5", "Hours", 0.192, "hours", 24, True, True, True),
        Sku("Azure Kubernetes Service", "Compute", "Containers", "Managed cluster",
            "DZH318Z0BPVW", "Standard Uptime SLA", "Hours", 0.10, "hours", 24),
        Sku("Azure SQL Database", "Databases", "Relational Databases", "SQL database",
            "DZH318Z0BQ6B", "vCore General Purpose Gen5", "Hours", 0.505, "hours", 24, True),
        Sku("Azure Cosmos DB", "Databases", "NoSQL Databases", "Database account",
            "DZH318Z0BR1F", "100 RU/s", "Hours", 0.008, "metered", 960),
        Sku("Storage", "Storage", "Object Storage", "Storage account", "DZH318Z0BNXN",
            "Hot LRS Data Stored", "GB-Months", 0.0184 / 30, "metered", 7000),
        Sku("Azure Monitor", "Management and Governance", "Observability",
            "Log Analytics workspace", "DZH318Z0BP1X", "Analytics Logs Data Ingestion", "GB",
            2.30, "metered", 4),
        Sku("Azure OpenAI Service", "AI and Machine Learning", "Generative AI",
            "Cognitive Services account", "DZH318Z0BQ9M", "gpt-4o Input Tokens",
            "1K Tokens", 0.0025, "metered", 60000),
        Sku("Azure Front Door", "Networking", "Content Delivery", "Front Door profile",
            "DZH318Z0BPN4", "Data Transfer Out", "GB", 0.083, "metered", 80),
    ),
    "Google Cloud": (
        Sku("Compute Engine", "Compute", "Virtual Machines", "Instance", "CP-COMPUTEENGINE-N2",
            "N2 Instance Core and Ram", "Hours", 0.3885, "hours", 24, True, True, True),
        Sku("Kubernetes Engine", "Compute", "Containers", "Cluster", "CP-GKE-CLUSTER",
            "Autopilot Cluster Management Fee", "Hours", 0.10, "hours", 24),
        Sku("Cloud SQL", "Databases", "Relational Databases", "Database instance",
            "CP-CLOUDSQL-PG", "Cloud SQL for PostgreSQL: vCPU + RAM", "Hours", 0.4135,
            "hours", 24, True),
        Sku("BigQuery", "Databases", "Data Warehouses", "Dataset", "CP-BQ-ANALYSIS",
            "Analysis (on-demand)", "TiB", 6.25, "metered", 3),
        Sku("Cloud Storage", "Storage", "Object Storage", "Bucket", "CP-GCS-STANDARD",
            "Standard Storage US Multi-region", "GB-Months", 0.026 / 30, "metered", 12000),
        Sku("Vertex AI", "AI and Machine Learning", "AI Platforms", "Endpoint",
            "CP-VERTEX-PRED", "Online Prediction n1-standard-4", "Hours", 0.219, "hours", 24),
        Sku("Cloud Run", "Compute", "Serverless Compute", "Service", "CP-RUN-CPU",
            "CPU Allocation Time", "vCPU-Seconds", 0.000024, "metered", 250000),
        Sku("Cloud Logging", "Management and Governance", "Observability", "Log bucket",
            "CP-LOGGING-INGEST", "Log Volume", "GB", 0.50, "metered", 10),
    ),
}


@dataclass(frozen=True)
class App:
    name: str
    team: str
    provider: str
    services: tuple[str, ...]  # ServiceNames it runs on (its provider's catalog)
    transactions_per_day: float  # business volume at the start of the window
    revenue_per_transaction: float  # USD
    growth: float  # yearly growth of volume (and so of cost)


TEAMS: tuple[str, ...] = (
    "payments", "checkout", "search", "data-platform", "ml-platform", "identity", "growth",
)

_EC2 = "Amazon Elastic Compute Cloud"
_RDS = "Amazon Relational Database Service"
APPS: tuple[App, ...] = (
    App("payments-api", "payments", "AWS",
        (_EC2, _RDS, "Amazon ElastiCache", "Amazon CloudWatch", "Amazon DynamoDB"),
        52000, 0.9, 0.35),
    App("ledger", "payments", "AWS", (_EC2, _RDS, "Amazon Simple Storage Service"),
        50000, 0.3, 0.30),
    App("fraud-scoring", "payments", "AWS", ("Amazon SageMaker", _EC2, "AWS Lambda"),
        48000, 0.2, 0.40),
    App("checkout-web", "checkout", "AWS",
        (_EC2, "Amazon CloudFront", "Amazon Elastic Kubernetes Service", "Amazon CloudWatch"),
        30000, 1.4, 0.45),
    App("cart-service", "checkout", "AWS", (_EC2, "Amazon DynamoDB", "Amazon ElastiCache"),
        41000, 0.6, 0.40),
    App("pricing-engine", "checkout", "Microsoft",
        ("Virtual Machines", "Azure SQL Database", "Azure Monitor"), 39000, 0.4, 0.25),
    App("search-api", "search", "Google Cloud",
        ("Compute Engine", "Kubernetes Engine", "Cloud Logging"), 210000, 0.05, 0.50),
    App("indexer", "search", "Google Cloud", ("Compute Engine", "Cloud Storage", "Cloud Run"),
        90000, 0.02, 0.35),
    App("recommendations", "search", "Google Cloud",
        ("Vertex AI", "BigQuery", "Compute Engine"), 160000, 0.08, 0.60),
    App("data-lake", "data-platform", "Google Cloud",
        ("Cloud Storage", "BigQuery", "Compute Engine"), 12000, 0.5, 0.30),
    App("etl-pipeline", "data-platform", "AWS",
        (_EC2, "Amazon Redshift", "Amazon Simple Storage Service", "AWS Lambda"),
        8000, 0.7, 0.25),
    App("bi-dashboards", "data-platform", "Microsoft",
        ("Virtual Machines", "Azure SQL Database", "Storage"), 3000, 1.5, 0.15),
    App("model-training", "ml-platform", "AWS",
        ("Amazon SageMaker", "Amazon Simple Storage Service", _EC2), 900, 20.0, 0.55),
    App("feature-store", "ml-platform", "Google Cloud",
        ("BigQuery", "Cloud SQL", "Cloud Storage"), 70000, 0.05, 0.40),
    App("inference-gateway", "ml-platform", "Microsoft",
        ("Azure OpenAI Service", "Azure Kubernetes Service", "Virtual Machines"),
        65000, 0.12, 0.90),
    App("auth-service", "identity", "Microsoft",
        ("Virtual Machines", "Azure Cosmos DB", "Azure Front Door"), 260000, 0.01, 0.30),
    App("user-profile", "identity", "Microsoft",
        ("Azure Cosmos DB", "Virtual Machines", "Storage"), 140000, 0.02, 0.30),
    App("marketing-site", "growth", "Google Cloud", ("Cloud Run", "Cloud Storage"),
        45000, 0.15, 0.20),
    App("notifications", "growth", "AWS", ("AWS Lambda", _EC2, "Amazon DynamoDB"),
        110000, 0.01, 0.35),
)

# fmt: on

ENVS: tuple[str, ...] = ("prod", "staging", "dev")

#: Resources per (app, service) in each environment, before scaling to the requested size.
ENV_RESOURCES: dict[str, int] = {"prod": 5, "staging": 2, "dev": 2}

#: Daily volume multiplier of non-production environments.
ENV_VOLUME: dict[str, float] = {"prod": 1.0, "staging": 0.35, "dev": 0.2}
