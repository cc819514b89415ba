"""Every KPI value is inside its declared valid range, or null with a note saying why.

Each ``KpiDefinition`` declares ``valid_min``/``valid_max`` (a share lies in [0, 1], a savings
rate is at most 1 ...). The formulas are built so that valid FOCUS data stays inside the range
(allocation coverage is computed over charges, so credits cannot push it above 1); this check
is the last line for data the formulas did not foresee (negative usage rows, utilization
samples above 100%). A value outside the range is never shown: it becomes null, its numerator
and denominator stay so the reader can see what happened, and the note names the range.

Changes from a tiny base live here too (``tiny_base``), because cost change and spend
elasticity both need the same rule.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from costmark.present import numbers
from costmark.spec.kpis import KpiDefinition

#: A previous period whose cost is below this share of the series' typical (median absolute)
#: period cost is a tiny base: a change from it (681,986% day over day) measures the base, not
#: the change.
TINY_BASE_SHARE = Decimal("0.01")


def out_of_range_note(definition: KpiDefinition, value: float) -> str:
    return (f"computed {numbers.short(value, 6)} is outside the valid range "
            f"{definition.range_text}: not shown (inputs the formula cannot read as a "
            f"{'share' if definition.valid_min == 0 and definition.valid_max == 1 else 'rate'}"
            ", e.g. negative corrections or estimates larger than the cost)")


def enforce(definition: KpiDefinition, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every value outside ``definition``'s valid range replaced by null + note."""
    out = []
    for row in rows:
        value = row.get("value")
        if value is not None and not definition.in_range(float(value)):
            note = out_of_range_note(definition, float(value))
            row = {**row, "value": None,
                   "note": "; ".join(n for n in (note, row.get("note")) if n)}
        out.append(row)
    return out


def typical_level(values: Iterable[Decimal]) -> Decimal:
    """Median absolute value of a series' periods (0 for an empty series)."""
    levels = [abs(v) for v in values]
    return statistics.median(levels) if levels else Decimal(0)


def tiny_base(previous: Decimal, typical: Decimal, what: str = "cost") -> str | None:
    """Why a change from ``previous`` has no meaning, or None when it has one."""
    if previous == 0:
        return f"previous period {what} is zero"
    if previous < 0:
        return (f"previous period {what} is negative ({numbers.number(previous)}): a change "
                "has no sign to read")
    if previous < TINY_BASE_SHARE * typical:
        return (f"previous period {what} {numbers.number(previous)} is below "
                f"{numbers.percent(TINY_BASE_SHARE, places=0)} of this series' typical period "
                f"{what} {numbers.number(typical)}: a change from a tiny base")
    return None
