"""One answer per distinct KPI request within a pass (one report's build).

Why: the parts of a report ask the engine the same question several times without knowing
it. The data's extent (``total_cost`` per day) is read by the report's cutoff, by each of its
five forecasts, by budgets and by the benchmarks: ten identical requests in the demo's monthly
report. Inside ``one_pass()`` the engine answers each distinct plan once and hands every later
asker a copy of that answer.

Outside a pass nothing is remembered: a request always sees the warehouse as it is. A pass
belongs to the thread (or task) that opened it, and is short: one report over data that does
not change under it (the report's cache stamp is taken once at its start, too).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from costmark.engine.result import KpiResult

_answers: contextvars.ContextVar[dict[Hashable, tuple[Any, Any]] | None] = (
    contextvars.ContextVar("kpi_pass", default=None)
)
T = TypeVar("T")


@contextlib.contextmanager
def one_pass() -> Iterator[None]:
    """Identical KPI requests inside this block are computed once (nested blocks share the
    outer pass)."""
    if _answers.get() is not None:
        yield
        return
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def recall(owners: tuple[Any, ...], key: Hashable,
           compute: Callable[[], KpiResult]) -> KpiResult:
    """``compute()``'s answer, or a copy of the one given for ``key`` earlier in this pass.

    ``owners`` (what the answer depends on beside ``key``, by identity: the workspace's
    backends, its loaded project) are kept with the answer so their ids, part of the key,
    cannot be reused by other objects during the pass."""
    if _answers.get() is None:
        return compute()
    return _copy(remember(owners, key, compute))


def remember(owners: tuple[Any, ...], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value, or the one computed for ``key`` earlier in this pass: for values
    every request reads beside its own scan (the rollups' state, the corrections list), which
    the engine only reads and never changes. Outside a pass: always ``compute()``."""
    answers = _answers.get()
    if answers is None:
        return compute()
    full = (tuple(id(o) for o in owners), key)
    try:
        hit = answers.get(full)
    except TypeError:  # an unhashable filter value: compute, do not guess
        return compute()
    if hit is None:
        value = compute()
        answers[full] = (owners, value)
        return value
    found: T = hit[1]
    return found


def _copy(result: KpiResult) -> KpiResult:
    """A result of its own (its row list and rows): no asker sees another's changes."""
    return KpiResult(by=result.by, grain=result.grain,
                     _rows=[dict(r) for r in result._rows], source=result.source)
