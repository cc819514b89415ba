from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import costmark
from costmark.web import create_app
from tests.web.fakes import opener

CONFIG = """
version: 1
name: Test <b>Org</b>
dimensions:
  team:
    tag: team
    allocation: true
  service:
    column: ServiceName
"""


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    ws = costmark.init_workspace(tmp_path / "ws", config_text=CONFIG)
    ws.close()
    return tmp_path / "ws"


@pytest.fixture
def tokens(ws_root: Path) -> dict[str, str]:
    with costmark.open_workspace(ws_root) as ws:
        made = {
            "admin": ws.create_token("admin", name="root")[0],
            "analyst": ws.create_token("analyst")[0],
            "viewer": ws.create_token("viewer")[0],
            "payments": ws.create_token("viewer", scope={"team": "payments"}, name="pay")[0],
        }
    return made


@pytest.fixture
def app(ws_root: Path, tokens: dict[str, str]) -> Any:
    return create_app(ws_root, opener=opener, background=False)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
