"""Small model fits run with one BLAS thread (in the calling thread only).

Why: an ETS fit (statsmodels, through scipy's L-BFGS-B) makes hundreds of BLAS and LAPACK
calls on vectors and matrices of a handful of numbers. OpenBLAS wakes its thread pool for
each; on a busy two-core machine the hand-offs cost five to ten times the arithmetic (the
monthly report's five fits took about 2 s instead of 0.3 s). Operands this small are never
split across threads, so one thread computes the very same digits: only the waiting goes.

OpenBLAS (0.3.27 and later) has a per-thread setting, ``openblas_set_num_threads_local``;
it is set for the block and restored after, so other threads (a web server's requests, a
large matrix product elsewhere) keep their pool. Where no such OpenBLAS is loaded (another
BLAS, another OS), the block changes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Callable, Iterator

MAPS = "/proc/self/maps"
SETTER = "openblas_set_num_threads_local"
#: Loaded libraries already looked at: their per-thread setter, or None when they have none.
_seen: dict[str, Callable[[int], int] | None] = {}


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS builds this process has loaded (numpy and scipy each ship one)."""
    try:
        with open(MAPS, encoding="utf-8", errors="replace") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/"))


def _setter(path: str) -> Callable[[int], int] | None:
    if path not in _seen:
        try:
            fn = getattr(ctypes.CDLL(path), SETTER)
        except (OSError, AttributeError):
            _seen[path] = None
        else:
            fn.argtypes = [ctypes.c_int]
            fn.restype = ctypes.c_int
            _seen[path] = fn
    return _seen[path]


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Inside this block, BLAS calls of the calling thread run on that thread alone.

    Call it after the fitting library is imported: a BLAS it loads later is not seen."""
    setters = [fn for fn in map(_setter, _loaded_openblas()) if fn is not None]
    previous = [(fn, fn(1)) for fn in setters]
    try:
        yield
    finally:
        for fn, before in previous:
            fn(before)
