"""Benchmarking records in the warehouse: named baselines and imported peer packs.

Tables (migration ``0040_benchmarking`` in store/migrations.py):
- ``benchmark_baselines``: a name → a date (e.g. the start of a FinOps iteration), so "against
  baseline it-1" keeps meaning the same thing months later.
- ``benchmark_packs`` (one row per imported pack) and ``benchmark_pack_rows`` (its
  distributions). Re-importing a pack with the same id replaces it: imports are idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from costmark.benchmarking.exchange import P_COLS, pack_rows, validate_pack
from costmark.errors import NotFoundError, UsageError, did_you_mean
from costmark.store import Warehouse


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def set_baseline(wh: Warehouse, name: str, at: dt.date, note: str | None = None) -> dict:
    if not name.strip():
        raise UsageError("a baseline needs a name")
    with wh.transaction() as con:
        con.execute("DELETE FROM benchmark_baselines WHERE name = ?", [name])
        con.execute("INSERT INTO benchmark_baselines VALUES (?, ?, ?, ?)", [name, at, note, _now()])
    return {"name": name, "at": at, "note": note}


def baselines(wh: Warehouse) -> list[dict[str, Any]]:
    cur = wh.con.execute(
        "SELECT name, baseline_date AS at, note, created_at FROM benchmark_baselines "
        "ORDER BY baseline_date, name"
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def delete_baseline(wh: Warehouse, name: str) -> None:
    known = [b["name"] for b in baselines(wh)]
    if name not in known:
        raise NotFoundError(f"no baseline {name!r}{did_you_mean(name, known)}")
    with wh.transaction() as con:
        con.execute("DELETE FROM benchmark_baselines WHERE name = ?", [name])


def resolve_baselines(wh: Warehouse, names: list[str]) -> dict[str, dt.date]:
    """Names of stored baselines or ISO dates → {label: date}."""
    stored = {b["name"]: b["at"] for b in baselines(wh)}
    out: dict[str, dt.date] = {}
    for name in names:
        if name in stored:
            out[name] = stored[name]
            continue
        try:
            out[name] = dt.date.fromisoformat(name)
        except ValueError:
            raise NotFoundError(
                f"no baseline {name!r} (and it is not a YYYY-MM-DD date)"
                f"{did_you_mean(name, stored)}; set one with "
                "'costmark benchmark baseline set NAME --at DATE'"
            ) from None
    return out


def store_pack(
    wh: Warehouse, data: Any, *, source: str = "pack", label: str | None = None
) -> dict[str, Any]:
    """Validate and store a pack (replacing one with the same id); return its summary."""
    pack = validate_pack(data, source)
    rows = pack_rows(pack)
    summary = {
        "pack_id": pack["pack_id"],
        "label": label or pack.get("label"),
        "source_file": source,
        "created": dt.date.fromisoformat(pack["created"]) if pack.get("created") else None,
        "imported_at": _now(),
        "grain": pack["grain"],
        "unit": pack["unit"],
        "cohorting": pack.get("cohorting"),
        "distributions": len(rows),
    }
    cols = ["kpi", "period_start", "cohort", "currency", "members", *P_COLS]
    with wh.transaction() as con:
        con.execute("DELETE FROM benchmark_pack_rows WHERE pack_id = ?", [pack["pack_id"]])
        con.execute("DELETE FROM benchmark_packs WHERE pack_id = ?", [pack["pack_id"]])
        con.execute(
            "INSERT INTO benchmark_packs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", list(summary.values())
        )
        if len(rows):
            con.executemany(
                "INSERT INTO benchmark_pack_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[pack["pack_id"], *r] for r in rows[cols].itertuples(index=False)],
            )
    return summary


def packs(wh: Warehouse) -> list[dict[str, Any]]:
    cur = wh.con.execute("SELECT * FROM benchmark_packs ORDER BY imported_at, pack_id")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def remove_pack(wh: Warehouse, pack_id: str) -> None:
    known = [p["pack_id"] for p in packs(wh)]
    if pack_id not in known:
        raise NotFoundError(f"no imported pack {pack_id!r}{did_you_mean(pack_id, known)}")
    with wh.transaction() as con:
        con.execute("DELETE FROM benchmark_pack_rows WHERE pack_id = ?", [pack_id])
        con.execute("DELETE FROM benchmark_packs WHERE pack_id = ?", [pack_id])


def pack_frame(wh: Warehouse) -> pd.DataFrame:
    """Every imported distribution with its pack's label and grain."""
    cur = wh.con.execute(
        "SELECT r.*, p.label, p.grain FROM benchmark_pack_rows r "
        "JOIN benchmark_packs p USING (pack_id) ORDER BY pack_id, kpi, period_start, cohort"
    )
    cols = [d[0] for d in cur.description]
    frame = pd.DataFrame(cur.fetchall(), columns=cols)
    if len(frame):
        frame["period_start"] = [
            v.date() if isinstance(v, dt.datetime) else v for v in frame["period_start"]
        ]
    return frame


def pack_json(pack: dict[str, Any]) -> str:
    return json.dumps(pack, indent=2, ensure_ascii=False) + "\n"
