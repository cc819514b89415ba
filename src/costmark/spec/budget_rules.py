"""Cross-reference checks for ``budgets`` in costmark.yaml: scope keys name a declared dimension
(or a FOCUS column / ``tag:<key>``), the ``where`` filter parses and names real fields, and the
currency looks like an ISO 4217 code. A typo would otherwise surface only when the budget is
computed, as a budget that silently matches no cost; the loader reports it with file:line."""

from __future__ import annotations

from pathlib import Path

from costmark.errors import Located, did_you_mean
from costmark.focus.schema import canonical_columns
from costmark.spec.loader import LinePath, line_of
from costmark.spec.models import Project

Lines = dict[LinePath, int]


def budget_rules(project: Project, lines: Lines, file: str, root: Path) -> list[Located]:
    budgets = getattr(project, "budgets", {}) or {}
    if not budgets:
        return []
    from costmark.spec.rules import filter_problems

    dims = list(project.dimensions)
    known = [*dims, *(c.name for c in canonical_columns())]
    out: list[Located] = []
    for name, budget in budgets.items():
        for key in budget.scope:
            if key in known or (key.startswith("tag:") and len(key) > 4):
                continue
            out.append(
                Located(
                    f"budgets.{name}.scope: unknown dimension {key!r}{did_you_mean(key, dims)}",
                    file,
                    line_of(lines, ("budgets", name, "scope", key)),
                )
            )
        if budget.where is not None:
            for message in filter_problems(budget.where, project):
                out.append(
                    Located(
                        f"budgets.{name}.where: {message}",
                        file,
                        line_of(lines, ("budgets", name, "where")),
                    )
                )
        if budget.currency is not None and not (
            len(budget.currency) == 3 and budget.currency.isalpha()
        ):
            out.append(
                Located(
                    f"budgets.{name}.currency: {budget.currency!r} is not a 3-letter currency code",
                    file,
                    line_of(lines, ("budgets", name, "currency")),
                )
            )
    return out
