"""Versioned, forward-only warehouse migrations.

Each migration has a unique id and is applied once, in list order, inside a transaction; the
ids applied are recorded in ``_migrations``. A warehouse holding an id this code does not know
was written by a newer costmark, and is refused rather than silently misread.

Subsystems append their own migrations at the end of ``MIGRATIONS``; never edit or reorder one
that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from costmark.focus.columns import FOCUS_14_ADDITIONS
from costmark.focus.datasets import DATASETS, create_table_sql
from costmark.focus.schema import create_cost_table_sql, duck_type


@dataclass(frozen=True)
class Migration:
    id: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _sql(*statements: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def run(con: duckdb.DuckDBPyConnection) -> None:
        for statement in statements:
            con.execute(statement)

    return run


_CORE = _sql(
    create_cost_table_sql(),
    """CREATE TABLE IF NOT EXISTS ingest_log (
        ingest_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,             -- focus, business, utilization, recommendations
        file VARCHAR NOT NULL,
        sha256 VARCHAR,
        focus_version VARCHAR,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        rows_read BIGINT,
        rows_loaded BIGINT,
        rows_quarantined BIGINT,
        rows_replaced BIGINT,
        billing_periods VARCHAR,           -- JSON list of ISO dates
        totals VARCHAR,                    -- JSON {currency: {BilledCost: "...", ...}}
        status VARCHAR NOT NULL,           -- running, ok, failed
        message VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS quarantine (
        ingest_id VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL,
        source_row BIGINT NOT NULL,
        reasons VARCHAR NOT NULL,          -- JSON list of {rule, column, message}
        record VARCHAR NOT NULL            -- the raw row as JSON, nothing lost
    )""",
    """CREATE TABLE IF NOT EXISTS business_metrics (
        metric VARCHAR NOT NULL,
        date DATE NOT NULL,
        dimensions VARCHAR NOT NULL,       -- canonical JSON of dimension values, '{}' for none
        value DOUBLE NOT NULL,
        x_IngestId VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS utilization (
        resource_id VARCHAR NOT NULL,
        date DATE NOT NULL,
        cpu_pct DOUBLE,
        memory_pct DOUBLE,
        x_IngestId VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS recommendations (
        id VARCHAR PRIMARY KEY,
        resource_id VARCHAR,
        category VARCHAR,
        estimated_monthly_savings DECIMAL(38, 18),
        currency VARCHAR,
        status VARCHAR NOT NULL,           -- open, closed (implemented), dismissed
        opened DATE,
        closed DATE,
        realized_monthly_savings DECIMAL(38, 18),
        x_IngestId VARCHAR
    )""",
)

MIGRATIONS: list[Migration] = [
    Migration("0001_core", _CORE),
    Migration(
        "0060_reports",
        _sql(
            """CREATE TABLE IF NOT EXISTS api_tokens (
                id VARCHAR PRIMARY KEY,            -- public id, first part of the token
                name VARCHAR,
                role VARCHAR NOT NULL,             -- admin, analyst, viewer
                scope VARCHAR NOT NULL,            -- canonical JSON {dimension: value}, '{}' = all
                token_hash VARCHAR NOT NULL,       -- sha256 of the secret; the secret is not kept
                created_at TIMESTAMP NOT NULL,
                revoked_at TIMESTAMP
            )""",
            """CREATE TABLE IF NOT EXISTS report_runs (
                id VARCHAR PRIMARY KEY,
                schedule VARCHAR,                  -- schedule name, NULL for ad-hoc runs
                cadence VARCHAR NOT NULL,
                period VARCHAR,
                format VARCHAR NOT NULL,
                destination VARCHAR,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                status VARCHAR NOT NULL,           -- ok, failed
                message VARCHAR
            )""",
            """CREATE TABLE IF NOT EXISTS alert_log (
                id VARCHAR PRIMARY KEY,
                rule VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                dedup_key VARCHAR NOT NULL,
                fired_at TIMESTAMP NOT NULL,
                status VARCHAR NOT NULL,           -- delivered, logged, failed
                attempts INTEGER NOT NULL,
                severity VARCHAR,
                dimensions VARCHAR NOT NULL,       -- JSON {dimension: value} of the subject
                message VARCHAR NOT NULL,
                payload VARCHAR                    -- JSON details
            )""",
        ),
    ),
    Migration(
        "0050_maturity",
        _sql(
            """CREATE TABLE IF NOT EXISTS maturity_assessments (
                id VARCHAR PRIMARY KEY,            -- a-YYYYMMDD-HHMMSS
                assessed_at TIMESTAMP NOT NULL,
                group_key VARCHAR NOT NULL,        -- 'org' or 'team=payments'
                document VARCHAR NOT NULL          -- JSON: answers, evidence, scores
            )""",
            """CREATE TABLE IF NOT EXISTS maturity_scores (
                assessment_id VARCHAR NOT NULL,
                capability VARCHAR NOT NULL,       -- current-framework capability id
                lens VARCHAR NOT NULL,             -- one of the five lenses
                answered INTEGER,                  -- what people said (0-4)
                current_score INTEGER NOT NULL,    -- after evidence
                target_score INTEGER NOT NULL,
                stage VARCHAR NOT NULL,            -- none, crawl, walk, run
                explanation VARCHAR
            )""",
            """CREATE TABLE IF NOT EXISTS iterations (
                id VARCHAR PRIMARY KEY,            -- it-1, it-2, ...
                number INTEGER NOT NULL,
                status VARCHAR NOT NULL,           -- active, reviewed
                created_at TIMESTAMP NOT NULL,
                document VARCHAR NOT NULL          -- JSON: scope, goals, baselines, review
            )""",
        ),
    ),
    Migration(
        "0010_tracking",
        _sql(
            """CREATE TABLE IF NOT EXISTS forecast_snapshots (
                snapshot_id VARCHAR NOT NULL,      -- one id per forecast run
                created_at TIMESTAMP NOT NULL,     -- when the forecast was made (UTC)
                as_of DATE,                        -- last day of actual data it used
                kpi VARCHAR NOT NULL,
                grain VARCHAR NOT NULL,            -- day, week, month, quarter, year
                scope VARCHAR NOT NULL,            -- canonical JSON {dimension: value}, '{}' = all
                filter VARCHAR,                    -- the --where filter as given, NULL for none
                currency VARCHAR,
                period_start DATE NOT NULL,
                forecast DOUBLE,
                lower DOUBLE,
                upper DOUBLE,
                method VARCHAR NOT NULL
            )""",
        ),
    ),
    Migration(
        "0040_benchmarking",
        _sql(
            """CREATE TABLE IF NOT EXISTS benchmark_baselines (
                name VARCHAR PRIMARY KEY,
                baseline_date DATE NOT NULL,       -- compared by the period holding it
                note VARCHAR,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE IF NOT EXISTS benchmark_packs (
                pack_id VARCHAR PRIMARY KEY,       -- the pack's own random id
                label VARCHAR,                     -- who it came from, as the importer names it
                source_file VARCHAR,
                created DATE,                      -- when the pack was made
                imported_at TIMESTAMP NOT NULL,
                grain VARCHAR NOT NULL,
                unit VARCHAR NOT NULL,             -- what a member is (team, app, account...)
                cohorting VARCHAR,
                distributions INTEGER NOT NULL
            )""",
            """CREATE TABLE IF NOT EXISTS benchmark_pack_rows (
                pack_id VARCHAR NOT NULL,
                kpi VARCHAR NOT NULL,
                period_start DATE NOT NULL,
                cohort VARCHAR NOT NULL,
                currency VARCHAR,
                members INTEGER NOT NULL,
                p10 DOUBLE, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE, p90 DOUBLE
            )""",
        ),
    ),
    Migration(
        "0070_focus_datasets",
        _sql(*(create_table_sql(spec) for spec in DATASETS)),
    ),
    Migration(
        # FOCUS 1.4 Cost and Usage columns for warehouses created before them (a new warehouse
        # already has them from 0001_core, which builds the current canonical table).
        "0080_focus14_cost_columns",
        _sql(*(
            f'ALTER TABLE costs ADD COLUMN IF NOT EXISTS "{c.name}" {duck_type(c)}'
            for c in FOCUS_14_ADDITIONS
        )),
    ),
    Migration(
        # FOCUS 1.4 corrections (costmark.ingest.corrections): which charge days a delta,
        # ledger or replacement delivery corrected, so KPIs of those periods can say so.
        "0090_corrections",
        _sql(
            """CREATE TABLE IF NOT EXISTS corrections (
                ingest_id VARCHAR NOT NULL,
                file VARCHAR,
                delivery VARCHAR NOT NULL,         -- replacement, delta, ledger, correction rows
                provider VARCHAR,
                billing_account VARCHAR,
                billing_period TIMESTAMP,
                charge_from TIMESTAMP,             -- first corrected charge period start
                charge_to TIMESTAMP,               -- last corrected charge period end
                rows BIGINT,
                billed DECIMAL(38, 18),            -- Σ BilledCost the correction moved
                recorded_at TIMESTAMP
            )""",
            # FOCUS 1.4 TagDetails (tag eligibility) for warehouses created before it
            'ALTER TABLE costs ADD COLUMN IF NOT EXISTS "TagDetails" JSON',
        ),
    ),
]
