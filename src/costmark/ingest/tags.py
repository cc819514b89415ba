"""Materialised tag columns: ``tag_<key>`` holds ``Tags[key]`` so queries never parse JSON.

Ingest fills them at load. When costmark.yaml gains a key later, :func:`ensure_tag_columns`
adds the column and backfills it from the stored ``Tags`` in one statement.

One key, whatever its case: providers spell the same tag differently (``Owner`` on AWS rows,
``owner`` on GCP rows), and users mean one key. A tag key is matched ignoring case and
surrounding spaces; every spelling costmark.yaml names (``tag_keys: [Owner, owner]``) fills the
one column ``tag_owner``. A row's value is, deterministically:

1. the value under a spelling written in costmark.yaml, the first listed first;
2. otherwise the value under any key of the row that matches ignoring case and surrounding
   spaces, the first such key in code-point order (``" OWNER"`` before ``"Owner"`` before
   ``"owner"``).

Empty (blank) values count as missing in both steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costmark.focus.reader import qident, qstr
from costmark.focus.schema import COST_TABLE, tag_column
from costmark.store import Warehouse


def json_member_path(key: str) -> str:
    """A JSON path selecting member ``key`` exactly, whatever characters it has."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tag_groups(keys: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Spellings of each tag column, in the order given: ``[Owner, owner, team]`` gives
    ``{tag_owner: (Owner, owner), tag_team: (team,)}``."""
    out: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        out.setdefault(tag_column(key), []).append(key)
    return {col: tuple(spellings) for col, spellings in out.items()}


def _present(value: str) -> str:
    return f"CASE WHEN trim({value}) = '' THEN NULL ELSE {value} END"


def tag_value_sql(tags_sql: str, exact: Sequence[str], spellings: Sequence[str]) -> str:
    """The value of one tag key (see the module docstring for the rule).

    ``exact``: SQL expressions giving the value under each spelling, as written (the caller
    extracts them in one JSON parse for every key). Only rows with none of them read the
    row's key list (a second parse), and only when the text mentions the key at all."""
    first = exact[0] if len(exact) == 1 else "coalesce(" + ", ".join(
        _present(v) for v in exact) + ")"
    names = ", ".join(sorted({f"lower(trim({qstr(k)}))" for k in spellings}))
    path = "'$.\"' || replace(replace(k, '\\', '\\\\'), '\"', '\\\"') || '\"'"
    other = (
        f"list_filter(list_transform(list_sort(list_filter(json_keys({tags_sql}), "
        f"lambda k: lower(trim(k)) IN ({names}))), "
        f"lambda k: json_extract_string({tags_sql}, {path})), "
        f"lambda v: v IS NOT NULL AND trim(v) <> '')[1]"
    )
    needles = sorted({k.strip().lower() for k in spellings})
    if all(n.isascii() and n for n in needles):
        # JSON may escape non-ASCII keys (\\u00e9), so only ASCII keys are pre-checked.
        guard = " OR ".join(f"contains(lower({tags_sql}), {qstr(n)})" for n in needles)
        other = f"CASE WHEN {guard} THEN {other} END"
    return f"coalesce({first}, {other})"


def tag_extract_sql(tags_sql: str, spellings: str | Sequence[str]) -> str:
    """A tag's value from stored Tags; null where Tags is not a JSON object (ingest keeps
    such text as it came)."""
    keys = [spellings] if isinstance(spellings, str) else list(spellings)
    exact = [f"json_extract_string({tags_sql}, {qstr(json_member_path(k))})" for k in keys]
    return (
        f"CASE WHEN json_valid({tags_sql}) AND starts_with(ltrim({tags_sql}), '{{') "
        f"THEN {tag_value_sql(tags_sql, exact, keys)} END"
    )


def ensure_tag_columns(target: Any, tag_keys: Sequence[str] | None = None) -> list[str]:
    """Add (and backfill) a ``tag_<key>`` column for each key; return the columns added.

    ``target`` is a Workspace (keys default to every spelling costmark.yaml names) or a
    Warehouse with explicit ``tag_keys``."""
    if isinstance(target, Warehouse):
        wh = target
        keys = tuple(tag_keys or ())
    else:
        wh = target.warehouse
        keys = tuple(tag_keys if tag_keys is not None else target.project.tag_key_spellings)
    # DuckDB column names ignore case: a workspace may hold tag_Owner from before names
    # were lower case, and that column is tag_owner.
    existing = {c.lower() for c in wh.table_columns(COST_TABLE)}
    pending = {col: s for col, s in tag_groups(keys).items() if col not in existing}
    if not pending:
        return []
    with wh.transaction() as con:
        for col, spellings in pending.items():
            con.execute(f"ALTER TABLE {COST_TABLE} ADD COLUMN {qident(col)} VARCHAR")
            con.execute(
                f"UPDATE {COST_TABLE} SET {qident(col)} = "
                f"{tag_extract_sql(qident('Tags'), spellings)} "
                'WHERE "Tags" IS NOT NULL'
            )
    return list(pending)
