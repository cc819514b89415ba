"""Getting KPI frames through the context's KPI engine for benchmarking and pack export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from costmark.benchmarking.common import check_frame
from costmark.benchmarking.peers import assign_cohorts, spend_bands
from costmark.errors import CostmarkError

if TYPE_CHECKING:
    from costmark.engine.context import Context

#: Spend (for spend bands) is always this KPI.
SPEND_KPI = "total_cost"


def catalog_of(ws: Context) -> dict[str, Any]:
    """{kpi id: definition}: every KPI the project can compute."""
    return {d.id: d for d in ws.engine.catalog()}


def fetch(ws: Context, ids: Sequence[str], **kw: Any) -> pd.DataFrame:
    """KPI frame from the engine (long format)."""
    frame: pd.DataFrame = ws.engine.kpi(list(ids), **kw).to_pandas()
    return frame


def banded(frame: pd.DataFrame, spend: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Attach per-period spend-band cohorts (from ``spend``: total cost per member)."""
    parts = []
    for period, rows in frame.groupby("period_start", sort=True):
        bands = spend_bands(spend[spend["period_start"] == period], by)
        parts.append(assign_cohorts(rows, by, bands=bands)[0])
    return pd.concat(parts, ignore_index=True) if parts else frame.assign(cohort=[])


def fetch_many(
    ws: Context, ids: Sequence[str], by: Sequence[str], **kw: Any
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Frames per KPI from one engine call (one shared scan); when that call fails, one call
    per KPI so a single KPI the data cannot support is reported and skipped, not fatal."""
    ids = list(dict.fromkeys(ids))
    try:
        every = check_frame(fetch(ws, ids, by=by, **kw), by)
        # one grouping pass instead of one boolean filter of the whole frame per KPI
        parts = dict(tuple(every.groupby("kpi", sort=False)))
        return {k: parts[k] if k in parts else every.iloc[0:0] for k in ids}, []
    except CostmarkError:
        if len(ids) == 1:
            raise
    frames, notes = {}, []
    for k in ids:
        try:
            frames[k] = check_frame(fetch(ws, [k], by=by, **kw), by)
        except CostmarkError as exc:
            notes.append(f"{k}: left out ({exc})")
    return frames, notes
