"""``costmark track | forecast | anomalies | budgets``: tracking commands over the facade."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from costmark import api
from costmark.cli.options import (
    AsOfOpt,
    EngineOpt,
    FormatOpt,
    FromOpt,
    OutputFormat,
    ToOpt,
    WorkspaceOpt,
    parse_day,
)
from costmark.cli.output import emit, err_console, escape
from costmark.cli.progress import status
from costmark.errors import UsageError

if TYPE_CHECKING:  # pandas is imported by the commands that need it, not by --help
    import pandas as pd

KpiArg = Annotated[str, typer.Argument(help="KPI id, e.g. total_cost (see `costmark kpi`).")]
GrainOpt = Annotated[
    str | None,
    typer.Option("--grain", "-g", help="day, week, month, quarter or year.", show_default=False),
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by", "-b", help="Dimension to split by (repeat or comma-separate).", show_default=False
    ),
]
WhereOpt = Annotated[
    str | None,
    typer.Option(
        "--where", help="Filter, e.g. \"ServiceCategory = 'Compute'\".", show_default=False
    ),
]


def _date(text: str | None, option: str) -> dt.date | None:
    return parse_day(text, option, last=option in ("--to", "--as-of"))


def _by(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def _records(frame: pd.DataFrame, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    frame = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _notes(notes: list[str]) -> None:
    for note in dict.fromkeys(notes):
        err_console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)


def track(
    kpi: KpiArg,
    grain: GrainOpt = None,
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    where: WhereOpt = None,
    window: Annotated[int | None, typer.Option(help="Rolling-mean window in periods.")] = None,
    alpha: Annotated[float, typer.Option(help="Significance level of the trend test.")] = 0.05,
    include_partial: Annotated[
        bool, typer.Option("--include-partial", help="Keep the running (incomplete) period.")
    ] = False,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """A KPI over time: change, year over year, rolling mean, and a tested trend per series.

    A trend is called rising or falling only when Mann–Kendall's p-value is under --alpha.
    """
    with api.open_workspace(workspace, read_only=True, engine=engine) as ws:
        result = ws.track(
            kpi,
            grain=grain or "month",
            by=_by(by),
            start=_date(start, "--from"),
            end=_date(end, "--to"),
            where=where,
            window=window,
            alpha=alpha,
            include_partial=include_partial,
        )
    series = _records(result.series)
    trends = _records(result.trends)
    if fmt is OutputFormat.json:
        emit(series, fmt, document=result.to_dict())
        return
    emit(series, fmt, title=f"{kpi} by {result.grain}")
    if fmt is OutputFormat.table:
        cols = [
            *result.by,
            "currency",
            "n",
            "slope",
            "slope_pct",
            "p_value",
            "direction",
            "assessment",
        ]
        emit(
            trends,
            fmt,
            title="trend (Theil–Sen slope per period, Mann–Kendall test)",
            columns=[c for c in cols if any(c in t for t in trends)],
        )
        _notes(result.notes)


def forecast(
    kpi: Annotated[str, typer.Argument(help="KPI id (default total_cost).")] = "total_cost",
    horizon: Annotated[
        int | None,
        typer.Option(
            "--horizon",
            "-n",
            help="Periods of --grain after the running one; days for cost without "
            "--grain (default: to the end of next month).",
            show_default=False,
        ),
    ] = None,
    grain: GrainOpt = None,
    by: ByOpt = None,
    start: FromOpt = None,
    where: WhereOpt = None,
    level: Annotated[float, typer.Option(help="Prediction interval level.")] = 0.95,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Do not keep this run as a snapshot.")
    ] = False,
    accuracy: Annotated[
        bool,
        typer.Option(
            "--accuracy",
            help="Instead of forecasting: compare finished periods with the snapshot "
            "made before each began (forecast_accuracy, forecast_variance).",
        ),
    ] = False,
    snapshots: Annotated[
        bool, typer.Option("--snapshots", help="List the stored forecast runs.")
    ] = False,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Forecast cost (daily with weekly seasonality, rolled up to month and quarter end) or any
    KPI, with prediction intervals. Every run is stored as a dated snapshot."""
    if snapshots:
        with api.open_workspace(workspace, read_only=True, engine=engine) as ws:
            emit(ws.forecast_snapshots(), fmt, title="forecast snapshots")
        return
    if accuracy:
        with api.open_workspace(workspace, read_only=True, engine=engine) as ws:
            frame = ws.forecast_accuracy(
                kpi,
                grain=grain or "month",
                by=_by(by),
                start=_date(start, "--from"),
                where=where,
            )
        emit(_records(frame), fmt, title=f"forecast accuracy of {kpi}")
        return
    with api.open_workspace(workspace, engine=engine) as ws:
        result = ws.forecast(
            kpi,
            grain=grain,
            by=_by(by),
            horizon=horizon,
            start=_date(start, "--from"),
            where=where,
            level=level,
            store=not no_store,
        )
    drop = ("note", "kpi") if fmt is OutputFormat.table else ()
    rows = _records(result.frame, drop=drop)
    if fmt is OutputFormat.json:
        emit(rows, fmt, document=result.to_dict())
        return
    emit(rows, fmt, title=f"forecast of {kpi} (data to {result.as_of})")
    if fmt is OutputFormat.table:
        if result.snapshot_id:
            err_console.print(f"[dim]stored as snapshot {result.snapshot_id}[/dim]")
        _notes(result.notes)


def anomalies(
    kpi: Annotated[str, typer.Argument(help="KPI id (default total_cost).")] = "total_cost",
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    min_severity: Annotated[
        str, typer.Option("--min-severity", help="low, medium or high.")
    ] = "low",
    threshold: Annotated[
        float, typer.Option(help="Robust z-score (median/MAD) that makes a day anomalous.")
    ] = 3.5,
    all_charges: Annotated[
        bool,
        typer.Option(
            "--all-charges",
            help="Include fees, taxes and credits (default: usage-based charges only).",
        ),
    ] = False,
    where: WhereOpt = None,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Unusual days per dimension value, with expected vs actual and the values that drove them.

    Daily series are decomposed (STL, weekly season); a day is anomalous when its residual is
    --threshold robust standard deviations from normal. Consecutive days merge into one.
    """
    if end is not None and as_of is not None:
        raise UsageError("give --to or --as-of, not both (--as-of is the last day counted)")
    first = _date(start, "--from")
    last = _date(end if end is not None else as_of, "--as-of" if as_of else "--to")
    with status(f"finding anomalies in {kpi}"), \
            api.open_workspace(workspace, read_only=True, engine=engine) as ws:
        frame = ws.anomalies(
            kpi,
            by=_by(by),
            start=first,
            end=last,
            min_severity=min_severity,
            threshold=threshold,
            where=where,
            all_charges=all_charges,
        )
    if fmt is OutputFormat.json:
        emit(_records(frame), fmt, title=f"anomalies in {kpi}")
        return
    rows = _records(frame, drop=("driver_details",))
    columns = None
    if fmt is OutputFormat.table:
        keys = [c for c in frame.columns if c not in ("kpi", "driver_details")]
        hidden = {"direction", "score", "days", "expected"}
        columns = [c for c in keys if c not in hidden]
    emit(rows, fmt, title=f"anomalies in {kpi}", columns=columns)


def budgets(
    name: Annotated[str | None, typer.Argument(help="One budget (default: all).")] = None,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Budgets from costmark.yaml: actual to date, burn rate, projected end of period from the
    forecast, variance and status (on track / at risk / over)."""
    day = _date(as_of, "--as-of")
    with api.open_workspace(workspace, read_only=True, engine=engine) as ws:
        cut = ws.cutoff(day)
        frame = ws.budgets(name, as_of=cut.day)
    rows = _records(frame)
    why = "given" if cut.given else "the data's last day"
    judged = f"as of {cut.day} ({why})"
    if not rows and fmt is OutputFormat.table:
        err_console.print(
            "no budgets in costmark.yaml; add a 'budgets:' section (see README, Tracking)"
        )
        return
    if fmt is OutputFormat.table:
        for r in rows:
            start = r.get("period_start")
            r["period"] = f"{r.get('period')} from {start}" if start else None
            crossed, ahead = r.get("crossed_on"), r.get("projected_crossing")
            r["crosses"] = f"{crossed}" if crossed else (f"{ahead} (projected)" if ahead else None)
        cols = ["budget", "scope", "period", "partial", "currency", "amount", "actual_to_date",
                "budget_burn", "projected", "variance_pct", "crosses", "status"]  # fmt: skip
        emit(rows, fmt, title=f"budgets {judged}",
             columns=[c for c in cols if any(c in r for r in rows)])
        return
    emit(rows, fmt, title=f"budgets {judged}")


def register(app: typer.Typer) -> None:
    app.command("track")(track)
    app.command("forecast")(forecast)
    app.command("anomalies")(anomalies)
    app.command("budgets")(budgets)
