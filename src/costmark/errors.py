"""One exception tree for costmark; front ends map it to exit codes.

    CostmarkError                exit 1  (anything the user can fix in their data or setup)
    ├── WorkspaceError           missing / newer-schema / corrupt workspace
    │   └── WarehouseBusy        another process holds the warehouse (web: try again)
    ├── ConfigError              costmark.yaml problems, each located (file:line)
    │   └── FilterSyntaxError    a filter expression that does not parse (with the position)
    ├── InputError               a data file that cannot be read or fails hard checks
    │   └── ValidationFailed     validate/ingest --strict found errors
    ├── NotFoundError            unknown KPI, dimension, metric, iteration ... (with "did you mean")
    ├── BackendUnavailable       an optional extra (spark, pdf) is not installed
    ├── ScopeUnsupported         data that cannot be filtered to a team scope is withheld
    ├── PayloadTooLarge          an upload over the configured limit (HTTP 413)
    ├── EvidenceUnavailable      a maturity fact cannot be had (the reason is shown)
    ├── PartMissing              a report part has no data source (shown instead of the section)
    └── UsageError               exit 2: arguments that do not make sense together

Every exception costmark defines lives here; modules that raised them first re-export them
under their old names.

Why a tree: the CLI, the web app and the Python API all need to tell "your input is wrong"
from "costmark is broken"; catching ``CostmarkError`` is that line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Located:
    """A problem pinned to a place: a file and optionally its line, row and column."""

    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f":{self.line}" if self.line else ""))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class CostmarkError(Exception):
    """Base of every error costmark raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Located] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.problems:
            text += "\n" + "\n".join(f"  - {p}" for p in self.problems)
        return text


class WorkspaceError(CostmarkError):
    """The workspace is missing, from a newer costmark, or damaged."""


class ConfigError(CostmarkError):
    """costmark.yaml does not describe a valid project; every problem is listed."""


class InputError(CostmarkError):
    """A data file cannot be read or does not have the shape costmark needs."""


class ValidationFailed(InputError):
    """Validation found errors and the caller asked for all-or-nothing."""


class NotFoundError(CostmarkError):
    """A named thing (KPI, dimension, metric, iteration...) does not exist."""


class BackendUnavailable(CostmarkError):
    """An optional extra is not installed; the message gives the exact pip line."""


class WarehouseBusy(WorkspaceError):
    """Another process holds the warehouse (usually an ingest); try again shortly."""


class FilterSyntaxError(ConfigError):
    """A filter expression that does not parse; the message points at the position."""


class ScopeUnsupported(CostmarkError):
    """This data cannot be filtered to the caller's scope, so it is withheld. Raised in one
    place, ``Context.warehouse``, when a scoped context is asked for raw warehouse access."""


class PayloadTooLarge(CostmarkError):
    """The request body is over the configured upload limit (HTTP 413)."""


class EvidenceUnavailable(CostmarkError):
    """A maturity fact cannot be had; the message is the reason shown to the user."""


class PartMissing(CostmarkError):
    """A report part has no data source (yet); the message is shown in place of the
    section."""


class UsageError(CostmarkError):
    """Arguments that cannot work together; scripts see exit code 2."""

    exit_code = 2


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ' (did you mean X?)' for the closest candidate, or ''."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return f" (did you mean {matches[0]!r}?)" if matches else ""

