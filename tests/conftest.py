"""Shared fixtures: a fresh workspace per test and the real public data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

import costmark

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    """The read-only real billing data (../shared/data beside the repo)."""
    if not SHARED_DATA.exists():
        pytest.skip(f"{SHARED_DATA} not present (it sits beside the repo in CI)")
    return SHARED_DATA


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def workspace(tmp_path: Path) -> costmark.Workspace:
    """An initialised, empty workspace with the default costmark.yaml."""
    ws = costmark.init_workspace(tmp_path / "ws")
    yield ws
    ws.close()
