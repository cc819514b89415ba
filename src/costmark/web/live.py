"""Live updates: notice finished ingests, evaluate alerts, push server-sent events.

An ingest in this process (upload, watched folder) bumps the version at once; an ingest by
``costmark ingest`` in another process is noticed by polling the ingest log's latest finish
every ``interval`` seconds. Either way alerts are evaluated and open dashboards get an
``ingest`` event and refresh their data without a reload.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from costmark.errors import CostmarkError
from costmark.web.gate import Gate
from costmark.workspace import warehouse_path

log = logging.getLogger("costmark.web")
FOCUS_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".csv.zip")


class Live:
    def __init__(
        self,
        gate: Gate,
        *,
        interval: float = 2.0,
        alert_options: dict[str, Any] | None = None,
    ) -> None:
        self.gate = gate
        self.interval = interval
        self.alert_options = alert_options or {}
        self.version = 0
        self._data_version: str | None = None
        self._stamp: tuple[float, ...] = ()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.events: list[dict[str, Any]] = []  # recent activity, newest last (data page)
        #: Called (in the background thread) after new data is seen, e.g. to warm caches.
        self.listeners: list[Callable[[], None]] = []

    # -- version -------------------------------------------------------------------
    def bump(self, source: str, detail: str = "") -> int:
        with self._lock:
            self.version += 1
            self.events.append(
                {"version": self.version, "source": source, "detail": detail, "at": time.time()}
            )
            del self.events[:-50]
            return self.version

    def note(self, source: str, detail: str) -> None:
        with self._lock:
            self.events.append(
                {"version": self.version, "source": source, "detail": detail, "at": time.time()}
            )
            del self.events[:-50]

    def after_ingest(self, source: str, detail: str = "") -> list[dict[str, Any]]:
        """Evaluate alerts, then tell dashboards. Returns the alerts written."""
        written: list[dict[str, Any]] = []
        try:
            with self.gate.write() as ws:
                written = ws.evaluate_alerts(**self.alert_options)
                self._data_version = ws.data_version()
        except CostmarkError as exc:
            self.note("alerts", f"alert evaluation failed: {exc}")
        self.bump(source, detail)
        self.notify()
        return written

    def notify(self) -> None:
        for listener in self.listeners:
            try:
                listener()
            except Exception as exc:  # a failed warm-up only costs speed
                self.note("cache", f"{type(exc).__name__}: {exc}")

    def _file_stamp(self) -> tuple[float, ...]:
        """Modification times of the warehouse and its write-ahead log: free to read, no lock."""
        path = warehouse_path(self.gate.root)
        stamps = []
        for p in (path, path.with_name(path.name + ".wal")):
            try:
                stamps.append(p.stat().st_mtime)
            except FileNotFoundError:
                stamps.append(0.0)
        return tuple(stamps)

    def check_once(self) -> bool:
        """Poll the ingest log; True when an ingest finished since the last look.

        The warehouse is opened only when its files changed, so an idle server does not take
        DuckDB's file lock every few seconds (which would make a CLI ingest fail)."""
        stamp = self._file_stamp()
        if self._data_version is not None and stamp == self._stamp:
            return False
        try:
            with self.gate.read() as ws:
                current = ws.data_version()
        except CostmarkError:
            return False  # busy (an ingest still running): look again next time
        self._stamp = stamp
        if self._data_version is None:
            self._data_version = current
            self.notify()
            return False
        if current == self._data_version:
            return False
        self._data_version = current
        self.after_ingest("ingest", "an ingest finished")
        return True

    # -- background threads ------------------------------------------------------------
    def start(self, name: str, target: Callable[[], object], every: float) -> None:
        def loop() -> None:
            while not self._stop.wait(every):
                try:
                    target()
                except Exception as exc:  # keep the server alive; show it on the data page
                    log.exception("background task %s failed", name)
                    self.note(name, f"{type(exc).__name__}: {exc}")

        thread = threading.Thread(target=loop, name=f"costmark-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)
        self._threads.clear()

    # -- server-sent events --------------------------------------------------------------
    async def stream(
        self, is_disconnected: Callable[[], Any], since: int | None, timeout: float | None
    ) -> AsyncIterator[str]:
        seen = self.version if since is None else since
        hello = json.dumps({"version": self.version})
        yield f"retry: 2000\nid: {self.version}\nevent: hello\ndata: {hello}\n\n"
        started = time.monotonic()
        last_ping = started
        while True:
            if self.version != seen:
                seen = self.version
                yield f"id: {seen}\nevent: ingest\ndata: {json.dumps({'version': seen})}\n\n"
            now = time.monotonic()
            if timeout is not None and now - started >= timeout:
                return
            if await is_disconnected():
                return
            if now - last_ping > 15:
                last_ping = now
                yield ": keep-alive\n\n"
            await asyncio.sleep(0.25)


class Watcher:
    """Ingest FOCUS files that land in a folder, once each, after their size settles."""

    def __init__(self, folder: Path, gate: Gate, live: Live) -> None:
        self.folder = folder
        self.gate = gate
        self.live = live
        self._sizes: dict[Path, int] = {}
        self._done: set[tuple[Path, int, float]] = set()

    def candidates(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p
            for p in self.folder.rglob("*")
            if p.is_file()
            and p.name.lower().endswith(FOCUS_SUFFIXES)
            and not p.name.startswith(".")
        )

    def scan(self) -> list[Path]:
        """One pass: ingest files whose size did not change since the previous pass."""
        ready = []
        for path in self.candidates():
            stat = path.stat()
            ident = (path, stat.st_size, stat.st_mtime)
            if ident in self._done:
                continue
            if self._sizes.get(path) == stat.st_size:
                ready.append(path)
                self._done.add(ident)
            self._sizes[path] = stat.st_size
        for path in ready:
            try:
                with self.gate.write() as ws:
                    if not hasattr(ws, "ingest_focus"):
                        self.live.note("watch", f"{path.name}: ingest is not available yet")
                        continue
                    summary = ws.ingest_focus([path], progress=False)
                detail = f"{path.name}: {_summary_text(summary)}"
                self.live.after_ingest("watch", detail)
            except CostmarkError as exc:
                self.live.note("watch", f"{path.name}: {str(exc).splitlines()[0]}")
        return ready


def _summary_text(summary: Any) -> str:
    data = summary.to_dict() if hasattr(summary, "to_dict") else {}
    if isinstance(data, dict) and "rows_loaded" in data:
        return f"{data.get('rows_loaded')} rows loaded"
    return "ingested"
