"""Contract commitment burn-down as KPIs: one series per period, judged as of the period's end.

Why its own code: the numbers come from two datasets, the Contract Commitment dataset (what was
committed, over which term) and the Cost and Usage rows' ``ContractApplied`` (what drew it
down), which the shared cost scan cannot sum. ``costmark.kpis.burndown`` computes one
commitment's position as of a day; this module asks it for the last day of every period the
request covers (or the data's last day in the running period), so a burn-down KPI has a history
that ``track``, targets and forecasts read like any other KPI.

Grouping: overall (per currency), or ``--by`` any of ContractId, ContractCommitmentId,
ContractCommitmentCategory. Money KPIs read the commitments tracked in money (spend
commitments); a usage commitment counted in hours or seats is never added to money and is
named in a note (``costmark contracts`` shows it in its unit). Overall figures add the
commitments' figures: the projected shortfall is the sum of each commitment's shortfall (an
overshoot on one commitment never makes up for another's shortfall).

A ``--where`` filter reads cost-row fields; commitments have none of them, so a filtered
request (an access scope included) gets null with a note rather than every contract.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb

from costmark.engine import periods
from costmark.kpis.model import NON_NEGATIVE, ComputedKpi, define

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key
    from costmark.kpis.burndown import Burndown
    from costmark.spec.kpis import Direction

#: --by names the burn-down KPIs split by, and the Burndown attribute each reads.
GROUPS = {
    "ContractId": "contract_id",
    "ContractCommitmentId": "commitment_id",
    "ContractCommitmentCategory": "category",
}
#: Burn-down KPI measure -> Burndown attribute (None: computed from others).
MEASURES = {
    "committed": "committed",
    "consumed": "consumed",
    "remaining": "remaining",
    "rate": "daily_rate",
    "projected": "projected",
    "shortfall": "projected_shortfall",
    "share": None,
}
NO_COMMITMENTS = "no contract commitments (FOCUS 1.3+ Contract Commitment dataset)"
FILTERED = ("contract burn-down cannot be filtered by cost-row fields (--where or an access "
            "scope): commitments carry none")


def unsupported_by(by: tuple[str, ...]) -> list[str]:
    return [b for b in by if b not in GROUPS]


def burndown_kpi(ctx: Context, plan: ComputedKpi) -> list[dict[str, Any]]:
    """One row per (period, group, currency) with the ``measure`` param's value."""
    from costmark.kpis.burndown import burndown_series, data_as_of

    kpi = plan.definition.id
    measure = dict(plan.params)["measure"]
    # Commitments and their applied amounts are read from the warehouse whichever engine sums
    # the cost rows: the commitment tables are small, and the numbers are the same.
    con = ctx.ws.warehouse.con
    first = _first_day(con) if _has_commitments(con) else None
    last = (data_as_of(con) or first) if first is not None else None
    if last is None or first is None:
        # no rows at all: most data predates FOCUS 1.3's Contract Commitment dataset, and seven
        # null rows in every scorecard would only say so again (`costmark contracts` does)
        return []
    if ctx.request.end is not None:
        last = min(last, ctx.request.end)
    start = periods.truncate(ctx.request.start or first, ctx.request.grain)
    bad = unsupported_by(ctx.request.by)
    judged: dict[dt.date, dt.date] = {}  # period -> the day it is judged as of
    period = max(start, periods.truncate(first, ctx.request.grain))
    while period <= last:
        judged[period] = min(
            periods.period_end(period, ctx.request.grain) - dt.timedelta(days=1), last)
        period = periods.shift(period, ctx.request.grain, 1)
    if bad or ctx.request.where is not None:
        note = FILTERED if not bad else (
            f"contract burn-down splits by {', '.join(GROUPS)} only, not {', '.join(bad)}")
        empty = tuple(None for _ in ctx.request.by)
        return [ctx.row(kpi, (p, empty, None), None, note=note) for p in judged]
    series = burndown_series(con, list(judged.values()))
    rows: list[dict[str, Any]] = []
    for period, day in judged.items():
        positions = [b for b in series[day] if b.start is None or b.start <= day]
        rows += _period_rows(ctx, kpi, measure, period, positions)
    return rows


def _has_commitments(con: Any) -> bool:
    try:
        row = con.execute("SELECT count(*) FROM contract_commitments").fetchone()
    except duckdb.CatalogException:  # a warehouse from before the FOCUS 1.3 datasets
        return False
    return bool(row and row[0])


def _first_day(con: Any) -> dt.date | None:
    """The first day a burn-down has a meaning on: the first cost day (consumption before it is
    unknown); without cost data, the latest commitment start (the day ``burndown`` judges)."""
    row = con.execute("SELECT min(CAST(ChargePeriodStart AS DATE)) FROM costs").fetchone()
    if row and row[0] is not None:
        return row[0]
    row = con.execute(
        "SELECT max(CAST(coalesce(ContractCommitmentPeriodStart, ContractPeriodStart) AS DATE)) "
        "FROM contract_commitments").fetchone()
    return row[0] if row else None


def _period_rows(ctx: Context, kpi: str, measure: str, period: dt.date,
                 positions: list[Burndown]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[Burndown]] = defaultdict(list)
    for b in positions:
        groups[tuple(getattr(b, GROUPS[name]) for name in ctx.request.by)].append(b)
    rows = []
    for dims in sorted(groups, key=lambda d: tuple(str(x) for x in d)):
        members = groups[dims]
        in_units = [b for b in members if b.currency is None]
        by_currency: dict[str | None, list[tuple[Burndown, Decimal]]] = defaultdict(list)
        for b in members:
            if b.currency is not None:
                currency, rate = ctx.convert(b.currency, Decimal(1))
                by_currency[currency].append((b, rate))
        unit_note = (f"{len(in_units)} usage commitment(s) counted in units "
                     f"({', '.join(sorted({str(b.unit) for b in in_units}))}) are not money: "
                     "see 'costmark contracts'") if in_units else None
        if not by_currency:
            rows.append(ctx.row(kpi, (period, dims, None), None, note=unit_note or NO_COMMITMENTS))
            continue
        for currency in sorted(by_currency, key=lambda c: c or ""):
            rows.append(_one_row(ctx, kpi, measure, (period, dims, currency),
                                 by_currency[currency], unit_note))
    return rows


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _one_row(ctx: Context, kpi: str, measure: str, key: Key,
             members: list[tuple[Burndown, Decimal]], unit_note: str | None) -> dict[str, Any]:
    notes = [unit_note] if unit_note else []
    ids = ", ".join(b.commitment_id for b, _ in members[:5])
    notes.append(f"as of {members[0][0].as_of}; {len(members)} commitment(s): {ids}"
                 + ("..." if len(members) > 5 else ""))

    def total(attr: str) -> Decimal | None:
        return _sum([None if getattr(b, attr) is None else getattr(b, attr) * r
                     for b, r in members])

    committed, consumed = total("committed"), total("consumed")
    if measure == "share":
        value: Any = float(consumed / committed) if committed and consumed is not None else None
        if value is None:
            notes.append("nothing committed")
        return ctx.row(kpi, key, value, numerator=consumed, denominator=committed,
                       note="; ".join(notes))
    attr = MEASURES[measure]
    assert attr is not None
    value = total(attr)
    if value is None:
        why = [b.note or b.status for b, _ in members]
        notes.append("no projection: " + ", ".join(sorted(set(why))))
    return ctx.row(kpi, key, value, note="; ".join(notes))


# -- the KPIs, declared beside their function ------------------------------------------------
NO_CONTRACT = ("no contract commitments (FOCUS 1.3+ Contract Commitment dataset), a usage "
               "commitment counted in units, or a --where filter (commitments carry no cost-row "
               "fields)")
CONTRACT_HOW = (" Judged as of each period's last day (the data's last day in the running "
                "period); consumption is ContractApplied of the Cost and Usage rows. Split with "
                "--by ContractId, ContractCommitmentId or ContractCommitmentCategory; spend "
                "commitments only (usage ones are counted in units: costmark contracts).")


def _contract(id: str, title: str, unit: str, direction: Direction, formula: str, desc: str,
              measure: str, valid: tuple[float | None, float | None] = NON_NEGATIVE
              ) -> ComputedKpi:
    return ComputedKpi(
        define(id, title, unit, direction, "contract", formula, desc + CONTRACT_HOW,
               valid=valid, null=NO_CONTRACT),
        burndown_kpi, params=(("measure", measure),),
        also_reads="contract_commitments and the ContractApplied amounts of cost rows "
                   "(to each period's last day)",
    )


#: Contract commitment burn-down (FOCUS 1.3+ Contract Commitment dataset).
CONTRACT: tuple[ComputedKpi, ...] = (
    _contract("contract_committed", "Contract committed amount", "currency", "none",
              "Σ ContractCommitmentCost", "What the contract commitments commit to spend.",
              "committed"),
    _contract("contract_consumed", "Contract consumed to date", "currency", "higher",
              "Σ ContractApplied cost to date", "Commitment drawn down so far.", "consumed"),
    _contract("contract_remaining", "Contract remaining", "currency", "lower",
              "committed − consumed to date",
              "Commitment still to consume (negative: consumed beyond the commitment).",
              "remaining", valid=(None, None)),
    _contract("contract_consumption_rate", "Contract consumption rate (per day)",
              "currency/day", "none", "consumed to date / days elapsed in the term",
              "Average daily draw-down since each commitment started.", "rate"),
    _contract("contract_projected_consumption", "Contract projected consumption at term end",
              "currency", "higher", "consumed + rate × days left in the term",
              "Straight-line projection of consumption at each commitment's end.", "projected"),
    _contract("contract_projected_shortfall", "Contract projected shortfall", "currency",
              "lower", "Σ max(committed − projected consumption, 0) per commitment",
              "Money left on the table at term end if consumption keeps its pace.",
              "shortfall"),
    _contract("contract_consumed_share", "Contract consumed share", "ratio", "higher",
              "consumed to date / committed", "Share of the commitment drawn down so far.",
              "share"),
)
