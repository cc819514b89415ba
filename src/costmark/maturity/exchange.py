"""Export and import assessments and iterations as YAML, so a team can keep them in git.

Round trip is exact: export -> import into any workspace -> export gives the same text, because
documents are stored whole and dumped with a fixed key order.
"""

from __future__ import annotations

from typing import Any

import yaml

from costmark.errors import InputError

FORMAT_VERSION = 1


def dump(assessments: list[dict[str, Any]], iterations: list[dict[str, Any]]) -> str:
    doc = {"costmark_maturity": FORMAT_VERSION, "assessments": assessments,
           "iterations": iterations}  # fmt: skip
    return yaml.safe_dump(doc, sort_keys=True, allow_unicode=True, width=100)


def load(text: str, file: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parse and check an export; problems name the file and the document."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{file} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("costmark_maturity") != FORMAT_VERSION:
        raise InputError(
            f"{file}: not a costmark maturity export (expected 'costmark_maturity: 1')"
        )
    assessments = data.get("assessments") or []
    iterations = data.get("iterations") or []
    for i, a in enumerate(assessments):
        for key in ("id", "assessed_at", "group", "capabilities"):
            if not isinstance(a, dict) or key not in a:
                raise InputError(f"{file}: assessments[{i}] lacks {key!r}")
    for i, it in enumerate(iterations):
        for key in ("id", "number", "status", "created_at", "capabilities", "goals"):
            if not isinstance(it, dict) or key not in it:
                raise InputError(f"{file}: iterations[{i}] lacks {key!r}")
    return assessments, iterations
