"""Iteration review (outcomes from the data + the team's notes) and its shareable report.

The report is rendered from Jinja2 templates shipped in the package (templates/review.md.j2 and
review.html.j2); the HTML is self-contained (inline CSS, no scripts) so it can be mailed or
attached to a ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from costmark.errors import InputError
from costmark.maturity.catalog import Catalog
from costmark.maturity.progress import outcome
from costmark.present import jinja, numbers

NOTE_KEYS = ("went_well", "didnt_go_well", "improve")
NOTE_TITLES = {
    "went_well": "What went well",
    "didnt_go_well": "What did not go well",
    "improve": "How to improve the next iteration",
}


def parse_notes(data: Any, file: str) -> dict[str, list[str]]:
    """``went_well``, ``didnt_go_well``, ``improve``: each a list of strings (or one string)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InputError(f"{file}: expected a mapping with {', '.join(NOTE_KEYS)}")
    unknown = [k for k in data if k not in NOTE_KEYS]
    if unknown:
        raise InputError(f"{file}: unknown key(s) {', '.join(map(str, unknown))}; "
                         f"use {', '.join(NOTE_KEYS)}")  # fmt: skip
    out: dict[str, list[str]] = {}
    for key in NOTE_KEYS:
        value = data.get(key) or []
        out[key] = [str(value)] if isinstance(value, str) else [str(v) for v in value]
    return out


def build_review(
    iteration: Mapping[str, Any],
    statuses: Sequence[Mapping[str, Any]],
    notes: Mapping[str, list[str]],
    *,
    now: dt.datetime,
) -> dict[str, Any]:
    outcomes = []
    for st in statuses:
        outcomes.append({**st, "outcome": outcome(st)})
    achieved = sum(o["outcome"] == "achieved" for o in outcomes)
    return {
        "reviewed_at": now.replace(microsecond=0).isoformat(),
        "outcomes": outcomes,
        "achieved": achieved,
        "missed": sum(o["outcome"] == "missed" for o in outcomes),
        "unknown": sum(o["outcome"] == "unknown" for o in outcomes),
        **{k: list(notes.get(k, [])) for k in NOTE_KEYS},
    }


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("costmark.maturity", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    jinja.register(env)
    env.filters["num"] = numbers.short  # a goal's measure: a KPI value or a level
    return env


def render_review(iteration: Mapping[str, Any], catalog: Catalog, fmt: str = "md") -> str:
    """The review report as Markdown (``md``) or self-contained HTML (``html``)."""
    if not iteration.get("review"):
        raise InputError(f"{iteration['id']} has not been reviewed yet")
    names = {cid: catalog.current[cid].name for cid in iteration["capabilities"]}
    for g in iteration["goals"]:
        names.setdefault(g["capability"], catalog.current[g["capability"]].name)
    template = "review.html.j2" if fmt == "html" else "review.md.j2"
    return _env().get_template(template).render(
        it=iteration, review=iteration["review"], names=names, titles=NOTE_TITLES,
        goals={g["id"]: g for g in iteration["goals"]},
    )  # fmt: skip
