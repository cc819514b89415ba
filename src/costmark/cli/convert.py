"""``costmark convert`` and ``costmark ingest aws-cur|azure|gcp|oci``: native billing exports in.

Years of history sit in providers' native exports while FOCUS exports start on the day they are
switched on; these commands take those files as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from costmark import api
from costmark.cli.focus import PathsArg, ingest_app
from costmark.cli.options import AlertsOpt, FormatOpt, OutputFormat, WorkspaceOpt
from costmark.cli.output import console, emit, err_console
from costmark.present.numbers import count

SOURCES = ("aws-cur", "azure", "gcp", "oci")

FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="The export's kind: aws-cur (legacy CUR and CUR 2.0), azure (EA/MCA cost details, "
        "actual or amortized), gcp (billing export, CSV or JSON lines), oci (cost reports). "
        "Detected from the columns when left out.",
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="Billing currency (ISO 4217) for exports that name none (some Azure subsets).",
    ),
]


#: Exact totals shown as money in tables (JSON and CSV keep every digit).
MONEY_COLUMNS = {"BilledCost": "currency", "EffectiveCost": "currency"}


def _rows(results: list[Any], fmt: OutputFormat) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for r in results:
        d = r.to_dict()
        for currency, totals in (d["totals"] or {"": {}}).items():
            provider = d["provider_totals"].get(currency, {})
            rows.append(
                {
                    "file": Path(d["file"]).name if fmt is OutputFormat.table else d["file"],
                    "format": d["format"],
                    "rows_read": d["rows_read"],
                    "rows_written": d["rows_written"],
                    "currency": currency,
                    "BilledCost": totals.get("BilledCost", ""),
                    "EffectiveCost": totals.get("EffectiveCost", ""),
                    "reconciled": "yes" if totals == provider else "NO",
                    "output": d["output"] or "",
                }
            )
    return rows


def _explain(results: list[Any]) -> None:
    seen: set[str] = set()
    for r in results:
        if r.source not in seen:
            seen.add(r.source)
            for col, how in r.cost_sources.items():
                console.print(f"{r.source}: {col} = {how}", highlight=False, markup=False)
        for note in r.notes:
            err_console.print(f"note: {Path(r.file).name}: {note}", highlight=False, markup=False)


def convert(
    paths: PathsArg,
    source: FromOpt = None,
    to: Annotated[
        Path | None,
        typer.Option(
            "--to", help="Folder for the FOCUS Parquet files (default: beside each input)."
        ),
    ] = None,
    focus_version: Annotated[
        str, typer.Option("--focus-version", help="FOCUS version to write (1.2).")
    ] = "1.2",
    currency: CurrencyOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Convert native billing exports to FOCUS 1.2 Parquet (<name>.focus.parquet) that
    `costmark validate` passes. Converted BilledCost and EffectiveCost per currency must equal
    the provider's own cost columns, or nothing is written (exit 1)."""
    from costmark.convert import convert_files
    from costmark.errors import UsageError

    if focus_version != "1.2":
        raise UsageError("--focus-version: conversions write FOCUS 1.2")
    results = convert_files(paths, source=source, out_dir=to, currency=currency)
    if fmt is OutputFormat.json:
        emit([], fmt, document={"files": [r.to_dict() for r in results]})
        return
    emit(_rows(results, fmt), fmt, title="native export -> FOCUS", units=MONEY_COLUMNS)
    if fmt is OutputFormat.table:
        _explain(results)


def _ingest_command(kind: str) -> Any:
    def command(
        paths: PathsArg,
        strict: Annotated[
            bool,
            typer.Option("--strict", help="All or nothing: any problem refuses the whole load."),
        ] = False,
        currency: CurrencyOpt = None,
        alerts: AlertsOpt = True,
        workspace: WorkspaceOpt = None,
        fmt: FormatOpt = OutputFormat.table,
    ) -> None:
        with api.open_workspace(workspace) as ws:
            results, summary = ws.convert_native(
                paths,
                source=kind,
                strict=strict,
                currency=currency,
                progress=fmt is OutputFormat.table,
            )
            fired = ws.evaluate_alerts() if alerts and ws.project.alerts.rules else []
        if fired:
            err_console.print(f"{len(fired)} new alert(s); see: costmark alerts log",
                              highlight=False)
        doc = {"conversions": [r.to_dict() for r in results], **summary.to_dict()}
        if fmt is OutputFormat.json:
            emit([], fmt, document=doc)
            return
        emit(_rows(results, fmt), fmt, title=f"{kind} -> FOCUS", units=MONEY_COLUMNS)
        if fmt is OutputFormat.table:
            _explain(results)
            console.print(
                f"loaded {count(summary.rows_loaded)} rows, quarantined "
                f"{count(summary.rows_quarantined)}",
                highlight=False,
            )

    command.__doc__ = (
        f"Convert {kind} native exports to FOCUS and load them in one step (same lineage, "
        "quarantine, idempotence and atomicity as `ingest focus`; a restated export replaces "
        "its slices). The FOCUS Parquet is kept in .costmark/converted/."
    )
    return command


def register(app: typer.Typer) -> None:
    app.command("convert")(convert)
    for kind in SOURCES:
        ingest_app.command(kind)(_ingest_command(kind))
