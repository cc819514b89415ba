"""Synthetic FOCUS 1.2 files of any size, generated in DuckDB SQL (millions of rows per second).

Not demo data (see ``costmark.demo`` for a realistic organisation): these rows only need the
right shape, valid values and a spread of slices, for benchmarks and crash tests. Every row is
valid FOCUS 1.2, so ``costmark validate`` reports nothing on them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from costmark.focus.columns import ColumnType, columns
from costmark.focus.reader import qident, qstr

_VALUES: dict[str, str] = {
    "AvailabilityZone": "'zone-' || (h % 3)",
    "BilledCost": "CAST((h % 100000) / 10000.0 AS DECIMAL(38, 18))",
    "BillingAccountId": "'acct-' || (h % 4)",
    "BillingAccountName": "'Account ' || (h % 4)",
    "BillingAccountType": "'Billing Account'",
    "BillingCurrency": "'USD'",
    "BillingPeriodEnd": "(date_trunc('month', cps) + INTERVAL 1 MONTH)",
    "BillingPeriodStart": "date_trunc('month', cps)",
    "ChargeCategory": "'Usage'",
    "ChargeDescription": "'Compute hours of ' || svc",
    "ChargeFrequency": "'Usage-Based'",
    "ChargePeriodEnd": "cps + INTERVAL 1 HOUR",
    "ChargePeriodStart": "cps",
    "ConsumedQuantity": "CAST(1 + h % 7 AS DECIMAL(38, 18))",
    "ConsumedUnit": "'Hours'",
    "ContractedCost": "CAST((h % 100000) / 10000.0 AS DECIMAL(38, 18))",
    "ContractedUnitPrice": "CAST(0.25 AS DECIMAL(38, 18))",
    "EffectiveCost": "CAST((h % 100000) / 10000.0 AS DECIMAL(38, 18))",
    "InvoiceIssuerName": "prov",
    "ListCost": "CAST((h % 100000) / 8000.0 AS DECIMAL(38, 18))",
    "ListUnitPrice": "CAST(0.3125 AS DECIMAL(38, 18))",
    "PricingCategory": "'Standard'",
    "PricingCurrency": "'USD'",
    "PricingQuantity": "CAST(1 + h % 7 AS DECIMAL(38, 18))",
    "PricingUnit": "'Hours'",
    "ProviderName": "prov",
    "PublisherName": "prov",
    "RegionId": "'region-' || (h % 5)",
    "RegionName": "'Region ' || (h % 5)",
    "ResourceId": "'res-' || (h % 20000)",
    "ResourceName": "'resource ' || (h % 20000)",
    "ResourceType": "'Virtual Machine'",
    "ServiceCategory": "'Compute'",
    "ServiceName": "svc",
    "ServiceSubcategory": "'Virtual Machines'",
    "SkuId": "'sku-' || (h % 50)",
    "SkuPriceId": "'price-' || (h % 50)",
    "SubAccountId": "'sub-' || (h % 25)",
    "SubAccountName": "'Sub ' || (h % 25)",
    "SubAccountType": "'Project'",
    "Tags": "CASE WHEN h % 5 = 0 THEN NULL ELSE "
    '\'{"team": "team-\' || (h % 6) || \'", "app": "app-\' || (h % 17) || '
    "'\", \"env\": \"' || CASE WHEN h % 3 = 0 THEN 'dev' ELSE 'prod' END || '\"}' END",
}


def synthetic_focus_sql(rows: int, *, seed: int = 0) -> str:
    """SELECT producing ``rows`` FOCUS 1.2 rows over ~12 months, 3 providers, 4 accounts."""
    selects = []
    for spec in columns("1.2"):
        expr = _VALUES.get(spec.name)
        if expr is None:
            typ = {
                ColumnType.DECIMAL: "DECIMAL(38, 18)",
                ColumnType.DATETIME: "TIMESTAMP",
            }.get(spec.type, "VARCHAR")
            expr = f"CAST(NULL AS {typ})"
        selects.append(f"{expr} AS {qident(spec.name)}")
    return (
        "SELECT " + ", ".join(selects) + " FROM (SELECT h, "
        "TIMESTAMP '2024-01-01' + to_hours(CAST(i * 8760 // greatest(n, 1) AS BIGINT)) AS cps, "
        "['Cloud A', 'Cloud B', 'Cloud C'][1 + h % 3] AS prov, "
        "'Service ' || (h % 40) AS svc FROM (SELECT i, n, "
        f"CAST(hash(i + {int(seed)} * 1000003) % 1000000007 AS BIGINT) AS h "
        f"FROM range({int(rows)}) t(i), "
        f"(SELECT {int(rows)} AS n)))"
    )


def write_synthetic_focus(
    path: str | Path, rows: int, *, seed: int = 0, con: duckdb.DuckDBPyConnection | None = None
) -> Path:
    """Write ``rows`` synthetic FOCUS 1.2 rows to ``path`` (.parquet, .csv or .csv.gz)."""
    out = Path(path)
    own = con is None
    connection = duckdb.connect() if con is None else con
    try:
        name = out.name.lower()
        if name.endswith(".parquet"):
            fmt = "(FORMAT parquet)"
        elif name.endswith(".csv.gz"):
            fmt = "(FORMAT csv, HEADER true, COMPRESSION gzip)"
        else:
            fmt = "(FORMAT csv, HEADER true)"
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET enable_progress_bar = false")
        connection.execute(
            f"COPY ({synthetic_focus_sql(rows, seed=seed)}) TO {qstr(str(out))} {fmt}"
        )
    finally:
        if own:
            connection.close()
    return out
