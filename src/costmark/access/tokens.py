"""API tokens: ``cm_<id>_<secret>``; only a SHA-256 of the secret is stored.

Why SHA-256 and not a slow password hash: the secret is 32 random bytes (256 bits), so a fast
hash is already infeasible to brute-force, and every API request verifies one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import duckdb

from costmark.errors import NotFoundError, UsageError

ROLES = ("viewer", "analyst", "admin")
ROLE_RANK = {r: i for i, r in enumerate(ROLES)}
PREFIX = "cm_"


@dataclass(frozen=True)
class TokenInfo:
    """A verified token's identity: who it is, what it may do, which rows it may see."""

    id: str
    name: str | None
    role: str
    scope: dict[str, str] = field(default_factory=dict)

    def allows(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "scope": dict(self.scope)}


def parse_scope(items: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """``["team=payments"]`` -> ``{"team": "payments"}``."""
    scope: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"--scope {item!r} must look like DIMENSION=VALUE (team=payments)")
        scope[key.strip()] = value.strip()
    return scope


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    con: duckdb.DuckDBPyConnection,
    role: str,
    scope: dict[str, str] | None = None,
    name: str | None = None,
) -> tuple[str, TokenInfo]:
    """Store a new token and return (the token text, shown once; its info)."""
    if role not in ROLES:
        raise UsageError(f"role {role!r} must be one of {', '.join(ROLES)}")
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    scope = dict(sorted((scope or {}).items()))
    con.execute(
        "INSERT INTO api_tokens (id, name, role, scope, token_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [token_id, name, role, json.dumps(scope), _hash(secret), _now()],
    )
    return f"{PREFIX}{token_id}_{secret}", TokenInfo(token_id, name, role, scope)


def list_tokens(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT id, name, role, scope, created_at, revoked_at FROM api_tokens "
        "ORDER BY created_at, id"
    ).fetchall()
    return [
        {
            "id": r[0],
            "name": r[1],
            "role": r[2],
            "scope": json.loads(r[3]),
            "created_at": r[4],
            "revoked_at": r[5],
            "active": r[5] is None,
        }
        for r in rows
    ]


def revoke_token(con: duckdb.DuckDBPyConnection, token_id: str) -> None:
    found = con.execute(
        "SELECT count(*) FROM api_tokens WHERE id = ? AND revoked_at IS NULL", [token_id]
    ).fetchone()
    if not found or not found[0]:
        raise NotFoundError(f"no active token with id {token_id!r} (see 'costmark token list')")
    con.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [_now(), token_id])


def lookup(con: duckdb.DuckDBPyConnection, token_id: str) -> TokenInfo | None:
    """The active token with this id (for sessions, which carry the id, not the secret)."""
    row = con.execute(
        "SELECT id, name, role, scope FROM api_tokens WHERE id = ? AND revoked_at IS NULL",
        [token_id],
    ).fetchone()
    if row is None:
        return None
    return TokenInfo(row[0], row[1], row[2], json.loads(row[3]))


def verify(con: duckdb.DuckDBPyConnection, token: str) -> TokenInfo | None:
    """The token's info when it is well-formed, known, active and its secret matches."""
    token = token.strip()
    if not token.startswith(PREFIX):
        return None
    token_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not secret:
        return None
    row = con.execute(
        "SELECT token_hash FROM api_tokens WHERE id = ? AND revoked_at IS NULL", [token_id]
    ).fetchone()
    if row is None or not hmac.compare_digest(row[0], _hash(secret)):
        return None
    return lookup(con, token_id)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
