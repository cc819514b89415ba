"""Numbers computed once per data change: a stamp of what they depend on, and a small store.

Why: a monthly report's numbers (every KPI over two periods, thirteen months of trends, five
forecasts fitted with ETS, anomaly drivers, benchmarks) take seconds, yet they change only when
data is loaded or removed, or when costmark.yaml (or a mapping file it names) changes. The same
numbers are asked for again and again in between: every format of every schedule, each
``costmark report`` run, each Prometheus scrape. So they are keyed by a **stamp**:

* the warehouse's data version (``ingest_log``: every committed load or removal changes it;
  a failed load does not),
* the project definitions as loaded (targets, budgets, dimensions, rates...) and the size and
  modification time of every mapping file they read at query time and of the workspace's own
  industry reference files (``references/``),
* the workspace folder, the caller's scope, the facade's type and the costmark version.

Nothing derived from the wall clock enters a cached value (periods come from the data), so a
stamp hit is always the same answer. Maturity assessments and iteration goals live in other
tables and are never cached here. Set ``COSTMARK_REPORT_CACHE=off`` to compute everything anew.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from costmark.engine.sqlcache import project_stamp
from costmark.version import __version__
from costmark.workspace import STATE_DIR

T = TypeVar("T")
#: Cached report parts kept on disk per workspace (oldest removed first).
MAX_FILES = 64
FOLDER = ("cache", "reports")
ENV = "COSTMARK_REPORT_CACHE"

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("report_cache", default=True)


def enabled() -> bool:
    """False inside ``disabled()`` or when ``COSTMARK_REPORT_CACHE`` is off/0/false/no."""
    if not _enabled.get():
        return False
    return os.environ.get(ENV, "on").strip().lower() not in ("off", "0", "false", "no")


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Compute everything anew inside this block (benchmarks measure the uncached path)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def _facade(view: Any) -> Any:
    inner = getattr(view, "_ws", None)
    return inner if inner is not None else view


def _mapping_files(project: Any, root: Path) -> list[list[Any]]:
    out: list[list[Any]] = []
    for name, dim in sorted((getattr(project, "dimensions", None) or {}).items()):
        for rule in getattr(dim, "rules", None) or ():
            file = getattr(rule, "file", None)
            if not file:
                continue
            try:
                st = (root / file).stat()
                out.append([name, str(file), st.st_mtime_ns, st.st_size])
            except OSError:
                out.append([name, str(file), None, None])
    return out


#: Workspace folders whose files feed report numbers without passing through costmark.yaml
#: (industry reference figures a user adds or corrects).
WATCHED_FOLDERS = ("references",)


def _folder_files(root: Path) -> list[list[Any]]:
    out: list[list[Any]] = []
    for name in WATCHED_FOLDERS:
        folder = root / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            with contextlib.suppress(OSError):
                st = path.stat()
                out.append([name, path.name, st.st_mtime_ns, st.st_size])
    return out


def stamp(view: Any) -> str | None:
    """What data-derived numbers of ``view`` depend on, as a hex digest; None when ``view``
    cannot say (no data version): then nothing is cached."""
    version = getattr(view, "data_version", None)
    project = getattr(view, "project", None)
    root = getattr(view, "root", None)
    if not callable(version) or project is None or root is None:
        return None
    try:
        data = str(version())
    except Exception:  # no warehouse, a busy one: compute, do not guess
        return None
    # the engine answering (a test double, Spark or DuckDB) is part of what the numbers are
    inner = getattr(view, "context", view)
    engine = getattr(inner, "engine", None) if hasattr(inner, "engine_name") else None
    facade = type(engine) if engine is not None else type(_facade(view))
    parts = [
        __version__,
        str(Path(root).resolve()),
        data,
        f"{facade.__module__}.{facade.__qualname__}",
        str(getattr(inner, "engine_name", "")),
        json.dumps(sorted((getattr(view, "scope", None) or {}).items())),
        project_stamp(project),
        json.dumps(_mapping_files(project, Path(root))),
        json.dumps(_folder_files(Path(root))),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def key_of(*parts: Any) -> str:
    """A file-name-safe digest of ``parts`` (dates, strings, tuples: anything with a repr)."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:40]


class DiskCache:
    """Pickled values under ``.costmark/cache/reports/`` of one workspace, best effort.

    A read-only or full disk only loses the speed-up: errors reading or writing are ignored.
    The folder is the workspace's own state (written by costmark, never shipped), so loading
    its pickles trusts no one the warehouse beside it does not already trust."""

    def __init__(self, root: Path) -> None:
        self.folder = Path(root).joinpath(STATE_DIR, *FOLDER)

    def get(self, key: str) -> Any:
        path = self.folder / f"{key}.pickle"
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # a torn or foreign file: compute anew (and overwrite it)
            return None

    def put(self, key: str, value: Any) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{key}.pickle")
            self._prune()
        except Exception:  # read-only workspace, full disk, unpicklable value: no cache
            return

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-MAX_FILES]:
            with contextlib.suppress(OSError):
                old.unlink()


def cached(view: Any, stamp_: str | None, parts: tuple[Any, ...], compute: Callable[[], T],
           keep: Callable[[T], bool] = lambda _: True) -> T:
    """``compute()``'s value, from the workspace's cache when ``stamp_`` and ``parts`` match
    an earlier run; stored when ``keep(value)`` (e.g. not a transient error)."""
    root = getattr(view, "root", None)
    if stamp_ is None or root is None or not enabled():
        return compute()
    store = DiskCache(Path(root))
    key = key_of(stamp_, *parts)
    hit = store.get(key)
    if hit is not None:
        return hit
    value = compute()
    if keep(value):
        store.put(key, value)
    return value


class MemoryCache:
    """A thread-safe LRU for values served many times per data change (``/metrics``), with
    the same single-flight rule as the web's page cache: concurrent askers wait for one
    computation instead of each starting their own."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            value = compute()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._flights.pop(key, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
