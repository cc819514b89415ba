"""Assessments and iterations in the warehouse (tables from migration 0050_maturity).

Documents are stored whole as JSON (what was shown is what is kept, exactly); assessment scores
are also written one row per capability and lens so SQL users and the web can query them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

from costmark.errors import NotFoundError, did_you_mean


def _json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)


# -- assessments ------------------------------------------------------------------------------
def save_assessment(con: duckdb.DuckDBPyConnection, doc: dict[str, Any]) -> str:
    """Store an assessment; give it an id from its time (a-YYYYMMDD-HHMMSS[-n])."""
    at = dt.datetime.fromisoformat(doc["assessed_at"])
    base = doc.get("id") or f"a-{at:%Y%m%d-%H%M%S}"
    aid, n = base, 1
    while con.execute("SELECT 1 FROM maturity_assessments WHERE id = ?", [aid]).fetchone():
        if doc.get("id"):  # imported: replace
            delete_assessment(con, aid)
            break
        n += 1
        aid = f"{base}-{n}"
    doc = {**doc, "id": aid}
    con.execute(
        "INSERT INTO maturity_assessments VALUES (?, ?, ?, ?)",
        [aid, at, doc["group"], _json(doc)],
    )
    for cap in doc["capabilities"]:
        for lens, s in cap["lenses"].items():
            con.execute(
                "INSERT INTO maturity_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [aid, cap["id"], lens, s["answered"], s["current"], s["target"], s["stage"],
                 s.get("explanation")],
            )  # fmt: skip
    return aid


def delete_assessment(con: duckdb.DuckDBPyConnection, aid: str) -> None:
    con.execute("DELETE FROM maturity_scores WHERE assessment_id = ?", [aid])
    con.execute("DELETE FROM maturity_assessments WHERE id = ?", [aid])


def list_assessments(
    con: duckdb.DuckDBPyConnection, group: str | None = None
) -> list[dict[str, Any]]:
    """All assessments (documents), oldest first; optionally of one group."""
    sql = "SELECT document FROM maturity_assessments"
    params: list[Any] = []
    if group is not None:
        sql += " WHERE group_key = ?"
        params.append(group)
    rows = con.execute(sql + " ORDER BY assessed_at, id", params).fetchall()
    return [json.loads(r[0]) for r in rows]


def summary_rows(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": d["id"],
            "assessed_at": d["assessed_at"],
            "group": d["group"],
            "capabilities": len(d["capabilities"]),
            "mean_current": round(
                sum(c["current"] for c in d["capabilities"]) / max(1, len(d["capabilities"])), 2
            ),
        }
        for d in docs
    ]


def get_assessment(
    con: duckdb.DuckDBPyConnection, ref: str = "latest", *, group: str | None = None
) -> dict[str, Any]:
    """An assessment by id, 'latest', 'previous' (the one before the latest) or a date
    (YYYY-MM-DD: the latest made on or before that day)."""
    docs = list_assessments(con, group)
    if not docs:
        raise NotFoundError("no assessments yet; run 'costmark assess' first")
    if ref == "latest":
        return docs[-1]
    if ref == "previous":
        if len(docs) < 2:
            raise NotFoundError("only one assessment so far: nothing to compare with")
        return docs[-2]
    for d in docs:
        if d["id"] == ref:
            return d
    try:
        day = dt.date.fromisoformat(ref)
    except ValueError:
        raise NotFoundError(
            f"no assessment {ref!r}{did_you_mean(ref, [d['id'] for d in docs])}; "
            "use an id from 'costmark assess list', 'latest', 'previous' or a date"
        ) from None
    before = [d for d in docs if dt.datetime.fromisoformat(d["assessed_at"]).date() <= day]
    if not before:
        raise NotFoundError(f"no assessment on or before {day}")
    return before[-1]


# -- iterations -------------------------------------------------------------------------------
def save_iteration(con: duckdb.DuckDBPyConnection, doc: dict[str, Any]) -> None:
    """Insert or replace an iteration document (id it-N)."""
    con.execute("DELETE FROM iterations WHERE id = ?", [doc["id"]])
    con.execute(
        "INSERT INTO iterations VALUES (?, ?, ?, ?, ?)",
        [doc["id"], doc["number"], doc["status"], doc["created_at"], _json(doc)],
    )


def list_iterations(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute("SELECT document FROM iterations ORDER BY number").fetchall()
    return [json.loads(r[0]) for r in rows]


def get_iteration(con: duckdb.DuckDBPyConnection, ref: str | None = None) -> dict[str, Any]:
    """An iteration by id ('it-2'), number ('2'), or the latest when ``ref`` is None."""
    docs = list_iterations(con)
    if not docs:
        raise NotFoundError("no iterations yet; start one with 'costmark iteration plan'")
    if ref is None or ref == "latest":
        return docs[-1]
    key = ref if ref.startswith("it-") else f"it-{ref}"
    for d in docs:
        if d["id"] == key:
            return d
    raise NotFoundError(
        f"no iteration {ref!r}{did_you_mean(key, [d['id'] for d in docs])}; "
        "see 'costmark iteration list'"
    )
