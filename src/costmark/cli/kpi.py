"""``costmark kpi``, ``explain``, ``check`` and ``schema``: KPIs and the project definition."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

import typer

from costmark import api
from costmark.cli.options import (
    EngineOpt,
    FormatOpt,
    FromOpt,
    OutputFormat,
    ToOpt,
    WorkspaceOpt,
    parse_day,
)
from costmark.cli.output import console, emit, err_console, escape
from costmark.engine import asof, periods
from costmark.engine.asof import AsOf
from costmark.errors import ConfigError, UsageError
from costmark.present.records import insert_column, with_units

GrainOpt = Annotated[
    str, typer.Option("--grain", "-g", help="Period: day, week (ISO), month, quarter, year.")
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option("--by", "-b", help="Dimension, FOCUS column or tag:<key> (repeatable)."),
]
WhereOpt = Annotated[
    str | None,
    typer.Option("--where", help="Filter, e.g. \"ServiceCategory = 'Compute' and "
                 "tag:env in ('prod','staging')\"."),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option("--spark-master", envvar="COSTMARK_SPARK_MASTER", show_default=False,
                 help="With --engine spark: local[N] (default local[2]) or a cluster URL."),
]
RawOpt = Annotated[
    bool, typer.Option("--raw", help="Read the raw cost table, never the daily rollup.")
]


def kpi(
    ids: Annotated[list[str] | None, typer.Argument(help="KPI ids (see --list).")] = None,
    grain: GrainOpt = "month",
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    where: WhereOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    raw: RawOpt = False,
    list_: Annotated[bool, typer.Option("--list", help="List every KPI and exit.")] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Compute KPIs per period, dimension and currency (currencies are never summed)."""
    _use_spark_master(spark_master)
    first, last = parse_day(start, "--from"), parse_day(end, "--to", last=True)
    with api.open_workspace(workspace, read_only=True) as ws:
        if list_:
            rows = [{**d.model_dump(include={"id", "title", "unit", "direction", "kind",
                                             "description", "formula", "null_when"}),
                     "valid_range": d.range_text, "shown_as": d.unit_info.kind.value,
                     # FOCUS use cases the KPI answers (docs/focus-use-cases.md)
                     "use_cases": ", ".join(d.use_cases)}
                    for d in ws.kpi_catalog()]
            # People read what a KPI means and its unit; the formula (symbols such as
            # "Σ EffectiveCost / Σ ListCost") is for machines and `costmark explain`.
            people = fmt is OutputFormat.table
            emit(rows, fmt, title="KPIs",
                 columns=(["id", "title", "unit", "direction", "description", "use_cases"]
                          if people else
                          ["id", "title", "unit", "shown_as", "valid_range", "direction",
                           "kind", "description", "formula", "null_when", "use_cases"]))
            return
        if not ids:
            raise UsageError("name at least one KPI, or use --list")
        result = ws.kpi(ids, grain=grain, by=by or (), start=first, end=last, where=where,
                        engine=engine, rollups=False if raw else None)
        units = {d.id: d.unit for d in ws.kpi_catalog() if d.id in set(ids)}
        # The unit travels beside each value (JSON, CSV); tables show the value in it.
        rows = with_units(result.rows(), lambda r: units.get(r["kpi"]))
        cols = insert_column([*result.columns, "partial"], "unit", after="value")
        if rows:
            label_partial(rows, partial_cutoff(ws, where, last), grain)
        if fmt is OutputFormat.table:
            cols = [c for c in cols if c not in ("grain", "unit")
                    and any(r.get(c) is not None for r in rows)]
            cols = cols or result.columns
        emit(rows, fmt, title=f"{', '.join(ids)} by {grain}", columns=cols,
             units={"value": "@unit", "coverage": "ratio"})


def partial_cutoff(ws: api.Workspace, where: str | None, end: Any) -> AsOf:
    """The day the rows end for judging periods complete (``costmark.engine.asof``): the last
    day a charge starts on in the rows the filter keeps, or ``--to`` when that is earlier."""
    cut = asof.resolve(ws.engine, where=where)
    given = asof.parse_as_of(end)
    if given is not None and cut.day is not None and given < cut.day:
        return AsOf(cut.extent, given)
    return cut


def label_partial(rows: list[dict[str, Any]], cut: AsOf, grain: str) -> None:
    """Give every row a ``partial`` field: "partial: 12 of 31 days" for a period the data does
    not cover to its end (the running month), None for a complete one. Why: a half month next
    to whole ones reads as a cost drop; the dashboard and reports label it the same way."""
    for r in rows:
        start = r.get("period_start")
        r["partial"] = (
            cut.period(periods.as_date(start), grain).partial_note
            if start is not None and cut.day is not None
            else None
        )


def _use_spark_master(master: str | None) -> None:
    # The Spark engine reads its master from the environment, the way Spark tools do.
    if master:
        os.environ["COSTMARK_SPARK_MASTER"] = master


def explain(
    ids: Annotated[list[str], typer.Argument(help="KPI ids.")],
    grain: GrainOpt = "month",
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    where: WhereOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    raw: RawOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Print the SQL the engine runs for these KPIs (the plan as comments)."""
    _use_spark_master(spark_master)
    first, last = parse_day(start, "--from"), parse_day(end, "--to", last=True)
    with api.open_workspace(workspace, read_only=True) as ws:
        sys.stdout.write(ws.explain(ids, grain=grain, by=by or (), start=first, end=last,
                                    where=where, engine=engine, rollups=False if raw else None))


def check(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Validate costmark.yaml: schema, names, filters, formulas, mapping files (exit 1)."""
    from costmark.spec.rules import check_file
    from costmark.workspace import CONFIG_FILE, resolve_root

    root = resolve_root(workspace)
    problems = check_file(root / CONFIG_FILE, root)
    rows = [{"file": p.file, "line": p.line, "problem": p.message} for p in problems]
    if fmt is OutputFormat.table:
        if not rows:
            console.print(f"[green]ok[/green]: {escape(str(root / CONFIG_FILE))} has no problems")
        for p in problems:
            err_console.print(str(p), highlight=False, markup=False)
    else:
        emit(rows, fmt, columns=["file", "line", "problem"], document=rows)
    if problems:
        raise typer.Exit(1)


def schema() -> None:
    """Print the JSON Schema of costmark.yaml (for editor completion and validation)."""
    from costmark.spec.models import Project

    sys.stdout.write(json.dumps(Project.model_json_schema(), indent=2) + "\n")


def rollups(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Rebuild the daily and monthly rollups now.")
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Show (or rebuild) the daily and monthly rollups KPI queries read when they can; ingest
    keeps them up to date for the slices it loads."""
    with api.open_workspace(workspace, read_only=not rebuild) as ws:
        if rebuild:
            with ws.warehouse.transaction():
                ws.refresh_rollups()
        status = ws.rollup_status()
        emit({k: (", ".join(v) if isinstance(v, list) else v) for k, v in status.items()}, fmt,
             title="rollup", document=status)


def register(app: typer.Typer) -> None:
    app.command("kpi")(kpi)
    app.command("explain")(explain)
    app.command("check")(check)
    app.command("schema")(schema)
    app.command("rollups")(rollups)


__all__ = ["ConfigError", "register"]
