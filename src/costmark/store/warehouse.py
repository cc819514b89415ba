"""A DuckDB warehouse file with transactions and forward migrations."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from costmark.errors import WorkspaceError
from costmark.store import intent
from costmark.store.migrations import MIGRATIONS

#: How long to wait for another process's lock on the warehouse (seconds). DuckDB allows one
#: writer process per file: a dashboard reading or a second ingest holds it briefly, so a CLI
#: command waits a little instead of failing at once.
LOCK_WAIT_ENV = "COSTMARK_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 10.0


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        wait = float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT))
    except ValueError:
        wait = DEFAULT_LOCK_WAIT
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            locked = "lock" in str(exc).lower()
            if not locked or time.monotonic() + delay > deadline:
                raise WorkspaceError(f"cannot open warehouse {path}: {exc}") from exc
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


class Warehouse:
    """One DuckDB connection to the workspace warehouse.

    Why one connection per process: DuckDB allows a single writer process per file, and
    statements on one connection see each other's uncommitted work inside a transaction.
    """

    def __init__(self, path: Path, *, read_only: bool = False, create: bool = False) -> None:
        self.path = path
        if not path.exists() and not create:
            raise WorkspaceError(
                f"no warehouse at {path}; run 'costmark init' in the workspace first"
            )
        # a writer announces itself first, so a running dashboard lets go of the file
        self._intent = None if read_only else intent.mark(path)
        try:
            self.con = _connect(path, read_only=read_only)
        except BaseException:
            intent.clear(self._intent)
            raise
        self.read_only = read_only
        try:
            if not read_only:
                self.migrate()
            else:
                self.check_version()
        except BaseException:
            self.close()
            raise

    # -- schema versioning -------------------------------------------------------------
    def applied_migrations(self) -> list[str]:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '_migrations'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        return [
            r[0] for r in self.con.execute("SELECT id FROM _migrations ORDER BY seq").fetchall()
        ]

    def check_version(self) -> list[str]:
        applied = self.applied_migrations()
        known = {m.id for m in MIGRATIONS}
        unknown = [m for m in applied if m not in known]
        if unknown:
            raise WorkspaceError(
                f"warehouse {self.path} has schema migrations this costmark does not know "
                f"({', '.join(unknown)}): it was written by a newer costmark; upgrade costmark"
            )
        return applied

    @property
    def schema_version(self) -> int:
        return len(self.applied_migrations())

    def migrate(self) -> None:
        applied = set(self.check_version())
        pending = [m for m in MIGRATIONS if m.id not in applied]
        if not pending:
            return
        with self.transaction():
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS _migrations ("
                "seq INTEGER, id VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT now())"
            )
            seq = len(applied)
            for migration in pending:
                migration.apply(self.con)
                seq += 1
                self.con.execute(
                    "INSERT INTO _migrations (seq, id) VALUES (?, ?)", [seq, migration.id]
                )

    # -- transactions ------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: commit on success, roll back on any exception (or a killed process,
        which DuckDB's write-ahead log discards on the next open)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def table_columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            intent.clear(self._intent)
            self._intent = None
