"""The quantity form of commitment utilization, one commitment unit at a time.

Why its own code: ``CommitmentDiscountQuantity`` is counted in ``CommitmentDiscountUnit``
(Hours, Normalized Hours, ... for usage-based commitments; a currency for spend-based ones), and
quantities in different units must never be added together. The KPI reads usage-based
commitments only (``CommitmentDiscountCategory = 'Usage'``; spend-based ones are the cost form,
``commitment_utilization``) and sums per unit: one unit in a result row gives Σ Used / Σ (Used
or Unused) in that unit; several give null with a note saying how to split them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costmark.kpis.model import (
    SHARE,
    UNUSED_COMMITMENT,
    USAGE_BASED,
    USED,
    ComputedKpi,
    CostMeasure,
    define,
)

if TYPE_CHECKING:
    from costmark.engine.query import Context, Key

UNIT = "CommitmentDiscountUnit"
NO_QUANTITY = "no usage-based commitment discount quantities"


def mixed_units_note(units: list[str]) -> str:
    return (f"usage-based commitments in several units ({', '.join(units)}) are never added "
            f"together: split them with --by {UNIT}")


def utilization_quantity(ctx: Context, plan: ComputedKpi) -> list[dict[str, Any]]:
    """Σ CommitmentDiscountQuantity[Used] / Σ CommitmentDiscountQuantity[Used or Unused] over
    usage-based commitments, per ``CommitmentDiscountUnit`` (see the module docstring)."""
    from costmark.engine import query

    used, every = ctx.ref(plan, "used"), ctx.ref(plan, "all")
    scan = replace(ctx.scan, by=(*ctx.scan.by, UNIT))
    source = query.choose_source(ctx.ws, ctx.backend, scan, [used, every], ctx.request.rollups,
                                 ctx.state)
    frame = query.scan_frame(ctx.ws, ctx.backend, scan, [used, every], source, ctx.state)
    by_key: dict[Key, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for (period, dims, currency), sums in frame.items():
        if sums[every] == 0:
            continue  # no commitment quantity in this unit (or rows that are no commitment)
        unit = dims[-1] if dims[-1] is not None else "(no unit)"
        by_key[(period, dims[:-1], currency)][unit] = (sums[used], sums[every])
    keys = sorted(set(ctx.frame_keys()) | set(by_key), key=query._sort_key)
    rows = []
    for key in keys:
        units = by_key.get(key, {})
        if not units:
            rows.append(ctx.row(plan.definition.id, key, None, note=NO_QUANTITY))
        elif len(units) > 1:
            rows.append(ctx.row(plan.definition.id, key, None, note=mixed_units_note(
                sorted(units))))
        else:
            num, den = next(iter(units.values()))
            rows.append(ctx.row(plan.definition.id, key, float(num / den), numerator=num,
                                denominator=den))
    return rows


COMMITMENT_UTILIZATION_QUANTITY = ComputedKpi(
    define("commitment_utilization_quantity", "Commitment utilization (quantity)", "ratio",
           "higher", "rate",
           "Σ CommitmentDiscountQuantity[usage-based, Used] / Σ CommitmentDiscountQuantity"
           "[usage-based, Used or Unused], per CommitmentDiscountUnit",
           "The quantity form of utilization for usage-based commitments (FOCUS ≥ 1.1). "
           "Quantities in different units (Hours, Normalized Hours ...) are never added: a "
           "row holding several is null with a note; split with --by CommitmentDiscountUnit.",
           valid=SHARE, null="no commitment discount quantities"),
    utilization_quantity,
    {
        "used": CostMeasure("CommitmentDiscountQuantity", f"{USAGE_BASED} and {USED}"),
        "all": CostMeasure(
            "CommitmentDiscountQuantity",
            f"{USAGE_BASED} and CommitmentDiscountStatus in ('Used', 'Unused')",
        ),
    },
    untagged_rows=UNUSED_COMMITMENT,
    also_reads="the same sums grouped by CommitmentDiscountUnit too",
)
