"""Load tiny FOCUS fixtures straight into ``costs`` for KPI tests.

Why not ingest: KPI tests are about formulas, and the FOCUS spec's example files carry only the
columns their point needs. Here missing canonical columns are NULL (BillingCurrency defaults to
USD), the literal text ``null`` is NULL, and tag columns are materialised from ``Tags`` for the
project's tag keys, exactly as ingest does.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import costmark
from costmark.focus.schema import COST_TABLE, tag_column
from costmark.ingest.tags import tag_groups

DEFAULTS = {"BillingCurrency": "USD", "ProviderName": "Test", "BillingAccountId": "acct"}


def read_csv_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if any((v or "").strip() for v in r.values())]


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text == "" or text.lower() in ("null", "none"):
            return None
        if text.endswith("Z") and "T" in text:
            text = text[:-1]
        return text
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def load_rows(
    ws: costmark.Workspace,
    rows: Iterable[Mapping[str, Any]],
    *,
    defaults: Mapping[str, Any] | None = None,
    refresh: bool = False,
) -> int:
    """Insert ``rows`` (dicts of FOCUS column -> value) into ``costs``; return the count."""
    con = ws.warehouse.con
    keys = ws.project.materialized_tag_keys
    for key in keys:
        con.execute(
            f'ALTER TABLE {COST_TABLE} ADD COLUMN IF NOT EXISTS "{tag_column(key)}" VARCHAR'
        ).fetchall()
    columns = ws.warehouse.table_columns(COST_TABLE)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
            [COST_TABLE],
        ).fetchall()
    )
    fill = {**DEFAULTS, **(defaults or {})}
    n = 0
    for i, raw in enumerate(rows, start=1):
        row = {k: _clean(v) for k, v in raw.items()}
        for k, v in fill.items():
            if row.get(k) is None:
                row[k] = v
        tags = json.loads(row["Tags"]) if row.get("Tags") else {}
        for col, spellings in tag_groups(ws.project.tag_key_spellings).items():
            row[col] = tag_value(tags, spellings)
        row.setdefault("x_SourceRow", str(i))
        row.setdefault("x_IngestId", "test")
        cols = [c for c in columns if c in row]
        unknown = set(row) - set(columns)
        if unknown - {"Tags"}:
            # columns the fixture carries that FOCUS 1.3 does not (x_ extensions): ignored
            pass
        placeholders = ", ".join(f"CAST(? AS {types[c]})" for c in cols)
        names = ", ".join(f'"{c}"' for c in cols)
        con.execute(
            f"INSERT INTO {COST_TABLE} ({names}) VALUES ({placeholders})", [row[c] for c in cols]
        ).fetchall()
        n += 1
    if refresh:
        ws.refresh_rollups()
    return n


def tag_value(tags: Mapping[str, Any], spellings: Iterable[str]) -> str | None:
    """The rule of costmark.ingest.tags in Python: configured spellings first, then any key
    matching ignoring case and surrounding spaces in code-point order; blanks are missing."""
    def present(v: Any) -> str | None:
        return None if v is None or not str(v).strip() else str(v)

    spellings = list(spellings)
    for key in spellings:
        if present(tags.get(key)) is not None:
            return str(tags[key])
    names = {k.strip().lower() for k in spellings}
    for key in sorted(tags):
        if key.strip().lower() in names and present(tags[key]) is not None:
            return str(tags[key])
    return None


def write_config(ws: costmark.Workspace, text: str) -> None:
    ws.config_path.write_text(text, "utf-8")
    ws.reload_project()


def row(**values: Any) -> dict[str, Any]:
    """A usage row with sensible defaults (override anything)."""
    base = {
        "ChargeCategory": "Usage",
        "ChargePeriodStart": "2024-01-01 00:00:00",
        "ChargePeriodEnd": "2024-01-01 01:00:00",
        "BillingPeriodStart": "2024-01-01 00:00:00",
        "BillingPeriodEnd": "2024-02-01 00:00:00",
        "PricingCategory": "Standard",
        "ServiceCategory": "Compute",
    }
    base.update({k: v for k, v in values.items()})
    if "BillingPeriodStart" not in values and values.get("ChargePeriodStart"):
        # the billing period is the charge's month (invoice views group by it)
        month = dt.date.fromisoformat(str(values["ChargePeriodStart"])[:10]).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        base["BillingPeriodStart"] = f"{month} 00:00:00"
        if "BillingPeriodEnd" not in values:
            base["BillingPeriodEnd"] = f"{following} 00:00:00"
    for money in ("EffectiveCost", "BilledCost", "ListCost", "ContractedCost"):
        if money in base and base[money] is not None:
            base[money] = str(base[money])
    return base
