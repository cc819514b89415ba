"""Recognise a provider's native export from its header, before anyone calls it bad FOCUS.

A legacy AWS CUR read as FOCUS gives 40 "missing column" errors that help nobody; the user needs
to hear "this is an AWS Cost and Usage Report: run ``costmark convert --from aws-cur``".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costmark.convert.headers import clean
from costmark.convert.mapping import NativeMapping, mappings


@dataclass(frozen=True)
class Detection:
    """What a file is: which mapping reads it, the variant (legacy CUR, CUR 2.0, EA, MCA...)."""

    mapping: NativeMapping
    variant: str
    #: normalised key -> the header as written
    keys: dict[str, str]

    @property
    def source(self) -> str:
        return self.mapping.name

    @property
    def label(self) -> str:
        return f"{self.mapping.label} ({self.variant})" if self.variant else self.mapping.label

    def hint(self, file: str) -> str:
        return (
            f"{file} is not FOCUS but a native export ({self.label}). Convert it with "
            f"`costmark convert {file} --from {self.source}` or load it with "
            f"`costmark ingest {self.source} {file}`."
        )


#: exports costmark recognises but cannot convert, with what to use instead
_NOT_COST = {
    frozenset({"line_item_interval_usage_start", "usage_consumed_quantity"}): (
        "an OCI usage report: it has no cost columns. Use the cost report of the same period "
        "(reports_cost-csv_*.csv)."
    ),
}


def keys_for(mapping: NativeMapping, headers: Sequence[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for raw in headers:
        key = mapping.normalise(raw)
        keys.setdefault(key, raw)
    return keys


def _matches(mapping: NativeMapping, keys: dict[str, str]) -> bool:
    rule = mapping.detect
    if not all(k in keys for k in rule.get("all", ())):
        return False
    for name, groups in rule.items():
        if name.startswith("any_of"):
            for group in groups:
                if not any(k in keys for k in group):
                    return False
    return True


def _variant(mapping: NativeMapping, headers: Sequence[str], keys: dict[str, str]) -> str:
    raw = " ".join(clean(h) for h in headers)
    for v in mapping.variants:
        if "when_raw_contains" in v and v["when_raw_contains"] not in raw:
            continue
        if "when_has" in v and v["when_has"] not in keys:
            continue
        if "and_has" in v and v["and_has"] not in keys:
            continue
        if "and_lacks" in v and v["and_lacks"] in keys:
            continue
        if "when_lacks" in v and v["when_lacks"] in keys:
            continue
        return v["name"]
    return ""


def detect_native(headers: Sequence[str]) -> Detection | None:
    """The native export these headers belong to, or None (FOCUS or unknown)."""
    for mapping in mappings().values():
        keys = keys_for(mapping, headers)
        if _matches(mapping, keys):
            return Detection(mapping, _variant(mapping, headers, keys), keys)
    return None


def not_a_cost_export(headers: Sequence[str]) -> str | None:
    """A message when the file is a native export that carries no cost (OCI usage report)."""
    from costmark.convert.headers import snake

    keys = {snake(h) for h in headers}
    for needed, message in _NOT_COST.items():
        if needed <= keys and "cost_my_cost" not in keys:
            return message
    return None
