"""The demo workspace's costmark.yaml: every later command works on it out of the box."""

from __future__ import annotations

#: First line marks a workspace ``costmark demo`` may overwrite without ``--force``.
MARKER = "# costmark demo workspace"

DEMO_CONFIG = f"""{MARKER} (written by `costmark demo`; edit freely, then re-run commands).
# Definitions are code: keep this file in git. Records live in .costmark/ (not in git).
version: 1
name: Acme Corp (costmark demo)

# The demo bills one Azure account in EUR. Currencies are never summed together: without
# rates every result comes per currency. With these rates, results are reported in USD
# (remove this block to see the EUR account on its own).
currency:
  reporting: USD
  rates: {{EUR: 1.08}}

dimensions:
  team:
    description: Owning team; the resource's team tag, else the account's team
    allocation: true
    rules:
      - tag: team
      - column: SubAccountId
        file: mappings/team_by_account.csv
    default: unallocated
  app:
    description: Application (tag app)
    allocation: true
    tag: app
  env:
    description: Environment (tag env)
    tag: env
  service:
    column: ServiceName
  service_category:
    column: ServiceCategory
  provider:
    column: ProviderName
  account:
    column: SubAccountId
  region:
    column: RegionId

business_metrics:
  transactions:
    unit: transaction
    aggregation: sum
    description: Completed business transactions per app
  customers:
    unit: customer
    aggregation: average
    description: Active customers per app (a stock, so averaged over a period)
  revenue:
    unit: USD
    aggregation: sum
    currency: USD
    description: Revenue attributed to each app

# Budgets (costmark budgets): amounts per period for a scope, in the reporting currency.
budgets:
  cloud-monthly:
    amount: 118000
    period: month
    description: Whole cloud bill
  ml-platform-monthly:
    amount: 36000
    period: month
    scope: {{team: ml-platform}}

# Targets (costmark benchmark KPI --against targets): the industry medians are a fair start.
targets:
  - kpi: effective_savings_rate
    value: 0.15
    tolerance: 0.03
  - kpi: commitment_coverage
    value: 0.60
    tolerance: 0.10
  - kpi: allocation_coverage
    value: 0.90
    tolerance: 0.05

# Scheduled reports (costmark schedule run, or costmark serve runs them).
schedules:
  - name: weekly-review
    cron: "0 7 * * MON"
    cadence: weekly
    format: md
    destination: {{folder: reports/}}

# Alerts, evaluated after each ingest the server sees (costmark alerts run).
alerts:
  rules:
    - {{name: big-anomalies, kind: anomaly, severity: high}}
    - {{name: budgets, kind: budget_over}}
"""
