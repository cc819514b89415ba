"""Provider mappings as data: ``costmark/data/native/<name>.yaml`` rendered into DuckDB SQL.

A mapping says, for one kind of native export, which FOCUS column comes from which of its
columns (an SQL expression over the export's normalised header keys), how its categorical values
translate (``values``), which extra rows FOCUS needs (unused commitment, credits) and how the
provider itself totals its cost (``reconcile``), so a conversion can prove it lost nothing.

Template language (small on purpose, every piece becomes SQL text over quoted identifiers):

- ``{a|b}``: the first of the export's columns ``a``, ``b`` the file has, else ``NULL``;
- ``{map:NAME:a|b}``: that column translated through ``values.NAME`` (``_default`` for others);
- ``{category:a|b}``: FOCUS ServiceCategory from the service names (service_categories.yaml);
- ``$name``: the expression ``defines.name`` (in parentheses); ``$view`` is set by the converter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from costmark.convert.headers import NORMALISERS

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_DEFINE = re.compile(r"\$([a-z_]+)")


def qident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qstr(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ExtraRows:
    """Rows FOCUS needs that the export folds into another row (unused commitment, credits)."""

    name: str
    columns: Mapping[str, str]
    where: str | None = None
    unnest: str | None = None


@dataclass(frozen=True)
class Mapping_:
    name: str
    label: str
    provider: str
    headers: str
    detect: Mapping[str, Any]
    variants: tuple[Mapping[str, str], ...]
    tags: Mapping[str, Any]
    cost_sources: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]
    defines: Mapping[str, str]
    columns: Mapping[str, str]
    extra_rows: tuple[ExtraRows, ...] = ()
    reconcile: Mapping[str, str] = field(default_factory=dict)
    #: rows of the export that are not carried over (SQL over its columns)
    skip: str | None = None

    @property
    def normalise(self) -> Callable[[str], str]:
        return NORMALISERS[self.headers]


NativeMapping = Mapping_

#: what ``--from`` accepts, and the mapping each name uses
SOURCE_NAMES = {
    "aws-cur": "aws-cur",
    "aws": "aws-cur",
    "azure": "azure",
    "gcp": "gcp",
    "oci": "oci",
}


@cache
def mappings() -> dict[str, NativeMapping]:
    """Every shipped mapping, by name."""
    found: dict[str, NativeMapping] = {}
    folder = resources.files("costmark.data").joinpath("native")
    for name in ("aws-cur", "azure", "gcp", "oci"):
        doc = yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
        found[name] = NativeMapping(
            name=doc["name"],
            label=doc["label"],
            provider=doc["provider"],
            headers=doc["headers"],
            detect=doc["detect"],
            variants=tuple(doc.get("variants") or ()),
            tags=doc.get("tags") or {},
            cost_sources=doc.get("cost_sources") or {},
            values=doc.get("values") or {},
            defines=doc.get("defines") or {},
            columns=doc["columns"],
            extra_rows=tuple(
                ExtraRows(
                    name=x["name"],
                    columns=x["columns"],
                    where=x.get("where"),
                    unnest=x.get("unnest"),
                )
                for x in doc.get("extra_rows") or ()
            ),
            reconcile=doc.get("reconcile") or {},
            skip=doc.get("skip"),
        )
    return found


@cache
def service_categories() -> tuple[tuple[str, str], ...]:
    folder = resources.files("costmark.data").joinpath("native")
    rows = yaml.safe_load(folder.joinpath("service_categories.yaml").read_text(encoding="utf-8"))
    return tuple((str(cat), str(pattern)) for cat, pattern in rows)


@dataclass
class Renderer:
    """Renders a mapping's templates against one file's columns (normalised key -> SQL name)."""

    mapping: NativeMapping
    present: Mapping[str, str]
    params: Mapping[str, str] = field(default_factory=dict)
    #: source columns each parsing macro reads, to locate values that do not parse
    parsed: dict[str, set[str]] = field(default_factory=lambda: {"dec": set(), "ts": set()})

    def column(self, keys: str) -> str:
        for key in keys.split("|"):
            key = key.strip()
            if key in self.present:
                return self.present[key]
        return "NULL"

    def _first_key(self, keys: str) -> str | None:
        for key in keys.split("|"):
            if key.strip() in self.present:
                return key.strip()
        return None

    def _placeholder(self, match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("map:"):
            _, name, keys = body.split(":", 2)
            table = self.mapping.values[name]
            col = self.column(keys)
            whens = " ".join(
                f"WHEN {qstr(k)} THEN {qstr(v)}" for k, v in table.items() if k != "_default"
            )
            default = qstr(table["_default"]) if "_default" in table else "NULL"
            return f"(CASE {col} {whens} ELSE {default} END)" if whens else default
        if body.startswith("category:"):
            cols = [self.present[k] for k in body[9:].split("|") if k in self.present]
            if not cols:
                return "'Other'"
            text = " || ' ' || ".join(f"coalesce(lower({c}), '')" for c in cols)
            whens = " ".join(
                f"WHEN regexp_matches({text}, {qstr(pattern)}) THEN {qstr(cat)}"
                for cat, pattern in service_categories()
            )
            return f"(CASE {whens} ELSE 'Other' END)"
        return self.column(body)

    def render(self, template: str, _depth: int = 0) -> str:
        if _depth > 8:
            raise ValueError(f"mapping {self.mapping.name}: defines refer to each other in a loop")
        for kind in ("dec", "ts"):
            for keys in re.findall(r"cm_" + kind + r"\(\{([^{}]+)\}\)", template):
                key = self._first_key(keys)
                if key is not None:
                    self.parsed[kind].add(key)

        def define(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.params:
                return qstr(self.params[name])
            if name not in self.mapping.defines:
                raise ValueError(f"mapping {self.mapping.name}: unknown ${name}")
            return "(" + self.render(self.mapping.defines[name], _depth + 1) + ")"

        return _PLACEHOLDER.sub(self._placeholder, _DEFINE.sub(define, template))
