"""Take loaded FOCUS rows back out: by ingest id, by source file, or by slice key.

Why: a load can put rows in the warehouse that should never have been there (a wrong account's
export, a test file, a year-9999 typo). Loading a corrected file replaces only the slices it
contains, so without removal the bad slice stays forever.

A removal is one transaction, like a load: the matching ``costs`` rows (and, when removing
whole loads or files, their quarantined rows) are deleted, the removal is written to the ingest
log (kind ``focus-remove``, with the rows and money it took out), and the caller's
``on_removed(slices)`` hook refreshes the rollups for the touched slices before the commit.
Anything failing rolls all of it back. Criteria of different kinds narrow each other (AND);
several values of one kind widen (OR).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from costmark import money
from costmark.errors import NotFoundError, UsageError
from costmark.focus.schema import COST_TABLE
from costmark.store import Warehouse

#: The ingest-log kind of a removal (the rollup freshness check counts it as a cost change).
REMOVE_KIND = "focus-remove"
MONEY_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")

Slice = tuple[Any, Any, Any]


def _dec_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Selector:
    """What to remove. ``ingest_ids`` match a file's ingest id (``abc123-2``) or a whole
    multi-file load (``abc123``); ``files`` match the stored source path (as logged, or the
    given path resolved); ``billing_period`` is ``YYYY-MM`` (periods starting in that month)
    or ``YYYY-MM-DD`` (the period starting that day)."""

    ingest_ids: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    provider: str | None = None
    billing_account: str | None = None
    billing_period: str | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.ingest_ids
            or self.files
            or self.provider is not None
            or self.billing_account is not None
            or self.billing_period is not None
        )

    @property
    def by_load_only(self) -> bool:
        """Only ingest ids and files: whole loads, so their quarantined rows go too (the
        quarantine holds no parsed slice key to narrow by)."""
        return (
            bool(self.ingest_ids or self.files)
            and self.provider is None
            and self.billing_account is None
            and self.billing_period is None
        )

    def describe(self) -> str:
        parts = [f"ingest id {i}" for i in self.ingest_ids]
        parts += [f"file {f}" for f in self.files]
        if self.provider is not None:
            parts.append(f"provider {self.provider}")
        if self.billing_account is not None:
            parts.append(f"billing account {self.billing_account}")
        if self.billing_period is not None:
            parts.append(f"billing period {self.billing_period}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingest_ids": list(self.ingest_ids),
            "files": list(self.files),
            "provider": self.provider,
            "billing_account": self.billing_account,
            "billing_period": self.billing_period,
        }


@dataclass
class RemovalSummary:
    """What a removal took out (or, with ``dry_run``, would take out)."""

    selector: Selector
    dry_run: bool
    removal_id: str | None = None
    rows_removed: int = 0
    rows_unquarantined: int = 0
    ingest_ids: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    slices: list[dict[str, Any]] = field(default_factory=list)
    billing_periods: list[str] = field(default_factory=list)
    totals: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "removal_id": self.removal_id,
            "dry_run": self.dry_run,
            "selector": self.selector.to_dict(),
            "rows_removed": self.rows_removed,
            "rows_unquarantined": self.rows_unquarantined,
            "ingest_ids": self.ingest_ids,
            "files": self.files,
            "billing_periods": self.billing_periods,
            "slices": self.slices,
            "totals": self.totals,
        }


def _period_condition(text: str) -> tuple[str, list[Any]]:
    match = _PERIOD.match(text.strip())
    if not match:
        raise UsageError(f"--billing-period must be YYYY-MM or YYYY-MM-DD, not {text!r}")
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        start = dt.date(year, month, int(day) if day else 1)
    except ValueError:
        raise UsageError(f"--billing-period {text!r} is not a real date") from None
    if day:
        return 'CAST("BillingPeriodStart" AS DATE) = ?', [start]
    # periods starting in that month: from its first day up to the next month's first day
    if month < 12:
        nxt = dt.date(year, month + 1, 1)
    elif year < dt.MAXYEAR:
        nxt = dt.date(year + 1, 1, 1)
    else:
        return '"BillingPeriodStart" >= ?', [start]
    return '"BillingPeriodStart" >= ? AND "BillingPeriodStart" < ?', [start, nxt]


def _file_keys(files: Sequence[str]) -> list[str]:
    """Each given file as written and as the absolute path ingest stores."""
    keys: list[str] = []
    for f in files:
        keys.append(f)
        with contextlib.suppress(OSError, RuntimeError):
            keys.append(str(Path(f).expanduser().resolve()))
    return list(dict.fromkeys(keys))


def _conditions(sel: Selector) -> tuple[str, list[Any], str, list[Any]]:
    """WHERE clauses (with parameters) for ``costs`` and, for whole loads, ``quarantine``."""
    cost: list[str] = []
    params: list[Any] = []
    q_any: list[str] = []
    q_params: list[Any] = []
    if sel.ingest_ids:
        ids = [i.strip() for i in sel.ingest_ids]
        if any(not i for i in ids):
            raise UsageError("--ingest-id must not be empty")
        one = '("x_IngestId" = ? OR starts_with("x_IngestId", ? || \'-\'))'
        cost.append("(" + " OR ".join(one for _ in ids) + ")")
        for i in ids:
            params += [i, i]
        q_any.append(
            "(" + " OR ".join("(ingest_id = ? OR starts_with(ingest_id, ? || '-'))" for _ in ids)
            + ")"
        )
        for i in ids:
            q_params += [i, i]
    if sel.files:
        keys = _file_keys(sel.files)
        marks = ", ".join("?" for _ in keys)
        cost.append(f'"x_SourceFile" IN ({marks})')
        params += keys
        q_any.append(f"source_file IN ({marks})")
        q_params += keys
    if sel.provider is not None:
        cost.append('"ProviderName" = ?')
        params.append(sel.provider)
    if sel.billing_account is not None:
        cost.append('"BillingAccountId" = ?')
        params.append(sel.billing_account)
    if sel.billing_period is not None:
        clause, values = _period_condition(sel.billing_period)
        cost.append(clause)
        params += values
    quarantine = " AND ".join(q_any) if sel.by_load_only else "false"
    return " AND ".join(cost), params, quarantine, q_params if sel.by_load_only else []


def _preview(wh: Warehouse, summary: RemovalSummary, where: str, params: list[Any],
             q_where: str, q_params: list[Any]) -> list[Slice]:
    """Fill ``summary`` with what ``where`` matches; return the slices it touches."""
    con = wh.con
    sums = ", ".join(f'sum("{m}")' for m in MONEY_COLUMNS)
    rows = con.execute(
        f'SELECT "ProviderName", "BillingAccountId", "BillingPeriodStart", "BillingCurrency", '
        f'count(*), {sums} FROM {COST_TABLE} WHERE {where} GROUP BY ALL ORDER BY ALL',
        params,
    ).fetchall()
    slices: dict[Slice, int] = {}
    totals: dict[str, dict[str, Decimal]] = {}
    for provider, account, period, currency, n, *amounts in rows:
        key = (provider, account, period)
        slices[key] = slices.get(key, 0) + n
        summary.rows_removed += n
        cur = totals.setdefault(currency, {})
        for name, value in zip(MONEY_COLUMNS, amounts, strict=True):
            amount = value if value is not None else Decimal(0)
            cur[name] = money.add(cur.get(name, Decimal(0)), amount)
    summary.totals = {
        c: {k: _dec_text(v) for k, v in vals.items()} for c, vals in sorted(totals.items())
    }
    summary.slices = [
        {
            "provider": p,
            "billing_account": a,
            "billing_period": s.date().isoformat() if isinstance(s, dt.datetime) else str(s),
            "rows": n,
        }
        for (p, a, s), n in slices.items()
    ]
    summary.billing_periods = sorted({s["billing_period"] for s in summary.slices})
    lineage = con.execute(
        f'SELECT DISTINCT "x_IngestId", "x_SourceFile" FROM {COST_TABLE} WHERE {where} '
        f"UNION SELECT DISTINCT ingest_id, source_file FROM quarantine WHERE {q_where} "
        "ORDER BY ALL",
        params + q_params,
    ).fetchall()
    summary.ingest_ids = sorted({str(i) for i, _ in lineage if i is not None})
    summary.files = sorted({str(f) for _, f in lineage if f is not None})
    row = con.execute(f"SELECT count(*) FROM quarantine WHERE {q_where}", q_params).fetchone()
    summary.rows_unquarantined = int(row[0]) if row else 0
    return list(slices)


def remove_focus_rows(
    wh: Warehouse,
    selector: Selector,
    *,
    dry_run: bool = False,
    on_removed: Callable[[list[Slice]], object] | None = None,
) -> RemovalSummary:
    """Remove what ``selector`` matches in one transaction (see the module docstring).

    Raises ``UsageError`` (exit 2) for no or malformed criteria and ``NotFoundError`` (exit 1)
    when nothing matches, so a script can tell "removed" from "there was nothing to remove".
    ``dry_run`` only reports."""
    if selector.empty:
        raise UsageError(
            "say what to remove: --ingest-id, --file, or --provider / --billing-account / "
            "--billing-period"
        )
    where, params, q_where, q_params = _conditions(selector)
    summary = RemovalSummary(selector, dry_run)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if dry_run:
        _preview(wh, summary, where, params, q_where, q_params)
        _require_match(summary)
        return summary
    con = wh.con
    with wh.transaction():
        slices = _preview(wh, summary, where, params, q_where, q_params)
        _require_match(summary)
        con.execute(f"DELETE FROM {COST_TABLE} WHERE {where}", params)
        con.execute(f"DELETE FROM quarantine WHERE {q_where}", q_params)
        summary.removal_id = "rm-" + uuid.uuid4().hex[:12]
        _log(wh, summary, started)
        if on_removed is not None and slices:
            on_removed(slices)
    return summary


def _require_match(summary: RemovalSummary) -> None:
    if not summary.rows_removed and not summary.rows_unquarantined:
        raise NotFoundError(
            f"nothing to remove: no loaded or quarantined rows match "
            f"{summary.selector.describe()} (see: costmark ingest log)"
        )


def _log(wh: Warehouse, summary: RemovalSummary, started: dt.datetime) -> None:
    """One ingest-log row: ``file`` says what was asked, ``rows_replaced`` the rows taken out,
    ``rows_quarantined`` the quarantined rows dropped with them, ``totals`` the money taken out,
    ``message`` the loads they came from. Counts stay in their columns, out of the message: a
    scoped viewer's log hides them (they span every team)."""
    sel = summary.selector
    message = (
        f"removed the rows matching {sel.describe()}; from load(s) "
        f"{', '.join(summary.ingest_ids) or '-'}"
    )
    wh.con.execute(
        "INSERT INTO ingest_log (ingest_id, kind, file, started_at, finished_at, rows_read, "
        "rows_loaded, rows_quarantined, rows_replaced, billing_periods, totals, status, message) "
        "VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, 'ok', ?)",
        [
            summary.removal_id,
            REMOVE_KIND,
            sel.describe()[:2000],
            started,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            summary.rows_unquarantined,
            summary.rows_removed,
            json.dumps(summary.billing_periods),
            json.dumps(summary.totals),
            message[:4000],
        ],
    )
