"""``costmark ingest business|utilization|recommendations``: the side files KPIs need.

Attached to the one ``ingest`` group owned by ``cli/focus.py``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from costmark import api
from costmark.cli.focus import ingest_app
from costmark.cli.options import FormatOpt, OutputFormat, WorkspaceOpt
from costmark.cli.output import emit

PathArg = Annotated[str, typer.Argument(help="CSV, CSV.gz or Parquet file.")]


class LayoutChoice(StrEnum):
    auto = "auto"
    long = "long"
    wide = "wide"


def _emit(summary: dict[str, Any], fmt: OutputFormat, title: str) -> None:
    if fmt is OutputFormat.json:
        emit([summary], fmt, document=summary)
        return
    flat = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in summary.items()}
    if isinstance(flat.get("by_status"), dict):
        flat["by_status"] = ", ".join(f"{k} {v}" for k, v in summary["by_status"].items())
    emit([flat], fmt, title=title)


@ingest_app.command("business")
def ingest_business(
    path: PathArg,
    layout: Annotated[
        LayoutChoice,
        typer.Option(
            "--layout",
            help="long: date,metric,value[,dims]; wide: date[,dims],<metric>...; auto: detect.",
            case_sensitive=False,
        ),
    ] = LayoutChoice.auto,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Load business metrics declared in costmark.yaml (transactions, customers, revenue...).

    Re-loading replaces the (metric, dimension values, date) rows the file covers, so loading
    twice changes nothing. Extra columns must be declared dimensions (app, team...).
    """
    with api.open_workspace(workspace) as ws:
        _emit(ws.ingest_business(path, format=layout.value), fmt, "business metrics loaded")


@ingest_app.command("utilization")
def ingest_utilization(
    path: PathArg, workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table
) -> None:
    """Load resource utilization samples: resource_id, date, cpu_pct, memory_pct (0-100).

    Re-loading replaces the (resource, date) samples the file covers.
    """
    with api.open_workspace(workspace) as ws:
        _emit(ws.ingest_utilization(path), fmt, "utilization loaded")


@ingest_app.command("recommendations")
def ingest_recommendations(
    path: PathArg, workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table
) -> None:
    """Load optimization recommendations; upserted by id (the latest status wins).

    Columns: id, resource_id, category, estimated_monthly_savings, currency, status
    (open|closed|dismissed), opened, closed, realized_monthly_savings.
    """
    with api.open_workspace(workspace) as ws:
        _emit(ws.ingest_recommendations(path), fmt, "recommendations loaded")


def register(app: typer.Typer) -> None:
    """Nothing to add at the top level: importing this module attached the commands to the
    ``ingest`` group, which ``cli/focus.py`` registers."""
    return None
