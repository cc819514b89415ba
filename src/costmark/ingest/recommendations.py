"""``costmark ingest recommendations``: optimization recommendations and what came of them.

Columns (names matched loosely): ``id``, ``resource_id`` (optional), ``category``,
``estimated_monthly_savings``, ``currency``, ``status`` (open, closed = implemented,
dismissed), ``opened``, ``closed`` (required once closed or dismissed) and
``realized_monthly_savings`` (optional, closed ones only). Savings are exact decimals. A load
upserts by ``id``: a recommendation's latest state wins, nothing is duplicated.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from costmark.ingest.business import LoadSummary
from costmark.ingest.tabular import (
    Problems,
    Sheet,
    duplicates,
    log_load,
    new_ingest_id,
    now,
    parse_dates,
    parse_decimal,
    read_sheet,
)
from costmark.store import Warehouse

STATUSES = ("open", "closed", "dismissed")
_STATUS_ALIASES = {"implemented": "closed", "resolved": "closed", "done": "closed"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _money(
    values: pd.Series, column: str, problems: Problems, *, required: bool
) -> list[str | None]:
    out: list[str | None] = []
    for i, text in enumerate(values):
        if text == "":
            if required:
                problems.add("missing amount", row=i + 1, column=column)
            out.append(None)
            continue
        value = parse_decimal(text)
        if value is None:
            problems.add(f"not a number ({text!r})", row=i + 1, column=column)
            out.append(None)
        elif value < 0:
            problems.add(f"savings cannot be negative ({text!r})", row=i + 1, column=column)
            out.append(None)
        else:
            out.append(str(value))
    return out


def parse_recommendations(sheet: Sheet) -> pd.DataFrame:
    """Checked recommendations or InputError naming every bad row and column."""
    frame = sheet.frame
    n = len(frame)
    id_col = sheet.require("id", ("recommendation_id", "rec_id"))
    res_col = sheet.column("resource_id", ("ResourceId", "resource"))
    cat_col = sheet.require("category", ("type", "kind"))
    est_col = sheet.require(
        "estimated_monthly_savings", ("estimated_savings", "monthly_savings", "savings")
    )
    cur_col = sheet.column("currency", ("BillingCurrency",))
    status_col = sheet.require("status", ("state",))
    opened_col = sheet.require("opened", ("opened_at", "created", "created_at"))
    closed_col = sheet.column("closed", ("closed_at", "resolved", "resolved_at"))
    real_col = sheet.column("realized_monthly_savings", ("realized_savings", "realized"))

    problems = Problems(sheet.name)
    ids = frame[id_col]
    problems.add_rows((ids == "").to_numpy(), id_col, "missing id")
    status = frame[status_col].str.lower().replace(_STATUS_ALIASES)
    bad_status = ~status.isin(STATUSES)
    problems.add_rows(
        bad_status.to_numpy(),
        status_col,
        f"status must be one of {', '.join(STATUSES)}",
        frame[status_col],
    )
    currency = frame[cur_col].str.upper() if cur_col else pd.Series(["USD"] * n)
    bad_cur = ~currency.str.match(_CURRENCY)
    problems.add_rows(
        bad_cur.to_numpy(), cur_col or "currency", "not an ISO 4217 currency code", currency
    )
    estimated = _money(frame[est_col], est_col, problems, required=True)
    realized = (
        _money(frame[real_col], real_col, problems, required=False) if real_col else [None] * n
    )
    opened = parse_dates(frame[opened_col], opened_col, problems, required=True)
    empty = pd.Series([""] * n)
    closed = parse_dates(
        frame[closed_col] if closed_col else empty,
        closed_col or "closed",
        problems,
        required=False,
    )
    done = status.isin(("closed", "dismissed"))
    has_closed = closed.notna()
    problems.add_rows(
        (done & ~has_closed & ~bad_status).to_numpy(),
        closed_col or "closed",
        "a closed or dismissed recommendation needs its closed date",
    )
    problems.add_rows(
        ((status == "open") & has_closed).to_numpy(),
        closed_col or "closed",
        "an open recommendation cannot have a closed date",
    )
    before = np.array(
        [
            c is not None and o is not None and c == c and o == o and c < o
            for c, o in zip(closed, opened, strict=True)
        ],
        dtype=bool,
    )
    problems.add_rows(before, closed_col or "closed", "closed before it was opened")
    has_real = pd.Series([r is not None for r in realized])
    problems.add_rows(
        (has_real & (status != "closed")).to_numpy(),
        real_col or "realized_monthly_savings",
        "realized savings only apply to closed (implemented) recommendations",
    )
    problems.raise_if_any("recommendations")
    out = pd.DataFrame(
        {
            "id": ids,
            "resource_id": frame[res_col].replace("", None) if res_col else None,
            "category": frame[cat_col].replace("", None),
            "estimated_monthly_savings": estimated,
            "currency": currency,
            "status": status,
            "opened": pd.to_datetime(pd.Series(opened)),
            "closed": pd.to_datetime(pd.Series(closed)),
            "realized_monthly_savings": realized,
        }
    )
    for first, dup in duplicates(out[["id"]]):
        problems.add(f"repeats the id of row {first}", row=dup, column=id_col)
    problems.raise_if_any("recommendations")
    return out


def ingest_recommendations(wh: Warehouse, path: str | Path) -> LoadSummary:
    started = now()
    sheet = read_sheet(path)
    staged = parse_recommendations(sheet)
    ingest_id = new_ingest_id()
    with wh.transaction() as con:
        con.register("_recs_staged", staged)
        try:
            replaced = con.execute(
                "DELETE FROM recommendations r USING _recs_staged s WHERE r.id = s.id"
            ).fetchone()
            con.execute(
                "INSERT INTO recommendations (id, resource_id, category, "
                "estimated_monthly_savings, currency, status, opened, closed, "
                "realized_monthly_savings, x_IngestId) "
                "SELECT id, resource_id, category, "
                "CAST(estimated_monthly_savings AS DECIMAL(38, 18)), currency, status, "
                "CAST(opened AS DATE), CAST(closed AS DATE), "
                "CAST(realized_monthly_savings AS DECIMAL(38, 18)), ? FROM _recs_staged",
                [ingest_id],
            )
        finally:
            con.unregister("_recs_staged")
        n_replaced = int(replaced[0]) if replaced else 0
        log_load(
            con,
            ingest_id=ingest_id,
            kind="recommendations",
            sheet=sheet,
            started=started,
            rows_read=len(sheet.frame),
            rows_loaded=len(staged),
            rows_replaced=n_replaced,
        )
    counts = staged["status"].value_counts().to_dict()
    return LoadSummary(
        "recommendations",
        sheet.name,
        ingest_id,
        len(sheet.frame),
        len(staged),
        n_replaced,
        {"by_status": {s: int(counts.get(s, 0)) for s in STATUSES}},
    )
