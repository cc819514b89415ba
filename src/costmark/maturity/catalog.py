"""The FinOps capability catalog: both frameworks, shipped as data (data/capabilities.yaml).

Why both: the current framework (2026 names) is what assessments score, but the "Conduct a FinOps
iteration" tutorial speaks the 2022-23 names ("Data analysis", "Budget management"...). Users may
type either; every name resolves to a current capability through aliases and the mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from costmark.errors import NotFoundError, did_you_mean

LENSES: tuple[str, ...] = ("knowledge", "process", "metrics", "adoption", "automation")


@dataclass(frozen=True)
class EvidenceRule:
    """Evidence function ``id`` informs the score of ``lens``."""

    id: str
    lens: str


@dataclass(frozen=True)
class Capability:
    id: str
    name: str
    domain: str
    framework: str  # "current" or "older"
    description: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    kpis: tuple[str, ...] = ()
    evidence: tuple[EvidenceRule, ...] = ()
    maps_to: tuple[str, ...] = ()  # older -> current ids
    mapped_from: tuple[str, ...] = field(default=())  # current <- older ids

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "framework": self.framework,
            "domain": self.domain,
            "description": self.description,
            "aliases": list(self.aliases),
            "former_names": list(self.former_names),
            "kpis": list(self.kpis),
            "evidence": [{"id": e.id, "lens": e.lens} for e in self.evidence],
            "maps_to": list(self.maps_to),
            "mapped_from": list(self.mapped_from),
        }


@dataclass(frozen=True)
class Situation:
    id: str
    title: str
    names: tuple[str, ...]


def normalize(name: str) -> str:
    """Case-, punctuation- and '&'/'and'-insensitive key, so 'Budget management',
    'budget-management' and 'BUDGET MANAGEMENT' are one name."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class Catalog:
    """Both frameworks, name lookup and the mapping between them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.lens_help: dict[str, str] = dict(data["lenses"])
        self.frameworks = {k: data[k]["framework"] for k in ("current", "older")}
        self.domains: dict[str, list[str]] = {"current": [], "older": []}
        caps: dict[str, dict[str, Capability]] = {"current": {}, "older": {}}
        for fw in ("current", "older"):
            for dom in data[fw]["domains"]:
                self.domains[fw].append(dom["name"])
                for c in dom["capabilities"]:
                    caps[fw][c["id"]] = Capability(
                        id=c["id"],
                        name=c["name"],
                        domain=dom["name"],
                        framework=fw,
                        description=" ".join(str(c.get("description", "")).split()),
                        aliases=tuple(c.get("aliases") or ()),
                        former_names=tuple(c.get("former_names") or ()),
                        kpis=tuple(c.get("kpis") or ()),
                        evidence=tuple(
                            EvidenceRule(e["id"], e["lens"]) for e in c.get("evidence") or ()
                        ),
                        maps_to=tuple(c.get("maps_to") or ()),
                    )
        reverse: dict[str, list[str]] = {}
        for old in caps["older"].values():
            for target in old.maps_to:
                if target not in caps["current"]:
                    raise ValueError(f"capabilities.yaml: {old.id} maps to unknown {target}")
                reverse.setdefault(target, []).append(old.id)
        self.current: dict[str, Capability] = {
            cid: _with_mapped_from(c, tuple(reverse.get(cid, ())))
            for cid, c in caps["current"].items()
        }
        self.older: dict[str, Capability] = caps["older"]
        self.situations: dict[str, Situation] = {
            sid: Situation(sid, s["title"], tuple(s["capabilities"]))
            for sid, s in data["situations"].items()
        }
        # name index: current names first so a name used by both frameworks
        # ("Forecasting") resolves to the current capability.
        self._index: dict[str, Capability] = {}
        for c in self.current.values():
            for n in (c.id, c.name, *c.aliases, *c.former_names):
                self._index.setdefault(normalize(n), c)
        for c in self.older.values():
            for n in (c.id, c.name, *c.aliases):
                self._index.setdefault(normalize(n), c)

    # -- lookup -----------------------------------------------------------------------
    def find(self, name: str) -> Capability:
        """The capability (either framework) with this id, name, alias or former name."""
        cap = self._index.get(normalize(name))
        if cap is None:
            names = [c.name for c in (*self.current.values(), *self.older.values())]
            raise NotFoundError(
                f"unknown capability {name!r}{did_you_mean(name, names)}; "
                "see 'costmark assess capabilities'"
            )
        return cap

    def resolve(self, name: str) -> Capability:
        """The CURRENT capability a name means (older names follow their main successor)."""
        cap = self.find(name)
        if cap.framework == "current":
            return cap
        return self.current[cap.maps_to[0]]

    def resolve_many(self, names: list[str] | tuple[str, ...]) -> list[Capability]:
        """Current capabilities for the names, de-duplicated, order kept."""
        out: dict[str, Capability] = {}
        for n in names:
            cap = self.resolve(n)
            out.setdefault(cap.id, cap)
        return list(out.values())

    def situation(self, sid: str) -> Situation:
        key = sid.strip().lower().replace("_", "-").replace(" ", "-")
        if key not in self.situations:
            raise NotFoundError(
                f"unknown situation {sid!r}{did_you_mean(key, self.situations)}; "
                f"choose one of {', '.join(self.situations)}"
            )
        return self.situations[key]

    def to_current(self, older_id: str) -> list[Capability]:
        return [self.current[i] for i in self.older[older_id].maps_to]

    def to_older(self, current_id: str) -> list[Capability]:
        return [self.older[i] for i in self.current[current_id].mapped_from]


def _with_mapped_from(c: Capability, mapped: tuple[str, ...]) -> Capability:
    return Capability(
        id=c.id,
        name=c.name,
        domain=c.domain,
        framework=c.framework,
        description=c.description,
        aliases=c.aliases,
        former_names=c.former_names,
        kpis=c.kpis,
        evidence=c.evidence,
        maps_to=c.maps_to,
        mapped_from=mapped,
    )


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped catalog (parsed once per process)."""
    text = resources.files("costmark.data").joinpath("capabilities.yaml").read_text("utf-8")
    return Catalog(yaml.safe_load(text))
