"""An assessment: capabilities x five lenses, answered, checked against evidence, stored.

Pure where it can be: ``parse_answers`` reads a YAML mapping, ``assess`` combines answers with
evidence into a plain document (JSON-able dict), and ``compare`` lines two documents up. Storage
is in ``maturity.store``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from statistics import mean
from typing import Any

from costmark.errors import InputError, Located, NotFoundError, UsageError, did_you_mean
from costmark.maturity.catalog import LENSES, Capability, Catalog
from costmark.maturity.evidence import EvidenceContext
from costmark.maturity.rules import evaluate
from costmark.maturity.scoring import adjust, check_score, stage_of
from costmark.maturity.sources import Source

Answers = dict[str, dict[str, tuple[int, int]]]  # capability id -> lens -> (current, target)


def parse_group(text: str | Mapping[str, Any] | None, dimensions: Mapping[str, Any]) -> str:
    """'org' or 'dim=value' after checking the dimension exists."""
    if text is None or text == "" or text == "org":
        return "org"
    if isinstance(text, Mapping):
        if len(text) != 1:
            raise UsageError("a group is one dimension value, e.g. team=payments")
        ((dim, value),) = text.items()
    else:
        if "=" not in text:
            raise UsageError(f"--group {text!r}: expected DIMENSION=VALUE, e.g. team=payments")
        dim, value = (s.strip() for s in text.split("=", 1))
    if dim not in dimensions:
        raise NotFoundError(
            f"unknown dimension {dim!r} in group{did_you_mean(dim, dimensions)}; "
            f"dimensions: {', '.join(sorted(dimensions)) or 'none declared'}"
        )
    return f"{dim}={value}"


def group_tuple(group: str) -> tuple[str, str] | None:
    if group == "org":
        return None
    dim, value = group.split("=", 1)
    return dim, value


def parse_answers(data: Any, file: str, catalog: Catalog) -> tuple[Answers, dict[str, Any]]:
    """Answers from a YAML mapping; every problem is reported with the file and capability.

    Each lens is either ``2`` (current; target = current) or ``{current: 2, target: 3}``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("capabilities"), Mapping):
        raise InputError(
            f"{file}: expected a mapping with 'capabilities:' (capability -> lens -> score)"
        )
    meta = {k: data[k] for k in ("group", "assessor", "notes") if data.get(k) is not None}
    answers: Answers = {}
    problems: list[Located] = []
    for name, lenses in data["capabilities"].items():
        try:
            cap = catalog.resolve(str(name))
        except NotFoundError as exc:
            problems.append(Located(str(exc), file, column=str(name)))
            continue
        if not isinstance(lenses, Mapping):
            problems.append(Located("expected lens: score pairs", file, column=str(name)))
            continue
        unknown = [k for k in lenses if k not in LENSES]
        for k in unknown:
            problems.append(
                Located(f"unknown lens {k!r}{did_you_mean(str(k), LENSES)}", file, column=name)
            )
        scores: dict[str, tuple[int, int]] = {}
        for lens in LENSES:
            where = f"{name}.{lens}"
            if lens not in lenses:
                problems.append(Located(f"{where}: missing (give a score 0-4)", file))
                continue
            raw = lenses[lens]
            try:
                if isinstance(raw, Mapping):
                    cur = check_score(raw.get("current"), f"{where}.current")
                    tgt = check_score(raw.get("target", cur), f"{where}.target")
                else:
                    cur = tgt = check_score(raw, where)
            except ValueError as exc:
                problems.append(Located(str(exc), file))
                continue
            scores[lens] = (cur, tgt)
        if cap.id in answers:
            problems.append(Located(f"{name}: {cap.name} answered twice", file))
        answers[cap.id] = scores
    if problems:
        raise InputError(f"{file} has {len(problems)} problem(s)", problems)
    return answers, meta


def assess(
    catalog: Catalog,
    answers: Answers,
    source: Source,
    *,
    group: str = "org",
    today: dt.date,
    now: dt.datetime,
    meta: Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Combine answers with evidence into the assessment document; data evidence is judged up
    to ``as_of`` when given, else up to the data's last day."""
    ctx = EvidenceContext(source, today, group_tuple(group), as_of=as_of)
    caps = []
    for cid, scores in answers.items():
        cap = catalog.current[cid]
        caps.append(_assess_capability(cap, scores, ctx))
    return {
        "assessed_at": now.replace(microsecond=0).isoformat(),
        "group": group,
        **{k: v for k, v in (meta or {}).items() if k in ("assessor", "notes")},
        "capabilities": caps,
    }


def _assess_capability(
    cap: Capability, scores: dict[str, tuple[int, int]], ctx: EvidenceContext
) -> dict[str, Any]:
    evidence = {rule.id: evaluate(rule.id, ctx) for rule in cap.evidence}
    lenses: dict[str, Any] = {}
    for lens in LENSES:
        answered, target = scores[lens]
        items = [
            (evidence[r.id].title, evidence[r.id].stage)
            for r in cap.evidence
            if r.lens == lens and evidence[r.id].available and evidence[r.id].stage
        ]
        adj = adjust(answered, [(t, s) for t, s in items if s], lens)
        notes = [adj.explanation] if adj.explanation else []
        if target < adj.current:
            notes.append(f"target raised to {adj.current} (never below current)")
            target = adj.current
        lenses[lens] = {
            "answered": answered,
            "current": adj.current,
            "target": target,
            "stage": stage_of(adj.current),
            "evidence": [r.id for r in cap.evidence if r.lens == lens],
            "explanation": "; ".join(notes) or None,
        }
    cur_mean = mean(v["current"] for v in lenses.values())
    tgt_mean = mean(v["target"] for v in lenses.values())
    return {
        "id": cap.id,
        "name": cap.name,
        "domain": cap.domain,
        "current": round(cur_mean, 2),
        "target": round(tgt_mean, 2),
        "stage": stage_of(cur_mean),
        "target_stage": stage_of(tgt_mean),
        "lenses": lenses,
        "evidence": [
            {**evidence[r.id].to_dict(), "lens": r.lens, "summary": evidence[r.id].summary}
            for r in cap.evidence
        ],
    }


def score_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per capability and lens (for tables and the scores table)."""
    rows = []
    for cap in doc["capabilities"]:
        for lens, s in cap["lenses"].items():
            rows.append(
                {
                    "capability": cap["name"],
                    "lens": lens,
                    "answered": s["answered"],
                    "current": s["current"],
                    "target": s["target"],
                    "gap": s["target"] - s["current"],
                    "stage": s["stage"],
                    "explanation": s.get("explanation"),
                }
            )
    return rows


def compare(doc: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Current vs target vs last time, per capability and lens (and the capability overall)."""
    prev: dict[tuple[str, str], Any] = {}
    if previous:
        for cap in previous["capabilities"]:
            prev[(cap["id"], "overall")] = cap["current"]
            for lens, s in cap["lenses"].items():
                prev[(cap["id"], lens)] = s["current"]
    rows = []
    for cap in doc["capabilities"]:
        entries = [("overall", cap["current"], cap["target"], cap["stage"], None)]
        entries += [
            (ln, s["current"], s["target"], s["stage"], s.get("explanation"))
            for ln, s in cap["lenses"].items()
        ]
        for lens, cur, tgt, stage, why in entries:
            last = prev.get((cap["id"], lens))
            rows.append(
                {
                    "capability": cap["name"],
                    "lens": lens,
                    "current": cur,
                    "target": tgt,
                    "stage": stage,
                    "previous": last,
                    "change": None if last is None else round(cur - last, 2),
                    "gap": round(tgt - cur, 2),
                    "explanation": why,
                }
            )
    return rows


def largest_gaps(doc: Mapping[str, Any]) -> list[tuple[str, float]]:
    """Capability ids by total gap (target - current over the lenses), largest first."""
    gaps = [
        (cap["id"], sum(s["target"] - s["current"] for s in cap["lenses"].values()))
        for cap in doc["capabilities"]
    ]
    return sorted([g for g in gaps if g[1] > 0], key=lambda g: -g[1])
