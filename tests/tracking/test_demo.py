"""On a small demo workspace the two injected anomalies are found, with the right drivers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import costmark

api = pytest.importorskip("costmark.api")
if not hasattr(api, "create_demo"):  # pragma: no cover - the demo part is not in this build
    pytest.skip("costmark demo is not available", allow_module_level=True)

DRILL = ["team", "app", "service"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("demo") / "ws"
    api.create_demo(root, seed=7, months=4, rows=20_000, end=dt.date(2026, 11, 23))
    injected = json.loads((root / "demo-data" / "ANOMALIES.json").read_text("utf-8"))
    return root, injected


def overlapping(found: pd.DataFrame, dates: list[str]) -> pd.DataFrame:
    first, last = dt.date.fromisoformat(dates[0]), dt.date.fromisoformat(dates[-1])
    return found[(found["start"] <= last) & (found["end"] >= first)]


def top(details: list[dict[str, Any]], dimension: str) -> Any:
    ranked = [d for d in details if d["dimension"] == dimension]
    return ranked[0]["value"] if ranked else None


@pytest.mark.parametrize("by", [[], ["team"]])
def test_injected_anomalies_found_with_drivers(
    demo: tuple[Path, list[dict[str, Any]]], by: list[str]
) -> None:
    root, injected = demo
    assert len(injected) == 2
    with costmark.open_workspace(root, read_only=True) as ws:
        found = ws.anomalies("total_cost", by=by, drill=DRILL)
    matched = set()
    for anomaly in injected:
        hits = overlapping(found, anomaly["dates"])
        if by:
            hits = hits[hits["team"] == anomaly["team"]]
        assert len(hits) >= 1, f"{anomaly['id']} not found"
        event = hits.iloc[0]
        assert event["direction"] == "up"
        details = event["driver_details"]
        for dim, key in (("team", "team"), ("app", "app"), ("service", "service")):
            if dim not in by:
                assert top(details, dim) == anomaly[key], (anomaly["id"], dim, details)
        matched |= set(hits.index)
    false = found.drop(index=list(matched))
    assert len(false) <= 3, false
