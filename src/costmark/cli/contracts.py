"""``costmark contracts``: contract commitment burn-down (FOCUS 1.3+ Contract Commitment data)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from costmark import api
from costmark.cli.options import FormatOpt, OutputFormat, WorkspaceOpt, parse_day
from costmark.cli.output import console, emit, err_console
from costmark.present import numbers


def _pct(value: Any) -> str:
    return "" if value is None else numbers.percent(value)


def _money(value: Any, unit: str | None) -> str:
    """Money in its currency ('$1,234.50', '1,234.50 CHF'), or a quantity with its unit
    (commitments made in hours or units rather than money)."""
    if value is None:
        return ""
    if unit and len(unit) == 3 and unit.isupper():
        return numbers.money(value, unit)
    return numbers.number(value) + (f" {unit}" if unit else "")


def contracts(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Judge as of this day (YYYY-MM-DD; default: the data's last day)."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Contract commitments: committed, consumed to date, remaining, daily consumption rate,
    projected consumption at term end and projected shortfall (money left on the table)."""
    day = parse_day(as_of, "--as-of", last=True)
    with api.open_workspace(workspace, read_only=True) as ws:
        rows = ws.contract_burndown(as_of=day)
    if fmt is not OutputFormat.table:
        emit([r.to_dict() for r in rows], fmt)
        return
    if not rows:
        console.print("No contract commitments loaded (FOCUS 1.3+ Contract Commitment dataset).")
        return
    table = [
        {
            "contract": r.contract_id,
            "commitment": r.commitment_id,
            "status": r.status,
            "committed": _money(r.committed, r.currency or r.unit),
            "consumed": _money(r.consumed, r.currency or r.unit),
            "consumed %": _pct(r.consumed_share),
            "remaining": _money(r.remaining, r.currency or r.unit),
            "projected at end": _money(r.projected, r.currency or r.unit),
            "shortfall": _money(r.projected_shortfall, r.currency or r.unit),
            "term": f"{r.start} .. {r.end}",
        }
        for r in rows
    ]
    emit(table, fmt, title=f"contract commitments as of {rows[0].as_of}")


def invoices(
    differences: Annotated[
        bool, typer.Option("--differences", help="Only invoices whose amounts differ.")
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Reconcile the cost data with FOCUS 1.4 Invoice Detail: billed cost per invoice and
    billing period against the invoiced amounts. Exit 1 when any invoice differs."""
    with api.open_workspace(workspace, read_only=True) as ws:
        checks = ws.reconcile_invoices()
    rows = [c.to_dict() for c in checks if not differences or c.status != "matches"]
    if fmt is OutputFormat.table and not checks:
        console.print("No invoice detail loaded (FOCUS 1.4 Invoice Detail dataset).")
    else:
        emit(rows, fmt, title="invoice reconciliation")
    if fmt is OutputFormat.table:
        for c in checks:
            if c.finding:
                err_console.print(f"data quality: {c.finding}", highlight=False, markup=False)
    if any(c.status == "differs" for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("contracts")(contracts)
    app.command("invoices")(invoices)
