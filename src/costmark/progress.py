"""What a long command is doing right now, told to whoever listens (a terminal spinner).

Library code (reports, schedules, alerts, anomaly detection) calls ``note("fitting
forecasts")`` between its steps; without a listener that costs nothing. The CLI installs one
with ``listening(fn)`` (``costmark.cli.progress``), which shows the note on stderr when stderr
is a terminal, so library code never writes to a terminal itself and never to stdout.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

Listener = Callable[[str], None]

_listener: contextvars.ContextVar[Listener | None] = contextvars.ContextVar(
    "costmark_progress", default=None
)


def note(text: str) -> None:
    """Tell the current listener (if any) what is being done now."""
    listener = _listener.get()
    if listener is not None:
        listener(text)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every ``note`` made inside this block (same thread or task) to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
