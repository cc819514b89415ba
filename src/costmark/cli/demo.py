"""``costmark demo``: a realistic demo workspace in one command (the README's first step).

Creates the workspace with a demo costmark.yaml, generates the data into ``demo-data/``,
validates it, ingests it, and prints what is there and what to try next.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from costmark import api
from costmark.cli.options import FormatOpt, OutputFormat, WorkspaceOpt, parse_day
from costmark.cli.output import console, emit, err_console, escape
from costmark.present.numbers import count, money


def demo(
    workspace: WorkspaceOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 7,
    months: Annotated[int, typer.Option(min=1, max=60, help="Billing months to generate.")] = 13,
    rows: Annotated[
        int | None,
        typer.Option(
            min=1000, help="About this many cost rows (default: ~180k).", show_default=False
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            help="Last day + 1 of the data, YYYY-MM-DD (default: today, UTC).", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite a costmark.yaml that costmark demo did not write.")
    ] = False,
    no_ingest: Annotated[
        bool, typer.Option("--no-ingest", help="Only generate and validate the files.")
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Create a demo workspace with realistic data, validated and loaded.

    Generates an organisation's FOCUS 1.2 costs (AWS, Azure, Google Cloud), business metrics,
    utilization and recommendations into DIR/demo-data/, writes a demo costmark.yaml (kept
    when it exists), validates and ingests everything. Same seed, same files.
    """
    end_date = parse_day(end, "--end")  # exclusive: a month YYYY-MM means its first day
    quiet = fmt is not OutputFormat.table
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("generating demo data (apps)", total=1)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            if done == total:
                bar.update(task, description="validating and loading")

        summary = api.create_demo(
            workspace,
            seed=seed,
            months=months,
            rows=rows,
            end=end_date,
            force=force,
            ingest=not no_ingest,
            progress=tick,
            show_progress=False,
        )
    if fmt is OutputFormat.table:
        _print_summary(summary)
    else:
        emit([_flat(summary)], fmt, document=summary)


def _flat(summary: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in summary.items() if not isinstance(v, dict | list)}
    flat["providers"] = ", ".join(summary["providers"])
    flat["anomalies"] = "; ".join(
        f"{a['start']} {a['app']}/{a['service']}" for a in summary["anomalies"]
    )
    return flat


def _print_summary(summary: dict[str, Any]) -> None:
    rows = [
        {"what": "workspace", "value": summary["workspace"]},
        {"what": "period", "value": f"{summary['start']} to {summary['end']}"},
        {"what": "providers", "value": ", ".join(summary["providers"])},
        {
            "what": "teams / apps / accounts",
            "value": f"{summary['teams']} / {summary['apps']} / {summary['accounts']}",
        },
        {
            "what": "resources / commitments",
            "value": f"{count(summary['resources'])} / {count(summary['commitments'])}",
        },
        {"what": "cost rows", "value": count(summary["cost_rows"])},
        {
            "what": "validation",
            "value": f"{summary['validation']['errors']} errors, "
            f"{summary['validation']['warnings']} warnings",
        },
    ]
    ingest = summary.get("ingest")
    if ingest:
        for cur, totals in sorted(ingest["totals"].items()):
            eff = totals.get("EffectiveCost")
            rows.append({"what": f"EffectiveCost ({cur})", "value": money(eff, cur)})
        rows += [
            {"what": "business metric rows", "value": count(ingest["business_rows"])},
            {"what": "utilization samples", "value": count(ingest["utilization_samples"])},
            {"what": "recommendations", "value": count(ingest["recommendations"])},
        ]
    for a in summary["anomalies"]:
        rows.append(
            {
                "what": f"anomaly {a['start']}",
                "value": f"{a['team']}/{a['app']}: {a['service']} x{a['factor']:g}",
            }
        )
    emit(rows, OutputFormat.table, title="costmark demo", columns=["what", "value"])
    ws = summary["workspace"]
    console.print(
        f"\nNext: [bold]export COSTMARK_WORKSPACE={escape(str(ws))}[/bold], then try\n"
        "  costmark kpi --list\n"
        "  costmark kpi total_cost cost_per_transactions --by team\n"
        "  costmark anomalies --by team\n"
        "  costmark ingest log",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
