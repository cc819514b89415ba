"""``costmark assess``: maturity assessment (questionnaire or answers file) with evidence.

Interactive only when stdin is a terminal and no ``--answers`` is given; anywhere else (CI,
pipes) the command refuses with exit 2 instead of waiting for input that never comes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.prompt import IntPrompt, Prompt

from costmark import api
from costmark.cli.options import (
    AsOfOpt,
    EngineOpt,
    FormatOpt,
    OutputFormat,
    WorkspaceOpt,
    parse_day,
)
from costmark.cli.output import console, emit, err_console, escape
from costmark.errors import UsageError

app = typer.Typer(
    help="Assess FinOps maturity per capability on five lenses, with evidence from the data.",
    no_args_is_help=False,
)

CapabilityOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--capability", "-c", help="Capability to assess (either framework's name; repeatable)."
    ),
]
GroupOpt = Annotated[
    str | None,
    typer.Option("--group", "-g", help="Target group: a dimension value, e.g. team=payments."),
]


def stdin_is_tty() -> bool:
    """Separate so tests can pretend; a closed or piped stdin is never interactive."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, AttributeError):
        return False


def _questionnaire(ws: api.Workspace, names: list[str], group: str | None) -> dict[str, Any]:
    """Ask each lens of each capability; evidence from the data is shown first."""
    from costmark.maturity import load_catalog
    from costmark.maturity.scoring import QUESTIONS, STAGES, stage_of

    cat = load_catalog()
    if not names:
        default = "new-to-finops"
        answer = Prompt.ask(
            "Capabilities to assess (comma-separated names, or a situation: "
            + ", ".join(cat.situations) + ")", default=default,
        )  # fmt: skip
        names = (
            list(cat.situation(answer).names)
            if answer.strip().lower() in cat.situations
            else [n.strip() for n in answer.split(",") if n.strip()]
        )
    caps = cat.resolve_many(names)
    out: dict[str, Any] = {}
    for cap in caps:
        console.rule(f"[bold]{cap.name}[/bold] ({cap.domain})")
        console.print(cap.description)
        ev = ws.maturity_evidence([cap.id], group=group)
        if ev:
            emit(ev, OutputFormat.table, title="evidence from the data",
                 columns=["lens", "title", "summary", "detail"])  # fmt: skip
        lenses: dict[str, Any] = {}
        for lens, (question, answers) in QUESTIONS.items():
            console.print(f"\n[bold]{escape(lens.title())}[/bold] — "
                          + escape(question.format(cap=cap.name)))
            for i, text in enumerate(answers):
                console.print(f"  {i} {escape('[' + STAGES[min(i, 3)] + ']')} {escape(text)}")
            cur = IntPrompt.ask("  current", choices=[str(i) for i in range(5)])
            tgt = IntPrompt.ask(
                f"  target (current is {stage_of(cur)})",
                choices=[str(i) for i in range(5)], default=min(4, cur + 1),
            )  # fmt: skip
            lenses[lens] = {"current": cur, "target": max(cur, tgt)}
        out[cap.name] = lenses
    return {"capabilities": out}


def _show_assessment(doc: dict[str, Any], fmt: OutputFormat, rows: list[dict[str, Any]]) -> None:
    if fmt is not OutputFormat.table:
        emit(rows, fmt, document=doc)
        return
    head = f"assessment {doc.get('id', '')} ({doc['assessed_at']}, group {doc['group']})"
    caps = [{"capability": c["name"], "stage": c["stage"], "current": c["current"],
             "target": c["target"], "target stage": c["target_stage"]}
            for c in doc["capabilities"]]  # fmt: skip
    emit(caps, fmt, title=head)
    emit(rows, fmt, title="per lens")
    evidence = [
        {"capability": c["name"], "lens": e["lens"], "evidence": e["title"], "result": e["summary"]}
        for c in doc["capabilities"]
        for e in c["evidence"]
    ]
    if evidence:
        emit(evidence, fmt, title="evidence from the data")
    for c in doc["capabilities"]:
        for e in c["evidence"]:
            if e["id"] == "tracking_stage" and isinstance(e.get("value"), dict):
                checklist = [
                    {"stage": stage, "criterion": item["criterion"],
                     "met": "yes" if item["met"] else "no"}
                    for stage, items in e["value"].items()
                    for item in items
                ]  # fmt: skip
                emit(checklist, fmt, title=f"{c['name']}: the seed's crawl/walk/run checklist")


def _judged(ws: api.Workspace, as_of: str | None) -> Any:
    """The --as-of day (None: the data's own last day); says on stderr which day is judged."""
    cut = ws.cutoff(parse_day(as_of, "--as-of", last=True))
    if cut.day is not None:
        why = "given" if cut.given else "the data's last day"
        err_console.print(f"evidence judged on the data up to {cut.day} ({why})")
    return cut.given


@app.callback(invoke_without_command=True)
def assess(
    ctx: typer.Context,
    capability: CapabilityOpt = None,
    group: GroupOpt = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", "-a", help="YAML answers file (see examples/).")
    ] = None,
    save_answers: Annotated[
        Path | None, typer.Option(help="Also write the questionnaire's answers to this YAML.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Score and show, but do not store.")] = False,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Score capabilities (current and target, 0-4 per lens) and store the assessment.

    Without --answers and on a terminal, asks the questions; otherwise --answers is required.
    """
    if ctx.invoked_subcommand is not None:
        return
    with api.open_workspace(workspace, engine=engine) as ws:
        if answers is None:
            if not stdin_is_tty():
                raise UsageError(
                    "no --answers file and stdin is not a terminal: give --answers FILE.yaml "
                    "(see examples/answers.yaml) or run in a terminal to answer the questions"
                )
            data = _questionnaire(ws, list(capability or []), group)
            if save_answers:
                save_answers.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
                err_console.print(f"answers written to {escape(str(save_answers))}")
            source: Any = data
        else:
            source = answers
        day = _judged(ws, as_of)
        with err_console.status("computing evidence from the data..."):
            doc = ws.assess(
                source, capabilities=list(capability or []), group=group, save=not dry_run,
                as_of=day,
            )
        from costmark.maturity.assessment import score_rows

        _show_assessment(doc, fmt, score_rows(doc))
        if not dry_run and fmt is OutputFormat.table:
            err_console.print(f"[green]stored[/green] as {escape(str(doc['id']))}")


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Assessment id, 'latest' or a date.")] = "latest",
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Earlier assessment: id, 'previous' or YYYY-MM-DD."),
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Current vs target vs last time, per capability and lens."""
    with api.open_workspace(workspace) as ws:
        result = ws.assessment(ref, compare)
    doc, prev = result["assessment"], result["previous"]
    title = f"assessment {doc['id']} ({doc['assessed_at']}, group {doc['group']})"
    title += f" vs {prev['id']}" if prev else " (no earlier assessment of this group)"
    emit(result["rows"], fmt, title=title, document=result)


@app.command("list")
def list_(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Stored assessments, oldest first."""
    from costmark.maturity.store import summary_rows

    with api.open_workspace(workspace) as ws:
        emit(summary_rows(ws.assessments()), fmt, title="assessments")


@app.command("capabilities")
def capabilities(
    framework: Annotated[
        str, typer.Option(help="current (22, 2026 names), older (18, tutorial names) or both.")
    ] = "current",
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """The capability catalog with domains, KPIs and the mapping between frameworks."""
    with_names = api_capabilities(framework)
    cols = ["framework", "domain", "name", "former_names", "aliases", "kpis", "maps_to",
            "mapped_from"]  # fmt: skip
    emit(with_names, fmt, title=f"capabilities ({framework})", columns=cols)


def api_capabilities(framework: str) -> list[dict[str, Any]]:
    # The catalog needs no workspace; the facade's static twin.
    from costmark.maturity import service

    return service.capabilities(framework)


@app.command("evidence")
def evidence(
    capability: CapabilityOpt = None,
    group: GroupOpt = None,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Evidence computed from the data, per capability and lens (no answers needed)."""
    with api.open_workspace(workspace, engine=engine) as ws:
        day = _judged(ws, as_of)
        with err_console.status("computing evidence..."):
            rows = ws.maturity_evidence(list(capability or []), group=group, as_of=day)
    emit(rows, fmt, title="evidence", columns=["capability", "lens", "title", "summary", "detail"])


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="assess")
    from costmark.cli import iteration

    root.add_typer(iteration.app, name="iteration")
