"""``run()`` called again in the same process (tests, embedding) keeps one set of commands."""

from __future__ import annotations

import sys

import pytest

from costmark.cli import main


def _size() -> int:
    return len(main.app.registered_commands) + len(main.app.registered_groups)


def test_run_twice_in_one_process_registers_the_commands_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = []
    for _ in range(3):
        monkeypatch.setattr(sys, "argv", ["costmark", "kpi", "--help"])
        try:
            main.run()
        except SystemExit as done:
            assert done.code in (0, None)
        assert "Usage" in capsys.readouterr().out
        sizes.append(_size())
    assert sizes[0] > 10 and sizes == [sizes[0]] * 3
