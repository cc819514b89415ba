"""``costmark ingest utilization``: CPU and memory samples per resource and day.

The waste KPIs need them: a resource whose cost-weighted CPU stays under a threshold is idle.
Columns (names matched loosely): ``resource_id`` (the FOCUS ResourceId), ``date``, ``cpu_pct``
and/or ``memory_pct`` in percent (0-100). A load replaces the (resource, date) samples it has.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from costmark.errors import InputError
from costmark.ingest.business import LoadSummary
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
from costmark.store import Warehouse

RESOURCE = ("resource_id", ("ResourceId", "resource", "resource_name"))
CPU = ("cpu_pct", ("cpu", "cpu_percent", "cpu_utilization", "cpu_util"))
MEMORY = ("memory_pct", ("memory", "mem_pct", "memory_percent", "memory_utilization", "mem"))


def parse_utilization(sheet: Sheet) -> pd.DataFrame:
    """Checked samples (resource_id, date, cpu_pct, memory_pct) or InputError."""
    frame = sheet.frame
    rid_col = sheet.require(*RESOURCE)
    date_col = sheet.require("date", ("day", "timestamp"))
    cpu_col = sheet.column(*CPU)
    mem_col = sheet.column(*MEMORY)
    if cpu_col is None and mem_col is None:
        raise InputError(f"{sheet.name}: needs a cpu_pct or a memory_pct column (percent 0-100)")
    problems = Problems(sheet.name)
    problems.add_rows((frame[rid_col] == "").to_numpy(), rid_col, "missing resource id")
    dates = parse_dates(frame[date_col], date_col, problems, required=True)
    pct: dict[str, pd.Series] = {}
    for key, col in (("cpu_pct", cpu_col), ("memory_pct", mem_col)):
        if col is None:
            pct[key] = pd.Series([float("nan")] * len(frame))
            continue
        values = parse_numbers(frame[col], col, problems, required=False)
        out_of_range = ((values < 0) | (values > 100)).to_numpy()
        problems.add_rows(out_of_range, col, "percent must be between 0 and 100", frame[col])
        pct[key] = values
    both_missing = (pct["cpu_pct"].isna() & pct["memory_pct"].isna()).to_numpy()
    problems.add_rows(both_missing, cpu_col or mem_col or "", "no cpu or memory value")
    problems.raise_if_any("utilization samples")
    out = pd.DataFrame(
        {
            "resource_id": frame[rid_col],
            "date": pd.to_datetime(pd.Series(dates)),
            "cpu_pct": pct["cpu_pct"],
            "memory_pct": pct["memory_pct"],
        }
    )
    for first, dup in duplicates(out[["resource_id", "date"]]):
        problems.add(f"repeats the resource and date of row {first}", row=dup)
    problems.raise_if_any("utilization samples")
    return out


def ingest_utilization(wh: Warehouse, path: str | Path) -> LoadSummary:
    started = now()
    sheet = read_sheet(path)
    staged = parse_utilization(sheet)
    rows_read = len(sheet.frame)
    ingest_id = new_ingest_id()
    with wh.transaction() as con:
        con.register("_util_staged", staged)
        try:
            replaced = con.execute(
                "DELETE FROM utilization u USING _util_staged s "
                "WHERE u.resource_id = s.resource_id AND u.date = CAST(s.date AS DATE)"
            ).fetchone()
            con.execute(
                "INSERT INTO utilization (resource_id, date, cpu_pct, memory_pct, x_IngestId) "
                "SELECT resource_id, CAST(date AS DATE), cpu_pct, memory_pct, ? "
                "FROM _util_staged",
                [ingest_id],
            )
        finally:
            con.unregister("_util_staged")
        n_replaced = int(replaced[0]) if replaced else 0
        log_load(
            con,
            ingest_id=ingest_id,
            kind="utilization",
            sheet=sheet,
            started=started,
            rows_read=rows_read,
            rows_loaded=len(staged),
            rows_replaced=n_replaced,
        )
    return LoadSummary(
        "utilization",
        sheet.name,
        ingest_id,
        rows_read,
        len(staged),
        n_replaced,
        {
            "resources": int(staged["resource_id"].nunique()),
            "start": staged["date"].min().date().isoformat() if len(staged) else None,
            "end": staged["date"].max().date().isoformat() if len(staged) else None,
        },
    )
