"""build_context(sections=...) computes only the sections asked for, with the same header."""

from __future__ import annotations

from typing import Any

import pytest

from costmark.benchmarking import service
from costmark.reports import cache
from costmark.reports.context import build_context


def test_only_the_sections_asked_for(fake_ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = build_context(fake_ws, period="2026-10")
    some = build_context(fake_ws, period="2026-10", sections=("scorecard", "budgets"))
    assert list(some["sections"]) == ["scorecard", "budgets"]
    assert some["sections"]["scorecard"] == whole["sections"]["scorecard"]
    assert {k: v for k, v in some.items() if k not in ("sections", "generated_at")} == {
        k: v for k, v in whole.items() if k not in ("sections", "generated_at")
    }
    calls: list[str] = []  # peers are never computed when not asked for
    monkeypatch.setattr(service, "run_benchmarks", lambda *a, **k: calls.append("peers") or {})
    with cache.disabled():  # the whole context above cached the peers section
        build_context(fake_ws, period="2026-10", sections=("scorecard",))
        assert calls == []
        build_context(fake_ws, period="2026-10", sections=("peers",))
        assert calls == ["peers"]
