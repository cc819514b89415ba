"""The demo workspace's costmark.yaml: every later command works on it out of the box."""

from __future__ import annotations

#: First line marks a workspace ``costmark demo`` may overwrite without ``--force``.
MARKER = "# costmark demo workspace"

DEMO_CONFIG = f"""{MARKER} (written by `costmark demo`; edit freely, then re-run commands).
# Definitions are code: keep this file in git. Records live in .costmark/ (not in git).
version: 1
name: Acme Corp (costmark demo)

# The demo bills one Azure account in EUR: results come per currency unless rates are given:
# currency:
#   reporting: USD
#   rates: {{EUR: 1.08}}

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
"""
