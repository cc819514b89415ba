"""``costmark ingest business``: business metrics (transactions, customers, revenue...).

Two layouts, detected from the header (or forced with ``layout``):
- long: ``date, metric, value`` plus optional dimension columns (``app``, ``team``...);
- wide: ``date`` plus one column per metric, plus optional dimension columns.
Metrics must be declared in costmark.yaml (``business_metrics``) and dimension columns must be
declared dimensions: that is what lets the KPI engine put a unit cost next to the right cost.

A load replaces the (metric, dimension values, date) rows it covers and adds the others, in one
transaction, so loading a file twice changes nothing and a corrected file overwrites.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from costmark.errors import InputError, Located, UsageError, did_you_mean
from costmark.ingest.tabular import (
    Problems,
    Sheet,
    duplicates,
    log_load,
    new_ingest_id,
    now,
    parse_dates,
    parse_numbers,
    read_sheet,
)
from costmark.spec import Project
from costmark.store import Warehouse

Layout = Literal["auto", "long", "wide"]
LAYOUTS: tuple[str, ...] = ("auto", "long", "wide")


@dataclass
class LoadSummary:
    """What a side-file load did; ``to_dict()`` is the CLI's JSON document."""

    kind: str
    file: str
    ingest_id: str
    rows_read: int
    rows_loaded: int
    rows_replaced: int
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "ingest_id": self.ingest_id,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_replaced": self.rows_replaced,
            **self.details,
        }


def detect_layout(sheet: Sheet) -> str:
    """Long when the header has both ``metric`` and ``value`` columns, else wide."""
    if sheet.column("metric") and sheet.column("value"):
        return "long"
    return "wide"


def _dimension_columns(
    sheet: Sheet, columns: list[str], project: Project, metrics_hint: bool
) -> list[str]:
    """Check that extra columns are declared dimensions; return them as dimension names."""
    dims = list(project.dimensions)
    problems = []
    names = []
    for col in columns:
        match = next((d for d in dims if d.lower() == col.lower()), None)
        if match is None:
            what = "a declared business metric or dimension" if metrics_hint else "a dimension"
            hint = did_you_mean(
                col, dims + (list(project.business_metrics) if metrics_hint else [])
            )
            problems.append(
                Located(
                    f"column '{col}' is not {what} in costmark.yaml{hint}",
                    sheet.name,
                    line=1,
                    column=col,
                )
            )
        names.append(match or col)
    if problems:
        raise InputError(f"{sheet.name}: unknown columns", problems)
    return names


def _canonical(frame: pd.DataFrame, dims: list[str]) -> pd.Series:
    """Canonical JSON of each row's non-empty dimension values (sorted keys, '{}' if none)."""
    if not dims:
        return pd.Series(["{}"] * len(frame), index=frame.index)
    records = frame[dims].to_dict("records")
    return pd.Series(
        [
            json.dumps({k: v for k, v in sorted(r.items()) if v != ""}, separators=(",", ":"))
            for r in records
        ],
        index=frame.index,
    )


def _unknown_metrics(
    names: pd.Series, declared: list[str], sheet: Sheet, column: str
) -> list[Located]:
    out = []
    for metric in sorted(set(names) - set(declared) - {""}):
        first = int(names.index[names == metric][0]) + 1
        out.append(
            Located(
                f"unknown business metric '{metric}'{did_you_mean(metric, declared)}; "
                "declare it under business_metrics in costmark.yaml",
                sheet.name,
                row=first,
                column=column,
            )
        )
    return out


def parse_business(sheet: Sheet, project: Project, layout: str = "auto") -> pd.DataFrame:
    """The file as (row, metric, date, dimensions, value) rows, or InputError listing every
    problem with its row and column."""
    if layout not in LAYOUTS:
        raise UsageError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    declared = list(project.business_metrics)
    if not declared:
        raise InputError(
            f"{sheet.name}: costmark.yaml declares no business_metrics; add them first, e.g. "
            "business_metrics: {transactions: {unit: transaction, aggregation: sum}}"
        )
    if layout == "auto":
        layout = detect_layout(sheet)
    frame = sheet.frame
    date_col = sheet.require("date", ("day", "period", "period_start"))
    problems = Problems(sheet.name)
    dates = parse_dates(frame[date_col], date_col, problems, required=True)

    if layout == "long":
        metric_col = sheet.require("metric", ("metric_name", "name"))
        value_col = sheet.require("value", ("amount",))
        others = [c for c in frame.columns if c not in (date_col, metric_col, value_col)]
        dim_names = _dimension_columns(sheet, others, project, metrics_hint=False)
        metric_names = frame[metric_col]
        problems.add_rows((metric_names == "").to_numpy(), metric_col, "missing metric name")
        unknown = _unknown_metrics(metric_names, declared, sheet, metric_col)
        if unknown:
            raise InputError(f"{sheet.name}: unknown business metrics", unknown)
        values = parse_numbers(frame[value_col], value_col, problems, required=True)
        dims_frame = frame[others].set_axis(dim_names, axis=1)
        out = pd.DataFrame(
            {
                "row": frame.index + 1,
                "metric": metric_names,
                "date": dates,
                "dimensions": _canonical(dims_frame, dim_names),
                "value": values,
            }
        )
    else:
        metric_cols = [c for c in frame.columns if c != date_col and c in declared]
        metric_cols += [
            c
            for c in frame.columns
            if c not in metric_cols
            and c != date_col
            and any(c.lower() == m.lower() for m in declared)
        ]
        others = [c for c in frame.columns if c != date_col and c not in metric_cols]
        dim_names = _dimension_columns(sheet, others, project, metrics_hint=True)
        if not metric_cols:
            raise InputError(
                f"{sheet.name}: no column names a declared business metric "
                f"({', '.join(declared)}); for the long layout use date, metric, value columns"
            )
        dims_frame = frame[others].set_axis(dim_names, axis=1)
        dims_json = _canonical(dims_frame, dim_names)
        parts = []
        for col in metric_cols:
            metric = next(m for m in declared if m.lower() == col.lower())
            # In the wide layout an empty cell means "no observation", not an error.
            vals = parse_numbers(frame[col], col, problems, required=False)
            part = pd.DataFrame(
                {
                    "row": frame.index + 1,
                    "metric": metric,
                    "date": dates,
                    "dimensions": dims_json,
                    "value": vals,
                }
            )
            parts.append(part[frame[col] != ""])
        out = pd.concat(parts, ignore_index=True)
    problems.raise_if_any("business metrics")
    for first, dup in duplicates(out[["metric", "dimensions", "date"]]):
        problems.add(
            f"repeats the metric, dimension values and date of row {first}",
            row=int(out["row"].iloc[dup - 1]),
        )
    problems.raise_if_any("business metrics")
    return out


def ingest_business(
    wh: Warehouse, project: Project, path: str | Path, *, layout: str = "auto"
) -> LoadSummary:
    """Validate then load, replacing the (metric, dimensions, date) rows the file covers."""
    started = now()
    sheet = read_sheet(path)
    rows = parse_business(sheet, project, layout)
    ingest_id = new_ingest_id()
    staged = rows[["metric", "date", "dimensions", "value"]].copy()
    staged["date"] = pd.to_datetime(staged["date"])
    with wh.transaction() as con:
        con.register("_business_staged", staged)
        try:
            replaced = con.execute(
                "DELETE FROM business_metrics b USING _business_staged s "
                "WHERE b.metric = s.metric AND b.date = CAST(s.date AS DATE) "
                "AND b.dimensions = s.dimensions"
            ).fetchone()
            con.execute(
                "INSERT INTO business_metrics (metric, date, dimensions, value, x_IngestId) "
                "SELECT metric, CAST(date AS DATE), dimensions, value, ? FROM _business_staged",
                [ingest_id],
            )
        finally:
            con.unregister("_business_staged")
        n_replaced = int(replaced[0]) if replaced else 0
        log_load(
            con,
            ingest_id=ingest_id,
            kind="business",
            sheet=sheet,
            started=started,
            rows_read=len(sheet.frame),
            rows_loaded=len(staged),
            rows_replaced=n_replaced,
        )
    metrics = sorted(staged["metric"].unique().tolist())
    dims = sorted({k for d in rows["dimensions"].unique() for k in json.loads(d)})
    return LoadSummary(
        "business",
        sheet.name,
        ingest_id,
        len(sheet.frame),
        len(staged),
        n_replaced,
        {
            "metrics": metrics,
            "dimensions": dims,
            "start": rows["date"].min().isoformat() if len(rows) else None,
            "end": rows["date"].max().isoformat() if len(rows) else None,
        },
    )
