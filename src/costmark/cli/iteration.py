"""``costmark iteration``: the FinOps iteration loop (plan, status, review, next, list,
report, export, import) from the "Conduct a FinOps iteration" tutorial."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.prompt import Prompt

from costmark import api
from costmark.cli.maturity import GroupOpt, stdin_is_tty
from costmark.cli.options import FormatOpt, OutputFormat, WorkspaceOpt, parse_day
from costmark.cli.output import console, emit, err_console, escape
from costmark.errors import InputError, UsageError

app = typer.Typer(
    help="Plan, track, review and repeat FinOps iterations (scope, goals, review, next).",
    no_args_is_help=True,
)

GoalOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--goal",
        help="CAPABILITY/LENS/KPI=TARGET (KPI goal) or CAPABILITY/LENS/score=N (lens goal); "
        "repeatable, 1-3 per iteration.",
    ),
]
FileOpt = Annotated[
    Path | None, typer.Option("--file", help="Plan as YAML (scope, goals; see examples/).")
]
RefArg = Annotated[str | None, typer.Argument(help="Iteration id or number (default: latest).")]

_GOAL = re.compile(r"^(?P<cap>[^/]+)/(?P<lens>[^/]+)/(?P<what>[^=<>]+)=(?P<value>.+)$")


def parse_goal_flag(
    text: str, *, owner: str | None, due: str | None, actions: list[str]
) -> dict[str, Any]:
    m = _GOAL.match(text.strip())
    if not m:
        raise UsageError(
            f"--goal {text!r}: expected CAPABILITY/LENS/KPI=TARGET, e.g. "
            "'Allocation/metrics/allocation_coverage=0.9', or CAPABILITY/LENS/score=3"
        )
    goal: dict[str, Any] = {"capability": m["cap"].strip(), "lens": m["lens"].strip(),
                            "owner": owner, "actions": actions}  # fmt: skip
    if due:
        goal["due"] = due
    what, value = m["what"].strip(), m["value"].strip()
    try:
        if what == "score":
            goal["target_score"] = int(value)
        else:
            goal["kpi"], goal["target"] = what, float(value)
    except ValueError:
        raise UsageError(f"--goal {text!r}: {value!r} is not a number") from None
    return goal


def _read_spec(file: Path | None) -> dict[str, Any]:
    if file is None:
        return {}
    from costmark.maturity.service import read_yaml

    data = read_yaml(file)
    if not isinstance(data, dict):
        raise InputError(f"{file}: expected a mapping (capabilities, goals, end...)")
    return data


def _show_iteration(doc: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is not OutputFormat.table:
        emit(doc["goals"], fmt, document=doc)
        return
    from costmark.maturity import load_catalog

    cat = load_catalog()
    console.print(
        f"[bold]{escape(str(doc['name']))}[/bold] "
        + escape(f"({doc['id']}, {doc['status']}) {doc['start']} → {doc['end']}, "
                 f"group {doc['group']}")
    )
    console.print("scope: " + escape(", ".join(cat.current[c].name
                                               for c in doc["capabilities"])))
    rows = [{"goal": g["id"], "capability": cat.current[g["capability"]].name, "lens": g["lens"],
             "measure": g.get("kpi") or f"{g['lens']} score",
             "baseline": g.get("baseline", g.get("baseline_score")),
             "target": g.get("target", g.get("target_score")), "due": g["due"],
             "owner": g.get("owner"), "actions": "; ".join(g.get("actions") or []),
             "carried from": g.get("carried_from")} for g in doc["goals"]]  # fmt: skip
    emit(rows, fmt, title="goals")
    for note in [*doc.get("notes", []), *doc.get("suggested_changes", [])]:
        console.print(f"• {escape(str(note))}")
    for g in doc["goals"]:
        if g.get("baseline_note"):
            console.print(f"• {escape(str(g['id']))}: {escape(str(g['baseline_note']))}")
    if doc.get("suggestions"):
        emit(doc["suggestions"], fmt, title="also worth considering", columns=["name", "reason"])


@app.command("plan")
def plan(
    capability: Annotated[
        list[str] | None, typer.Option("--capability", "-c", help="Capability (repeatable).")
    ] = None,
    situation: Annotated[
        str | None,
        typer.Option(
            help="Tutorial situation: new-to-finops, building-team, shared-ownership, "
            "advanced-reporting, automation, business-value."
        ),
    ] = None,
    goal: GoalOpt = None,
    owner: Annotated[str | None, typer.Option(help="Owner of the --goal goals.")] = None,
    action: Annotated[list[str] | None, typer.Option(help="Action (repeatable).")] = None,
    due: Annotated[str | None, typer.Option(help="Due date of the goals (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Iteration end (YYYY-MM-DD).")] = None,
    weeks: Annotated[int | None, typer.Option(help="Iteration length (default 6).")] = None,
    name: Annotated[str | None, typer.Option(help="A name for the iteration.")] = None,
    group: GroupOpt = None,
    file: FileOpt = None,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Only list suggested capabilities.")
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Start an iteration: 3-5 capabilities the first time (later: keep them or add 1-2),
    1-3 measurable goals; KPI baselines are captured now."""
    spec = _read_spec(file)
    for key, value in (("situation", situation), ("end", end), ("weeks", weeks),
                       ("name", name), ("group", group)):  # fmt: skip
        if value is not None:
            spec[key] = value
    if capability:
        spec["capabilities"] = list(capability)
    if goal:
        flag_goals = [parse_goal_flag(g, owner=owner, due=due, actions=list(action or []))
                      for g in goal]  # fmt: skip
        spec["goals"] = [*(spec.get("goals") or []), *flag_goals]
    with api.open_workspace(workspace) as ws:
        if suggest:
            from costmark.maturity import load_catalog
            from costmark.maturity.iterations import suggest as suggest_caps

            its = ws.iterations()
            latest = ws.assessments()
            rows = suggest_caps(
                load_catalog(), situation=spec.get("situation"),
                assessment=latest[-1] if latest else None,
                previous=its[-1]["capabilities"] if its else None,
            )  # fmt: skip
            emit(rows, fmt, title="suggested capabilities", columns=["name", "reason"])
            return
        doc = ws.plan_iteration(spec)
    _show_iteration(doc, fmt)
    if fmt is OutputFormat.table:
        err_console.print(f"[green]started[/green] {escape(str(doc['id']))}")


AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Judge as of this day (YYYY-MM-DD) instead of today."),
]


def _as_of(text: str | None) -> dt.date | None:
    return parse_day(text, "--as-of", last=True)


@app.command("status")
def status(ref: RefArg = None, as_of: AsOfOpt = None, workspace: WorkspaceOpt = None,
           fmt: FormatOpt = OutputFormat.table) -> None:  # fmt: skip
    """Each goal's progress from today's data: now vs baseline vs target, on track or not."""
    day = _as_of(as_of)
    with api.open_workspace(workspace) as ws, err_console.status("measuring goals..."):
        result = ws.iteration_status(ref, today=day)
    it = result["iteration"]
    cols = ["goal", "capability", "lens", "measure", "baseline", "now", "target", "progress",
            "status", "due", "owner", "note"]  # fmt: skip
    rows = _named(result["goals"]) if fmt is OutputFormat.table else result["goals"]
    title = f"{it['id']} status on {result['as_of']}"
    emit(rows, fmt, title=title, columns=cols, document=result)


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Capability names instead of ids, for people."""
    from costmark.maturity import load_catalog

    cat = load_catalog()
    return [{**r, "capability": cat.current[r["capability"]].name} for r in rows]


def _ask_notes() -> dict[str, list[str]]:
    from costmark.maturity.review import NOTE_TITLES

    out: dict[str, list[str]] = {}
    console.print("Separate several points with ';' (empty for none).")
    for key, title in NOTE_TITLES.items():
        text = Prompt.ask(title, default="")
        out[key] = [t.strip() for t in text.split(";") if t.strip()]
    return out


@app.command("review")
def review(
    ref: RefArg = None,
    notes: Annotated[
        Path | None,
        typer.Option(help="YAML with went_well, didnt_go_well, improve (lists of text)."),
    ] = None,
    no_notes: Annotated[bool, typer.Option(help="Review without notes.")] = False,
    early: Annotated[
        bool,
        typer.Option(
            "--early",
            help="Review before the iteration's end date (asked on a terminal, refused "
            "otherwise: the period is not over).",
        ),
    ] = False,
    as_of: AsOfOpt = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report (.md or .html).")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Judge each goal achieved/missed from the data, record what went well / didn't / improve,
    and (with -o) write a shareable report. Meant for the iteration's end date: earlier, it
    asks for confirmation (or --early)."""
    if notes is None and not no_notes and not stdin_is_tty():
        raise UsageError(
            "stdin is not a terminal: give --notes FILE.yaml (went_well, didnt_go_well, "
            "improve) or --no-notes"
        )
    day = _as_of(as_of)
    with api.open_workspace(workspace) as ws:
        early = early or _confirm_early(ws.iteration(ref), day or dt.date.today())
    given: Any = notes if notes is not None else {} if no_notes else _ask_notes()
    with api.open_workspace(workspace) as ws:
        when = dt.datetime.combine(day, dt.time(23, 59, 59)) if day else None
        it = ws.review_iteration(ref, notes=given, now=when, early=early)
        if output is not None:
            kind = "html" if output.suffix.lower() in (".html", ".htm") else "md"
            output.write_text(ws.iteration_report(it["id"], kind), "utf-8")
    cols = ["goal", "capability", "lens", "measure", "baseline", "now", "target", "outcome",
            "note"]  # fmt: skip
    outcomes = it["review"]["outcomes"]
    emit(
        _named(outcomes) if fmt is OutputFormat.table else outcomes,
        fmt,
        title=f"{it['id']} review",
        columns=cols,
        document=it,
    )
    if output is not None and fmt is OutputFormat.table:
        err_console.print(f"report written to {escape(str(output))}")


def _confirm_early(iteration: dict[str, Any], day: dt.date) -> bool:
    """On a terminal, ask before reviewing an iteration whose period is not over; elsewhere
    answer no (the review then refuses with the reason and --early)."""
    from costmark.maturity.iterations import days_left

    left = days_left(iteration, day)
    if not left or not stdin_is_tty():
        return False
    from rich.prompt import Confirm

    err_console.print(
        f"{iteration['id']} runs until {iteration['end']}: the period is not over "
        f"({left} day{'s' if left != 1 else ''} left). A review closes the iteration."
    )
    if not Confirm.ask("Review it now?", default=False):
        raise typer.Exit(1)
    return True


@app.command("report")
def report(
    ref: RefArg = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (.md or .html); default stdout.")
    ] = None,
    html: Annotated[bool, typer.Option(help="HTML instead of Markdown on stdout.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """The review report of a reviewed iteration (Markdown or self-contained HTML)."""
    kind = "html" if html or (output and output.suffix.lower() in (".html", ".htm")) else "md"
    with api.open_workspace(workspace) as ws:
        text = ws.iteration_report(ref, kind)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")
        err_console.print(f"report written to {escape(str(output))}")


@app.command("next")
def next_(
    add: Annotated[
        list[str] | None, typer.Option("--add", help="Capability to add (at most 2).")
    ] = None,
    goal: GoalOpt = None,
    owner: Annotated[str | None, typer.Option(help="Owner of the --goal goals.")] = None,
    action: Annotated[list[str] | None, typer.Option(help="Action (repeatable).")] = None,
    due: Annotated[str | None, typer.Option(help="Due date of new goals.")] = None,
    end: Annotated[str | None, typer.Option(help="Iteration end (YYYY-MM-DD).")] = None,
    weeks: Annotated[
        int | None, typer.Option(help="Iteration length in weeks (default: the previous one's).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="YAML with extra 'goals:' for the next one.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Start the next iteration from the last review: missed goals carried over (fresh
    baseline), same scope plus up to 2 new capabilities, suggested changes listed. It starts
    the day after the previous one ended (or today, when later) and lasts as long unless
    --weeks or --end says otherwise."""
    extra = list(_read_spec(file).get("goals") or [])
    extra += [parse_goal_flag(g, owner=owner, due=due, actions=list(action or []))
              for g in goal or []]  # fmt: skip
    with api.open_workspace(workspace) as ws:
        doc = ws.next_iteration(add=list(add or []), weeks=weeks, end=end, extra_goals=extra)
    _show_iteration(doc, fmt)
    if fmt is OutputFormat.table:
        err_console.print(f"[green]started[/green] {escape(str(doc['id']))}")


@app.command("list")
def list_(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """All iterations, oldest first."""
    with api.open_workspace(workspace) as ws:
        docs = ws.iterations()
    rows = [{"id": d["id"], "name": d["name"], "status": d["status"], "start": d["start"],
             "end": d["end"], "capabilities": len(d["capabilities"]), "goals": len(d["goals"]),
             "achieved": (d.get("review") or {}).get("achieved")} for d in docs]  # fmt: skip
    emit(rows, fmt, title="iterations", document=docs)


@app.command("show")
def show(ref: RefArg = None, workspace: WorkspaceOpt = None,
         fmt: FormatOpt = OutputFormat.table) -> None:  # fmt: skip
    """One iteration: scope, goals, baselines, suggestions."""
    with api.open_workspace(workspace) as ws:
        _show_iteration(ws.iteration(ref), fmt)


@app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File; default stdout.")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Assessments and iterations as YAML (keep them in git; import restores them exactly)."""
    with api.open_workspace(workspace) as ws:
        text = ws.export_maturity()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")
        err_console.print(f"exported to {escape(str(output))}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by 'costmark iteration export'.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Load an export; documents with the same ids are replaced (all or nothing)."""
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        raise InputError(f"{file} not found") from None
    with api.open_workspace(workspace) as ws:
        counts = ws.import_maturity(text, str(file))
    emit({**counts, "file": str(file), "at": dt.datetime.now().isoformat(timespec="seconds")},
         fmt, title="imported")  # fmt: skip
