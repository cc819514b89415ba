"""Options every command shares, so they are spelled and documented the same everywhere."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from costmark.workspace import ENV_VAR


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar=ENV_VAR,
        help=f"Workspace folder (default: ${ENV_VAR} or the current folder).",
        show_default=False,
    ),
]

FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge as of this day, YYYY-MM-DD (the last day counted); default: the last day "
        "of the data in scope.",
        show_default=False,
    ),
]

AlertsOpt = Annotated[
    bool,
    typer.Option(
        "--alerts/--no-alerts",
        help="Evaluate the alert rules of costmark.yaml after the load (when any exist).",
    ),
]

EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Engine that computes: duckdb or spark (default: engine: in costmark.yaml, "
        "else duckdb).",
        show_default=False,
    ),
]
