"""Corrections as FOCUS 1.4 describes them: replacement, delta and ledger deliveries.

A provider corrects billing data in one of three styles (FOCUS appendix "Correction handling",
closed and open billing periods):

* **replacement**: the period is delivered again in full. costmark's default load replaces
  every (provider, billing account, billing period) slice a file holds, so the new delivery
  is the period and nothing is counted twice.
* **delta**: only the differences arrive (R-111 −300, R-222 +300). The rows are *added* to
  what is stored; re-loading the same delta file replaces that file's earlier rows (by file
  name), never the slice.
* **ledger** (append): the original is reversed in full and restated (−1500, +1200, +300);
  stored like a delta.

Corrections of a closed period arrive in a later billing period with ChargeClass "Correction"
and the charge period of the month they correct, so charge-period KPIs put them in the month
they belong to. Every load that corrects data already loaded is written to ``corrections``
(which charge days, which delivery, which file) so that KPIs of a corrected period can say so
(``costmark.engine.corrections``).

A delivery whose rows do not fit its declared style (a "delta" file holding a full reversal of
a stored row, or a "ledger" file decrementing part of one) is loaded as declared (the totals
are the same either way) and reported as a located finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from costmark.focus.reader import qstr

DELIVERIES = ("replace", "delta", "ledger")
#: The row identity a correction is about: when, which resource, which price.
_KEY = ("ChargePeriodStart", "ResourceId", "SkuPriceId")
_ON = " AND ".join(f'n."{k}" IS NOT DISTINCT FROM o."{k}"' for k in _KEY)


@dataclass(frozen=True)
class Finding:
    """A row of a delivery that does not fit its declared style (file, row, column)."""

    file: str
    row: int
    column: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _ids(ingest_ids: Sequence[str]) -> str:
    return ", ".join(qstr(i) for i in ingest_ids)


#: One order-independent fingerprint of a charge day's rows (resource, price, amount): equal
#: for a re-delivery of the same rows, different when an amount moved between resources (a
#: reallocation keeps the day's total). Grouping by day only keeps this cheap on big slices.
_DAY_PRINT = ("sum(CAST(hash(ResourceId, SkuPriceId, CAST(BilledCost AS VARCHAR)) AS HUGEINT))")


def snapshot(con: duckdb.DuckDBPyConnection, slices: set[tuple[Any, Any, Any]]) -> None:
    """Before a replacement: per slice and charge day, the stored BilledCost and a fingerprint
    of the rows (to tell a restatement from a routine re-delivery once the new rows are in)."""
    con.execute("CREATE OR REPLACE TEMP TABLE __before (p VARCHAR, a VARCHAR, s TIMESTAMP, "
                "d DATE, billed DECIMAL(38,18), fp HUGEINT)")
    if not slices:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE __snap_slices (p VARCHAR, a VARCHAR, s TIMESTAMP)")
    con.executemany("INSERT INTO __snap_slices VALUES (?, ?, ?)", [list(s) for s in slices])
    con.execute(
        "INSERT INTO __before SELECT c.ProviderName, c.BillingAccountId, c.BillingPeriodStart, "
        f"CAST(c.ChargePeriodStart AS DATE), sum(c.BilledCost), {_DAY_PRINT} "
        "FROM costs c JOIN __snap_slices s ON c.ProviderName = s.p AND c.BillingAccountId = s.a "
        "AND c.BillingPeriodStart = s.s GROUP BY ALL")
    con.execute("DROP TABLE __snap_slices")


def record_replacement(con: duckdb.DuckDBPyConnection, ingest_ids: Sequence[str],
                       files: dict[str, str]) -> int:
    """After a replacement: charge days already stored whose rows changed (amounts, or the
    resources and prices they are on) are recorded as corrected. A re-delivery that repeats
    the stored days and adds new ones is not a correction."""
    stored = con.execute("SELECT count(*) FROM __before").fetchone()
    if not stored or not stored[0]:  # nothing was replaced (a first delivery): nothing changed
        con.execute("DROP TABLE IF EXISTS __before")
        return 0
    # Only the slices that held rows before are compared: new rows elsewhere change nothing.
    rows = con.execute(
        f"""
        WITH after AS (
            SELECT any_value(x_IngestId) AS i, ProviderName p, BillingAccountId a,
                   BillingPeriodStart s, CAST(ChargePeriodStart AS DATE) d,
                   sum(BilledCost) billed, {_DAY_PRINT} fp
            FROM costs c WHERE x_IngestId IN ({_ids(ingest_ids)})
              AND EXISTS (SELECT 1 FROM __before b WHERE b.p = c.ProviderName
                          AND b.a = c.BillingAccountId AND b.s = c.BillingPeriodStart)
            GROUP BY p, a, s, d
        ),
        changed AS (
            SELECT o.p, o.a, o.s, o.d, n.i,
                   coalesce(n.billed, 0) - o.billed AS delta
            FROM __before o LEFT JOIN after n
              ON n.p = o.p AND n.a = o.a AND n.s = o.s AND n.d = o.d
            WHERE n.fp IS DISTINCT FROM o.fp
        )
        SELECT any_value(i), p, a, s, min(d), max(d), count(*), sum(delta)
        FROM changed GROUP BY p, a, s
        """
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS __before")
    for ingest_id, p, a, s, first, last, n, delta in rows:
        ingest = ingest_id or ingest_ids[0]
        _insert(con, ingest, files.get(ingest, ""), "replacement", p, a, s, first,
                last + dt.timedelta(days=1), n, delta)
    return len(rows)


def record_appended(con: duckdb.DuckDBPyConnection, ingest_ids: Sequence[str],
                    files: dict[str, str], delivery: str) -> int:
    """A delta or ledger delivery, and correction rows (ChargeClass "Correction") of any
    delivery: the charge days they correct."""
    where = "true" if delivery != "replace" else "ChargeClass = 'Correction'"
    style = delivery if delivery != "replace" else "correction rows"
    rows = con.execute(
        f"SELECT x_IngestId, ProviderName, BillingAccountId, BillingPeriodStart, "
        f"min(ChargePeriodStart), max(coalesce(ChargePeriodEnd, ChargePeriodStart)), count(*), "
        f"sum(BilledCost) FROM costs WHERE x_IngestId IN ({_ids(ingest_ids)}) AND {where} "
        f"GROUP BY ALL"
    ).fetchall()
    for ingest_id, p, a, s, first, last, n, billed in rows:
        _insert(con, ingest_id, files.get(ingest_id, ""), style, p, a, s, first, last, n, billed)
    return len(rows)


def _insert(con: duckdb.DuckDBPyConnection, ingest_id: str, file: str, delivery: str,
            provider: Any, account: Any, period: Any, first: Any, last: Any, rows: int,
            billed: Decimal | None) -> None:
    con.execute(
        "INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [ingest_id, file, delivery, provider, account, period, first, last, rows,
         billed if billed is not None else Decimal(0),
         dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )


def style_findings(con: duckdb.DuckDBPyConnection, ingest_ids: Sequence[str],
                   files: dict[str, str], delivery: str) -> list[Finding]:
    """Rows of a delta or ledger delivery that have the other style's shape (see the module
    docstring). Compared with what was stored before this load, by charge period, resource
    and price."""
    if delivery == "replace":
        return []
    ids = _ids(ingest_ids)
    stored = (f"(SELECT {', '.join(_KEY)}, sum(BilledCost) AS billed FROM costs "
              f"WHERE x_IngestId NOT IN ({ids}) GROUP BY ALL)")
    if delivery == "delta":
        test = "n.BilledCost < 0 AND n.BilledCost = -o.billed"
        what = ("reverses the stored amount in full ({amount}): a ledger-style reversal in a "
                "file declared as a delta delivery (a delta carries only the difference)")
    else:
        test = "n.BilledCost < 0 AND n.BilledCost != -o.billed"
        what = ("decrements {amount} of the stored {stored}: a delta-style row in a file "
                "declared as a ledger delivery (a ledger reverses the original in full)")
    rows = con.execute(
        f"SELECT n.x_IngestId, n.x_SourceRow, n.BilledCost, o.billed, n.ResourceId "
        f"FROM costs n JOIN {stored} o ON {_ON} "
        f"WHERE n.x_IngestId IN ({ids}) AND {test} ORDER BY n.x_IngestId, n.x_SourceRow"
    ).fetchall()
    return [
        Finding(files.get(ingest_id, ""), int(row), "BilledCost",
                f"{delivery} delivery: the row for {resource or 'no resource'} "
                + what.format(amount=_text(billed), stored=_text(old)))
        for ingest_id, row, billed, old, resource in rows
    ]


def _text(value: Decimal | None) -> str:
    if value is None:
        return "?"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
