"""A demo workspace served by the real engine (targets, budgets, forecasts, anomalies), shared
by the page tests of this folder; and helpers reading a page's figures."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import costmark
from costmark.web import create_app
from tests.web.conftest import bearer
from tests.web.test_cli import cm


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Six months of demo data ending mid-November 2026: October is the latest complete
    month, November runs (partial) and holds a cost anomaly."""
    root = tmp_path_factory.mktemp("pages-demo") / "ws"
    made = cm("demo", "--workspace", str(root), "--months", "6", "--rows", "20000",
              "--end", "2026-11-15")
    assert made.returncode == 0, made.stderr
    with costmark.open_workspace(root) as ws:
        token = ws.create_token("admin")[0]
    with TestClient(create_app(root, background=False)) as client:
        yield {"client": client, "h": bearer(token), "root": root}


def figures(html: str) -> dict[str, Any]:
    """The Plotly figures a page embeds for app.js to draw."""
    found = re.search(r'<script type="application/json" id="page-figures">(.*?)</script>',
                      html, re.S)
    assert found, "the page embeds no figures"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def visible(html: str) -> str:
    """The page's text a reader sees: no scripts, no tags."""
    body = html.split("</head>")[-1]
    return re.sub(r"<script.*?</script>", " ", body, flags=re.S)
