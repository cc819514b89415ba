"""Which rows a filter or grouping can attribute: the note for KPIs that need untagged rows.

Some KPIs divide by rows that describe no resource: FOCUS ``Unused`` commitment rows are the
idle part of a savings plan or reservation, so they carry no resource tags. A tag filter
(``tag:env = 'prod'``) keeps none of them, and a dimension that reads a tag places them only by
its other rules (a mapping by account) or its default. Commitment utilization under a tag
filter is then 1.0 whatever was wasted. costmark does not spread unused commitment over tags;
a KPI declares the rows it needs (``MeasureKpi.untagged_rows``) and every result row computed
under such a filter or grouping says what it cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable

from costmark.kpis.library import ComputedKpi, MeasureKpi
from costmark.spec import filters as f
from costmark.spec.models import Project


def _tag_fields(project: Project, fields: Iterable[str]) -> tuple[list[str], list[str]]:
    """(tag:<key> fields, dimensions that read a tag) among ``fields``."""
    tags, dims = [], []
    for name in sorted(set(fields)):
        if name.startswith("tag:"):
            tags.append(name)
        elif name in project.dimensions and project.dimensions[name].tag_keys:
            dims.append(name)
    return tags, dims


def untagged_rows_note(
    project: Project, plan: MeasureKpi | ComputedKpi, where: f.Node | None, by: Iterable[str]
) -> str | None:
    """The note for ``plan`` under ``where`` and ``--by``, or None when nothing is hidden."""
    if plan.untagged_rows is None:
        return None
    filters = [where]
    filters += [f.parse_filter(m.where) for m in plan.measures.values() if m.where]
    scope = getattr(plan, "scope", None)
    if scope and any(m.scoped for m in plan.measures.values()):
        filters.append(f.parse_filter(scope))
    read: set[str] = set()
    for node in filters:
        read |= f.fields_of(node)
    tags, dims = _tag_fields(project, read)
    dims = sorted({*dims, *_tag_fields(project, by)[1]})
    rows = plan.untagged_rows
    notes = []
    if tags:
        notes.append(
            f"{rows} rows carry no tags, so the filter on {', '.join(tags)} leaves them out: "
            f"this value sees only used commitment (costmark does not spread {rows} over tags)"
        )
    if dims:
        notes.append(
            f"{rows} rows carry no tags: {', '.join(dims)} places them only by its non-tag "
            "rules (e.g. an account mapping) or its default value"
        )
    return "; ".join(notes) or None
