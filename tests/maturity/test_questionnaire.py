"""The terminal questionnaire, driven with scripted answers (no real terminal needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from costmark.cli import maturity as cli


def test_questionnaire_asks_every_lens_and_never_lowers_target(workspace, monkeypatch) -> None:
    answers: Iterator[int] = iter([2, 3, 1, 0, 3, 3, 0, 1, 4, 4])  # current, target per lens
    monkeypatch.setattr(cli.IntPrompt, "ask", lambda *a, **k: next(answers))
    doc = cli._questionnaire(workspace, ["Cost allocation"], None)
    lenses = doc["capabilities"]["Allocation"]
    assert lenses["knowledge"] == {"current": 2, "target": 3}
    assert lenses["process"] == {"current": 1, "target": 1}  # target 0 < current: kept at 1
    assert lenses["automation"] == {"current": 4, "target": 4}
    stored = workspace.assess(doc)
    assert stored["capabilities"][0]["lenses"]["metrics"]["answered"] == 3


def test_questionnaire_accepts_a_situation(workspace, monkeypatch) -> None:
    monkeypatch.setattr(cli.Prompt, "ask", lambda *a, **k: "building-team")
    monkeypatch.setattr(cli.IntPrompt, "ask", lambda *a, **k: 1)
    doc = cli._questionnaire(workspace, [], None)
    assert list(doc["capabilities"]) == [
        "FinOps Practice Operations", "Executive Strategy Alignment",
        "FinOps Education & Enablement",
    ]  # fmt: skip


def test_stdin_is_tty_false_when_closed(monkeypatch) -> None:
    monkeypatch.setattr(cli.sys, "stdin", None)
    assert cli.stdin_is_tty() is False


@pytest.mark.parametrize("flag", ["Allocation/metrics", "A/b/c", "Allocation/metrics/kpi=x"])
def test_bad_goal_flags_are_usage_errors(flag: str) -> None:
    from costmark.cli.iteration import parse_goal_flag
    from costmark.errors import UsageError

    with pytest.raises(UsageError):
        parse_goal_flag(flag, owner=None, due=None, actions=[])
