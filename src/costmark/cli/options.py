"""Options every command shares, so they are spelled and documented the same everywhere, and
the one parser of the dates they take (``--from``, ``--to``, ``--as-of``, ``--period``...)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

import typer

from costmark.errors import UsageError
from costmark.workspace import ENV_VAR

#: What every date option accepts, as its help and errors say it.
DATE_FORMS = "YYYY-MM-DD, or YYYY-MM for a whole month"
_DAY = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def parse_day(text: str | None, option: str, *, last: bool = False) -> dt.date | None:
    """The day ``text`` names, for the command-line ``option`` it came from.

    Accepts YYYY-MM-DD or YYYY-MM (a month: its first day, or its last with ``last``, which
    ``--to`` and ``--as-of`` use so "--to 2024-03" includes all of March). Why one parser:
    commands used to accept different forms (one took YYYY-MM, another compact 20240131);
    now every date option reads the same text, and a wrong one is a UsageError (exit 2)
    that names the option and the accepted forms."""
    if text is None:
        return None
    match = _DAY.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        year, month = int(match[1]), int(match[2])
        if match[3] is not None:
            return dt.date(year, month, int(match[3]))
        day = calendar.monthrange(year, month)[1] if last else 1
        return dt.date(year, month, day)
    except ValueError:
        raise UsageError(f"{option} expects a date {DATE_FORMS}; got {text!r}") from None


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
        help=f"Judge as of this day, {DATE_FORMS} (the last day counted); default: the last "
        "day of the data in scope.",
        show_default=False,
    ),
]

FromOpt = Annotated[
    str | None,
    typer.Option("--from", help=f"First day of data used ({DATE_FORMS}).", show_default=False),
]

ToOpt = Annotated[
    str | None,
    typer.Option("--to", help=f"Last day of data used, inclusive ({DATE_FORMS}).",
                 show_default=False),
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
