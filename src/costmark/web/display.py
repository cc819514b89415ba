"""Text for the cells the dashboard's tables show that are not numbers: hashes, scopes,
timestamps, file names, nested values. Registered as Jinja filters in ``templating``.

Numbers are not formatted here (the format layer does that); these helpers exist so that no
page prints a Python or JSON repr of a dict or list, or a 64-character hash that pushes a
table past the edge of a phone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from costmark.present.records import fmt

HASH_CHARS = 12


def short_hash(value: Any, chars: int = HASH_CHARS) -> str:
    """The first characters of a hash or id (the full value stays in the JSON twin)."""
    text = "" if value is None else str(value)
    return text if len(text) <= chars else text[:chars] + "…"


def scope_text(value: Any) -> str:
    """A scope or dimension filter as people write it: "team = payments"; empty: "all"."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value or "all"
    if not value:
        return "all"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} = {readable(v)}" for k, v in value.items())
    return readable(value)


def when(value: Any) -> str:
    """A timestamp to the minute ("2026-12-02 20:33"); dates stay dates."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = (dt.date.fromisoformat(value) if len(value) == 10
                     else dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return fmt(value)


def basename(value: Any) -> str:
    """A file's name without the server's folders."""
    if value is None:
        return "—"
    return PurePath(str(value)).name or str(value)


def readable(value: Any) -> str:
    """Any cell as a line of text: lists joined, mappings as "key = value", numbers by fmt."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {readable(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple | set):
        return ", ".join(readable(v) for v in value) or "—"
    return fmt(value)


def score(value: Any) -> str:
    """A maturity score on the 0-4 scale, to one decimal (lens scores are whole: "2")."""
    if value is None:
        return "—"
    f = float(value)
    return f"{f:.0f}" if f == int(f) else f"{f:.1f}"
