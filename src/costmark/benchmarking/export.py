"""``costmark benchmark export``: an anonymised pack from this workspace's KPIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.benchmarking.common import data_bound, shift_period
from costmark.benchmarking.exchange import MIN_MEMBERS, build_pack
from costmark.benchmarking.fetch import SPEND_KPI, banded, catalog_of, fetch_many
from costmark.errors import CostmarkError, NotFoundError, UsageError, did_you_mean

if TYPE_CHECKING:
    from costmark.engine.context import Context

#: KPIs a pack carries by default: rates and shares, comparable across organisations.
DEFAULT_PACK_KPIS = (
    "effective_savings_rate",
    "commitment_utilization",
    "commitment_coverage",
    "commitment_waste",
    "on_demand_share",
    "spot_share",
    "allocation_coverage",
    "untagged_cost_share",
    "waste_share",
    "cost_optimization_index",
)


def export_pack(
    ws: Context,
    *,
    kpis: Sequence[str] = (),
    by: Sequence[str] = ("team",),
    grain: str = "month",
    start: Any = None,
    end: Any = None,
    where: Any = None,
    label: str | None = None,
    min_members: int = MIN_MEMBERS,
    today: dt.date | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Build an anonymised pack of complete periods; returns (pack, notes about omissions)."""
    today = data_bound(ws, today)
    by = tuple(by)
    if not by:
        raise UsageError("a pack describes members: give --by DIM (e.g. team)")
    catalog = catalog_of(ws)
    ids = list(kpis) or [k for k in DEFAULT_PACK_KPIS if not catalog or k in catalog]
    if catalog:
        for k in ids:
            if k not in catalog:
                raise NotFoundError(f"unknown KPI {k!r}{did_you_mean(k, catalog)}")
    notes: list[str] = []
    kw = {"grain": grain, "start": start, "end": end, "where": where}
    frames, more = fetch_many(ws, [*ids, SPEND_KPI], by, **kw)
    notes += more
    if SPEND_KPI not in frames:
        raise CostmarkError(f"{SPEND_KPI} cannot be computed: {'; '.join(more)}")
    spend = frames[SPEND_KPI]
    parts = []
    for k in ids:
        if k not in frames:
            continue
        frame = frames[k]
        frame = frame[(frame["kpi"] == k) & frame["value"].notna()]
        running = [p for p in frame["period_start"]
                   if today is not None and shift_period(p, grain, 1) > today]
        if running:
            frame = frame[~frame["period_start"].isin(running)]
            notes.append(f"the running {grain} ({min(running)}) left out")
        if frame.empty:
            notes.append(f"{k}: left out (no values)")
            continue
        parts.append(frame.assign(cohort="all"))
        parts.append(banded(frame, spend, by))
    if not parts:
        raise UsageError("no KPI had values to export")
    pack = build_pack(
        pd.concat(parts, ignore_index=True),
        by=by,
        grain=grain,
        unit="+".join(by),
        cohorting="all members and spend bands",
        label=label,
        min_members=min_members,
    )
    if pack["suppressed_cohorts"]:
        notes.append(
            f"{pack['suppressed_cohorts']} cohort(s) under {min_members} members suppressed"
        )
    return pack, list(dict.fromkeys(notes))
