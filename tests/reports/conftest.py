from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import costmark
from tests.web.fakes import FakeWorkspace

BASE = """
version: 1
name: Reports test
dimensions:
  team:
    tag: team
    allocation: true
"""


def make_ws(tmp_path: Path, extra: str = "") -> FakeWorkspace:
    costmark.init_workspace(tmp_path / "ws", config_text=BASE + extra).close()
    return FakeWorkspace(tmp_path / "ws")


@pytest.fixture
def fake_ws(tmp_path: Path) -> Iterator[FakeWorkspace]:
    ws = make_ws(tmp_path)
    yield ws
    ws.close()
