"""No page shows a Python or JSON repr of a dict or list: every page of the registry, with
maturity and iteration documents recorded so those pages have rows to show."""

from __future__ import annotations

from typing import Any

import pytest

from costmark.web.pages.registry import PAGES
from tests.web.conftest import bearer
from tests.web.pages.conftest import visible
from tests.web.test_scope_routes import seed_team_documents

REPRS = ("{'", '{"', "[{", "['")


def urls() -> list[str]:
    return [p.path.replace("{kpi_id}", "total_cost") for p in PAGES]


@pytest.mark.parametrize("url", [*urls(), "/kpi/total_cost?by=team", "/?period=2026-10"])
def test_no_repr_on_any_page(client: Any, tokens: dict[str, str], url: str, app: Any) -> None:
    with app.state.gate.write() as ws:
        if not ws.assessments():
            seed_team_documents(ws)
    html = client.get(url, headers=bearer(tokens["admin"]))
    assert html.status_code == 200, html.text[:300]
    text = visible(html.text)
    for marker in REPRS:
        assert marker not in text, (url, text[max(0, text.find(marker) - 200):][:400])


def test_every_page_has_its_csv_twin(client: Any, tokens: dict[str, str]) -> None:
    h = bearer(tokens["admin"])
    for page in PAGES:
        if page.csv:
            url = page.csv.replace("{kpi_id}", "total_cost")
            got = client.get(url, headers=h)
            assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
