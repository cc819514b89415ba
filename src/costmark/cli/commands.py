"""Registry of command groups: one line per subsystem, so adding a group touches one place."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    # Each subsystem adds one import + add_typer/command line here.
    from costmark.cli import focus as focus_cli

    focus_cli.register(app)  # validate, ingest focus|log|quarantine
    from costmark.cli import business as business_cli
    from costmark.cli import demo as demo_cli

    business_cli.register(app)  # ingest business|utilization|recommendations
    from costmark.cli import convert as convert_cli

    convert_cli.register(app)  # convert, ingest aws-cur|azure|gcp|oci
    from costmark.cli import contracts as contracts_cli

    contracts_cli.register(app)  # contracts (FOCUS 1.3+ contract commitment burn-down)
    demo_cli.register(app)  # demo
    from costmark.cli import tracking as tracking_cli

    tracking_cli.register(app)  # track, forecast, anomalies, budgets
    from costmark.cli import maturity as maturity_cli

    maturity_cli.register(app)  # assess [show|list|capabilities|evidence], iteration ...
    from costmark.cli import reports as reports_cli

    reports_cli.register(app)  # report, serve, schedule, token, alerts
    from costmark.cli import benchmarking as benchmarking_cli

    benchmarking_cli.register(app)  # benchmark KPI|run|export|import|packs|baseline|references
    from costmark.cli import kpi as kpi_cli

    kpi_cli.register(app)  # kpi, explain, check, schema
    return None
