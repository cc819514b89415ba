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

Long reads give way. A KPI computation on a cold cache can run for many seconds, and a writer
that waits for it waits that long (an upload measured 3x its idle time under 50 clients).
Reads run through :meth:`Gate.call` are therefore *preemptible*: when a writer (here, or
another process's intent) is waiting, their running DuckDB statements are interrupted
(``connection.interrupt()``), repeatedly until they let go of the file; the writer goes, and
each preempted read runs again from the start afterwards. Nothing is lost: a read's answer
computed just before a write would be stale right after it (pages are cached per data
version). A read preempted ``MAX_PREEMPTIONS`` times runs its next attempt to the end, so a
stream of writes cannot starve it. Plain :meth:`Gate.read` blocks are never interrupted
(they may not be safe to repeat).

While requests are flowing, one extra read-only connection (the anchor) keeps DuckDB's database
instance alive, so each request's own connection opens in milliseconds instead of re-reading
the file; it is closed ``linger`` seconds after the last request, releasing the file.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from costmark import api
from costmark.errors import WarehouseBusy as WarehouseBusy
from costmark.errors import WorkspaceError
from costmark.store import intent
from costmark.workspace import warehouse_path

Opener = Callable[[Path, bool], Any]
T = TypeVar("T")

#: Times one :meth:`Gate.call` read may be preempted before it runs to the end regardless.
MAX_PREEMPTIONS = 3
#: Seconds between re-interrupting preempted reads (a KPI runs several statements: each new
#: one must be stopped too) and between checks for another process's write intent.
PREEMPT_POLL = 0.05


@dataclass(eq=False)
class _Read:
    """One read in flight: its connection (to interrupt) and whether it was preempted."""

    preemptible: bool
    con: Any = None
    preempted: bool = False

    def interrupt(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):  # closed meanwhile, or not DuckDB (fakes)
                self.con.interrupt()


def _connection(ws: Any) -> Any:
    """The DuckDB connection behind a workspace (None for anything else)."""
    warehouse = getattr(ws, "warehouse", None)
    return getattr(warehouse, "con", None)


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
        self._active: set[_Read] = set()
        self._watching = False

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
            if external:
                self._preempt()
            left = deadline - time.monotonic()
            if left <= 0:
                raise WarehouseBusy(
                    "the warehouse is busy (another process is writing it); retry shortly"
                )
            # the other process's marker is polled; writers here notify
            self._cond.wait(min(left, 0.05) if external else left)

    @contextlib.contextmanager
    def read(self) -> Iterator[Any]:
        """The workspace, read-only, for a block that is never interrupted."""
        with self._reading(preemptible=False) as (ws, _):
            yield ws

    def call(self, fn: Callable[[Any], T]) -> T:
        """``fn(workspace)`` read-only, giving way to writers: when a write waits, ``fn``'s
        statements are interrupted and ``fn`` runs again once the write is done (its answer,
        or its error, from a preempted attempt is dropped). For KPI work: long, and safe to
        repeat."""
        attempt = 0
        while True:
            preemptible = attempt < MAX_PREEMPTIONS
            with self._reading(preemptible=preemptible) as (ws, ticket):
                try:
                    result = fn(ws)
                except Exception:
                    if not ticket.preempted:
                        raise
                else:
                    if not ticket.preempted:
                        return result
            attempt += 1

    @contextlib.contextmanager
    def _reading(self, *, preemptible: bool) -> Iterator[tuple[Any, _Read]]:
        ticket = _Read(preemptible)
        with self._cond:
            self._wait_for_writers()
            self._readers += 1
            self._active.add(ticket)
            self._ensure_anchor()
            self._watch()
        try:
            ws = self._open(True)
            try:
                with self._cond:
                    ticket.con = _connection(ws)
                    if ticket.preempted:  # a writer came while this one opened
                        ticket.interrupt()
                yield ws, ticket
            finally:
                with self._cond:
                    ticket.con = None
                ws.close()
        finally:
            with self._cond:
                self._active.discard(ticket)
                self._readers -= 1
                if self._readers == 0:
                    self._idle_since = time.monotonic()
                    timer = threading.Timer(self.linger, self._expire)
                    timer.daemon = True
                    timer.start()
                self._cond.notify_all()

    def _preempt(self) -> None:
        """Called with the condition held while a writer waits: interrupt every preemptible
        read in flight (again: a preempted read may have started its next statement)."""
        for ticket in self._active:
            if ticket.preemptible:
                ticket.preempted = True
                ticket.interrupt()

    def _watch(self) -> None:
        """Called with the condition held: while reads are in flight, one daemon thread looks
        for another process's write intent and preempts them (no new request may come to
        notice it)."""
        if self._watching:
            return
        self._watching = True

        def loop() -> None:
            while True:
                external = intent.other_writer(self._warehouse)
                with self._cond:
                    if not self._readers:
                        self._watching = False
                        return
                    if external:
                        self._preempt()
                time.sleep(PREEMPT_POLL * 2)

        threading.Thread(target=loop, name="gate-watch", daemon=True).start()

    @contextlib.contextmanager
    def write(self) -> Iterator[Any]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    if not self._writing:
                        self._preempt()
                    self._cond.wait(PREEMPT_POLL if self._readers else None)
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
