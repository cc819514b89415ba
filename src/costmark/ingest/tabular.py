"""Read the small side files (business metrics, utilization, recommendations) as text.

Why everything as text: each value is then parsed by one explicit rule, so a bad cell becomes an
error naming its file, row and column instead of a silently guessed type. Rows are numbered
like ``x_SourceRow`` in the cost table: 1 = the first data row (line 2 of a CSV with header).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from costmark.errors import InputError, Located, did_you_mean

#: At most this many problems are listed in one error (the count says how many there were).
MAX_PROBLEMS = 20


@dataclass
class Sheet:
    """A file read as text: ``frame`` has one str column per header, '' for empty cells."""

    path: Path
    frame: pd.DataFrame
    sha256: str

    @property
    def name(self) -> str:
        return str(self.path)

    def column(self, wanted: str, aliases: Sequence[str] = ()) -> str | None:
        """The header matching ``wanted`` or an alias, case/space/underscore-insensitively."""
        keys = {_norm(c): c for c in self.frame.columns}
        for name in (wanted, *aliases):
            if _norm(name) in keys:
                return keys[_norm(name)]
        return None

    def require(self, wanted: str, aliases: Sequence[str] = ()) -> str:
        col = self.column(wanted, aliases)
        if col is None:
            hint = did_you_mean(wanted, list(self.frame.columns))
            raise InputError(
                f"{self.name}: no '{wanted}' column{hint}",
                [Located(f"missing column '{wanted}'{hint}", self.name, line=1)],
            )
        return col


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def read_sheet(path: str | Path) -> Sheet:
    """CSV, CSV.gz or Parquet, every value as stripped text."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p} is a folder; give one file")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(p).astype(object)
            frame = frame.where(frame.notna(), "").astype(str)
        else:
            frame = pd.read_csv(
                p, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
            )
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{p}: cannot be read as CSV or Parquet: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda s: s.str.strip())
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return Sheet(p, frame.reset_index(drop=True), digest)


@dataclass
class Problems:
    """Collects located problems, then raises them all at once."""

    file: str
    items: list[Located] = field(default_factory=list)
    total: int = 0

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Located(message, self.file, row=row, column=column))

    def add_rows(self, mask: np.ndarray, column: str, message: str, values: Any = None) -> None:
        """One problem per bad row (up to the cap), naming the offending value."""
        for i in np.flatnonzero(mask):
            shown = f" ({values.iloc[i]!r})" if values is not None else ""
            self.add(message + shown, row=int(i) + 1, column=column)

    def raise_if_any(self, what: str) -> None:
        if self.total:
            more = f" (first {len(self.items)} shown)" if self.total > len(self.items) else ""
            raise InputError(f"{self.file}: {self.total} problem(s) in {what}{more}", self.items)


def parse_dates(values: pd.Series, column: str, problems: Problems, *, required: bool) -> pd.Series:
    """ISO dates (``2025-01-31``; a time part, ``T00:00:00Z``, is accepted and dropped)."""
    text = values.str.slice(0, 10)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    empty = values == ""
    bad = parsed.isna() & ~empty
    problems.add_rows(bad.to_numpy(), column, "not a date (expected YYYY-MM-DD)", values)
    if required:
        problems.add_rows(empty.to_numpy(), column, "missing date")
    return parsed.dt.date


def parse_numbers(
    values: pd.Series, column: str, problems: Problems, *, required: bool
) -> pd.Series:
    """Finite numbers; '' is missing (an error when ``required``)."""
    parsed = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    empty = values == ""
    bad = (parsed.isna() | ~np.isfinite(parsed.fillna(0))) & ~empty
    problems.add_rows(bad.to_numpy(), column, "not a number", values)
    if required:
        problems.add_rows(empty.to_numpy(), column, "missing value")
    return parsed.astype(float)


def parse_decimal(text: str) -> Decimal | None:
    """Exact decimal for money (no float rounding); None when not a finite number."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def new_ingest_id() -> str:
    return uuid.uuid4().hex[:12]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def duplicates(keys: pd.DataFrame) -> Iterable[tuple[int, int]]:
    """(first row, duplicate row) pairs, 1-based, for rows repeating an earlier key."""
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return []
    first: dict[tuple[Any, ...], int] = {}
    out = []
    for i, key in zip(
        np.flatnonzero(dup.to_numpy()), keys[dup].itertuples(index=False), strict=True
    ):
        k = tuple(key)
        if k in first:
            out.append((first[k], int(i) + 1))
        else:
            first[k] = int(i) + 1
    return out


def log_load(
    con: Any,
    *,
    ingest_id: str,
    kind: str,
    sheet: Sheet,
    started: dt.datetime,
    rows_read: int,
    rows_loaded: int,
    rows_replaced: int,
    message: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO ingest_log (ingest_id, kind, file, sha256, started_at, finished_at, "
        "rows_read, rows_loaded, rows_quarantined, rows_replaced, status, message) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'ok', ?)",
        [
            ingest_id,
            kind,
            sheet.name,
            sheet.sha256,
            started,
            now(),
            rows_read,
            rows_loaded,
            rows_replaced,
            message,
        ],
    )
