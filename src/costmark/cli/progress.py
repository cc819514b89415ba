"""A spinner on stderr for commands that can take seconds (report, schedule run, alerts run,
anomalies), showing what is being done (``costmark.progress.note``).

Why stderr and only a terminal: stdout carries ``--format json/csv`` for pipes and scripts and
must stay byte-clean; a spinner in a CI log or a redirected file is noise. Why after a delay:
a command that answers in under a second should not flash a spinner.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape

from costmark import progress

#: Seconds a command runs before its spinner appears.
DELAY = 1.0


def stderr_console() -> Console:
    """A console on the current stderr (looked up now, so test runners' captures apply)."""
    return Console(stderr=True, soft_wrap=True)


class Spinner:
    """A Rich status line started by a timer after ``delay`` seconds, updated by notes."""

    def __init__(self, console: Console, title: str, delay: float) -> None:
        self.console = console
        self.title = title
        self.text = title
        self._status: Any = None
        self._closed = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._status = self.console.status(escape(self.text), spinner="dots")
            self._status.start()

    def note(self, text: str) -> None:
        with self._lock:
            self.text = f"{self.title}: {text}"
            if self._status is not None:
                self._status.update(escape(self.text))

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._status is not None:
                self._status.stop()
                self._status = None


@contextlib.contextmanager
def status(
    title: str, *, console: Console | None = None, delay: float | None = None
) -> Iterator[None]:
    """Show ``title`` and the latest progress note while the block runs longer than ``delay``
    seconds (default ``DELAY``), when the console (stderr by default) is a terminal;
    otherwise do nothing."""
    out = console or stderr_console()
    if not out.is_terminal:
        yield
        return
    spinner = Spinner(out, title, DELAY if delay is None else delay)
    spinner.start()
    try:
        with progress.listening(spinner.note):
            yield
    finally:
        spinner.close()
