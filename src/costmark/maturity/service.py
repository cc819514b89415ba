"""Maturity use cases over a context; the facade (api.Workspace) delegates here.

Each function takes the context and, for tests and what-ifs, an optional ``source`` of facts
(default: ``ContextSource``, which reads through the context's KPI engine) and a ``now``.

In a scoped context (a token for ``team=payments``) evidence is computed on the scope's own
rows; stored documents (assessments, iterations) carry figures of the group they were made for,
so a scoped context sees only those of its own group (``team=payments``) and refuses to write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from costmark.errors import InputError, NotFoundError, ScopeUnsupported, UsageError
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
from costmark.maturity.sources import ContextSource, Source

if TYPE_CHECKING:
    from costmark.engine.context import Context


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _source(ws: Context, source: Source | None) -> Source:
    return source if source is not None else ContextSource(ws)


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
    ws: Context,
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
    ws: Context,
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
    ws: Context, ref: str = "latest", previous: str | None = None
) -> dict[str, Any]:
    """Current vs target vs an earlier assessment of the same group (default: the one before)."""
    return _comparison(ws.warehouse.con, ref, previous)


def _comparison(con: Any, ref: str, previous: str | None) -> dict[str, Any]:
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
def kpi_directions(ws: Context) -> dict[str, str] | None:
    """KPI id -> better direction, from the KPI catalog."""
    return {str(k.id): str(getattr(k, "direction", "none")) for k in ws.engine.catalog()}


def _latest_assessment(ws: Context, group: str | None = None) -> dict[str, Any] | None:
    docs = store.list_assessments(ws.warehouse.con, group)
    return docs[-1] if docs else None


def plan(
    ws: Context,
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
    ws: Context,
    ref: str | None = None,
    *,
    source: Source | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Goal progress; in a scope, only of the scope's own iterations (goals judged on its
    rows, against its own assessments)."""
    it = get_iteration(ws, ref)
    src = _source(ws, source)
    day = today or _now(None).date()
    assessments = list_assessments(ws, ws.group) if ws.scope else store.list_assessments(
        ws.warehouse.con)
    rows = [goal_status(g, src, assessments, it, day) for g in it["goals"]]
    return {"iteration": it, "as_of": day.isoformat(), "goals": rows}


def review(
    ws: Context,
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
    ws: Context,
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


def report(ws: Context, ref: str | None = None, fmt: str = "md") -> str:
    """The review report of ``ref`` (default: the latest reviewed iteration)."""
    if ref is None:
        reviewed = [d for d in store.list_iterations(ws.warehouse.con) if d.get("review")]
        if reviewed:
            ref = reviewed[-1]["id"]
    return render_review(store.get_iteration(ws.warehouse.con, ref), load_catalog(), fmt)


def export_yaml(ws: Context) -> str:
    con = ws.warehouse.con
    return exchange.dump(store.list_assessments(con), store.list_iterations(con))


def import_yaml(ws: Context, text: str, file: str = "import") -> dict[str, int]:
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


# -- stored documents, as a (possibly scoped) context may see them ------------------------------
def _withheld(ws: Context, what: str, cli: str) -> ScopeUnsupported:
    target = ws.group or ", ".join(f"{k}={v}" for k, v in ws.scope.items())
    return ScopeUnsupported(
        f"organisation-wide {what} are not shown to a scoped token, and none was made for "
        f"{target}" + (f" (an admin can run '{cli} --group {target}')" if ws.group else "")
    )


def list_assessments(ws: Context, group: str | None = None) -> list[dict[str, Any]]:
    """Assessments (of ``group``); a scoped context sees only its own group's."""
    if not ws.scope:
        return store.list_assessments(ws.warehouse.con, group)
    con = ws.shared_warehouse.con
    own = ws.group
    docs = [] if own is None or group not in (None, own) else store.list_assessments(con, own)
    if not docs and store.list_assessments(con):
        raise _withheld(ws, "maturity assessments", "costmark assess")
    return docs


def comparison(ws: Context, ref: str = "latest", previous: str | None = None) -> dict[str, Any]:
    """``assessment_comparison`` within what the context may see."""
    if not ws.scope:
        return assessment_comparison(ws, ref, previous)
    ids = [d["id"] for d in list_assessments(ws)]
    wanted = ids[-1] if ref == "latest" and ids else ref
    if wanted not in ids or (previous is not None and previous not in ids):
        raise NotFoundError(f"no assessment {ref!r} for {ws.group}")
    # the default "previous" is the one before of the same group, so still this scope's
    return _comparison(ws.shared_warehouse.con, wanted, previous)


def _own_iteration(ws: Context, doc: Mapping[str, Any]) -> bool:
    goals = doc.get("goals") or []
    return doc.get("group") == ws.group and all(
        g.get("group", doc.get("group")) == ws.group for g in goals
    )


def list_iterations(ws: Context) -> list[dict[str, Any]]:
    """Iterations; a scoped context sees those made for its group, every goal measured on the
    group's rows."""
    if not ws.scope:
        return store.list_iterations(ws.warehouse.con)
    every = store.list_iterations(ws.shared_warehouse.con)
    docs = [d for d in every if ws.group is not None and _own_iteration(ws, d)]
    if not docs and every:
        raise _withheld(ws, "iterations", "costmark iteration plan")
    return docs


def get_iteration(ws: Context, ref: str | None = None) -> dict[str, Any]:
    """One iteration (default: the latest) the context may see."""
    if not ws.scope:
        return store.get_iteration(ws.warehouse.con, ref)
    docs = list_iterations(ws)
    if not docs:
        raise NotFoundError("no iterations yet; start one with 'costmark iteration plan'")
    if ref is None or ref == "latest":
        key = str(docs[-1]["id"])
    else:
        key = ref if ref.startswith("it-") else f"it-{ref}"
        if key not in [d["id"] for d in docs]:
            raise NotFoundError(f"no iteration {ref!r} for {ws.group}")
    return store.get_iteration(ws.shared_warehouse.con, key)
