"""Writer intent: a process that wants (or holds) the warehouse for writing says so on disk.

Why: DuckDB gives one process the write lock, and only when no other process has the file
open, even read-only. A dashboard under steady load always has some read open, so a
``costmark ingest`` retrying the lock would wait until readers happen to stop (in practice it
gave up). A writer therefore drops ``<warehouse>.writer-<pid>`` before it asks for the lock and
removes it when it closes; ``costmark serve`` sees the file, lets in-flight reads finish, opens
no new ones and releases the file, so the writer gets its turn within seconds. A file whose
process is gone (killed) is ignored and cleaned up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

SUFFIX = ".writer-"


def mark(warehouse: Path) -> Path:
    """Announce this process's write; returns the marker to ``clear`` afterwards."""
    marker = warehouse.with_name(f"{warehouse.name}{SUFFIX}{os.getpid()}")
    with contextlib.suppress(OSError):  # a read-only folder: no announcement, plain retries
        marker.write_text(str(os.getpid()), "utf-8")
    return marker


def clear(marker: Path | None) -> None:
    if marker is not None:
        with contextlib.suppress(OSError):
            marker.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def other_writer(warehouse: Path) -> bool:
    """Whether another live process wants or holds the warehouse for writing."""
    prefix = warehouse.name + SUFFIX
    me = os.getpid()
    try:
        entries = [e for e in os.scandir(warehouse.parent) if e.name.startswith(prefix)]
    except OSError:
        return False
    for entry in entries:
        tail = entry.name[len(prefix) :]
        if not tail.isdigit() or int(tail) == me:
            continue
        if _alive(int(tail)):
            return True
        clear(Path(entry.path))  # left behind by a killed writer
    return False
