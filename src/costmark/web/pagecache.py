"""A small LRU of page data, keyed by the page, its query, the caller's scope and the
modification times of the warehouse files and costmark.yaml — so any write invalidates it."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from costmark.workspace import CONFIG_FILE, warehouse_path


def stamp(root: Path) -> tuple[float, ...]:
    wh = warehouse_path(root)
    out = []
    for p in (wh, wh.with_name(wh.name + ".wal"), root / CONFIG_FILE):
        try:
            out.append(p.stat().st_mtime_ns / 1e9)
        except FileNotFoundError:
            out.append(0.0)
    return tuple(out)


class PageCache:
    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value, or ``compute()`` run once for everyone asking at the same time.

        Why: right after an ingest every open dashboard asks for the same page at once, and
        the first overview on a large warehouse takes seconds (forecasts); fifty copies of
        that work would starve the server. Later callers wait for the first one's result.
        A failed computation is not cached: the next waiter tries again."""
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._lock:
            flight = self._computing.setdefault(key, threading.Lock())
        try:
            with flight:
                hit = self.get(key)
                if hit is None:
                    hit = compute()
                    self.put(key, hit)
                return hit
        finally:
            with self._lock:
                if self._computing.get(key) is flight and not flight.locked():
                    del self._computing[key]

    @staticmethod
    def key(
        name: str, query: Sequence[tuple[str, str]], scope: Mapping[str, str], root: Path
    ) -> Hashable:
        return (name, tuple(query), json.dumps(dict(scope), sort_keys=True), stamp(root))

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
