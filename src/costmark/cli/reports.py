"""``costmark report``, ``schedule``, ``token``, ``alerts`` and ``serve``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from costmark import api
from costmark.cli.options import (
    AsOfOpt,
    EngineOpt,
    FormatOpt,
    OutputFormat,
    WorkspaceOpt,
    parse_day,
)
from costmark.cli.output import emit, err_console, escape
from costmark.cli.progress import status
from costmark.errors import UsageError
from costmark.present.numbers import count

schedule_app = typer.Typer(help="Report schedules from costmark.yaml.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for the web dashboard and API.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alert rules from costmark.yaml.", no_args_is_help=True)


class Cadence(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"
    json = "json"


class Role(StrEnum):
    admin = "admin"
    analyst = "analyst"
    viewer = "viewer"


ScopeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scope", help="Only rows where DIMENSION=VALUE (repeatable), e.g. team=payments."
    ),
]


def _scope(items: list[str] | None) -> dict[str, str]:
    from costmark.access.tokens import parse_scope

    return parse_scope(items)


def report(
    cadence: Annotated[Cadence, typer.Option(help="Report cadence.")] = Cadence.monthly,
    period: Annotated[
        str | None,
        typer.Option(
            help="2026-10 (month), 2026-W42 (ISO week) or 2026-10-14; default: the latest "
            "complete period of the data in scope (see --as-of)."
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html (self-contained), md, pdf, json.")
    ] = ReportFormat.html,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (md/json: default stdout).")
    ] = None,
    scope: ScopeOpt = None,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Render a report: KPI scorecard, trends with forecasts, movers, anomalies, budgets,
    peers, industry standing, maturity and iteration goals."""
    if output is None and fmt in (ReportFormat.html, ReportFormat.pdf):
        raise UsageError(f"--format {fmt.value} needs --output FILE")
    day = parse_day(as_of, "--as-of", last=True)
    with status(f"{cadence.value} {fmt.value} report"), \
            api.open_workspace(workspace, read_only=True, engine=engine) as ws:
        body = ws.report(
            cadence=cadence.value, period=period, format=fmt.value, scope=_scope(scope),
            as_of=day,
        )
    if output is None:
        typer.echo(body.decode("utf-8"), nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(body)
    err_console.print(f"[green]wrote[/green] {escape(str(output))} ({count(len(body))} bytes)")


@schedule_app.command("list")
def schedule_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Schedules with their last run, next run and whether they are due now."""
    with api.open_workspace(workspace, read_only=True) as ws:
        emit(ws.schedules(), fmt, title="schedules")


@schedule_app.command("run")
def schedule_run(
    force: Annotated[bool, typer.Option(help="Run every schedule, due or not.")] = False,
    name: Annotated[list[str] | None, typer.Option(help="Only this schedule (repeatable).")] = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Run the schedules that are due once (for cron: `*/5 * * * * costmark schedule run`)."""
    with status("running schedules"), api.open_workspace(workspace, engine=engine) as ws:
        known = {s.name for s in ws.project.schedules}
        for n in name or []:
            if n not in known:
                raise UsageError(f"no schedule named {n!r} in costmark.yaml")
        runs = ws.run_schedules(force=force, names=tuple(name or ()))
    emit(
        runs,
        fmt,
        title="report runs",
        columns=["schedule", "period", "format", "destination", "status", "message"],
    )
    if any(r["status"] != "ok" for r in runs):
        raise typer.Exit(1)


@schedule_app.command("log")
def schedule_log(
    limit: Annotated[int, typer.Option(help="Most recent runs to show.")] = 50,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Every logged report run, newest first."""
    with api.open_workspace(workspace, read_only=True) as ws:
        emit(ws.report_runs(limit), fmt, title="report runs")


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="admin, analyst or viewer.")] = Role.viewer,
    scope: ScopeOpt = None,
    name: Annotated[str | None, typer.Option(help="A label, e.g. who uses it.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Create a token. The token is printed once; only its hash is stored."""
    with api.open_workspace(workspace) as ws:
        text, info = ws.create_token(role.value, scope=_scope(scope), name=name)
    if fmt is not OutputFormat.table:
        emit({"token": text, **info}, fmt, title="new token (shown once)")
        return
    # The secret alone on stdout, one line, never wrapped in a table: copyable, and
    # `TOKEN=$(costmark token create ...)` captures exactly it. What it is goes to stderr.
    scope_text = ", ".join(f"{k}={v}" for k, v in info["scope"].items()) or "everything"
    err_console.print(
        escape(f"new {info['role']} token {info['id']}"
               + (f" ({info['name']})" if info.get("name") else "")
               + f", scope: {scope_text}; shown once, only its hash is kept:"),
        highlight=False,
    )
    sys.stdout.write(text + "\n")


@token_app.command("list")
def token_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Tokens (ids, roles, scopes; never the secrets)."""
    with api.open_workspace(workspace, read_only=True) as ws:
        emit(ws.tokens(), fmt, title="tokens")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The id shown by 'token list'.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Revoke a token; its browser sessions end at once."""
    with api.open_workspace(workspace) as ws:
        ws.revoke_token(token_id)
    err_console.print(f"[green]revoked[/green] {escape(token_id)}")


@alerts_app.command("run")
def alerts_run(
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Evaluate the alert rules now; deliver new alerts (already-sent ones are skipped)."""
    with status("evaluating alert rules"), api.open_workspace(workspace, engine=engine) as ws:
        rows = ws.evaluate_alerts()
    emit(rows, fmt, title="alerts", columns=["rule", "severity", "status", "attempts", "message"])


@alerts_app.command("log")
def alerts_log(
    limit: Annotated[int, typer.Option(help="Most recent alerts to show.")] = 50,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """The alert log, newest first."""
    with api.open_workspace(workspace, read_only=True) as ws:
        emit(
            ws.alert_log(limit),
            fmt,
            title="alert log",
            columns=["fired_at", "rule", "severity", "status", "attempts", "message"],
        )


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    watch: Annotated[
        Path | None, typer.Option(help="Folder to watch: new FOCUS files are ingested.")
    ] = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Run the web dashboard and API (also runs due schedules and evaluates alerts); pages,
    reports and /metrics compute on ``--engine``."""
    import uvicorn

    from costmark.web import create_app
    from costmark.workspace import resolve_root

    def open_on_engine(root: Path, read_only: bool) -> api.Workspace:
        return api.open_workspace(root, read_only=read_only, engine=engine)

    app = create_app(resolve_root(workspace), watch=watch, opener=open_on_engine)
    err_console.print(
        f"costmark dashboard on http://{host}:{port}/ (create a token with "
        "'costmark token create --role viewer')"
    )
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=3)


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(serve)
    app.add_typer(schedule_app, name="schedule")
    app.add_typer(token_app, name="token")
    app.add_typer(alerts_app, name="alerts")
