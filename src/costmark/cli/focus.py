"""``costmark validate`` and the ``costmark ingest`` group (focus, remove, log, quarantine).

Other subsystems attach their ``ingest <kind>`` commands to :data:`ingest_app` (import it and
use ``@ingest_app.command("business")``), so there is one ``ingest`` group.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from costmark import api
from costmark.cli.options import AlertsOpt, FormatOpt, OutputFormat, WorkspaceOpt
from costmark.cli.output import console, emit, err_console, escape
from costmark.present.numbers import count
from costmark.present.numbers import money as present_money

PathsArg = Annotated[
    list[str],
    typer.Argument(help="FOCUS files (CSV, CSV.gz, Parquet), folders or glob patterns."),
]
VersionOpt = Annotated[
    str | None,
    typer.Option(
        "--focus-version",
        help="FOCUS version of the files (1.0, 1.1, 1.2, 1.3); default: detected from columns.",
        show_default=False,
    ),
]

ingest_app = typer.Typer(
    name="ingest",
    help="Load data into the workspace warehouse (FOCUS costs, ...) and inspect past loads.",
    no_args_is_help=True,
)

ISSUE_COLUMNS = ("severity", "rule", "file", "column", "rows", "examples", "message")


def _short(path: str | None) -> str:
    return path.rsplit("/", 1)[-1] if path else ""


def validate(
    paths: PathsArg,
    focus_version: VersionOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    workspace: WorkspaceOpt = None,
) -> None:
    """Check FOCUS files against the spec; every problem is listed with file, rows and column.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors. Needs no
    workspace: it only reads the files. When the workspace folder (default: the current one)
    has a costmark.yaml, its ingest bounds (date range) apply, as they do at ingest.
    """
    report = api.validate_files(paths, focus_version=focus_version, workspace=workspace)
    rows: list[dict[str, Any]] = []
    for issue in report.issues:
        row = issue.to_dict()
        if fmt is OutputFormat.table:
            row["file"] = _short(row["file"])
            row["examples"] = ", ".join(map(str, row["examples"]))
        rows.append(row)
    if fmt is OutputFormat.json:
        emit(rows, fmt, document=report.to_dict())
    elif fmt is OutputFormat.csv:
        emit(rows, fmt, columns=ISSUE_COLUMNS)
    else:
        for info in report.files:
            how = "detected" if info.version_detected else "given"
            err_console.print(
                escape(f"{info.file}: FOCUS {info.focus_version} ({how}), {count(info.rows)} rows"),
                highlight=False,
            )
        if rows:
            cols = ISSUE_COLUMNS if len(report.files) > 1 else ISSUE_COLUMNS[:2] + ISSUE_COLUMNS[3:]
            emit(rows, fmt, columns=cols, title="FOCUS validation")
        verdict = "[green]valid[/green]" if report.ok else "[red]invalid[/red]"
        console.print(
            f"{verdict}: {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        )
    if not report.ok:
        raise typer.Exit(1)


@ingest_app.command("focus")
def ingest_focus(
    paths: PathsArg,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Refuse the whole load (exit 1, nothing written) if any file has validation "
            "errors or unloadable rows, instead of quarantining the rows.",
        ),
    ] = False,
    focus_version: VersionOpt = None,
    delivery: Annotated[
        str,
        typer.Option(
            "--delivery",
            help="replace: each file is the full delivery of its billing periods (default); "
            "delta or ledger: FOCUS 1.4 corrections added to what is stored (re-loading the "
            "same file replaces only its own rows).",
        ),
    ] = "replace",
    alerts: AlertsOpt = True,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Load FOCUS files into the warehouse: replaces each (provider, billing account, billing
    period) slice they contain, in one transaction; unloadable rows go to quarantine. Alert
    rules are evaluated afterwards, so cron-driven loads alert without a running server."""
    if delivery not in ("replace", "delta", "ledger"):
        raise typer.BadParameter("one of replace, delta, ledger", param_hint="--delivery")
    with api.open_workspace(workspace) as ws:
        summary = ws.ingest_focus(
            paths,
            strict=strict,
            focus_version=focus_version,
            progress=fmt is OutputFormat.table,
            delivery=delivery,
        )
        fired = ws.evaluate_alerts() if alerts and ws.project.alerts.rules else []
    if fired:
        err_console.print(f"{len(fired)} new alert(s); see: costmark alerts log",
                          highlight=False)
    doc = summary.to_dict()
    if fmt is OutputFormat.json:
        emit([], fmt, document=doc)
        return
    rows = []
    for f in doc["files"]:
        for currency, totals in (f["totals"] or {"": {}}).items():
            rows.append(
                {
                    "file": _short(f["file"]) if fmt is OutputFormat.table else f["file"],
                    "version": f["focus_version"],
                    "read": f["rows_read"],
                    "loaded": f["rows_loaded"],
                    "quarantined": f["rows_quarantined"],
                    "currency": currency,
                    **totals,
                }
            )
    # Totals are exact Decimals: JSON/CSV keep every digit, the table shows money.
    money_cols = {k for f in doc["files"] for t in (f["totals"] or {}).values() for k in t}
    emit(rows, fmt, title="FOCUS ingest", units=dict.fromkeys(money_cols, "currency"))
    if fmt is OutputFormat.table:
        console.print(
            f"read {count(doc['rows_read'])} = loaded {count(doc['rows_loaded'])} + quarantined "
            f"{count(doc['rows_quarantined'])}; replaced {count(doc['rows_replaced'])} earlier "
            "rows; "
            f"billing periods {', '.join(doc['billing_periods']) or '-'}",
            highlight=False,
        )
        if doc["rows_quarantined"]:
            console.print("see the set-aside rows with: costmark ingest quarantine")
        if doc.get("corrections"):
            console.print(f"{doc['corrections']} corrected slice(s) recorded: KPIs of those "
                          "periods say so", highlight=False)
    for f in doc["files"]:
        for finding in f.get("findings", []):
            err_console.print(f"warning: {finding['file']}: row {finding['row']}, column "
                              f"{finding['column']}: {finding['message']}", highlight=False,
                              markup=False)


@ingest_app.command("remove")
def ingest_remove(
    ingest_id: Annotated[
        list[str] | None,
        typer.Option(
            "--ingest-id",
            help="A file's ingest id, or a whole load's id (the part before '-N'); repeatable. "
            "See: costmark ingest log.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            help="Rows loaded from this file (the path as logged, or the same file by any "
            "path); repeatable.",
            show_default=False,
        ),
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="ProviderName.", show_default=False)
    ] = None,
    billing_account: Annotated[
        str | None,
        typer.Option("--billing-account", help="BillingAccountId.", show_default=False),
    ] = None,
    billing_period: Annotated[
        str | None,
        typer.Option(
            "--billing-period",
            help="YYYY-MM (periods starting in that month) or YYYY-MM-DD.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be removed.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Do not ask for confirmation on a terminal."),
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Take loaded FOCUS rows back out, in one transaction: by ingest id, by file, or by
    provider / billing account / billing period (different criteria narrow each other).
    Quarantined rows of removed loads or files go too. The removal is logged in the ingest log
    and the rollups are refreshed before it commits.

    Exit 0 when rows were removed (or, with --dry-run, would be), 1 when nothing matches or
    the answer to the prompt is no, 2 for missing or malformed criteria. On a terminal it asks
    first unless --yes; in scripts (no terminal) it does not ask.
    """
    options: dict[str, Any] = {
        "ingest_ids": ingest_id or (),
        "files": file or (),
        "provider": provider,
        "billing_account": billing_account,
        "billing_period": billing_period,
    }
    ask = not dry_run and not yes and sys.stdin.isatty()
    with api.open_workspace(workspace) as ws:
        if ask:
            preview = ws.remove_focus(**options, dry_run=True)
            _show_removal(preview, OutputFormat.table)
            if not typer.confirm("remove these rows?", default=False, err=True):
                err_console.print("nothing removed")
                raise typer.Exit(1)
        summary = ws.remove_focus(**options, dry_run=dry_run)
    _show_removal(summary, fmt)


def _show_removal(summary: Any, fmt: OutputFormat) -> None:
    doc = summary.to_dict()
    if fmt is OutputFormat.json:
        emit([], fmt, document=doc)
        return
    emit(
        doc["slices"],
        fmt,
        columns=("provider", "billing_account", "billing_period", "rows"),
        title="would remove" if doc["dry_run"] else "removed",
    )
    if fmt is OutputFormat.table:
        money = "; ".join(
            f"billed {present_money(t.get('BilledCost'), cur)}, "
            f"effective {present_money(t.get('EffectiveCost'), cur)}"
            for cur, t in doc["totals"].items()
        )
        verb = "would remove" if doc["dry_run"] else f"removed ({doc['removal_id']})"
        console.print(
            f"{verb} {count(doc['rows_removed'])} row(s) and {count(doc['rows_unquarantined'])} "
            f"quarantined row(s) from load(s) {', '.join(doc['ingest_ids']) or '-'}"
            + (f"; {money}" if money else ""),
            highlight=False,
        )


@ingest_app.command("log")
def ingest_log(
    limit: Annotated[int, typer.Option(help="Show at most this many loads.")] = 50,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Past loads, newest first: file, sha256, times, rows read/loaded/quarantined, totals."""
    with api.open_workspace(workspace, read_only=True) as ws:
        rows = ws.ingest_log(limit=limit)
    if fmt is OutputFormat.table:
        columns = (
            "ingest_id",
            "kind",
            "file",
            "status",
            "started_at",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "totals",
        )
        for r in rows:
            r["file"] = _short(r["file"])
            r["totals"] = "; ".join(
                f"{cur} billed {t.get('BilledCost')}, effective {t.get('EffectiveCost')}"
                for cur, t in (r.get("totals") or {}).items()
            )
        emit(rows, fmt, columns=columns, title="ingest log")
    else:
        emit(rows, fmt)


@ingest_app.command("quarantine")
def quarantine(
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 100,
    ingest_id: Annotated[
        str | None, typer.Option("--ingest-id", help="Only rows of this load.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Rows set aside by loads: file, row, why, and the raw record as read."""
    with api.open_workspace(workspace, read_only=True) as ws:
        rows = ws.quarantine(limit=limit, ingest_id=ingest_id)
    if fmt is OutputFormat.table:
        for r in rows:
            r["source_file"] = _short(r["source_file"])
            r["reasons"] = "; ".join(f"{x['rule']} {x['column']}" for x in r["reasons"])
            record = json.dumps(r["record"], ensure_ascii=False)
            r["record"] = record if len(record) <= 120 else record[:117] + "..."
        emit(
            rows,
            fmt,
            columns=("ingest_id", "source_file", "source_row", "reasons", "record"),
            title="quarantine",
        )
    else:
        emit(rows, fmt)


def register(app: typer.Typer) -> None:
    """Attach ``validate`` and the ``ingest`` group to the main app."""
    app.command("validate")(validate)
    app.add_typer(ingest_app, name="ingest")
