"""``costmark benchmark``: a KPI against targets, peers, history, industry and external packs;
plus ``export``/``import`` of anonymised peer packs, ``baseline`` and ``references``.

``costmark benchmark KPI --by DIM ...`` runs the default command (``run``): the group routes any
first word that is not a subcommand to ``run``, so both spellings work.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from costmark import api
from costmark.cli.options import EngineOpt, FormatOpt, OutputFormat, WorkspaceOpt, parse_day
from costmark.cli.output import emit, err_console, escape
from costmark.errors import UsageError
from costmark.present.units import difference_unit

if TYPE_CHECKING:  # pandas is imported by the commands that need it, not by --help
    import pandas as pd


class _DefaultRun(TyperGroup):
    """Treat ``benchmark KPI ...`` as ``benchmark run KPI ...``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultRun,
    name="benchmark",
    help="Benchmark a KPI against targets, peers, history, industry figures and peer packs.",
    no_args_is_help=True,
)
baseline_app = typer.Typer(help="Named baselines (e.g. the start of a FinOps iteration).")
app.add_typer(baseline_app, name="baseline")

DEFAULT_AGAINST = "targets,peers,history,industry"

#: Columns shown in tables (JSON and CSV carry every column).
TABLE_COLUMNS = {
    "targets": [
        "period_start",
        "currency",
        "value",
        "target",
        "direction",
        "status",
        "attainment_pct",
        "gap",
        "projection",
        "override",
    ],
    "peers": [
        "cohort",
        "currency",
        "value",
        "members",
        "rank",
        "percentile",
        "quartile",
        "cohort_median",
        "gap_to_median",
        "gap_to_best",
    ],
    "improved": [
        "cohort",
        "currency",
        "from_period",
        "from_value",
        "value",
        "improvement",
        "improvement_pct",
        "improved_rank",
    ],
    "history": [
        "period_start",
        "currency",
        "value",
        "comparison",
        "reference_period",
        "reference_value",
        "change",
        "change_pct",
        "verdict",
    ],
    "industry": [
        "period_start",
        "currency",
        "value",
        "reference",
        "year",
        "gap",
        "position",
        "standing",
        "citation",
        "scope",
        "applicable",
    ],
    "external": [
        "currency",
        "value",
        "pack_label",
        "pack_period",
        "pack_cohort",
        "members",
        "p25",
        "p50",
        "p75",
        "position",
        "better_than_pct",
        "standing",
    ],
}


#: Columns holding the KPI's own values, and differences of two of them.
VALUE_COLUMNS = ("value", "target", "from_value", "reference_value", "reference",
                 "cohort_median", "p25", "p50", "p75")
DIFFERENCE_COLUMNS = ("gap", "change", "improvement", "gap_to_median", "gap_to_best")
#: Columns already in percent (0-100): shown "84.2%", never "84.2000".
PERCENT_COLUMNS = ("attainment_pct", "percentile", "improvement_pct", "change_pct",
                   "better_than_pct")


def _units(kpi_unit: str | None) -> dict[str, str | None]:
    """The unit of each benchmark table column, from the KPI's unit: an ESR reads 15.7% and
    a gap +1.2 pp, a cost $1,234.50 and its gap -$120.00."""
    units: dict[str, str | None] = dict.fromkeys(VALUE_COLUMNS, kpi_unit)
    units.update(dict.fromkeys(DIFFERENCE_COLUMNS, difference_unit(kpi_unit)))
    units.update(dict.fromkeys(PERCENT_COLUMNS, "pct"))
    return units


def _split(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def _date(text: str | None, option: str) -> dt.date | None:
    return parse_day(text, option, last=option == "--to")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    frame = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _notes(notes: list[str]) -> None:
    for note in dict.fromkeys(notes):
        err_console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)


@app.command("run")
def run(
    kpi: Annotated[str, typer.Argument(help="KPI id, e.g. effective_savings_rate.")],
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help="Dimension(s) of the members (repeat or comma-separate).",
            show_default=False,
        ),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            "-a",
            help="Comma list of targets,peers,history,industry,external "
            "(default: targets,peers,history,industry; without --by: targets,history,industry).",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="Period to judge (YYYY-MM or a date in it); default: the latest complete one.",
            show_default=False,
        ),
    ] = None,
    grain: Annotated[str, typer.Option("--grain", "-g", help="day|week|month|quarter|year.")] = (
        "month"
    ),
    start: Annotated[
        str | None, typer.Option("--from", help="First day of data used.", show_default=False)
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of data used.", show_default=False)
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(help="Filter, e.g. \"ServiceCategory = 'Compute'\".", show_default=False),
    ] = None,
    baseline: Annotated[
        list[str] | None,
        typer.Option(
            "--baseline", help="Stored baseline name or a date (repeatable).", show_default=False
        ),
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            help="Extra industry reference file (YAML/CSV; repeatable).",
            show_default=False,
        ),
    ] = None,
    improved: Annotated[int, typer.Option(help="Most improved over this many periods.")] = 3,
    direction: Annotated[
        str | None,
        typer.Option(help="Override the KPI's better direction: higher|lower.", show_default=False),
    ] = None,
    cohorts: Annotated[
        str,
        typer.Option(
            help="Peer cohorts: auto (peer groups, else spend bands), groups, bands or all."
        ),
    ] = "auto",
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Benchmark KPI by DIM against targets, peers, history, industry and external packs."""
    if direction is not None and direction not in ("higher", "lower"):
        raise UsageError("--direction must be higher or lower")
    when = _date(period, "--period")
    with api.open_workspace(workspace, engine=engine) as ws:
        if when is not None:
            from costmark.benchmarking.common import period_floor

            when = period_floor(when, grain)
        result = ws.benchmark(
            kpi,
            by=_split(by),
            against=_split([against or (DEFAULT_AGAINST if by else "targets,history,industry")]),
            grain=grain,
            period=when,
            start=_date(start, "--from"),
            end=_date(end, "--to"),
            where=where,
            baselines=_split(baseline),
            references=reference or [],
            improved_periods=improved,
            direction=direction,
            cohorts=cohorts,
        )
        kpi_unit = next((d.unit for d in ws.kpi_catalog() if d.id == result.kpi), None)
    if fmt is OutputFormat.json:
        emit([], fmt, document=result.to_dict())
        return
    if fmt is OutputFormat.csv:
        emit(_records(result.to_frame()), fmt)
        _notes(result.caveats)
        return
    units = _units(kpi_unit)
    for name, frame in result.sections.items():
        cols = [*result.by, *TABLE_COLUMNS.get(name, list(frame.columns))]
        title = f"{result.kpi}: {name}" + (f" ({result.period})" if result.period else "")
        emit(_records(frame), fmt, title=title, columns=[c for c in cols if c in frame.columns],
             units=units)
    _notes(result.caveats)


@app.command("export")
def export(
    output: Annotated[str, typer.Option("--output", "-o", help="Pack file to write (JSON).")],
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi",
            help="KPI to include (repeatable; default: rates and shares).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[list[str] | None, typer.Option("--by", "-b", help="What a member is.")] = None,
    grain: Annotated[str, typer.Option("--grain", "-g", help="day|week|month|quarter|year.")] = (
        "month"
    ),
    start: Annotated[str | None, typer.Option("--from", show_default=False)] = None,
    end: Annotated[str | None, typer.Option("--to", show_default=False)] = None,
    where: Annotated[str | None, typer.Option(show_default=False)] = None,
    label: Annotated[
        str | None, typer.Option(help="Label the pack (shown to importers).", show_default=False)
    ] = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Write an anonymised pack of KPI distributions (p10..p90 per cohort and period; no rows,
    names, ids or dimension values; cohorts under 5 members suppressed)."""
    with api.open_workspace(workspace, read_only=True, engine=engine) as ws:
        out = ws.export_benchmark_pack(
            output,
            kpis=_split(kpi),
            by=_split(by) or ["team"],
            grain=grain,
            start=_date(start, "--from"),
            end=_date(end, "--to"),
            where=where,
            label=label,
        )
    pack = out["pack"]
    summary = {
        "file": output,
        "pack_id": pack["pack_id"],
        "unit": pack["unit"],
        "grain": pack["grain"],
        "kpis": len({d["kpi"] for d in pack["distributions"]}),
        "distributions": len(pack["distributions"]),
        "suppressed_cohorts": pack["suppressed_cohorts"],
    }
    emit(summary, fmt, title="benchmark pack written")
    _notes(out["notes"])


@app.command("import")
def import_(
    pack: Annotated[str, typer.Argument(help="Pack file written by 'costmark benchmark export'.")],
    label: Annotated[
        str | None, typer.Option(help="Name the source (e.g. 'BU Europe').", show_default=False)
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Import a peer pack; benchmark against it with --against external."""
    with api.open_workspace(workspace) as ws:
        emit(ws.import_benchmark_pack(pack, label=label), fmt, title="pack imported")


@app.command("packs")
def packs(
    remove: Annotated[
        str | None, typer.Option(help="Remove the pack with this id.", show_default=False)
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List imported peer packs (or remove one)."""
    with api.open_workspace(workspace, read_only=remove is None) as ws:
        if remove:
            ws.remove_benchmark_pack(remove)
        emit(ws.benchmark_packs(), fmt, title="imported packs")


@app.command("references")
def references(
    kpi: Annotated[
        str | None, typer.Option(help="Only figures comparable to this KPI.", show_default=False)
    ] = None,
    reference: Annotated[list[str] | None, typer.Option("--reference", show_default=False)] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Industry reference figures with value, year, source and scope."""
    with api.open_workspace(workspace, read_only=True) as ws:
        frame = ws.industry_references(reference or [])
    if kpi:
        frame = frame[frame["kpi"] == kpi]
    cols = ["id", "kpi", "value", "statistic", "year", "source", "scope"]
    emit(
        _records(frame),
        fmt,
        title="industry reference figures",
        columns=None if fmt is not OutputFormat.table else cols,
    )


@baseline_app.command("set")
def baseline_set(
    name: Annotated[str, typer.Argument(help="Baseline name, e.g. it-1.")],
    at: Annotated[str, typer.Option("--at", help="Baseline date (YYYY-MM-DD).")],
    note: Annotated[str | None, typer.Option(show_default=False)] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Store (or move) a named baseline."""
    with api.open_workspace(workspace) as ws:
        day = parse_day(at, "--at")
        emit(ws.set_baseline(name, day.isoformat() if day else at, note), fmt,
             title="baseline set")


@baseline_app.command("list")
def baseline_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """List stored baselines."""
    with api.open_workspace(workspace, read_only=True) as ws:
        emit(ws.benchmark_baselines(), fmt, title="baselines")


@baseline_app.command("delete")
def baseline_delete(
    name: Annotated[str, typer.Argument(help="Baseline name.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Delete a stored baseline."""
    with api.open_workspace(workspace) as ws:
        ws.delete_baseline(name)
    err_console.print(f"baseline {escape(name)} deleted")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="benchmark")
