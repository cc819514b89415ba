"""Compiled KPI SQL kept on disk, so a new process does not compile it again.

Why: building and compiling an Ibis expression costs 10-30 ms, and a monthly report runs about
45 distinct aggregates: 0.7 s of a fresh ``costmark report`` (or of the first report a server
renders) went to compiling SQL the previous process had already compiled. The SQL does not
depend on the data, so an ingest does not invalidate it; it depends on:

* the request's shape (the key ``compile.run_aggregate`` builds: tables and their columns,
  grain, dimensions, dates, filter, measures, mapping files' stamps),
* the project as loaded (its JSON) and the workspace folder,
* the code that writes it: costmark's version and the stamps (size, modification time) of the
  engine's and the spec's modules, and the versions of Ibis, sqlglot and DuckDB.

All of these are in the file name's digest, so a change of any of them is a miss, never a stale
hit. Files live under ``.costmark/cache/sql/`` (the workspace's own state); errors reading or
writing only lose the speed-up.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
from collections.abc import Hashable
from importlib import metadata
from pathlib import Path
from typing import Any

from costmark.version import __version__
from costmark.workspace import STATE_DIR

FOLDER = ("cache", "sql")
#: Compiled statements kept per workspace (oldest removed first).
MAX_FILES = 512
#: Packages whose modules turn a request into SQL.
CODE_PACKAGES = ("engine", "spec")
LIBRARIES = ("ibis-framework", "sqlglot", "duckdb")


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """What the SQL's writers are: costmark's version, its engine and spec modules' stamps,
    the compiling libraries' versions (read once per process: code does not change under it)."""
    base = Path(__file__).resolve().parent.parent
    parts: list[str] = [__version__]
    for package in CODE_PACKAGES:
        for path in sorted((base / package).rglob("*.py")):
            with contextlib.suppress(OSError):
                st = path.stat()
                parts.append(f"{path.relative_to(base)}:{st.st_mtime_ns}:{st.st_size}")
    for name in LIBRARIES:
        try:
            parts.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}: missing")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def project_stamp(project: Any) -> str:
    """The project as loaded, as a digest (its JSON; its repr for a test double)."""
    dump = getattr(project, "model_dump_json", None)
    text = dump() if callable(dump) else repr(project)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SqlCache:
    """One workspace's compiled statements: ``get`` or ``put`` the SQL of a request key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.folder = self.root.joinpath(STATE_DIR, *FOLDER)

    def _path(self, key: Hashable, project_digest: str) -> Path:
        text = "\x1f".join((code_stamp(), str(self.root.resolve()), project_digest, repr(key)))
        return self.folder / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()[:40]}.sql"

    def get(self, key: Hashable, project_digest: str) -> str | None:
        try:
            return self._path(key, project_digest).read_text(encoding="utf-8") or None
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: Hashable, project_digest: str, sql: str) -> None:
        try:
            path = self._path(key, project_digest)
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp"
            tmp.write_text(sql, encoding="utf-8")
            os.replace(tmp, path)
            self._prune()
        except OSError:  # read-only workspace, full disk: compile next time too
            return

    def _prune(self) -> None:
        files = list(self.folder.glob("*.sql"))
        if len(files) <= MAX_FILES:
            return
        files.sort(key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-MAX_FILES]:
            with contextlib.suppress(OSError):
                old.unlink()
