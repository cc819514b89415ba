"""Arrow building blocks for the generator: the FOCUS 1.2 schema, exact decimals from
fixed-point integers, and dictionary-encoded string columns built by index (no per-row Python).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from costmark.focus.columns import ColumnType, columns

FOCUS_VERSION = "1.2"
MONEY = pa.decimal128(38, 18)
STRING = pa.dictionary(pa.int32(), pa.string())
TIMESTAMP = pa.timestamp("us")


def focus_schema() -> pa.Schema:
    """All FOCUS 1.2 columns: decimals exact (DECIMAL(38,18)), timestamps naive UTC."""
    types = {
        ColumnType.DECIMAL: MONEY,
        ColumnType.DATETIME: TIMESTAMP,
        ColumnType.STRING: STRING,
        ColumnType.JSON: STRING,
    }
    return pa.schema([pa.field(c.name, types[c.type]) for c in columns(FOCUS_VERSION)])


def dec(unscaled: np.ndarray, digits: int, mask: np.ndarray | None = None) -> pa.Array:
    """Exact DECIMAL(38,18) from int64 values that carry ``digits`` decimals."""
    values = np.ascontiguousarray(unscaled, dtype=np.int64)
    n = len(values)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63
    validity = None
    if mask is not None:  # mask True = null
        validity = pa.array(~mask).buffers()[1]
    arr = pa.Array.from_buffers(
        pa.decimal128(38, digits), n, [validity, pa.py_buffer(words.tobytes())]
    )
    return arr.cast(MONEY)


def dec_py(values: Sequence[Decimal | None]) -> pa.Array:
    return pa.array(values, type=pa.decimal128(38, 18))


def codes(indices: np.ndarray, dictionary: Sequence[str | None]) -> pa.Array:
    """Dictionary column from per-row indices into ``dictionary`` (a None entry -> null)."""
    # Unique dictionary values (duplicates make the Parquet encoder's output vary run to run):
    # remap the indices onto the sorted distinct words, nulls masked out.
    words = list(dictionary)
    is_null = np.array([w is None for w in words] + [False])
    distinct, inverse = np.unique(
        np.array([w if w is not None else "" for w in words] + [""], dtype=object),
        return_inverse=True,
    )
    idx = np.asarray(indices, dtype=np.int64)
    mask = is_null[idx] if is_null.any() else None
    return pa.DictionaryArray.from_arrays(
        pa.array(inverse[idx].astype(np.int32), mask=mask, type=pa.int32()),
        pa.array(list(distinct), type=pa.string()),
    )


def const(value: str | None, n: int) -> pa.Array:
    if value is None:
        return pa.nulls(n, STRING)
    return codes(np.zeros(n, dtype=np.int32), [value])


def stamps(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[us]"), type=TIMESTAMP)


def ts(day: dt.date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "us")


@dataclass(frozen=True)
class Calendar:
    """The daily time axis and its monthly billing periods (ends exclusive)."""

    start: dt.date
    days: int

    @property
    def end(self) -> dt.date:  # exclusive
        return self.start + dt.timedelta(days=self.days)

    def day_stamps(self) -> np.ndarray:
        return np.datetime64(self.start.isoformat(), "D") + np.arange(self.days + 1)

    def weekday(self) -> np.ndarray:
        return (self.start.weekday() + np.arange(self.days)) % 7

    def months(self) -> list[dt.date]:
        """First day of each billing period touching the window."""
        out, m = [], self.start.replace(day=1)
        while m < self.end:
            out.append(m)
            m = next_month(m)
        return out

    def month_index(self) -> np.ndarray:
        months = np.array([np.datetime64(m.isoformat(), "D") for m in self.months()])
        return np.searchsorted(months, self.day_stamps()[:-1], side="right") - 1

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)


def next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def table(data: dict[str, Any], n: int, schema: pa.Schema) -> pa.Table:
    """A table in schema order; columns not given are all null."""
    arrays = []
    for f in schema:
        value = data.get(f.name)
        arrays.append(pa.nulls(n, f.type) if value is None else value)
    return pa.Table.from_arrays(arrays, schema=schema)


def from_rows(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """A few hand-made rows (purchases, credits, taxes) into the schema."""
    arrays = []
    for f in schema:
        values = [r.get(f.name) for r in rows]
        if f.type == STRING:
            arrays.append(pa.array(values, type=pa.string()).dictionary_encode())
        elif f.type == TIMESTAMP:
            arrays.append(pa.array([None if v is None else ts(v) for v in values], type=TIMESTAMP))
        else:
            arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
