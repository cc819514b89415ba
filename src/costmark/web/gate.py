"""Open the warehouse per request without fighting other processes for it.

DuckDB lets one process write a file, or many read it. The server therefore never holds the
warehouse open: each request opens it read-only (shared with concurrent requests in this
process) and closes it, so ``costmark ingest`` in another process can take the write lock
between requests. Writes inside the server (upload ingest, alert log, schedule runs) wait for
in-flight reads to finish, open read-write, and close again. A lock held by another process is
retried briefly, then answered with 503 "warehouse busy".

Writers come first. A waiting writer in this process stops new reads from starting, so it gets
the file as soon as the reads already running end — not when readers happen to stop arriving.
A writer in another process announces itself (``costmark.store.intent``); the gate then treats
it the same way: new reads wait (up to ``writer_wait`` seconds, then 503), the reads in flight
finish, the anchor below is closed and the file is free for the other process.

While requests are flowing, one extra read-only connection (the anchor) keeps DuckDB's database
instance alive, so each request's own connection opens in milliseconds instead of re-reading
the file; it is closed ``linger`` seconds after the last request, releasing the file.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from costmark import api
from costmark.errors import WarehouseBusy as WarehouseBusy
from costmark.errors import WorkspaceError
from costmark.store import intent
from costmark.workspace import warehouse_path

Opener = Callable[[Path, bool], Any]


def default_opener(root: Path, read_only: bool) -> Any:
    return api.open_workspace(root, read_only=read_only)


class Gate:
    """A readers-writer lock around opening the workspace."""

    def __init__(
        self,
        root: Path,
        opener: Opener = default_opener,
        retry_for: float = 5.0,
        linger: float = 1.0,
        writer_wait: float = 120.0,
    ):
        self.root = root
        self.opener = opener
        self.retry_for = retry_for
        self.linger = linger
        self.writer_wait = writer_wait
        self._warehouse = warehouse_path(root)
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0
        self._anchor: duckdb.DuckDBPyConnection | None = None
        self._idle_since = 0.0

    def _ensure_anchor(self) -> None:
        """Called with the condition held and no writer active."""
        if self._anchor is None and self.linger > 0:
            try:
                self._anchor = duckdb.connect(str(warehouse_path(self.root)), read_only=True)
            except duckdb.Error:
                self._anchor = None  # another process writes; requests will retry

    def _close_anchor(self) -> None:
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None

    def _expire(self) -> None:
        with self._cond:
            idle = time.monotonic() - self._idle_since
            if self._readers == 0 and not self._writing and idle >= self.linger:
                self._close_anchor()

    def _open(self, read_only: bool) -> Any:
        deadline = time.monotonic() + self.retry_for
        delay = 0.05
        while True:
            try:
                return self.opener(self.root, read_only)
            except WorkspaceError as exc:
                if "cannot open warehouse" not in str(exc) or time.monotonic() > deadline:
                    if "cannot open warehouse" in str(exc):
                        raise WarehouseBusy(
                            "the warehouse is busy (another process is writing it); retry shortly"
                        ) from exc
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def writer_active(self) -> bool:
        """A write here or in another process is waiting for or holding the warehouse."""
        with self._cond:
            here = self._writing or self._writers_waiting > 0
        return here or intent.other_writer(self._warehouse)

    def close(self) -> None:
        with self._cond:
            self._close_anchor()

    def _wait_for_writers(self) -> None:
        """Called with the condition held: block while a writer here or elsewhere goes first."""
        deadline = time.monotonic() + self.writer_wait
        while True:
            external = intent.other_writer(self._warehouse)
            if not (self._writing or self._writers_waiting or external):
                return
            if external and self._readers == 0:
                self._close_anchor()  # let the other process have the file
            left = deadline - time.monotonic()
            if left <= 0:
                raise WarehouseBusy(
                    "the warehouse is busy (another process is writing it); retry shortly"
                )
            # the other process's marker is polled; writers here notify
            self._cond.wait(min(left, 0.05) if external else left)

    @contextlib.contextmanager
    def read(self) -> Iterator[Any]:
        with self._cond:
            self._wait_for_writers()
            self._readers += 1
            self._ensure_anchor()
        try:
            ws = self._open(True)
            try:
                yield ws
            finally:
                ws.close()
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._idle_since = time.monotonic()
                    timer = threading.Timer(self.linger, self._expire)
                    timer.daemon = True
                    timer.start()
                self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[Any]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
            self._close_anchor()
        try:
            ws = self._open(False)
            try:
                yield ws
            finally:
                ws.close()
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()
