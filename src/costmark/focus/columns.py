"""FOCUS column specifications per version.

The facts come from the FOCUS specification (``data/focus_columns.csv``, extracted from the
spec's column pages for 1.0-preview, 1.0, 1.1 and 1.2). 1.3 and 1.4 are not in that file: their
additions to the Cost and Usage dataset are listed here so files exported as 1.3 or 1.4 are
accepted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class ColumnType(StrEnum):
    STRING = "String"
    DECIMAL = "Decimal"
    DATETIME = "Date/Time"
    JSON = "JSON"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: ColumnType
    requirement: str  # Mandatory, Conditional, Recommended, Optional
    allows_nulls: bool
    introduced: str

    @property
    def mandatory(self) -> bool:
        return self.requirement == "Mandatory"


SUPPORTED_VERSIONS: tuple[str, ...] = ("1.0", "1.1", "1.2", "1.3", "1.4")

#: Columns FOCUS 1.3 adds to the Cost and Usage dataset (all optional/conditional).
FOCUS_13_ADDITIONS: tuple[ColumnSpec, ...] = (
    ColumnSpec("AllocatedMethodDetails", ColumnType.JSON, "Conditional", True, "1.3"),
    ColumnSpec("AllocatedMethodId", ColumnType.STRING, "Conditional", True, "1.3"),
    ColumnSpec("AllocatedResourceId", ColumnType.STRING, "Conditional", True, "1.3"),
    ColumnSpec("AllocatedResourceName", ColumnType.STRING, "Conditional", True, "1.3"),
    ColumnSpec("AllocatedTags", ColumnType.JSON, "Conditional", True, "1.3"),
    ColumnSpec("ContractApplied", ColumnType.JSON, "Conditional", True, "1.3"),
    ColumnSpec("HostProviderName", ColumnType.STRING, "Conditional", True, "1.3"),
    ColumnSpec("ServiceProviderName", ColumnType.STRING, "Conditional", True, "1.3"),
)

#: Columns FOCUS 1.4 adds to the Cost and Usage dataset. CommitmentProgramEligibilityDetails
#: (JSON, Conditional: not null whenever a charge could be covered by a commitment program) is
#: the denominator of eligibility-aware commitment coverage.
#: TagDetails (JSON, Recommended) is the superset of Tags with tag eligibility and provenance:
#: not null exactly when the charge carries tags or a tag source could (allocation coverage
#: over taggable cost, allocation_coverage_taggable).
FOCUS_14_ADDITIONS: tuple[ColumnSpec, ...] = (
    ColumnSpec("CommitmentProgramEligibilityDetails", ColumnType.JSON, "Conditional", True, "1.4"),
    ColumnSpec("TagDetails", ColumnType.JSON, "Recommended", True, "1.4"),
)

#: Cost and Usage columns of the FOCUS working draft after 1.4 ("Version Introduced 1.5"):
#: requester attribution. Files made from the draft's examples carry them; they are reported as
#: draft columns (a warning), not as unknown ones, and are not loaded.
FOCUS_DRAFT_COLUMNS: dict[str, str] = {
    "CredentialId": "1.5",
    "PrincipalId": "1.5",
    "RequesterDetails": "1.5",
}

#: Columns FOCUS 1.4 removes (deprecated in 1.3 for ServiceProviderName). The canonical table
#: keeps ProviderName, filled from ServiceProviderName, because it is the slice key.
FOCUS_14_REMOVED: frozenset[str] = frozenset({"ProviderName"})


@cache
def _spec_rows() -> dict[str, tuple[ColumnSpec, ...]]:
    text = resources.files("costmark.data").joinpath("focus_columns.csv").read_text("utf-8")
    by_version: dict[str, list[ColumnSpec]] = {}
    for row in csv.DictReader(text.splitlines()):
        by_version.setdefault(row["version"], []).append(
            ColumnSpec(
                name=row["column"],
                type=ColumnType(row["type"]),
                requirement=row["requirement"],
                allows_nulls=row["allows_nulls"] == "True",
                introduced=row["introduced_version"],
            )
        )
    result = {v: tuple(cols) for v, cols in by_version.items()}
    # 1.3 = 1.2 plus its additions. ProviderName/PublisherName are deprecated in 1.3 in favour
    # of ServiceProviderName/HostProviderName, so they stop being mandatory there.
    v13 = [
        ColumnSpec(c.name, c.type, "Conditional", True, c.introduced)
        if c.name in ("ProviderName", "PublisherName")
        else c
        for c in result["1.2"]
    ]
    result["1.3"] = tuple(v13) + FOCUS_13_ADDITIONS
    result["1.4"] = (
        tuple(c for c in result["1.3"] if c.name not in FOCUS_14_REMOVED) + FOCUS_14_ADDITIONS
    )
    return result


def columns(version: str) -> tuple[ColumnSpec, ...]:
    """All columns FOCUS ``version`` defines, in spec order."""
    try:
        return _spec_rows()[version]
    except KeyError:
        raise ValueError(
            f"unknown FOCUS version {version!r}; supported: {', '.join(SUPPORTED_VERSIONS)}"
        ) from None


def column_map(version: str) -> dict[str, ColumnSpec]:
    return {c.name: c for c in columns(version)}


def all_known_columns() -> frozenset[str]:
    """Every column name any supported version defines."""
    names: set[str] = set()
    for v in SUPPORTED_VERSIONS:
        names.update(c.name for c in columns(v))
    return frozenset(names)


def detect_version(present: set[str] | frozenset[str]) -> str:
    """Guess the FOCUS version of a file from its columns.

    The newest version whose version-specific columns appear wins; with none of them, 1.0.
    Why columns and not a metadata field: FOCUS 1.0-1.2 CSV exports carry no version marker.
    """
    from costmark.focus.values import DRAFT_NAMES

    v14_only = {c.name for c in FOCUS_14_ADDITIONS}
    v14_only |= {old for old, new in DRAFT_NAMES.items() if new in v14_only}
    v13_only = {c.name for c in FOCUS_13_ADDITIONS}
    v12_only = {c.name for c in columns("1.2")} - {c.name for c in columns("1.1")}
    v11_only = {c.name for c in columns("1.1")} - {c.name for c in columns("1.0")}
    if present & v14_only:
        return "1.4"
    if present & v13_only:
        return "1.3"
    if present & v12_only:
        return "1.2"
    if present & v11_only:
        return "1.1"
    return "1.0"
