"""Maturity use cases over an open workspace; the facade (api.Workspace) delegates here.

Each function takes the workspace and, for tests and what-ifs, an optional ``source`` of facts
(default: ``WorkspaceSource``, which reads through the facade) and a ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from costmark.errors import InputError, UsageError
from costmark.maturity import exchange, store
from costmark.maturity.assessment import (
    assess,
    compare,
    group_tuple,
    parse_answers,
    parse_group,
)
from costmark.maturity.catalog import load_catalog
from costmark.maturity.evidence import EvidenceContext
from costmark.maturity.iterations import build_iteration, check_review_time, next_spec
from costmark.maturity.progress import goal_status
from costmark.maturity.review import build_review, parse_notes, render_review
from costmark.maturity.rules import evaluate
from costmark.maturity.sources import Source, WorkspaceSource

if TYPE_CHECKING:
    from costmark.api import Workspace


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _source(ws: Workspace, source: Source | None) -> Source:
    return source if source is not None else WorkspaceSource(ws)


def read_yaml(path: str | Path) -> Any:
    p = Path(path)
    try:
        return yaml.safe_load(p.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p} not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{p}{line} is not valid YAML: {getattr(exc, 'problem', exc)}") from None


# -- catalog ----------------------------------------------------------------------------------
def capabilities(framework: str = "current") -> list[dict[str, Any]]:
    cat = load_catalog()
    if framework not in ("current", "older", "both"):
        raise UsageError("framework must be current, older or both")
    caps = []
    if framework in ("current", "both"):
        caps += list(cat.current.values())
    if framework in ("older", "both"):
        caps += list(cat.older.values())
    return [c.to_dict() for c in caps]


# -- assessments ------------------------------------------------------------------------------
def evidence(
    ws: Workspace,
    *,
    capabilities: Sequence[str] = (),
    group: str | None = None,
    source: Source | None = None,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Every evidence item for the capabilities (all with evidence rules when none given).
    Data evidence judges the data's latest complete periods (``as_of``: up to that day)."""
    cat = load_catalog()
    src = _source(ws, source)
    g = parse_group(group, src.project.dimensions)
    ctx = EvidenceContext(src, today or as_of or _now(None).date(), group_tuple(g), as_of=as_of)
    caps = cat.resolve_many(list(capabilities)) if capabilities else list(cat.current.values())
    rows = []
    for cap in caps:
        for rule in cap.evidence:
            ev = evaluate(rule.id, ctx)
            rows.append({"capability": cap.name, "lens": rule.lens, **ev.to_dict(),
                         "summary": ev.summary})  # fmt: skip
    return rows


def run_assessment(
    ws: Workspace,
    answers: Mapping[str, Any] | str | Path,
    *,
    capabilities: Sequence[str] = (),
    group: str | None = None,
    source: Source | None = None,
    now: dt.datetime | None = None,
    save: bool = True,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Assess: answers (a YAML file or the same shape as a mapping) + evidence (judged on the
    data's latest complete periods, or up to ``as_of``)."""
    cat = load_catalog()
    src = _source(ws, source)
    meta: dict[str, Any] = {}
    if isinstance(answers, str | Path):
        parsed, meta = parse_answers(read_yaml(answers), str(answers), cat)
    else:
        parsed, meta = parse_answers(answers, "answers", cat)
    if capabilities:
        wanted = [c.id for c in cat.resolve_many(list(capabilities))]
        missing = [cat.current[c].name for c in wanted if c not in parsed]
        if missing:
            raise UsageError(f"no answers for: {', '.join(missing)}")
        parsed = {c: parsed[c] for c in wanted}
    g = parse_group(group if group is not None else meta.get("group"), src.project.dimensions)
    t = _now(now)
    doc = assess(cat, parsed, src, group=g, today=as_of or t.date(), now=t, meta=meta,
                 as_of=as_of)
    if save:
        with ws.warehouse.transaction() as con:
            doc["id"] = store.save_assessment(con, doc)
    return doc


def assessment_comparison(
    ws: Workspace, ref: str = "latest", previous: str | None = None
) -> dict[str, Any]:
    """Current vs target vs an earlier assessment of the same group (default: the one before)."""
    con = ws.warehouse.con
    doc = store.get_assessment(con, ref)
    prev = None
    if previous is not None:
        prev = store.get_assessment(con, previous)
    else:
        same = [d for d in store.list_assessments(con, doc["group"]) if d["id"] != doc["id"]]
        older = [d for d in same if d["assessed_at"] <= doc["assessed_at"]]
        prev = older[-1] if older else None
    return {"assessment": doc, "previous": prev, "rows": compare(doc, prev)}


# -- iterations -------------------------------------------------------------------------------
def kpi_directions(ws: Workspace) -> dict[str, str] | None:
    """KPI id -> better direction, from the KPI engine's catalog when it is there."""
    fn = getattr(ws, "kpi_catalog", None)
    if fn is None:
        return None
    try:
        return {str(k.id): str(getattr(k, "direction", "none")) for k in fn()}
    except Exception:  # the KPI engine may be mid-construction; goals still work without
        return None


def _latest_assessment(ws: Workspace, group: str | None = None) -> dict[str, Any] | None:
    docs = store.list_assessments(ws.warehouse.con, group)
    return docs[-1] if docs else None


def plan(
    ws: Workspace,
    spec: Mapping[str, Any],
    *,
    source: Source | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Start an iteration from a plan spec; the previous one must be reviewed first."""
    con = ws.warehouse.con
    its = store.list_iterations(con)
    previous = its[-1] if its else None
    if previous and previous["status"] != "reviewed":
        raise UsageError(
            f"{previous['id']} is still active; review it ('costmark iteration review') "
            "before planning the next"
        )
    src = _source(ws, source)
    g = parse_group(spec.get("group"), src.project.dimensions)
    number = max((int(d["number"]) for d in its), default=0) + 1  # imports may leave gaps
    doc = build_iteration(
        load_catalog(), spec, source=src, number=number, previous=previous,
        assessment=_latest_assessment(ws, g), directions=kpi_directions(ws), now=_now(now),
    )  # fmt: skip
    with ws.warehouse.transaction() as c:
        store.save_iteration(c, doc)
    return doc


def status(
    ws: Workspace,
    ref: str | None = None,
    *,
    source: Source | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    it = store.get_iteration(ws.warehouse.con, ref)
    src = _source(ws, source)
    day = today or _now(None).date()
    assessments = store.list_assessments(ws.warehouse.con)
    rows = [goal_status(g, src, assessments, it, day) for g in it["goals"]]
    return {"iteration": it, "as_of": day.isoformat(), "goals": rows}


def review(
    ws: Workspace,
    ref: str | None = None,
    *,
    notes: Mapping[str, Any] | str | Path | None = None,
    source: Source | None = None,
    now: dt.datetime | None = None,
    early: bool = False,
) -> dict[str, Any]:
    """Judge every goal from the data, attach the team's notes, mark the iteration reviewed.
    Before the iteration's end date the review is refused unless ``early``."""
    t = _now(now)
    check_review_time(store.get_iteration(ws.warehouse.con, ref), t.date(), early=early)
    st = status(ws, ref, source=source, today=t.date())
    it = st["iteration"]
    if isinstance(notes, str | Path):
        parsed = parse_notes(read_yaml(notes), str(notes))
    else:
        parsed = parse_notes(notes, "notes")
    it["review"] = build_review(it, st["goals"], parsed, now=t)
    if t.date() < dt.date.fromisoformat(it["end"]):
        it["review"]["early"] = f"reviewed early: the iteration runs until {it['end']}"
    it["status"] = "reviewed"
    with ws.warehouse.transaction() as c:
        store.save_iteration(c, it)
    return it


def start_next(
    ws: Workspace,
    *,
    add: Sequence[str] = (),
    weeks: int | None = None,
    end: str | None = None,
    extra_goals: Sequence[Mapping[str, Any]] = (),
    source: Source | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The next iteration from the latest review: same scope (+ up to 2 added), missed goals
    carried over with a fresh baseline, suggested changes recorded."""
    prev = store.get_iteration(ws.warehouse.con)
    spec, changes = next_spec(prev, add=add, weeks=weeks, end=end, extra_goals=extra_goals,
                              today=_now(now).date())  # fmt: skip
    if not spec["goals"]:
        raise UsageError(
            f"every goal of {prev['id']} was achieved: give 1-3 new goals "
            "(--goal or --file) for the next iteration"
        )
    doc = plan(ws, spec, source=source, now=now)
    doc["suggested_changes"] = changes
    with ws.warehouse.transaction() as c:
        store.save_iteration(c, doc)
    return doc


def report(ws: Workspace, ref: str | None = None, fmt: str = "md") -> str:
    """The review report of ``ref`` (default: the latest reviewed iteration)."""
    if ref is None:
        reviewed = [d for d in store.list_iterations(ws.warehouse.con) if d.get("review")]
        if reviewed:
            ref = reviewed[-1]["id"]
    return render_review(store.get_iteration(ws.warehouse.con, ref), load_catalog(), fmt)


def export_yaml(ws: Workspace) -> str:
    con = ws.warehouse.con
    return exchange.dump(store.list_assessments(con), store.list_iterations(con))


def import_yaml(ws: Workspace, text: str, file: str = "import") -> dict[str, int]:
    """Load an export (replacing documents with the same ids); all or nothing."""
    assessments, iterations = exchange.load(text, file)
    cat = load_catalog()
    for it in iterations:
        for cid in it["capabilities"]:
            if cid not in cat.current:
                raise InputError(f"{file}: {it['id']} names unknown capability {cid!r}")
    with ws.warehouse.transaction() as con:
        for a in assessments:
            store.save_assessment(con, a)
        for it in iterations:
            store.save_iteration(con, it)
    return {"assessments": len(assessments), "iterations": len(iterations)}
