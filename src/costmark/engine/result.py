"""``KpiResult``: long-format KPI rows with pandas, Polars and Arrow views.

One row per (kpi, period_start, by-dimensions..., currency). ``rows()`` keeps exact Decimals for
money; the Arrow view types each numeric column as DECIMAL(38, 18) when every value in it is
money, and float64 otherwise (ratios), so no table silently mixes the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from costmark import money

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

NUMERIC = ("value", "numerator", "denominator")


@dataclass
class KpiResult:
    """The answer to a KPI request. Iterate it for row dicts."""

    by: tuple[str, ...]
    grain: str
    _rows: list[dict[str, Any]] = field(default_factory=list)
    source: str = "raw"  # raw | rollup | rollup+raw (where the cost measures came from)

    @property
    def columns(self) -> list[str]:
        return [
            "kpi", "period_start", "grain", *self.by, "currency",
            "value", "numerator", "denominator", "coverage", "note",
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows]

    def __iter__(self) -> Any:
        return iter(self.rows())

    def __len__(self) -> int:
        return len(self._rows)

    def value(self, kpi: str, **keys: Any) -> Any:
        """The one value matching ``kpi`` and the given keys (tests and quick looks)."""
        hits = [
            r for r in self._rows
            if r["kpi"] == kpi and all(_eq(r.get(k), v) for k, v in keys.items())
        ]
        if len(hits) != 1:
            raise LookupError(f"{len(hits)} rows match {kpi} {keys}")
        return hits[0]["value"]

    def to_arrow(self) -> pa.Table:
        cols = self.columns
        data = {c: [r.get(c) for r in self._rows] for c in cols}
        fields = []
        for c in cols:
            if c == "period_start":
                typ: pa.DataType = pa.date32()
            elif c in NUMERIC:
                present = [v for v in data[c] if v is not None]
                typ = pa.decimal128(38, 18) if present and all(
                    isinstance(v, Decimal) for v in present
                ) else pa.float64()
                if typ == pa.float64():
                    data[c] = [None if v is None else float(v) for v in data[c]]
                else:
                    data[c] = [None if v is None else _fit(v) for v in data[c]]
            elif c == "coverage":
                typ = pa.float64()
            else:
                typ = pa.string()
            fields.append(pa.field(c, typ))
        return pa.Table.from_pydict(data, schema=pa.schema(fields))

    def to_pandas(self) -> pd.DataFrame:
        return self.to_arrow().to_pandas()

    def to_polars(self) -> pl.DataFrame:
        import polars as pl

        return pl.from_arrow(self.to_arrow())  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"KpiResult({len(self._rows)} rows, grain={self.grain}, by={list(self.by)})"


def _fit(value: Decimal) -> Decimal:
    """The DECIMAL(38,18) value (exact for money sums; never rounds to 28 digits)."""
    return money.at_scale(value)


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, dt.date) and isinstance(b, str):
        return a.isoformat() == b
    return bool(a == b)
