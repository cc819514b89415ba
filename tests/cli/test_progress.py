"""The terminal spinner of slow commands: shown on a terminal's stderr only, fed by
``costmark.progress`` notes, and never a byte on stdout (``--format json`` stays parseable)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import costmark
from costmark import progress
from costmark.cli import progress as cli_progress
from costmark.cli.main import _register, app


def _terminal() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=100), buf


def test_spinner_shows_title_and_latest_note_on_a_terminal() -> None:
    console, buf = _terminal()
    with cli_progress.status("monthly html report", console=console, delay=0):
        time.sleep(0.2)  # the spinner appears once the delay has passed
        progress.note("trends and forecasts")
        time.sleep(0.3)
    out = buf.getvalue()
    assert "monthly html report" in out and "trends and forecasts" in out
    progress.note("after the block")  # no listener left behind
    assert "after the block" not in buf.getvalue()


def test_no_spinner_for_a_quick_command() -> None:
    console, buf = _terminal()
    with cli_progress.status("quick", console=console, delay=5):
        progress.note("done at once")
    assert buf.getvalue() == ""


def test_no_spinner_when_stderr_is_not_a_terminal() -> None:
    buf = io.StringIO()
    heard: list[str] = []
    console = Console(file=buf, force_terminal=False)
    with progress.listening(heard.append), cli_progress.status("x", console=console, delay=0):
        time.sleep(0.1)
        progress.note("outer listener still hears it")
    assert buf.getvalue() == "" and heard == ["outer listener still hears it"]


def test_spinner_text_is_not_rich_markup() -> None:
    console, buf = _terminal()
    with cli_progress.status("report", console=console, delay=0):
        time.sleep(0.1)
        progress.note("team [bold]x[/bold] :100:")
        time.sleep(0.3)
    assert "[bold]x[/bold]" in buf.getvalue()


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (("report", "--format", "json"), "monthly json report"),
        (("anomalies", "--format", "json"), "finding anomalies in total_cost"),
        (("alerts", "run", "--format", "json"), "evaluating alert rules"),
        (("schedule", "run", "--format", "json"), "running schedules"),
    ],
)
def test_json_stdout_stays_clean_while_the_spinner_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], title: str
) -> None:
    _register()
    costmark.init_workspace(tmp_path / "ws").close()
    monkeypatch.setattr(cli_progress, "DELAY", 0.0)
    monkeypatch.setattr(
        cli_progress, "stderr_console", lambda: Console(stderr=True, force_terminal=True)
    )
    result = CliRunner().invoke(app, [*args, "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # nothing but the JSON document on stdout
    assert "\x1b" not in result.stdout and title not in result.stdout
    assert title in result.stderr  # the spinner did run, on stderr
