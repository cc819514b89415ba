"""Contract commitment burn-down: committed amount, consumed to date, remaining, consumption
rate, projected consumption at term end and the projected shortfall (money left on the table).

Commitments come from the Contract Commitment dataset (``contract_commitments``); consumption
from the Cost and Usage rows' ``ContractApplied`` (FOCUS 1.3+: ``{"Elements": [{"ContractId",
"ContractCommitmentId", "ContractCommitmentAppliedCost" | "...AppliedQuantity", "...Unit"}]}``;
the 1.3 draft's top-level ``ContractApplied`` array with ``ContractCommitmentID`` is read too).
"As of" is the data's last charge day unless given: a burn-down judged from today's date would
call every commitment behind whenever the export lags.

The projection is a straight line: the average daily consumption since the commitment started,
continued to its end. Amounts stay exact decimals; the projection is rounded to the currency's
smallest unit that DECIMAL(38,18) holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import duckdb

from costmark.errors import InputError

#: the applied elements of every cost row, in both the 1.3 draft and the published shape
_APPLIED = """
WITH raw AS (
    SELECT CAST(ChargePeriodStart AS DATE) AS day, BillingCurrency AS currency,
           json(ContractApplied) AS j
    FROM costs WHERE ContractApplied IS NOT NULL AND json_valid(ContractApplied)
),
elements AS (
    SELECT day, currency, unnest(CASE
        WHEN json_exists(j, '$.Elements') THEN json_extract(j, '$.Elements[*]')
        WHEN json_exists(j, '$.ContractApplied') THEN json_extract(j, '$.ContractApplied[*]')
        WHEN json_type(j) = 'ARRAY' THEN json_extract(j, '$[*]') END) AS e
    FROM raw
)
SELECT coalesce(e ->> 'ContractCommitmentId', e ->> 'ContractCommitmentID') AS commitment_id,
       day, currency,
       TRY_CAST(e ->> 'ContractCommitmentAppliedCost' AS DECIMAL(38,18)) AS cost,
       TRY_CAST(e ->> 'ContractCommitmentAppliedQuantity' AS DECIMAL(38,18)) AS quantity,
       e ->> 'ContractCommitmentAppliedUnit' AS unit
FROM elements
"""


@dataclass(frozen=True)
class Burndown:
    """One contract commitment's position as of a day. Money in ``currency``; a usage
    commitment is tracked in ``unit`` (quantities) instead."""

    contract_id: str
    commitment_id: str
    description: str | None
    category: str | None  # Spend or Usage
    currency: str | None
    unit: str | None
    start: dt.date | None
    end: dt.date | None
    as_of: dt.date
    committed: Decimal | None
    consumed: Decimal
    remaining: Decimal | None
    elapsed_days: int
    term_days: int | None
    daily_rate: Decimal | None
    projected: Decimal | None
    projected_shortfall: Decimal | None
    status: str
    note: str | None = None

    @property
    def consumed_share(self) -> Decimal | None:
        if not self.committed:
            return None
        return self.consumed / self.committed

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["consumed_share"] = self.consumed_share
        return d


def _latest_commitments(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute(
        """
        SELECT ContractId, ContractCommitmentId, ContractCommitmentDescription,
               ContractCommitmentCategory, BillingCurrency, ContractCommitmentUnit,
               CAST(coalesce(ContractCommitmentPeriodStart, ContractPeriodStart) AS DATE),
               CAST(coalesce(ContractCommitmentPeriodEnd, ContractPeriodEnd) AS DATE),
               ContractCommitmentCost, ContractCommitmentQuantity, ContractCommitmentLifecycleStatus
        FROM contract_commitments
        QUALIFY row_number() OVER (PARTITION BY ContractCommitmentId
                                   ORDER BY ContractCommitmentLastUpdated DESC NULLS LAST,
                                            x_IngestId DESC) = 1
        ORDER BY ContractId, ContractCommitmentId
        """
    ).fetchall()


def data_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day with contract consumption in the data (else any cost data)."""
    row = con.execute(
        "SELECT max(CAST(ChargePeriodStart AS DATE)) FILTER (WHERE ContractApplied IS NOT NULL), "
        "max(CAST(ChargePeriodStart AS DATE)) FROM costs"
    ).fetchone()
    if row is None:
        return None
    return row[0] or row[1]


def burndown(con: duckdb.DuckDBPyConnection, *, as_of: dt.date | None = None) -> list[Burndown]:
    """Every contract commitment's burn-down as of ``as_of`` (default: the data's last day)."""
    day = as_of or data_as_of(con)
    commitments = _latest_commitments(con)
    if not commitments:
        return []
    if day is None:  # no cost data at all: judge as of the latest commitment start
        starts = [c[6] for c in commitments if c[6] is not None]
        if not starts:
            raise InputError("contract commitments carry no dates and there is no cost data")
        day = max(starts)
    applied: dict[str, tuple[Decimal, Decimal]] = {}
    for cid, cost, qty in con.execute(
        f"SELECT commitment_id, sum(cost), sum(quantity) FROM ({_APPLIED}) "
        "WHERE day <= ? GROUP BY ALL",
        [day],
    ).fetchall():
        applied[str(cid)] = (Decimal(cost or 0), Decimal(qty or 0))
    return [_one(row, applied, day) for row in commitments]


def burndown_series(con: duckdb.DuckDBPyConnection,
                    days: list[dt.date]) -> dict[dt.date, list[Burndown]]:
    """Every commitment's burn-down as of each of ``days`` (one read of the applied amounts:
    a KPI history asks for one day per period)."""
    commitments = _latest_commitments(con)
    if not commitments or not days:
        return {day: [] for day in days}
    daily = con.execute(
        f"SELECT commitment_id, day, sum(cost), sum(quantity) FROM ({_APPLIED}) "
        "WHERE day <= ? GROUP BY ALL ORDER BY day",
        [max(days)],
    ).fetchall()
    out: dict[dt.date, list[Burndown]] = {}
    for day in sorted(days):
        applied: dict[str, tuple[Decimal, Decimal]] = {}
        for cid, when, cost, qty in daily:
            if when > day:
                break
            c0, q0 = applied.get(str(cid), (Decimal(0), Decimal(0)))
            applied[str(cid)] = (c0 + Decimal(cost or 0), q0 + Decimal(qty or 0))
        out[day] = [_one(row, applied, day) for row in commitments]
    return out


def _one(
    row: tuple[Any, ...], applied: dict[str, tuple[Decimal, Decimal]], day: dt.date
) -> Burndown:
    (contract, cid, desc, category, currency, unit, start, end, cost, qty, lifecycle) = row
    # a usage commitment is kept in its unit (hours, seats, TB); a spend one in money
    by_quantity = qty is not None and (category == "Usage" or cost is None)
    committed = Decimal(qty) if by_quantity else (Decimal(cost) if cost is not None else None)
    used_cost, used_qty = applied.get(str(cid), (Decimal(0), Decimal(0)))
    consumed = used_qty if by_quantity else used_cost
    term = (end - start).days if start and end else None
    elapsed = max(0, min((day - start).days + 1, term or 10**9)) if start else 0
    rate = projected = shortfall = None
    note = None
    with localcontext() as ctx:
        ctx.prec = 60
        if term and elapsed:
            rate = consumed / elapsed
            projected = consumed + rate * (term - elapsed)
            projected = projected.quantize(Decimal("1e-18"))
            rate = rate.quantize(Decimal("1e-18"))
            if committed is not None:
                shortfall = max(committed - projected, Decimal(0))
        elif start and day < start:
            note = "not started as of this day"
    exhausted = bool(lifecycle and str(lifecycle).lower() == "exhausted")
    if exhausted and committed is not None and consumed < committed:
        # the provider says the pool is empty (FOCUS LifecycleStatus "Exhausted"); the cost
        # data may not carry the applied amounts (yet): the provider's word wins, said in a note
        note = (f"Exhausted per ContractCommitmentLifecycleStatus; the cost data shows "
                f"{consumed} of {committed} applied")
        consumed = committed
        projected = committed if projected is None else max(projected, committed)
        shortfall = Decimal(0)
    remaining = committed - consumed if committed is not None else None
    if exhausted or (remaining is not None and remaining <= 0):
        status = "exhausted"
    elif start and day < start:
        status = "not started"
    elif end and day >= end:
        status = "ended" if not remaining or remaining <= 0 else "ended short"
    elif shortfall is not None and shortfall > 0:
        status = "projected shortfall"
    elif projected is not None:
        status = "on track"
    else:
        status = "no consumption data"
    return Burndown(
        contract_id=str(contract),
        commitment_id=str(cid),
        description=desc,
        category=category,
        currency=None if by_quantity else currency,
        unit=unit if by_quantity else None,
        start=start,
        end=end,
        as_of=day,
        committed=committed,
        consumed=consumed,
        remaining=remaining,
        elapsed_days=elapsed,
        term_days=term,
        daily_rate=rate,
        projected=projected,
        projected_shortfall=shortfall,
        status=status,
        note=note,
    )
