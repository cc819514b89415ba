"""A small LRU of page data, keyed by the page, its query, the caller's scope and the
modification times of the warehouse files and costmark.yaml — so any write invalidates it."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
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
